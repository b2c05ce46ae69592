"""The wijkteam as achterwacht: escalate, take over, refer or hand back, notes for professionals only."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from matching.models import Escalation, EscalationStep, HelpRequest, Match, ProfessionalNote, Referral
from netwerken.models import AccessLog, Consent, OutgoingEmail
from netwerken.roles import Role

from .conftest import make_tenant
from .factories import (
    EscalationFactory,
    HelpRequestFactory,
    MatchFactory,
    MembershipFactory,
    ProfessionalNoteFactory,
    SocialMapEntryFactory,
    UserFactory,
)

S = HelpRequest.Status


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _url(name, tenant, **kwargs):
    return reverse(name, kwargs={"org": tenant.organisation.slug, **kwargs})


def _fresh(obj):
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def _searching_request(tenant, **kwargs):
    return HelpRequestFactory(
        organisation=tenant.organisation, category=tenant.objects["category"], status=S.SEARCHING, **kwargs
    )


def test_coordinator_escalates_and_the_professional_finds_it_in_the_queue(tenant_a):
    request = _searching_request(tenant_a, description="Wil niet meer eten")
    coordinator = _client(tenant_a.user(Role.COORDINATOR))
    response = coordinator.post(
        _url("matching:request_transition", tenant_a, help_request=request.pk),
        {"to_status": "opgeschaald", "reason": "Somber, eet slecht", "urgency": "4"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        escalation = Escalation.objects.get(help_request=request)
        assert (escalation.status, escalation.urgency, escalation.reason) == ("wacht", 4, "Somber, eet slecht")
        assert _fresh(request).status == S.ESCALATED
        # The professionals are told, with a link to their queue only.
        mail = OutgoingEmail.objects.filter(to=tenant_a.user(Role.PROFESSIONAL).email).get()
        assert "Somber" not in mail.body_text and "/wijkteam/" in mail.body_text
    queue = _client(tenant_a.user(Role.PROFESSIONAL)).get(reverse("backstop_queue"))
    page = queue.content.decode()
    assert queue.status_code == 200
    assert tenant_a.organisation.name in page and "Somber, eet slecht" in page
    # The most urgent comes first, before the fixture's older, normal one.
    assert [row.pk for row in queue.context["rows"]][0] == escalation.pk


def test_an_escalation_without_a_reason_is_refused_and_nothing_changes(tenant_a):
    request = _searching_request(tenant_a)
    response = _client(tenant_a.user(Role.COORDINATOR)).post(
        _url("matching:request_transition", tenant_a, help_request=request.pk),
        {"to_status": "opgeschaald", "reason": "  ", "urgency": "2"},
    )
    assert response.status_code == 200
    assert "Schrijf op waarom" in response.content.decode()
    with scopes_disabled():
        assert not Escalation.objects.filter(help_request=request).exists()
    assert _fresh(request).status == S.SEARCHING


def test_a_professional_of_two_organisations_sees_both_queues_and_nothing_else(db):
    a, b, c = (make_tenant(name=f"Buurthulp {x}", slug=x) for x in ("oost", "west", "zuid"))
    professional = UserFactory(name="Petra Wijkteam")
    for tenant in (a, b):
        MembershipFactory(organisation=tenant.organisation, user=professional, roles=(Role.PROFESSIONAL,))
    client = _client(professional)
    rows = client.get(reverse("backstop_queue")).context["rows"]
    assert {row.organisation.slug for row in rows} == {"oost", "west"}
    page = client.get(reverse("backstop_queue")).content.decode()
    assert "Buurthulp zuid" not in page and c.objects["escalation"].reason not in page
    # Each row's page opens in its own organisation; the third organisation's is as unknown as a missing one.
    assert client.get(_url("matching:escalation_detail", b, escalation=b.objects["escalation"].pk)).status_code == 200
    assert client.get(_url("matching:escalation_detail", c, escalation=c.objects["escalation"].pk)).status_code == 404
    # Through the wrong organisation's address, too.
    assert client.get(_url("matching:escalation_detail", a, escalation=b.objects["escalation"].pk)).status_code == 404


def test_the_wait_for_the_wijkteam_stops_counting_once_a_professional_took_it_over(tenant_a):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    waiting = EscalationFactory(
        help_request=_searching_request(tenant_a, description="Nog niemand"),
        escalated_at=now - datetime.timedelta(days=3),
    )
    taken = EscalationFactory(
        help_request=_searching_request(tenant_a, description="Al overgenomen"),
        escalated_at=now - datetime.timedelta(days=5),
        status=Escalation.Status.TAKEN,
        professional=tenant_a.user(Role.PROFESSIONAL),
        taken_at=now - datetime.timedelta(days=4),
    )
    professional = _client(tenant_a.user(Role.PROFESSIONAL))
    queue = professional.get(reverse("backstop_queue")).content.decode()
    dashboard = professional.get(_url("netwerken:professional_dashboard", tenant_a)).content.decode()
    for page in (queue.replace("\xa0", " "), dashboard.replace("\xa0", " ")):  # timesince: 1&nbsp;dag
        assert "overgenomen na 1 dag" in page, "taken over a day after it came in"
        assert "wacht 5 dagen" not in page
        assert "wacht 3 dagen" in page, "the one nobody took yet is still waiting"
    assert {waiting.pk, taken.pk} <= {row.pk for row in professional.get(reverse("backstop_queue")).context["rows"]}


def test_the_queue_is_for_professionals_only(tenant_a):
    assert _client(tenant_a.user(Role.COORDINATOR)).get(reverse("backstop_queue")).status_code == 403
    assert _client(tenant_a.user(Role.VOLUNTEER)).get(reverse("backstop_queue")).status_code == 403


def test_take_over_then_refer_ends_buurthulps_part_and_records_every_step(tenant_a):
    escalation = EscalationFactory(help_request=_searching_request(tenant_a))
    with scopes_disabled():
        HelpRequest.objects.filter(pk=escalation.help_request_id).update(status=S.ESCALATED)
    entry = SocialMapEntryFactory(organisation=tenant_a.organisation, name="GGZ Centraal")
    professional = _client(tenant_a.user(Role.PROFESSIONAL))
    professional.post(_url("matching:escalation_take_over", tenant_a, escalation=escalation.pk))
    assert _fresh(escalation).professional == tenant_a.user(Role.PROFESSIONAL)
    # The coordinator sees who has it, and can no longer move it on themselves.
    coordinator = _client(tenant_a.user(Role.COORDINATOR))
    detail = coordinator.get(_url("matching:request_detail", tenant_a, help_request=escalation.help_request_id))
    assert tenant_a.user(Role.PROFESSIONAL).name in detail.content.decode()
    refused = coordinator.post(
        _url("matching:request_transition", tenant_a, help_request=escalation.help_request_id),
        {"to_status": "zoekend", "reason": "toch zelf"},
        follow=True,
    )
    assert "ligt bij het wijkteam" in refused.content.decode()
    response = professional.post(
        _url("matching:escalation_refer", tenant_a, escalation=escalation.pk),
        {"verwijzen-entry": entry.pk, "verwijzen-note": "Intake volgende week"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        escalation = Escalation.objects.get(pk=escalation.pk)
        request = escalation.help_request
        assert (escalation.status, request.status, request.outcome) == ("verwezen", S.DONE, "verwezen")
        referral = Referral.objects.get(escalation=escalation)
        steps = list(EscalationStep.objects.filter(escalation=escalation).values_list("action", "by"))
    # (The factory made the escalation itself; the service's own first step is tested above.)
    assert [action for action, _by in steps] == ["overgenomen", "verwezen"]
    professional.post(_url("matching:referral_answer", tenant_a, referral=referral.pk), {"accepted": "1"})
    assert _fresh(referral).accepted is True
    history = coordinator.get(_url("matching:request_detail", tenant_a, help_request=request.pk)).content.decode()
    assert "verwezen naar formele zorg" in history and "GGZ Centraal" in history


def test_hand_back_with_advice_sends_the_request_back_to_the_coordinator(tenant_a):
    escalation = tenant_a.objects["escalation"]  # taken over by the tenant's professional
    response = _client(tenant_a.user(Role.PROFESSIONAL)).post(
        _url("matching:escalation_hand_back", tenant_a, escalation=escalation.pk),
        {"terug-advice": "Kan met een maatje, let op de trap"},
    )
    assert response.status_code == 302
    request = _fresh(escalation.help_request)
    assert request.status == S.SEARCHING
    page = _client(tenant_a.user(Role.COORDINATOR)).get(
        _url("matching:request_detail", tenant_a, help_request=request.pk)
    )
    assert "Kan met een maatje, let op de trap" in page.content.decode()
    with scopes_disabled():
        assert OutgoingEmail.objects.filter(
            to=tenant_a.user(Role.COORDINATOR).email, subject__contains="Terug"
        ).exists()


def test_a_refused_form_on_the_escalation_page_opens_with_a_summary_linking_to_its_fields(tenant_a):
    """The forms are far down the page: what went wrong is said at the top of the refused form, focused."""
    import re

    escalation = tenant_a.objects["escalation"]  # taken over by the tenant's professional
    professional = _client(tenant_a.user(Role.PROFESSIONAL))
    response = professional.post(
        _url("matching:escalation_refer", tenant_a, escalation=escalation.pk),
        {"verwijzen-entry": "", "verwijzen-note": "Intake volgende week"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    summary = re.search(
        r'<div class="errors error-summary" role="alert" tabindex="-1" autofocus>(.*?)</div>', page, re.S
    )
    assert summary, "no error summary"
    assert (
        '<a href="#id_verwijzen-entry">Naar wie (sociale kaart)</a>: Kies een organisatie van de sociale kaart.'
        in summary.group(1)
    )
    # At the top of the refused form, before its fields; the other forms have none, and what was typed stays.
    form = page[page.index('action="' + _url("matching:escalation_refer", tenant_a, escalation=escalation.pk)) :]
    assert form.index("error-summary") < form.index('id="id_verwijzen-entry"')
    assert page.count("error-summary") == 1
    assert "Intake volgende week" in page
    assert 'id="id_verwijzen-entry"' in page

    hand_back = professional.post(_url("matching:escalation_hand_back", tenant_a, escalation=escalation.pk), {})
    assert '<a href="#id_terug-advice">Advies aan buurthulp</a>: Geef buurthulp een advies mee.' in (
        hand_back.content.decode()
    )


def test_another_professional_cannot_act_on_a_taken_over_request(tenant_a):
    other = MembershipFactory(organisation=tenant_a.organisation, roles=(Role.PROFESSIONAL,)).user
    escalation = tenant_a.objects["escalation"]
    response = _client(other).post(
        _url("matching:escalation_hand_back", tenant_a, escalation=escalation.pk), {"terug-advice": "Ik neem het"}
    )
    assert response.status_code == 200
    assert "van een andere professional" in response.content.decode()
    assert _fresh(escalation).status == Escalation.Status.TAKEN


def test_volunteer_says_too_heavy_and_the_professional_ends_the_match(tenant_a):
    volunteer = tenant_a.objects["volunteer"]
    request = HelpRequestFactory(
        organisation=tenant_a.organisation, category=tenant_a.objects["category"], status=S.MATCHED
    )
    match = MatchFactory(help_request=request, volunteer=volunteer, status=Match.Status.ACCEPTED)
    volunteer_client = _client(tenant_a.user(Role.VOLUNTEER))
    my_match = _url("matching:my_match", tenant_a, match=match.pk)
    response = volunteer_client.post(
        my_match,
        {"action": "escalate", "zwaar-reason": "Hij praat over er niet meer willen zijn", "zwaar-urgency": "4"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        escalation = Escalation.objects.get(help_request=request)
    # The match goes on until the professional decides: the request stays gekoppeld meanwhile.
    assert (_fresh(request).status, _fresh(match).status, escalation.match_id) == (S.MATCHED, "actief", match.pk)
    professional = _client(tenant_a.user(Role.PROFESSIONAL))
    professional.post(_url("matching:escalation_take_over", tenant_a, escalation=escalation.pk))
    response = professional.post(
        _url("matching:escalation_match", tenant_a, escalation=escalation.pk),
        {"koppeling-keep": "0", "koppeling-reason": "Het wijkteam neemt het over"},
    )
    assert response.status_code == 302
    assert (_fresh(request).status, _fresh(match).status) == (S.ESCALATED, Match.Status.ENDED)
    with scopes_disabled():
        assert OutgoingEmail.objects.filter(to=volunteer.user.email, subject__contains="beëindigd").exists()
    # And from then on the volunteer no longer sees the resident's phone.
    page = volunteer_client.get(my_match)
    assert page.context["show_contact_details"] is False


def test_professional_notes_are_for_professionals_only_and_every_view_is_logged(tenant_a):
    escalation = tenant_a.objects["escalation"]
    note = ProfessionalNoteFactory(help_request=escalation.help_request, text="Huisarts belt dinsdag terug")
    professional = tenant_a.user(Role.PROFESSIONAL)
    page = _client(professional).get(_url("matching:escalation_detail", tenant_a, escalation=escalation.pk))
    assert "Huisarts belt dinsdag terug" in page.content.decode()
    with scopes_disabled():
        logged = AccessLog.objects.filter(
            user=professional, subject_type=ContentType.objects.get_for_model(ProfessionalNote), subject_id=note.pk
        )
        assert logged.count() == 1
    # The coordinator's request page and everything the volunteer sees hold no note.
    coordinator_page = _client(tenant_a.user(Role.COORDINATOR)).get(
        _url("matching:request_detail", tenant_a, help_request=escalation.help_request_id)
    )
    assert "Huisarts belt dinsdag terug" not in coordinator_page.content.decode()
    assert (
        _client(tenant_a.user(Role.COORDINATOR))
        .get(_url("matching:escalation_detail", tenant_a, escalation=escalation.pk))
        .status_code
        == 403
    )


def test_referral_in_arrives_as_a_new_request_from_the_wijkteam_with_consent(tenant_a):
    response = _client(tenant_a.user(Role.PROFESSIONAL)).post(
        _url("matching:referral_in", tenant_a),
        {
            "resident_name": "Meneer Yilmaz",
            "resident_phone": "0612345678",
            "resident_postcode": "3401 AB",
            "resident_house_number": "12",
            "category": tenant_a.objects["category"].pk,
            "description": "Zoekt iemand om mee te wandelen",
            "kind": "eenmalig",
            "urgency": "2",
            "helpers_needed": "1",
            "language": "nl",
            "consent": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    with scopes_disabled():
        request = HelpRequest.objects.get(description="Zoekt iemand om mee te wandelen")
        assert (request.channel, request.status, request.resident.name) == ("wijkteam", S.NEW, "Meneer Yilmaz")
        assert request.consent.method == Consent.Method.IN_PERSON


def test_referral_in_without_consent_keeps_what_was_typed(tenant_a):
    response = _client(tenant_a.user(Role.PROFESSIONAL)).post(
        _url("matching:referral_in", tenant_a),
        {"resident_name": "Meneer Yilmaz", "description": "Zoekt iemand om mee te wandelen"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Meneer Yilmaz" in page and "zonder toestemming slaan we niets op" in page


def test_the_referral_in_marks_what_it_requires_as_the_intake_does(tenant_a):
    from matching.forms import ReferralInForm

    page = _client(tenant_a.user(Role.PROFESSIONAL)).get(_url("matching:referral_in", tenant_a)).content.decode()
    required = ' <span class="required">(verplicht)</span></label>'
    for field, label in (
        ("resident_name", "Naam bewoner"),
        ("resident_postcode", "Postcode"),
        ("resident_house_number", "Huisnummer"),
        ("category", "Soort hulp"),
        ("description", "Wat is er nodig"),
    ):
        assert f'<label for="id_{field}">{label}{required}' in page, field
    # What may stay empty is not marked; and every field of the form is on the page.
    assert '<label for="id_resident_street">Straat</label>' in page
    with scope(organisation=tenant_a.organisation):
        names = list(ReferralInForm(consent_text="").fields)
    for name in names:
        assert f'name="{name}"' in page, name


def test_the_social_map_joins_only_the_details_an_entry_has(tenant_a):
    import re

    org = tenant_a.organisation
    SocialMapEntryFactory(organisation=org, name="Formulierenbrigade", kind="welzijn", phone="")
    SocialMapEntryFactory(
        organisation=org, name="De Linde", kind="thuiszorg", phone="", email="info@delinde.nl", active=False
    )
    admin = _client(tenant_a.user(Role.ORG_ADMIN))
    page = admin.get(_url("matching:social_map", tenant_a)).content.decode()
    lines = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line)).strip() for line in page.splitlines()]
    lines = [line for line in lines if line]
    assert "welzijn" in lines and "thuiszorg · niet in gebruik · info@delinde.nl" in lines
    assert not [line for line in lines if line.startswith("·") or line.endswith("·") or "· ·" in line]
    form = admin.get(_url("matching:social_map_new", tenant_a)).content.decode()
    assert '<label for="id_website">Website</label>' in form
    assert '<label for="id_name">Naam <span class="required">(verplicht)</span></label>' in form


@pytest.mark.parametrize("rows", [1, 12])
def test_the_queue_costs_the_same_queries_for_one_row_or_many(rows, db, django_assert_num_queries):
    tenant = make_tenant(name="Buurthulp Oost", slug="oost")
    for _ in range(rows - 1):
        EscalationFactory(help_request__organisation=tenant.organisation, help_request__status=S.ESCALATED)
    client = _client(tenant.user(Role.PROFESSIONAL))
    client.get(reverse("backstop_queue"))  # sessions, caches
    with django_assert_num_queries(QUEUE_QUERIES):
        assert len(client.get(reverse("backstop_queue")).context["rows"]) == rows


QUEUE_QUERIES = 5


def test_the_coordinator_is_not_offered_buttons_the_wijkteam_would_refuse(tenant_a):
    escalation = tenant_a.objects["escalation"]  # taken over by the tenant's professional
    page = _client(tenant_a.user(Role.COORDINATOR)).get(
        _url("matching:request_detail", tenant_a, help_request=escalation.help_request_id)
    )
    assert page.context["transitions"] == []
    assert "ligt bij het wijkteam" in page.content.decode()
    # Not yet taken over: the coordinator may still take it back.
    with scopes_disabled():
        Escalation.objects.filter(pk=escalation.pk).update(status=Escalation.Status.WAITING, professional=None)
    page = _client(tenant_a.user(Role.COORDINATOR)).get(
        _url("matching:request_detail", tenant_a, help_request=escalation.help_request_id)
    )
    assert [t["status"] for t in page.context["transitions"]]
