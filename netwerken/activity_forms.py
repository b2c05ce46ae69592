"""Forms of the activity pages: the list's filter, an activity, moving a session, a new participant."""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import recurrence
from .fields import PhoneField, TenantModelChoiceField
from .models import Activity, Area, Network, Volunteer

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d-%m-%y"]
DATE_ERROR = _("Vul een geldige datum in, zoals 24-12-2026.")
TIME_ERROR = _("Vul een geldige tijd in, zoals 10:00.")
KEEP = "zoals_nu"


def _date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_ERROR},
        **kwargs,
    )


def _time_field(label, **kwargs):
    return forms.TimeField(
        label=label,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": TIME_ERROR},
        **kwargs,
    )


def _sensible_year(day):
    today = timezone.localdate()
    if day is not None and not (today.year - 5 <= day.year <= today.year + 5):
        raise forms.ValidationError(_("Deze datum ligt wel erg ver weg. Klopt het jaartal?"), code="far")
    return day


class ActivityFilter(django_filters.FilterSet):
    network = django_filters.ModelChoiceFilter(label=_("Netwerk"), queryset=lambda request: Network.objects.all())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Activity.Status.choices)

    class Meta:
        model = Activity
        fields = ["network", "status"]


class ActivityForm(forms.Form):
    network = TenantModelChoiceField(label=_("Netwerk"), queryset=Network.objects.none())
    title = forms.CharField(label=_("Naam van de activiteit"), max_length=150)
    description = forms.CharField(label=_("Omschrijving"), max_length=2000, required=False, widget=forms.Textarea)
    place = forms.CharField(label=_("Plaats"), max_length=200, required=False)
    area = TenantModelChoiceField(label=_("Buurt"), queryset=Area.objects.none(), required=False)
    capacity = forms.IntegerField(
        label=_("Aantal plaatsen"),
        min_value=1,
        max_value=10000,
        required=False,
        help_text=_("Leeg laten als iedereen kan komen."),
    )
    organiser = TenantModelChoiceField(
        label=_("Organisator (vrijwilliger)"), queryset=Volunteer.objects.none(), required=False
    )
    start_date = _date_field(_("Eerste keer"))
    start_time = _time_field(_("Begintijd"))
    duration_minutes = forms.IntegerField(label=_("Duur (minuten)"), min_value=5, max_value=24 * 60, initial=90)
    repeat = forms.ChoiceField(label=_("Herhaling"), choices=recurrence.REPEAT_CHOICES, initial=recurrence.ONCE)
    until = _date_field(_("Herhalen tot en met"), required=False, help_text=_("Leeg laten: gaat door."))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Activity.Status.PROPOSED, Activity.Status.PROPOSED.label),
            (Activity.Status.ACTIVE, Activity.Status.ACTIVE.label),
        ],
        initial=Activity.Status.ACTIVE,
    )

    def __init__(self, *args, custom_rule=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.exclude(status=Network.Status.STOPPED).order_by("name")
        self.fields["area"].queryset = Area.objects.order_by("name")
        self.fields["organiser"].queryset = (
            Volunteer.objects.filter(erased_at__isnull=True, membership__isnull=False)
            .select_related("membership__user")
            .order_by("membership__user__name", "pk")
        )
        if custom_rule:
            self.fields["repeat"].choices = [(KEEP, _("zoals nu ingesteld")), *recurrence.REPEAT_CHOICES]

    def clean_start_date(self):
        return _sensible_year(self.cleaned_data.get("start_date"))

    def clean_until(self):
        return _sensible_year(self.cleaned_data.get("until"))

    def clean(self):
        data = super().clean()
        start, until = data.get("start_date"), data.get("until")
        if start and until and until < start:
            self.add_error("until", _("‘Herhalen tot en met’ ligt voor de eerste keer."))
        if data.get("repeat") == KEEP:
            data["repeat"] = None
        return data

    @classmethod
    def initial_for(cls, activity):
        repeat = recurrence.repeat_of(activity.rrule)
        return {
            "network": activity.network_id,
            "title": activity.title,
            "description": activity.description,
            "place": activity.place,
            "area": activity.area_id,
            "capacity": activity.capacity,
            "organiser": activity.organiser_id,
            "start_date": activity.start_date,
            "start_time": activity.start_time,
            "duration_minutes": activity.duration_minutes,
            "repeat": KEEP if repeat is None else repeat,
            "until": activity.until,
            "status": activity.status,
        }


class SessionMoveForm(forms.Form):
    date = _date_field(_("Datum"))
    start_time = _time_field(_("Begintijd"))
    end_time = _time_field(_("Eindtijd"), required=False, help_text=_("Leeg laten: even lang als anders."))
    place = forms.CharField(label=_("Andere plaats"), max_length=200, required=False)
    note = forms.CharField(label=_("Toelichting"), max_length=300, required=False)

    def clean_date(self):
        return _sensible_year(self.cleaned_data.get("date"))

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start:
            zone = timezone.get_current_timezone()
            data["starts_at"] = datetime.datetime.combine(day, start, tzinfo=zone)
            data["ends_at"] = datetime.datetime.combine(day, end, tzinfo=zone) if end else None
            if end and end <= start:
                self.add_error("end_time", _("De bijeenkomst moet eindigen na het begin."))
        return data

    @classmethod
    def initial_for(cls, session):
        start = timezone.localtime(session.starts_at)
        return {
            "date": start.date(),
            "start_time": start.time(),
            "end_time": timezone.localtime(session.ends_at).time(),
            "place": session.place,
            "note": session.note,
        }


class SessionCancelForm(forms.Form):
    note = forms.CharField(label=_("Waarom afgelast (optioneel)"), max_length=300, required=False)


class ParticipantForm(forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=150)
    phone = PhoneField(label=_("Telefoon (optioneel)"), required=False)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Vul de naam in."), code="required")
        return name


class ParticipationForm(forms.Form):
    FIELDS = [("signed_up", _("aangemeld")), ("attended", _("was er"))]

    # An id as the page sent it: parsed exactly (netwerken.validators.parse_id), so '+5' or '５' is no id.
    member = forms.CharField(max_length=20, strip=False)
    field = forms.ChoiceField(choices=FIELDS)
    value = forms.TypedChoiceField(choices=[("1", "ja"), ("0", "nee")], coerce=lambda v: v == "1")
