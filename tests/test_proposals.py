"""Propose → accept / decline → next, the timers, never double, and closing with the satisfaction question."""

import datetime
import re

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from matching import batch, proposals, suggestions
from matching.models import BatchProposal, BatchRun, HelpRequest, Match, SatisfactionResponse
from matching.tasks import expire_proposals, send_proposal_reminders
from netwerken import availability
from netwerken.models import OutgoingEmail

from .factories import MatchFactory, MembershipFactory
from .test_matching import TUESDAY, world  # noqa: F401 - the shared fixture


@pytest.fixture
def setup(world):  # noqa: F811
    world.coordinator = MembershipFactory(organisation=world.org, roles=("coordinator",)).user
    world.first = world.volunteer("Anna Eerst", latitude=52.0209)
    world.second = world.volunteer("Bram Tweede", latitude=52.0300)
    world.help_request = world.request()
    with scope(organisation=world.org):
        suggestions.compute_for_request(world.help_request.pk)
    return world


def propose(w, volunteer=None, help_request=None):
    with scope(organisation=w.org):
        return proposals.match_propose(
            help_request=help_request or w.help_request, volunteer=volunteer or w.first, by=w.coordinator
        )


def mails_to(email):
    return list(OutgoingEmail.objects.filter(to=email).order_by("pk"))


def test_coordinator_proposes_from_the_request_page(client, setup):
    client.force_login(setup.coordinator)
    url = reverse("matching:request_propose", kwargs={"org": "wijk", "help_request": setup.help_request.pk})
    response = client.post(url, {"volunteer": setup.first.pk}, follow=True)
    assert "Voorgesteld aan Anna Eerst" in response.content.decode()
    setup.help_request.refresh_from_db()
    assert setup.help_request.status == "voorgesteld"
    mail = mails_to(setup.first.membership.user.email)[-1]
    assert mail.subject == "Hulpvraag voor jou: Boodschappen"
    assert setup.resident.name not in mail.body_text and setup.resident.phone not in mail.body_text
    assert setup.resident.postcode not in mail.body_text
    assert "/voorstel/" in mail.body_text


def test_volunteer_sees_the_proposal_in_the_app_without_contact_details(client, setup):
    match = propose(setup)
    client.force_login(setup.first.membership.user)
    dashboard = client.get(reverse("netwerken:volunteer_dashboard", kwargs={"org": "wijk"}))
    assert dashboard.context["proposals"] == [match]
    page = client.get(reverse("matching:my_match", kwargs={"org": "wijk", "match": match.pk})).content.decode()
    assert "Ja, ik help" in page
    assert setup.resident.name not in page and setup.resident.phone not in page


def test_accept_by_emailed_link_with_one_click(client, setup):
    match = propose(setup)
    link = re.search(r"/o/wijk/voorstel/[^/\s]+/", mails_to(setup.first.membership.user.email)[-1].body_text).group(0)
    page = client.get(link)
    assert page.status_code == 200 and "Ja, ik help" in page.content.decode()
    client.post(link, {"action": "accept"})
    match.refresh_from_db()
    setup.help_request.refresh_from_db()
    assert match.status == Match.Status.ACCEPTED
    assert setup.help_request.status == "gekoppeld"
    assert mails_to(setup.coordinator.email)[-1].subject == "Anna Eerst helpt: hulpvraag gekoppeld"
    # The link page itself never shows contact details; the logged-in app does.
    assert setup.resident.phone not in client.get(link).content.decode()
    client.force_login(setup.first.membership.user)
    page = client.get(reverse("matching:my_match", kwargs={"org": "wijk", "match": match.pk})).content.decode()
    assert setup.resident.name in page and setup.resident.phone in page
    from netwerken.models import AccessLog

    with scopes_disabled():
        assert AccessLog.objects.filter(user=setup.first.membership.user, resident=setup.resident).count() == 1


def test_a_forged_or_foreign_link_is_a_404(client, setup, tenant_b):
    match = propose(setup)
    token = proposals.proposal_token(match)
    assert (
        client.get(reverse("matching:proposal_link", kwargs={"org": "wijk", "token": token + "x"})).status_code == 404
    )
    assert client.get(reverse("matching:proposal_link", kwargs={"org": "west", "token": token})).status_code == 404


def test_decline_with_reason_offers_the_next_suggestion(client, setup):
    match = propose(setup)
    client.force_login(setup.first.membership.user)
    url = reverse("matching:my_match", kwargs={"org": "wijk", "match": match.pk})
    client.post(url, {"action": "decline", "reason": "Ik ben dan bij de tandarts"})
    match.refresh_from_db()
    assert (match.status, match.decline_reason) == (Match.Status.DECLINED, "Ik ben dan bij de tandarts")
    with scopes_disabled():
        next_match = Match.objects.get(help_request=setup.help_request, status=Match.Status.PROPOSED)
    assert next_match.volunteer == setup.second
    setup.help_request.refresh_from_db()
    assert setup.help_request.status == "voorgesteld"
    told = mails_to(setup.coordinator.email)[-1]
    assert told.subject == "Anna Eerst kan niet: hulpvraag zoekt verder"
    assert "Ik ben dan bij de tandarts" in told.body_text
    assert mails_to(setup.second.membership.user.email)[-1].subject == "Hulpvraag voor jou: Boodschappen"


def test_decline_without_auto_next_leaves_the_request_searching(setup):
    from matching.models import MatchingSettings

    MatchingSettings.objects.with_scopes_disabled().filter(organisation=setup.org).update(auto_propose_next=False)
    match = propose(setup)
    with scope(organisation=setup.org):
        proposals.match_decline(match=match)
    setup.help_request.refresh_from_db()
    assert setup.help_request.status == "zoekend"
    assert not Match.objects.with_scopes_disabled().filter(status=Match.Status.PROPOSED).exists()


def test_unanswered_proposal_expires_and_goes_to_the_next(setup):
    match = propose(setup)
    Match.objects.with_scopes_disabled().filter(pk=match.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert expire_proposals.apply().get() == 1
    match.refresh_from_db()
    assert match.status == Match.Status.EXPIRED
    assert Match.objects.with_scopes_disabled().get(status=Match.Status.PROPOSED).volunteer == setup.second
    assert mails_to(setup.coordinator.email)[-1].subject == "Geen antwoord van Anna Eerst: voorstel verlopen"
    assert expire_proposals.apply().get() == 0, "running the timer again changes nothing"


def test_one_reminder_before_the_deadline(setup):
    match = propose(setup)
    assert send_proposal_reminders.apply().get() == 0, "48 hours left: too early"
    # 43 of the 48 hours have gone by.
    Match.objects.with_scopes_disabled().filter(pk=match.pk).update(
        proposed_at=timezone.now() - datetime.timedelta(hours=43), deadline=timezone.now() + datetime.timedelta(hours=5)
    )
    assert send_proposal_reminders.apply().get() == 1
    assert send_proposal_reminders.apply().get() == 0
    assert mails_to(setup.first.membership.user.email)[-1].subject.startswith("Herinnering:")


def test_late_accept_is_refused(client, setup):
    match = propose(setup)
    Match.objects.with_scopes_disabled().filter(pk=match.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    with scope(organisation=setup.org), pytest.raises(proposals.ProposalError) as refused:
        proposals.match_accept(match=match)
    assert refused.value.message == "De bedenktijd voor dit voorstel is voorbij."


# --- never double ------------------------------------------------------------------------------------


def test_a_request_gets_one_active_match(setup):
    propose(setup)
    with pytest.raises(proposals.ProposalError) as refused:
        propose(setup, volunteer=setup.second)
    assert refused.value.message == "Deze hulpvraag heeft al genoeg vrijwilligers."


def test_a_group_request_takes_as_many_helpers_as_it_asks(setup):
    group = setup.request(helpers_needed=2, date=TUESDAY + datetime.timedelta(days=7))
    third = setup.volunteer("Cor Derde")
    propose(setup, setup.first, group)
    propose(setup, setup.second, group)
    with pytest.raises(proposals.ProposalError):
        propose(setup, third, group)
    assert sorted(Match.objects.with_scopes_disabled().filter(help_request=group).values_list("place", flat=True)) == [
        1,
        2,
    ]


def test_a_volunteer_is_never_booked_twice_at_the_same_time(setup):
    propose(setup)
    same_time = setup.request(resident=setup.resident)
    with pytest.raises(proposals.ProposalError) as refused:
        propose(setup, setup.first, same_time)
    assert "is op dat moment al gekoppeld of voorgesteld" in refused.value.message
    other_day = setup.request(date=TUESDAY + datetime.timedelta(days=1), slots=availability.ALL)
    propose(setup, setup.first, other_day)


def test_recurring_help_blocks_the_same_weekly_slot(setup):
    weekly = setup.request(
        kind="terugkerend", recurrence="wekelijks", date=None, slots=availability.mask_from_codes(["di-middag"])
    )
    propose(setup, setup.first, weekly)
    with pytest.raises(proposals.ProposalError):
        propose(setup, setup.first)  # the one-off Tuesday afternoon


def test_the_database_refuses_a_second_active_match_for_the_same_place(setup):
    match = propose(setup)
    with pytest.raises(IntegrityError), scopes_disabled():
        MatchFactory(help_request=setup.help_request, volunteer=setup.second, place=match.place)


# --- during and after ---------------------------------------------------------------------------------


def accepted(setup):
    match = propose(setup)
    with scope(organisation=setup.org):
        return proposals.match_accept(match=match)


def test_volunteer_logs_contact_moments(client, setup):
    match = accepted(setup)
    client.force_login(setup.first.membership.user)
    url = reverse("matching:my_match", kwargs={"org": "wijk", "match": match.pk})
    client.post(
        url,
        {
            "action": "contact",
            "contact-date": timezone.localdate().isoformat(),
            "contact-minutes": "45",
            "contact-note": "Boodschappen gedaan",
        },
    )
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = client.post(url, {"action": "contact", "contact-date": future, "contact-minutes": "30"})
    assert "Een contactmoment kan niet in de toekomst liggen." in response.content.decode()
    with scopes_disabled():
        logs = list(match.contact_logs.values_list("minutes", "note"))
    assert logs == [(45, "Boodschappen gedaan")]


def test_coordinator_closes_and_both_answer_the_satisfaction_question(client, setup):
    match = accepted(setup)
    client.force_login(setup.coordinator)
    url = reverse("matching:match_detail", kwargs={"org": "wijk", "match": match.pk})
    client.post(url, {"action": "close", "afsluiten-outcome": "geholpen", "afsluiten-note": "Ging prima"})
    match.refresh_from_db()
    setup.help_request.refresh_from_db()
    assert (match.status, match.outcome, setup.help_request.status) == ("afgesloten", "geholpen", "afgerond")
    assert mails_to(setup.first.membership.user.email)[-1].subject == "Bedankt voor je hulp (Boodschappen)"
    client.post(url, {"action": "satisfaction", "bewoner-helped": "5", "bewoner-would_again": "ja"})
    client.force_login(setup.first.membership.user)
    client.post(
        reverse("matching:my_match", kwargs={"org": "wijk", "match": match.pk}),
        {"action": "satisfaction", "tevreden-helped": "4", "tevreden-would_again": "ja", "tevreden-comment": "Leuk!"},
    )
    with scopes_disabled():
        answers = dict(SatisfactionResponse.objects.values_list("respondent", "helped"))
    assert answers == {"bewoner": 5, "vrijwilliger": 4}


def test_a_recurring_match_keeps_its_log_over_months(setup):
    weekly = setup.request(kind="terugkerend", recurrence="wekelijks", date=None)
    match = propose(setup, setup.first, weekly)
    with scope(organisation=setup.org):
        match = proposals.match_accept(match=match)
        for weeks in range(12):
            proposals.contact_log_add(
                match=match, date=timezone.localdate() - datetime.timedelta(weeks=weeks), minutes=60
            )
        assert match.contact_logs.count() == 12


# --- batch assignment ----------------------------------------------------------------------------------


def test_batch_run_proposes_pairs_and_the_coordinator_confirms_or_drops(client, setup):
    other = setup.request(date=TUESDAY + datetime.timedelta(days=1), slots=availability.ALL)
    client.force_login(setup.coordinator)
    response = client.post(reverse("matching:batch_list", kwargs={"org": "wijk"}))
    run = BatchRun.objects.with_scopes_disabled().get()
    # In tests the task ran... only after commit; run it the way the worker would.
    from matching.tasks import run_batch

    run_batch.apply(args=[setup.org.pk, run.pk])
    assert response.url == reverse("matching:batch_detail", kwargs={"org": "wijk", "run": run.pk})
    run.refresh_from_db()
    assert (run.status, run.progress, run.request_count) == ("klaar", 100, 2)
    assert run.total_score >= run.greedy_score
    progress = client.get(response.url + "?formaat=json").json()
    assert progress == {"status": "klaar", "progress": 100, "done": True}
    pairs = {p.help_request_id: p for p in BatchProposal.objects.with_scopes_disabled().filter(run=run)}
    assert set(pairs) == {setup.help_request.pk, other.pk}
    decide = lambda pair, action: client.post(  # noqa: E731
        reverse("matching:batch_decide", kwargs={"org": "wijk", "run": run.pk, "proposal": pair.pk}), {"action": action}
    )
    decide(pairs[setup.help_request.pk], "confirm")
    decide(pairs[other.pk], "drop")
    with scopes_disabled():
        assert Match.objects.get(help_request=setup.help_request).status == Match.Status.PROPOSED
        assert not Match.objects.filter(help_request=other).exists()
        assert dict(BatchProposal.objects.values_list("help_request_id", "decision")) == {
            setup.help_request.pk: "bevestigd",
            other.pk: "vervallen",
        }


def test_batch_skips_requests_that_already_have_a_proposal(setup):
    propose(setup)
    with scope(organisation=setup.org):
        assert list(batch.open_requests()) == []
    assert HelpRequest.objects.with_scopes_disabled().get(pk=setup.help_request.pk).status == "voorgesteld"
