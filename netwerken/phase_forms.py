"""Forms of the phase pages: an item of the checklist, a new item, a move to another phase."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import TenantModelChoiceField
from .models import Network, Organisation
from .validators import parse_id

Phase = Organisation.Phase
OWNER_ERROR = _("Kies iemand uit het team van de organisatie.")


class DueDateField(forms.DateField):
    """The date an item should be done: a real date within a year back and five years ahead. `allow` is the
    date the item already had (it may have passed: an overdue item can still be edited)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": _("Vul een geldige datum in, zoals 24-12-2026.")}

    def __init__(self, *, allow=None, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d-%m-%y"])
        self.allow = allow
        super().__init__(**kwargs)

    def clean(self, value):
        day = super().clean(value)
        if not day or day == self.allow:
            return day
        today = timezone.localdate()
        if day < today - datetime.timedelta(days=365):
            raise forms.ValidationError(_("Deze datum ligt wel erg ver terug. Klopt het jaartal?"), code="too_early")
        if day > today + datetime.timedelta(days=5 * 365):
            raise forms.ValidationError(_("Deze datum ligt wel erg ver vooruit. Klopt het jaartal?"), code="too_far")
        return day


class OwnerField(forms.ChoiceField):
    """One of the team (a list read once per page, so a page with many items costs no query per item)."""

    def __init__(self, *, users, **kwargs):
        self.users = {user.pk: user for user in users}
        choices = [("", _("— niemand —"))] + [(str(user.pk), str(user)) for user in users]
        kwargs.setdefault("error_messages", {"invalid_choice": OWNER_ERROR})
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        pk = parse_id(value)
        if pk not in self.users:
            raise forms.ValidationError(OWNER_ERROR, code="invalid_choice")
        return self.users[pk]


class ChecklistItemForm(forms.Form):
    """An item of the checklist. `full`: everything (org admin, professional); otherwise only done (a tick)."""

    title = forms.CharField(label=_("Wat"), max_length=200)
    owner = OwnerField(label=_("Wie"), users=[], required=False)
    due = DueDateField(label=_("Klaar op"), required=False)
    done = forms.BooleanField(label=_("Gedaan"), required=False)
    notes = forms.CharField(
        label=_("Notities"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, item, staff, full=True, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "title": item.title,
                "owner": str(item.owner_id) if item.owner_id else "",
                "due": item.due,
                "done": item.done,
                "notes": item.notes,
            },
        )
        super().__init__(*args, **kwargs)
        self.item = item
        if full:
            self.fields["owner"] = OwnerField(label=_("Wie"), users=staff, required=False)
            self.fields["due"] = DueDateField(label=_("Klaar op"), required=False, allow=item.due)
        else:
            for name in ("title", "owner", "due", "notes"):
                del self.fields[name]

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Vul in wat er moet gebeuren."), code="required")
        return title


class ChecklistItemAddForm(forms.Form):
    title = forms.CharField(label=_("Nieuw punt"), max_length=200)
    phase = forms.ChoiceField(label=_("In de fase"), choices=Phase.choices)
    network = TenantModelChoiceField(queryset=Network.objects.none(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.all()

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Vul in wat er moet gebeuren."), code="required")
        return title


class PhaseMoveForm(forms.Form):
    """A move from the phase the page showed (`from_phase`, so an old tab cannot move twice) to `to_phase`."""

    from_phase = forms.ChoiceField(choices=[("", "")] + list(Phase.choices), required=False, widget=forms.HiddenInput)
    to_phase = forms.ChoiceField(choices=Phase.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Toelichting (verplicht als je een fase teruggaat)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current or ""

    def clean(self):
        data = super().clean()
        if "from_phase" in data and data["from_phase"] != self.current:
            label = Phase(self.current).label if self.current else _("nog geen fase")
            raise forms.ValidationError(
                _("De fase is intussen al veranderd; het staat nu op ‘%(phase)s’. Bekijk de lijst opnieuw."),
                code="stale",
                params={"phase": label},
            )
        return data
