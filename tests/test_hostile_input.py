"""Hostile input against every form (POST page) of the project.

The requirement: every form validates Dutch formats and answers with a clear Dutch message next to the
field, keeping everything the user typed; no input — overlong text, odd unicode, a wrong date, a foreign
id in a hidden field — yields a 500 or touches another organisation's data.

How: each form (FORM_CASES) has a valid baseline payload, checked to succeed and save, so the table means
something. Then every field gets the hostile values of hostile_values() in turn, the rest of the payload
staying valid: every field gets the CORE values, number-like and date-like fields the NUMBERS/DATES ones
too (LABELS_PER_KIND), and model fields also tenant B's ids. A field of a form class that another case
already runs the whole table against gets a SMOKE subset, which keeps the run under a minute. Each post
runs in a savepoint that is rolled back afterwards, so one accepted post cannot influence the next (and
one database error on PostgreSQL cannot poison the rest). Per post we check:

- no exception escapes the view (the test client re-raises them) and the status is never 500;
- a value the field must refuse (must_refuse) is refused: 200, the form has an error, it is Dutch, it is
  attached to the field (Django renders it as `id="id_<field>_error"`), and the other fields still hold
  exactly what was typed (passwords excepted: those are never sent back);
- the hostile text never comes back unescaped, nor on the page after saving;
- nothing of tenant B changed (a snapshot of all its rows, compared inside the savepoint whenever the
  request wrote anything).

Failures are collected per form and reported together, one line per (field, value). Forms with a prefix
(the match pages hold several forms) and forms that need a state first (an accepted or closed match) are
rows like any other (FormCase.prefix, FormCase.setup).

Further down: the status transition; buttons and hidden ids answered with a redirect and a message
(ACTION_CASES: the volunteer to propose, a batch pair's decision, accept/decline/withdraw, the erase
confirmation), posts without fields, malformed tokens in the emailed link, a resident's pages with hostile
stored text, ids in URLs (walking the URL patterns), the intake's query string, and hypothesis properties of
the Dutch-format validators and fields. test_every_post_page_is_covered walks the tenant URL patterns and
fails for a page that has neither a case here nor an entry in GET_ONLY, so a form page added later is not
forgotten.
"""

import datetime
import html
import inspect
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from unittest import mock
from urllib.parse import quote, urlencode

import pytest
from django.apps import apps
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluatie.models import EvaluationCycle, ImprovementAction, Story, SurveyResponse
from matching import proposals
from matching.models import (
    BatchProposal,
    Category,
    ContactLog,
    Escalation,
    EscalationStep,
    HelpRequest,
    HoursEntry,
    Match,
    MatchingSettings,
    Offer,
    ProfessionalNote,
    Referral,
    SatisfactionResponse,
    SocialMapEntry,
)
from netwerken.models import (
    Activity,
    Area,
    Membership,
    Network,
    NetworkMember,
    Organisation,
    Participation,
    PhaseChecklistItem,
    PhaseMove,
    Resident,
    User,
    Volunteer,
)
from netwerken.roles import Role
from netwerken.validators import normalize_house_number, normalize_phone, normalize_postcode

from .factories import MatchFactory
from .test_roles import ALLOWED, POST_ONLY
from .urlmap import tenant_routes

# --- the table of hostile values ----------------------------------------------------------------------

LONG = "Lang" * 2_500  # 10,000 characters
SCRIPT = "<script>alert(1)</script>"


def today():
    return timezone.localdate()


def hostile_values():
    """(label, value). A value is a str, a list (several values for one name) or bytes (raw, not UTF-8)."""
    return [
        ("leeg", ""),
        ("spatie", " "),
        ("10k-tekens", LONG),
        ("nul", "\x00"),
        ("nul-in-tekst", "Jan\x00Jansen"),
        ("nul-in-getal", "12\x00"),
        ("rtl-override", "\u202eBA 4321"),
        ("zero-width-joiner", "👩\u200d👩\u200d👧"),
        ("zero-width-space", "1234\u200bAB"),
        ("emoji", "👵🏽"),
        ("combining", "Z\u0351\u0352\u0353a\u0300\u0301\u0302lgo"),
        ("script", SCRIPT),
        ("sql", "'; DROP TABLE x;--"),
        ("groot-getal", "99999999999999999999"),
        ("bigint+1", "9223372036854775808"),
        ("min-een", "-1"),
        ("1e309", "1e309"),
        ("NaN", "NaN"),
        ("30-februari", "2024-02-30"),
        ("maand-31", "31-31-2025"),
        ("nuldatum", "0000-00-00"),
        ("verleden", (today() - datetime.timedelta(days=1)).isoformat()),
        ("jaar-9999", "9999-12-31"),
        ("jaar-1", "0001-01-01"),
        ("tijd-25:61", "25:61"),
        ("full-width-postcode", "１２３４ＡＢ"),
        ("full-width-getal", "１２"),
        ("arabisch-indische-cijfers", "١٢"),
        ("superscript", "²"),
        ("lijst", ["1", "2"]),
        ("geen-utf8", b"\xff\xfe"),
    ]


NUL_LABELS = {"nul", "nul-in-tekst", "nul-in-getal"}
EMPTY_LABELS = {"leeg", "spatie"}
# Values that turn into a small plain number: a number field or a house number may take them.
DIGIT_ALIASES = {"full-width-getal", "arabisch-indische-cijfers"}

# Per kind of field: hostile labels the field MAY accept (everything else it must refuse). Text fields
# are the other way round: they may accept anything except NUL, overlong text and (if required) nothing.
# "lijst" (two values for one name: Django takes the last, "2") may always be accepted.
MAY_ACCEPT = {
    "email": set(),
    "postcode": {"full-width-postcode", "zero-width-space"},
    "phone": set(),
    "house": {"full-width-postcode", "zero-width-space", "superscript"} | DIGIT_ALIASES,
    "int": DIGIT_ALIASES,
    "decimal": DIGIT_ALIASES,
    "float": set(),
    "date": {"verleden", "jaar-9999"},
    "date_not_past": set(),
    "date_not_future": {"verleden"},
    # A date that has happened, recently (a contact moment): yesterday yes, the year 1 or 9999 no.
    "date_past": {"verleden"},
    "time": set(),
    "choice": set(),
    "multichoice": set(),
    "model": set(),
    "model_multi": set(),
}
TEXT_KINDS = {"text", "password"}


@dataclass(frozen=True)
class F:
    kind: str
    required: bool = True


def must_refuse(spec, label):
    if spec.kind == "any" or label == "lijst":
        return False
    if spec.kind == "bool":
        return spec.required and label == "leeg"
    if label in EMPTY_LABELS:
        return spec.required
    if spec.kind in TEXT_KINDS:
        return label in NUL_LABELS or label == "10k-tekens"
    return label not in MAY_ACCEPT[spec.kind]


# --- forms ----------------------------------------------------------------------------------------------


def in_days(n):
    return (today() + datetime.timedelta(days=n)).isoformat()


@dataclass
class FormCase:
    id: str
    role: str | None  # None: anonymous
    url: Callable
    baseline: Callable
    fields: dict
    saved: Callable  # (tenant, client) -> bool, after the baseline post
    context_form: str = "form"
    # Forms whose errors may be form-wide instead of on the field (a failed login says nothing about which).
    nonfield_ok: bool = False
    # Errors that may land on another field than the hostile one: {hostile field: {fields}}.
    related: dict = field(default_factory=dict)
    # Model fields whose foreign (tenant B) ids must be refused: {form field: tenant.objects key}.
    foreign: dict = field(default_factory=dict)
    # Fields of a form class that another case runs the whole table against: here only SMOKE values,
    # enough to see that this view, too, shows the error, keeps the input and does not crash.
    smoke: frozenset = frozenset()
    # The form's prefix: `fields` names the form's fields, the payload carries them as "<prefix>-<name>".
    prefix: str = ""
    # Brings tenant A's objects into the state the form needs (an accepted match, ...), once, before the
    # baseline; every post after it is rolled back to that state.
    setup: Callable | None = None

    def key(self, name):
        return f"{self.prefix}-{name}" if self.prefix else name


def org_url(name, **kwargs):
    def build(tenant):
        resolved = {key: (value(tenant) if callable(value) else value) for key, value in kwargs.items()}
        return reverse(name, kwargs={"org": tenant.organisation.slug, **resolved})

    build.route_name = name  # for test_every_post_page_is_covered
    return build


def _unscoped(query):
    with scopes_disabled():
        return query()


PROFILE_FIELDS = {
    "phone": F("phone"),
    "postcode": F("postcode"),
    "house_number": F("house"),
    "areas": F("model_multi", required=False),
    "max_distance_km": F("decimal", required=False),
    "categories": F("model_multi"),
    "availability": F("multichoice"),
    "languages": F("multichoice"),
    "preference": F("choice"),
    "max_requests_per_month": F("int"),
}
PROFILE_RELATED = {"areas": {"areas"}, "max_distance_km": {"areas"}}


def profile_baseline(tenant):
    return {
        "phone": "06-18765432",
        "postcode": "3401 AB",
        "house_number": "7",
        "areas": [str(tenant.objects["area"].pk)],
        "max_distance_km": "3.5",
        "categories": [str(tenant.objects["category"].pk)],
        "availability": ["ma-ochtend", "di-middag"],
        "languages": ["nl", "tr"],
        "preference": "maatje",
        "max_requests_per_month": "6",
    }


def signup_baseline(tenant):
    return {
        "name": "Anouk de Boer",
        "email": "anouk@example.nl",
        "password1": "zonnige-dinsdag-42",
        "password2": "zonnige-dinsdag-42",
        **profile_baseline(tenant),
        "consent": "on",
    }


def volunteer_saved(user_lookup):
    def check(tenant, client):
        with scopes_disabled():
            volunteer = Volunteer.objects.filter(
                organisation=tenant.organisation, membership__user__in=user_lookup(tenant)
            ).first()
            return (
                volunteer is not None
                and volunteer.phone == "+31618765432"
                and set(volunteer.categories.all()) == {tenant.objects["category"]}
            )

    return check


def intake_request_fields(tenant):
    return {
        "category": str(tenant.objects["category"].pk),
        "description": "Boodschappen bij de Albert Heijn",
        "kind": "eenmalig",
        "date": in_days(3),
        "time_from": "10:00",
        "time_to": "12:00",
        "recurrence": "wekelijks",
        "recurring_slots": ["ma-ochtend"],
        "location": "Winkelcentrum",
        "urgency": "3",
        "helpers_needed": "2",
        "mobility": "rollator",
        "language": "tr",
        "pets": "on",
        "key_safe": "on",
        "particulars": "Bel twee keer aan",
    }


REQUEST_FIELDS = {
    "category": F("model"),
    "description": F("text"),
    "kind": F("choice"),
    "date": F("date_not_past", required=False),
    "time_from": F("time", required=False),
    "time_to": F("time", required=False),
    "recurrence": F("choice", required=False),
    "recurring_slots": F("multichoice", required=False),
    "location": F("text", required=False),
    "urgency": F("choice"),
    "helpers_needed": F("int"),
    "mobility": F("text", required=False),
    "language": F("choice"),
    "pets": F("bool", required=False),
    "key_safe": F("bool", required=False),
    "particulars": F("text", required=False),
}
REQUEST_RELATED = {"time_from": {"time_to"}, "kind": {"recurrence", "recurring_slots"}}

RESIDENT_FIELDS = {
    "resident_name": F("text"),
    "resident_phone": F("phone", required=False),
    "resident_email": F("email", required=False),
    "resident_postcode": F("postcode"),
    "resident_house_number": F("house"),
    "resident_street": F("text", required=False),
}


def resident_baseline():
    return {
        "resident_name": "Mevrouw Jansen",
        "resident_phone": "06-11223344",
        "resident_email": "jansen@example.nl",
        "resident_postcode": "3401 XY",
        "resident_house_number": "12a",
        "resident_street": "Kerkstraat",
    }


def request_saved(description):
    def check(tenant, client):
        with scopes_disabled():
            return HelpRequest.objects.filter(organisation=tenant.organisation, description=description).exists()

    return check


def object_changed(key, **expected):
    def check(tenant, client):
        obj = tenant.objects[key]
        with scopes_disabled():
            obj = type(obj).objects.get(pk=obj.pk)
        return all(getattr(obj, name) == value for name, value in expected.items())

    return check


def exists(model, **lookup):
    def check(tenant, client):
        with scopes_disabled():
            return model.objects.filter(organisation=tenant.organisation, **lookup).exists()

    return check


# --- states of the tenant's match, proposal and request (for the pages that act on them) -------------


def match_accepted(tenant):
    with scope(organisation=tenant.organisation):
        proposals.match_accept(match=tenant.objects["match"])


def match_closed(tenant):
    match_accepted(tenant)
    with scope(organisation=tenant.organisation):
        proposals.match_close(match=tenant.objects["match"], outcome=Match.Outcome.HELPED)


def request_searching(tenant):
    """The fixture's proposal withdrawn and its request looking again: the volunteer can be proposed."""
    with scope(organisation=tenant.organisation):
        proposals.match_withdraw(match=tenant.objects["match"])
        HelpRequest.objects.filter(pk=tenant.objects["help_request"].pk).update(status=HelpRequest.Status.SEARCHING)


def match_status(tenant):
    with scopes_disabled():
        return Match.objects.get(pk=tenant.objects["match"].pk).status


def link_url(tenant):
    return reverse(
        "matching:proposal_link",
        kwargs={"org": tenant.organisation.slug, "token": proposals.proposal_token(tenant.objects["match"])},
    )


link_url.route_name = "matching:proposal_link"

WEIGHTS = [
    "weight_distance",
    "weight_availability",
    "weight_language",
    "weight_load",
    "weight_continuity",
    "weight_recency",
]
SATISFACTION_FIELDS = {"helped": F("choice"), "would_again": F("choice"), "comment": F("text", required=False)}
DECLINE_FIELDS = {"reason": F("text", required=False)}


def escalation_with_running_match(tenant):
    """The escalated request still has its volunteer: the professional decides whether that goes on."""
    escalation = tenant.objects["escalation"]
    with scopes_disabled():
        HelpRequest.objects.filter(pk=escalation.help_request_id).update(status=HelpRequest.Status.MATCHED)
        Escalation.objects.filter(pk=escalation.pk).update(
            match=MatchFactory(
                help_request=escalation.help_request,
                volunteer=tenant.objects["volunteer"],
                status=Match.Status.ACCEPTED,
            )
        )


# The signal settings' whole-number thresholds (recurring_km, a distance, is the thirteenth field).
SIGNAL_INTS = [
    "bus_factor_share",
    "recurring_min_residents",
    "recurring_weeks",
    "waiting_days_urgent",
    "waiting_days_high",
    "waiting_days_normal",
    "waiting_days_low",
    "no_contact_weeks",
    "declines_count",
    "declines_months",
    "inactive_months",
    "vog_weeks",
]


def survey_link_url(tenant):
    """The volunteer's survey as mailed: /o/<org>/enquete/?t=<signed token> (the link is the permission)."""
    from evaluatie.services import survey_path

    with scope(organisation=tenant.organisation):
        return survey_path(tenant.objects["cycle"], tenant.objects["volunteer"])


survey_link_url.route_name = "evaluatie:survey_link"


NETWORK_FIELDS = {
    "name": F("text"),
    "kind": F("choice"),
    "status": F("choice"),
    "description": F("text", required=False),
    "areas": F("model_multi", required=False),
    "contact_name": F("text", required=False),
    "contact_phone": F("phone", required=False),
    "contact_email": F("email", required=False),
    "contact_volunteer": F("model", required=False),
    "phase": F("choice", required=False),
    "started_on": F("date_past", required=False),
}
# An existing network's phase moves on its phase page, not on the edit form.
NETWORK_EDIT_FIELDS = {name: field for name, field in NETWORK_FIELDS.items() if name != "phase"}


def network_baseline(tenant, name, *, new=True):
    return {
        "name": name,
        "kind": "nieuw_initiatief",
        "status": "actief",
        "description": "Samen tuinieren op woensdag",
        "areas": [str(tenant.objects["area"].pk)],
        "contact_name": "Henk Jansen",
        "contact_phone": "06-12345678",
        "contact_email": "henk@example.nl",
        "contact_volunteer": str(tenant.objects["volunteer"].pk),
        **({"phase": "opzetten"} if new else {}),
        "started_on": in_days(-100),
    }


def activity_baseline(title):
    return lambda tenant: {
        "network": str(tenant.objects["network"].pk),
        "title": title,
        "description": "",
        "place": "Bij de kerk",
        "area": "",
        "capacity": "12",
        "organiser": str(tenant.objects["volunteer"].pk),
        "start_date": in_days(7),
        "start_time": "10:00",
        "duration_minutes": "90",
        "repeat": "wekelijks",
        "until": "",
        "status": "actief",
    }


ACTIVITY_FIELDS = {
    "network": F("model"),
    "title": F("text"),
    "description": F("text", required=False),
    "place": F("text", required=False),
    "area": F("model", required=False),
    "capacity": F("int", required=False),
    "organiser": F("model", required=False),
    "start_date": F("date"),
    "start_time": F("time"),
    "duration_minutes": F("int"),
    "repeat": F("choice"),
    "until": F("date", required=False),
    "status": F("choice"),
}
ACTIVITY_RELATED = {"start_date": {"until"}, "until": {"start_date"}}


FORM_CASES = [
    FormCase(
        id="volunteer_signup-anoniem",
        role=None,
        url=org_url("matching:volunteer_signup"),
        baseline=signup_baseline,
        fields={
            "name": F("text"),
            "email": F("email"),
            "password1": F("password"),
            "password2": F("password"),
            **PROFILE_FIELDS,
            "consent": F("bool"),
        },
        saved=volunteer_saved(lambda tenant: User.objects.filter(email="anouk@example.nl")),
        related={**PROFILE_RELATED, "password1": {"password2"}},
        foreign={"areas": "area", "categories": "category"},
        smoke=frozenset(PROFILE_FIELDS),
    ),
    FormCase(
        id="volunteer_signup-ingelogd",
        role=Role.COORDINATOR,
        url=org_url("matching:volunteer_signup"),
        baseline=lambda tenant: {**profile_baseline(tenant), "consent": "on"},
        fields={**PROFILE_FIELDS, "consent": F("bool")},
        saved=volunteer_saved(lambda tenant: [tenant.user(Role.COORDINATOR)]),
        related=PROFILE_RELATED,
        foreign={"areas": "area", "categories": "category"},
        smoke=frozenset(PROFILE_FIELDS),
    ),
    FormCase(
        id="my_profile",
        role=Role.VOLUNTEER,
        url=org_url("matching:my_profile"),
        baseline=profile_baseline,
        fields=PROFILE_FIELDS,
        saved=volunteer_saved(lambda tenant: [tenant.user(Role.VOLUNTEER)]),
        related=PROFILE_RELATED,
        foreign={"areas": "area", "categories": "category"},
    ),
    FormCase(
        id="my_pause",
        role=Role.VOLUNTEER,
        url=org_url("matching:my_pause"),
        baseline=lambda tenant: {"paused_from": in_days(0), "paused_until": in_days(14)},
        fields={"paused_from": F("date", required=False), "paused_until": F("date_not_past", required=False)},
        saved=lambda tenant, client: object_changed("volunteer", paused_until=today() + datetime.timedelta(days=14))(
            tenant, client
        ),
        context_form="pause_form",
        related={"paused_from": {"paused_from", "paused_until"}},
    ),
    FormCase(
        id="volunteer_detail-intake",
        role=Role.COORDINATOR,
        url=org_url("matching:volunteer_detail", volunteer=lambda tenant: tenant.objects["volunteer"].pk),
        baseline=lambda tenant: {
            "status": "actief",
            "vog_seen": "on",
            "vog_date": in_days(-30),
            "vog_expires": in_days(3 * 365),
        },
        fields={
            "status": F("choice"),
            "vog_seen": F("bool", required=False),
            "vog_date": F("date_not_future", required=False),
            "vog_expires": F("date", required=False),
        },
        saved=lambda tenant, client: object_changed("volunteer", vog_date=today() - datetime.timedelta(days=30))(
            tenant, client
        ),
        related={"vog_date": {"vog_expires"}},
    ),
    FormCase(
        id="area_list-toevoegen",
        role=Role.ORG_ADMIN,
        url=org_url("netwerken:area_list"),
        baseline=lambda tenant: {
            "name": "Noord",
            "postcodes": "3402, 3403 AB",
        },
        fields={"name": F("text"), "postcodes": F("text")},
        saved=exists(Area, name="Noord"),
    ),
    FormCase(
        id="area_edit",
        role=Role.ORG_ADMIN,
        url=org_url("netwerken:area_edit", area=lambda tenant: tenant.objects["area"].pk),
        baseline=lambda tenant: {
            "name": "Centrum hernoemd",
            "postcodes": "3401\n3404",
        },
        fields={"name": F("text"), "postcodes": F("text")},
        saved=object_changed("area", name="Centrum hernoemd"),
    ),
    FormCase(
        id="category_list-toevoegen",
        role=Role.ORG_ADMIN,
        url=org_url("matching:category_list"),
        baseline=lambda tenant: {"name": "Klussen in huis", "requires_vog": "on", "active": "on"},
        fields={"name": F("text"), "requires_vog": F("bool", required=False), "active": F("bool", required=False)},
        saved=exists(Category, name="Klussen in huis", requires_vog=True),
    ),
    FormCase(
        id="category_edit",
        role=Role.ORG_ADMIN,
        url=org_url("matching:category_edit", category=lambda tenant: tenant.objects["category"].pk),
        baseline=lambda tenant: {"name": "Boodschappen doen", "active": "on"},
        fields={"name": F("text"), "requires_vog": F("bool", required=False), "active": F("bool", required=False)},
        saved=object_changed("category", name="Boodschappen doen"),
    ),
    FormCase(
        id="intake",
        role=Role.COORDINATOR,
        url=org_url("matching:intake"),
        baseline=lambda tenant: {
            "resident": "",
            **resident_baseline(),
            **intake_request_fields(tenant),
            "channel": "telefoon",
            "consent": "on",
        },
        fields={
            "resident": F("model", required=False),
            **RESIDENT_FIELDS,
            **REQUEST_FIELDS,
            "channel": F("choice"),
            "consent": F("bool"),
            "allow_duplicate": F("bool", required=False),
        },
        saved=request_saved("Boodschappen bij de Albert Heijn"),
        related={**REQUEST_RELATED, "resident_phone": {"resident_phone", "resident_email"}},
        foreign={"resident": "resident", "category": "category"},
        # The same form classes get the whole table on the (lighter) edit and online request pages.
        smoke=frozenset(REQUEST_FIELDS) | frozenset(RESIDENT_FIELDS),
    ),
    FormCase(
        id="request_edit",
        role=Role.COORDINATOR,
        url=org_url("matching:request_edit", help_request=lambda tenant: tenant.objects["help_request"].pk),
        baseline=lambda tenant: {**intake_request_fields(tenant), "description": "Ander boodschappenlijstje"},
        fields=REQUEST_FIELDS,
        saved=request_saved("Ander boodschappenlijstje"),
        related=REQUEST_RELATED,
        foreign={"category": "category"},
    ),
    FormCase(
        id="online_request",
        role=None,
        url=org_url("matching:online_request"),
        baseline=lambda tenant: {
            **resident_baseline(),
            "category": str(tenant.objects["category"].pk),
            "description": "Wie kan mijn gras maaien?",
            "date": in_days(5),
            "consent": "on",
            "website": "",
        },
        fields={
            **RESIDENT_FIELDS,
            "category": F("model"),
            "description": F("text"),
            "date": F("date_not_past", required=False),
            "consent": F("bool"),
            # The honeypot: anything in it looks like success to a bot and stores nothing.
            "website": F("any", required=False),
        },
        saved=request_saved("Wie kan mijn gras maaien?"),
        related={"resident_phone": {"resident_phone", "resident_email"}, "resident_email": {"resident_phone"}},
        foreign={"category": "category"},
    ),
    FormCase(
        id="my_offers-toevoegen",
        role=Role.VOLUNTEER,
        url=org_url("matching:my_offers"),
        baseline=lambda tenant: {
            "category": str(tenant.objects["category"].pk),
            "description": "Ik help met de tuin",
            "availability": ["za-ochtend"],
            "active": "on",
        },
        fields={
            "category": F("model"),
            "description": F("text"),
            "availability": F("multichoice"),
            "active": F("bool", required=False),
        },
        saved=exists(Offer, description="Ik help met de tuin"),
        foreign={"category": "category"},
    ),
    FormCase(
        id="offer_edit",
        role=Role.VOLUNTEER,
        url=org_url("matching:offer_edit", offer=lambda tenant: tenant.objects["offer"].pk),
        baseline=lambda tenant: {
            "category": str(tenant.objects["category"].pk),
            "description": "Ik rijd donderdags naar het ziekenhuis",
            "availability": ["do-ochtend", "do-middag"],
            "active": "on",
        },
        fields={
            "category": F("model"),
            "description": F("text"),
            "availability": F("multichoice"),
            "active": F("bool", required=False),
        },
        saved=object_changed("offer", description="Ik rijd donderdags naar het ziekenhuis"),
        foreign={"category": "category"},
    ),
    FormCase(
        id="admin_dashboard-organisatie",
        role=Role.ORG_ADMIN,
        url=org_url("netwerken:admin_dashboard"),
        baseline=lambda tenant: {
            "name": "Buurthulp Oost-Noord",
            "municipality": "Utrecht",
            "help_type": "voor_elkaar",
            "retention_months": "36",
            "intro": "Wij helpen buren met een klus of een boodschap.",
            "phone": "0348 123 456",
            "email": "info@example.nl",
            "opening_hours": "Maandag 9.00 tot 12.00 uur",
            "address": "Oranjelaan 12, 3402 AB IJsselstein",
        },
        fields={
            "name": F("text"),
            "municipality": F("text"),
            "help_type": F("choice"),
            "retention_months": F("int"),
            "intro": F("text", required=False),
            "phone": F("phone", required=False),
            "email": F("email", required=False),
            "opening_hours": F("text", required=False),
            "address": F("text", required=False),
        },
        saved=lambda tenant, client: Organisation.objects.filter(
            pk=tenant.organisation.pk, name="Buurthulp Oost-Noord"
        ).exists(),
    ),
    FormCase(
        id="member_edit-rollen",
        role=Role.ORG_ADMIN,
        url=org_url("netwerken:member_edit", membership=lambda tenant: tenant.members[Role.VOLUNTEER].pk),
        baseline=lambda tenant: {"roles": ["volunteer", "coordinator"]},
        fields={"roles": F("multichoice")},
        saved=lambda tenant, client: _unscoped(
            lambda: (
                Membership.objects.get(pk=tenant.members[Role.VOLUNTEER].pk).roles == {Role.VOLUNTEER, Role.COORDINATOR}
            ),
        ),
    ),
    FormCase(
        id="allauth-signup",
        role=None,
        url=lambda tenant: reverse("account_signup"),
        baseline=lambda tenant: {
            "name": "Fatima El Amrani",
            "email": "fatima@example.nl",
            "password1": "zonnige-dinsdag-42",
            "password2": "zonnige-dinsdag-42",
        },
        fields={"name": F("text"), "email": F("email"), "password1": F("password"), "password2": F("password")},
        saved=lambda tenant, client: User.objects.filter(email="fatima@example.nl", name="Fatima El Amrani").exists(),
        related={"password1": {"password2"}},
    ),
    FormCase(
        id="allauth-login",
        role=None,
        url=lambda tenant: reverse("account_login"),
        baseline=lambda tenant: {
            "login": tenant.user(Role.COORDINATOR).email,
            "password": "buurthulp-demo",
            "remember": "on",
        },
        fields={"login": F("email"), "password": F("password"), "remember": F("bool", required=False)},
        saved=lambda tenant, client: client.session.get("_auth_user_id") == str(tenant.user(Role.COORDINATOR).pk),
        nonfield_ok=True,
    ),
    # --- matching: settings, closing a match, contact moments, satisfaction, declining -------------------
    # --- signals: an improvement proposal from a signal, the thresholds ----------------------------------
    FormCase(
        id="signal_propose",
        role=Role.PROFESSIONAL,
        url=org_url("matching:signal_propose", signal=lambda tenant: tenant.objects["signal"].pk),
        baseline=lambda tenant: {
            "title": "Wandelgroep op dinsdag",
            "description": "Samen met de ouderenbond",
            "owner": str(tenant.user(Role.COORDINATOR).pk),
            "due": in_days(14),
        },
        fields={
            "title": F("text"),
            "description": F("text", required=False),
            "owner": F("model"),
            "due": F("date_not_past"),
        },
        saved=lambda tenant, client: _improvement_saved(tenant, "Wandelgroep op dinsdag"),
    ),
    FormCase(
        id="signal_settings",
        role=Role.COORDINATOR,
        url=org_url("matching:signal_settings"),
        baseline=lambda tenant: {
            **dict.fromkeys(SIGNAL_INTS, "3"),
            "recurring_min_residents": "4",
            "recurring_km": "1.5",
        },
        fields={**{name: F("int") for name in SIGNAL_INTS}, "recurring_km": F("decimal")},
        saved=lambda tenant, client: _signal_settings_saved(tenant, recurring_min_residents=4, recurring_km=1.5),
        # Thirteen fields of two kinds: the first of each gets the whole table.
        smoke=frozenset(SIGNAL_INTS[1:]),
    ),
    FormCase(
        id="matching-settings",
        role=Role.ORG_ADMIN,
        url=org_url("matching:settings"),
        baseline=lambda tenant: {
            **dict(zip(WEIGHTS, ["40", "20", "10", "10", "10", "10"], strict=True)),
            "proposal_hours": "72",
            "reminder_hours": "24",
            "auto_propose_next": "on",
        },
        fields={
            **{name: F("int") for name in WEIGHTS},
            "proposal_hours": F("int"),
            "reminder_hours": F("int"),
            "auto_propose_next": F("bool", required=False),
        },
        saved=exists(MatchingSettings, weight_distance=40, proposal_hours=72, reminder_hours=24),
        # A shorter bedenktijd ('１２' is 12) puts the reminder after its end: the error is on the reminder.
        related={"proposal_hours": {"reminder_hours"}},
        # The six weights are the same kind of field: the first gets the whole table.
        smoke=frozenset(WEIGHTS[1:]),
    ),
    FormCase(
        id="match_detail-afsluiten",
        role=Role.COORDINATOR,
        url=org_url("matching:match_detail", match=lambda tenant: tenant.objects["match"].pk),
        baseline=lambda tenant: {
            "action": "close",
            "afsluiten-outcome": "geholpen",
            "afsluiten-note": "De boodschappen zijn gedaan",
        },
        fields={"outcome": F("choice"), "note": F("text", required=False)},
        saved=object_changed("match", status=Match.Status.CLOSED, closing_note="De boodschappen zijn gedaan"),
        context_form="close_form",
        prefix="afsluiten",
        setup=match_accepted,
    ),
    FormCase(
        id="match_detail-bewoner",
        role=Role.COORDINATOR,
        url=org_url("matching:match_detail", match=lambda tenant: tenant.objects["match"].pk),
        baseline=lambda tenant: {
            "action": "satisfaction",
            "bewoner-helped": "4",
            "bewoner-would_again": "ja",
            "bewoner-comment": "Ze was blij",
        },
        fields=SATISFACTION_FIELDS,
        saved=exists(SatisfactionResponse, respondent="bewoner", helped=4, would_again=True),
        context_form="satisfaction_form",
        prefix="bewoner",
        setup=match_closed,
    ),
    FormCase(
        id="my_match-tevreden",
        role=Role.VOLUNTEER,
        url=org_url("matching:my_match", match=lambda tenant: tenant.objects["match"].pk),
        baseline=lambda tenant: {
            "action": "satisfaction",
            "tevreden-helped": "5",
            "tevreden-would_again": "nee",
            "tevreden-comment": "Prima",
        },
        fields=SATISFACTION_FIELDS,
        saved=exists(SatisfactionResponse, respondent="vrijwilliger", helped=5, would_again=False),
        context_form="satisfaction_form",
        prefix="tevreden",
        setup=match_closed,
        smoke=frozenset(SATISFACTION_FIELDS),
    ),
    FormCase(
        id="my_match-contact",
        role=Role.VOLUNTEER,
        url=org_url("matching:my_match", match=lambda tenant: tenant.objects["match"].pk),
        baseline=lambda tenant: {
            "action": "contact",
            "contact-date": in_days(0),
            "contact-minutes": "45",
            "contact-note": "Samen naar de markt",
        },
        fields={"date": F("date_past"), "minutes": F("int"), "note": F("text", required=False)},
        saved=exists(ContactLog, minutes=45, note="Samen naar de markt"),
        context_form="contact_form",
        prefix="contact",
        setup=match_accepted,
    ),
    FormCase(
        id="my_match-afwijzen",
        role=Role.VOLUNTEER,
        url=org_url("matching:my_match", match=lambda tenant: tenant.objects["match"].pk),
        baseline=lambda tenant: {"action": "decline", "reason": "Ik ben die week op vakantie"},
        fields=DECLINE_FIELDS,
        saved=object_changed("match", status=Match.Status.DECLINED, decline_reason="Ik ben die week op vakantie"),
        context_form="decline_form",
    ),
    FormCase(
        id="proposal_link-afwijzen",
        role=None,
        url=link_url,
        baseline=lambda tenant: {"action": "decline", "reason": "Ik ben die week op vakantie"},
        fields=DECLINE_FIELDS,
        saved=object_changed("match", status=Match.Status.DECLINED, decline_reason="Ik ben die week op vakantie"),
        context_form="decline_form",
        smoke=frozenset(DECLINE_FIELDS),
    ),
    # --- the wijkteam (matching/backstop_views.py) ----------------------------------------------------------
    FormCase(
        id="escalation_refer",
        role=Role.PROFESSIONAL,
        url=org_url("matching:escalation_refer", escalation=lambda tenant: tenant.objects["escalation"].pk),
        baseline=lambda tenant: {
            "verwijzen-entry": str(tenant.objects["entry"].pk),
            "verwijzen-note": "Via de huisarts",
        },
        fields={"entry": F("model"), "note": F("text", required=False)},
        saved=exists(Referral, note="Via de huisarts"),
        foreign={"entry": "entry"},
        prefix="verwijzen",
        context_form="refer_form",
    ),
    FormCase(
        id="escalation_hand_back",
        role=Role.PROFESSIONAL,
        url=org_url("matching:escalation_hand_back", escalation=lambda tenant: tenant.objects["escalation"].pk),
        baseline=lambda tenant: {"terug-advice": "Kan met een maatje, let op de trap"},
        fields={"advice": F("text")},
        saved=exists(Escalation, advice="Kan met een maatje, let op de trap"),
        prefix="terug",
        context_form="hand_back_form",
    ),
    FormCase(
        id="escalation_close",
        role=Role.PROFESSIONAL,
        url=org_url("matching:escalation_close", escalation=lambda tenant: tenant.objects["escalation"].pk),
        baseline=lambda tenant: {"afsluiten-outcome": "geholpen", "afsluiten-reason": "Huisarts heeft het opgepakt"},
        fields={"outcome": F("choice"), "reason": F("text", required=False)},
        saved=object_changed("escalation", status="afgesloten"),
        prefix="afsluiten",
        context_form="close_form",
    ),
    FormCase(
        id="escalation_match",
        role=Role.PROFESSIONAL,
        url=org_url("matching:escalation_match", escalation=lambda tenant: tenant.objects["escalation"].pk),
        baseline=lambda tenant: {"koppeling-keep": "1", "koppeling-reason": "Ze kent hem goed"},
        fields={"keep": F("choice"), "reason": F("text", required=False)},
        saved=exists(EscalationStep, action="koppeling_blijft", reason="Ze kent hem goed"),
        prefix="koppeling",
        context_form="match_form",
        setup=escalation_with_running_match,
    ),
    FormCase(
        id="professional_note_add",
        role=Role.PROFESSIONAL,
        url=org_url("matching:professional_note_add", escalation=lambda tenant: tenant.objects["escalation"].pk),
        baseline=lambda tenant: {"notitie-text": "Belt zelf de huisarts op maandag"},
        fields={"text": F("text")},
        saved=exists(ProfessionalNote, text="Belt zelf de huisarts op maandag"),
        prefix="notitie",
        context_form="note_form",
    ),
    FormCase(
        id="referral_answer",
        role=Role.PROFESSIONAL,
        url=org_url("matching:referral_answer", referral=lambda tenant: tenant.objects["referral"].pk),
        baseline=lambda tenant: {"accepted": "1"},
        fields={"accepted": F("choice")},
        saved=object_changed("referral", accepted=True),
        context_form="referral_form",
    ),
    FormCase(
        id="referral_in",
        role=Role.PROFESSIONAL,
        url=org_url("matching:referral_in"),
        baseline=lambda tenant: {**resident_baseline(), **intake_request_fields(tenant), "consent": "on"},
        fields={**RESIDENT_FIELDS, **REQUEST_FIELDS, "consent": F("bool")},
        saved=request_saved("Boodschappen bij de Albert Heijn"),
        related={**REQUEST_RELATED, "resident_phone": {"resident_phone", "resident_email"}},
        foreign={"category": "category"},
        smoke=frozenset(REQUEST_FIELDS) | frozenset(RESIDENT_FIELDS),
    ),
    FormCase(
        id="social_map_new",
        role=Role.ORG_ADMIN,
        url=org_url("matching:social_map_new"),
        baseline=lambda tenant: {"name": "Humanitas Thuisadministratie", "kind": "schuldhulp", "active": "on"},
        fields={
            "name": F("text"),
            "kind": F("text"),
            "description": F("text", required=False),
            "phone": F("phone", required=False),
            "email": F("email", required=False),
            "website": F("text", required=False),
            "address": F("text", required=False),
            "active": F("bool", required=False),
        },
        saved=exists(SocialMapEntry, name="Humanitas Thuisadministratie"),
    ),
    FormCase(
        id="social_map_edit",
        role=Role.ORG_ADMIN,
        url=org_url("matching:social_map_edit", entry=lambda tenant: tenant.objects["entry"].pk),
        baseline=lambda tenant: {"name": "Thuiszorg De Linde", "kind": "thuiszorg", "active": "on"},
        fields={"name": F("text"), "kind": F("text")},
        saved=object_changed("entry", name="Thuiszorg De Linde"),
        smoke=frozenset({"name", "kind"}),
    ),
    # The evaluation (evaluatie/): plan a cycle, a resident's survey by phone, a story, an improvement action,
    # and the volunteer's survey behind the mail link.
    FormCase(
        id="cycle_create",
        role=Role.COORDINATOR,
        url=org_url("evaluatie:cycle_create"),
        baseline=lambda tenant: {
            "name": "Derde kwartaal 2026",
            "period_kind": "kwartaal",
            "start": "2026-07-01",
            "end": "2026-09-30",
            "indicators": ["requests_in", "hours"],
            "target_requests_in": "30",
            "target_hours": "100",
        },
        fields={
            "name": F("text"),
            "period_kind": F("choice"),
            "start": F("date"),
            "end": F("date"),
            "goals": F("text", required=False),
            "indicators": F("multichoice"),
            "target_requests_in": F("decimal", required=False),
            "manual_target": F("decimal", required=False),
        },
        saved=exists(EvaluationCycle, name="Derde kwartaal 2026"),
        related={"start": {"end"}, "manual_target": {"manual_name"}},
    ),
    FormCase(
        id="survey_add",
        role=Role.COORDINATOR,
        url=org_url("evaluatie:survey_add", cycle=lambda tenant: tenant.objects["cycle"].pk),
        baseline=lambda tenant: {"score": "4", "would_recommend": "ja", "comment": "Fijn geholpen"},
        fields={"score": F("choice"), "would_recommend": F("choice"), "comment": F("text", required=False)},
        saved=exists(SurveyResponse, comment="Fijn geholpen"),
    ),
    FormCase(
        id="story_add",
        role=Role.COORDINATOR,
        url=org_url("evaluatie:story_add", cycle=lambda tenant: tenant.objects["cycle"].pk),
        baseline=lambda tenant: {"title": "Weer naar de markt", "text": "Een bewoonster kon weer zelf naar de markt."},
        fields={"title": F("text"), "text": F("text")},
        saved=exists(Story, title="Weer naar de markt"),
    ),
    FormCase(
        id="action_add",
        role=Role.COORDINATOR,
        url=org_url("evaluatie:action_add", cycle=lambda tenant: tenant.objects["cycle"].pk),
        baseline=lambda tenant: {
            "from_proposal": str(tenant.objects["improvement"].pk),
            "title": "Vaker nabellen",
            "owner": str(tenant.user(Role.COORDINATOR).pk),
            "due": in_days(30),
        },
        fields={
            "from_proposal": F("model", required=False),
            "title": F("text", required=False),
            "owner": F("model", required=False),
            "due": F("date_not_past", required=False),
        },
        saved=exists(ImprovementAction, title="Vaker nabellen"),
        foreign={"from_proposal": "improvement"},
    ),
    FormCase(
        id="survey_link",
        role=None,
        url=survey_link_url,
        baseline=lambda tenant: {"score": "5", "would_recommend": "ja", "comment": "Leuk om te doen"},
        fields={"score": F("choice"), "would_recommend": F("choice"), "comment": F("text", required=False)},
        saved=exists(SurveyResponse, respondent="vrijwilliger", comment="Leuk om te doen"),
        smoke=frozenset({"score", "would_recommend", "comment"}),
    ),
    # Resident networks: a new network, editing one, adding someone to it.
    FormCase(
        id="network_create",
        role=Role.COORDINATOR,
        url=org_url("netwerken:network_create"),
        baseline=lambda tenant: network_baseline(tenant, "Moestuin De Linde"),
        fields=NETWORK_FIELDS,
        saved=exists(Network, name="Moestuin De Linde", contact_phone="+31612345678"),
        foreign={"areas": "area", "contact_volunteer": "volunteer"},
    ),
    FormCase(
        id="network_edit",
        role=Role.PROFESSIONAL,
        url=org_url("netwerken:network_edit", network=lambda tenant: tenant.objects["network"].pk),
        baseline=lambda tenant: network_baseline(tenant, "Wandelgroep De Brink", new=False),
        fields=NETWORK_EDIT_FIELDS,
        saved=object_changed("network", name="Wandelgroep De Brink"),
        foreign={"areas": "area", "contact_volunteer": "volunteer"},
        smoke=frozenset(NETWORK_EDIT_FIELDS),
    ),
    FormCase(
        id="member_add-naam",
        role=Role.COORDINATOR,
        url=org_url("netwerken:member_add", network=lambda tenant: tenant.objects["network"].pk),
        baseline=lambda tenant: {
            "lid-resident": "",
            "lid-volunteer": "",
            "lid-name": "Truus Bakker",
            "lid-phone": "06-12345678",
            "lid-joined_on": in_days(-10),
        },
        fields={
            "resident": F("model", required=False),
            "volunteer": F("model", required=False),
            "name": F("text"),
            "phone": F("phone", required=False),
            "joined_on": F("date_past", required=False),
        },
        saved=exists(NetworkMember, name="Truus Bakker", phone="+31612345678"),
        context_form="member_form",
        prefix="lid",
        # One of three: a resident or volunteer chosen as well as the name is refused form-wide.
        related={"resident": {"__all__"}, "volunteer": {"__all__"}},
        foreign={"resident": "resident", "volunteer": "volunteer"},
    ),
    # Hours on the session the volunteer organised last week (the fixture's).
    FormCase(
        id="my_hours",
        role=Role.VOLUNTEER,
        url=org_url("matching:my_hours"),
        baseline=lambda tenant: {
            "target": f"s{tenant.objects['session'].pk}",
            "date": in_days(-1),
            "minutes": "45",
            "note": "Koffie gezet",
        },
        fields={"target": F("choice"), "date": F("date_past"), "minutes": F("int"), "note": F("text", required=False)},
        saved=exists(HoursEntry, note="Koffie gezet", minutes=45),
    ),
    # Development phases (netwerken/phase_views.py): an item of the checklist, a new one, a move to another phase.
    FormCase(
        id="checklist_item_edit",
        role=Role.ORG_ADMIN,
        url=org_url("netwerken:checklist_item_edit", item=lambda tenant: tenant.objects["item"].pk),
        baseline=lambda tenant: {
            "title": "Initiatiefgroep bij elkaar brengen",
            "owner": str(tenant.user(Role.COORDINATOR).pk),
            "due": in_days(14),
            "done": "on",
            "notes": "Eerste avond in het buurthuis",
        },
        fields={
            "title": F("text"),
            "owner": F("model", required=False),
            "due": F("date", required=False),
            "done": F("bool", required=False),
            "notes": F("text", required=False),
        },
        saved=object_changed("item", title="Initiatiefgroep bij elkaar brengen", done=True),
    ),
    FormCase(
        id="checklist_item_add",
        role=Role.PROFESSIONAL,
        url=org_url("netwerken:checklist_item_add"),
        baseline=lambda tenant: {"title": "Wijksafari plannen", "phase": "verkennen"},
        fields={"title": F("text"), "phase": F("choice"), "network": F("model", required=False)},
        saved=exists(PhaseChecklistItem, title="Wijksafari plannen"),
        foreign={"network": "network"},
    ),
    FormCase(
        id="phase_move",
        role=Role.ORG_ADMIN,
        url=org_url("netwerken:phase_move"),
        baseline=lambda tenant: {"from_phase": "verkennen", "to_phase": "opzetten", "note": "Het plan is klaar"},
        fields={"from_phase": F("choice", required=False), "to_phase": F("choice"), "note": F("text", required=False)},
        saved=lambda tenant, client: _unscoped(
            lambda: (
                Organisation.objects.get(pk=tenant.organisation.pk).phase == "opzetten"
                and PhaseMove.objects.filter(organisation=tenant.organisation, note="Het plan is klaar").exists()
            )
        ),
        setup=lambda tenant: _unscoped(
            lambda: Organisation.objects.filter(pk=tenant.organisation.pk).update(phase="verkennen")
        ),
    ),
    FormCase(
        id="network_phase_move",
        role=Role.PROFESSIONAL,
        url=org_url("netwerken:network_phase_move", network=lambda tenant: tenant.objects["network"].pk),
        baseline=lambda tenant: {"from_phase": "", "to_phase": "verkennen", "note": ""},
        fields={"from_phase": F("choice", required=False), "to_phase": F("choice"), "note": F("text", required=False)},
        saved=object_changed("network", phase="verkennen"),
        smoke=frozenset({"from_phase", "to_phase", "note"}),
    ),
    # Activities: a new one, an edit (the same form: smoke only), moving a session and adding a newcomer (by
    # the volunteer who organises it), and a signal turned into an activity.
    FormCase(
        id="activity_create",
        role=Role.COORDINATOR,
        url=org_url("netwerken:activity_create"),
        baseline=activity_baseline("Samen koken"),
        fields=ACTIVITY_FIELDS,
        saved=exists(Activity, title="Samen koken"),
        related=ACTIVITY_RELATED,
        foreign={"network": "network", "area": "area", "organiser": "volunteer"},
    ),
    FormCase(
        id="activity_edit",
        role=Role.PROFESSIONAL,
        url=org_url("netwerken:activity_edit", activity=lambda tenant: tenant.objects["activity"].pk),
        baseline=activity_baseline("Wandelen op zaterdag"),
        fields=ACTIVITY_FIELDS,
        saved=object_changed("activity", title="Wandelen op zaterdag"),
        related=ACTIVITY_RELATED,
        foreign={"network": "network"},
        smoke=frozenset(ACTIVITY_FIELDS),
    ),
    FormCase(
        id="session_move",
        role=Role.VOLUNTEER,
        url=org_url("netwerken:session_move", session=lambda tenant: tenant.objects["session"].pk),
        baseline=lambda tenant: {"date": in_days(2), "start_time": "14:00", "end_time": "", "place": "", "note": ""},
        fields={
            "date": F("date"),
            "start_time": F("time"),
            "end_time": F("time", required=False),
            "place": F("text", required=False),
            "note": F("text", required=False),
        },
        saved=object_changed("session", changed=True),
        related={"start_time": {"end_time"}, "end_time": {"start_time"}},
    ),
    FormCase(
        id="participant_add",
        role=Role.VOLUNTEER,
        url=org_url("netwerken:participant_add", session=lambda tenant: tenant.objects["session"].pk),
        baseline=lambda tenant: {"name": "Truus Bakker", "phone": "06-12345678"},
        fields={"name": F("text"), "phone": F("phone", required=False)},
        saved=exists(NetworkMember, name="Truus Bakker"),
        context_form="participant_form",
    ),
    FormCase(
        id="signal_propose_activity",
        role=Role.PROFESSIONAL,
        url=org_url("matching:signal_propose_activity", signal=lambda tenant: tenant.objects["signal"].pk),
        baseline=lambda tenant: {"network": str(tenant.objects["network"].pk), "title": "Samen boodschappen doen"},
        fields={"network": F("model"), "title": F("text")},
        saved=exists(Activity, title="Samen boodschappen doen", status="voorgesteld"),
        context_form="activity_form",
        foreign={"network": "network"},
    ),
    # Chosen on the home page after signing up outside an organisation: one confirmation makes a candidate.
    FormCase(
        id="volunteer_join",
        role=Role.COORDINATOR,
        url=org_url("matching:volunteer_join"),
        baseline=lambda tenant: {"phone": "06-18765432", "postcode": "3401 AB", "house_number": "7", "consent": "on"},
        fields={"phone": F("phone"), "postcode": F("postcode"), "house_number": F("house"), "consent": F("bool")},
        saved=exists(Volunteer, phone="+31618765432", status="aangemeld"),
    ),
]


# --- 'een extraatje bijverdienen': the fee ledger (matching/fee_views.py) ---------------------------------


def modest_fee(tenant):
    """The organisation keeps a fee ledger: the fee pages exist only here."""
    from netwerken.models import Organisation

    with scopes_disabled():
        Organisation.objects.filter(pk=tenant.organisation.pk).update(help_type=Organisation.HelpType.MODEST_FEE)
        tenant.organisation.refresh_from_db()


def fee_bookable(tenant):
    """The fixture's match closed without a fee, in a category of € 7,50 an hour."""
    from matching.models import Category

    modest_fee(tenant)
    with scopes_disabled():
        Category.objects.filter(pk=tenant.objects["category"].pk).update(fee_unit="uur", fee_amount="7.50")
    match_closed(tenant)


def fee_bookable_open(tenant):
    """The fixture's match accepted, in a category of € 7,50 an hour: closing it offers the fee."""
    from matching.models import Category

    modest_fee(tenant)
    match_accepted(tenant)
    with scopes_disabled():
        Category.objects.filter(pk=tenant.objects["category"].pk).update(fee_unit="uur", fee_amount="7.50")


def fee_exists(**lookup):
    def check(tenant, client):
        from matching.models import FeeEntry

        with scopes_disabled():
            return FeeEntry.objects.filter(organisation=tenant.organisation, **lookup).exists()

    return check


FORM_CASES += [
    FormCase(
        id="fee_correct",
        role=Role.COORDINATOR,
        url=org_url("matching:fee_correct", fee=lambda tenant: tenant.objects["fee"].pk),
        baseline=lambda tenant: {"amount": "12,50", "quantity": "", "reason": "Afgesproken bedrag"},
        fields={"amount": F("decimal", required=False), "quantity": F("decimal", required=False), "reason": F("text")},
        saved=fee_exists(kind="correctie", reason="Afgesproken bedrag"),
        related={"amount": {"quantity", "__all__"}, "quantity": {"amount", "__all__"}},
        setup=modest_fee,
    ),
    FormCase(
        id="fee_payment",
        role=Role.COORDINATOR,
        url=org_url("matching:fee_payment"),
        baseline=lambda tenant: {
            "volunteer": str(tenant.objects["volunteer"].pk),
            "resident": str(tenant.objects["resident"].pk),
            "amount": "10",
            "paid_by": "bewoner",
            "paid_by_name": "Dochter Els",
            "date": today().isoformat(),
        },
        fields={
            "volunteer": F("model"),
            "resident": F("model", required=False),
            "amount": F("decimal"),
            "paid_by": F("choice"),
            "paid_by_name": F("text", required=False),
            "date": F("date_past"),
        },
        saved=fee_exists(kind="betaling", paid_by_name="Dochter Els"),
        # Who and for whom decide what is open: the refusal of too much lands at the amount.
        related={"volunteer": {"amount"}, "resident": {"amount"}},
        foreign={"volunteer": "volunteer", "resident": "resident"},
        setup=modest_fee,
    ),
    FormCase(
        id="fee_volunteer_ledger-boeken",
        role=Role.COORDINATOR,
        url=org_url("matching:fee_volunteer_ledger", volunteer=lambda tenant: tenant.objects["volunteer"].pk),
        baseline=lambda tenant: {"match": str(tenant.objects["match"].pk), "quantity": "1,5"},
        fields={"match": F("model"), "quantity": F("decimal")},
        saved=fee_exists(kind="vergoeding", quantity="1.50"),
        context_form="book_form",
        foreign={"match": "match"},
        setup=fee_bookable,
    ),
    FormCase(
        id="match_detail-afsluiten-vergoeding",
        role=Role.COORDINATOR,
        url=org_url("matching:match_detail", match=lambda tenant: tenant.objects["match"].pk),
        baseline=lambda tenant: {
            "action": "close",
            "afsluiten-outcome": "geholpen",
            "afsluiten-note": "Heg geknipt",
            "afsluiten-fee_quantity": "2,5",
        },
        fields={
            "outcome": F("choice"),
            "note": F("text", required=False),
            "fee_quantity": F("decimal", required=False),
        },
        saved=fee_exists(kind="vergoeding", quantity="2.50", amount="18.75"),
        context_form="close_form",
        prefix="afsluiten",
        smoke=frozenset({"outcome", "note"}),
        setup=fee_bookable_open,
    ),
]


# --- the team: inviting staff, the organisation's funders (netwerken/team_views.py) -------------------------


def spare_funder(tenant):
    """A funder organisation on the instance that does not fund tenant A yet."""
    from .factories import FunderFactory

    tenant.objects["spare_funder"] = FunderFactory(name="Fonds Buurtkracht", slug="fonds-buurtkracht")


def invitation_exists(email):
    def check(tenant, client):
        from netwerken.models import Invitation

        with scopes_disabled():
            return Invitation.objects.filter(organisation=tenant.organisation, email=email).exists()

    return check


FORM_CASES += [
    FormCase(
        id="invitation_new",
        role=Role.ORG_ADMIN,
        url=org_url("netwerken:invitation_new"),
        baseline=lambda tenant: {"email": "nieuwe.coordinator@example.nl", "roles": ["coordinator", "org_admin"]},
        fields={"email": F("email"), "roles": F("multichoice")},
        saved=invitation_exists("nieuwe.coordinator@example.nl"),
    ),
    FormCase(
        id="funder_list-toevoegen",
        role=Role.ORG_ADMIN,
        url=org_url("netwerken:funder_list"),
        baseline=lambda tenant: {"funder": str(tenant.objects["spare_funder"].pk)},
        fields={"funder": F("model")},
        saved=lambda tenant, client: tenant.organisation.funders.filter(pk=tenant.objects["spare_funder"].pk).exists(),
        setup=spare_funder,
    ),
]


# --- tools ------------------------------------------------------------------------------------------------


_SNAPSHOT_SQL = {}


def _snapshot_queries(organisation):
    """The SQL of every query that reads `organisation`'s rows, compiled once (the ORM is slow per query)."""
    if organisation.pk not in _SNAPSHOT_SQL:
        querysets = [Organisation.objects.filter(pk=organisation.pk).values()]
        with scopes_disabled():
            for model in apps.get_models():
                names = {f.name for f in model._meta.get_fields()}
                if model is not Organisation and "organisation" in names:
                    querysets.append(model._base_manager.filter(organisation=organisation).order_by("pk").values())
            for through in (Volunteer.areas.through, Volunteer.categories.through):
                querysets.append(through.objects.filter(volunteer__organisation=organisation).order_by("pk").values())
            users = User.objects.filter(memberships__organisation=organisation).order_by("pk")
            querysets.append(users.values("pk", "email", "name", "password", "is_active"))
            _SNAPSHOT_SQL[organisation.pk] = [qs.query.sql_with_params() for qs in querysets]
    return _SNAPSHOT_SQL[organisation.pk]


def tenant_snapshot(organisation):
    """Every row that belongs to `organisation`, as plain values, to compare before and after."""
    rows = []
    with connection.cursor() as cursor:
        for sql, params in _snapshot_queries(organisation):
            cursor.execute(sql, params)
            rows.append(cursor.fetchall())
    return rows


class WriteWatcher:
    """Notes whether a request wrote anything besides its session (only then can tenant B have changed)."""

    def __init__(self):
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        statement = sql.lstrip().upper()
        if statement.startswith(("INSERT", "UPDATE", "DELETE")) and "DJANGO_SESSION" not in statement[:40]:
            self.wrote = True
        return execute(sql, params, many, context)


class FormValues(HTMLParser):
    """The values each <form> on a page would submit, as {name: [values]} per form."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            values = self._form.setdefault(name, [])
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    values.append(attrs.get("value") or "on")
            elif kind not in ("submit", "button", "reset"):
                values.append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self._form.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self._form[self._select].append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._form.setdefault(name, []).append("")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            value = self._form[self._textarea][-1]
            # A newline right after <textarea> is not part of the value (HTML parsing rules).
            self._form[self._textarea][-1] = value[1:] if value.startswith("\n") else value
            self._textarea = None


def form_values(content, names):
    parser = FormValues()
    parser.feed(content)
    if not parser.forms:
        return {}
    return max(parser.forms, key=lambda form: len(set(form) & set(names)))


ENGLISH = re.compile(
    r"\b(this|the|field|enter|ensure|select|valid|value|characters?|required|allowed|please|must|"
    r"invalid|number|date|choice|available|password|already|exists)\b",
    re.IGNORECASE,
)


def as_list(value):
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def encode(payload):
    """application/x-www-form-urlencoded body; bytes values go as raw (possibly non-UTF-8) bytes."""
    pairs = []
    for name, value in payload.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            pairs.append((name, item if isinstance(item, bytes) else str(item).encode("utf-8")))
    return urlencode(pairs)


class Poster:
    def __init__(self, case, tenant):
        self.case, self.tenant = case, tenant
        self.url = case.url(tenant)
        self.client = Client()
        if case.role is not None:
            self.client.force_login(tenant.user(case.role))

    def post(self, payload, url=None):
        cache.clear()  # per-IP rate limits: each post counts as the first
        client = self.client if self.case.role is not None else Client()
        body = encode(payload)
        response = client.post(url or self.url, body, content_type="application/x-www-form-urlencoded")
        return client, response


def check_post(poster, payload, hostile_field, label, value, spec, tenant_b, before_b):
    """One post inside a savepoint that is rolled back. Returns the problems found."""
    case = poster.case
    problems = []
    watcher = WriteWatcher()
    with transaction.atomic():
        try:
            with connection.execute_wrapper(watcher):
                client, response = poster.post(payload)
        except Exception as error:  # noqa: BLE001 - any exception here is a 500 for the user
            transaction.set_rollback(True)
            return [f"exception {type(error).__name__}: {str(error)[:200]}"]
        try:
            if response.status_code >= 500:
                problems.append(f"status {response.status_code}")
            if watcher.wrote and tenant_snapshot(tenant_b.organisation) != before_b:
                problems.append("tenant B changed")
            content = response.content.decode("utf-8", errors="replace")
            if SCRIPT in content:
                problems.append("<script> came back unescaped")
            if response.status_code in (301, 302, 303):
                if must_refuse(spec, label):
                    problems.append("accepted a value that must be refused")
                if label == "script":
                    followed = client.get(response.url)
                    if SCRIPT in followed.content.decode("utf-8", errors="replace"):
                        problems.append("<script> unescaped on the page after saving")
            elif response.status_code == 200:
                problems.extend(check_error_page(case, response, content, payload, hostile_field, value))
            else:
                problems.append(f"unexpected status {response.status_code}")
        finally:
            transaction.set_rollback(True)
    return problems


def check_error_page(case, response, content, payload, hostile_field, value):
    problems = []
    form = response.context.get(case.context_form) if response.context else None
    if form is None:
        return [f"no form '{case.context_form}' on the page"]
    if not form.errors:
        return ["200 without any form error"]
    problems.extend(check_messages(form, content, value))
    allowed = {hostile_field, *case.related.get(hostile_field, ())}
    if case.nonfield_ok or form.fields.get(hostile_field) is None or form.fields[hostile_field].widget.is_hidden:
        allowed.add("__all__")
    if not allowed & set(form.errors):
        problems.append(f"no error at the field (errors on {sorted(form.errors)})")
    # Everything else the user typed is still in the form (passwords are never sent back, by design).
    rendered = form_values(content, payload)
    for name, typed in payload.items():
        if name == case.key(hostile_field) or case.fields.get(name, F("text")).kind == "password":
            continue
        if sorted(rendered.get(name, [])) != sorted(as_list(typed)):
            problems.append(f"lost typed {name!r}: sent {as_list(typed)}, page has {rendered.get(name)}")
    return problems


def check_messages(form, content, value=None):
    """Every error is Dutch, on the page, and (for a visible field) rendered at that field."""
    problems = []
    hostile_text = value if isinstance(value, str) and value else None
    for name, errors in form.errors.items():
        for message in errors:
            plain = message.replace(hostile_text, "") if hostile_text else message
            if ENGLISH.search(plain):
                problems.append(f"English message on {name!r}: {message[:120]!r}")
            if html.escape(message) not in content:
                problems.append(f"message on {name!r} not on the page: {message[:120]!r}")
        hidden = name in form.fields and form.fields[name].widget.is_hidden
        if name != "__all__" and not hidden and f'id="id_{form.add_prefix(name)}_error"' not in content:
            problems.append(f"error of {name!r} not shown at the field")
    return problems


# Which hostile values each kind of field gets. Every field gets CORE; the rest where they mean something
# (a date string in a checkbox tests nothing a plain string does not), which keeps the run under a minute.
CORE = {
    "leeg",
    "spatie",
    "10k-tekens",
    "nul",
    "nul-in-tekst",
    "rtl-override",
    "zero-width-joiner",
    "emoji",
    "combining",
    "script",
    "sql",
    "lijst",
    "geen-utf8",
}
NUMBERS = {
    "nul-in-getal",
    "groot-getal",
    "bigint+1",
    "min-een",
    "1e309",
    "NaN",
    "full-width-getal",
    "arabisch-indische-cijfers",
    "superscript",
}
DATES = {
    "nul-in-getal",
    "groot-getal",
    "min-een",
    "NaN",
    "30-februari",
    "maand-31",
    "nuldatum",
    "verleden",
    "jaar-9999",
    "tijd-25:61",
    "full-width-getal",
}
DUTCH = {"zero-width-space", "full-width-postcode"}
LABELS_PER_KIND = {
    "text": CORE | DUTCH,
    "password": CORE,
    "email": CORE | DUTCH,
    "postcode": CORE | NUMBERS | DUTCH,
    "phone": CORE | NUMBERS | DUTCH,
    "house": CORE | NUMBERS | DUTCH,
    "int": CORE | NUMBERS,
    "decimal": CORE | NUMBERS,
    "float": CORE | NUMBERS,
    "model": CORE | NUMBERS,
    "model_multi": CORE | NUMBERS,
    "choice": CORE | {"groot-getal", "min-een", "NaN", "full-width-getal"},
    "multichoice": CORE | {"groot-getal", "min-een", "NaN"},
    "date": CORE | DATES,
    "date_not_past": CORE | DATES,
    "date_not_future": CORE | DATES,
    "date_past": CORE | DATES | {"jaar-1"},
    "time": CORE | DATES,
    "bool": {"leeg", "nul", "lijst", "geen-utf8"},
    "any": CORE,
}
SMOKE = {"leeg", "10k-tekens", "nul-in-tekst", "emoji", "script", "groot-getal", "lijst", "geen-utf8"}
ALWAYS_REFUSED = F("choice")  # a foreign id is never a valid choice


def values_for(case, name, spec, baseline, tenant_b):
    labels = LABELS_PER_KIND[spec.kind]
    if name in case.smoke:
        labels = labels & SMOKE
    values = [(label, value, spec) for label, value in hostile_values() if label in labels]
    if name in case.foreign:
        foreign_pk = str(tenant_b.objects[case.foreign[name]].pk)
        values.append(("id-van-tenant-B", foreign_pk, ALWAYS_REFUSED))
        if isinstance(baseline.get(case.key(name)), list):
            values.append(("eigen-en-tenant-B-id", [*baseline[case.key(name)], foreign_pk], ALWAYS_REFUSED))
    return values


def run_table(case, tenant, tenant_b):
    if case.setup is not None:
        case.setup(tenant)
    poster = Poster(case, tenant)
    baseline = case.baseline(tenant)
    before_b = tenant_snapshot(tenant_b.organisation)

    # The baseline succeeds, so every refusal below is caused by the hostile value.
    with transaction.atomic():
        client, response = poster.post(baseline)
        if response.status_code != 302:
            form = response.context.get(case.context_form) if response.context else None
            pytest.fail(f"{case.id}: baseline refused ({response.status_code}): {form and form.errors}")
        assert case.saved(tenant, client), f"{case.id}: baseline post did not save"
        transaction.set_rollback(True)

    failures = []
    for name, spec in case.fields.items():
        for label, value, value_spec in values_for(case, name, spec, baseline, tenant_b):
            payload = {**baseline, case.key(name): value}
            problems = check_post(poster, payload, name, label, value, value_spec, tenant_b, before_b)
            failures.extend(f"{case.id}: {name} = {label}: {problem}" for problem in problems)
    assert tenant_snapshot(tenant_b.organisation) == before_b
    return failures


@pytest.mark.parametrize("case", FORM_CASES, ids=[case.id for case in FORM_CASES])
def test_every_field_refuses_hostile_input(case, tenant_a, tenant_b):
    failures = run_table(case, tenant_a, tenant_b)
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


# --- the status transition: a redirect with a message, not a form page -------------------------------


def test_status_transition_refuses_hostile_input(tenant_a, tenant_b):
    """Every field of the request page's buttons: to_status, the reason and, for closing, the outcome and note.

    A refusal leaves the request as it was, says why in Dutch (at the field, with what was typed still there,
    or as a message when the move itself is wrong) and never answers 500.
    """
    help_request = tenant_a.objects["help_request"]
    url = reverse("matching:request_transition", kwargs={"org": "oost", "help_request": help_request.pk})
    client = Client()
    client.force_login(tenant_a.user(Role.COORDINATOR))
    before_b = tenant_snapshot(tenant_b.organisation)
    before = current_status(help_request)
    cases = [
        ({"to_status": "geannuleerd", "reason": "Bewoner is verhuisd"}, HelpRequest.Status.CANCELLED, None),
        ({"to_status": "opgeschaald", "reason": "Te zwaar"}, HelpRequest.Status.ESCALATED, None),
        ({"to_status": "zoekend", "reason": ""}, HelpRequest.Status.SEARCHING, None),
        (
            {"to_status": "afgerond", "outcome": "geholpen", "note": "Ging goed"},
            HelpRequest.Status.DONE,
            match_accepted,
        ),
    ]
    failures = []
    for baseline, reached, setup in cases:
        with transaction.atomic():
            if setup:
                setup(tenant_a)
            start = current_status(help_request)
            with transaction.atomic():
                response = client.post(url, baseline)
                assert response.status_code == 302, baseline
                assert current_status(help_request) == reached, baseline
                transaction.set_rollback(True)
            specs = {"to_status": F("choice"), "reason": F("text", required=reached in ("geannuleerd", "opgeschaald"))}
            if reached == HelpRequest.Status.DONE:
                specs.update(outcome=F("choice"), note=F("text", required=False))
            for name, spec in specs.items():
                for label, value in hostile_values():
                    if label not in CORE | NUMBERS:
                        continue
                    with transaction.atomic():
                        try:
                            cache.clear()
                            response = client.post(
                                url, encode({**baseline, name: value}), content_type=FORM_TYPE, follow=True
                            )
                        except Exception as error:  # noqa: BLE001
                            failures.append(f"{name} = {label}: exception {type(error).__name__}: {str(error)[:200]}")
                            transaction.set_rollback(True)
                            continue
                        status = current_status(help_request)
                        first = response.redirect_chain[0][1] if response.redirect_chain else response.status_code
                        notes = page_notes(response)
                        if first not in (200, 302) or response.status_code != 200:
                            failures.append(f"{name} = {label}: status {first} → {response.status_code}")
                        if must_refuse(spec, label):
                            if status != start:
                                failures.append(f"{reached}: {name} = {label}: accepted")
                            if not notes or any(ENGLISH.search(note) for note in notes):
                                failures.append(f"{reached}: {name} = {label}: no Dutch message: {notes}")
                            if name != "to_status" and any("status bestaat niet" in note for note in notes):
                                failures.append(f"{name} = {label}: says the status does not exist: {notes}")
                        if SCRIPT in response.content.decode():
                            failures.append(f"{name} = {label}: <script> unescaped")
                        if tenant_snapshot(tenant_b.organisation) != before_b:
                            failures.append(f"{name} = {label}: tenant B changed")
                        transaction.set_rollback(True)
            transaction.set_rollback(True)
    assert current_status(help_request) == before
    assert not failures, "\n".join(failures)


def test_a_refused_reason_shows_the_page_again_with_what_was_typed(client, tenant_a):
    help_request = tenant_a.objects["help_request"]
    client.force_login(tenant_a.user(Role.COORDINATOR))
    url = reverse("matching:request_transition", kwargs={"org": "oost", "help_request": help_request.pk})
    response = client.post(url, {"to_status": "geannuleerd", "reason": "Verhuisd naar " + "x" * 1000})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Verhuisd naar xxx" in content and 'id="reden-geannuleerd-fouten"' in content
    assert current_status(help_request) == HelpRequest.Status.PROPOSED


FORM_TYPE = "application/x-www-form-urlencoded"


def current_status(help_request):
    with scopes_disabled():
        return HelpRequest.objects.get(pk=help_request.pk).status


# --- buttons and hidden ids: a redirect with a message (or the page again), not a form page -----------


@dataclass
class ActionCase:
    """A POST that is one choice — a button's action, a hidden volunteer id, a confirmation checkbox."""

    id: str
    role: str | None  # None: anonymous
    url: Callable
    baseline: Callable  # tenant -> the payload that does it
    field: str  # the name that gets the hostile values
    spec: F
    state: Callable  # tenant -> what the baseline changes; a refused value leaves it as it was
    setup: Callable | None = None
    # More values to refuse, beyond the table: (tenant, tenant_b, baseline value) -> [(label, value)].
    extra: Callable = lambda tenant, tenant_b, valid: []
    # Whether a refusal must say so in Dutch. A hidden action nobody types may just show the page again.
    message: bool = True


def action_variants(tenant, tenant_b, valid):
    """A button's value, nearly right: the view must compare exactly."""
    return [
        ("onbekende-actie", "ontbinden"),
        ("hoofdletters", valid.upper()),
        ("met-spaties", f" {valid} "),
        ("nul-erachter", f"{valid}\x00"),
        ("tweemaal-anders", [valid, "ontbinden"]),
    ]


def id_variants(key):
    """Another organisation's id, and the page's own id typed so that int() would still take it."""

    def build(tenant, tenant_b, valid):
        return [
            ("id-van-tenant-B", str(tenant_b.objects[key].pk)),
            ("eigen-id-full-width", valid.translate(FULL_WIDTH)),
            ("eigen-id-met-plus", f"+{valid}"),
            ("eigen-id-met-spaties", f" {valid} "),
            ("eigen-id-met-underscore", f"0_{valid}"),
            ("eigen-id-met-nul", f"{valid}\x00"),
        ]

    return build


def proposal_state(tenant):
    with scopes_disabled():
        decision = BatchProposal.objects.get(pk=tenant.objects["proposal"].pk).decision
        matches = Match.objects.filter(help_request=tenant.objects["help_request"]).order_by("pk")
        return decision, list(matches.values_list("volunteer_id", "status"))


def erased_at(tenant):
    with scopes_disabled():
        return Resident.objects.get(pk=tenant.objects["resident"].pk).erased_at


def batch_decide_url(tenant):
    run, proposal = tenant.objects["run"], tenant.objects["proposal"]
    return reverse(
        "matching:batch_decide", kwargs={"org": tenant.organisation.slug, "run": run.pk, "proposal": proposal.pk}
    )


batch_decide_url.route_name = "matching:batch_decide"

ACTION_CASES = [
    ActionCase(
        id="signal_status-status",
        role=Role.PROFESSIONAL,
        url=org_url("matching:signal_status", signal=lambda tenant: tenant.objects["signal"].pk),
        baseline=lambda tenant: {"status": "opgepakt"},
        field="status",
        spec=F("choice"),
        state=lambda tenant: _signal_statuses(tenant)[0],
        extra=lambda tenant, tenant_b, valid: [*action_variants(tenant, tenant_b, valid), ("door-de-taak", "opgelost")],
    ),
    ActionCase(
        id="improvement_status-status",
        role=Role.COORDINATOR,
        url=org_url("matching:improvement_status", improvement=lambda tenant: tenant.objects["improvement"].pk),
        baseline=lambda tenant: {"status": "klaar"},
        field="status",
        spec=F("choice"),
        state=lambda tenant: _signal_statuses(tenant)[1],
        extra=action_variants,
    ),
    ActionCase(
        id="action_status-status",
        role=Role.COORDINATOR,
        url=org_url("evaluatie:action_status", action=lambda tenant: tenant.objects["action"].pk),
        baseline=lambda tenant: {"status": "klaar"},
        field="status",
        spec=F("choice"),
        state=lambda tenant: _unscoped(lambda: ImprovementAction.objects.get(pk=tenant.objects["action"].pk).status),
        extra=action_variants,
    ),
    ActionCase(
        id="request_propose-vrijwilliger",
        role=Role.COORDINATOR,
        url=org_url("matching:request_propose", help_request=lambda tenant: tenant.objects["help_request"].pk),
        baseline=lambda tenant: {"volunteer": str(tenant.objects["volunteer"].pk)},
        field="volunteer",
        spec=F("model"),
        state=lambda tenant: proposal_state(tenant)[1],
        setup=request_searching,
        extra=id_variants("volunteer"),
    ),
    ActionCase(
        id="batch_decide-actie",
        role=Role.COORDINATOR,
        url=batch_decide_url,
        baseline=lambda tenant: {"action": "confirm"},
        field="action",
        spec=F("choice"),
        state=proposal_state,
        setup=request_searching,
        extra=action_variants,
    ),
    ActionCase(
        id="match_detail-actie",
        role=Role.COORDINATOR,
        url=org_url("matching:match_detail", match=lambda tenant: tenant.objects["match"].pk),
        baseline=lambda tenant: {"action": "withdraw"},
        field="action",
        spec=F("choice"),
        state=match_status,
        extra=action_variants,
        message=False,
    ),
    ActionCase(
        id="my_match-actie",
        role=Role.VOLUNTEER,
        url=org_url("matching:my_match", match=lambda tenant: tenant.objects["match"].pk),
        baseline=lambda tenant: {"action": "accept"},
        field="action",
        spec=F("choice"),
        state=match_status,
        extra=action_variants,
        message=False,
    ),
    ActionCase(
        id="proposal_link-actie",
        role=None,
        url=link_url,
        baseline=lambda tenant: {"action": "accept"},
        field="action",
        spec=F("choice"),
        state=match_status,
        extra=action_variants,
    ),
    ActionCase(
        id="volunteer_erase-bevestig",
        role=Role.COORDINATOR,
        url=org_url("matching:volunteer_erase", volunteer=lambda tenant: tenant.objects["volunteer"].pk),
        baseline=lambda tenant: {"bevestig": "ja"},
        field="bevestig",
        spec=F("choice"),
        state=lambda tenant: _unscoped(lambda: Volunteer.objects.get(pk=tenant.objects["volunteer"].pk).erased_at),
        extra=action_variants,
    ),
    ActionCase(
        id="my_erase-bevestig",
        role=Role.VOLUNTEER,
        url=org_url("matching:my_erase"),
        baseline=lambda tenant: {"bevestig": "ja"},
        field="bevestig",
        spec=F("choice"),
        state=lambda tenant: _unscoped(lambda: Volunteer.objects.get(pk=tenant.objects["volunteer"].pk).erased_at),
        extra=action_variants,
    ),
    ActionCase(
        id="request_propose-telefonisch",
        role=Role.COORDINATOR,
        url=org_url("matching:request_propose", help_request=lambda tenant: tenant.objects["help_request"].pk),
        baseline=lambda tenant: {"volunteer": str(tenant.objects["volunteer"].pk), "by_phone": "on"},
        field="volunteer",
        spec=F("model"),
        state=lambda tenant: proposal_state(tenant)[1],
        setup=request_searching,
        extra=id_variants("volunteer"),
    ),
    ActionCase(
        id="resident_erase-bevestig",
        role=Role.COORDINATOR,
        url=org_url("netwerken:resident_erase", resident=lambda tenant: tenant.objects["resident"].pk),
        baseline=lambda tenant: {"bevestig": "ja"},
        field="bevestig",
        spec=F("choice"),
        state=erased_at,
        extra=action_variants,
    ),
    ActionCase(
        id="volunteer_resident-bewoner",
        role=Role.COORDINATOR,
        url=org_url("matching:volunteer_resident", volunteer=lambda tenant: tenant.objects["volunteer"].pk),
        baseline=lambda tenant: {"action": "link", "resident": str(tenant.objects["resident"].pk)},
        field="resident",
        spec=F("model"),
        state=lambda tenant: _unscoped(lambda: Volunteer.objects.get(pk=tenant.objects["volunteer"].pk).resident_id),
        setup=lambda tenant: _unscoped(
            lambda: Organisation.objects.filter(pk=tenant.organisation.pk).update(help_type="voor_elkaar")
        ),
        extra=id_variants("resident"),
    ),
    ActionCase(
        id="checklist_item_delete-bevestig",
        role=Role.ORG_ADMIN,
        url=org_url("netwerken:checklist_item_delete", item=lambda tenant: tenant.objects["item"].pk),
        baseline=lambda tenant: {"bevestig": "ja"},
        field="bevestig",
        spec=F("choice"),
        state=lambda tenant: _unscoped(
            lambda: PhaseChecklistItem.objects.filter(pk=tenant.objects["item"].pk).exists()
        ),
        extra=action_variants,
    ),
    ActionCase(
        id="participation_toggle-deelnemer",
        role=Role.VOLUNTEER,
        url=org_url("netwerken:participation_toggle", session=lambda tenant: tenant.objects["session"].pk),
        baseline=lambda tenant: {"member": str(tenant.objects["member"].pk), "field": "attended", "value": "0"},
        field="member",
        spec=F("model"),
        state=lambda tenant: _unscoped(
            lambda: list(
                Participation.objects.filter(session=tenant.objects["session"].pk).values_list(
                    "member_id", "signed_up", "attended"
                )
            )
        ),
        extra=id_variants("member"),
    ),
    ActionCase(
        id="participation_toggle-veld",
        role=Role.VOLUNTEER,
        url=org_url("netwerken:participation_toggle", session=lambda tenant: tenant.objects["session"].pk),
        baseline=lambda tenant: {"member": str(tenant.objects["member"].pk), "field": "attended", "value": "0"},
        field="field",
        spec=F("choice"),
        state=lambda tenant: _unscoped(
            lambda: list(
                Participation.objects.filter(session=tenant.objects["session"].pk).values_list(
                    "member_id", "signed_up", "attended"
                )
            )
        ),
        extra=action_variants,
    ),
]


def page_notes(response):
    """The messages shown after the post: the messages framework's, and errors rendered at a field."""
    if not response.context:
        return []
    notes = [str(message) for message in response.context.get("messages", [])]
    content = response.content.decode("utf-8", errors="replace")
    for block in re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', content, re.S):
        notes.extend(html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", block, re.S))
    return notes


def run_action_case(case, tenant, tenant_b):
    if case.setup is not None:
        case.setup(tenant)
    url = case.url(tenant)
    client = Client()
    if case.role is not None:
        client.force_login(tenant.user(case.role))
    baseline = case.baseline(tenant)
    before_b = tenant_snapshot(tenant_b.organisation)
    before = case.state(tenant)

    def post(payload):
        cache.clear()
        return client.post(url, encode(payload), content_type=FORM_TYPE, follow=True)

    with transaction.atomic():
        response = post(baseline)
        assert response.status_code == 200, f"{case.id}: baseline answered {response.status_code}"
        assert case.state(tenant) != before, f"{case.id}: the baseline post changed nothing"
        transaction.set_rollback(True)
    if case.role is not None:
        # The baseline may have ended the session (erasing one's own account logs out); the rollback does not.
        client.force_login(tenant.user(case.role))

    valid = baseline[case.field]
    values = [(label, value) for label, value in hostile_values() if label in CORE | NUMBERS]
    values += case.extra(tenant, tenant_b, valid)
    failures = []
    for label, value in values:
        refuse = must_refuse(case.spec, label) or label not in LABELS
        problems = []
        with transaction.atomic():
            try:
                response = post({**baseline, case.field: value})
            except Exception as error:  # noqa: BLE001 - a 500 for the user
                problems.append(f"exception {type(error).__name__}: {str(error)[:200]}")
            else:
                first = response.redirect_chain[0][1] if response.redirect_chain else response.status_code
                if first not in (200, 302) or response.status_code != 200:
                    problems.append(f"status {first} → {response.status_code}")
                notes = page_notes(response)
                if refuse and case.state(tenant) != before:
                    problems.append("accepted a value that must be refused")
                if refuse and case.message and not notes:
                    problems.append("refused without a message")
                problems.extend(f"English message: {note!r}" for note in notes if ENGLISH.search(note))
                if SCRIPT in response.content.decode("utf-8", errors="replace"):
                    problems.append("<script> came back unescaped")
                if tenant_snapshot(tenant_b.organisation) != before_b:
                    problems.append("tenant B changed")
            transaction.set_rollback(True)
        failures.extend(f"{case.id}: {case.field} = {label}: {problem}" for problem in problems)
    return failures


LABELS = {label for label, _value in hostile_values()}


@pytest.mark.parametrize("case", ACTION_CASES, ids=[case.id for case in ACTION_CASES])
def test_every_button_refuses_hostile_input(case, tenant_a, tenant_b):
    failures = run_action_case(case, tenant_a, tenant_b)
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


# --- POSTs without fields: whatever the body, the same redirect ---------------------------------------

JUNK_BODIES = [
    ("leeg", {}),
    ("10k-tekens", {"x": LONG}),
    ("nul-in-naam", {"a\x00b": "\x00"}),
    ("script", {"action": SCRIPT, SCRIPT: "1"}),
    ("lijst", {"action": ["1", "2"], "volunteer": ["1", "2"]}),
    ("geen-utf8", {"action": b"\xff\xfe"}),
]


def _evaluation_kwargs(key):
    return lambda tenant: {key: tenant.objects[key].pk}


def _cycle_page(tenant):
    return reverse("evaluatie:cycle_detail", kwargs={"org": "oost", "cycle": tenant.objects["cycle"].pk})


NO_FIELD_PAGES = {
    # page: (its URL keywords, where it sends you: a prefix of that URL)
    "netwerken:activity_stop": (
        _evaluation_kwargs("activity"),
        lambda tenant: reverse(
            "netwerken:activity_detail", kwargs={"org": "oost", "activity": tenant.objects["activity"].pk}
        ),
    ),
    # Its one field is an optional note: whatever else comes, the session is cancelled and the page shown.
    "netwerken:session_cancel": (
        _evaluation_kwargs("session"),
        lambda tenant: reverse(
            "netwerken:session_detail", kwargs={"org": "oost", "session": tenant.objects["session"].pk}
        ),
    ),
    "evaluatie:cycle_close": (_evaluation_kwargs("cycle"), _cycle_page),
    "evaluatie:survey_send": (_evaluation_kwargs("cycle"), _cycle_page),
    "evaluatie:story_approve": (_evaluation_kwargs("story"), _cycle_page),
    "evaluatie:report_request": (
        _evaluation_kwargs("cycle"),
        lambda tenant: reverse("evaluatie:funder_report", kwargs={"org": "oost", "cycle": tenant.objects["cycle"].pk}),
    ),
    "matching:escalation_take_over": (
        lambda tenant: {"escalation": tenant.objects["escalation"].pk},
        lambda tenant: reverse(
            "matching:escalation_detail", kwargs={"org": "oost", "escalation": tenant.objects["escalation"].pk}
        ),
    ),
    "matching:request_recompute": (
        lambda tenant: {"help_request": tenant.objects["help_request"].pk},
        lambda tenant: reverse(
            "matching:request_detail", kwargs={"org": "oost", "help_request": tenant.objects["help_request"].pk}
        ),
    ),
    "matching:batch_list": (lambda tenant: {}, lambda tenant: reverse("matching:batch_list", kwargs={"org": "oost"})),
    "matching:batch_confirm_all": (
        lambda tenant: {"run": tenant.objects["run"].pk},
        lambda tenant: reverse("matching:batch_detail", kwargs={"org": "oost", "run": tenant.objects["run"].pk}),
    ),
    "netwerken:member_leave": (
        lambda tenant: {"network": tenant.objects["network"].pk, "member": tenant.objects["member"].pk},
        lambda tenant: reverse(
            "netwerken:network_detail", kwargs={"org": "oost", "network": tenant.objects["network"].pk}
        ),
    ),
    "netwerken:member_erase": (
        lambda tenant: {"network": tenant.objects["network"].pk, "guest": tenant.objects["guest"].pk},
        lambda tenant: reverse(
            "netwerken:network_detail", kwargs={"org": "oost", "network": tenant.objects["network"].pk}
        ),
    ),
    "matching:my_hours_delete": (
        lambda tenant: {"hours": tenant.objects["hours"].pk},
        lambda tenant: reverse("matching:my_hours", kwargs={"org": "oost"}),
    ),
    "matching:my_calendar_revoke": (
        lambda tenant: {},
        lambda tenant: reverse("matching:my_calendar", kwargs={"org": "oost"}),
    ),
    # The team: a button each, whatever else the body holds.
    "netwerken:invitation_resend": (
        _evaluation_kwargs("invitation"),
        lambda tenant: reverse("netwerken:staff_list", kwargs={"org": "oost"}),
    ),
    "netwerken:invitation_revoke": (
        _evaluation_kwargs("invitation"),
        lambda tenant: reverse("netwerken:staff_list", kwargs={"org": "oost"}),
    ),
    "netwerken:member_remove": (
        _evaluation_kwargs("membership"),
        lambda tenant: reverse("netwerken:staff_list", kwargs={"org": "oost"}),
    ),
    "netwerken:funding_remove": (
        _evaluation_kwargs("funding"),
        lambda tenant: reverse("netwerken:funder_list", kwargs={"org": "oost"}),
    ),
    # Signed in with another address than the invited one: back to the link's page, nothing accepted.
    "netwerken:invitation_accept": (
        _evaluation_kwargs("invitation_token"),
        lambda tenant: reverse(
            "netwerken:invitation_accept",
            kwargs={"org": "oost", "invitation_token": tenant.objects["invitation_token"].pk},
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(NO_FIELD_PAGES))
def test_posts_without_fields_ignore_the_body(name, tenant_a, tenant_b):
    kwargs, target = NO_FIELD_PAGES[name]
    url = reverse(name, kwargs={"org": tenant_a.organisation.slug, **kwargs(tenant_a)})
    client = Client()
    # A role that may open the page (the wijkteam's button is for professionals).
    allowed = ALLOWED[name]
    client.force_login(tenant_a.user(Role.COORDINATOR if Role.COORDINATOR in allowed else next(iter(allowed))))
    request_searching(tenant_a)  # recomputing only does something for a request that is looking
    before_b = tenant_snapshot(tenant_b.organisation)
    failures = []
    for label, body in JUNK_BODIES:
        with transaction.atomic():
            try:
                response = client.post(url, encode(body), content_type=FORM_TYPE)
            except Exception as error:  # noqa: BLE001
                failures.append(f"{label}: exception {type(error).__name__}: {str(error)[:200]}")
                transaction.set_rollback(True)
                continue
            if response.status_code != 302 or not response.url.startswith(target(tenant_a)):
                failures.append(f"{label}: answered {response.status_code} {getattr(response, 'url', '')}")
            if tenant_snapshot(tenant_b.organisation) != before_b:
                failures.append(f"{label}: tenant B changed")
            transaction.set_rollback(True)
    assert not failures, "\n".join(failures)


# --- the emailed link: any malformed token is a 404 ---------------------------------------------------


def signed(payload):
    """A token with a valid signature but a payload this code never issued (an old format, say)."""
    return signing.dumps(payload, salt=proposals.TOKEN_SALT, compress=True)


def malformed_tokens(tenant_a, tenant_b):
    match = tenant_a.objects["match"]
    good = proposals.proposal_token(match)
    with mock.patch("time.time", return_value=time.time() - 16 * 24 * 3600):
        expired = proposals.proposal_token(match)
    return [
        ("willekeurig", "abc"),
        ("10k-tekens", LONG),
        ("nul", "\x00"),
        ("nul-erachter", good + "\x00"),
        ("rtl-override", "\u202e" + good),
        ("emoji", "👵🏽"),
        ("script", SCRIPT),
        ("sql", "'; DROP TABLE x;--"),
        ("geen-utf8", b"\xff\xfe"),
        ("full-width", good.translate(FULL_WIDTH)),
        ("laatste-teken-anders", good[:-1] + ("A" if good[-1] != "A" else "B")),
        ("ingekort", good[:-5]),
        ("zonder-handtekening", good.rsplit(":", 1)[0]),
        ("alleen-dubbelepunten", ":::"),
        ("andere-salt", signing.dumps({"m": match.pk, "v": match.volunteer_id}, salt="iets-anders", compress=True)),
        ("verlopen", expired),
        ("van-tenant-B", proposals.proposal_token(tenant_b.objects["match"])),
        ("andere-vrijwilliger", signed({"m": match.pk, "v": tenant_b.objects["volunteer"].pk})),
        ("geen-dict", signed([match.pk, match.volunteer_id])),
        ("leeg-dict", signed({})),
        ("tekst-als-id", signed({"m": "abc", "v": "x"})),
        ("id-als-lijst", signed({"m": [match.pk], "v": [match.volunteer_id]})),
        ("te-groot-id", signed({"m": 2**70, "v": 2**70})),
        ("negatief-id", signed({"m": -1, "v": -1})),
        ("null", signed(None)),
    ]


def test_proposal_link_with_a_malformed_token_is_404(tenant_a, tenant_b):
    client = Client()
    before_a, before_b = match_status(tenant_a), tenant_snapshot(tenant_b.organisation)
    failures = []
    for label, token in malformed_tokens(tenant_a, tenant_b):
        raw = token if isinstance(token, bytes) else token.encode()
        url = f"/o/{tenant_a.organisation.slug}/voorstel/{quote(raw, safe='')}/"
        for method in ("get", "post"):
            with transaction.atomic():
                try:
                    response = getattr(client, method)(url, {"action": "accept"} if method == "post" else None)
                except Exception as error:  # noqa: BLE001
                    failures.append(f"{method} {label}: exception {type(error).__name__}: {str(error)[:200]}")
                else:
                    if response.status_code != 404:
                        failures.append(f"{method} {label}: status {response.status_code}")
                    if SCRIPT in response.content.decode("utf-8", errors="replace"):
                        failures.append(f"{method} {label}: <script> unescaped")
                    if match_status(tenant_a) != before_a or tenant_snapshot(tenant_b.organisation) != before_b:
                        failures.append(f"{method} {label}: a match changed")
                transaction.set_rollback(True)
    # The real link still works, so the 404s above are the token's doing.
    assert client.get(link_url(tenant_a)).status_code == 200
    assert not failures, "\n".join(failures)


# --- a resident's pages show whatever was stored, escaped -------------------------------------------------

STORED = {
    "name": SCRIPT,
    "street": "\u202eKerkstraat\u200b 👵🏽",
    "email": "a'b\"c@example.nl",
}


def test_resident_pages_show_hostile_stored_text_escaped(tenant_a):
    from .factories import HelpRequestFactory, ResidentFactory

    resident = ResidentFactory(organisation=tenant_a.organisation, **STORED)
    HelpRequestFactory(
        organisation=tenant_a.organisation,
        resident=resident,
        category=tenant_a.objects["category"],
        description=f"{SCRIPT} Z\u0351\u0352a\u0300lgo",
        particulars=LONG,
    )
    client = Client()
    client.force_login(tenant_a.user(Role.COORDINATOR))
    for name in ("netwerken:resident_detail", "netwerken:resident_erase"):
        response = client.get(reverse(name, kwargs={"org": "oost", "resident": resident.pk}))
        assert response.status_code == 200, name
        content = response.content.decode()
        assert SCRIPT not in content and html.escape(SCRIPT) in content, name
    response = client.get(reverse("netwerken:resident_export", kwargs={"org": "oost", "resident": resident.pk}))
    assert response.status_code == 200
    data = json.loads(response.content.decode("utf-8"))
    assert {key: data["bewoner"][key] for key in ("naam", "straat", "e-mail")} == {
        "naam": STORED["name"],
        "straat": STORED["street"],
        "e-mail": STORED["email"],
    }
    assert data["hulpvragen"][0]["bijzonderheden"] == LONG
    disposition = response["Content-Disposition"]
    assert disposition.isascii() and disposition.isprintable(), disposition
    assert re.fullmatch(r'attachment; filename="bewoner-[a-z0-9-]+\.json"', disposition), disposition


# --- coverage: no POST page is forgotten -----------------------------------------------------------------

# Tenant pages that take no POST, each with the reason it needs no case above. test_every_post_page_is_covered
# checks that each of these views really ignores POST; a page that starts handling a form must leave this list
# and get a FormCase or ActionCase. (Ids in the URLs of all of them: test_ids_in_urls_..., which walks the URLs.)
GET_ONLY = {
    "matching:signal_list": "a list; its filters are a GET query; the buttons are on the signal's page",
    "matching:signal_detail": "read only; its buttons post to signal_status, the proposal form is signal_propose",
    "matching:improvement_list": "a list; each row's status form posts to improvement_status",
    "netwerken:org_home": "the organisation's start page: links only",
    "netwerken:coordinator_dashboard": "an overview: links only",
    "netwerken:volunteer_dashboard": "an overview: links only",
    "netwerken:professional_dashboard": "an overview: links only",
    "netwerken:funder_dashboard": "aggregate figures, read only",
    "netwerken:staff_list": "the team, read only; roles change on member_edit (a FormCase)",
    "matching:volunteer_list": "a list; its filters are a GET query",
    "netwerken:resident_detail": "read only; stored hostile text: test_resident_pages_show_hostile_stored_text_escaped",
    "netwerken:resident_export": "a JSON download, read only; same test as resident_detail",
    "matching:request_list": "a list; its filters are a GET query",
    "matching:request_detail": "read only; its buttons post to request_transition, _recompute and _propose",
    "matching:online_request_thanks": "a thank-you page",
    "matching:request_suggestions": "the suggestions fragment the request page reloads, read only",
    "matching:batch_detail": "read only (?formaat=json feeds the progress bar); its buttons post to batch_decide",
    "matching:volunteer_export": "a JSON download, read only",
    "matching:my_data": "a JSON download of one's own data, read only",
    "netwerken:privacy": "the public privacy statement, read only",
    "matching:escalation_detail": "read only; its forms post to the escalation_* pages",
    "matching:social_map": "a list, read only",
    "evaluatie:cycle_list": "a list, read only",
    "evaluatie:cycle_detail": "read only; its buttons post to cycle_close, survey_send, story_approve, action_status",
    "evaluatie:indicator_rows": "the rows behind a figure, read only",
    "evaluatie:funder_report": "the report, read only; its button posts to report_request",
    "evaluatie:report_status": "the build's progress as JSON, read only",
    "evaluatie:report_pdf": "a file download, read only",
    "evaluatie:report_xlsx": "a file download, read only",
    "evaluatie:report_csv": "a file download, read only",
    "netwerken:network_list": "a list with a map; its filters are a GET query",
    "netwerken:network_detail": (
        "read only (its search is a GET query); its forms post to member_add, member_leave, member_erase"
    ),
    "matching:hours_overview": "a table, read only; the year is a GET query",
    "matching:my_calendar": "the feed's address and instructions; its button posts to my_calendar_revoke",
    "matching:calendar_feed": "an iCal download for a calendar app, read only (other methods: 405)",
    "netwerken:phase_checklist": "read only; its forms post to checklist_item_edit, _add, _delete and phase_move",
    "netwerken:network_phase": "read only; the same forms as phase_checklist, for a network's initiative",
    "netwerken:activity_list": "a list; its filters are a GET query",
    "netwerken:activity_detail": "read only; its button posts to activity_stop, its sessions link to their pages",
    "netwerken:session_detail": "read only; its buttons post to participation_toggle, participant_add, session_cancel",
    "matching:fee_overview": "totals, read only; filters are a GET query, the payment form posts to fee_payment",
    "matching:fee_resident_ledger": "a printable overview, read only",
    "matching:fee_export": "a spreadsheet download, read only",
    "matching:my_fees": "the volunteer's own fees, read only",
    "netwerken:public_page": "the organisation's public page, read only; edited on admin_dashboard (a FormCase)",
    "matching:volunteer_signup_thanks": "a thank-you page with what happens next",
    "netwerken:flyer": "the public page as a printable flyer with a QR code, read only",
}
# Pages with a test of their own instead of a row in one of the tables.
OWN_TEST = {"matching:request_transition": test_status_transition_refuses_hostile_input}
POST_HANDLING = re.compile(r"request\.POST|request\.method|require_POST|require_http_methods")


def covered_pages():
    cases = [case.url for case in [*FORM_CASES, *ACTION_CASES]]
    return {url.route_name for url in cases if hasattr(url, "route_name")} | set(NO_FIELD_PAGES) | set(OWN_TEST)


def test_every_post_page_is_covered():
    """Walks the tenant URL patterns: a form page added later fails here until it gets a case."""
    routes = {route.name: route for route in tenant_routes()}
    covered = covered_pages()
    missing = sorted(set(routes) - covered - set(GET_ONLY))
    assert not missing, (
        f"tenant pages without hostile-input coverage: {missing}. Add a FormCase (a form page) or an ActionCase "
        "(a button or hidden id) to tests/test_hostile_input.py, or, if the page takes no POST, an entry in GET_ONLY "
        "saying why."
    )
    assert not (set(GET_ONLY) | covered) - set(routes), "entries for pages that no longer exist"
    assert not set(GET_ONLY) & covered, "a page is either covered or GET only"
    handles_post = [
        name for name in GET_ONLY if POST_HANDLING.search(inspect.getsource(inspect.unwrap(routes[name].view)))
    ]
    assert not handles_post, f"listed as GET only, but the view reads POST: {handles_post}"
    # And the detection itself works: every covered page's view does handle POST.
    assert all(POST_HANDLING.search(inspect.getsource(inspect.unwrap(routes[name].view))) for name in covered)


# --- ids in URLs: another organisation's, zero, and beyond 64 bits ---------------------------------------

HOSTILE_IDS = [("nul", 0), ("max bigint", 2**63 - 1), ("bigint+1", 2**63), ("20 cijfers", 99999999999999999999)]


def url_id_rows():
    """Every tenant URL with an id in it, once per id keyword, with a role that may open the page."""
    rows = []
    for route in tenant_routes():
        for kwarg in route.kwargs:
            if kwarg in ("org", "token", "calendar_token"):
                continue
            allowed = ALLOWED[route.name]
            role = next(
                role
                for role in (Role.COORDINATOR, Role.VOLUNTEER, Role.ORG_ADMIN, Role.PROFESSIONAL, Role.FUNDER)
                if role in allowed
            )
            rows.append(pytest.param(route, kwarg, role, id=f"{route.name}-{kwarg}"))
    return rows


def own_url(route, tenant, **overrides):
    kwargs = {key: tenant.objects[key].pk for key in route.kwargs if key not in ("org", "token")}
    if route.name == "netwerken:member_edit":
        kwargs["membership"] = tenant.members[Role.VOLUNTEER].pk
    return reverse(route.name, kwargs={"org": tenant.organisation.slug, **kwargs, **overrides})


@pytest.mark.parametrize("route, kwarg, role", url_id_rows())
def test_ids_in_urls_of_another_organisation_or_out_of_range_are_404(route, kwarg, role, tenant_a, tenant_b):
    """Walks the URL patterns: a page added later gets this check without anyone listing it."""
    client = Client()
    client.force_login(tenant_a.user(role))
    before_b = tenant_snapshot(tenant_b.organisation)
    # Something each page would act on: a name, a status, a confirmation, an answer.
    payload = {
        "name": "Overgenomen",
        "to_status": "geannuleerd",
        "reason": "x",
        "roles": ["coordinator"],
        "action": "confirm",
        "volunteer": str(tenant_a.objects["volunteer"].pk),
        "bevestig": "ja",
    }
    failures = []
    for label, pk in [("tenant B", tenant_b.objects[kwarg].pk), *HOSTILE_IDS]:
        url = own_url(route, tenant_a, **{kwarg: pk})
        for method in ("get", "post"):
            with transaction.atomic():
                try:
                    response = getattr(client, method)(url, payload if method == "post" else None)
                except Exception as error:  # noqa: BLE001
                    failures.append(f"{method} {label}: exception {type(error).__name__}: {error}")
                    transaction.set_rollback(True)
                    continue
                expected = {404, 405} if route.name in POST_ONLY and method == "get" else {404}
                if response.status_code not in expected:
                    failures.append(f"{method} {label}: status {response.status_code}")
                transaction.set_rollback(True)
    assert tenant_snapshot(tenant_b.organisation) == before_b
    assert not failures, "\n".join(failures)


def test_offer_of_another_volunteer_is_404(client, tenant_a):
    from .factories import OfferFactory, VolunteerFactory

    other = OfferFactory(volunteer=VolunteerFactory(organisation=tenant_a.organisation))
    client.force_login(tenant_a.user(Role.VOLUNTEER))
    url = reverse("matching:offer_edit", kwargs={"org": "oost", "offer": other.pk})
    payload = {"category": tenant_a.objects["category"].pk, "description": "Van mij", "availability": ["ma-ochtend"]}
    response = client.post(url, payload)
    assert response.status_code == 404
    with scopes_disabled():
        assert Offer.objects.get(pk=other.pk).description != "Van mij"


# --- foreign ids in hidden fields and selects, spelled out ---------------------------------------------


def test_intake_refuses_a_resident_of_another_organisation_in_the_hidden_field(client, tenant_a, tenant_b):
    client.force_login(tenant_a.user(Role.COORDINATOR))
    foreign = tenant_b.objects["resident"]
    payload = {
        **intake_request_fields(tenant_a),
        "resident": str(foreign.pk),
        "channel": "telefoon",
        "consent": "on",
    }
    with scopes_disabled():
        before = HelpRequest.objects.count()
    response = client.post(reverse("matching:intake", kwargs={"org": "oost"}), payload)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Deze bewoner bestaat niet (meer). Zoek de bewoner opnieuw." in content
    assert foreign.name not in content
    assert ">\nBoodschappen bij de Albert Heijn</textarea>" in content, "what was typed stays"
    with scopes_disabled():
        assert HelpRequest.objects.count() == before
        assert not HelpRequest.objects.filter(resident=foreign, organisation=tenant_a.organisation).exists()


@pytest.mark.parametrize(
    "bewoner", ["abc", "²", "１２", "-1", "0", "99999999999999999999", "9223372036854775808", "1\x00", "tenant-b"]
)
@pytest.mark.parametrize("zoek", ["", "Jan\x00", "<script>alert(1)</script>", "1234\x00AB", LONG, "+31\x00"])
def test_intake_query_string_is_harmless(client, tenant_a, tenant_b, bewoner, zoek):
    client.force_login(tenant_a.user(Role.COORDINATOR))
    if bewoner == "tenant-b":
        bewoner = str(tenant_b.objects["resident"].pk)
    response = client.get(reverse("matching:intake", kwargs={"org": "oost"}), {"zoek": zoek, "bewoner": bewoner})
    assert response.status_code == 200
    content = response.content.decode()
    assert tenant_b.objects["resident"].name not in content
    assert SCRIPT not in content


def test_foreign_category_and_areas_are_refused_everywhere(client, tenant_a, tenant_b):
    """The same check as in the table, in one readable place: B's pk in A's selects is never saved."""
    client.force_login(tenant_a.user(Role.VOLUNTEER))
    url = reverse("matching:my_profile", kwargs={"org": "oost"})
    payload = {
        **profile_baseline(tenant_a),
        "areas": [str(tenant_b.objects["area"].pk)],
        "categories": [str(tenant_a.objects["category"].pk), str(tenant_b.objects["category"].pk)],
    }
    response = client.post(url, payload)
    assert response.status_code == 200
    assert "Deze keuze bestaat niet (meer). Kies opnieuw uit de lijst." in response.content.decode()
    with scopes_disabled():
        volunteer = Volunteer.objects.get(pk=tenant_a.objects["volunteer"].pk)
        assert tenant_b.objects["category"] not in volunteer.categories.all()
        assert tenant_b.objects["area"] not in volunteer.areas.all()


# --- the match pages, spelled out ------------------------------------------------------------------------


def test_contact_moment_between_the_proposal_and_today(tenant_a):
    match_accepted(tenant_a)
    proposed = timezone.now() - datetime.timedelta(days=10)
    with scopes_disabled():
        Match.objects.filter(pk=tenant_a.objects["match"].pk).update(proposed_at=proposed)
    client = Client()
    client.force_login(tenant_a.user(Role.VOLUNTEER))
    url = reverse("matching:my_match", kwargs={"org": "oost", "match": tenant_a.objects["match"].pk})
    first = timezone.localdate(proposed)
    for date, message in [
        (
            first - datetime.timedelta(days=1),
            f"Een contactmoment kan niet vóór het voorstel liggen ({first:%d-%m-%Y}).",
        ),
        (today() + datetime.timedelta(days=1), "Een contactmoment kan niet in de toekomst liggen."),
    ]:
        payload = {"action": "contact", "contact-date": date.isoformat(), "contact-minutes": "30"}
        response = client.post(url, payload)
        assert response.status_code == 200
        content = response.content.decode()
        assert html.escape(message) in content.split('id="id_contact-date_error"', 1)[1].split("</ul>", 1)[0]
        assert f'value="{date.isoformat()}"' in content, "what was typed stays"
    response = client.post(url, {"action": "contact", "contact-date": first.isoformat(), "contact-minutes": "30"})
    assert response.status_code == 302
    with scopes_disabled():
        assert ContactLog.objects.filter(match=tenant_a.objects["match"].pk, date=first).exists()


def test_declining_an_accepted_match_through_the_old_link_says_it_is_no_longer_open(tenant_a):
    match_accepted(tenant_a)
    response = Client().post(link_url(tenant_a), {"action": "decline", "reason": LONG}, follow=True)
    # The link stopped working when the proposal ended: it says so, and shows nothing of the request.
    assert response.status_code == 410
    content = response.content.decode()
    assert "Dit voorstel staat niet meer open" in content and "Je hebt ja gezegd." in content
    assert tenant_a.objects["help_request"].description not in content
    assert match_status(tenant_a) == Match.Status.ACCEPTED


# --- Dutch formats and messages --------------------------------------------------------------------------


def test_dutch_formats_are_normalised_when_saved(client, tenant_a):
    client.force_login(tenant_a.user(Role.VOLUNTEER))
    payload = {
        **profile_baseline(tenant_a),
        "phone": "+31 (0)6 1234 5678",
        "postcode": "３４０１ab",
        "house_number": "12 a",
    }
    response = client.post(reverse("matching:my_profile", kwargs={"org": "oost"}), payload)
    assert response.status_code == 302
    with scopes_disabled():
        volunteer = Volunteer.objects.get(pk=tenant_a.objects["volunteer"].pk)
    assert (volunteer.phone, volunteer.postcode, volunteer.house_number) == ("+31612345678", "3401 AB", "12 a")


@pytest.mark.parametrize(
    "field, value, message",
    [
        (
            "phone",
            "06-1234567",
            "Vul een geldig telefoonnummer in, zoals 06-12345678 of 030-1234567; uit het buitenland met +32 of +49.",
        ),
        (
            "phone",
            "+32 470 12 34",
            "Vul een geldig telefoonnummer in, zoals 06-12345678 of 030-1234567; uit het buitenland met +32 of +49.",
        ),
        ("postcode", "0123 AB", "Vul een postcode in als 1234 AB."),
        ("postcode", "1234 SA", "Vul een postcode in als 1234 AB."),
        ("house_number", "abc", "Vul een huisnummer in, eventueel met toevoeging, zoals 12 of 12a."),
        ("max_requests_per_month", "99999999999999999999", "Zorg ervoor dat deze waarde hoogstens 31 is."),
    ],
)
def test_wrong_dutch_format_gets_the_message_at_the_field_and_keeps_the_rest(client, tenant_a, field, value, message):
    client.force_login(tenant_a.user(Role.VOLUNTEER))
    payload = {**profile_baseline(tenant_a), field: value}
    response = client.post(reverse("matching:my_profile", kwargs={"org": "oost"}), payload)
    assert response.status_code == 200
    content = response.content.decode()
    error_block = content.split(f'id="id_{field}_fouten"', 1)[1].split("</div>", 1)[0]
    assert html.escape(message) in error_block
    assert f'value="{html.escape(value)}"' in content
    for other in ("phone", "postcode", "house_number"):
        if other != field:
            assert f'value="{payload[other]}"' in content


def test_request_date_in_the_past_or_far_ahead_is_refused_but_an_old_date_may_stay(client, tenant_a):
    client.force_login(tenant_a.user(Role.COORDINATOR))
    help_request = tenant_a.objects["help_request"]
    url = reverse("matching:request_edit", kwargs={"org": "oost", "help_request": help_request.pk})
    yesterday = today() - datetime.timedelta(days=1)
    for date, message in [
        (yesterday, "Deze datum ligt in het verleden."),
        (today() + datetime.timedelta(days=3 * 365), "Deze datum ligt wel erg ver vooruit. Klopt het jaartal?"),
    ]:
        response = client.post(url, {**intake_request_fields(tenant_a), "date": date.isoformat()})
        assert response.status_code == 200
        assert message in response.content.decode()
    # A request whose date has passed: editing the description keeps the old date.
    with scopes_disabled():
        HelpRequest.objects.filter(pk=help_request.pk).update(date=yesterday - datetime.timedelta(days=10))
    old = (yesterday - datetime.timedelta(days=10)).isoformat()
    response = client.post(url, {**intake_request_fields(tenant_a), "date": old, "description": "Bijgewerkt"})
    assert response.status_code == 302
    with scopes_disabled():
        assert HelpRequest.objects.get(pk=help_request.pk).description == "Bijgewerkt"


@pytest.mark.parametrize("page", ["volunteer_signup", "account_signup"])
def test_short_password_gets_a_dutch_message(client, tenant_a, page):
    if page == "volunteer_signup":
        url = reverse("matching:volunteer_signup", kwargs={"org": "oost"})
        payload = {**signup_baseline(tenant_a), "password1": "kort1", "password2": "kort1"}
    else:
        url = reverse("account_signup")
        payload = {"name": "Piet", "email": "piet@example.nl", "password1": "kort1", "password2": "kort1"}
    response = client.post(url, payload)
    assert response.status_code == 200
    assert "Dit wachtwoord is te kort. Gebruik minstens 8 tekens." in response.content.decode()
    assert not User.objects.filter(email=payload["email"]).exists()


@pytest.mark.parametrize("language", ["en", "xx", "\x00", LONG, SCRIPT])
@pytest.mark.parametrize("next_url", ["/", "https://evil.example/", "/o/west/", "\x00", SCRIPT])
def test_language_switch_is_harmless(client, db, language, next_url):
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code in (302, 204)
    if response.status_code == 302:
        assert not response.url.startswith("https://evil")


# --- the validators and fields themselves, with hypothesis -------------------------------------------------

NORMALISERS = (normalize_postcode, normalize_phone, normalize_house_number)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=30) | st.text(alphabet="0123456789 -+()abAB\u200b\u202e\uff11\u0661\x00", max_size=20))
def test_normalisers_raise_only_validation_error_and_are_idempotent(value):
    for normalise in NORMALISERS:
        try:
            result = normalise(value)
        except ValidationError as error:
            assert all(not ENGLISH.search(str(m)) for m in error.messages)
            continue
        assert result.isascii() and result.isprintable()
        assert normalise(result) == result, f"{normalise.__name__}({value!r}) = {result!r} is not stable"


VALID_LETTERS = [a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
VALID_LETTERS = [pair for pair in VALID_LETTERS if pair not in {"SA", "SD", "SS"}]
ASCII_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in ASCII_ALNUM})


@given(
    st.integers(1000, 9999),
    st.sampled_from(VALID_LETTERS),
    st.sampled_from(["", " ", "  ", "\t", "\u200b"]),
    st.booleans(),
    st.booleans(),
)
def test_every_way_of_typing_a_postcode_gives_the_canonical_one(digits, letters, sep, lower, full_width):
    typed = f" {digits}{sep}{letters.lower() if lower else letters} "
    if full_width:
        typed = typed.translate(FULL_WIDTH)
    assert normalize_postcode(typed) == f"{digits} {letters}"


@given(
    # A mobile number (06-1 to 06-5), Utrecht (030) or IJsselstein (0348): nine digits after the 0.
    st.sampled_from(["61", "62", "63", "64", "65", "30", "348"]),
    st.text(alphabet="0123456789", min_size=7, max_size=7),
    st.sampled_from(["0", "+31", "0031", "+31 (0)", "+31 0"]),
    st.lists(st.sampled_from([" ", "-", "(", ")", "."]), max_size=3),
)
def test_every_way_of_typing_a_phone_number_gives_one_stored_form(first, rest, prefix, separators):
    number = (first + rest)[:9]
    typed = prefix + "".join(sep + digit for sep, digit in zip(separators + [""] * 9, number, strict=False))
    assert normalize_phone(typed) == f"+31{number}"


@given(st.integers(1, 99999), st.sampled_from(["", "a", "A", "bis", "hs", "-1", " 2", " - 3b"]))
def test_house_numbers_round_trip(number, addition):
    typed = f"{number}{addition}"
    assert normalize_house_number(typed) == typed
    assert normalize_house_number(f"  {typed}  ") == typed


@given(st.text(max_size=25) | st.integers().map(str) | st.integers())
def test_parse_id_gives_a_valid_id_or_none(value):
    from netwerken.validators import parse_id

    result = parse_id(value)
    assert result is None or (isinstance(result, int) and 0 < result < 2**63)
    if result is not None:
        assert str(result) == str(value)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(st.text(max_size=5), max_size=3), st.none()))
def test_form_fields_raise_only_validation_error(value):
    """What a widget can hand a field: one string (or None) for a single field, a list for a multiple one."""
    from django import forms

    from netwerken import fields

    single = (fields.PostcodeField, fields.PhoneField, fields.HouseNumberField, fields.NotInPastDateField)
    multiple = (fields.AvailabilityField, fields.LanguagesField)
    for field_class in multiple if isinstance(value, list) else single:
        for required in (True, False):
            try:
                field_class(required=required).clean(value)
            except forms.ValidationError as error:
                for message in error.messages:
                    for echoed in value if isinstance(value, list) else [value]:
                        message = message.replace(str(echoed), "") if echoed else message
                    assert not ENGLISH.search(message), message


def test_hostile_table_is_complete():
    labels = [label for label, _value in hostile_values()]
    assert len(set(labels)) == len(labels), "labels are unique"
    kinds = {spec.kind for case in FORM_CASES for spec in case.fields.values()}
    assert kinds <= set(LABELS_PER_KIND), "every kind of field has its values"
    assert set(LABELS_PER_KIND["text"]) >= {"leeg", "10k-tekens", "nul", "rtl-override", "emoji", "script"}


# --- signals (tests/test_signals.py has the rest) -----------------------------------------------------------


def _improvement_saved(tenant, title):
    from matching.models import ImprovementProposal

    with scopes_disabled():
        return ImprovementProposal.objects.filter(
            organisation=tenant.organisation, title=title, signal=tenant.objects["signal"]
        ).exists()


def _signal_settings_saved(tenant, **values):
    from matching.models import SignalSettings

    with scopes_disabled():
        return SignalSettings.objects.filter(organisation=tenant.organisation, **values).exists()


def _signal_statuses(tenant):
    from matching.models import ImprovementProposal, Signal

    with scopes_disabled():
        return (
            Signal.objects.get(pk=tenant.objects["signal"].pk).status,
            ImprovementProposal.objects.get(pk=tenant.objects["improvement"].pk).status,
        )
