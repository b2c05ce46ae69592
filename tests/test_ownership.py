"""Object permissions inside one organisation: every object page × every role × whose object it is.

One organisation, two volunteers, each with an offer, a proposed match and an active match on different
requests (and a resident, a batch run with a pair, an area, a category, a membership of their own). Every
tenant route that takes an object is opened by every role (and anonymously) for the acting volunteer's
own object and for the other volunteer's, and the answer must be the one the table below gives. A
volunteer's own pages answer 404 for another volunteer's object, as if it did not exist; staff pages open
any object of the organisation for the staff role that has them, and refuse everyone else with 403.
"""

import zlib
from dataclasses import dataclass

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from matching.calendar_feed import calendar_token_renew
from matching.models import ContactLog, HelpRequest, Match, Offer
from matching.proposals import TOKEN_SALT, proposal_token
from netwerken.models import ActivitySession, Participation, Volunteer
from netwerken.roles import Role

from .conftest import ALL_ROLES, make_tenant
from .factories import (
    ActivityFactory,
    ActivitySessionFactory,
    AreaFactory,
    BatchProposalFactory,
    BatchRunFactory,
    CategoryFactory,
    EscalationFactory,
    FeeEntryFactory,
    FundingFactory,
    HelpRequestFactory,
    HoursEntryFactory,
    MatchFactory,
    NetworkMemberFactory,
    OfferFactory,
    ParticipationFactory,
    ReferralFactory,
    ResidentFactory,
    VolunteerFactory,
)
from .test_roles import set_help_type_for
from .urlmap import tenant_routes

C, V, P, A, F = Role.COORDINATOR, Role.VOLUNTEER, Role.PROFESSIONAL, Role.ORG_ADMIN, Role.FUNDER
OWN = "volunteer's own"  # only the volunteer whose object it is: another volunteer's answers 404
LINK = "emailed link"  # a bearer link: whoever holds it, while the proposal is open
FEED = "calendar feed"  # a bearer address: whoever holds the volunteer's secret token reads it (GET only)


@dataclass(frozen=True)
class OwnOr:
    """The volunteer's own object (another volunteer's answers 404), and any object for these staff roles."""

    staff: frozenset


# A session of an activity the volunteer organises: the organiser records it; the staff any session.
SESSION = OwnOr(frozenset({C, P, A}))

# Who may open each object page. A new tenant page with an object in its URL fails
# test_table_covers_every_object_page until it is listed here.
OBJECT_PAGES = {
    "matching:my_match": OWN,
    "matching:offer_edit": OWN,
    "matching:proposal_link": LINK,
    "matching:volunteer_detail": {C},
    "matching:volunteer_export": {C},
    "matching:volunteer_erase": {C},
    "matching:volunteer_resident": {C},
    "matching:request_detail": {C},
    "matching:request_edit": {C},
    "matching:request_transition": {C},
    "matching:request_suggestions": {C},
    "matching:request_recompute": {C},
    "matching:request_propose": {C},
    "matching:batch_detail": {C},
    "matching:batch_decide": {C},
    "matching:batch_confirm_all": {C},
    "matching:match_detail": {C},
    "netwerken:resident_detail": {C},
    "netwerken:resident_export": {C},
    "netwerken:resident_erase": {C},
    "netwerken:member_edit": {A},
    "netwerken:area_edit": {A},
    "matching:category_edit": {A},
    "matching:escalation_detail": {P},
    "matching:escalation_take_over": {P},
    "matching:escalation_match": {P},
    "matching:escalation_refer": {P},
    "matching:escalation_hand_back": {P},
    "matching:escalation_close": {P},
    "matching:professional_note_add": {P},
    "matching:referral_answer": {P},
    "matching:social_map_edit": {A},
    "matching:signal_detail": {C, P},
    "matching:signal_status": {C, P},
    "matching:signal_propose": {C, P},
    "matching:improvement_status": {C, P},
    "evaluatie:cycle_detail": {A, C},
    "evaluatie:cycle_close": {A, C},
    "evaluatie:survey_add": {A, C},
    "evaluatie:survey_send": {A, C},
    "evaluatie:story_add": {C},
    "evaluatie:story_approve": {A},
    "evaluatie:action_add": {A, C},
    "evaluatie:action_status": {A, C},
    "evaluatie:indicator_rows": {A, C},
    "evaluatie:funder_report": {A, C, F},
    "evaluatie:report_status": {A, C, F},
    "evaluatie:report_request": {A, C, F},
    "evaluatie:report_pdf": {A, C, F},
    "evaluatie:report_xlsx": {A, C, F},
    "evaluatie:report_csv": {A, C, F},
    "netwerken:network_detail": {C, P, A},
    "netwerken:network_edit": {C, P, A},
    "netwerken:member_add": {C, P, A},
    "netwerken:member_leave": {C, P, A},
    "netwerken:member_erase": {C, P, A},
    "matching:my_hours_delete": OWN,
    "matching:calendar_feed": FEED,
    "netwerken:checklist_item_edit": {A, P, C},
    "netwerken:checklist_item_delete": {A, P},
    "netwerken:network_phase": {A, P, C},
    "netwerken:network_phase_move": {A, P},
    "netwerken:activity_detail": {C, P, A},
    "netwerken:activity_edit": {C, P, A},
    "netwerken:activity_stop": {C, P, A},
    "netwerken:session_detail": SESSION,
    "netwerken:participation_toggle": SESSION,
    "netwerken:participant_add": SESSION,
    "netwerken:session_move": SESSION,
    "netwerken:session_cancel": SESSION,
    "matching:signal_propose_activity": {C, P},
    "matching:fee_volunteer_ledger": {C},
    "matching:fee_resident_ledger": {C},
    "matching:fee_correct": {C},
    "netwerken:invitation_resend": {A},
    "netwerken:invitation_revoke": {A},
    "netwerken:member_remove": {A},
    "netwerken:invitation_accept": LINK,
    "netwerken:funding_remove": {A},
}

OBJECT_ROUTES = [route for route in tenant_routes() if set(route.kwargs) - {"org"}]
ROLES = (*ALL_ROLES, None)  # None: not logged in
WHOSE = ("own", "other")  # the acting volunteer's object, or the other volunteer's


def test_table_covers_every_object_page():
    assert {route.name for route in OBJECT_ROUTES} == set(OBJECT_PAGES)


# --- the organisation ------------------------------------------------------------------------------------


def _second_volunteer(tenant):
    """Volunteer 2 with everything volunteer 1 (the tenant's) has: a category, an area, an offer, a
    proposed and an active match, a batch run with a pair, a resident."""
    org = tenant.organisation
    category = CategoryFactory(organisation=org, name="Vervoer")
    area = AreaFactory(organisation=org, name="Zuid", postcodes=["3402"])
    volunteer = VolunteerFactory(
        organisation=org,
        categories=[category],
        area=area,
        phone="+31655500002",
        membership__user__name="Wilma Tweede",
    )
    resident = ResidentFactory(organisation=org, name="Meneer Tweede-Bewoner", street="Zuiderlaan")
    request = HelpRequestFactory(
        organisation=org,
        resident=resident,
        category=category,
        status=HelpRequest.Status.PROPOSED,
        description="Tweedes hulpvraag: naar de huisarts",
    )
    run = BatchRunFactory(organisation=org)
    escalation = EscalationFactory(
        help_request__organisation=org, help_request__resident=resident, help_request__category=category
    )
    referral = ReferralFactory(escalation=escalation, entry__name="Tweedes thuiszorg")
    with scopes_disabled():
        calendar_token_renew(volunteer=volunteer, by=None)
    # An activity volunteer 2 organises, in the same network, with a session and someone at it.
    activity = ActivityFactory(network=tenant.objects["network"], organiser=volunteer, title="Tweedes moestuin")
    session = ActivitySessionFactory(activity=activity)
    member = NetworkMemberFactory(network=tenant.objects["network"], name="Tweedes deelnemer")
    ParticipationFactory(session=session, member=member)
    return {
        "activity": activity,
        "session": session,
        # Staff objects of the organisation, not of a volunteer: the same for both.
        "signal": tenant.objects["signal"],
        "improvement": tenant.objects["improvement"],
        # The organisation's evaluation: staff objects, the same for both volunteers.
        "cycle": tenant.objects["cycle"],
        "indicator": tenant.objects["indicator"],
        "story": tenant.objects["story"],
        "action": tenant.objects["action"],
        # The organisation's networks: staff objects, the same for both volunteers.
        "network": tenant.objects["network"],
        "member": tenant.objects["member"],
        "guest": tenant.objects["guest"],
        # The organisation's phase checklist and its networks: staff objects, the same for both.
        "item": tenant.objects["item"],
        "escalation": escalation,
        "referral": referral,
        "entry": referral.entry,
        "membership": volunteer.membership,
        "area": area,
        "category": category,
        "volunteer": volunteer,
        "offer": OfferFactory(volunteer=volunteer, category=category, description="Tweedes aanbod: fietsen"),
        "resident": resident,
        "help_request": request,
        "match": MatchFactory(help_request=request, volunteer=volunteer),
        "run": run,
        "proposal": BatchProposalFactory(run=run, help_request=request, volunteer=volunteer),
        # Volunteer 2's hours on a session of an activity they organise.
        "hours": HoursEntryFactory(
            volunteer=volunteer,
            session=ActivitySessionFactory(activity__network__organisation=org, activity__organiser=volunteer),
            note="Tweedes uren",
        ),
        "fee": FeeEntryFactory(organisation=org, volunteer=volunteer, resident=resident, category=category),
        # The team's objects: the organisation's, not a volunteer's; another funding, so both can be removed.
        "invitation": tenant.objects["invitation"],
        "invitation_token": tenant.objects["invitation_token"],
        "funding": FundingFactory(organisation=org),
    }


def _active_match(tenant, volunteer, category, description):
    request = HelpRequestFactory(
        organisation=tenant.organisation,
        category=category,
        status=HelpRequest.Status.MATCHED,
        description=description,
        resident__name=f"Bewoner van {description}",
    )
    return MatchFactory(help_request=request, volunteer=volunteer, status=Match.Status.ACCEPTED)


OBJECT_KEYS = ("membership", "area", "category", "volunteer", "offer", "resident", "help_request", "match", "run")
OBJECT_KEYS += ("proposal", "escalation", "referral", "entry", "signal", "improvement")
OBJECT_KEYS += ("cycle", "indicator", "story", "action")
OBJECT_KEYS += ("network", "member")
OBJECT_KEYS += ("hours",)
OBJECT_KEYS += ("item",)
OBJECT_KEYS += ("activity", "session")
OBJECT_KEYS += ("fee",)
OBJECT_KEYS += ("guest",)
OBJECT_KEYS += ("invitation", "invitation_token", "funding")


@pytest.fixture
def organisation(db):
    """(tenant, {"own": volunteer 1's objects, "other": volunteer 2's}); a match is {"proposed", "active"}."""
    tenant = make_tenant(name="Buurthulp Oost", slug="oost")
    own = {key: tenant.objects[key] for key in OBJECT_KEYS}
    other = _second_volunteer(tenant)
    for objects, text in ((own, "Eerstes actieve hulp"), (other, "Tweedes actieve hulp")):
        active = _active_match(tenant, objects["volunteer"], objects["category"], text)
        objects["match"] = {"proposed": objects["match"], "active": active}
    with scopes_disabled():
        assert own["volunteer"].membership == tenant.members[V]
        assert own["volunteer"].pk != other["volunteer"].pk
    return tenant, {"own": own, "other": other}


def _kwargs(route, objects, state):
    kwargs = {}
    for name in route.kwargs:
        if name == "org":
            continue
        if name == "token":
            kwargs[name] = proposal_token(objects["match"][state])
        elif name == "calendar_token":
            with scopes_disabled():
                kwargs[name] = Volunteer.objects.get(pk=objects["volunteer"].pk).calendar_token
        elif name == "match":
            kwargs[name] = objects["match"][state or "proposed"].pk
        else:
            kwargs[name] = objects[name].pk
    return kwargs


def _states(route):
    """A page of a match is opened for a proposed and for an active one (the link: open, then closed)."""
    return ("proposed", "active") if {"match", "token"} & set(route.kwargs) else ("",)


# What a volunteer's own page is sent by POST: the harm it would do to someone else's object.
HARMFUL_POST = {
    # Declining always changes an open proposal (accepting may be refused: the two matches overlap in time).
    "matching:my_match": lambda objects: {"action": "decline", "reason": "Overgenomen door een ander"},
    "matching:offer_edit": lambda objects: {
        "category": objects["category"].pk,
        "description": "Overgenomen door een ander",
        "availability": ["ma-ochtend"],
        "active": "on",
    },
    # A session's pages: untick who was there, add someone, move it, cancel it.
    "netwerken:participation_toggle": lambda objects: {
        "member": objects["member"].pk,
        "field": "attended",
        "value": "0",
    },
    "netwerken:participant_add": lambda objects: {"name": "Overgenomen door een ander"},
    "netwerken:session_move": lambda objects: {"date": "2030-01-01", "start_time": "03:00"},
    "netwerken:session_cancel": lambda objects: {"note": "Overgenomen door een ander"},
}


def expected(route, role, whose, state, method, post_only):
    """The status codes allowed for `role` opening `whose` object on `route` by `method`."""
    page = OBJECT_PAGES[route.name]
    if page == FEED:
        # Public like the link, for reading only: the token is the permission, and the feed takes no input.
        return {200} if method == "get" else {405}
    if page == LINK:
        # Public: the same for everyone, logged in or not, own or other (the link is the permission).
        if state == "active":
            return {410}  # closed: the link no longer answers
        return {200} if method == "get" else {302}
    if role is None:
        return {302}  # to the login page
    if post_only and method == "get":
        return {405}
    if page == OWN:
        if role != V:
            return {403}
        return {200, 302} if whose == "own" else {404}
    if isinstance(page, OwnOr):
        if role in page.staff:
            return {200, 302}
        if role != V:
            return {403}
        return {200, 302} if whose == "own" else {404}
    # A staff page answers a post with a redirect, or with the page again when the form has errors.
    return {200, 302} if role in page else {403}


def _methods(route, role, post_only):
    """GET, except for a POST-only page. Also POST where it changes nothing or must be refused: on a
    volunteer's own pages (the harmful payload), by roles that are refused, by anonymous visitors, and on
    the emailed link. Staff POSTs that would really act (save a form, erase) are the page tests' business."""
    if post_only:
        return ("get", "post")
    page = OBJECT_PAGES[route.name]
    if isinstance(page, OwnOr):
        return ("get",) if role in page.staff else ("get", "post")
    if page in (OWN, LINK, FEED) or role is None or role not in page:
        return ("get", "post")
    return ("get",)


def _snapshot(objects):
    with scopes_disabled():
        return {
            "matches": sorted(
                Match.objects.filter(volunteer=objects["volunteer"]).values_list("pk", "status", "responded_at")
            ),
            "offers": sorted(Offer.objects.filter(volunteer=objects["volunteer"]).values_list("pk", "description")),
            "contact logs": ContactLog.objects.filter(match__volunteer=objects["volunteer"]).count(),
            "sessions": sorted(
                ActivitySession.objects.filter(activity__organiser=objects["volunteer"]).values_list(
                    "pk", "status", "starts_at"
                )
            ),
            "participations": sorted(
                Participation.objects.filter(session__activity__organiser=objects["volunteer"]).values_list(
                    "member_id", "signed_up", "attended"
                )
            ),
        }


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.name)
def test_object_page_answers_by_role_and_owner(client, organisation, route):
    tenant, objects = organisation
    set_help_type_for(tenant, route.name)
    # A POST-only page refuses a member's GET with 405 before anything else (require_POST comes first).
    client.force_login(tenant.user(V))
    own_url = reverse(
        route.name, kwargs={"org": tenant.organisation.slug, **_kwargs(route, objects["own"], _states(route)[0])}
    )
    post_only = client.get(own_url).status_code == 405
    other_before = _snapshot(objects["other"])
    failures, count = [], 0
    # The acting volunteer goes last, and opens the other's object before its own: a harmful POST on its
    # own object (declining its proposal, saving its offer) must not change what the others are answered.
    for role in (C, P, A, F, None, V):
        if role is None:
            client.logout()
        else:
            client.force_login(tenant.user(role))
        for whose in ("other", "own"):
            if OBJECT_PAGES[route.name] == OWN and whose == "own" and role == V:
                # Everyone has tried the other volunteer's objects now: none of it changed their matches,
                # offers or contact logs. (Then the acting volunteer may change its own.)
                if _snapshot(objects["other"]) != other_before:
                    failures.append(
                        f"the other volunteer's data changed: {other_before} → {_snapshot(objects['other'])}"
                    )
            for state in _states(route):
                url = reverse(
                    route.name, kwargs={"org": tenant.organisation.slug, **_kwargs(route, objects[whose], state)}
                )
                for method in _methods(route, role, post_only):
                    data = (
                        HARMFUL_POST[route.name](objects[whose])
                        if method == "post" and route.name in HARMFUL_POST
                        else {}
                    )
                    response = getattr(client, method)(url, data) if method == "post" else client.get(url)
                    count += 1
                    allowed = expected(route, role, whose, state, method, post_only)
                    if response.status_code not in allowed:
                        failures.append(
                            f"{role or 'anonymous'} {method.upper()} {whose} {state + ' ' if state else ''}{url}: "
                            f"{response.status_code}, expected {sorted(allowed)}"
                        )
    print(f"\n{route.name}: {count} requests")
    assert not failures, f"{route.name}:\n" + "\n".join(failures)


# --- a volunteer's pages without an object id show only their own rows ------------------------------------


def test_a_volunteers_pages_show_nothing_of_another_volunteer(client, organisation):
    """Every tenant page without an object in its URL (the dashboard, mijn/*, the data export...), as
    volunteer 1: nothing of volunteer 2's offers, matches, residents or particulars."""
    tenant, objects = organisation
    other = objects["other"]
    with scopes_disabled():
        markers = {
            "name": other["volunteer"].name,
            "email": other["volunteer"].membership.user.email,
            "phone": other["volunteer"].phone,
            "phone (as shown)": "06 55500002",
            "offer": other["offer"].description,
            "proposed request": other["match"]["proposed"].help_request.description,
            "active request": other["match"]["active"].help_request.description,
            "resident": other["resident"].name,
            "active match's resident": other["match"]["active"].help_request.resident.name,
        }
        own_markers = {
            "offer": objects["own"]["offer"].description,
            "active request": objects["own"]["match"]["active"].help_request.description,
        }
    client.force_login(tenant.user(V))
    failures, seen = [], set()
    for route in tenant_routes():
        if set(route.kwargs) != {"org"}:
            continue
        response = client.get(reverse(route.name, kwargs={"org": tenant.organisation.slug}), follow=True)
        body = response.content.decode() if not response.streaming else b"".join(response.streaming_content).decode()
        found = [kind for kind, text in markers.items() if text in body]
        if found:
            failures.append(f"{route.name} → {response.status_code}: {found}")
        seen.update(kind for kind, text in own_markers.items() if text in body)
    assert not failures, "volunteer 1 sees volunteer 2's data:\n" + "\n".join(failures)
    assert seen == set(own_markers), "the volunteer's own pages no longer show their own offer and match"


# --- the emailed proposal link ---------------------------------------------------------------------------


def _link(tenant, token):
    return reverse("matching:proposal_link", kwargs={"org": tenant.organisation.slug, "token": token})


def _with_payload(token, payload):
    """`token` with its signed payload replaced and its signature kept: what editing the id in a link gives."""
    data = signing.JSONSerializer().dumps(payload)
    encoded = "." + signing.b64_encode(zlib.compress(data)).decode()
    _payload, rest = token.split(":", 1)
    return f"{encoded}:{rest}"


def test_proposal_link_opens_only_the_match_it_was_signed_for(client, organisation):
    tenant, objects = organisation
    mine, theirs = objects["own"]["match"]["proposed"], objects["other"]["match"]["proposed"]
    token = proposal_token(mine)
    # The link as mailed: volunteer 1's proposal, and it signs both ids.
    response = client.get(_link(tenant, token))
    assert response.status_code == 200
    assert response.context["match"].pk == mine.pk
    payload = signing.loads(token, salt=TOKEN_SALT)
    assert payload == {"m": mine.pk, "v": mine.volunteer_id}

    forged = {
        "match id edited, signature kept": _with_payload(token, {"m": theirs.pk, "v": mine.volunteer_id}),
        "both ids edited, signature kept": _with_payload(token, {"m": theirs.pk, "v": theirs.volunteer_id}),
        # Signed with the site's key but for the wrong pair (a bug that mints links, a leaked key's misuse):
        # the volunteer id must still belong to the match.
        "signed, match of another volunteer": signing.dumps(
            {"m": theirs.pk, "v": mine.volunteer_id}, salt=TOKEN_SALT, compress=True
        ),
        "signed, match id only": signing.dumps({"m": theirs.pk}, salt=TOKEN_SALT, compress=True),
        "signed, other salt": signing.dumps({"m": theirs.pk, "v": theirs.volunteer_id}, salt="x", compress=True),
    }
    failures = []
    for label, bad in forged.items():
        for method, data in (("get", None), ("post", {"action": "accept"}), ("post", {"action": "decline"})):
            response = client.get(_link(tenant, bad)) if method == "get" else client.post(_link(tenant, bad), data)
            if response.status_code != 404:
                failures.append(f"{label}: {method.upper()} {data or ''} → {response.status_code}")
    with scopes_disabled():
        theirs.refresh_from_db()
    assert not failures, "a forged link opened another match:\n" + "\n".join(failures)
    assert theirs.status == Match.Status.PROPOSED and theirs.responded_at is None

    # The other volunteer's own link still works for them.
    response = client.get(_link(tenant, proposal_token(theirs)))
    assert response.status_code == 200
    assert response.context["match"].pk == theirs.pk


def test_proposal_link_for_a_match_that_went_to_someone_else_is_closed(client, organisation):
    """Volunteer 1's old link, after the proposal ended, does not open (and cannot accept) it again."""
    tenant, objects = organisation
    mine = objects["own"]["match"]["proposed"]
    token = proposal_token(mine)
    with scopes_disabled():
        Match.objects.filter(pk=mine.pk).update(status=Match.Status.WITHDRAWN, closed_at=timezone.now())
    assert client.get(_link(tenant, token)).status_code == 410
    assert client.post(_link(tenant, token), {"action": "accept"}).status_code == 410
    with scopes_disabled():
        mine.refresh_from_db()
    assert mine.status == Match.Status.WITHDRAWN
