"""Form fields for Dutch formats; each cleans to the normalised value or gives a Dutch message."""

import datetime

from django import forms
from django.db import models
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from . import availability
from .languages import LANGUAGES
from .validators import normalize_house_number, normalize_phone, normalize_postcode, parse_id


class PostcodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Postcode"))
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "postal-code", "inputmode": "text", "size": 8})

    def clean(self, value):
        value = super().clean(value)
        return normalize_postcode(value) if value else value


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Telefoonnummer"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalize_phone(value) if value else value


class HouseNumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Huisnummer"))
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)
        self.widget.attrs.update({"size": 6})

    def clean(self, value):
        value = super().clean(value)
        return normalize_house_number(value) if value else value


class WeekGridWidget(forms.CheckboxSelectMultiple):
    """The 21 slot checkboxes as a week table: a row a day, a column a part of the day. Each cell is a real
    checkbox with its own label ("dinsdagmiddag"), visually hidden: the row and column headers show it.
    Rendered with the project's templates (templates/netwerken/_week_grid.html), same names and values as
    the plain checkbox list, so what is posted and stored is unchanged."""

    template_name = "netwerken/_week_grid.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options = [
            option for _group, group_options, _index in context["widget"]["optgroups"] for option in group_options
        ]
        by_code = {str(option["value"]): option for option in options}
        context["parts"] = [label for _code, label in availability.PARTS]
        context["rows"] = [
            (day_label, [by_code[f"{day}-{part}"] for part, _label in availability.PARTS if f"{day}-{part}" in by_code])
            for day, day_label in availability.DAYS
        ]
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template engine (the form renderer only knows Django's own widget templates).
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))


class AvailabilityField(forms.MultipleChoiceField):
    """Day × part-of-day checkboxes (a week grid), cleaned to a bitmask (netwerken.availability)."""

    widget = WeekGridWidget(attrs={"class": "slots"})

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Wanneer kun je?"))
        kwargs.setdefault("error_messages", {"required": _("Kies minstens één dagdeel.")})
        super().__init__(choices=availability.slot_choices, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return availability.codes_from_mask(value)
        return value

    def clean(self, value):
        codes = super().clean(value)
        return availability.mask_from_codes(codes)


class LanguagesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple(attrs={"class": "columns"})

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Talen"))
        super().__init__(choices=LANGUAGES, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, str):
            return [code for code in value.split(",") if code]
        return value


class NotInPastDateField(forms.DateField):
    """A date from today on, and not absurdly far ahead (a mistyped year). `allow` is a date accepted
    as it is even when it has passed: the date a saved request already had, so editing it still works."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": _("Vul een geldige datum in, zoals 24-12-2026.")}

    def __init__(self, *, max_ahead=datetime.timedelta(days=2 * 365), allow=None, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d-%m-%y"])
        self.max_ahead, self.allow = max_ahead, allow
        super().__init__(**kwargs)

    def clean(self, value):
        from django.utils import timezone

        day = super().clean(value)
        if not day or day == self.allow:
            return day
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError(_("Deze datum ligt in het verleden."), code="past")
        if self.max_ahead is not None and day > today + self.max_ahead:
            raise forms.ValidationError(_("Deze datum ligt wel erg ver vooruit. Klopt het jaartal?"), code="too_far")
        return day


class PastDateField(forms.DateField):
    """A date that has happened: not after today, and not before `not_before` (by default `max_back` ago),
    so a mistyped year ('0001-01-01', '2052') is refused with a Dutch message instead of stored."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {
        "invalid": _("Vul een geldige datum in, zoals 24-12-2026."),
        "future": _("Deze datum ligt in de toekomst."),
        "too_early": _("Deze datum ligt wel erg ver terug. Klopt het jaartal?"),
    }

    def __init__(self, *, max_back=datetime.timedelta(days=2 * 365), not_before=None, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d-%m-%y"])
        self.max_back, self.not_before = max_back, not_before
        super().__init__(**kwargs)

    def clean(self, value):
        from django.utils import timezone

        day = super().clean(value)
        if not day:
            return day
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError(self.error_messages["future"], code="future")
        earliest = self.not_before or today - self.max_back
        if day < earliest:
            raise forms.ValidationError(
                self.error_messages["too_early"], code="too_early", params={"date": earliest.strftime("%d-%m-%Y")}
            )
        return day


# --- choosing the organisation's own objects by id ----------------------------------------------------

ID_ERROR = _("Deze keuze bestaat niet (meer). Kies opnieuw uit de lijst.")


class TenantModelChoiceField(forms.ModelChoiceField):
    """A choice among the current organisation's objects (the queryset is scoped), by id.

    Anything that is not a plain id in range — text, '１２', '-1', 20 digits — is refused before any query
    (the ORM would raise ValueError, SQLite OverflowError). An id of another organisation is not in the
    scoped queryset and is refused the same way, with the same Dutch message.
    """

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("invalid_choice", ID_ERROR)
        super().__init__(queryset, **kwargs)

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, models.Model):
            return super().to_python(value)
        if parse_id(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class TenantModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several of the current organisation's objects by id; see TenantModelChoiceField."""

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("invalid_choice", ID_ERROR)
        kwargs["error_messages"].setdefault("invalid_pk_value", ID_ERROR)
        super().__init__(queryset, **kwargs)

    def _check_values(self, value):
        for pk in value:
            if not isinstance(pk, models.Model) and parse_id(pk) is None:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value")
        return super()._check_values(value)
