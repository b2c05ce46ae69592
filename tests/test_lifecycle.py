"""Every allowed and every refused status change of a request."""

import itertools

import pytest
from django.urls import reverse
from django_scopes import scope

from matching import lifecycle
from matching.models import HelpRequest, StatusChange

S = HelpRequest.Status
ALL_PAIRS = list(itertools.product(S, S))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in lifecycle.TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in ALL_PAIRS if b not in lifecycle.TRANSITIONS[a]]


def test_the_lifecycle_is_the_one_agreed():
    # voorgesteld and gekoppeld follow from proposals and answers (lifecycle.derive), never from a button.
    assert lifecycle.TRANSITIONS == {
        S.NEW: {S.SEARCHING, S.CANCELLED, S.ESCALATED},
        S.SEARCHING: {S.CANCELLED, S.ESCALATED},
        S.PROPOSED: {S.SEARCHING, S.CANCELLED, S.ESCALATED},
        S.MATCHED: {S.DONE, S.SEARCHING, S.CANCELLED, S.ESCALATED},
        S.DONE: set(),
        S.CANCELLED: {S.NEW},
        S.ESCALATED: {S.SEARCHING, S.DONE, S.CANCELLED},
    }


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED, ids=lambda s: str(s))
def test_allowed_transition_is_made_and_recorded(tenant_a, from_status, to_status):
    help_request = tenant_a.objects["help_request"]
    HelpRequest.objects.with_scopes_disabled().filter(pk=help_request.pk).update(status=from_status)
    coordinator = tenant_a.user("coordinator")
    with scope(organisation=tenant_a.organisation):
        help_request.refresh_from_db()
        lifecycle.request_transition(
            help_request=help_request, to_status=to_status, by=coordinator, reason="Omdat het moet", outcome="geholpen"
        )
        help_request.refresh_from_db()
        change = StatusChange.objects.filter(help_request=help_request).latest("pk")
    assert help_request.status == to_status
    assert (change.from_status, change.to_status, change.by, change.reason) == (
        from_status,
        to_status,
        coordinator,
        "Omdat het moet",
    )


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED, ids=lambda s: str(s))
def test_refused_transition_changes_nothing(tenant_a, from_status, to_status):
    help_request = tenant_a.objects["help_request"]
    HelpRequest.objects.with_scopes_disabled().filter(pk=help_request.pk).update(status=from_status)
    with scope(organisation=tenant_a.organisation):
        help_request.refresh_from_db()
        before = StatusChange.objects.count()
        with pytest.raises(lifecycle.InvalidTransition) as refused:
            lifecycle.request_transition(help_request=help_request, to_status=to_status, reason="x")
        help_request.refresh_from_db()
        assert StatusChange.objects.count() == before
    assert help_request.status == from_status
    assert "kan niet naar" in str(refused.value.message)


@pytest.mark.parametrize("to_status", [S.CANCELLED, S.ESCALATED])
def test_cancel_and_escalate_need_a_reason(tenant_a, to_status):
    help_request = tenant_a.objects["help_request"]
    with scope(organisation=tenant_a.organisation), pytest.raises(lifecycle.InvalidTransition) as refused:
        lifecycle.request_transition(help_request=help_request, to_status=to_status, reason="   ")
    assert str(refused.value.message) == "Geef een reden op."


def test_closing_asks_for_the_outcome(tenant_a):
    help_request = tenant_a.objects["help_request"]
    HelpRequest.objects.with_scopes_disabled().filter(pk=help_request.pk).update(status=S.ESCALATED)
    with scope(organisation=tenant_a.organisation):
        with pytest.raises(lifecycle.InvalidTransition) as refused:
            lifecycle.request_transition(help_request=help_request, to_status=S.DONE)
        assert refused.value.field == "outcome"
        lifecycle.request_transition(help_request=help_request, to_status=S.DONE, outcome="deels")
        help_request.refresh_from_db()
    assert (help_request.status, help_request.outcome) == (S.DONE, "deels")


def test_coordinator_changes_status_from_the_request_page(client, tenant_a):
    help_request = tenant_a.objects["help_request"]
    client.force_login(tenant_a.user("coordinator"))
    url = reverse("matching:request_transition", kwargs={"org": "oost", "help_request": help_request.pk})
    response = client.post(url, {"to_status": "geannuleerd", "reason": ""}, follow=True)
    assert "Geef een reden op." in response.content.decode()
    response = client.post(url, {"to_status": "zoekend"}, follow=True)
    assert "Status gewijzigd naar ‘zoekend’." in response.content.decode()
    response = client.post(url, {"to_status": "afgerond"}, follow=True)
    assert "Een hulpvraag met status ‘zoekend’ kan niet naar ‘afgerond’." in response.content.decode()
    response = client.post(url, {"to_status": "onzin"}, follow=True)
    assert "Deze status bestaat niet." in response.content.decode()
    help_request.refresh_from_db()
    assert help_request.status == "zoekend"
    history = response.context["help_request"].status_changes.all()
    assert [c.to_status for c in history] == ["zoekend"]  # the proposal was withdrawn on the way


def test_request_page_offers_only_allowed_moves(client, tenant_a):
    help_request = tenant_a.objects["help_request"]
    client.force_login(tenant_a.user("coordinator"))
    response = client.get(reverse("matching:request_detail", kwargs={"org": "oost", "help_request": help_request.pk}))
    offered = {t["status"] for t in response.context["transitions"]}
    assert offered == {"zoekend", "geannuleerd", "opgeschaald"}
