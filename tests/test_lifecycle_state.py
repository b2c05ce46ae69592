"""The lifecycle of a request and its matches, proved over random sequences of every action of every role.

A hypothesis state machine (hypothesis.stateful) drives one small organisation — a coordinator, three
volunteers who can always help, four requests for one helper whose times partly overlap — through random
sequences of everything anyone can do:

- the coordinator proposes by mail, agrees by phone, withdraws a proposal, closes or ends a match, presses
  every button of a request (cancel, escalate, search again, close, reopen, hand back — and the ones that
  are not there, which must be refused), and erases a resident or a volunteer;
- the volunteer accepts or declines, in the app or by the emailed link;
- the timer expires an overdue proposal (and the next suggestion is proposed), the worker computes suggestions.

Each action goes through the service, or through the real view with the test client, so the views'
plumbing is exercised too: hypothesis picks which. A Dutch refusal (ProposalError, InvalidTransition, or
the message a view shows instead) is a valid outcome. After every step these must hold:

1. for every request: an accepted match if and only if it is gekoppeld; nieuw, afgerond, geannuleerd and
   opgeschaald have no proposed or accepted match; voorgesteld if and only if there is a proposed match;
2. no volunteer has two proposed or accepted matches at overlapping times (matching.scoring.times_overlap),
   and a request has at most one proposed or accepted match (helpers_needed=1);
3. the volunteer of a match sees the resident's phone number (as the page renders it) on
   /o/<org>/mijn/koppelingen/<match>/ exactly when the match is accepted, and every other volunteer gets a 404.

Each example runs in its own savepoint, rolled back in teardown, so examples do not leak into each other.
"""

import collections
import datetime
import functools
import itertools
import os
import time

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, Phase, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from matching import lifecycle, proposals, suggestions
from matching.models import HelpRequest, Match, StatusChange
from matching.scoring import times_overlap
from matching.tasks import compute_suggestions, expire_proposals
from netwerken import availability, privacy
from netwerken.models import Resident, Volunteer
from netwerken.validators import format_phone

from .factories import (
    CategoryFactory,
    HelpRequestFactory,
    MembershipFactory,
    OrganisationFactory,
    ResidentFactory,
    VolunteerFactory,
)

S = HelpRequest.Status
M = Match.Status
TUESDAY = datetime.date(2030, 1, 1)
assert TUESDAY.weekday() == 1
ORG = "levensloop"

# Tuned to stay under a minute on two cores: 30 examples of up to 20 steps, every invariant after every
# step. A longer hunt: LIFECYCLE_STATE_EXAMPLES=500 LIFECYCLE_STATE_STEPS=50 pytest tests/test_lifecycle_state.py
MACHINE_SETTINGS = settings(
    max_examples=int(os.environ.get("LIFECYCLE_STATE_EXAMPLES", 30)),
    stateful_step_count=int(os.environ.get("LIFECYCLE_STATE_STEPS", 20)),
    deadline=None,
    database=None,  # nothing written next to the project (.hypothesis); a failure prints its steps
    # Each step costs tens of milliseconds: shrink one failure, skip the explain phase's extra runs.
    report_multiple_bugs=False,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

REQUESTS = range(4)
VOLUNTEERS = range(3)
# A valid reason or outcome most of the time (and first, so a shrunk sequence reads as the usual case);
# a missing or unknown one now and then, which must be refused.
REASONS = st.sampled_from(["De bewoner is verhuisd", "De bewoner is verhuisd", "", "   "])
OUTCOMES = st.sampled_from(["geholpen", "deels", "niet_geholpen", "geholpen", "", "onzin"])
# Choices that prefer (see prefer()): mostly a button the request page shows for its status
# (lifecycle.allowed_transitions), sometimes any status at all, including voorgesteld and gekoppeld, which
# no button may set; mostly a match the action suits (a proposal to answer, an active match to close),
# sometimes any match, so stale clicks are tried too; mostly a request in the status the action is meant for.
CHOICE = st.tuples(st.integers(min_value=0, max_value=3), st.integers(min_value=0, max_value=20))
ALL_STATUSES = [s.value for s in S]
# Through the service, or through the view (the emailed link being the volunteer's second way in).
COORDINATOR_VIA = st.sampled_from(["service", "view"])
VOLUNTEER_VIA = st.sampled_from(["service", "app", "link"])


def prefer(choice, preferred, everything):
    """(0..2, i): the i-th of `preferred` (three in four; and what a shrunk sequence falls back to);
    (3, i): the i-th of `everything`, as when nothing is preferred."""
    mode, index = choice
    options = preferred if preferred and mode < 3 else everything
    return options[index % len(options)] if options else None


# What the runs did (printed by the test; `pytest -s` shows it): how often each action was done or
# refused, and in how many examples each status was reached.
STATISTICS = collections.Counter()


def event(label):
    STATISTICS[label] += 1


@functools.lru_cache(maxsize=4096)
def _reverse(name, kwargs):
    # reverse() costs milliseconds here; the same few URLs are asked for thousands of times.
    return reverse(f"matching:{name}", kwargs={"org": ORG, **dict(kwargs)})


class World:
    """One organisation, made once per test; every example starts from it and is rolled back to it."""

    def __init__(self):
        self.org = OrganisationFactory(name="Buurthulp Levensloop", slug=ORG)
        self.coordinator = MembershipFactory(organisation=self.org, roles=("coordinator",)).user
        self.category = CategoryFactory(organisation=self.org, name="Boodschappen")
        self.volunteers = [
            VolunteerFactory(
                organisation=self.org,
                categories=[self.category],
                availability=availability.ALL,
                max_requests_per_month=100,  # "room" would otherwise end the story after four proposals
                latitude=52.0254,
                longitude=5.0400,
            )
            for _ in VOLUNTEERS
        ]
        for i, volunteer in enumerate(self.volunteers):
            with scopes_disabled():
                volunteer.membership.user.name = f"Vrijwilliger {'ABC'[i]}"
                volunteer.membership.user.save()
        self.residents = [
            ResidentFactory(organisation=self.org, phone=f"+3161234567{i}", latitude=52.02, longitude=5.04)
            for i in REQUESTS
        ]
        di_middag = availability.mask_from_codes(["di-middag"])
        common = {"organisation": self.org, "category": self.category, "helpers_needed": 1}
        self.requests = [
            # Two one-off requests on the same Tuesday afternoon, overlapping hours.
            HelpRequestFactory(
                resident=self.residents[0],
                date=TUESDAY,
                time_from=datetime.time(14),
                time_to=datetime.time(16),
                slots=di_middag,
                status=S.SEARCHING,
                **common,
            ),
            HelpRequestFactory(
                resident=self.residents[1],
                date=TUESDAY,
                time_from=datetime.time(14, 30),
                time_to=datetime.time(15, 30),
                slots=di_middag,
                status=S.SEARCHING,
                **common,
            ),
            # Every Tuesday afternoon: overlaps both.
            HelpRequestFactory(
                resident=self.residents[2],
                kind=HelpRequest.Kind.RECURRING,
                recurrence="wekelijks",
                date=None,
                slots=di_middag,
                status=S.SEARCHING,
                **common,
            ),
            # Wednesday morning: overlaps none.
            HelpRequestFactory(
                resident=self.residents[3],
                date=TUESDAY + datetime.timedelta(days=1),
                time_from=datetime.time(10),
                time_to=datetime.time(12),
                slots=availability.mask_from_codes(["wo-ochtend"]),
                status=S.NEW,
                **common,
            ),
        ]
        overlapping = {(a, b) for a, b in itertools.combinations(REQUESTS, 2) if times_overlap(*self.requests_of(a, b))}
        assert overlapping == {(0, 1), (0, 2), (1, 2)}, overlapping
        with scope(organisation=self.org):
            suggestions.matching_settings()  # the defaults: 48 hours, the next suggestion after a no
        # Logged in once; the sessions live outside the examples' savepoints.
        self.coordinator_client = Client()
        self.coordinator_client.force_login(self.coordinator)
        self.volunteer_clients = []
        for volunteer in self.volunteers:
            client = Client()
            client.force_login(volunteer.membership.user)
            self.volunteer_clients.append(client)
        self.anonymous = Client()

    def requests_of(self, *indexes):
        return [self.requests[i] for i in indexes]


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self, world):
        super().__init__()
        self.w = world
        self.org = world.org
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.verified = set()  # (3)'s (volunteer, match, state) pairs fetched in this example
        self.steps, self.gets, self.reached = 0, 0, set()
        self.erased_once = False
        self._load()

    def teardown(self):
        STATISTICS["examples"] += 1
        STATISTICS["steps"] += self.steps - 1
        STATISTICS["(3) GETs"] += self.gets
        STATISTICS.update(f"examples reaching {what}" for what in self.reached)
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        cache.clear()

    # --- helpers ---------------------------------------------------------------------------------

    def _request(self, r):
        with scope(organisation=self.org):
            return HelpRequest.objects.select_related("resident", "category").get(pk=self.w.requests[r].pk)

    def _volunteer(self, v):
        with scope(organisation=self.org):
            return Volunteer.objects.select_related("membership__user").get(pk=self.w.volunteers[v].pk)

    def _load(self):
        """The organisation's requests and matches as they are now; the rules pick from it, the checks read it.

        Invariants run after every step, so this is never older than the step about to run.
        """
        with scopes_disabled():
            self.requests = {
                r.pk: r for r in HelpRequest.objects.filter(organisation=self.org).select_related("resident")
            }
            self.matches = list(
                Match.objects.filter(organisation=self.org).select_related("help_request", "volunteer").order_by("pk")
            )
            self.erased = dict(Volunteer.objects.filter(organisation=self.org).values_list("pk", "erased_at"))
            self.erased = {pk: at is not None for pk, at in self.erased.items()}
            self.last_change = dict(
                StatusChange.objects.filter(organisation=self.org)
                .order_by("at", "pk")
                .values_list("help_request_id", "to_status")
            )

    def _has_matches(self):
        return bool(self.matches)

    def _has_proposals(self):
        return any(m.status == M.PROPOSED for m in self.matches)

    def _pick(self, pick, prefer_statuses=Match.ACTIVE, only=None):
        """A match: mostly one in a status the action suits, sometimes any match at all."""
        matches = [m for m in self.matches if only is None or m.status in only]
        return prefer(pick, [m for m in matches if m.status in prefer_statuses], matches)

    def _pick_request(self, pick, prefer_statuses):
        """A request's index: mostly one in a status the action is meant for, sometimes any request."""
        statuses = [self.requests[request.pk].status for request in self.w.requests]
        return prefer(pick, [i for i in REQUESTS if statuses[i] in prefer_statuses], list(REQUESTS))

    def _volunteer_index(self, match):
        return next(i for i, v in enumerate(self.w.volunteers) if v.pk == match.volunteer_id)

    def _request_index(self, match):
        return next(i for i, r in enumerate(self.w.requests) if r.pk == match.help_request_id)

    def _describe(self, match):
        return f"match {match.pk} (R{self._request_index(match)}→V{self._volunteer_index(match)}, {match.status})"

    def _service(self, what, call):
        """Runs a service in the organisation's scope; a Dutch refusal is a valid outcome."""
        kind = what.split(":")[0].split(" R")[0].split(" V")[0]
        try:
            with scope(organisation=self.org):
                result = call()
            note(f"  {what}: done")
            event(f"{kind} (service): done")
            return result
        except (proposals.ProposalError, lifecycle.InvalidTransition) as refusal:
            note(f"  {what}: refused ({refusal.message})")
            event(f"{kind} (service): refused: {refusal.message[:70]}")
            return None

    def _post(self, what, client, url, data):
        kind = what.split(":")[0].split(" R")[0].split(" V")[0]
        client.cookies.pop("messages", None)  # only this request's messages
        response = client.post(url, data)
        # A redirect after the change (or the refusal's message), or the page again with a form error.
        assert response.status_code in (200, 302, 403, 404, 410), (what, response.status_code)
        said = [f"{m.level_tag}: {m.message}" for m in get_messages(response.wsgi_request)]
        note(f"  {what}: HTTP {response.status_code} {said}")
        event(f"{kind} (view): HTTP {response.status_code} {said[0][:80] if said else ''}")
        return response

    def _url(self, name, **kwargs):
        return _reverse(name, tuple(sorted(kwargs.items())))

    # --- the coordinator ---------------------------------------------------------------------------

    @rule(request=CHOICE, v=st.sampled_from(VOLUNTEERS), via=COORDINATOR_VIA)
    def coordinator_proposes_by_mail(self, request, v, via):
        r = self._pick_request(request, prefer_statuses=(S.SEARCHING,))
        what = f"coordinator proposes R{r} to V{v} by mail via {via}"
        if via == "view":
            url = self._url("request_propose", help_request=self.w.requests[r].pk)
            self._post(what, self.w.coordinator_client, url, {"volunteer": self.w.volunteers[v].pk})
        else:
            self._service(
                what,
                lambda: proposals.match_propose(
                    help_request=self._request(r), volunteer=self._volunteer(v), by=self.w.coordinator
                ),
            )

    @rule(request=CHOICE, v=st.sampled_from(VOLUNTEERS), via=COORDINATOR_VIA)
    def coordinator_agrees_by_phone(self, request, v, via):
        r = self._pick_request(request, prefer_statuses=(S.SEARCHING,))
        what = f"coordinator records R{r} agreed by phone with V{v} via {via}"
        if via == "view":
            url = self._url("request_propose", help_request=self.w.requests[r].pk)
            self._post(what, self.w.coordinator_client, url, {"volunteer": self.w.volunteers[v].pk, "by_phone": "on"})
        else:
            self._service(
                what,
                lambda: proposals.match_agree_by_phone(
                    help_request=self._request(r), volunteer=self._volunteer(v), by=self.w.coordinator
                ),
            )

    def _match_action(self, name, pick, via, data, service, prefer_statuses):
        match = self._pick(pick, prefer_statuses)
        what = f"coordinator {name}: {self._describe(match)} via {via}"
        if via == "view":
            self._post(what, self.w.coordinator_client, self._url("match_detail", match=match.pk), data)
        else:
            self._service(what, lambda: service(match))

    @precondition(lambda self: self._has_matches())
    @rule(pick=CHOICE, via=COORDINATOR_VIA)
    def coordinator_withdraws(self, pick, via):
        self._match_action(
            "withdraws",
            pick,
            via,
            {"action": "withdraw"},
            lambda m: proposals.match_withdraw(match=m, by=self.w.coordinator),
            prefer_statuses=(M.PROPOSED,),
        )

    @precondition(lambda self: self._has_matches())
    @rule(pick=CHOICE, outcome=OUTCOMES, via=COORDINATOR_VIA)
    def coordinator_closes_match(self, pick, outcome, via):
        self._match_action(
            f"closes ({outcome!r})",
            pick,
            via,
            {"action": "close", "afsluiten-outcome": outcome},
            lambda m: proposals.match_close(match=m, outcome=outcome, by=self.w.coordinator),
            prefer_statuses=(M.ACCEPTED,),
        )

    @precondition(lambda self: self._has_matches())
    @rule(pick=CHOICE, reason=REASONS, via=COORDINATOR_VIA)
    def coordinator_ends_match(self, pick, reason, via):
        self._match_action(
            f"ends ({reason!r})",
            pick,
            via,
            {"action": "end", "beeindigen-reason": reason},
            lambda m: proposals.match_end(match=m, reason=reason, by=self.w.coordinator),
            prefer_statuses=(M.ACCEPTED,),
        )

    @rule(request=CHOICE, button=CHOICE, reason=REASONS, outcome=OUTCOMES, via=COORDINATOR_VIA)
    def coordinator_presses_request_button(self, request, button, reason, outcome, via):
        """Cancel, escalate, search again, close, reopen, hand back — and the buttons that aren't there."""
        # Mostly a request with a proposal or a match: what its buttons do to them is the point.
        r = self._pick_request(request, prefer_statuses=(S.PROPOSED, S.MATCHED))
        status = self.requests[self.w.requests[r].pk].status
        to_status = str(prefer(button, lifecycle.allowed_transitions(status), ALL_STATUSES))
        what = f"coordinator presses R{r} → {to_status} (reason {reason!r}, outcome {outcome!r}) via {via}"
        if via == "view":
            url = self._url("request_transition", help_request=self.w.requests[r].pk)
            data = {"to_status": to_status, "reason": reason, "outcome": outcome}
            self._post(what, self.w.coordinator_client, url, data)
        else:
            self._service(
                what,
                lambda: lifecycle.request_transition(
                    help_request=self._request(r),
                    to_status=to_status,
                    by=self.w.coordinator,
                    reason=reason,
                    outcome=outcome,
                ),
            )

    @rule(who=st.sampled_from([f"R{r}" for r in REQUESTS] + [f"V{v}" for v in VOLUNTEERS]))
    def coordinator_erases(self, who):
        """Erases a request's resident (their open requests are cancelled) or a volunteer (their matches end).

        Once per example: it ends most stories, and hypothesis likes to repeat a step. A second erasure is
        a no-op (not a precondition, which would stop the shrinker from dropping the first one).
        """
        kind, i = who[0], int(who[1:])
        if self.erased_once:
            note(f"  coordinator erases {who}: skipped, one erasure per example")
            return
        self.erased_once = True
        if kind == "R":
            with scope(organisation=self.org):
                resident = Resident.objects.get(pk=self.w.residents[i].pk)
            self._service(
                f"coordinator erases the resident of R{i}",
                lambda: privacy.resident_erase(resident=resident, by=self.w.coordinator),
            )
        else:
            self._service(
                f"coordinator erases V{i}",
                lambda: privacy.volunteer_erase(volunteer=self._volunteer(i), by=self.w.coordinator),
            )

    # --- the volunteer -------------------------------------------------------------------------------

    def _answer(self, name, pick, via, data, service):
        match = self._pick(pick, prefer_statuses=(M.PROPOSED,))
        what = f"volunteer {name}: {self._describe(match)} via {via}"
        if via == "app":
            client = self.w.volunteer_clients[self._volunteer_index(match)]
            self._post(what, client, self._url("my_match", match=match.pk), data)
        elif via == "link":
            token = proposals.proposal_token(match)
            self._post(what, self.w.anonymous, self._url("proposal_link", token=token), data)
        else:
            self._service(what, lambda: service(match))

    @precondition(lambda self: self._has_matches())
    @rule(pick=CHOICE, via=VOLUNTEER_VIA)
    def volunteer_accepts(self, pick, via):
        self._answer("accepts", pick, via, {"action": "accept"}, lambda m: proposals.match_accept(match=m))

    @precondition(lambda self: self._has_matches())
    @rule(pick=CHOICE, reason=REASONS, via=VOLUNTEER_VIA)
    def volunteer_declines(self, pick, reason, via):
        self._answer(
            f"declines ({reason!r})",
            pick,
            via,
            {"action": "decline", "reason": reason},
            lambda m: proposals.match_decline(match=m, reason=reason),
        )

    # --- the timers and the worker ---------------------------------------------------------------

    @precondition(lambda self: self._has_proposals())
    @rule(pick=CHOICE)
    def timer_expires_overdue(self, pick):
        match = self._pick(pick, only=(M.PROPOSED,))
        with scopes_disabled():
            Match.objects.filter(pk=match.pk).update(deadline=timezone.now() - datetime.timedelta(minutes=1))
        expired = expire_proposals.apply().get()
        note(f"  timer: {self._describe(match)} overdue; {expired} expired")
        event(f"timer expires: {expired}")

    @rule(r=st.sampled_from(REQUESTS))
    def worker_computes_suggestions(self, r):
        # In the app this runs after the commit (on_commit), which the test's transaction never reaches.
        computed = compute_suggestions.apply(args=[self.org.pk, self.w.requests[r].pk]).get()
        note(f"  worker: suggestions for R{r}: {computed}")

    # --- the invariants, after every step ----------------------------------------------------------

    @invariant()
    def after_every_step(self):
        self._load()
        self.steps += 1
        self.reached |= {f"request {r.status}" for r in self.requests.values()}
        self.reached |= {f"match {m.status}" for m in self.matches}
        self.check_request_status_agrees_with_its_matches()
        self.check_never_double()
        self.check_contact_details_only_for_the_volunteer_of_an_active_match()

    def check_request_status_agrees_with_its_matches(self):
        """(1) gekoppeld iff an accepted match; voorgesteld iff a proposed one; no match in the other states."""
        for i, request in enumerate(self.w.requests):
            status = self.requests[request.pk].status
            statuses = [m.status for m in self.matches if m.help_request_id == request.pk]
            accepted, proposed = statuses.count(M.ACCEPTED), statuses.count(M.PROPOSED)
            context = f"R{i} is {status} with matches {statuses}"
            assert (accepted > 0) == (status == S.MATCHED), context
            assert (proposed > 0) == (status == S.PROPOSED), context
            if status in lifecycle.WITHOUT_MATCHES:
                assert accepted == proposed == 0, context
            # And the record tells the same story: its last change is to the status the request has.
            last = self.last_change.get(request.pk)
            if last is not None:
                assert last == status, f"{context}; the last recorded change is to {last}"

    def check_never_double(self):
        """(2) one active match per request; no volunteer proposed or matched twice at one time."""
        active = [m for m in self.matches if m.status in Match.ACTIVE]
        for i, request in enumerate(self.w.requests):
            mine = [self._describe(m) for m in active if m.help_request_id == request.pk]
            assert len(mine) <= 1, f"R{i} has {len(mine)} active matches: {mine}"
        for volunteer in self.w.volunteers:
            mine = [m for m in active if m.volunteer_id == volunteer.pk]
            for a, b in itertools.combinations(mine, 2):
                assert not times_overlap(a.help_request, b.help_request), (
                    f"booked twice at one time: {self._describe(a)} and {self._describe(b)}"
                )

    def check_contact_details_only_for_the_volunteer_of_an_active_match(self):
        """(3) GET mijn/koppelingen/<match>/ as every volunteer: the phone exactly for the volunteer of an
        accepted match, a 404 for everyone else.

        The page depends on the match's status, its request's status, the resident's phone and whether the
        volunteers still exist; a (volunteer, match) pair is fetched again whenever any of those changed since
        it was last verified in this example, so the check holds after every step at a fraction of the GETs.
        """
        for match in self.matches:
            request = self.requests[match.help_request_id]
            resident = request.resident
            for v, client in enumerate(self.w.volunteer_clients):
                viewer_erased = self.erased[self.w.volunteers[v].pk]
                key = (match.pk, v, match.status, request.status, resident.phone, viewer_erased)
                if key in self.verified:
                    continue
                self.verified.add(key)
                response = client.get(self._url("my_match", match=match.pk))
                self.gets += 1
                where = f"{self._describe(match)} seen by V{v}"
                if viewer_erased:
                    # Erased: logged out (a redirect to the login page) or no longer a volunteer.
                    assert match.volunteer_id != self.w.volunteers[v].pk or match.status != M.ACCEPTED, where
                    assert response.status_code in (302, 403, 404), (where, response.status_code)
                    continue
                if match.volunteer_id != self.w.volunteers[v].pk:
                    # Another volunteer's match is as unknown as a missing one.
                    assert response.status_code == 404, (where, response.status_code)
                    continue
                assert response.status_code == 200, (where, response.status_code)
                active = match.status == M.ACCEPTED
                assert response.context["show_contact_details"] == active, where
                page = response.content.decode()
                for phone in {resident.phone, format_phone(resident.phone)} - {""}:
                    assert (phone in page) == active, f"{where}: phone {phone} on the page: {phone in page}"


def test_request_and_matches_keep_one_state_over_random_sequences(db):
    world = World()
    STATISTICS.clear()
    started = time.monotonic()
    run_state_machine_as_test(lambda: LifecycleMachine(world), settings=MACHINE_SETTINGS)
    print(f"\n{time.monotonic() - started:.1f} s")
    for label, count in sorted(STATISTICS.items()):
        print(f"{count:6d}  {label}")
