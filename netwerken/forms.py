from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation
from .roles import PROVIDER_ROLES, Role


class SignupForm(forms.Form):
    """Extra field on allauth's sign-up form."""

    name = forms.CharField(label=_("Naam"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))

    def signup(self, request, user):
        user.name = self.cleaned_data["name"].strip()
        user.save(update_fields=["name"])


class OrganisationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "municipality", "help_type", "phase"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["help_type"].required = True
        self.fields["phase"].required = True
        self.fields["help_type"].choices = Organisation.HelpType.choices
        self.fields["phase"].choices = Organisation.Phase.choices


class MembershipRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Rollen"),
        choices=[(role.value, role.label) for role in PROVIDER_ROLES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies minstens één rol.")},
    )

    def __init__(self, *args, membership, **kwargs):
        self.membership = membership
        kwargs.setdefault("initial", {"roles": [role for role in PROVIDER_ROLES if role in membership.roles]})
        super().__init__(*args, **kwargs)

    def clean_roles(self):
        from .services import is_last_org_admin

        roles = set(self.cleaned_data["roles"])
        if Role.ORG_ADMIN not in roles and is_last_org_admin(self.membership):
            raise forms.ValidationError(_("De organisatie heeft minstens één beheerder nodig."))
        return roles
