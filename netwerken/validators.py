"""Dutch formats: postcode, phone number, house number. Each returns the normalised value or raises.

Input is folded first (fold_unicode): full-width and other compatibility forms become plain ASCII
('１２３４ＡＢ' → '1234AB'), digits of other scripts become 0-9 ('١٢' → '12') and invisible format
characters (zero-width space, right-to-left override, soft hyphen) are dropped. After that only plain
ASCII matches, so what is stored is always the canonical form, and anything else raises ValidationError —
never another exception.
"""

import re
import unicodedata

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

POSTCODE_RE = re.compile(r"([1-9][0-9]{3}) ?([A-Z]{2})", re.ASCII)
# SA, SD and SS are not used in Dutch postcodes.
POSTCODE_UNUSED = {"SA", "SD", "SS"}
# Numbers without a country code are Dutch.
PHONE_REGION = "NL"
PHONE_CHARS = re.compile(r"\+?[0-9 ()./\-]{3,30}", re.ASCII)
# 12, 12a, 12 A, 12-bis, 12 hs, 12-1: letters may follow the number directly, a number needs a separator
# ('123456' is a typo, not 12345 with addition 6); a separator needs something after it ('12-').
_SEP = r"(?: ?- ?| )"
HOUSE_NUMBER_RE = re.compile(
    rf"[1-9][0-9]{{0,4}}(?:{_SEP}?(?:[A-Z]{{1,2}}|bis|hs)|{_SEP}[0-9]{{1,3}}[A-Z]?)?", re.IGNORECASE | re.ASCII
)
# Far more than any real input; longer input is refused before any work on it.
MAX_INPUT = 100

# Ids in URLs and forms are positive and fit a 64-bit integer column (BigAutoField).
MAX_ID = 2**63 - 1
ID_RE = re.compile(r"[1-9][0-9]{0,18}", re.ASCII)


def fold_unicode(value):
    """Plain-ASCII view of what people type: NFKC, any decimal digit as 0-9, no invisible format characters."""
    value = unicodedata.normalize("NFKC", str(value))
    chars = []
    for char in value:
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        if category == "Nd":
            char = str(unicodedata.decimal(char))
        chars.append(char)
    return "".join(chars)


def _prepare(value):
    if value is None:
        return ""
    value = str(value)
    if len(value) > MAX_INPUT:
        return None
    return fold_unicode(value)


def normalize_postcode(value):
    cleaned = _prepare(value)
    match = POSTCODE_RE.fullmatch(" ".join(cleaned.upper().split())) if cleaned is not None else None
    if not match or match.group(2) in POSTCODE_UNUSED:
        raise ValidationError(_("Vul een postcode in als 1234 AB."), code="postcode")
    return f"{match.group(1)} {match.group(2)}"


def _parse_phone(value):
    import phonenumbers

    cleaned = _prepare(value)
    # Digits and the usual separators only: libphonenumber would read letters as a keypad's digits.
    if not cleaned or not PHONE_CHARS.fullmatch(cleaned):
        return None
    try:
        number = phonenumbers.parse(cleaned, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalize_phone(value):
    """A phone number as E.164 ('+31612345678'), parsed and validated with Google's libphonenumber.

    Dutch numbers may be typed any usual way ('06-12 34 56 78', '0348 123456', '+31 (0)6 1234 5678'),
    service numbers (0800, 0900) are fine, and numbers abroad are written with their country code
    ('+32 2 555 12 34', '0049 30 1234567').
    """
    import phonenumbers

    number = _parse_phone(value)
    if number is None:
        raise ValidationError(
            _("Vul een geldig telefoonnummer in, zoals 06-12345678 of 030-1234567; uit het buitenland met +32 of +49."),
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value):
    """For reading aloud and dialling: Dutch numbers in the national way ('0348 123 456', '06 12345678'),
    others internationally ('+32 2 555 12 34'). Anything unparseable is shown as stored."""
    import phonenumbers

    if not value:
        return ""
    number = _parse_phone(value)
    if number is None:
        return value
    if phonenumbers.region_code_for_number(number) == PHONE_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_variants(value):
    """The ways a stored number may have been written in free text or mail, for erasure."""
    import phonenumbers

    number = _parse_phone(value)
    if number is None:
        return [value] if value else []
    formats = (
        phonenumbers.PhoneNumberFormat.E164,
        phonenumbers.PhoneNumberFormat.NATIONAL,
        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    )
    variants = {phonenumbers.format_number(number, f) for f in formats}
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    variants.add(national.replace(" ", ""))
    area, _space, rest = national.partition(" ")
    if rest:
        variants.add(f"{area}-{rest.replace(' ', '')}")  # 06-12345678, 030-1234567
    variants.add(format_phone(value))
    return sorted(v for v in variants if v)


def normalize_house_number(value):
    cleaned = _prepare(value)
    if cleaned is not None:
        cleaned = " ".join(cleaned.split())
    if cleaned is None or not HOUSE_NUMBER_RE.fullmatch(cleaned):
        raise ValidationError(
            _("Vul een huisnummer in, eventueel met toevoeging, zoals 12 of 12a."), code="house_number"
        )
    return cleaned


def parse_id(value):
    """A primary key from user input ('42'), or None for anything else: text, '０４２', '-1', 0, 2**63 and up.

    Checked before any query: SQLite raises OverflowError on ids beyond 64 bits and a non-number raises
    ValueError in the ORM, both a 500.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if not isinstance(value, str) or not ID_RE.fullmatch(value):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a Dutch message: Django 5.2's Dutch catalogue lacks the message Django now uses."""

    def get_error_message(self):
        return ngettext(
            "Dit wachtwoord is te kort. Gebruik minstens %(min_length)d teken.",
            "Dit wachtwoord is te kort. Gebruik minstens %(min_length)d tekens.",
            self.min_length,
        ) % {"min_length": self.min_length}
