"""No dead end after sign-up (issue 11, point 3): someone with an account and no organisation chooses one by
postcode or from the list and becomes a volunteer candidate there with one confirmation; every new volunteer
sees what happens next; the coordinators are told of every new online request and volunteer, by mail (one per
coordinator, nothing of the resident) and under 'Nieuw binnengekomen' on their dashboard."""

import html
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from matching import services
from matching.models import HelpRequest
from netwerken.consent import volunteer_consent_text
from netwerken.models import Consent, Membership, Organisation, OutgoingEmail, User, Volunteer
from netwerken.roles import Role

from .factories import (
    AreaFactory,
    FunderFactory,
    HelpRequestFactory,
    MembershipFactory,
    UserFactory,
    VolunteerFactory,
)

PHONE = "+31348123456"
C = HelpRequest.Channel


def _text(response):
    return html.unescape(response.content.decode())


def _join_url(slug):
    return reverse("matching:volunteer_join", kwargs={"org": slug})


def _thanks_url(slug):
    return reverse("matching:volunteer_signup_thanks", kwargs={"org": slug})


@pytest.fixture
def newcomer(client, tenant_a, tenant_b):
    """Someone who made an account at /accounts/signup/ and belongs nowhere; Oost has a phone number, West has
    a neighbourhood of its own (3531) besides the fixture's shared 3401."""
    with scopes_disabled():
        Organisation.objects.filter(pk=tenant_a.organisation.pk).update(phone=PHONE)
    tenant_a.organisation.refresh_from_db()
    AreaFactory(organisation=tenant_b.organisation, name="Lombok", postcodes=["3531"])
    FunderFactory(name="Gemeente Nergens", slug="nergens")
    user = UserFactory(email="fatima@example.nl", name="Fatima El Amrani")
    client.force_login(user)
    return user


def _payload(**overrides):
    return {"phone": "06 12345678", "postcode": "3401ab", "house_number": "12a", "consent": "on", **overrides}


def _coordinator_emails(tenant):
    with scopes_disabled():
        return set(
            Membership.objects.filter(organisation=tenant.organisation, is_coordinator=True).values_list(
                "user__email", flat=True
            )
        )


@pytest.fixture
def two_coordinators(tenant_a):
    MembershipFactory(organisation=tenant_a.organisation, roles=(Role.COORDINATOR,))
    emails = _coordinator_emails(tenant_a)
    assert len(emails) == 2
    return emails


# --- 1. choosing an organisation ------------------------------------------------------------------------


def test_without_organisation_the_home_page_leads_to_choosing_one(client, newcomer):
    response = client.get(reverse("home"))
    text = _text(response)
    assert response.status_code == 200
    assert "Kies je buurthulporganisatie" in text
    assert "Je bent nog niet aan een organisatie verbonden" not in text
    assert "Welke buurthulp is er bij mij?" in text
    # Every organisation of the list can be chosen; a funder is not in the list and cannot be.
    assert f'href="{_join_url("oost")}"' in text and f'href="{_join_url("west")}"' in text
    assert "Gemeente Nergens" not in text and _join_url("nergens") not in text
    assert text.count("<h1") == 1


def test_by_postcode_only_the_organisations_found_are_offered_with_the_postcode(client, newcomer):
    text = _text(client.get(reverse("home"), {"postcode": "3531"}))
    results = text.split('id="kop-bij-mij"')[1].split('id="kop-organisaties"')[0]
    assert f'href="{_join_url("west")}?postcode=3531"' in results
    assert _join_url("oost") not in results
    assert "buurt Lombok" in results


def test_a_bad_postcode_is_a_dutch_error_and_keeps_what_was_typed(client, newcomer):
    response = client.get(reverse("home"), {"postcode": "34O1 AB"})
    text = _text(response)
    assert response.status_code == 200
    lookup = text.split('id="kop-bij-mij"')[1].split('id="kop-organisaties"')[0]
    assert "herkennen we niet als postcode" in lookup
    assert 'value="34O1 AB"' in lookup
    # and the list is still there to choose from
    assert f'href="{_join_url("oost")}"' in text


def test_a_member_is_still_sent_to_their_organisation(client, tenant_a):
    client.force_login(tenant_a.user(Role.COORDINATOR))
    assert client.get(reverse("home")).status_code == 302


# --- 2. one confirmation: a volunteer candidate ----------------------------------------------------------


def test_one_confirmation_makes_a_candidate_with_consent(client, newcomer, tenant_a):
    page = _text(client.get(_join_url("oost"), {"postcode": "3401 AB"}))
    assert "Word vrijwilliger bij Buurthulp Oost" in page
    assert 'value="3401 AB"' in page, "the postcode of the lookup is filled in"
    consent_text = volunteer_consent_text(tenant_a.organisation)
    assert consent_text in page
    form = page.split("<main")[1].split("</form>")[0]
    assert form.count('type="submit"') == 1 and "Ja, meld me aan bij Buurthulp Oost" in form

    response = client.post(_join_url("oost"), _payload())
    assert response.status_code == 302 and response.url == _thanks_url("oost")
    with scopes_disabled():
        volunteer = Volunteer.objects.select_related("membership", "consent").get(membership__user=newcomer)
    assert volunteer.organisation == tenant_a.organisation
    assert volunteer.membership.is_volunteer and not volunteer.membership.is_coordinator
    # The same record and status as the organisation's own sign-up makes.
    assert volunteer.status == Volunteer.Status.REGISTERED
    assert (volunteer.phone, volunteer.postcode, volunteer.house_number) == ("+31612345678", "3401 AB", "12a")
    assert volunteer.area == tenant_a.objects["area"]
    assert volunteer.consent.method == Consent.Method.ONLINE and volunteer.consent.text == consent_text

    # Now a member: home leads to the organisation, and the thanks page says what happens next.
    thanks = _text(client.get(response.url))
    assert "Wat gebeurt er nu?" in thanks
    assert "belt je binnen een paar dagen voor een kennismakingsgesprek" in thanks
    assert f'href="tel:{PHONE}"' in thanks and "0348 123 456" in thanks
    assert client.get(reverse("home")).status_code == 302


def test_a_second_confirmation_says_so_and_makes_no_second_candidate(client, newcomer, tenant_a):
    client.post(_join_url("oost"), _payload())
    response = client.post(_join_url("oost"), _payload(), follow=True)
    assert response.status_code == 200
    assert "Je bent al vrijwilliger bij Buurthulp Oost" in _text(response)
    with scopes_disabled():
        assert Volunteer.objects.filter(membership__user=newcomer).count() == 1
    # and opening the page again says it too
    assert "Je bent al vrijwilliger bij Buurthulp Oost" in _text(client.get(_join_url("oost"), follow=True))


def test_an_existing_volunteer_is_told_so_not_signed_up_again(client, tenant_a):
    volunteer = tenant_a.objects["volunteer"]
    client.force_login(tenant_a.user(Role.VOLUNTEER))
    response = client.post(_join_url("oost"), _payload(), follow=True)
    assert "Je bent al vrijwilliger bij Buurthulp Oost" in _text(response)
    with scopes_disabled():
        assert Volunteer.objects.filter(membership__user=volunteer.membership.user).count() == 1
        assert Volunteer.objects.get(pk=volunteer.pk).status == Volunteer.Status.ACTIVE


def test_the_service_itself_refuses_a_duplicate(tenant_a):
    user = tenant_a.user(Role.VOLUNTEER)
    with scope(organisation=tenant_a.organisation), pytest.raises(services.AlreadyVolunteer):
        services.volunteer_join(
            organisation=tenant_a.organisation,
            user=user,
            consent_text="ja",
            phone="+31612345678",
            postcode="3401 AB",
            house_number="1",
        )
    with scopes_disabled():
        assert Volunteer.objects.filter(membership__user=user).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "12345", "Vul een postcode in als 1234 AB."),
        ("phone", "12", "Vul een geldig telefoonnummer in"),
        ("consent", "", "Zonder je toestemming kunnen we je gegevens niet bewaren."),
    ],
)
def test_bad_input_is_a_dutch_error_at_the_field_and_nothing_is_lost(client, newcomer, field, value, message):
    response = client.post(_join_url("oost"), _payload(**{field: value}))
    text = _text(response)
    assert response.status_code == 200
    assert message in text
    assert 'id="id_' + field + '_fouten"' in text
    kept = {"phone": "06 12345678", "postcode": "3401ab", "house_number": "12a"}
    kept[field] = value
    for name, typed in kept.items():
        if name != "consent" and typed:
            assert f'value="{typed}"' in text, name
    with scopes_disabled():
        assert not Volunteer.objects.filter(membership__user=newcomer).exists()
        assert not Membership.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize("slug", ["nergens", "bestaat-niet"])
def test_an_organisation_outside_the_list_cannot_be_chosen(client, newcomer, slug):
    assert client.get(_join_url(slug)).status_code == 404
    assert client.post(_join_url(slug), _payload()).status_code == 404
    with scopes_disabled():
        assert not Volunteer.objects.filter(membership__user=newcomer).exists()
        assert not Membership.objects.filter(user=newcomer).exists()


def test_without_an_account_log_in_first_or_the_full_sign_up_makes_one(client, tenant_a):
    response = client.get(_join_url("oost"))
    text = _text(response)
    assert response.status_code == 200
    assert reverse("matching:volunteer_signup", kwargs={"org": "oost"}) in text
    assert reverse("account_login") + "?next=" in text
    response = client.post(_join_url("oost"), _payload())
    assert response.status_code == 200
    with scopes_disabled():
        assert not Volunteer.objects.filter(phone="+31612345678").exists()


# --- 3. what happens next, for every new volunteer --------------------------------------------------------


def test_a_logged_in_full_sign_up_ends_on_the_thanks_page_with_next_steps(client, tenant_a, tenant_b):
    client.force_login(tenant_b.user(Role.PROFESSIONAL))
    payload = {
        "phone": "06 12 34 56 78",
        "postcode": "3401ab",
        "house_number": "12a",
        "areas": [tenant_a.objects["area"].pk],
        "categories": [tenant_a.objects["category"].pk],
        "availability": ["di-middag"],
        "languages": ["nl"],
        "preference": "maatje",
        "max_requests_per_month": "3",
        "consent": "on",
    }
    response = client.post(reverse("matching:volunteer_signup", kwargs={"org": "oost"}), payload, follow=True)
    assert response.redirect_chain[-1][0] == _thanks_url("oost")
    assert "Wat gebeurt er nu?" in _text(response)


def test_the_dashboard_shows_next_steps_while_a_candidate_only(client, tenant_a):
    volunteer = tenant_a.objects["volunteer"]
    client.force_login(tenant_a.user(Role.VOLUNTEER))
    url = reverse("netwerken:volunteer_dashboard", kwargs={"org": "oost"})
    assert "Wat gebeurt er nu?" not in _text(client.get(url)), "an active volunteer knows"
    with scopes_disabled():
        Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.REGISTERED)
    text = _text(client.get(url))
    assert "Wat gebeurt er nu?" in text and "kennismakingsgesprek" in text


# --- 4. the coordinators are told: by mail ------------------------------------------------------------------


def _online_request_payload(tenant):
    return {
        "resident_name": "Mevrouw Jansen",
        "resident_phone": "06-11223344",
        "resident_email": "jansen@example.nl",
        "resident_postcode": "3401 XY",
        "resident_house_number": "12a",
        "resident_street": "Kerkstraat",
        "category": str(tenant.objects["category"].pk),
        "description": "Na mijn heupoperatie kan ik niet zelf naar de apotheek.",
        "date": "",
        "consent": "on",
        "website": "",
    }


def test_a_new_online_request_mails_each_coordinator_nothing_of_the_resident(
    client, tenant_a, tenant_b, two_coordinators, django_capture_on_commit_callbacks
):
    url = reverse("matching:online_request", kwargs={"org": "oost"})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, _online_request_payload(tenant_a))
    assert response.status_code == 302
    queued = list(OutgoingEmail.objects.filter(to__in=two_coordinators))
    assert len(queued) == 2 and {email.to for email in queued} == two_coordinators, "one mail per coordinator"
    assert not mail.outbox, "sent only after the commit"
    for callback in callbacks:
        callback()
    sent = [message for message in mail.outbox if message.to[0] in two_coordinators]
    assert len(sent) == 2
    with scopes_disabled():
        help_request = HelpRequest.objects.get(description__startswith="Na mijn heupoperatie")
    link = reverse("matching:request_detail", kwargs={"org": "oost", "help_request": help_request.pk})
    for message in sent:
        assert "Er is een nieuwe hulpvraag binnengekomen" in message.body
        assert "Boodschappen" in message.subject
        assert link in message.body
        for private in ("Jansen", "heupoperatie", "apotheek", "06-11223344", "11223344", "Kerkstraat", "3401 XY"):
            assert private not in message.body and private not in message.subject, private
    assert all(email.resident_id == help_request.resident_id for email in queued), "found when erasing"
    assert not OutgoingEmail.objects.filter(to__in=_coordinator_emails(tenant_b)).exists()


def test_a_new_volunteer_mails_each_coordinator_by_either_path(
    client, newcomer, tenant_a, tenant_b, two_coordinators, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_join_url("oost"), _payload())
    with scopes_disabled():
        volunteer = Volunteer.objects.get(membership__user=newcomer)
    link = reverse("matching:volunteer_detail", kwargs={"org": "oost", "volunteer": volunteer.pk})
    sent = [message for message in mail.outbox if message.to[0] in two_coordinators]
    assert len(sent) == 2 and {message.to[0] for message in sent} == two_coordinators
    for message in sent:
        assert "Fatima El Amrani" in message.subject and link in message.body
        assert "kennismakingsgesprek" in message.body
    assert not OutgoingEmail.objects.filter(to__in=_coordinator_emails(tenant_b)).exists()

    # The organisation's own sign-up form, with a new account: told too.
    mail.outbox.clear()
    payload = {
        "name": "Sanne de Boer",
        "email": "sanne@example.nl",
        "password1": "fietsen-op-zondag-7",
        "password2": "fietsen-op-zondag-7",
        "phone": "06 12 34 56 79",
        "postcode": "3401ab",
        "house_number": "14",
        "areas": [tenant_a.objects["area"].pk],
        "categories": [tenant_a.objects["category"].pk],
        "availability": ["di-middag"],
        "languages": ["nl"],
        "preference": "maatje",
        "max_requests_per_month": "3",
        "consent": "on",
    }
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("matching:volunteer_signup", kwargs={"org": "oost"}), payload)
    told = [message for message in mail.outbox if message.to[0] in two_coordinators]
    assert len(told) == 2 and all("Sanne de Boer" in message.subject for message in told)


def test_a_request_a_coordinator_types_in_mails_nobody(client, tenant_a):
    client.force_login(tenant_a.user(Role.COORDINATOR))
    before = OutgoingEmail.objects.count()
    with scope(organisation=tenant_a.organisation):
        HelpRequestFactory(organisation=tenant_a.organisation, channel=C.PHONE)
    assert OutgoingEmail.objects.count() == before


# --- 5. ... and on the dashboard: 'Nieuw binnengekomen' -------------------------------------------------------


def _dashboard(client):
    response = client.get(reverse("netwerken:coordinator_dashboard", kwargs={"org": "oost"}))
    assert response.status_code == 200
    return response


def _arrivals(text):
    if 'id="kop-binnengekomen"' not in text:
        return ""
    return text.split('id="kop-binnengekomen"')[1].split("</section>")[0]


def _arrive(tenant, n):
    org = tenant.organisation
    requests = [HelpRequestFactory(organisation=org, channel=C.ONLINE) for _ in range(n)]
    volunteers = [VolunteerFactory(organisation=org, status=Volunteer.Status.REGISTERED) for _ in range(n)]
    return requests, volunteers


def test_the_dashboard_lists_what_came_in_and_nothing_handled(client, tenant_a, tenant_b):
    client.force_login(tenant_a.user(Role.COORDINATOR))
    org = tenant_a.organisation
    # Handled or not arrived by itself: a request by phone, an online one already searching, an active volunteer.
    HelpRequestFactory(organisation=org, channel=C.PHONE)
    HelpRequestFactory(organisation=org, channel=C.ONLINE, status=HelpRequest.Status.SEARCHING)
    assert _arrivals(_text(_dashboard(client))) == ""
    (help_request,), (volunteer,) = _arrive(tenant_a, 1)
    _arrive(tenant_b, 1)
    arrivals = _arrivals(_text(_dashboard(client)))
    assert "Nieuw binnengekomen" in _text(_dashboard(client))
    request_link = reverse("matching:request_detail", kwargs={"org": "oost", "help_request": help_request.pk})
    volunteer_link = reverse("matching:volunteer_detail", kwargs={"org": "oost", "volunteer": volunteer.pk})
    assert f'href="{request_link}"' in arrivals and f'href="{volunteer_link}"' in arrivals
    assert arrivals.count('data-arrival="hulpvraag"') == 1 and arrivals.count('data-arrival="vrijwilliger"') == 1
    assert f"Nieuwe vrijwilliger: {volunteer.name}" in arrivals
    assert help_request.description not in arrivals, "the dashboard lists, the request page tells"


def test_the_dashboard_costs_the_same_queries_for_1_and_40_arrivals(client, tenant_a, django_assert_num_queries):
    client.force_login(tenant_a.user(Role.COORDINATOR))
    _arrive(tenant_a, 1)
    _dashboard(client)  # warm the session and content types
    with CaptureQueriesContext(connection) as captured:
        _dashboard(client)
    few = len(captured)
    _arrive(tenant_a, 39)
    print(f"\ncoordinator dashboard with arrivals: {few} queries for 1 and for 40")
    with django_assert_num_queries(few):
        response = _dashboard(client)
    arrivals = _arrivals(_text(response))
    assert arrivals.count('data-arrival="hulpvraag"') == 10 and arrivals.count('data-arrival="vrijwilliger"') == 10
    assert "en nog 30 nieuwe online hulpvragen" in arrivals and "en nog 30 nieuwe vrijwilligers" in arrivals
    assert re.search(r'href="/o/oost/hulpvragen/\?status=nieuw&kanaal=online"', arrivals)


def test_a_coordinator_whose_account_was_deactivated_is_not_mailed(client, tenant_a, two_coordinators):
    gone = sorted(two_coordinators)[0]
    User.objects.filter(email=gone).update(is_active=False)
    response = client.post(
        reverse("matching:online_request", kwargs={"org": "oost"}), _online_request_payload(tenant_a)
    )
    assert response.status_code == 302
    told = set(OutgoingEmail.objects.filter(to__in=two_coordinators).values_list("to", flat=True))
    assert told == two_coordinators - {gone}
