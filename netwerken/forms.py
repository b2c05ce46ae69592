import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .fields import PhoneField, TenantModelChoiceField
from .models import Area, Organisation
from .roles import PROVIDER_ROLES
from .validators import fold_unicode, normalize_postcode


class SignupForm(forms.Form):
    """Extra field on allauth's sign-up form."""

    name = forms.CharField(label=_("Naam"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))

    def signup(self, request, user):
        from .services import user_name_changed

        user.name = self.cleaned_data["name"].strip()
        user.save(update_fields=["name"])
        user_name_changed(user)


class OrganisationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        # No phase here: it moves only on the phase page (fase/), which records the move and its open items.
        fields = [
            "name",
            "municipality",
            "help_type",
            "retention_months",
            "intro",
            "phone",
            "email",
            "opening_hours",
            "address",
        ]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 4}),
            "opening_hours": forms.Textarea(attrs={"rows": 3}),
            "address": forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
        }
        help_texts = {
            "intro": _("In je eigen woorden: wat jullie doen en voor wie. Dit staat op je publieke pagina."),
            "phone": _("Het nummer dat bewoners bellen; het staat op de publieke pagina en bij het hulpformulier."),
        }

    phone = PhoneField(label=_("Telefoonnummer"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["help_type"].required = True
        self.fields["help_type"].choices = Organisation.HelpType.choices


class MembershipRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Rollen"),
        choices=[(role.value, role.label) for role in PROVIDER_ROLES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies minstens één rol.")},
    )

    def __init__(self, *args, membership, by=None, **kwargs):
        self.membership, self.by = membership, by
        kwargs.setdefault("initial", {"roles": [role for role in PROVIDER_ROLES if role in membership.roles]})
        super().__init__(*args, **kwargs)

    def clean_roles(self):
        from .services import team_change_problem

        roles = set(self.cleaned_data["roles"])
        problem = team_change_problem(membership=self.membership, roles=roles, by=self.by)
        if problem:
            raise forms.ValidationError(problem)
        return roles


class InvitationForm(forms.Form):
    """The org admin invites someone to the team by email, with one or more staff roles."""

    email = forms.EmailField(
        label=_("E-mailadres"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Vul het e-mailadres in van wie je uitnodigt.")},
    )
    roles = forms.MultipleChoiceField(
        label=_("Rollen"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies minstens één rol.")},
    )

    def __init__(self, *args, organisation, **kwargs):
        from .invitations import invite_roles

        self.organisation = organisation
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(role.value, role.label) for role in invite_roles(organisation)]

    def clean_email(self):
        from .models import Membership

        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(user__email__iexact=email).exists():
            raise forms.ValidationError(_("Iemand met dit e-mailadres hoort al bij het team."))
        return email


class FundingForm(forms.Form):
    # Any funder organisation on the instance (not a tenant's own object), chosen by id like one.
    funder = TenantModelChoiceField(
        label=_("Financier"),
        queryset=Organisation.objects.none(),
        empty_label=_("Kies een financier"),
        error_messages={"required": _("Kies een financier.")},
    )

    def __init__(self, *args, organisation, **kwargs):
        from .selectors import funders_available

        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders_available(organisation).order_by("name")


class AreaForm(forms.Form):
    name = forms.CharField(label=_("Naam van de buurt"), max_length=100)
    postcodes = forms.CharField(
        label=_("Postcodes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("Postcodegebieden (3401) of hele postcodes (3401 AB), gescheiden door komma's of regels."),
    )

    def __init__(self, *args, area=None, **kwargs):
        self.area = area
        super().__init__(*args, **kwargs)

    def clean_postcodes(self):
        import re

        from .models import AreaPostcode
        from .validators import fold_unicode, normalize_postcode

        prefixes, bad = [], []
        for item in [p.strip() for p in re.split(r"[,\n;]+", self.cleaned_data["postcodes"]) if p.strip()]:
            area_code = fold_unicode(item).strip()
            if re.fullmatch(r"[1-9][0-9]{3}", area_code, re.ASCII):
                prefixes.append(area_code)
            else:
                try:
                    prefixes.append(normalize_postcode(item))
                except forms.ValidationError:
                    bad.append(item[:20])
        if bad:
            raise forms.ValidationError(_("Geen geldige postcode: %(bad)s.") % {"bad": ", ".join(bad)})
        if not prefixes:
            raise forms.ValidationError(_("Vul minstens één postcode in."))
        taken = AreaPostcode.objects.filter(prefix__in=prefixes)
        if self.area is not None:
            taken = taken.exclude(area=self.area)
        taken = sorted(taken.values_list("prefix", flat=True))
        if taken:
            raise forms.ValidationError(_("Hoort al bij een andere buurt: %(list)s.") % {"list": ", ".join(taken)})
        from .geo import area_centre, unknown_postcodes

        if area_centre(prefixes) is None:
            raise forms.ValidationError(
                _(
                    "Van deze postcodes kennen we het midden niet: %(list)s. Vul minstens één postcode in van een "
                    "gebied waar mensen wonen (geen postbussen)."
                )
                % {"list": ", ".join(unknown_postcodes(prefixes))}
            )
        return sorted(set(prefixes))

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Area.objects.filter(name__iexact=name)
        if self.area is not None:
            others = others.exclude(pk=self.area.pk)
        if others.exists():
            raise forms.ValidationError(_("Er is al een buurt met deze naam."))
        return name


class PostcodeLookupForm(forms.Form):
    """'Welke buurthulp is er bij mij?' on the home page: a full postcode or its four digits."""

    postcode = forms.CharField(
        label=_("Je postcode"),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "size": 8, "maxlength": 10}),
        error_messages={"required": _("Vul je postcode in, bijvoorbeeld 3401 AB.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Too long, a NUL or any other oddity gets the one calm message of clean_postcode, not a generic one.
        self.fields["postcode"].validators = []

    def clean_postcode(self):
        value = self.cleaned_data["postcode"]
        digits = fold_unicode(value[:20]).strip()
        if re.fullmatch(r"[1-9][0-9]{3}", digits, re.ASCII):
            return digits
        try:
            return normalize_postcode(value)
        except ValidationError:
            raise ValidationError(
                _("Dat herkennen we niet als postcode. Vul je postcode in als 1234 AB."), code="postcode"
            ) from None
