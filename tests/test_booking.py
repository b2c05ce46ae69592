"""Matching that is true: booked is booked, the service enforces every hard filter, deadlines before the
help starts, VOG expiry, and a batch that never double-books and explains itself."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from matching import batch, proposals, suggestions
from matching.models import BatchProposal, BatchRun, HelpRequest, Match, MatchSuggestion
from matching.tasks import warn_vog_expiry
from netwerken import availability
from netwerken.models import OutgoingEmail, Volunteer

from .factories import MatchFactory, MembershipFactory
from .test_matching import TUESDAY, world  # noqa: F401 - the shared fixture

TUESDAY_AFTERNOON = availability.mask_from_codes(["di-middag"])
WEDNESDAY = TUESDAY + datetime.timedelta(days=1)


@pytest.fixture
def w(world):  # noqa: F811
    world.coordinator = MembershipFactory(organisation=world.org, roles=("coordinator",)).user
    return world


def suggested(w, help_request):
    with scope(organisation=w.org):
        suggestions.compute_for_request(help_request.pk)
        return set(
            MatchSuggestion.objects.filter(help_request=help_request).values_list(
                "volunteer__membership__user__name", flat=True
            )
        )


def weekly_match(w, volunteer, slots=TUESDAY_AFTERNOON, status=Match.Status.ACCEPTED):
    """The volunteer already helps someone every week at `slots` (or has it proposed)."""
    other = w.request(
        kind=HelpRequest.Kind.RECURRING,
        recurrence=HelpRequest.Recurrence.WEEKLY,
        date=None,
        slots=slots,
        status=HelpRequest.Status.MATCHED if status == Match.Status.ACCEPTED else HelpRequest.Status.PROPOSED,
    )
    return MatchFactory(help_request=other, volunteer=volunteer, status=status)


# --- booked is booked ---------------------------------------------------------------------------------


def test_a_volunteer_with_a_weekly_match_at_that_time_is_not_suggested(w):
    busy = w.volunteer("Bea Bezet")
    w.volunteer("Vera Vrij")
    weekly_match(w, busy)
    tuesday = w.request(time_from=datetime.time(14), time_to=datetime.time(16))
    assert suggested(w, tuesday) == {"Vera Vrij"}
    # Recomputing gives the same answer; on Wednesday Bea is free again.
    assert suggested(w, tuesday) == {"Vera Vrij"}
    wednesday = w.request(date=WEDNESDAY, slots=availability.mask_from_codes(["wo-middag"]))
    assert suggested(w, wednesday) == {"Bea Bezet", "Vera Vrij"}


def test_a_proposal_books_the_volunteer_too_but_only_for_overlapping_hours(w):
    bea = w.volunteer("Bea Bezet")
    morning = w.request(time_from=datetime.time(13), time_to=datetime.time(15), status=HelpRequest.Status.PROPOSED)
    MatchFactory(help_request=morning, volunteer=bea, status=Match.Status.PROPOSED)
    overlapping = w.request(time_from=datetime.time(14), time_to=datetime.time(16))
    later = w.request(time_from=datetime.time(15, 30), time_to=datetime.time(16, 30))
    assert suggested(w, overlapping) == set()
    assert suggested(w, later) == {"Bea Bezet"}


def test_a_hand_made_proposal_for_a_booked_volunteer_is_refused(client, w):
    busy = w.volunteer("Bea Bezet")
    weekly_match(w, busy)
    tuesday = w.request()
    client.force_login(w.coordinator)
    url = reverse("matching:request_propose", kwargs={"org": "wijk", "help_request": tuesday.pk})
    response = client.post(url, {"volunteer": busy.pk}, follow=True)
    assert "Bea Bezet is op dat moment al gekoppeld of voorgesteld." in response.content.decode()
    with scopes_disabled():
        assert not Match.objects.filter(help_request=tuesday).exists()
        assert HelpRequest.objects.get(pk=tuesday.pk).status == HelpRequest.Status.SEARCHING


# --- the service checks every hard filter ---------------------------------------------------------------


def _make(w, case):
    """A volunteer who fails exactly one hard filter for a Tuesday-afternoon request, and the message."""
    today = timezone.localdate()
    help_request = w.request()
    if case == "category":
        volunteer = w.volunteer("Cas", categories=[w.visiting])
        text = "Cas biedt deze soort hulp niet aan."
    elif case == "vog":
        help_request = w.request(category=w.visiting)
        # Valid today, expired on the day of the help.
        volunteer = w.volunteer(
            "Vos", categories=[w.visiting], vog_seen=True, vog_expires=TUESDAY - datetime.timedelta(days=1)
        )
        text = "Vos heeft geen VOG die geldig is op de dag van de hulp"
    elif case == "distance":
        volunteer = w.volunteer("Dirk", latitude=52.2, max_distance_km=1)
        text = "Dirk woont buiten de buurten of de afstand die is opgegeven."
    elif case == "paused":
        volunteer = w.volunteer("Pim", paused_from=today, paused_until=TUESDAY)
        text = "Pim heeft dan pauze."
    elif case == "room":
        volunteer = w.volunteer("Mo", max_requests_per_month=1)
        MatchFactory(
            help_request=w.request(date=WEDNESDAY, slots=availability.mask_from_codes(["wo-middag"])),
            volunteer=volunteer,
            status=Match.Status.PROPOSED,
        )
        text = "Mo heeft het maximum aantal hulpvragen voor deze maand bereikt."
    elif case == "availability":
        volunteer = w.volunteer("Ada", availability=availability.mask_from_codes(["ma-ochtend"]))
        text = "Ada is op dat moment niet beschikbaar."
    elif case == "booked":
        volunteer = w.volunteer("Bo")
        weekly_match(w, volunteer)
        text = "Bo is op dat moment al gekoppeld of voorgesteld."
    elif case == "excluded":
        volunteer = w.volunteer("Ed")
        MatchFactory(help_request=help_request, volunteer=volunteer, status=Match.Status.DECLINED)
        text = "Ed heeft deze hulpvraag al eens voorgesteld gekregen."
    return help_request, volunteer, text


@pytest.mark.parametrize(
    "case", ["category", "vog", "distance", "paused", "room", "availability", "booked", "excluded"]
)
def test_match_propose_refuses_every_hard_filter_in_dutch(w, case):
    help_request, volunteer, text = _make(w, case)
    with scope(organisation=w.org):
        with pytest.raises(proposals.ProposalError) as refused:
            proposals.match_propose(help_request=help_request, volunteer=volunteer, by=w.coordinator)
        assert text in refused.value.message
        assert not Match.objects.filter(help_request=help_request, status__in=Match.ACTIVE).exists()
        # The suggestions leave out the same volunteer, for the same reason.
        suggestions.compute_for_request(help_request.pk)
        assert not MatchSuggestion.objects.filter(help_request=help_request, volunteer=volunteer).exists()


def test_accept_checks_again_what_changed_since_the_proposal(w):
    anna = w.volunteer("Anna")
    help_request = w.request()
    with scope(organisation=w.org):
        match = proposals.match_propose(help_request=help_request, volunteer=anna, by=w.coordinator)
        Volunteer.objects.filter(pk=anna.pk).update(paused_from=timezone.localdate(), paused_until=TUESDAY)
        with pytest.raises(proposals.ProposalError) as refused:
            proposals.match_accept(match=match)
    assert refused.value.message == "Anna heeft dan pauze."
    match.refresh_from_db()
    assert match.status == Match.Status.PROPOSED


# --- deadlines that make sense ----------------------------------------------------------------------------


def _aware(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def test_the_answer_deadline_is_never_after_the_help_starts(w):
    anna = w.volunteer("Anna")
    thursday = timezone.localdate() + datetime.timedelta(days=1)
    help_request = w.request(
        date=thursday,
        time_from=datetime.time(10),
        time_to=datetime.time(12),
        slots=availability.mask_for_window(thursday, datetime.time(10), datetime.time(12)),
    )
    anna.availability = availability.ALL
    with scope(organisation=w.org):
        match = proposals.match_propose(help_request=help_request, volunteer=anna, by=w.coordinator)
    # 48 hours to think it over would end the day after the help; the help starts at 10:00.
    assert match.deadline <= _aware(thursday, 10)
    assert match.deadline == _aware(thursday, 9)
    assert proposals.answer_time_is_short(match) == (match.deadline - match.proposed_at < datetime.timedelta(hours=12))


def test_too_little_time_tells_the_coordinator_to_phone_and_the_phone_agreement_is_recorded(client, w):
    anna = w.volunteer("Anna")
    now = timezone.localtime()
    soon = now + datetime.timedelta(hours=2)
    help_request = w.request(
        date=soon.date(),
        time_from=soon.time().replace(second=0, microsecond=0),
        time_to=None,
        slots=availability.ALL,
    )
    client.force_login(w.coordinator)
    url = reverse("matching:request_propose", kwargs={"org": "wijk", "help_request": help_request.pk})
    page = client.post(url, {"volunteer": anna.pk}, follow=True).content.decode()
    assert "De hulp begint te snel voor een voorstel per e-mail. Bel Anna" in page
    with scopes_disabled():
        assert not Match.objects.filter(help_request=help_request).exists()
    page = client.post(url, {"volunteer": anna.pk, "by_phone": "on"}, follow=True).content.decode()
    assert "Gekoppeld aan Anna, zoals telefonisch afgesproken." in page
    with scopes_disabled():
        match = Match.objects.get(help_request=help_request)
        assert match.status == Match.Status.ACCEPTED
        assert HelpRequest.objects.get(pk=help_request.pk).status == HelpRequest.Status.MATCHED
        assert OutgoingEmail.objects.filter(to=anna.membership.user.email, subject__startswith="Afgesproken").exists()


def test_a_short_answer_time_advises_to_phone_as_well(client, w):
    anna = w.volunteer("Anna")
    start = timezone.localtime() + datetime.timedelta(hours=8)
    help_request = w.request(date=start.date(), time_from=start.time().replace(microsecond=0), slots=availability.ALL)
    client.force_login(w.coordinator)
    url = reverse("matching:request_propose", kwargs={"org": "wijk", "help_request": help_request.pk})
    page = client.post(url, {"volunteer": anna.pk}, follow=True).content.decode()
    assert "Voorgesteld aan Anna" in page
    assert "De hulp begint snel: antwoord vóór" in page and "Bel Anna" in page


def test_a_withdrawn_proposal_tells_the_volunteer_and_not_the_coordinators_that_it_expired(client, w):
    anna = w.volunteer("Anna")
    help_request = w.request()
    with scope(organisation=w.org):
        match = proposals.match_propose(help_request=help_request, volunteer=anna, by=w.coordinator)
    client.force_login(w.coordinator)
    client.post(reverse("matching:match_detail", kwargs={"org": "wijk", "match": match.pk}), {"action": "withdraw"})
    with scopes_disabled():
        to_anna = list(OutgoingEmail.objects.filter(to=anna.membership.user.email).order_by("pk"))
        to_coordinator = list(OutgoingEmail.objects.filter(to=w.coordinator.email))
    assert to_anna[-1].subject == "Voorstel ingetrokken: Boodschappen"
    assert not any("verlopen" in mail.subject for mail in to_coordinator)
    # The old link now says the proposal was withdrawn and shows nothing of the request.
    token = proposals.proposal_token(match)
    response = client.get(reverse("matching:proposal_link", kwargs={"org": "wijk", "token": token}))
    assert response.status_code == 410
    assert "ingetrokken" in response.content.decode() and help_request.description not in response.content.decode()


def test_the_emailed_link_shows_only_what_a_volunteer_needs_to_decide(client, w):
    anna = w.volunteer("Anna")
    help_request = w.request(
        description="Boodschappen; mevrouw is verward en eet slecht",
        mobility="rolstoel",
        particulars="Diabetes",
        pets=True,
        area=w.area,
    )
    with scope(organisation=w.org):
        match = proposals.match_propose(help_request=help_request, volunteer=anna, by=w.coordinator)
    page = client.get(
        reverse("matching:proposal_link", kwargs={"org": "wijk", "token": proposals.proposal_token(match)})
    )
    content = page.content.decode()
    # What it is, when, and the neighbourhood: enough to say yes or no.
    assert page.status_code == 200
    assert "Boodschappen" in content and "Noord" in content and "dinsdag 1 januari 2030" in content
    for secret in ("verward", "rolstoel", "Diabetes", "Huisdieren", w.resident.name):
        assert secret not in content
    with scopes_disabled():
        mail = OutgoingEmail.objects.filter(to=anna.membership.user.email).latest("pk")
    for secret in ("verward", "rolstoel", "Diabetes", w.resident.name):
        assert secret not in mail.body_text


# --- VOG expiry -------------------------------------------------------------------------------------------


def test_vog_expiry_is_warned_six_weeks_ahead_once(w):
    today = timezone.localdate()
    soon = w.volunteer("Sanne", vog_seen=True, vog_expires=today + datetime.timedelta(days=40))
    w.volunteer("Later", vog_seen=True, vog_expires=today + datetime.timedelta(days=60))
    assert warn_vog_expiry.apply().get() == 1
    assert warn_vog_expiry.apply().get() == 0, "one warning per expiry date"
    with scopes_disabled():
        to_sanne = OutgoingEmail.objects.get(to=soon.membership.user.email)
        to_coordinator = OutgoingEmail.objects.get(to=w.coordinator.email)
    assert to_sanne.subject == "Je VOG verloopt binnenkort"
    assert to_coordinator.subject == "VOG verloopt binnenkort: Sanne"
    # A renewed certificate gets its own warning in time.
    Volunteer.objects.with_scopes_disabled().filter(pk=soon.pk).update(vog_expires=today + datetime.timedelta(days=41))
    assert warn_vog_expiry.apply().get() == 1


def test_an_expired_vog_blocks_vog_help_and_shows_on_the_pages(client, w):
    today = timezone.localdate()
    vera = w.volunteer(
        "Vera", categories=[w.visiting, w.shopping], vog_seen=True, vog_expires=today - datetime.timedelta(days=1)
    )
    visit = w.request(category=w.visiting)
    with scope(organisation=w.org), pytest.raises(proposals.ProposalError):
        proposals.match_propose(help_request=visit, volunteer=vera, by=w.coordinator)
    # Help without a VOG requirement is still fine.
    with scope(organisation=w.org):
        proposals.match_propose(help_request=w.request(), volunteer=vera, by=w.coordinator)
    client.force_login(vera.membership.user)
    assert (
        "Je VOG is verlopen op" in client.get(reverse("matching:my_profile", kwargs={"org": "wijk"})).content.decode()
    )
    assert (
        "Je VOG is verlopen op"
        in client.get(reverse("netwerken:volunteer_dashboard", kwargs={"org": "wijk"})).content.decode()
    )
    client.force_login(w.coordinator)
    detail = client.get(reverse("matching:volunteer_detail", kwargs={"org": "wijk", "volunteer": vera.pk}))
    assert "De VOG is verlopen op" in detail.content.decode()
    dashboard = client.get(reverse("netwerken:coordinator_dashboard", kwargs={"org": "wijk"})).content.decode()
    assert "VOG verloopt of is verlopen" in dashboard and "Vera" in dashboard


# --- the batch: never double-booked, and it explains itself ----------------------------------------------


def test_the_batch_never_gives_one_volunteer_two_overlapping_requests_and_every_pair_can_be_confirmed(client, w):
    # Two volunteers with room for two each; three requests at the same Tuesday afternoon and one on Wednesday.
    anna = w.volunteer("Anna", max_requests_per_month=2)
    bram = w.volunteer("Bram", max_requests_per_month=2, latitude=52.03)
    busy = w.volunteer("Bea Bezet")
    weekly_match(w, busy)
    same_time = [w.request(description=f"Tegelijk {i}") for i in range(3)]
    wednesday = w.request(date=WEDNESDAY, slots=availability.mask_from_codes(["wo-middag"]), description="Woensdag")
    with scope(organisation=w.org):
        run = BatchRun.objects.create(organisation=w.org)
        batch.run(run.pk)
        pairs = list(BatchProposal.objects.filter(run=run).select_related("help_request"))
        run.refresh_from_db()
    given = {}
    for pair in pairs:
        given.setdefault(pair.volunteer_id, []).append(pair.help_request)
    for volunteer_id, requests in given.items():
        assert volunteer_id != busy.pk, "Bea is booked on Tuesday afternoons"
        tuesdays = [r for r in requests if r.date == TUESDAY]
        assert len(tuesdays) <= 1, "one volunteer, two requests at one time"
    assert len(pairs) == 3  # two of the three Tuesday requests, and Wednesday
    assert {anna.pk, bram.pk} == set(given)
    assert [row["reason"] for row in run.unassigned] == ["taken"]
    # The page explains each pair, says why one is left over, and confirms everything in one go.
    client.force_login(w.coordinator)
    page = client.get(reverse("matching:batch_detail", kwargs={"org": "wijk", "run": run.pk})).content.decode()
    assert "woont" in page and "punten" in page
    assert "Zonder voorstel" in page and "twee hulpvragen tegelijk" in page
    assert "Alles bevestigen (3 voorstellen)" in page
    response = client.post(reverse("matching:batch_confirm_all", kwargs={"org": "wijk", "run": run.pk}), follow=True)
    assert "3 voorstellen verstuurd." in response.content.decode()
    with scopes_disabled():
        assert set(BatchProposal.objects.filter(run=run).values_list("decision", flat=True)) == {"bevestigd"}
        statuses = set(
            HelpRequest.objects.filter(pk__in=[p.help_request_id for p in pairs]).values_list("status", flat=True)
        )
    assert statuses == {HelpRequest.Status.PROPOSED}
    assert wednesday.pk in {p.help_request_id for p in pairs}
    assert len({r.pk for r in same_time} & {p.help_request_id for p in pairs}) == 2


def test_the_batch_page_states_the_gain_over_greedy_honestly(client, w):
    w.volunteer("Anna")
    w.request()
    with scope(organisation=w.org):
        run = BatchRun.objects.create(organisation=w.org)
        batch.run(run.pk)
    client.force_login(w.coordinator)
    page = client.get(reverse("matching:batch_detail", kwargs={"org": "wijk", "run": run.pk})).content.decode()
    # One request, one volunteer: nothing to gain, and the page says so instead of claiming a gain.
    assert "even goed als steeds het beste losse paar eerst kiezen" in page


def test_a_request_nobody_can_do_is_left_over_with_the_reason(client, w):
    w.volunteer("Anna", categories=[w.shopping])
    visit = w.request(category=w.visiting)
    with scope(organisation=w.org):
        run = BatchRun.objects.create(organisation=w.org)
        batch.run(run.pk)
        run.refresh_from_db()
    assert run.unassigned == [{"request": visit.pk, "reason": "category"}]
    client.force_login(w.coordinator)
    page = client.get(reverse("matching:batch_detail", kwargs={"org": "wijk", "run": run.pk})).content.decode()
    assert "Niemand biedt deze soort hulp aan." in page


def test_editing_a_matched_request_into_a_time_its_volunteer_is_booked_is_refused(client, w):
    bea = w.volunteer("Bea")
    weekly_match(w, bea, slots=availability.mask_from_codes(["wo-middag"]))
    today = timezone.localdate()
    next_tuesday = today + datetime.timedelta(days=(1 - today.weekday()) % 7 or 7)
    next_wednesday = next_tuesday + datetime.timedelta(days=1)
    tuesday = w.request(date=next_tuesday, status=HelpRequest.Status.MATCHED)
    MatchFactory(help_request=tuesday, volunteer=bea, status=Match.Status.ACCEPTED)
    client.force_login(w.coordinator)
    url = reverse("matching:request_edit", kwargs={"org": "wijk", "help_request": tuesday.pk})
    payload = {
        "category": w.shopping.pk,
        "description": "Boodschappen, nu op woensdag",
        "kind": "eenmalig",
        "date": next_wednesday.isoformat(),
        "time_from": "14:00",
        "time_to": "15:00",
        "urgency": "2",
        "helpers_needed": "1",
        "language": "nl",
    }
    response = client.post(url, payload)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Zo past de hulpvraag niet meer bij wie hem al heeft: Bea is op dat moment al gekoppeld" in content, (
        re.findall(r"errorlist.*?</ul>", content)
    )
    assert "Boodschappen, nu op woensdag" in content, "what was typed stays"
    with scopes_disabled():
        assert HelpRequest.objects.get(pk=tuesday.pk).date == next_tuesday
    # Another Tuesday hour is fine.
    response = client.post(url, {**payload, "date": next_tuesday.isoformat()})
    assert response.status_code == 302


def test_two_proposals_at_one_time_the_first_yes_books_it(w):
    # Proposed at one time by two coordinators before anyone noticed (or by an old batch): the volunteer
    # may say yes to either; after that yes, the other can no longer be accepted.
    keen = w.volunteer("Kees")
    first, second = w.request(status=HelpRequest.Status.PROPOSED), w.request(status=HelpRequest.Status.PROPOSED)
    a = MatchFactory(help_request=first, volunteer=keen, status=Match.Status.PROPOSED)
    b = MatchFactory(help_request=second, volunteer=keen, status=Match.Status.PROPOSED)
    with scope(organisation=w.org):
        assert proposals.match_accept(match=b).status == Match.Status.ACCEPTED
        with pytest.raises(proposals.ProposalError) as refused:
            proposals.match_accept(match=a)
    assert refused.value.message == "Kees is op dat moment al gekoppeld of voorgesteld."
