"""The forms of the hours pages (matching/hours_views.py)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netwerken.fields import PastDateField

from .hours import MAX_MINUTES, first_name


def _session_label(session):
    local = timezone.localtime(session.starts_at)
    return f"{session.activity.title} — {local:%d-%m-%Y %H:%M}"


def _match_label(match):
    request = match.help_request
    return f"{request.category.name} — {first_name(request.resident.name)}"


class HoursForm(forms.Form):
    """Hours on one of the volunteer's own matches ("m<id>") or sessions ("s<id>")."""

    target = forms.ChoiceField(
        label=_("Waarvoor"),
        error_messages={"invalid_choice": _("Kies een van je koppelingen of bijeenkomsten uit de lijst.")},
    )
    date = PastDateField(
        label=_("Datum"),
        error_messages={"future": _("Uren kunnen niet in de toekomst liggen.")},
    )
    minutes = forms.IntegerField(
        label=_("Hoe lang (minuten)"),
        min_value=1,
        max_value=MAX_MINUTES,
        help_text=_("Je contactmomenten tellen al mee. Vul hier de tijd in die daar niet in zit, zoals reistijd."),
        error_messages={
            "min_value": _("Vul een duur in van 1 tot en met 1440 minuten."),
            "max_value": _("Vul een duur in van 1 tot en met 1440 minuten."),
        },
    )
    note = forms.CharField(label=_("Korte notitie (mag leeg)"), max_length=300, required=False)

    def __init__(self, *args, matches=(), sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.matches = {f"m{match.pk}": match for match in matches}
        self.sessions = {f"s{session.pk}": session for session in sessions}
        choices = []
        if self.matches:
            choices.append((_("Koppelingen"), [(key, _match_label(m)) for key, m in self.matches.items()]))
        if self.sessions:
            choices.append((_("Bijeenkomsten"), [(key, _session_label(s)) for key, s in self.sessions.items()]))
        self.fields["target"].choices = [("", _("Kies…")), *choices]

    def proposed_initial(self, key):
        """The first choice and its minutes for a fresh form: a session's length, a match's none (its contact
        moments count already)."""
        initial = {"date": timezone.localdate()}
        if key in self.matches or key in self.sessions:
            initial["target"] = key
        session = self.sessions.get(key)
        if session is not None:
            initial["minutes"] = int((session.ends_at - session.starts_at) / datetime.timedelta(minutes=1))
            initial["date"] = timezone.localdate(session.starts_at)
        return initial

    def cleaned_target(self):
        """{'match': ...} or {'session': ...} for the service."""
        key = self.cleaned_data["target"]
        if key in self.matches:
            return {"match": self.matches[key]}
        return {"session": self.sessions[key]}


class YearForm(forms.Form):
    jaar = forms.IntegerField(
        label=_("Jaar"),
        min_value=2000,
        max_value=2100,
        required=False,
        error_messages={
            "invalid": _("Vul een jaartal in, zoals 2026."),
            "min_value": _("Kies een jaar vanaf 2000."),
            "max_value": _("Kies een jaar tot en met 2100."),
        },
    )

    def year(self):
        if self.is_valid() and self.cleaned_data.get("jaar"):
            return self.cleaned_data["jaar"]
        return timezone.localdate().year
