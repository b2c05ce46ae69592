import uuid

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from netwerken.fields import (
    AvailabilityField,
    HouseNumberField,
    NotInPastDateField,
    PastDateField,
    PhoneField,
    PostcodeField,
    TenantModelChoiceField,
)
from netwerken.languages import LANGUAGES
from netwerken.models import Resident, Volunteer

from .fee_forms import FeeNumberField
from .models import Category, Escalation, HelpRequest, Match, MatchingSettings, Offer, SocialMapEntry
from .reciprocity import mutual_help


class ResidentFields(forms.Form):
    """A new resident's details, part of the intake and the online request form."""

    resident_name = forms.CharField(label=_("Naam bewoner"), max_length=150, required=False)
    resident_phone = PhoneField(required=False)
    resident_email = forms.EmailField(label=_("E-mailadres (mag leeg)"), max_length=254, required=False)
    resident_postcode = PostcodeField(required=False)
    resident_house_number = HouseNumberField(required=False)
    resident_street = forms.CharField(label=_("Straat"), max_length=150, required=False)

    NEW_RESIDENT_REQUIRED = ("resident_name", "resident_postcode", "resident_house_number")

    def require_new_resident(self):
        for name in self.NEW_RESIDENT_REQUIRED:
            if not self.cleaned_data.get(name) and not self.has_error(name):
                self.add_error(name, _("Dit veld is verplicht."))
        if not self.cleaned_data.get("resident_phone") and not self.cleaned_data.get("resident_email"):
            if not self.has_error("resident_phone") and not self.has_error("resident_email"):
                self.add_error(
                    "resident_phone", _("Vul een telefoonnummer of e-mailadres in, zodat we kunnen terugbellen.")
                )

    def new_resident_data(self):
        return {
            "name": self.cleaned_data["resident_name"].strip(),
            "phone": self.cleaned_data.get("resident_phone") or "",
            "email": self.cleaned_data.get("resident_email") or "",
            "postcode": self.cleaned_data["resident_postcode"],
            "house_number": self.cleaned_data["resident_house_number"],
            "street": self.cleaned_data.get("resident_street", "").strip(),
        }


def category_field(label=None):
    # Declared, not generated: a generated field would query categories at import, outside any scope.
    return TenantModelChoiceField(
        label=label or _("Soort hulp"), queryset=Category.objects.none(), empty_label=_("— kies —")
    )


class RequestFields(forms.ModelForm):
    category = category_field()
    recurring_slots = AvailabilityField(label=_("Op welke dagdelen?"), required=False)
    date = NotInPastDateField(
        label=_("Datum"),
        required=False,
        help_text=_("Leeg laten als de dag in overleg gaat; een tijd geldt dan voor elke dag."),
    )
    language = forms.ChoiceField(label=_("Taal van de bewoner"), choices=LANGUAGES, initial="nl")

    class Meta:
        model = HelpRequest
        fields = [
            "category",
            "description",
            "kind",
            "date",
            "time_from",
            "time_to",
            "recurrence",
            "location",
            "urgency",
            "helpers_needed",
            "mobility",
            "language",
            "pets",
            "key_safe",
            "particulars",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "particulars": forms.Textarea(attrs={"rows": 2}),
            "time_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "time_to": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "kind": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True)
        self.fields["category"].empty_label = _("— kies —")
        self.fields["helpers_needed"].widget.attrs.update({"min": 1, "max": 20})
        self.fields["helpers_needed"].max_value = 20
        self.fields["helpers_needed"].validators.append(_max_validator(20))
        if self.instance.pk and self.instance.kind == HelpRequest.Kind.RECURRING:
            self.initial.setdefault("recurring_slots", self.instance.slots)
        if self.instance.pk:
            # A request whose date has passed can still be edited without inventing a new date.
            self.fields["date"].allow = self.instance.date

    def clean(self):
        data = super().clean()
        start, end = data.get("time_from"), data.get("time_to")
        if start and end and end <= start:
            self.add_error("time_to", _("De eindtijd ligt vóór de begintijd."))
        if data.get("kind") == HelpRequest.Kind.RECURRING:
            if not data.get("recurrence"):
                self.add_error("recurrence", _("Kies hoe vaak de hulp nodig is."))
            if not data.get("recurring_slots") and not self.has_error("recurring_slots"):
                self.add_error("recurring_slots", _("Kies minstens één dagdeel."))
        else:
            data["recurrence"] = ""
        return data


def _max_validator(limit):
    from django.core.validators import MaxValueValidator

    return MaxValueValidator(limit, message=_("Hooguit %(limit_value)s."))


class SubmitOnce(forms.Form):
    """A one-time key in the form (a hidden field, new on every empty form, kept through its error pages): the
    service that creates makes one row per key, so a double-clicked 'Opslaan' or a resent page adds nothing."""

    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission"].initial = uuid.uuid4()


class IntakeForm(SubmitOnce, RequestFields, ResidentFields):
    """The coordinator's phone intake: an existing resident (found by search) or a new one, and the request."""

    resident = TenantModelChoiceField(
        queryset=Resident.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Deze bewoner bestaat niet (meer). Zoek de bewoner opnieuw.")},
    )
    channel = forms.ChoiceField(
        label=_("Binnengekomen"), choices=HelpRequest.Channel.choices, initial=HelpRequest.Channel.PHONE
    )
    consent = forms.BooleanField(
        label=_("De bewoner geeft toestemming"),
        error_messages={"required": _("Vraag de bewoner om toestemming; zonder toestemming slaan we niets op.")},
    )
    allow_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, consent_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = Resident.objects.all()
        self.fields["consent"].help_text = consent_text
        self.duplicates = []

    def clean(self):
        data = super().clean()
        if data.get("resident") is None and not self.has_error("resident"):
            self.require_new_resident()
            if not self.errors and not data.get("allow_duplicate"):
                from netwerken.selectors import resident_duplicates

                self.duplicates = resident_duplicates(
                    phone=data.get("resident_phone"),
                    postcode=data.get("resident_postcode"),
                    house_number=data.get("resident_house_number"),
                )
                if self.duplicates:
                    raise forms.ValidationError(
                        _(
                            "Deze bewoner staat er misschien al in. "
                            "Kies de bewoner hieronder, of sla toch op als nieuwe bewoner."
                        ),
                        code="duplicate",
                    )
        return data


class OnlineRequestForm(SubmitOnce, ResidentFields):
    """A resident asks for help on the organisation's public page, without an account."""

    NEW_RESIDENT_REQUIRED = ("resident_name", "resident_postcode", "resident_house_number")

    category = category_field(_("Waarmee wil je hulp?"))
    description = forms.CharField(
        label=_("Wat is er nodig?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    date = NotInPastDateField(label=_("Wanneer (mag leeg)"), required=False)
    consent = forms.BooleanField(
        label=_("Ik geef toestemming"),
        error_messages={"required": _("Zonder jouw toestemming kunnen we je hulpvraag niet bewaren.")},
    )
    # Honeypot: hidden from people, filled in by bots.
    website = forms.CharField(required=False, label=_("Laat dit veld leeg"))

    def __init__(self, *args, consent_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True)
        self.fields["consent"].help_text = consent_text
        self.fields["resident_name"].label = _("Je naam")
        self.fields["resident_phone"].label = _("Je telefoonnummer")
        self.fields["resident_email"].label = _("Je e-mailadres (mag leeg)")

    def clean(self):
        data = super().clean()
        self.require_new_resident()
        return data

    @property
    def is_bot(self):
        return bool(self.data.get("website"))


class TransitionForm(forms.Form):
    """A move of a request. Closing (afgerond) asks how it went; cancelling, escalating and ending a
    match ask why (matching/lifecycle.py decides which, and says so if it is missing)."""

    to_status = forms.ChoiceField(choices=HelpRequest.Status.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reden"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcome = forms.ChoiceField(
        label=_("Hoe ging het?"), choices=Match.Outcome.choices, required=False, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Toelichting (mag leeg)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Only for escalating (to the wijkteam): how urgent it is. Missing means normal.
    urgency = forms.TypedChoiceField(
        label=_("Hoe dringend?"),
        choices=Escalation.Urgency.choices,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Kies hoe dringend het is.")},
    )


class EndMatchForm(forms.Form):
    reason = forms.CharField(
        label=_("Waarom stopt deze koppeling? De vrijwilliger krijgt dit te lezen."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Geef een reden op; de vrijwilliger krijgt die te lezen.")},
    )


class OfferForm(forms.ModelForm):
    category = category_field()
    availability = AvailabilityField(label=_("Wanneer?"))

    class Meta:
        model = Offer
        fields = ["category", "description", "availability", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True)
        self.fields["category"].empty_label = _("— kies —")
        self.fields["description"].help_text = _("Bijvoorbeeld: ik rijd dinsdags naar het ziekenhuis.")


class CategoryForm(forms.ModelForm):
    """The fee (per hour or per job, and the amount) only in 'een extraatje bijverdienen' (`modest_fee`)."""

    class Meta:
        model = Category
        fields = ["name", "requires_vog", "active", "fee_unit", "fee_amount"]
        localized_fields = ["fee_amount"]

    def __init__(self, *args, modest_fee=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not modest_fee:
            del self.fields["fee_unit"]
            del self.fields["fee_amount"]
        else:
            self.fields["fee_unit"].label = _("Vergoeding per (leeg: geen vergoeding)")
            self.fields["fee_amount"].min_value = 0
            self.fields["fee_amount"].validators.append(MinValueValidator(0))

    def clean(self):
        cleaned = super().clean()
        if "fee_unit" in self.fields:
            unit, amount = cleaned.get("fee_unit"), cleaned.get("fee_amount")
            if unit and amount is None and "fee_amount" not in self.errors:
                self.add_error("fee_amount", _("Vul het bedrag in dat bij deze vergoeding hoort."))
            elif not unit and amount is not None:
                self.add_error("fee_unit", _("Kies per uur of per klus, of maak het bedrag leeg."))
        return cleaned

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Category.objects.filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Deze soort hulp bestaat al."))
        return name


class ProposeForm(forms.Form):
    # A hidden id: anything but one of this organisation's volunteers by plain id is refused before any query.
    volunteer = TenantModelChoiceField(
        queryset=Volunteer.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Deze vrijwilliger bestaat niet (meer)."),
            "invalid_choice": _("Deze vrijwilliger bestaat niet (meer)."),
        },
    )
    # Set by the 'telefonisch afgesproken' button: the volunteer already said yes on the phone.
    by_phone = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = Volunteer.objects.all()


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Waarom niet? (mag leeg)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ContactLogForm(forms.Form):
    """A contact moment: on a day between the proposal and today, for a sensible number of minutes."""

    date = PastDateField(
        label=_("Datum"),
        # Most moments are logged on the day itself: today in the Netherlands (TIME_ZONE Europe/Amsterdam),
        # a callable so it is the day the form is shown, not the day the server started.
        initial=timezone.localdate,
        error_messages={
            "future": _("Een contactmoment kan niet in de toekomst liggen."),
            "too_early": _("Een contactmoment kan niet vóór het voorstel liggen (%(date)s)."),
        },
    )
    minutes = forms.IntegerField(label=_("Hoe lang (minuten)"), min_value=1, max_value=24 * 60)
    note = forms.CharField(label=_("Korte notitie (mag leeg)"), max_length=500, required=False)
    # 'Er zijn voor elkaar' only: the resident helped back, so the meeting counts both ways.
    mutual = forms.BooleanField(
        label=_("We hielpen elkaar"),
        help_text=_("Vink aan als de bewoner jou ook ergens mee hielp."),
        required=False,
    )

    def __init__(self, *args, match=None, **kwargs):
        super().__init__(*args, **kwargs)
        if match is not None:
            self.fields["date"].not_before = timezone.localdate(match.proposed_at)
        if match is None or not mutual_help(match.help_request.organisation):
            del self.fields["mutual"]  # the type shapes the form: other types never see (or post) it


class CloseMatchForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Hoe ging het?"), choices=Match.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Toelichting (mag leeg)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, fee_category=None, fee_quantity=None, **kwargs):
        """`fee_category`: in 'een extraatje bijverdienen', a category with a fee: the form offers to book it."""
        super().__init__(*args, **kwargs)
        if fee_category is not None:
            per_hour = fee_category.fee_unit == "uur"
            self.fields["fee_quantity"] = FeeNumberField(
                kind="quantity",
                label=_("Aantal uren voor de vergoeding") if per_hour else _("Aantal klussen voor de vergoeding"),
                help_text=_("€ %(rate)s per %(unit)s. Leeg laten: later boeken op de vergoedingen van de vrijwilliger.")
                % {
                    "rate": number_format(fee_category.fee_amount, decimal_pos=2, use_l10n=True),
                    "unit": fee_category.get_fee_unit_display(),
                },
                required=False,
                initial=fee_quantity,
            )


class SatisfactionForm(forms.Form):
    helped = forms.TypedChoiceField(
        label=_("Hielp het? (1 = helemaal niet, 5 = heel goed)"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "inline"}),
    )
    would_again = forms.TypedChoiceField(
        label=_("Zou je het opnieuw doen?"),
        choices=[("ja", _("ja")), ("nee", _("nee"))],
        coerce=lambda value: value == "ja",
        widget=forms.RadioSelect(attrs={"class": "inline"}),
    )
    comment = forms.CharField(label=_("Opmerking (mag leeg)"), max_length=500, required=False)


class MatchingSettingsForm(forms.ModelForm):
    class Meta:
        model = MatchingSettings
        fields = [
            "weight_distance",
            "weight_availability",
            "weight_language",
            "weight_load",
            "weight_continuity",
            "weight_recency",
            "weight_reciprocity",
            "proposal_hours",
            "reminder_hours",
            "auto_propose_next",
        ]

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not mutual_help(organisation):
            del self.fields["weight_reciprocity"]  # only 'er zijn voor elkaar' scores reciprocity
        for name in [name for name in self.fields if name.startswith("weight_")]:
            self.fields[name].max_value = 100
            self.fields[name].widget.attrs.update({"min": 0, "max": 100})
            self.fields[name].validators.append(_max_validator(100))
        self.fields["proposal_hours"].validators.append(_max_validator(24 * 14))
        self.fields["proposal_hours"].validators.append(_min_validator(1))

    def clean(self):
        data = super().clean()
        hours, reminder = data.get("proposal_hours"), data.get("reminder_hours")
        if hours is not None and reminder is not None and reminder >= hours:
            self.add_error("reminder_hours", _("De herinnering moet vóór het einde van de bedenktijd komen."))
        return data


def _min_validator(limit):
    from django.core.validators import MinValueValidator

    return MinValueValidator(limit, message=_("Minstens %(limit_value)s."))


# --- The backstop (matching/backstop.py) ------------------------------------------------------------------


def _urgency_field():
    return forms.TypedChoiceField(
        label=_("Hoe dringend?"),
        choices=Escalation.Urgency.choices,
        coerce=int,
        initial=Escalation.Urgency.NORMAL,
        error_messages={"invalid_choice": _("Kies hoe dringend het is.")},
    )


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("Waarom moet het wijkteam meekijken?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Schrijf op waarom het wijkteam moet meekijken.")},
    )
    urgency = _urgency_field()


class MatchDecisionForm(forms.Form):
    keep = forms.TypedChoiceField(
        label=_("De koppeling"),
        choices=[("1", _("loopt door")), ("0", _("stopt"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies of de koppeling doorloopt of stopt.")},
    )
    reason = forms.CharField(
        label=_("Toelichting (verplicht als de koppeling stopt; de vrijwilliger leest het)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReferForm(forms.Form):
    entry = TenantModelChoiceField(
        label=_("Naar wie (sociale kaart)"),
        queryset=Category.objects.none(),
        empty_label=_("— kies —"),
        error_messages={
            "required": _("Kies een organisatie van de sociale kaart."),
            "invalid_choice": _("Kies een organisatie van de sociale kaart."),
        },
    )
    note = forms.CharField(
        label=_("Toelichting (mag leeg)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = SocialMapEntry.objects.filter(active=True)


class HandBackForm(forms.Form):
    advice = forms.CharField(
        label=_("Advies aan buurthulp"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bijvoorbeeld: kan met een maatje, let op ..."),
        error_messages={"required": _("Geef buurthulp een advies mee.")},
    )


class BackstopCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Hoe ging het?"),
        # A referral is its own step (verwijzen), with the social map entry it went to.
        choices=[choice for choice in Match.Outcome.choices if choice[0] != Match.Outcome.REFERRED],
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies hoe het ging."), "invalid_choice": _("Kies hoe het ging.")},
    )
    reason = forms.CharField(
        label=_("Toelichting (mag leeg)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReferralAnswerForm(forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("Heeft de organisatie de verwijzing aangenomen?"),
        choices=[("1", _("ja")), ("0", _("nee"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies ja of nee."), "invalid_choice": _("Kies ja of nee.")},
    )


class ProfessionalNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Notitie (alleen voor het wijkteam)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Schrijf een notitie.")},
    )


class SocialMapEntryForm(forms.ModelForm):
    phone = PhoneField(required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = SocialMapEntry
        fields = ["name", "kind", "description", "phone", "email", "website", "address", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ReferralInForm(SubmitOnce, RequestFields, ResidentFields):
    """A professional sends a resident to buurthulp: a short intake with the resident's consent."""

    consent = forms.BooleanField(
        label=_("De bewoner geeft toestemming"),
        error_messages={"required": _("Vraag de bewoner om toestemming; zonder toestemming slaan we niets op.")},
    )

    def __init__(self, *args, consent_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].help_text = consent_text

    def clean(self):
        data = super().clean()
        self.require_new_resident()
        return data
