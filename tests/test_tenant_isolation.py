"""No URL leaks one organisation's objects to another organisation's users, whatever their role."""

import logging
from unittest import mock

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django_scopes import ScopeError, scope, scopes_disabled

from matching.models import (
    BatchProposal,
    ContactLog,
    Escalation,
    HelpRequest,
    Match,
    MatchSuggestion,
    ProfessionalNote,
    Referral,
    SatisfactionResponse,
    SocialMapEntry,
    StatusChange,
)
from matching.proposals import proposal_token
from netwerken.models import Membership, Resident
from netwerken.roles import Role

from .conftest import ALL_ROLES, make_tenant
from .factories import (
    BatchProposalFactory,
    ConsentFactory,
    HelpRequestFactory,
    MatchFactory,
    OfferFactory,
    ResidentFactory,
    VolunteerFactory,
)
from .test_roles import set_help_type_for
from .urlmap import tenant_routes

# How to fill in each URL keyword for an object that belongs to `tenant`. A new URL keyword fails
# test_every_url_keyword_has_a_filler until it is added here.
FILLERS = {
    "org": lambda tenant: tenant.organisation.slug,
    "membership": lambda tenant: tenant.objects["membership"].pk,
    "area": lambda tenant: tenant.objects["area"].pk,
    "category": lambda tenant: tenant.objects["category"].pk,
    "volunteer": lambda tenant: tenant.objects["volunteer"].pk,
    "offer": lambda tenant: tenant.objects["offer"].pk,
    "help_request": lambda tenant: tenant.objects["help_request"].pk,
    "match": lambda tenant: tenant.objects["match"].pk,
    "resident": lambda tenant: tenant.objects["resident"].pk,
    "run": lambda tenant: tenant.objects["run"].pk,
    "proposal": lambda tenant: tenant.objects["proposal"].pk,
    "token": lambda tenant: proposal_token(tenant.objects["match"]),
    "signal": lambda tenant: tenant.objects["signal"].pk,
    "improvement": lambda tenant: tenant.objects["improvement"].pk,
    "escalation": lambda tenant: tenant.objects["escalation"].pk,
    "entry": lambda tenant: tenant.objects["entry"].pk,
    "referral": lambda tenant: tenant.objects["referral"].pk,
    "cycle": lambda tenant: tenant.objects["cycle"].pk,
    "indicator": lambda tenant: tenant.objects["indicator"].pk,
    "story": lambda tenant: tenant.objects["story"].pk,
    "action": lambda tenant: tenant.objects["action"].pk,
    "network": lambda tenant: tenant.objects["network"].pk,
    "member": lambda tenant: tenant.objects["member"].pk,
    "hours": lambda tenant: tenant.objects["hours"].pk,
    "calendar_token": lambda tenant: calendar_token_of(tenant),
    "item": lambda tenant: tenant.objects["item"].pk,
    "activity": lambda tenant: tenant.objects["activity"].pk,
    "session": lambda tenant: tenant.objects["session"].pk,
    "fee": lambda tenant: tenant.objects["fee"].pk,
    "guest": lambda tenant: tenant.objects["guest"].pk,
    "invitation": lambda tenant: tenant.objects["invitation"].pk,
    "invitation_token": lambda tenant: tenant.objects["invitation_token"].pk,
    "funding": lambda tenant: tenant.objects["funding"].pk,
}

ROUTES = tenant_routes()


def calendar_token_of(tenant):
    """The fixture volunteer's current calendar token (read fresh: a test may have renewed it)."""
    from netwerken.models import Volunteer

    with scopes_disabled():
        return Volunteer.objects.get(pk=tenant.objects["volunteer"].pk).calendar_token


def url_for(route, owner, org_slug):
    kwargs = {name: FILLERS[name](owner) for name in route.kwargs}
    kwargs["org"] = org_slug
    return reverse(route.name, kwargs=kwargs)


def test_the_isolation_test_covers_the_tenant_pages():
    names = {route.name for route in ROUTES}
    assert {"netwerken:org_home", "netwerken:member_edit", "netwerken:funder_dashboard"} <= names
    print(f"\nisolation test covers {len(ROUTES)} tenant URL patterns")


def test_every_url_keyword_has_a_filler():
    missing = {name for route in ROUTES for name in route.kwargs} - FILLERS.keys()
    assert not missing, f"add a filler for URL keyword(s) {missing} in tests/test_tenant_isolation.py"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_other_organisations_pages_answer_404(client, tenant_a, tenant_b, route):
    """A user of A, in every role, asks for B's page with B's objects: the 404 of a page that does not exist."""
    url = url_for(route, tenant_b, tenant_b.organisation.slug)
    for role in ALL_ROLES:
        client.force_login(tenant_a.user(role))
        if getattr(route.view, "tenant_public", False):
            # A public page (sign-up, online request, emailed link) opens for anyone, and shows nobody's data.
            response = client.get(url)
            assert response.status_code == 200, role
            assert_shows_nothing_of(tenant_b, response)
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 404, (method, route.name, role)


@pytest.mark.parametrize("route", [r for r in ROUTES if set(r.kwargs) - {"org"}], ids=lambda r: r.name)
def test_other_organisations_objects_under_own_url_answer_404(client, tenant_a, tenant_b, route):
    """A user of A, in every role, puts B's object ids into A's own URLs: 404 (or 403 without the role)."""
    # A page of one type of buurthulp only: both organisations of that type, or the 404 proves nothing.
    set_help_type_for(tenant_a, route.name)
    set_help_type_for(tenant_b, route.name)
    url = url_for(route, tenant_b, tenant_a.organisation.slug)
    for role in ALL_ROLES:
        client.force_login(tenant_a.user(role))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            # 405: a POST-only URL refuses a GET before looking anything up.
            allowed = (403, 404, 405) if method == "get" else (403, 404)
            assert response.status_code in allowed, (method, route.name, role)
            assert_shows_nothing_of(tenant_b, response)


def assert_shows_nothing_of(tenant, response):
    content = response.content.decode()
    assert tenant.members["coordinator"].user.email not in content
    assert tenant.objects["resident"].name not in content
    assert tenant.objects["volunteer"].phone not in content


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_anonymous_visitors_are_sent_to_login(client, tenant_a, route):
    response = client.get(url_for(route, tenant_a, tenant_a.organisation.slug))
    if getattr(route.view, "tenant_public", False):
        assert response.status_code == 200
        assert_shows_nothing_of(tenant_a, response)
        return
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_unknown_organisation_answers_404_like_a_foreign_one(client, tenant_a):
    client.force_login(tenant_a.user("coordinator"))
    assert client.get("/o/bestaat-niet/").status_code == 404


def test_tenant_queries_outside_a_scope_are_an_error(tenant_a):
    with pytest.raises(ScopeError):
        list(Membership.objects.all())


def test_a_scope_shows_only_its_own_organisation(tenant_a, tenant_b):
    with scope(organisation=tenant_a.organisation):
        own = set(Membership.objects.values_list("organisation_id", flat=True))
    assert own == {tenant_a.organisation.pk}
    with scopes_disabled():
        assert Membership.objects.filter(organisation=tenant_b.organisation).exists()


def test_funder_sees_only_the_organisations_it_funds(client, tenant_a, tenant_b):
    client.force_login(tenant_a.user("funder"))
    own_report = client.get(reverse("netwerken:funder_dashboard", kwargs={"org": tenant_a.organisation.slug}))
    assert own_report.status_code == 200
    foreign_report = client.get(reverse("netwerken:funder_dashboard", kwargs={"org": tenant_b.organisation.slug}))
    assert foreign_report.status_code == 404


def test_funder_report_shows_counts_not_names(client, tenant_a):
    client.force_login(tenant_a.user("funder"))
    response = client.get(reverse("netwerken:funder_dashboard", kwargs={"org": tenant_a.organisation.slug}))
    content = response.content.decode()
    for membership in tenant_a.members.values():
        assert membership.user.email not in content
        assert membership.user.name not in content
    assert response.context["figures"]["volunteer_count"] == 1


# --- every page, search, filter and export, as every role of A: nothing of B ------------------------------
#
# B is seeded with a distinctive marker in every kind of row a page could list; A gets the same rows with
# its own markers, so A's lists are not empty (and the test can show it reached them). Then every tenant
# route that A's objects can fill (all of them, found by walking the resolver) is opened as every role of
# A and anonymously, with and without search and filter query strings, following redirects. A page that
# lists, searches or exports across organisations (a selector that lifts the scope) shows a marker of B.

A_MARK, B_MARK = "pqrs", "qzxv"  # every marker of an organisation starts with its mark
PHONES = {  # (resident, volunteer, second volunteer): B's share the digits 998877, A's 112233
    A_MARK: ("+31611223301", "+31611223302", "+31611223303"),
    B_MARK: ("+31699887701", "+31699887702", "+31699887703"),
}
POSTCODES = {A_MARK: ("3401 AB", "3401 AC"), B_MARK: ("9999 ZZ", "9998 ZY")}


def seed_markers(tenant, mark):
    """Gives every row of `tenant` that a page could show a marker, adds the rows a fuller organisation
    has (an active, a closed, a declined and an ended match, contact logs, suggestions, a dropped batch
    pair, a second volunteer and resident), and returns {kind: text that must not show elsewhere}."""
    m, M = mark, mark.capitalize()
    resident_phone, volunteer_phone, other_phone = PHONES[mark]
    resident_postcode, volunteer_postcode = POSTCODES[mark]
    o = tenant.objects
    markers = {}
    with scopes_disabled():
        org = tenant.organisation
        org.name = f"{M}organisatie Buurthulp"
        org.save()
        markers["organisation name"] = org.name
        for role, membership in tenant.members.items():
            key = role.value.replace("_", "")
            user = membership.user
            user.name, user.email = f"{M}{key} Jansen", f"{m}mail{key}@voorbeeld.nl"
            user.save()
            markers[f"{role.value} name"], markers[f"{role.value} email"] = user.name, user.email
        funder = tenant.funder_membership
        funder.organisation.name = f"{M}gemeente"
        funder.organisation.save()
        funder.user.name, funder.user.email = f"{M}financier Bakker", f"{m}mailfinancier@voorbeeld.nl"
        funder.user.save()
        markers.update({"funder organisation": funder.organisation.name, "funder name": funder.user.name})
        markers["funder email"] = funder.user.email

        o["area"].name = f"{M}buurt"
        o["area"].save()
        o["category"].name = f"{M}soort"
        o["category"].save()
        resident = o["resident"]
        resident.name, resident.street, resident.phone = f"{M}bewoner de Vries", f"{M}straat", resident_phone
        resident.email, resident.postcode = f"{m}mailbewoner@voorbeeld.nl", resident_postcode
        resident.area = o["area"]
        resident.save()
        volunteer = o["volunteer"]
        volunteer.phone, volunteer.postcode, volunteer.area = volunteer_phone, volunteer_postcode, o["area"]
        volunteer.save()
        o["offer"].description = f"{M}aanbod naar het ziekenhuis"
        o["offer"].save()
        request = o["help_request"]
        request.description, request.particulars = f"{M}hulpvraag boodschappen", f"{M}bijzonderheid"
        request.location, request.mobility, request.area = f"{M}locatie", f"{M}mobiliteit", o["area"]
        request.save()
        markers.update(
            {
                "area name": o["area"].name,
                "category name": o["category"].name,
                "resident name": resident.name,
                "resident street": resident.street,
                "resident email": resident.email,
                "resident postcode": resident_postcode,
                "volunteer postcode": volunteer_postcode,
                "offer description": o["offer"].description,
                "request description": request.description,
                "request particulars": request.particulars,
                "request location": request.location,
                "request mobility": request.mobility,
            }
        )
        for kind, phone in (("resident phone", resident_phone), ("volunteer phone", volunteer_phone)):
            markers[kind] = phone
            markers[f"{kind} (as shown)"] = f"06 {phone[4:]}"
            markers[f"{kind} (digits)"] = phone[4:]
        StatusChange.objects.create(
            organisation=org, help_request=request, to_status="voorgesteld", reason=f"{M}statusreden"
        )
        markers["status change reason"] = f"{M}statusreden"
        request.consent.text = f"{M}toestemming"
        request.consent.save()
        markers["consent text"] = request.consent.text

        # A second volunteer and resident, who appear only in lists (not in the URL fillers).
        second = VolunteerFactory(
            organisation=org, phone=other_phone, categories=[o["category"]], membership__user__name=f"{M}tweede Smit"
        )
        OfferFactory(volunteer=second, category=o["category"], description=f"{M}tweedeaanbod")
        ResidentFactory(organisation=org, name=f"{M}buurvrouw Peters", postcode=resident_postcode, area=o["area"])
        markers.update(
            {
                "second volunteer name": second.name,
                "second volunteer email": second.membership.user.email,
                "second offer": f"{M}tweedeaanbod",
                "second resident name": f"{M}buurvrouw Peters",
            }
        )
        # What follows a proposal: declined and ended matches (reasons), an active one (contact logs), a closed one.
        consent = ConsentFactory(organisation=org)
        MatchFactory(
            help_request=request,
            volunteer=second,
            status=Match.Status.DECLINED,
            responded_at=timezone.now(),
            decline_reason=f"{M}afwijsreden",
        )
        MatchFactory(help_request=request, volunteer=second, status=Match.Status.ENDED, end_reason=f"{M}eindreden")
        active_request = HelpRequestFactory(
            organisation=org,
            resident=resident,
            category=o["category"],
            consent=consent,
            status=HelpRequest.Status.MATCHED,
            description=f"{M}actievevraag",
        )
        active = MatchFactory(help_request=active_request, volunteer=volunteer, status=Match.Status.ACCEPTED)
        closed_request = HelpRequestFactory(
            organisation=org,
            resident=resident,
            category=o["category"],
            consent=consent,
            status=HelpRequest.Status.DONE,
            description=f"{M}afgerondevraag",
        )
        closed = MatchFactory(
            help_request=closed_request,
            volunteer=volunteer,
            status=Match.Status.CLOSED,
            closed_at=timezone.now(),
            outcome=Match.Outcome.HELPED,
            closing_note=f"{M}afsluitnotitie",
        )
        searching = HelpRequestFactory(
            organisation=org,
            category=o["category"],
            status=HelpRequest.Status.SEARCHING,
            description=f"{M}zoekendevraag",
            resident__name=f"{M}wachtende Visser",
        )
        for match in (o["match"], active):
            ContactLog.objects.create(
                organisation=org, match=match, date=timezone.localdate(), minutes=30, note=f"{M}contactnotitie"
            )
        SatisfactionResponse.objects.create(
            organisation=org, match=closed, respondent="bewoner", helped=5, would_again=True, comment=f"{M}tevreden"
        )
        for request_ in (request, searching):
            MatchSuggestion.objects.create(organisation=org, help_request=request_, volunteer=second, score=70)
        BatchProposalFactory(
            run=o["run"],
            help_request=searching,
            volunteer=second,
            decision=BatchProposal.Decision.DROPPED,
            note=f"{M}batchnotitie",
        )
        markers.update(
            {
                "declined match reason": f"{M}afwijsreden",
                "ended match reason": f"{M}eindreden",
                "active request description": active_request.description,
                "closed request description": closed_request.description,
                "searching request description": searching.description,
                "searching resident name": searching.resident.name,
                "contact log note": f"{M}contactnotitie",
                "match closing note": f"{M}afsluitnotitie",
                "satisfaction comment": f"{M}tevreden",
                "batch proposal note": f"{M}batchnotitie",
            }
        )
        # The wijkteam's side: the escalation's reason and advice, its notes, the social map and a referral.
        escalation = o["escalation"]
        Escalation.objects.filter(pk=escalation.pk).update(reason=f"{M}opschaalreden", advice=f"{M}advies")
        HelpRequest.objects.filter(pk=escalation.help_request_id).update(description=f"{M}opgeschaaldevraag")
        Resident.objects.filter(pk=escalation.help_request.resident_id).update(name=f"{M}meneer Bakker")
        ProfessionalNote.objects.filter(help_request=escalation.help_request).update(text=f"{M}wijkteamnotitie")
        SocialMapEntry.objects.filter(pk=o["entry"].pk).update(name=f"{M}thuiszorg")
        Referral.objects.filter(pk=o["referral"].pk).update(note=f"{M}verwijsnotitie")
        markers.update(
            {
                "escalation reason": f"{M}opschaalreden",
                "escalation advice": f"{M}advies",
                "escalated request description": f"{M}opgeschaaldevraag",
                "escalated resident name": f"{M}meneer Bakker",
                "professional note": f"{M}wijkteamnotitie",
                "social map entry": f"{M}thuiszorg",
                "referral note": f"{M}verwijsnotitie",
            }
        )
        o["active_match"], o["searching_request"] = active, searching
    return markers


def query_variants(own, other):
    """Query strings each page that reads its query string is opened with: searches that would find only
    the other organisation's rows (its mark, its phone digits, its postcode), filters by status, by own and
    by foreign category and area, a foreign resident's id, pages past the end, the JSON format, the emailed
    link's 'answered'. None of them contains a whole marker, so a page echoing its query is no false alarm."""
    oo, xo = own.objects, other.objects
    slot = "ma-ochtend"
    return [
        "",
        f"?zoek={A_MARK}",  # A's own search finds A's rows: the scan's proof that it reaches the results
        f"?zoek={B_MARK}",
        f"?zoek={B_MARK.upper()}",
        "?zoek=998877",
        "?zoek=%2B3169988",
        "?zoek=069988",
        "?zoek=9999",
        "?zoek=9999ZZ",
        "?status=zoekend",
        "?status=nieuw&status=voorgesteld&status=gekoppeld&status=afgerond&status=actief",
        "?pagina=2",
        "?pagina=999",
        "?formaat=json",
        f"?category={xo['category'].pk}&area={xo['area'].pk}",
        f"?category={oo['category'].pk}&area={oo['area'].pk}&urgency=2&waiting=3",
        f"?bewoner={xo['resident'].pk}",
        f"?vog=geen&slot={slot}",
        "?beantwoord=1",
    ]


def _body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace").lower()
    return response.content.decode(errors="replace").lower()


def _found(body, markers):
    return sorted(kind for kind, text in markers.items() if text.lower() in body)


@pytest.fixture
def marked(db):
    a = make_tenant(name="Buurthulp Oost", slug="oost")
    b = make_tenant(name="Buurthulp West", slug="west")
    a_markers, b_markers = seed_markers(a, A_MARK), seed_markers(b, B_MARK)
    # A's batch run remembers requests left over by id: one of them is B's (a stale or forged id).
    with scopes_disabled():
        a.objects["run"].unassigned = [
            {"request": b.objects["searching_request"].pk, "reason": "category"},
            {"request": a.objects["searching_request"].pk, "reason": "category"},
        ]
        a.objects["run"].save()
    return a, b, a_markers, b_markers


def test_markers_are_distinct_and_unlike_each_other(marked):
    """B's markers are all different, and none of them is part of A's own data (no false alarm)."""
    _a, _b, a_markers, b_markers = marked
    texts = [text.lower() for text in b_markers.values()]
    assert len(set(texts)) == len(texts)
    assert not [(b, a) for b in texts for a in a_markers.values() if b in a.lower()]
    assert b_markers.keys() == a_markers.keys() and len(b_markers) >= 40


# What each role of A must see of A's own markers somewhere on its pages: proof that the scan reached the
# lists, searches and exports (a scan that only met 403s and 404s would find no marker either).
OWN_SEEN = {
    Role.COORDINATOR: {
        "organisation name",
        "resident name",
        "resident street",
        "resident email",
        "resident phone (as shown)",
        "second resident name",
        "searching resident name",
        "volunteer name",
        "volunteer email",
        "volunteer phone (as shown)",
        "second volunteer name",
        "coordinator name",
        "request description",
        "request particulars",
        "request location",
        "active request description",
        "closed request description",
        "category name",
        "area name",
        "offer description",
        "contact log note",
        "match closing note",
        "satisfaction comment",
        "batch proposal note",
        "declined match reason",
        "ended match reason",
        "status change reason",
        "consent text",
    },
    Role.VOLUNTEER: {
        "volunteer name",
        "volunteer phone (as shown)",
        "offer description",
        "request description",
        "active request description",
        "contact log note",
        "category name",
        "area name",
    },
    Role.ORG_ADMIN: {"category name", "area name", "coordinator name", "coordinator email", "second volunteer name"},
    Role.PROFESSIONAL: {"organisation name"},
    Role.FUNDER: {"organisation name", "funder organisation"},
    None: {"organisation name", "category name"},  # the public request form
}


# What a page may show of the whole instance on purpose, by the page shown (after redirects): the org admin
# chooses a funder among every funder organisation on the platform, so B's funder's name is a choice there.
INSTANCE_WIDE = {"netwerken:funder_list": {"funder organisation"}}


def _page_of(response):
    try:
        match = resolve(response.request["PATH_INFO"])
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


class _QueryWatchingRequest(WSGIRequest):
    """The test client's request, counting the tenant requests whose query string was read (by a view, a
    filter, the paginator): a page that never reads it answers every query string alike, so the variants
    are sent only to pages that read it — found per request, so a page added later is covered the same way.
    (Non-tenant pages a redirect ends on, such as the login page reading ?next=, do not count.)"""

    reads = 0

    @cached_property
    def GET(self):
        try:
            tenant = "org" in resolve(self.path_info).kwargs
        except Resolver404:
            tenant = False
        _QueryWatchingRequest.reads += tenant
        return super().GET


def _scan(client, user, a, b, a_markers, b_markers):
    """Every tenant page as `user` (None: anonymous), following redirects, then again with every query variant
    if the page read its query string. GET, or for a POST-only page an empty POST (a stale or tampered form).
    Returns (leaks, A's own marker kinds seen, number of requests, the routes that read their query string)."""
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    variants = query_variants(a, b)
    slugs = [a.organisation.slug]
    if user is not None and user == a.user(Role.FUNDER):
        # A funder also has its own organisation's pages (the overview of what it funds).
        slugs.append(a.funder_membership.organisation.slug)
    leaks, seen, count, queried = [], set(), 0, []

    def open_(method, url):
        nonlocal count
        count += 1
        response = getattr(client, method)(url, follow=True)
        assert response.status_code < 500, (method, url, response.status_code)
        body = _body(response)
        found = [kind for kind in _found(body, b_markers) if kind not in INSTANCE_WIDE.get(_page_of(response), ())]
        if found:
            leaks.append(f"{method.upper()} {url} → {response.status_code}: {found}")
        seen.update(_found(body, a_markers))
        return response

    for slug in slugs:
        for route in ROUTES:
            if slug != a.organisation.slug and set(route.kwargs) != {"org"}:
                continue
            url = url_for(route, a, slug)
            method = "get"
            _QueryWatchingRequest.reads = 0
            if open_(method, url).status_code == 405:
                method = "post"
                _QueryWatchingRequest.reads = 0
                open_(method, url)
            if _QueryWatchingRequest.reads:
                queried.append(route.name)
                for variant in variants[1:]:
                    open_(method, url + variant)
    return leaks, seen, count, queried


@pytest.mark.parametrize("role", [*ALL_ROLES, None], ids=lambda r: r or "anonymous")
def test_no_page_search_or_export_shows_another_organisations_rows(client, marked, role):
    a, b, a_markers, b_markers = marked
    user = a.user(role) if role else None
    quiet = logging.getLogger("django.request")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # hundreds of expected 403s, each logged with a traceback
    try:
        with mock.patch("django.test.client.WSGIRequest", _QueryWatchingRequest):
            leaks, seen, count, queried = _scan(client, user, a, b, a_markers, b_markers)
    finally:
        quiet.setLevel(level)
    print(
        f"\n{role or 'anonymous'}: {count} requests on {len(ROUTES)} routes, query variants on {queried};"
        f" A's own markers seen: {len(seen)} of {len(a_markers)}: {sorted(seen)}"
    )
    assert not leaks, "pages of A show B's rows:\n" + "\n".join(leaks)
    missing = OWN_SEEN[role] - seen
    assert not missing, f"the scan never reached A's own {sorted(missing)}: is it still opening the lists?"


def test_intake_search_finds_a_resident_by_the_whole_phone_number(client, tenant_a):
    """The phone-number searches of the scan above only test isolation if a search by number finds anyone."""
    resident = tenant_a.objects["resident"]
    with scopes_disabled():
        resident.phone = "+31612345678"
        resident.save()
    client.force_login(tenant_a.user(Role.COORDINATOR))
    url = reverse("matching:intake", kwargs={"org": tenant_a.organisation.slug})
    missed = [
        query
        for query in ("0612345678", "06 12345678", "06-12345678", "+31612345678", "+31 6 12345678", "12345678")
        if resident not in client.get(url, {"zoek": query}).context["results"]
    ]
    assert not missed, f"searching for {resident.phone} as {missed} does not find the resident"
