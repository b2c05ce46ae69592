"""Dutch formats: postcode, phone number, house number. Each returns the normalised value or raises."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

POSTCODE_RE = re.compile(r"^([1-9][0-9]{3})\s?([A-Z]{2})$")
# SA, SD and SS are not used in Dutch postcodes.
POSTCODE_UNUSED = {"SA", "SD", "SS"}
PHONE_RE = re.compile(r"^0[1-9][0-9]{8}$")
HOUSE_NUMBER_RE = re.compile(r"^([1-9][0-9]{0,4})\s*-?\s*([A-Za-z]{0,2}|[0-9]{1,3}[A-Za-z]?|bis|hs)?$", re.IGNORECASE)


def normalize_postcode(value):
    cleaned = (value or "").strip().upper()
    match = POSTCODE_RE.match(cleaned)
    if not match or match.group(2) in POSTCODE_UNUSED:
        raise ValidationError(_("Vul een postcode in als 1234 AB."), code="postcode")
    return f"{match.group(1)} {match.group(2)}"


def normalize_phone(value):
    """Dutch numbers as 10 digits starting with 0: '06-12 34 56 78', '+31 6 1234 5678' → '0612345678'."""
    cleaned = re.sub(r"[\s\-().]", "", value or "")
    if cleaned.startswith("+31"):
        cleaned = "0" + cleaned[3:]
    elif cleaned.startswith("0031"):
        cleaned = "0" + cleaned[4:]
    if cleaned.startswith("00"):
        cleaned = cleaned[1:]
    if not PHONE_RE.match(cleaned):
        raise ValidationError(
            _("Vul een Nederlands telefoonnummer in, zoals 06-12345678 of 030-1234567."), code="phone"
        )
    return cleaned


def format_phone(value):
    if not value or len(value) != 10:
        return value or ""
    if value.startswith("06"):
        return f"{value[:2]}-{value[2:]}"
    return f"{value[:3]}-{value[3:]}"


def normalize_house_number(value):
    cleaned = " ".join((value or "").split())
    if not HOUSE_NUMBER_RE.match(cleaned):
        raise ValidationError(
            _("Vul een huisnummer in, eventueel met toevoeging, zoals 12 of 12a."), code="house_number"
        )
    return cleaned
