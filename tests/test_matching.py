"""Suggestions: each criterion moves the ranking the way a coordinator expects, and says why in Dutch."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from matching import suggestions
from matching.explain import explain
from matching.models import HelpRequest, Match, MatchingSettings, MatchSuggestion
from matching.tasks import sweep_suggestions
from netwerken import availability
from netwerken.models import Volunteer

from .factories import (
    AreaFactory,
    CategoryFactory,
    HelpRequestFactory,
    MatchFactory,
    OfferFactory,
    ResidentFactory,
    VolunteerFactory,
)

TUESDAY = datetime.date(2030, 1, 1)  # a Tuesday, in the future
assert TUESDAY.weekday() == 1


@pytest.fixture
def world(db):
    """An organisation with an area, a category and a resident, and helpers to add volunteers."""
    from .factories import OrganisationFactory

    org = OrganisationFactory(slug="wijk")
    area = AreaFactory(organisation=org, name="Noord", latitude=52.0200, longitude=5.0400, postcodes=["3401"])
    far_area = AreaFactory(organisation=org, name="Zuid", latitude=52.0560, longitude=5.0400, postcodes=["3409"])
    shopping = CategoryFactory(organisation=org, name="Boodschappen")
    visiting = CategoryFactory(organisation=org, name="Bezoek", requires_vog=True)
    resident = ResidentFactory(
        organisation=org, name="mevrouw De Vries", area=area, latitude=52.0200, longitude=5.0400, postcode="3401 AB"
    )

    class World:
        pass

    w = World()
    w.org, w.area, w.far_area, w.shopping, w.visiting, w.resident = org, area, far_area, shopping, visiting, resident

    def volunteer(name, **kwargs):
        kwargs.setdefault("categories", [shopping])
        kwargs.setdefault("latitude", 52.0254)  # about 600 m north
        kwargs.setdefault("longitude", 5.0400)
        v = VolunteerFactory(organisation=org, **kwargs)
        with scopes_disabled():
            v.membership.user.name = name
            v.membership.user.save()
        return v

    def request(**kwargs):
        kwargs.setdefault("category", shopping)
        kwargs.setdefault("resident", resident)
        kwargs.setdefault("date", TUESDAY)
        kwargs.setdefault("slots", availability.mask_from_codes(["di-middag"]))
        kwargs.setdefault("status", HelpRequest.Status.SEARCHING)
        return HelpRequestFactory(organisation=org, **kwargs)

    w.volunteer, w.request = volunteer, request
    return w


def ranked(world, help_request):
    with scope(organisation=world.org):
        suggestions.compute_for_request(help_request.pk)
        rows = list(
            MatchSuggestion.objects.filter(help_request=help_request).select_related("volunteer__membership__user")
        )
    return [s.volunteer.membership.user.name for s in rows], rows


# --- hard filters ---------------------------------------------------------------------------------


def test_hard_filters_keep_out_who_cannot_help(world):
    today = timezone.localdate()
    world.volunteer("Past")
    world.volunteer("Andere hulp", categories=[world.visiting])
    world.volunteer("Alleen ochtend", availability=availability.mask_from_codes(["di-ochtend"]))
    world.volunteer("Op vakantie", paused_from=today, paused_until=TUESDAY + datetime.timedelta(days=3))
    world.volunteer("Nog niet actief", status=Volunteer.Status.REGISTERED)
    world.volunteer("Te ver", max_distance_km=0.3)
    other_area = world.volunteer("Alleen Zuid")
    with scopes_disabled():
        other_area.areas.set([world.far_area])
    full = world.volunteer("Vol deze maand", max_requests_per_month=1)
    MatchFactory(volunteer=full, help_request=world.request(), status=Match.Status.ACCEPTED)
    names, _rows = ranked(world, world.request())
    assert names == ["Past"]


def test_offer_in_the_category_counts_even_without_the_profile_category(world):
    driver = world.volunteer("Chauffeur", categories=[], availability=0)
    OfferFactory(volunteer=driver, category=world.shopping, availability=availability.mask_from_codes(["di-middag"]))
    names, _rows = ranked(world, world.request())
    assert names == ["Chauffeur"]


def test_vog_is_required_where_the_category_needs_it(world):
    world.volunteer("Zonder VOG", categories=[world.visiting])
    world.volunteer(
        "Verlopen VOG", categories=[world.visiting], vog_seen=True, vog_expires=TUESDAY - datetime.timedelta(days=1)
    )
    world.volunteer(
        "Met VOG", categories=[world.visiting], vog_seen=True, vog_expires=TUESDAY + datetime.timedelta(days=1)
    )
    names, _rows = ranked(world, world.request(category=world.visiting))
    assert names == ["Met VOG"]


def test_who_declined_is_not_suggested_again(world):
    help_request = world.request()
    declined = world.volunteer("Zei nee")
    world.volunteer("Nog niet gevraagd")
    MatchFactory(help_request=help_request, volunteer=declined, status=Match.Status.DECLINED)
    names, _rows = ranked(world, help_request)
    assert names == ["Nog niet gevraagd"]


# --- criteria and ranking ----------------------------------------------------------------------------


def test_nearer_volunteer_ranks_higher(world):
    world.volunteer("Verder weg", latitude=52.0380)
    world.volunteer("Dichtbij", latitude=52.0209)
    names, rows = ranked(world, world.request())
    assert names == ["Dichtbij", "Verder weg"]
    assert explain(rows[0].criteria)[0][0] == "woont 100 m verderop"
    assert explain(rows[1].criteria)[0][0] == "woont 2 km verderop" or explain(rows[1].criteria)[0][0].startswith(
        "woont 2"
    )


def test_language_of_the_resident_counts(world):
    world.volunteer("Alleen Nederlands", languages="nl")
    world.volunteer("Spreekt Arabisch", languages="nl,ar")
    names, rows = ranked(world, world.request(language="ar"))
    assert names == ["Spreekt Arabisch", "Alleen Nederlands"]
    texts = dict(explain(rows[0].criteria))
    assert "spreekt Arabisch" in texts
    assert "spreekt geen Arabisch" in dict(explain(rows[1].criteria))


def test_work_is_spread_over_volunteers(world):
    busy = world.volunteer("Druk bezet", max_requests_per_month=6)
    world.volunteer("Nog niets gedaan", max_requests_per_month=6)
    for _ in range(3):
        MatchFactory(volunteer=busy, help_request=world.request(date=None), status=Match.Status.ACCEPTED)
    names, rows = ranked(world, world.request())
    assert names[0] == "Nog niets gedaan"
    busy_lines = [text for text, _points in explain(rows[1].criteria)]
    assert "heeft deze maand al 3 hulpvragen" in busy_lines


def test_continuity_brings_back_who_helped_this_resident(world):
    world.volunteer("Onbekende")
    earlier = world.volunteer("Kent haar al", latitude=52.0300)
    MatchFactory(
        volunteer=earlier, help_request=world.request(date=None, status="afgerond"), status=Match.Status.CLOSED
    )
    recurring = world.request(kind="terugkerend", recurrence="wekelijks", date=None)
    names, rows = ranked(world, recurring)
    assert names[0] == "Kent haar al"
    assert "hielp deze bewoner eerder" in [text for text, _ in explain(rows[0].criteria)]


def test_availability_fit_prefers_who_covers_more_of_a_recurring_request(world):
    both = availability.mask_from_codes(["di-middag", "do-middag"])
    world.volunteer("Alleen dinsdag", availability=availability.mask_from_codes(["di-middag"]))
    world.volunteer("Dinsdag en donderdag", availability=both)
    names, rows = ranked(world, world.request(kind="terugkerend", recurrence="wekelijks", date=None, slots=both))
    assert names == ["Dinsdag en donderdag", "Alleen dinsdag"]
    assert "beschikbaar op dinsdagmiddag, donderdagmiddag" in [text for text, _ in explain(rows[0].criteria)]


def test_weights_are_the_organisations_to_tune(world):
    world.volunteer("Dichtbij, spreekt geen Turks", latitude=52.0209, languages="nl")
    world.volunteer("Verder, spreekt Turks", latitude=52.0380, languages="nl,tr")
    help_request = world.request(language="tr")
    with scopes_disabled():
        MatchingSettings.objects.create(organisation=world.org, weight_distance=60, weight_language=0)
    assert ranked(world, help_request)[0][0] == "Dichtbij, spreekt geen Turks"
    with scopes_disabled():
        MatchingSettings.objects.filter(organisation=world.org).update(weight_distance=0, weight_language=60)
    assert ranked(world, help_request)[0][0] == "Verder, spreekt Turks"


def test_every_suggestion_explains_each_criterion(world):
    world.volunteer("Past")
    _names, rows = ranked(world, world.request())
    lines = explain(rows[0].criteria)
    assert [c["key"] for c in rows[0].criteria] == [
        "distance",
        "availability",
        "language",
        "load",
        "continuity",
        "recency",
    ]
    assert [text for text, _ in lines] == [
        "woont 600 m verderop",
        "beschikbaar op dinsdagmiddag",
        "spreekt Nederlands",
        "heeft deze maand nog geen hulpvragen",
        "kent deze bewoner nog niet",
        "heeft nog niet eerder geholpen",
    ]
    assert rows[0].score == pytest.approx(sum(points for _text, points in lines), abs=0.5)


def test_suggestion_run_uses_a_fixed_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    help_request = world.request()
    world.volunteer("Een")
    with scope(organisation=world.org):
        suggestions.compute_for_request(help_request.pk)  # the first run also creates the settings
    with scope(organisation=world.org), CaptureQueriesContext(connection) as one:
        suggestions.compute_for_request(help_request.pk)
    for i in range(30):
        v = world.volunteer(f"Vrijwilliger {i}")
        OfferFactory(volunteer=v, category=world.shopping)
        MatchFactory(volunteer=v, help_request=world.request(date=None), status=Match.Status.CLOSED)
    with scope(organisation=world.org), CaptureQueriesContext(connection) as many:
        stored = suggestions.compute_for_request(help_request.pk)
    assert stored == suggestions.TOP_N
    assert len(many) == len(one) <= 12


# --- when suggestions are (re)computed ----------------------------------------------------------------


def test_searching_computes_suggestions_after_commit(client, world, django_capture_on_commit_callbacks):
    from .factories import MembershipFactory

    world.volunteer("Past")
    help_request = world.request(status=HelpRequest.Status.NEW)
    coordinator = MembershipFactory(organisation=world.org, roles=("coordinator",)).user
    client.force_login(coordinator)
    url = reverse("matching:request_transition", kwargs={"org": "wijk", "help_request": help_request.pk})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url, {"to_status": "zoekend"})
    detail = reverse("matching:request_detail", kwargs={"org": "wijk", "help_request": help_request.pk})
    assert "Suggesties worden berekend" in client.get(detail).content.decode()
    for callback in callbacks:
        callback()
    page = client.get(detail).content.decode()
    assert "Suggesties worden berekend" not in page
    assert "woont 600 m verderop" in page
    fragment = client.get(
        reverse("matching:request_suggestions", kwargs={"org": "wijk", "help_request": help_request.pk})
    )
    assert 'data-state="ready"' in fragment.content.decode()


def test_volunteer_change_updates_the_suggestions_it_affects(world, django_capture_on_commit_callbacks):
    from netwerken import services

    help_request = world.request()
    pausing = world.volunteer("Gaat op vakantie")
    assert ranked(world, help_request)[0] == ["Gaat op vakantie"]
    with django_capture_on_commit_callbacks(execute=True), scope(organisation=world.org):
        services.volunteer_pause(volunteer=pausing, paused_from=timezone.localdate(), paused_until=TUESDAY)
    with scope(organisation=world.org):
        assert not MatchSuggestion.objects.filter(help_request=help_request).exists()
        pausing.refresh_from_db()
    assert pausing.suggestions_synced_at is not None


def test_sweep_redoes_missing_and_stale_suggestions(world, monkeypatch):
    world.volunteer("Past")
    missing = world.request()
    done = world.request()
    with scope(organisation=world.org):
        suggestions.compute_for_request(done.pk)
    Volunteer.objects.with_scopes_disabled().update(suggestions_synced_at=timezone.now())
    computed = []
    monkeypatch.setattr("matching.tasks.compute_suggestions.delay", lambda org, pk: computed.append(pk))
    assert sweep_suggestions.apply().get() == 1
    assert computed == [missing.pk]
    # A task that was asked for but never ran (lost in a broker outage) is redone later.
    HelpRequest.objects.with_scopes_disabled().filter(pk=done.pk).update(
        suggestions_requested_at=timezone.now() - datetime.timedelta(minutes=10),
        suggestions_computed_at=timezone.now() - datetime.timedelta(minutes=20),
    )
    computed.clear()
    sweep_suggestions.apply().get()
    assert set(computed) == {missing.pk, done.pk}


def test_closed_request_loses_its_suggestions(world):
    help_request = world.request()
    world.volunteer("Past")
    ranked(world, help_request)
    HelpRequest.objects.with_scopes_disabled().filter(pk=help_request.pk).update(status="geannuleerd")
    assert ranked(world, help_request)[0] == []


def test_many_changes_in_one_transaction_queue_one_task(world, django_capture_on_commit_callbacks):
    from django.db import transaction

    from matching.tasks import enqueue_suggestions, enqueue_volunteer_sync

    help_request = world.request()
    volunteer = world.volunteer("Een")
    with django_capture_on_commit_callbacks() as callbacks, scope(organisation=world.org), transaction.atomic():
        for _ in range(5):
            enqueue_suggestions(help_request)
            enqueue_volunteer_sync(volunteer)
    assert len(callbacks) == 2
