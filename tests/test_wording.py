"""One form of address: every Dutch source string says "je", never "u" (README, Schrijfwijzer).

The msgids are collected without GNU gettext: templates through Django's own template lexer
({% translate %}, {% blocktranslate %} and _("...") in filter arguments), Python files through
their syntax tree (calls of _, gettext, gettext_lazy, ngettext, pgettext and their lazy forms).
"""

import ast
import re
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType
from django.urls import reverse

from .factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("templates", "netwerken", "matching", "evaluatie", "buurthulp")
TRANSLATE_CALLS = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
FORMAL = re.compile(r"\b(u|uw|U|Uw|UW)\b")
# Strings that contain "u" or "uw" without addressing anyone. Keep this empty unless it truly must not be.
ALLOWED: set[str] = set()
# Placeholders are names, not words: "tot en met %(u)s" addresses nobody.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
TEMPLATE_UNDERSCORE = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\)""")


def _unquote(bit):
    if len(bit) >= 2 and bit[0] == bit[-1] and bit[0] in "\"'":
        return bit[1:-1]
    return None


def template_msgids(text):
    """Every translatable string of one template."""
    found = []
    inside = None  # the blocktranslate being read: a list of its text parts
    for token in Lexer(text).tokenize():
        if inside is not None:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] in (
                "endblocktranslate",
                "endblocktrans",
            ):
                found.append("".join(inside))
                inside = None
            elif token.token_type == TokenType.BLOCK and token.contents.split()[0] == "plural":
                found.append("".join(inside))
                inside = []
            elif token.token_type == TokenType.TEXT:
                inside.append(token.contents)
            elif token.token_type == TokenType.VAR:
                inside.append("%(" + token.contents.split("|")[0].strip() + ")s")
            continue
        if token.token_type == TokenType.BLOCK:
            bits = token.split_contents()
            if bits[0] in ("translate", "trans") and len(bits) > 1:
                msgid = _unquote(bits[1])
                if msgid is not None:
                    found.append(msgid)
            elif bits[0] in ("blocktranslate", "blocktrans"):
                inside = []
        if token.token_type in (TokenType.BLOCK, TokenType.VAR):
            for match in TEMPLATE_UNDERSCORE.finditer(token.contents):
                found.append(match.group(1) if match.group(1) is not None else match.group(2))
    return found


def python_msgids(source):
    """Every string literal passed to a gettext function in one Python module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name not in TRANSLATE_CALLS:
            continue
        for arg in node.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append(arg.value)
    return found


def all_msgids():
    """(file, msgid) for every Dutch source string of the project."""
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or "migrations" in path.parts:
                continue
            if path.suffix in (".html", ".txt"):
                for msgid in template_msgids(path.read_text()):
                    yield path.relative_to(ROOT), msgid
            elif path.suffix == ".py":
                for msgid in python_msgids(path.read_text()):
                    yield path.relative_to(ROOT), msgid


def test_the_collector_finds_strings_of_every_kind():
    text = (
        '{% load i18n %}{% translate "Eén" %}{% blocktranslate with n=x %}Twee {{ n }}{% endblocktranslate %}'
        '{% blocktranslate count c=n %}Drie{% plural %}Vier {{ c }}{% endblocktranslate %}{{ x|default:_("Vijf") }}'
    )
    assert template_msgids(text) == ["Eén", "Twee %(n)s", "Drie", "Vier %(c)s", "Vijf"]
    code = 'from django.utils.translation import gettext_lazy as _\nA = _("Zes")\nB = ngettext("Zeven", "Acht", 2)'
    assert python_msgids(code) == ["Zes", "Zeven", "Acht"]
    # The project's own strings are found (a sample from a template, a form, an email template).
    msgids = {msgid for _path, msgid in all_msgids()}
    assert "Pagina niet gevonden" in msgids
    assert len(msgids) > 500


def test_the_formal_address_is_recognised_and_words_containing_u_are_not():
    assert FORMAL.search("Wat kunnen we voor u doen?")
    assert FORMAL.search("Uw hulpvraag is verstuurd")
    assert not FORMAL.search("Uur, uren, buurt, duur, Utrecht, uwe, nu, jouw")


def test_no_dutch_string_says_u_or_uw():
    offenders = [
        f"{path}: {msgid!r}"
        for path, msgid in all_msgids()
        if FORMAL.search(PLACEHOLDER.sub("", msgid)) and msgid not in ALLOWED
    ]
    assert offenders == [], "Spreek aan met je/jij/jouw (README, Schrijfwijzer):\n" + "\n".join(offenders)


ACCOUNT_PAGES = [
    ("account_login", False),
    ("account_signup", False),
    ("account_reset_password", False),
    ("account_reset_password_done", False),
    ("account_email_verification_sent", False),
    ("account_logout", True),
    ("account_change_password", True),
    ("mfa_index", True),
]


def _visible_text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.mark.parametrize("url_name,logged_in", ACCOUNT_PAGES)
def test_account_pages_say_inloggen_and_account_aanmaken_never_aanmelden(client, db, url_name, logged_in):
    if logged_in:
        client.force_login(UserFactory())
    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    text = _visible_text(response)
    for word in ("Aanmelden", "aanmelden", "Afmelden", "afmelden", "Registreren", "registreer", "Meld je"):
        assert word not in text, f"{url_name}: {word!r}"
    assert not FORMAL.search(text), f"{url_name}: {FORMAL.search(text).group()!r}"


def test_the_sign_in_and_sign_up_pages_name_each_other_plainly(client, db):
    login = client.get(reverse("account_login")).content.decode()
    assert re.search(r"<h1[^>]*>\s*Inloggen\s*</h1>", login)
    assert re.search(r"<button[^>]*>\s*Inloggen\s*</button>", login)
    assert "Heb je nog geen account? Maak er dan eerst een aan" in _visible_text(client.get(reverse("account_login")))
    signup = client.get(reverse("account_signup")).content.decode()
    assert re.search(r"<h1[^>]*>\s*Account aanmaken\s*</h1>", signup)
    assert re.search(r"<button[^>]*>\s*Account aanmaken\s*</button>", signup)
    assert "Log dan in" in signup and "Je wachtwoord moet minstens 8 tekens lang zijn." in signup
    client.force_login(UserFactory())
    logout = _visible_text(client.get(reverse("account_logout")))
    assert "Weet je zeker dat je wilt uitloggen?" in logout
    response = client.post(reverse("account_logout"), follow=True)
    assert "Je bent uitgelogd." in _visible_text(response)


def test_the_override_catalogue_is_compiled():
    from django.conf import settings
    from django.utils import translation

    from .test_pages import _po_entries

    entries = _po_entries(Path(settings.BASE_DIR) / "locale_overrides/nl/LC_MESSAGES/django.po")
    assert len(entries) > 20
    with translation.override("nl"):
        stale = [e["msgid"] for e in entries if translation.gettext(e["msgid"]) != e["msgstr"]]
    assert not stale, f"run msgfmt in locale_overrides/nl/LC_MESSAGES: {stale[:5]}"
    with translation.override("en"):
        assert translation.gettext("Sign In") == "Sign In"
