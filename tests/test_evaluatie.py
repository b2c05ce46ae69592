"""The PDCA cycle (issue 9, points 1–4 and 7): the catalogue on hand-built data with known answers, targets
and marks, freezing, surveys, the story check, improvement actions carried over, the figures document,
who may see what, and the cycle page's query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from evaluatie import catalogue, selectors, services
from evaluatie.models import EvaluationCycle, FrozenFigure, FunderReport, ImprovementAction, Story, SurveyResponse
from matching.models import (
    ContactLog,
    Escalation,
    HelpRequest,
    Match,
    Referral,
    SatisfactionResponse,
    Signal,
    StatusChange,
)
from netwerken.models import OutgoingEmail, User, Volunteer
from netwerken.roles import Role

from .factories import (
    AreaFactory,
    CategoryFactory,
    CycleIndicatorFactory,
    EvaluationCycleFactory,
    HelpRequestFactory,
    ImprovementActionFactory,
    MatchFactory,
    MembershipFactory,
    OrganisationFactory,
    ResidentFactory,
    SocialMapEntryFactory,
    StoryFactory,
    VolunteerFactory,
)

START, END = datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)
M = Match.Status


def at(month, day, hour=12):
    return timezone.make_aware(datetime.datetime(2026, month, day, hour))


@pytest.fixture
def world(db):
    """One organisation with a known quarter (July–September 2026); the comments give each figure."""
    org = OrganisationFactory(name="Buurthulp Noord", slug="noord")
    shopping = CategoryFactory(organisation=org, name="Boodschappen")
    transport = CategoryFactory(organisation=org, name="Vervoer")
    centre = AreaFactory(organisation=org, name="Centrum", postcodes=["3401"])
    south = AreaFactory(organisation=org, name="Zuid", postcodes=["3402"])
    r1 = ResidentFactory(organisation=org, name="Truus Hendriksen", street="Lindelaan", phone="+31612345678")
    r2 = ResidentFactory(organisation=org, name="Kees Bos", street="Kerkstraat")
    r3 = ResidentFactory(organisation=org, name="Fatima El Amrani")
    v1 = VolunteerFactory(organisation=org, categories=[shopping], status=Volunteer.Status.ACTIVE)
    v2 = VolunteerFactory(organisation=org, categories=[transport], status=Volunteer.Status.ACTIVE)

    def request(resident, category, area, created, **kwargs):
        return HelpRequestFactory(
            organisation=org, resident=resident, category=category, area=area, created_at=created, **kwargs
        )

    q0 = request(r1, shopping, centre, at(5, 10), status=HelpRequest.Status.DONE)  # before: r1 returns
    q1 = request(r1, shopping, centre, at(7, 1, 9), status=HelpRequest.Status.DONE)
    q2 = request(r2, transport, south, at(8, 1), status=HelpRequest.Status.ESCALATED)
    q3 = request(r3, shopping, None, at(9, 1), channel=HelpRequest.Channel.WIJKTEAM)  # referred in
    request(r2, transport, south, at(10, 2))  # after the period
    with scopes_disabled():
        # Handled in the period: q0 and q1 (q2's is after the period).
        for help_request, moment in ((q0, at(7, 5)), (q1, at(9, 30, 22)), (q2, at(10, 1))):
            StatusChange.objects.create(
                organisation=org, help_request=help_request, from_status="gekoppeld", to_status="afgerond", at=moment
            )
        m0 = MatchFactory(help_request=q0, volunteer=v1, status=M.CLOSED, proposed_at=at(5, 11), responded_at=at(5, 12))
        # Waiting: q1 2 days, q2 4 days, q3 1 day → median 2.
        m1 = MatchFactory(
            help_request=q1, volunteer=v1, status=M.CLOSED, proposed_at=at(7, 3, 9), responded_at=at(7, 4)
        )
        m2 = MatchFactory(help_request=q2, volunteer=v2, status=M.ACCEPTED, proposed_at=at(8, 5), responded_at=at(8, 6))
        MatchFactory(help_request=q3, volunteer=v2, status=M.DECLINED, proposed_at=at(9, 2), responded_at=at(9, 3))
        logs = [(m0, datetime.date(2026, 5, 20), 45), (m1, datetime.date(2026, 7, 10), 60)]
        logs += [(m1, datetime.date(2026, 8, 10), 90), (m2, datetime.date(2026, 9, 30), 30)]
        logs += [(m2, datetime.date(2026, 10, 1), 120)]
        for match, day, minutes in logs:
            ContactLog.objects.create(organisation=org, match=match, date=day, minutes=minutes)
        professional = MembershipFactory(organisation=org, roles=(Role.PROFESSIONAL,)).user
        taken = Escalation.objects.create(
            organisation=org,
            help_request=q2,
            reason="Te zwaar",
            status=Escalation.Status.TAKEN,
            professional=professional,
            escalated_at=at(8, 10),
            taken_at=at(8, 11),
        )
        Escalation.objects.create(organisation=org, help_request=q3, reason="Zorgen", escalated_at=at(9, 5))
        Referral.objects.create(
            organisation=org, escalation=taken, entry=SocialMapEntryFactory(organisation=org), at=at(8, 12)
        )
        Signal.objects.create(organisation=org, kind="terugkerend", key="a", status="opgepakt", status_at=at(8, 1))
        Signal.objects.create(organisation=org, kind="terugkerend", key="b", status="nieuw")
        answers = [(m1, "bewoner", 4), (m2, "bewoner", 5), (m1, "vrijwilliger", 3)]
        for match, respondent, helped in answers:
            answer = SatisfactionResponse.objects.create(
                organisation=org, match=match, respondent=respondent, helped=helped, would_again=True
            )
            SatisfactionResponse.objects.filter(pk=answer.pk).update(created_at=at(9, 15))
    return {"org": org, "residents": (r1, r2, r3), "volunteers": (v1, v2), "shopping": shopping}


EXPECTED = {
    "requests_in": 3,
    "requests_handled": 2,
    "matches": 2,
    "contact_moments": 3,
    "hours": 3.0,
    "residents_reached": 3,
    "residents_new": 2,
    "residents_returning": 1,
    "volunteers_active": 2,
    "volunteers_retained": 1,
    "escalations": 2,
    "takeovers": 1,
    "referrals_out": 1,
    "referrals_in": 1,
    "signals_picked_up": 1,
    "waiting_days": 2.0,
    "satisfaction_residents": 4.5,
    "satisfaction_volunteers": 3.0,
}


def _help_indicators():
    """The catalogue's indicators of help on requests (issue 10's are tested in test_activity_indicators.py)."""
    return [indicator for indicator in catalogue.catalogue() if indicator.group == catalogue.HELP]


def test_each_catalogue_indicator_gives_its_known_answer(world):
    assert {indicator.key for indicator in _help_indicators()} == set(EXPECTED)
    with scope(organisation=world["org"]):
        values = {
            indicator.key: indicator.compute(start=START, end=END, breakdown="")[""] for indicator in _help_indicators()
        }
    assert values == EXPECTED


def test_breakdowns_by_kind_of_help_and_neighbourhood(world):
    with scope(organisation=world["org"]):
        assert catalogue.get("requests_in").compute(start=START, end=END, breakdown="category") == {
            "Boodschappen": 2,
            "Vervoer": 1,
        }
        assert catalogue.get("requests_in").compute(start=START, end=END, breakdown="area") == {
            "Centrum": 1,
            "Zuid": 1,
            "(geen buurt)": 1,
        }
        assert catalogue.get("hours").compute(start=START, end=END, breakdown="category") == {
            "Boodschappen": 2.5,
            "Vervoer": 0.5,
        }
        assert catalogue.get("waiting_days").compute(start=START, end=END, breakdown="category") == {
            "Boodschappen": 1.5,
            "Vervoer": 4.0,
        }


def test_every_indicator_has_a_written_definition_and_rows_for_staff(world):
    with scope(organisation=world["org"]):
        for indicator in catalogue.catalogue():
            assert len(str(indicator.definition)) > 40, indicator.key
        for indicator in _help_indicators():
            assert indicator.rows is not None
            assert indicator.rows(start=START, end=END).model in (HelpRequest, Match)
        rows = catalogue.get("requests_in").rows(start=START, end=END)
        assert rows.count() == 3


def test_catalogue_is_open_a_registered_indicator_shows_up(world):
    extra = catalogue.Indicator(
        "test_extra", "Extra", "Een extra indicator om te testen.", "aantal", lambda **kw: {"": 7}
    )
    catalogue.register(extra)
    try:
        assert catalogue.get("test_extra") is extra
        assert "test_extra" in dict(catalogue.choices())
    finally:
        catalogue._catalogue.pop("test_extra")


def test_marks_against_the_target():
    assert selectors.mark(100, 100) == "op_koers"
    assert selectors.mark(91, 100) == "op_koers"
    assert selectors.mark(110, 100) == "op_koers"
    assert selectors.mark(89, 100) == "achter"
    assert selectors.mark(111, 100) == "voor"
    # Lower is better (waiting time): 3 days against 2 is behind, 1 day ahead.
    assert selectors.mark(3, 2, higher_is_better=False) == "achter"
    assert selectors.mark(1, 2, higher_is_better=False) == "voor"
    assert selectors.mark(None, 2) is None
    assert selectors.mark(4, None) is None
    assert "10%" in str(selectors.MARK_DEFINITION)


def _cycle(org, name="Q3 2026", start=START, end=END, targets=None, by=None):
    with scope(organisation=org):
        return services.cycle_create(
            organisation=org,
            name=name,
            period_kind="kwartaal",
            start=start,
            end=end,
            goals="Meer bewoners bereiken",
            targets=targets if targets is not None else {"requests_in": 3, "hours": 10, "waiting_days": 1},
            manual=[{"name": "Buurtkoffie", "definition": "Aantal bezoekers", "target": 20, "value": 25}],
            by=by,
        )


def test_cycle_figures_with_targets_previous_and_marks(world):
    org = world["org"]
    previous = _cycle(org, "Q2 2026", datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    with scope(organisation=org):
        services.cycle_close(cycle=previous, by=None)
    cycle = _cycle(org)
    with scope(organisation=org):
        rows = {row["key"]: row for row in selectors.cycle_figures(cycle)["indicators"]}
    assert rows["requests_in"]["value"] == 3 and rows["requests_in"]["status"] == "op_koers"
    assert rows["requests_in"]["previous"] == 1  # q0 came in in May
    assert rows["hours"]["value"] == 3 and rows["hours"]["status"] == "achter"
    assert rows["waiting_days"]["value"] == 2 and rows["waiting_days"]["status"] == "achter"
    manual = next(row for key, row in rows.items() if key.startswith("handmatig:"))
    assert manual["value"] == 25 and manual["status"] == "voor" and manual["label"] == "Buurtkoffie"


def test_closing_freezes_every_figure_and_a_later_change_leaves_it(world):
    org = world["org"]
    cycle = _cycle(org)
    with scope(organisation=org):
        before = selectors.cycle_document(cycle)
        services.cycle_close(cycle=cycle, by=None)
        cycle.refresh_from_db()
        assert cycle.status == EvaluationCycle.Status.CLOSED and cycle.closed_at is not None
        assert FrozenFigure.objects.filter(cycle=cycle, breakdown="category").exists()
    # A correction in the data afterwards: two more requests in the period, a contact moment removed.
    r1 = world["residents"][0]
    HelpRequestFactory(organisation=org, resident=r1, category=world["shopping"], created_at=at(7, 20))
    HelpRequestFactory(organisation=org, resident=r1, category=world["shopping"], created_at=at(7, 21))
    with scopes_disabled():
        ContactLog.objects.filter(minutes=90).delete()
    with scope(organisation=org):
        after = selectors.cycle_document(EvaluationCycle.objects.get(pk=cycle.pk))
        live = catalogue.get("requests_in").compute(start=START, end=END, breakdown="")[""]
    assert live == 5
    assert after["indicators"] == before["indicators"]
    assert after["breakdowns"] == before["breakdowns"]
    assert {row["key"]: row["value"] for row in after["indicators"]}["requests_in"] == 3


def test_closing_twice_is_refused(world):
    cycle = _cycle(world["org"])
    with scope(organisation=world["org"]):
        services.cycle_close(cycle=cycle, by=None)
        with pytest.raises(services.EvaluationRefused):
            services.cycle_close(cycle=cycle, by=None)


def test_open_actions_are_carried_into_the_next_cycle(world):
    org = world["org"]
    first = _cycle(org, "Q2 2026", datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    ImprovementActionFactory(cycle=first, title="Nabellen", status="open")
    ImprovementActionFactory(cycle=first, title="Folder", status="bezig")
    ImprovementActionFactory(cycle=first, title="Klaar", status="klaar")
    second = _cycle(org)
    with scope(organisation=org):
        carried = ImprovementAction.objects.filter(cycle=second)
        assert sorted(carried.values_list("title", flat=True)) == ["Folder", "Nabellen"]
        assert all(action.carried_from.cycle_id == first.pk for action in carried)
        assert second.previous_id == first.pk


# --- the story check ------------------------------------------------------------------------------------

ANONYMOUS = "Een bewoonster van in de tachtig kon weer naar de markt. Ze belt nu elke week zelf."


@pytest.mark.parametrize(
    "text,found",
    [
        ("Truus Hendriksen kon weer naar de markt.", "name"),
        ("Mevrouw truus  HENDRIKSEN kon weer naar de markt.", "name"),
        ("Een mevrouw aan de Lindelaan kon weer naar de markt.", "street"),
        ("Bel haar op 06-12345678.", "phone"),
        ("Bel haar op 06 12 34 56 78.", "phone"),
        ("Bel haar op +31 6 1234 5678.", "phone"),
        ("Bel haar op +31612345678.", "phone"),
        ("Bel haar op 0031 6 12345678.", "phone"),
        (ANONYMOUS, None),
        ("Bel ons op 06-99999999 voor meer.", None),
    ],
)
def test_story_check_refuses_a_residents_name_street_and_phone(world, text, found):
    with scope(organisation=world["org"]):
        assert services.personal_data_in(text, world["org"]) == found


def test_story_service_refuses_with_a_dutch_message_and_the_admin_approves(world):
    org = world["org"]
    cycle = _cycle(org)
    with scope(organisation=org):
        with pytest.raises(services.EvaluationRefused) as refused:
            services.story_write(cycle=cycle, title="Hulp", text="Kees Bos kreeg hulp bij vervoer.", by=None)
        assert refused.value.field == "text" and "naam van een bewoner" in refused.value.message
        story = services.story_write(cycle=cycle, title="Weer naar de markt", text=ANONYMOUS, by=None)
        assert story.status == Story.Status.DRAFT
        assert selectors.cycle_document(cycle)["stories"] == []
        assert services.story_approve(story=story, by=None) is True
        assert selectors.cycle_document(cycle)["stories"] == [{"title": "Weer naar de markt", "text": ANONYMOUS}]


def test_story_page_shows_the_refusal_next_to_the_field(client, tenant_a):
    client.force_login(tenant_a.user(Role.COORDINATOR))
    url = reverse("evaluatie:story_add", kwargs={"org": "oost", "cycle": tenant_a.objects["cycle"].pk})
    name = tenant_a.objects["resident"].name
    response = client.post(url, {"title": "Hulp", "text": f"Wij hielpen {name} met boodschappen."})
    assert response.status_code == 200
    assert response.context["form"].errors["text"] == [str(services.PERSONAL_MESSAGES["name"])]
    with scopes_disabled():
        assert not Story.objects.filter(title="Hulp").exists()


# --- surveys -----------------------------------------------------------------------------------------------


def test_surveys_by_phone_and_by_mail_link_aggregated_per_cycle(client, world):
    org = world["org"]
    cycle = _cycle(org)
    coordinator = MembershipFactory(organisation=org, roles=(Role.COORDINATOR,)).user
    client.force_login(coordinator)
    url = reverse("evaluatie:survey_add", kwargs={"org": org.slug, "cycle": cycle.pk})
    for score, recommend in (("4", "ja"), ("2", "nee")):
        assert client.post(url, {"score": score, "would_recommend": recommend, "comment": "Fijn"}).status_code == 302
    client.logout()
    volunteer = world["volunteers"][0]
    with scope(organisation=org):
        link = services.survey_path(cycle, volunteer)
    assert client.get(link).status_code == 200
    assert client.post(link, {"score": "5", "would_recommend": "ja"}).status_code == 302
    # The link answers once.
    client.post(link, {"score": "1", "would_recommend": "nee"})
    # A tampered link opens nothing.
    tampered = client.get(link[:-3] + "xyz")
    assert [t.name for t in tampered.templates][0] == "evaluatie/survey_link_invalid.html"
    with scope(organisation=org):
        summary = selectors.survey_summary(cycle)
        assert SurveyResponse.objects.filter(cycle=cycle).count() == 3
    assert summary["bewoner"] == {"count": 2, "average": 3.0, "recommend_share": 50}
    assert summary["vrijwilliger"] == {"count": 1, "average": 5.0, "recommend_share": 100}


def test_the_survey_is_mailed_while_the_cycle_runs_and_closes_with_it(
    client, world, django_capture_on_commit_callbacks
):
    org = world["org"]
    cycle = _cycle(org)
    with scope(organisation=org), django_capture_on_commit_callbacks(execute=True):
        assert services.survey_invite(cycle=cycle) == 2
    with scopes_disabled():
        mails = OutgoingEmail.objects.filter(organisation_id=org.pk, subject__icontains="enquête")
        assert mails.count() == 2
        link = mails.first().body_text.split("http://127.0.0.1:8000")[1].split()[0]
    assert "/enquete/?t=" in link
    with scope(organisation=org):
        services.survey_record(cycle=cycle, respondent="bewoner", score=4, would_recommend=True)
        services.cycle_close(cycle=cycle, by=None)
        before = selectors.survey_summary(cycle)
        # Closed: no answer changes what the report published, by phone, by link or by a new mail.
        with pytest.raises(services.EvaluationRefused):
            services.survey_record(cycle=cycle, respondent="bewoner", score=1, would_recommend=False)
        assert services.survey_invite(cycle=EvaluationCycle.objects.get(pk=cycle.pk)) == 0
    page = client.get(link)
    assert "Deze enquête is gesloten" in page.content.decode()
    assert "Deze enquête is gesloten" in client.post(link, {"score": 1, "would_recommend": "False"}).content.decode()
    with scope(organisation=org):
        assert selectors.survey_summary(cycle) == before


# --- the figures document ------------------------------------------------------------------------------------


def test_cycle_document_has_the_shape_and_no_personal_data(world):
    org = world["org"]
    previous = _cycle(org, "Q2 2026", datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    cycle = _cycle(org)
    StoryFactory(cycle=cycle, status="goedgekeurd", approved_at=timezone.now(), title="Goed", text=ANONYMOUS)
    StoryFactory(cycle=cycle, title="Concept", text="nog niet goedgekeurd")
    with scopes_disabled():
        SurveyResponse.objects.create(
            organisation=org, cycle=cycle, respondent="bewoner", score=4, would_recommend=True, comment="Geheim-123"
        )
    with scope(organisation=org):
        document = selectors.cycle_document(EvaluationCycle.objects.get(pk=cycle.pk))
    assert document["organisation"] == "Buurthulp Noord"
    assert document["cycle"] == {"name": "Q3 2026", "start": START, "end": END, "status": "lopend"}
    assert document["goals"] == "Meer bewoners bereiken"
    first = document["indicators"][0]
    assert set(first) == {"key", "label", "definition", "unit", "value", "target", "previous", "status"}
    assert {row["label"] for row in document["breakdowns"]["category"]} == {"Boodschappen", "Vervoer"}
    assert document["breakdowns"]["category"][0]["values"]["requests_in"] == 2
    assert [point["cycle"] for point in document["trend"]] == [previous.name]
    assert document["trend"][0]["values"]["requests_in"] == 1
    # Averages and the median say how many responses they rest on, for the report's suppression.
    by_key = {row["key"]: row for row in document["indicators"]}
    assert (by_key["waiting_days"]["n"], by_key["waiting_days"]["previous_n"]) == (3, 1)  # q0 waited in May
    assert "n" not in by_key["requests_in"]
    assert document["trend"][0]["n"] == {"waiting_days": 1}
    shopping = next(row for row in document["breakdowns"]["category"] if row["label"] == "Boodschappen")
    assert shopping["n"] == {"waiting_days": 2}
    assert {row["unit"] for row in document["indicators"]} <= {"aantal", "uren", "dagen", "score"}
    # A breakdown holds only the indicators that have one; a count missing for a group is 0.
    assert not any(key.startswith("handmatig:") for key in shopping["values"])
    nowhere = next(row for row in document["breakdowns"]["area"] if row["label"] == "(geen buurt)")
    assert nowhere["values"]["hours"] == 0 and nowhere["values"]["requests_in"] == 1
    assert document["stories"] == [{"title": "Goed", "text": ANONYMOUS}]
    assert document["actions"] == []
    text = str(document)
    for resident in world["residents"]:
        assert resident.name not in text
    for volunteer in world["volunteers"]:
        with scopes_disabled():
            assert volunteer.name not in text
    assert "Geheim-123" not in text


# --- who may see it ----------------------------------------------------------------------------------------

STAFF_PAGES = ("cycle_list", "cycle_create", "cycle_detail", "survey_add", "action_add", "indicator_rows")


def _page(tenant, name):
    kwargs = {"org": tenant.organisation.slug}
    if name in ("cycle_detail", "survey_add", "action_add", "story_add"):
        kwargs["cycle"] = tenant.objects["cycle"].pk
    if name == "indicator_rows":
        kwargs["indicator"] = tenant.objects["indicator"].pk
    return reverse(f"evaluatie:{name}", kwargs=kwargs)


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_org_admin_and_coordinator_see_the_pages_volunteer_and_funder_get_403(client, tenant_a, name):
    for role in (Role.COORDINATOR, Role.ORG_ADMIN):
        client.force_login(tenant_a.user(role))
        assert client.get(_page(tenant_a, name)).status_code == 200, role
    for role in (Role.VOLUNTEER, Role.FUNDER, Role.PROFESSIONAL):
        client.force_login(tenant_a.user(role))
        assert client.get(_page(tenant_a, name)).status_code == 403, role


def test_another_organisations_cycle_is_404(client, tenant_a, tenant_b):
    client.force_login(tenant_a.user(Role.COORDINATOR))
    for name in ("cycle_detail", "survey_add", "story_add", "action_add"):
        url = reverse(f"evaluatie:{name}", kwargs={"org": "oost", "cycle": tenant_b.objects["cycle"].pk})
        assert client.get(url).status_code in (404, 403)
    url = reverse("evaluatie:cycle_detail", kwargs={"org": "oost", "cycle": tenant_b.objects["cycle"].pk})
    assert client.get(url).status_code == 404
    url = reverse("evaluatie:cycle_close", kwargs={"org": "oost", "cycle": tenant_b.objects["cycle"].pk})
    assert client.post(url).status_code == 404
    with scopes_disabled():
        assert EvaluationCycle.objects.get(pk=tenant_b.objects["cycle"].pk).status == "lopend"


def test_rows_behind_a_figure_for_staff(client, tenant_a):
    client.force_login(tenant_a.user(Role.COORDINATOR))
    with scopes_disabled():
        cycle = tenant_a.objects["cycle"]
        EvaluationCycle.objects.filter(pk=cycle.pk).update(start=timezone.localdate() - datetime.timedelta(days=5))
    response = client.get(_page(tenant_a, "indicator_rows"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2  # the fixture's two requests came in today


# --- the cycle page's query count ---------------------------------------------------------------------------


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_cycle_page_query_count_is_constant_in_the_number_of_rows(client, tenant_a, django_assert_num_queries):
    org = tenant_a.organisation
    cycle = tenant_a.objects["cycle"]
    with scopes_disabled():
        EvaluationCycle.objects.filter(pk=cycle.pk).update(start=timezone.localdate() - datetime.timedelta(days=5))
    for key in ("matches", "hours", "waiting_days", "residents_new", "satisfaction_residents"):
        CycleIndicatorFactory(cycle=cycle, key=key, target=5)
    client.force_login(tenant_a.user(Role.COORDINATOR))
    url = _page(tenant_a, "cycle_detail")
    category, area = tenant_a.objects["category"], tenant_a.objects["area"]

    def add(n):
        for _ in range(n):
            request = HelpRequestFactory(organisation=org, category=category, area=area)
            match = MatchFactory(help_request=request, status=M.ACCEPTED, responded_at=timezone.now())
            with scopes_disabled():
                ContactLog.objects.create(organisation=org, match=match, date=timezone.localdate(), minutes=30)

    add(1)
    _page_queries(client, url)  # the first request of a session also saves the session
    one = _page_queries(client, url)
    add(29)
    with django_assert_num_queries(one):
        assert client.get(url).status_code == 200
    print(f"\ncycle page: {one} queries for 1 and for 30 requests")


def test_cycle_document_query_count_is_constant_in_rows_and_groups(world):
    """The figures document behind every report: the same number of queries for the world's few requests in
    2 kinds of help and 3 neighbourhoods as for many more in 8 and 7 (a median per group must not cost a
    query per group), with every catalogue indicator and a closed previous cycle for the trend."""
    org, (v1, v2) = world["org"], world["volunteers"]
    every = {indicator.key: 1 for indicator in catalogue.catalogue()}
    previous = _cycle(org, "Q2 2026", datetime.date(2026, 4, 1), datetime.date(2026, 6, 30), targets=every)
    with scope(organisation=org):
        services.cycle_close(cycle=previous, by=None)
    cycle = _cycle(org, targets=every)

    def document():
        with scopes_disabled():
            fresh = EvaluationCycle.objects.select_related("organisation").get(pk=cycle.pk)
        with scope(organisation=org), CaptureQueriesContext(connection) as queries:
            result = selectors.cycle_document(fresh)
        return result, len(queries)

    small, few = document()
    categories = [CategoryFactory(organisation=org, name=f"Soort {i}") for i in range(6)]
    areas = [AreaFactory(organisation=org, name=f"Wijk {i}") for i in range(4)]
    for i in range(40):
        request = HelpRequestFactory(
            organisation=org,
            category=categories[i % 6],
            area=areas[i % 4],
            created_at=at(7 + i % 3, 1 + i % 28),
            status=HelpRequest.Status.DONE,
        )
        with scopes_disabled():
            match = MatchFactory(
                help_request=request,
                volunteer=(v1, v2)[i % 2],
                status=M.CLOSED,
                proposed_at=at(7 + i % 3, 1 + i % 28) + datetime.timedelta(hours=1 + i),
                responded_at=at(7 + i % 3, 2 + i % 28),
            )
            ContactLog.objects.create(organisation=org, match=match, date=datetime.date(2026, 8, 1), minutes=60)
            SatisfactionResponse.objects.create(
                organisation=org, match=match, respondent="bewoner", helped=4, would_again=True
            )
    large, many = document()
    assert len(large["breakdowns"]["category"]) == 8 > len(small["breakdowns"]["category"])
    assert len(large["breakdowns"]["area"]) == 7 > len(small["breakdowns"]["area"])
    assert {row["label"] for row in large["breakdowns"]["area"]} >= {f"Wijk {i}" for i in range(4)}
    assert all(row["values"]["waiting_days"] is not None for row in large["breakdowns"]["category"])
    assert large["trend"] and large["indicators"][0]["previous"] is not None
    assert many == few, f"{few} queries for the small dataset, {many} for the larger one"


# --- the demo -------------------------------------------------------------------------------------------------


def test_seed_demo_gives_each_organisation_a_closed_and_a_running_cycle(client, db):
    from buurthulp.demo.seed import ORGANISATIONS, seed

    seed()
    seed()  # a second run creates nothing more
    with scopes_disabled():
        for data in ORGANISATIONS:
            cycles = list(EvaluationCycle.objects.filter(organisation__slug=data["slug"]).order_by("start"))
            assert [cycle.status for cycle in cycles] == ["gesloten", "lopend"], data["slug"]
            closed, current = cycles
            totals = FrozenFigure.objects.filter(cycle=closed, breakdown="").exclude(indicator_key__endswith=":n")
            assert totals.count() == len(closed.indicators.all())
            assert current.previous_id == closed.pk
            assert current.indicators.exclude(target=None).count() >= 5
            assert SurveyResponse.objects.filter(cycle=current, respondent="bewoner").count() == 3
            assert SurveyResponse.objects.filter(cycle=current, respondent="vrijwilliger").count() == 2
            assert Story.objects.filter(cycle=current, status="goedgekeurd").count() == 1
            carried = ImprovementAction.objects.filter(cycle=current).exclude(carried_from=None)
            assert carried.count() == 1 and carried.get().carried_from.cycle_id == closed.pk
            assert ImprovementAction.objects.filter(cycle=current, carried_from=None).exists()
            # Each cycle's funder report is asked for (built after the commit, as test_funder_reports shows).
            assert FunderReport.objects.filter(cycle__in=cycles).count() == 2
        assert OutgoingEmail.objects.count() == 0
    client.force_login(User.objects.get(email=f"beheerder@{ORGANISATIONS[0]['slug']}.demo"))
    response = client.get(
        reverse("evaluatie:cycle_detail", kwargs={"org": ORGANISATIONS[0]["slug"], "cycle": current.pk})
    )
    assert response.status_code == 404  # the last loop's cycle belongs to the other organisation
    with scopes_disabled():
        own = EvaluationCycle.objects.get(organisation__slug=ORGANISATIONS[0]["slug"], status="lopend")
    response = client.get(reverse("evaluatie:cycle_detail", kwargs={"org": ORGANISATIONS[0]["slug"], "cycle": own.pk}))
    assert response.status_code == 200
    assert "Weer samen naar de markt" in response.content.decode()


def test_a_volunteers_survey_answer_is_exported_and_erased_but_still_counted(world):
    from netwerken import privacy

    org, volunteer = world["org"], world["volunteers"][0]
    cycle = _cycle(org)
    with scope(organisation=org):
        services.survey_record(
            cycle=cycle,
            respondent="vrijwilliger",
            score=4,
            would_recommend=True,
            comment="Ik heet Fay",
            volunteer=volunteer,
        )
        part = next(part for part in privacy.parts() if part.key == "enquetes")
        assert part.export_volunteer(volunteer)[0]["opmerking"] == "Ik heet Fay"
        part.erase_volunteer(volunteer, by=None, reason="op verzoek")
        answer = SurveyResponse.objects.get(cycle=cycle)
        assert (answer.comment, answer.volunteer_id, answer.score) == ("", None, 4)
        assert selectors.survey_summary(cycle)["vrijwilliger"]["count"] == 1


def test_cycle_list_query_count_is_constant_in_the_number_of_cycles(client, tenant_a, django_assert_num_queries):
    client.force_login(tenant_a.user(Role.ORG_ADMIN))
    url = _page(tenant_a, "cycle_list")
    _page_queries(client, url)
    one = _page_queries(client, url)
    for n in range(39):
        cycle = EvaluationCycleFactory(organisation=tenant_a.organisation, name=f"Cyclus {n}")
        ImprovementActionFactory(cycle=cycle)
    with django_assert_num_queries(one):
        response = client.get(url)
    assert len(response.context["cycles"]) == 40
