import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from matching.models import HelpRequest, StatusChange
from netwerken import availability, geo
from netwerken.models import AccessLog, Consent, Resident

from .factories import AreaFactory, ResidentFactory

IN_A_WEEK = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


def intake_payload(tenant, **overrides):
    data = {
        "category": tenant.objects["category"].pk,
        "description": "Boodschappen bij de Albert Heijn, zware tassen",
        "kind": "eenmalig",
        "date": IN_A_WEEK,
        "time_from": "10:00",
        "time_to": "11:30",
        "urgency": "2",
        "helpers_needed": "1",
        "language": "nl",
        "channel": "telefoon",
        "consent": "on",
    }
    data.update(overrides)
    return data


NEW_RESIDENT = {
    "resident_name": "Mevrouw Jansen",
    "resident_phone": "030-1234567",
    "resident_postcode": "3401 xz",
    "resident_house_number": "4",
}


def _intake_url():
    return reverse("matching:intake", kwargs={"org": "oost"})


def test_intake_search_finds_resident_by_name_phone_and_postcode(client, tenant_a, tenant_b):
    resident = tenant_a.objects["resident"]
    client.force_login(tenant_a.user("coordinator"))
    for query in ("de vries", resident.phone[-6:], "3401", "3401ab"):
        results = client.get(_intake_url(), {"zoek": query}).context["results"]
        assert resident in results, query
    assert client.get(_intake_url(), {"zoek": "van west"}).context["results"] == [], "never another organisation's"


def test_intake_for_an_existing_resident(client, tenant_a):
    resident = tenant_a.objects["resident"]
    coordinator = tenant_a.user("coordinator")
    client.force_login(coordinator)
    chosen = client.get(_intake_url(), {"bewoner": resident.pk})
    assert chosen.context["chosen"] == resident
    response = client.post(_intake_url(), intake_payload(tenant_a, resident=resident.pk))
    assert response.status_code == 302
    with scope(organisation=tenant_a.organisation):
        help_request = HelpRequest.objects.select_related("consent").latest("pk")
        before = Resident.objects.count()  # the chosen resident was not copied into a new one
        assert not Resident.objects.filter(name=resident.name).exclude(pk=resident.pk).exists()
        assert before == Resident.objects.count()
        assert [c.to_status for c in StatusChange.objects.filter(help_request=help_request)] == ["nieuw"]
    assert help_request.resident == resident
    assert help_request.status == "nieuw"
    assert (help_request.consent.method, help_request.consent.recorded_by) == (Consent.Method.PHONE, coordinator)
    assert help_request.slots == availability.mask_for_window(
        datetime.date.fromisoformat(IN_A_WEEK), datetime.time(10), datetime.time(11, 30)
    )


def test_intake_for_a_new_resident_resolves_the_area(client, tenant_a):
    client.force_login(tenant_a.user("coordinator"))
    response = client.post(_intake_url(), intake_payload(tenant_a, **NEW_RESIDENT))
    assert response.status_code == 302
    with scopes_disabled():
        resident = Resident.objects.get(name="Mevrouw Jansen")
    assert (resident.phone, resident.postcode) == ("+31301234567", "3401 XZ")
    assert resident.area == tenant_a.objects["area"]


def test_intake_warns_about_a_likely_duplicate_and_allows_override(client, tenant_a):
    existing = tenant_a.objects["resident"]
    client.force_login(tenant_a.user("coordinator"))
    payload = intake_payload(tenant_a, **{**NEW_RESIDENT, "resident_phone": existing.phone})
    response = client.post(_intake_url(), payload)
    assert "Deze bewoner staat er misschien al in." in response.content.decode()
    assert response.context["form"].duplicates == [existing]
    assert 'value="Mevrouw Jansen"' in response.content.decode()
    response = client.post(_intake_url(), {**payload, "allow_duplicate": "1"})
    assert response.status_code == 302


def test_intake_needs_consent_and_a_future_date(client, tenant_a):
    client.force_login(tenant_a.user("coordinator"))
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(_intake_url(), intake_payload(tenant_a, consent="", date=yesterday, **NEW_RESIDENT))
    content = response.content.decode()
    assert "zonder toestemming slaan we niets op" in content
    assert "Deze datum ligt in het verleden." in content
    with scopes_disabled():
        assert not Resident.objects.filter(name="Mevrouw Jansen").exists()


def test_recurring_request_needs_pattern_and_slots(client, tenant_a):
    client.force_login(tenant_a.user("coordinator"))
    response = client.post(_intake_url(), intake_payload(tenant_a, kind="terugkerend", date="", **NEW_RESIDENT))
    content = response.content.decode()
    assert "Kies hoe vaak de hulp nodig is." in content
    assert "Kies minstens één dagdeel." in content
    response = client.post(
        _intake_url(),
        intake_payload(
            tenant_a, kind="terugkerend", date="", recurrence="wekelijks", recurring_slots=["di-middag"], **NEW_RESIDENT
        ),
    )
    assert response.status_code == 302
    with scopes_disabled():
        help_request = HelpRequest.objects.latest("pk")
    assert help_request.slots == availability.mask_from_codes(["di-middag"])


def test_a_one_off_request_with_a_time_but_no_date_asks_for_someone_at_that_time_of_day(client, tenant_a):
    """Defect from the demo: 'in overleg' with 09:30-11:00 was scored as if any time would do."""
    from matching import suggestions
    from matching.models import MatchSuggestion

    from .factories import VolunteerFactory

    client.force_login(tenant_a.user("coordinator"))
    payload = intake_payload(tenant_a, date="", time_from="09:30", time_to="11:00", **NEW_RESIDENT)
    response = client.post(_intake_url(), payload)
    assert response.status_code == 302
    with scopes_disabled():
        help_request = HelpRequest.objects.latest("pk")
    page = client.get(response.url).content.decode()
    assert "dag in overleg, 09:30–11:00" in page

    org, shopping = tenant_a.organisation, tenant_a.objects["category"]
    near = {"latitude": help_request.resident.latitude, "longitude": help_request.resident.longitude}
    morning = VolunteerFactory(
        organisation=org, categories=[shopping], availability=availability.mask_from_codes(["wo-ochtend"]), **near
    )
    evening = VolunteerFactory(
        organisation=org, categories=[shopping], availability=availability.mask_from_codes(["ma-avond"]), **near
    )
    with scope(organisation=org):
        HelpRequest.objects.filter(pk=help_request.pk).update(status=HelpRequest.Status.SEARCHING)
        suggestions.compute_for_request(help_request.pk)
        suggested = set(MatchSuggestion.objects.filter(help_request=help_request).values_list("volunteer", flat=True))
    assert morning.pk in suggested
    assert evening.pk not in suggested, "only free in the evening: no help at 09:30"
    mornings = availability.mask_from_codes([f"{day}-ochtend" for day, _label in availability.DAYS])
    assert help_request.slots == mornings


def test_the_wait_stops_counting_once_the_request_has_a_volunteer(client, tenant_a):
    from .factories import HelpRequestFactory

    now = timezone.now()
    created = now - datetime.timedelta(days=20, hours=1)
    org = tenant_a.organisation
    done = HelpRequestFactory(
        organisation=org, category=tenant_a.objects["category"], status=HelpRequest.Status.DONE, created_at=created
    )
    still = HelpRequestFactory(
        organisation=org, category=tenant_a.objects["category"], status=HelpRequest.Status.SEARCHING, created_at=created
    )
    with scopes_disabled():
        for from_status, to_status, days in (("", "nieuw", 0), ("nieuw", "zoekend", 1), ("zoekend", "gekoppeld", 3)):
            StatusChange.objects.create(
                organisation=org,
                help_request=done,
                from_status=from_status,
                to_status=to_status,
                at=created + datetime.timedelta(days=days),
            )
        StatusChange.objects.create(
            organisation=org, help_request=done, from_status="gekoppeld", to_status="afgerond", at=now
        )
    client.force_login(tenant_a.user("coordinator"))
    page = client.get(reverse("matching:request_detail", kwargs={"org": "oost", "help_request": done.pk}))
    assert "wachtte 3 dagen" in page.content.decode(), "matched three days after it came in"
    assert "20 dagen" not in page.content.decode()
    assert (
        "wacht 20 dagen"
        in client.get(
            reverse("matching:request_detail", kwargs={"org": "oost", "help_request": still.pk})
        ).content.decode()
    )
    listed = {
        r.pk: r.waiting_days
        for r in client.get(
            reverse("matching:request_list", kwargs={"org": "oost"}) + "?status=afgerond&status=zoekend"
        )
        .context["page"]
        .object_list
    }
    assert (listed[done.pk], listed[still.pk]) == (3, 20)


def test_the_suggestions_fragment_opened_directly_is_the_whole_request_page(client, tenant_a):
    help_request = tenant_a.objects["help_request"]
    client.force_login(tenant_a.user("coordinator"))
    url = reverse("matching:request_suggestions", kwargs={"org": "oost", "help_request": help_request.pk})
    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert content.startswith("<!DOCTYPE html>") and "/static/css/" in content, "styled, in the site's layout"
    assert f"<h1>{help_request.category.name} — {help_request.resident.name}</h1>" in content
    assert 'id="suggesties"' in content
    # The request page's own reload still gets the bare fragment.
    fragment = client.get(url, headers={"X-Requested-With": "fetch"}).content.decode()
    assert fragment.startswith('<div id="suggesties"') and "<html" not in fragment


def test_request_detail_is_logged(client, tenant_a):
    help_request = tenant_a.objects["help_request"]
    coordinator = tenant_a.user("coordinator")
    client.force_login(coordinator)
    client.get(reverse("matching:request_detail", kwargs={"org": "oost", "help_request": help_request.pk}))
    with scopes_disabled():
        log = AccessLog.objects.get()
    assert (log.user, log.resident, log.subject_type.model, log.subject_id) == (
        coordinator,
        help_request.resident,
        "helprequest",
        help_request.pk,
    )


def test_request_edit_keeps_consent_and_recomputes_slots(client, tenant_a):
    help_request = tenant_a.objects["help_request"]
    client.force_login(tenant_a.user("coordinator"))
    url = reverse("matching:request_edit", kwargs={"org": "oost", "help_request": help_request.pk})
    payload = intake_payload(
        tenant_a, kind="terugkerend", recurrence="tweewekelijks", recurring_slots=["vr-avond"], date=""
    )
    assert client.post(url, payload).status_code == 302
    help_request.refresh_from_db()
    assert help_request.slots_text == "vrijdagavond"
    assert help_request.consent_id is not None


def online_payload(tenant, **overrides):
    data = {
        "resident_name": "Ahmed Bakkali",
        "resident_phone": "0612345670",
        "resident_postcode": "3401AB",
        "resident_house_number": "7",
        "category": tenant.objects["category"].pk,
        "description": "Wie kan mijn moeder naar het ziekenhuis brengen?",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_resident_asks_online(client, tenant_a):
    url = reverse("matching:online_request", kwargs={"org": "oost"})
    response = client.post(url, online_payload(tenant_a))
    assert response.url == reverse("matching:online_request_thanks", kwargs={"org": "oost"})
    with scopes_disabled():
        help_request = HelpRequest.objects.select_related("consent", "resident").latest("pk")
    assert (help_request.status, help_request.channel) == ("nieuw", "online")
    assert help_request.consent.method == Consent.Method.ONLINE and help_request.consent.recorded_by is None
    assert help_request.resident.area == tenant_a.objects["area"]


def test_honeypot_pretends_success_and_stores_nothing(client, tenant_a):
    url = reverse("matching:online_request", kwargs={"org": "oost"})
    response = client.post(url, online_payload(tenant_a, website="http://spam.example"))
    assert response.status_code == 302
    with scopes_disabled():
        assert not Resident.objects.filter(name="Ahmed Bakkali").exists()


def test_online_requests_are_rate_limited_per_address(client, tenant_a):
    url = reverse("matching:online_request", kwargs={"org": "oost"})
    responses = [client.post(url, online_payload(tenant_a, resident_house_number=str(i + 1))) for i in range(7)]
    assert [r.status_code for r in responses[:5]] == [302] * 5
    assert "Er zijn vanaf dit adres veel hulpvragen verstuurd." in responses[-1].content.decode()
    with scopes_disabled():
        assert HelpRequest.objects.filter(channel="online").count() == 5


def test_funder_organisation_has_no_public_forms(client, tenant_a):
    funder = tenant_a.funder_membership.organisation
    assert client.get(reverse("matching:online_request", kwargs={"org": funder.slug})).status_code == 404
    assert client.get(reverse("matching:volunteer_signup", kwargs={"org": funder.slug})).status_code == 404


# --- location --------------------------------------------------------------------------------------


def test_postcode_resolves_to_area_full_postcode_first(tenant_a):
    org = tenant_a.organisation
    street = AreaFactory(organisation=org, name="Eén straat", latitude=52.5, longitude=5.5, postcodes=["3401 AB"])
    with scope(organisation=org):
        assert geo.resolve_area("3401 AB") == street
        assert geo.resolve_area("3401 AC") == tenant_a.objects["area"]
        assert geo.resolve_area("9999 ZZ") is None
        resident = ResidentFactory.build(organisation=org, postcode="3401 AB")
        geo.locate(resident)
    assert (resident.area, resident.latitude, resident.longitude) == (street, 52.5, 5.5)


def test_distance_between_two_points():
    ijsselstein, lombok = (52.020, 5.043), (52.0925, 5.1035)
    assert geo.distance_km(*ijsselstein, *lombok) == pytest.approx(9.0, abs=0.3)
    assert geo.distance_km(None, None, *lombok) is None


def test_pdok_lookup_is_off_by_default(settings, monkeypatch):
    monkeypatch.setattr("netwerken.geo.urlopen", lambda *a, **k: pytest.fail("network touched"))
    assert geo.pdok_lookup("3401 AB", "1") is None


def test_pdok_lookup_parses_caches_and_survives_failures(settings, monkeypatch):
    settings.PDOK_LOCATIESERVER_URL = "https://pdok.example/free"
    calls = []

    def fake_urlopen(url, timeout):
        calls.append((url, timeout))
        body = {"response": {"docs": [{"centroide_ll": "POINT(5.0431 52.0212)"}]}}
        return io.BytesIO(json.dumps(body).encode())

    monkeypatch.setattr("netwerken.geo.urlopen", fake_urlopen)
    assert geo.pdok_lookup("3401 AB", "1") == (52.0212, 5.0431)
    assert geo.pdok_lookup("3401 AB", "1") == (52.0212, 5.0431)
    assert len(calls) == 1 and calls[0][1] <= 3

    def broken(url, timeout):
        raise TimeoutError("PDOK traag")

    monkeypatch.setattr("netwerken.geo.urlopen", broken)
    assert geo.pdok_lookup("3402 CD", "9") is None


def test_refine_location_task_updates_coordinates(tenant_a, settings, monkeypatch, django_capture_on_commit_callbacks):
    from netwerken import services

    settings.PDOK_LOCATIESERVER_URL = "https://pdok.example/free"
    monkeypatch.setattr("netwerken.geo.pdok_lookup", lambda postcode, number: (52.1, 5.1))
    with django_capture_on_commit_callbacks(execute=True), scope(organisation=tenant_a.organisation):
        resident = services.resident_create(
            organisation=tenant_a.organisation, name="Kees", postcode="3401 AB", house_number="3"
        )
    resident.refresh_from_db()
    assert (resident.latitude, resident.longitude) == (52.1, 5.1)
