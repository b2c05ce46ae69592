"""A volunteer's forms: sign-up (account and profile in one), own profile, pause, and the coordinator's intake."""

import datetime

from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netwerken.fields import (
    AvailabilityField,
    HouseNumberField,
    LanguagesField,
    NotInPastDateField,
    PastDateField,
    PhoneField,
    PostcodeField,
    TenantModelChoiceField,
    TenantModelMultipleChoiceField,
)
from netwerken.models import Area, Resident, User, Volunteer
from netwerken.validators import format_phone

from .models import Category


class VolunteerProfileForm(forms.Form):
    """What a volunteer tells about themselves; used at sign-up and on their own profile page."""

    phone = PhoneField()
    postcode = PostcodeField()
    house_number = HouseNumberField()
    areas = TenantModelMultipleChoiceField(
        label=_("In welke buurten wil je helpen?"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Of vul hieronder een maximale afstand in."),
    )
    max_distance_km = forms.DecimalField(
        label=_("Of: hoe ver van huis wil je hooguit helpen (km)?"),
        required=False,
        min_value=0.1,
        max_value=100,
        decimal_places=1,
        max_digits=4,
    )
    categories = TenantModelMultipleChoiceField(
        label=_("Waarmee wil je helpen?"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "columns"}),
        error_messages={"required": _("Kies minstens één soort hulp.")},
    )
    availability = AvailabilityField()
    languages = LanguagesField(initial=["nl"], error_messages={"required": _("Kies minstens één taal.")})
    preference = forms.ChoiceField(
        label=_("Wat heb je het liefst?"),
        choices=Volunteer.Preference.choices,
        initial=Volunteer.Preference.BOTH,
        widget=forms.RadioSelect,
    )
    max_requests_per_month = forms.IntegerField(
        label=_("Hoeveel hulpvragen per maand hooguit?"), min_value=1, max_value=31, initial=4
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = Area.objects.all()
        self.fields["categories"].queryset = Category.objects.filter(active=True)
        if not self.fields["areas"].queryset.exists():
            del self.fields["areas"]

    def clean(self):
        data = super().clean()
        nothing_chosen = not data.get("areas") and data.get("max_distance_km") is None
        if "areas" in self.fields and nothing_chosen and not self.has_error("max_distance_km"):
            self.add_error("areas", _("Kies de buurten waar je wilt helpen, of vul een maximale afstand in."))
        return data

    @classmethod
    def initial_from(cls, volunteer):
        return {
            "phone": format_phone(volunteer.phone),
            "postcode": volunteer.postcode,
            "house_number": volunteer.house_number,
            "areas": list(volunteer.areas.all()),
            "max_distance_km": volunteer.max_distance_km,
            "categories": list(volunteer.categories.all()),
            "availability": volunteer.availability,
            "languages": volunteer.language_list,
            "preference": volunteer.preference,
            "max_requests_per_month": volunteer.max_requests_per_month,
        }


class VolunteerSignupForm(VolunteerProfileForm):
    """Account and volunteer profile in one form. Account fields are left out for a logged-in person."""

    name = forms.CharField(label=_("Je naam"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("E-mailadres"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label=_("Kies een wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minstens 8 tekens, niet alleen cijfers."),
    )
    password2 = forms.CharField(
        label=_("Herhaal het wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_("Ik geef toestemming"),
        error_messages={"required": _("Zonder je toestemming kunnen we je gegevens niet bewaren.")},
    )

    field_order = ["name", "email", "password1", "password2", "phone", "postcode", "house_number"]
    EMAIL_TAKEN = _("Er bestaat al een account met dit e-mailadres. Log eerst in; daarna kun je je hier aanmelden.")

    def __init__(self, *args, user=None, consent_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        self.fields["consent"].help_text = consent_text
        if self.user is not None:
            for name in ("name", "email", "password1", "password2"):
                del self.fields[name]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(self.EMAIL_TAKEN)
        return email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("De twee wachtwoorden zijn niet gelijk."))
        elif p1:
            try:
                password_validation.validate_password(p1, User(email=data.get("email", ""), name=data.get("name", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class VolunteerJoinForm(forms.Form):
    """One confirmation to become a volunteer candidate, for someone who has an account already (made at
    /accounts/signup/, outside any organisation): only what the coordinator needs to call them. What they
    help with and when follows at the intake or on their profile."""

    phone = PhoneField(help_text=_("Hierop bellen we je voor een kennismakingsgesprek."))
    postcode = PostcodeField()
    house_number = HouseNumberField()
    consent = forms.BooleanField(
        label=_("Ik geef toestemming"),
        error_messages={"required": _("Zonder je toestemming kunnen we je gegevens niet bewaren.")},
    )

    def __init__(self, *args, consent_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].help_text = consent_text


class VolunteerIntakeForm(forms.ModelForm):
    """The coordinator's intake: status and certificate of conduct (VOG); in 'een extraatje bijverdienen'
    (`modest_fee`) also whether the helper is looking for work or re-integrating."""

    vog_date = PastDateField(label=_("datum VOG"), required=False, max_back=datetime.timedelta(days=10 * 365))

    class Meta:
        model = Volunteer
        fields = ["status", "vog_seen", "vog_date", "vog_expires", "job_seeker", "reintegrating"]
        widgets = {
            "vog_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "vog_expires": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, modest_fee=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not modest_fee:
            del self.fields["job_seeker"]
            del self.fields["reintegrating"]

    def clean(self):
        data = super().clean()
        if data.get("vog_seen") and not data.get("vog_expires"):
            self.add_error("vog_expires", _("Vul in tot wanneer de VOG geldig is."))
        if data.get("vog_date") and data["vog_date"] > timezone.localdate():
            self.add_error("vog_date", _("De datum van de VOG kan niet in de toekomst liggen."))
        if data.get("vog_date") and data.get("vog_expires") and data["vog_expires"] < data["vog_date"]:
            self.add_error("vog_expires", _("‘Geldig tot’ ligt vóór de datum van de VOG."))
        return data


class PauseForm(forms.Form):
    # A pause that already began keeps its start date when the end is changed (`allow`, set in __init__).
    paused_from = NotInPastDateField(
        label=_("Pauze vanaf"), required=False, max_ahead=datetime.timedelta(days=10 * 365)
    )
    # From today on, and not decades ahead by a mistyped year (a long pause is fine, 9999 is a typo).
    paused_until = NotInPastDateField(
        label=_("Tot en met"), required=False, max_ahead=datetime.timedelta(days=10 * 365)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paused_from"].allow = self.initial.get("paused_from")

    def clean(self):
        data = super().clean()
        start, end = data.get("paused_from"), data.get("paused_until")
        if end and not start:
            self.add_error("paused_from", _("Vul in vanaf wanneer je pauze neemt."))
        if start and end and end < start:
            self.add_error("paused_until", _("Deze datum ligt vóór het begin van je pauze."))
        return data


class ResidentLinkForm(forms.Form):
    """'Er zijn voor elkaar': the resident record of the same person (chosen from a search)."""

    resident = TenantModelChoiceField(
        queryset=Resident.objects.none(),
        label=_("Bewoner"),
        widget=forms.HiddenInput,
        error_messages={"required": _("Kies een bewoner uit de zoekresultaten.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = Resident.objects.filter(erased_at__isnull=True)
