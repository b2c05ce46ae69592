"""Dutch formats (netwerken/validators.py): what is accepted, what it becomes, and what is refused."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from netwerken.validators import (
    MinimumLengthValidator,
    fold_unicode,
    format_phone,
    normalize_house_number,
    normalize_phone,
    normalize_postcode,
    parse_id,
)


@pytest.fixture(autouse=True)
def _dutch():
    with translation.override("nl"):
        yield


# --- postcode -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("1234ab", "1234 AB"),
        ("1234 AB", "1234 AB"),
        (" 1234AB ", "1234 AB"),
        ("1234 ab", "1234 AB"),
        ("1234\tAB", "1234 AB"),
        ("1234  AB", "1234 AB"),
        ("9999 ZZ", "9999 ZZ"),
        ("１２３４ＡＢ", "1234 AB"),  # full-width, from a Japanese or Chinese keyboard
        ("1234\u200bAB", "1234 AB"),  # zero-width space, pasted from a web page
        ("\u202d1234 AB\u202c", "1234 AB"),  # bidi embedding marks around it
    ],
)
def test_valid_postcodes_are_normalised(typed, stored):
    assert normalize_postcode(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "0123 AB",  # no postcode starts with 0
        "1234 SA",  # SA, SD and SS are not used
        "1234 SD",
        "1234 ss",
        "123 AB",
        "12345 AB",
        "1234 A",
        "1234 ABC",
        "1234-AB",
        "AB 1234",
        "1234",
        "",
        " ",
        None,
        "1234\x00AB",
        "1234 AB\n1234 AB",
        "1234 ÄB",
        "١٢٣٤ AB" + "x",
        "1" * 10_000,
    ],
)
def test_invalid_postcodes_are_refused_in_dutch(typed):
    with pytest.raises(ValidationError) as refused:
        normalize_postcode(typed)
    assert refused.value.messages == ["Vul een postcode in als 1234 AB."]


# --- phone number ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("06-12345678", "+31612345678"),
        ("0612345678", "+31612345678"),
        ("06 12 34 56 78", "+31612345678"),
        ("+31 6 1234 5678", "+31612345678"),
        ("+31612345678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("+31 (0)6 12345678", "+31612345678"),
        ("030-1234567", "+31301234567"),
        ("(030) 123 45 67", "+31301234567"),
        ("030.123.45.67", "+31301234567"),
        ("0348123456", "+31348123456"),  # a four-digit area code (IJsselstein)
        ("0800-1234", "+318001234"),  # free service number
        ("0900 1234567", "+319001234567"),
        ("+32 470 12 34 56", "+32470123456"),  # Belgian mobile
        ("0032 2 555 12 34", "+3225551234"),  # Brussels
        ("+49 30 1234567", "+49301234567"),  # Berlin
        ("０６－１２３４５６７８", "+31612345678"),  # full-width digits and hyphen
    ],
)
def test_valid_phone_numbers_are_normalised(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "12345",
        "06-1234567",  # one digit short
        "06-123456789",  # one digit too many
        "00-12345678",
        "+31 06 12345678 9",
        "06-1234567a",  # letters are not digits (no vanity numbers)
        "0800-BUURTHULP",
        "112",
        "",
        None,
        "06\x0012345678",
        "+" * 50,
        "0" * 10_000,
    ],
)
def test_invalid_phone_numbers_are_refused_in_dutch(typed):
    with pytest.raises(ValidationError) as refused:
        normalize_phone(typed)
    assert refused.value.messages == [
        "Vul een geldig telefoonnummer in, zoals 06-12345678 of 030-1234567; uit het buitenland met +32 of +49."
    ]


@pytest.mark.parametrize(
    "stored, shown",
    [
        ("+31612345678", "06 12345678"),
        ("+31301234567", "030 123 4567"),
        ("+31348123456", "0348 123 456"),  # not 034-8123456
        ("+318001234", "0800 1234"),
        ("+32470123456", "+32 470 12 34 56"),
        ("+49301234567", "+49 30 1234567"),
        ("0612345678", "06 12345678"),  # stored before E.164: still shown well
        ("", ""),
        (None, ""),
    ],
)
def test_format_phone(stored, shown):
    assert format_phone(stored) == shown


# --- house number ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("12", "12"),
        ("12a", "12a"),
        ("12-bis", "12-bis"),
        ("12 A", "12 A"),
        ("  12   A ", "12 A"),
        ("12 hs", "12 hs"),
        ("12-1", "12-1"),
        ("12 - 3b", "12 - 3b"),
        ("99999", "99999"),
        ("１２", "12"),
    ],
)
def test_valid_house_numbers(typed, stored):
    assert normalize_house_number(typed) == stored


@pytest.mark.parametrize(
    "typed", ["0", "abc", "", None, "012", "-1", "12-", "123456", "12abc", "1a2", "12\x00", "12 a b", "1" * 10_000]
)
def test_invalid_house_numbers_are_refused_in_dutch(typed):
    with pytest.raises(ValidationError) as refused:
        normalize_house_number(typed)
    assert refused.value.messages == ["Vul een huisnummer in, eventueel met toevoeging, zoals 12 of 12a."]


# --- helpers --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, folded",
    [
        ("１２３４ＡＢ", "1234AB"),
        ("١٢", "12"),
        ("a\u200db", "ab"),
        ("\u202eab", "ab"),
        ("e\u0301", "é"),
        ("\x00", "\x00"),  # a control character stays: the format check refuses it
    ],
)
def test_fold_unicode(typed, folded):
    assert fold_unicode(typed) == folded


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1", 1),
        ("42", 42),
        (42, 42),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("99999999999999999999", None),
        ("0", None),
        ("-1", None),
        ("01", None),
        ("１２", None),
        ("²", None),
        ("1\x00", None),
        (" 1", None),
        ("1.0", None),
        ("", None),
        (None, None),
        (True, None),
        (["1"], None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


def test_short_password_message_is_dutch():
    with pytest.raises(ValidationError) as refused:
        MinimumLengthValidator().validate("kort")
    assert refused.value.messages == ["Dit wachtwoord is te kort. Gebruik minstens 8 tekens."]
