"""Form fields for Dutch formats; each cleans to the normalised value or gives a Dutch message."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import availability
from .languages import LANGUAGES
from .validators import normalize_house_number, normalize_phone, normalize_postcode


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


class AvailabilityField(forms.MultipleChoiceField):
    """Day × part-of-day checkboxes, cleaned to a bitmask (netwerken.availability)."""

    widget = forms.CheckboxSelectMultiple(attrs={"class": "slots"})

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Wanneer kun je?"))
        kwargs.setdefault("error_messages", {"required": _("Kies minstens één dagdeel.")})
        super().__init__(choices=[(code, f"{d}{p}") for code, d, p in availability.SLOTS], **kwargs)

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
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": _("Vul een geldige datum in, zoals 24-12-2026.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d-%m-%y"])
        super().__init__(**kwargs)

    def clean(self, value):
        from django.utils import timezone

        day = super().clean(value)
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("Deze datum ligt in het verleden."), code="past")
        return day
