"""Forms of the resident networks' pages: the network itself, adding a member, the list's filters."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import PastDateField, PhoneField, TenantModelChoiceField, TenantModelMultipleChoiceField
from .models import Area, Network, Organisation, Resident, Volunteer


class VolunteerChoiceField(TenantModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _volunteers():
    return (
        Volunteer.objects.filter(erased_at__isnull=True, membership__isnull=False)
        .select_related("membership__user")
        .order_by("membership__user__name", "pk")
    )


class NetworkForm(forms.Form):
    name = forms.CharField(label=_("Naam van het netwerk"), max_length=150)
    kind = forms.ChoiceField(label=_("Soort netwerk"), choices=Network.Kind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Network.Status.choices, initial=Network.Status.ACTIVE)
    description = forms.CharField(
        label=_("Wat doet het netwerk?"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    areas = TenantModelMultipleChoiceField(
        Area.objects.none(),
        label=_("Buurten"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "columns"}),
    )
    contact_name = forms.CharField(label=_("Contactpersoon"), max_length=150, required=False)
    contact_phone = PhoneField(label=_("Telefoon contactpersoon"), required=False)
    contact_email = forms.EmailField(label=_("E-mail contactpersoon"), max_length=254, required=False)
    contact_volunteer = VolunteerChoiceField(
        Volunteer.objects.none(),
        label=_("Of: een vrijwilliger is de contactpersoon"),
        required=False,
        empty_label=_("— geen —"),
    )
    phase = forms.ChoiceField(
        label=_("Fase waarin het initiatief begint"),
        choices=[("", _("— niet bijgehouden —")), *Organisation.Phase.choices],
        required=False,
    )
    started_on = PastDateField(
        label=_("Gestart op"),
        required=False,
        not_before=datetime.date(1800, 1, 1),
        help_text=_("Bijvoorbeeld 1-9-2024."),
    )

    def __init__(self, *args, network=None, **kwargs):
        self.network = network
        if network is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": network.name,
                "kind": network.kind,
                "status": network.status,
                "description": network.description,
                "areas": [area.pk for area in network.areas.all()],
                "contact_name": network.contact_name,
                "contact_phone": network.contact_phone,
                "contact_email": network.contact_email,
                "contact_volunteer": network.contact_volunteer_id,
                "started_on": network.started_on,
            }
        super().__init__(*args, **kwargs)
        if network is not None:
            # A network's phase moves only on its phase page, where the move is recorded with what was open.
            del self.fields["phase"]
        self.fields["areas"].queryset = Area.objects.order_by("name")
        self.fields["contact_volunteer"].queryset = _volunteers()

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Geef het netwerk een naam."))
        others = Network.objects.filter(name__iexact=name)
        if self.network is not None:
            others = others.exclude(pk=self.network.pk)
        if others.exists():
            raise forms.ValidationError(_("Er is al een netwerk met deze naam."))
        return name


class MemberAddForm(forms.Form):
    """One of three: a resident (chosen from the search), a volunteer (idem), or a name and phone number."""

    prefix = "lid"

    resident = TenantModelChoiceField(Resident.objects.none(), required=False, widget=forms.HiddenInput)
    volunteer = TenantModelChoiceField(Volunteer.objects.none(), required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Naam"), max_length=150, required=False)
    phone = PhoneField(label=_("Telefoonnummer"), required=False)
    joined_on = PastDateField(
        label=_("Lid sinds"),
        required=False,
        not_before=datetime.date(1900, 1, 1),
        help_text=_("Leeg laten: vandaag."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = Resident.objects.filter(erased_at__isnull=True)
        self.fields["volunteer"].queryset = Volunteer.objects.filter(erased_at__isnull=True).select_related(
            "membership__user"
        )

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        chosen = [data.get("resident") is not None, data.get("volunteer") is not None, bool(data.get("name"))]
        if sum(chosen) == 0:
            self.add_error("name", _("Vul een naam in, of kies hierboven een bewoner of vrijwilliger."))
        elif sum(chosen) > 1:
            raise forms.ValidationError(_("Kies een bewoner of een vrijwilliger, of vul een naam in: één van de drie."))
        elif data.get("phone") and not data.get("name"):
            self.add_error("phone", _("Een telefoonnummer hoort bij een naam: vul ook de naam in."))
        return data


class NetworkFilterForm(forms.Form):
    """The list's filters (a GET query); a nonsense value shows on its field and filters nothing."""

    q = forms.CharField(label=_("Zoek op naam"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Soort"), choices=[("", _("alle soorten")), *Network.Kind.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("alle statussen")), *Network.Status.choices], required=False
    )
    area = TenantModelChoiceField(Area.objects.none(), label=_("Buurt"), required=False, empty_label=_("alle buurten"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.order_by("name")

    @property
    def filters(self) -> dict:
        """The valid filters (all of them, or none when one is wrong: the message says which)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}
