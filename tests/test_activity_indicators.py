"""Issue 10, point 10: the new figures in the evaluation catalogue. Each indicator on hand-built data with a
known answer (sessions across two months: a member first present in month 1 is not new in month 2, a
cancelled session and one still to come don't count), breakdowns by network and neighbourhood that add up,
small cells hidden for the funder, Decimal fees with a correction, reciprocity, which type of buurthulp gets
which indicators, the funder report's files and the plan's picker, and constant query counts."""

import datetime
import io
from decimal import Decimal

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from evaluatie import activity_indicators, catalogue, reports, selectors, services
from evaluatie.forms import CycleForm
from evaluatie.suppression import HIDDEN, SMALL, suppress_document
from matching import type_figures
from matching.models import ContactLog, FeeEntry, HoursEntry, Match
from netwerken import figures as network_figures
from netwerken.models import ActivitySession, Network, Organisation

from .factories import (
    ActivityFactory,
    ActivitySessionFactory,
    AreaFactory,
    CategoryFactory,
    FeeEntryFactory,
    HelpRequestFactory,
    MatchFactory,
    NetworkFactory,
    NetworkMemberFactory,
    OrganisationFactory,
    ParticipationFactory,
    ResidentFactory,
    VolunteerFactory,
)

SEPT = (datetime.date(2025, 9, 1), datetime.date(2025, 9, 30))
OCT = (datetime.date(2025, 10, 1), datetime.date(2025, 10, 31))
D = datetime.date


def at(month, day, hour=10):
    return timezone.make_aware(datetime.datetime(2025, month, day, hour))


def session(activity, moment, **kwargs):
    return ActivitySessionFactory(activity=activity, starts_at=moment, original_start=moment, **kwargs)


def attend(sess, *members, attended=True):
    for member in members:
        ParticipationFactory(session=sess, member=member, attended=attended)


def figure(source, name, period, breakdown=""):
    start, end = period
    return source(start=start, end=end, breakdown=breakdown).get(name, {})


@pytest.fixture
def world(db):
    """Two networks with activities in September and October 2025; the comments give the figures."""
    org = OrganisationFactory(name="Buurthulp West", slug="west")
    centre = AreaFactory(organisation=org, name="Centrum", postcodes=["3401"])
    south = AreaFactory(organisation=org, name="Zuid", postcodes=["3402"])
    r_centre = ResidentFactory(organisation=org, area=centre)
    r_south = ResidentFactory(organisation=org, area=south)
    r_centre2 = ResidentFactory(organisation=org, area=centre)
    volunteer = VolunteerFactory(organisation=org, area=south)
    walk = NetworkFactory(organisation=org, name="Wandelgroep", started_on=D(2025, 3, 1))
    garden = NetworkFactory(organisation=org, name="Moestuin", started_on=D(2025, 10, 10))  # started in October
    NetworkFactory(organisation=org, name="Koor", started_on=D(2025, 1, 1), status=Network.Status.STOPPED)
    NetworkFactory(organisation=org, name="Nieuw")  # entered today: after both months
    a = NetworkMemberFactory(network=walk, resident=r_centre, name="", joined_on=D(2025, 1, 1))
    b = NetworkMemberFactory(network=walk, resident=r_south, name="", joined_on=D(2025, 9, 5))  # joined Sept
    c = NetworkMemberFactory(network=walk, name="Alleen een naam", joined_on=D(2025, 10, 1))  # joined Oct
    d = NetworkMemberFactory(  # left in October
        network=garden, volunteer=volunteer, name="", joined_on=D(2025, 1, 1), left_on=D(2025, 10, 20)
    )
    e = NetworkMemberFactory(network=garden, resident=r_centre2, name="", joined_on=D(2025, 10, 2))  # joined Oct
    walking = ActivityFactory(network=walk, title="Wandelen", area=centre)
    meal = ActivityFactory(network=garden, title="Samen eten", area=south)
    repair = ActivityFactory(network=walk, title="Repair café", area=None)
    # September: two sessions held (the cancelled one does not count, nor who was ticked there).
    attend(session(walking, at(9, 2)), a, b)
    attend(session(walking, at(9, 9), status=ActivitySession.Status.CANCELLED), c)
    attend(session(meal, at(9, 15)), d)
    # October: three held; a and d came in September already, c and e are new.
    attend(session(walking, at(10, 7)), a, c)
    s_meal = session(meal, at(10, 13))
    attend(s_meal, d, e)
    attend(session(repair, at(10, 20)), b, attended=False)  # signed up, did not come: held, no participant
    return {
        "org": org,
        "areas": (centre, south),
        "networks": (walk, garden),
        "members": (a, b, c, d, e),
        "volunteer": volunteer,
        "meal_session": s_meal,
    }


EXPECTED_OCTOBER = {
    "activities_held": 3,
    "sessions_held": 3,
    "participants_unique": 4,
    "participants_new": 2,
    "network_growth": 1,  # c and e joined, d left
    "networks_active_start": 1,  # the walking group (the choir stopped, the garden started on 10 October)
    "networks_active_end": 2,
    "volunteer_hours": 0.0,
}


def test_each_network_indicator_gives_its_known_answer_for_october(world):
    with scope(organisation=world["org"]):
        values = {
            key: catalogue.get(key).compute(start=OCT[0], end=OCT[1], breakdown="")[""] for key in EXPECTED_OCTOBER
        }
    assert values == EXPECTED_OCTOBER


def test_september_cancelled_sessions_and_who_was_ticked_there_do_not_count(world):
    with scope(organisation=world["org"]):
        sessions = network_figures.session_figures(start=SEPT[0], end=SEPT[1])
        people = network_figures.participation_figures(start=SEPT[0], end=SEPT[1])
    assert sessions == {"activities_held": {"": 2}, "sessions_held": {"": 2}}
    # a, b and d; c only at the cancelled session. Everyone is new in September.
    assert people == {"participants_unique": {"": 3}, "participants_new": {"": 3}}


def test_a_session_still_to_come_in_the_period_is_not_held(world):
    today = timezone.localdate()
    period = (today - datetime.timedelta(days=3), today + datetime.timedelta(days=3))
    with scopes_disabled():
        activity = ActivityFactory(network=world["networks"][0], title="Later vandaag")
    soon = timezone.now() + datetime.timedelta(hours=2)
    attend(session(activity, soon), world["members"][0])
    earlier = timezone.now() - datetime.timedelta(hours=2)
    attend(session(activity, earlier), world["members"][1])
    with scope(organisation=world["org"]):
        assert figure(network_figures.session_figures, "sessions_held", period) == {"": 1}
        assert figure(network_figures.participation_figures, "participants_unique", period) == {"": 1}


def test_breakdowns_by_network_and_neighbourhood_add_up(world):
    with scope(organisation=world["org"]):
        by = {
            (name, breakdown): figure(source, name, OCT, breakdown)
            for source, names in (
                (network_figures.session_figures, ("activities_held", "sessions_held")),
                (network_figures.participation_figures, ("participants_unique", "participants_new")),
                (network_figures.network_figures, ("network_growth",)),
            )
            for name in names
            for breakdown in ("network", "area")
        }
    assert by["activities_held", "network"] == {"Wandelgroep": 2, "Moestuin": 1}
    assert by["activities_held", "area"] == {"Centrum": 1, "Zuid": 1, "(geen buurt)": 1}
    assert by["sessions_held", "network"] == {"Wandelgroep": 2, "Moestuin": 1}
    assert by["participants_unique", "network"] == {"Wandelgroep": 2, "Moestuin": 2}
    # The member's neighbourhood: a and e live in Centrum, d volunteers from Zuid, c is only a name.
    assert by["participants_unique", "area"] == {"Centrum": 2, "Zuid": 1, "(geen buurt)": 1}
    assert by["participants_new", "network"] == {"Wandelgroep": 1, "Moestuin": 1}
    assert by["participants_new", "area"] == {"Centrum": 1, "(geen buurt)": 1}
    # Growth: the walking group +1 (c); the garden +1 (e) -1 (d) = 0, left out as a zero is.
    assert by["network_growth", "network"] == {"Wandelgroep": 1}
    assert by["network_growth", "area"] == {"(geen buurt)": 1, "Centrum": 1, "Zuid": -1}
    for (name, _breakdown), values in by.items():
        assert sum(values.values()) == EXPECTED_OCTOBER[name], name
    with scope(organisation=world["org"]):
        assert network_figures.session_figures(start=OCT[0], end=OCT[1], breakdown="category") == {}


def _hours(world):
    org, volunteer = world["org"], world["volunteer"]
    centre = world["areas"][0]
    shopping = CategoryFactory(organisation=org, name="Boodschappen")
    request = HelpRequestFactory(organisation=org, category=shopping, area=centre)
    match = MatchFactory(help_request=request, volunteer=volunteer, status=Match.Status.ACCEPTED)
    with scopes_disabled():
        ContactLog.objects.create(organisation=org, match=match, date=D(2025, 10, 5), minutes=90)
        ContactLog.objects.create(organisation=org, match=match, date=D(2025, 9, 30), minutes=60)  # September
        HoursEntry.objects.create(organisation=org, volunteer=volunteer, match=match, date=D(2025, 10, 6), minutes=30)
        HoursEntry.objects.create(
            organisation=org, volunteer=volunteer, session=world["meal_session"], date=D(2025, 10, 13), minutes=60
        )
        HoursEntry.objects.create(
            organisation=org, volunteer=volunteer, session=world["meal_session"], date=D(2025, 11, 1), minutes=45
        )  # November


def test_volunteer_hours_add_contact_moments_and_hours_entries_per_neighbourhood_and_network(world):
    _hours(world)
    with scope(organisation=world["org"]):
        hours = {b: figure(type_figures.hours_figures, "volunteer_hours", OCT, b) for b in catalogue.BREAKDOWNS}
        total = figure(type_figures.hours_figures, "volunteer_hours", OCT)
        september = figure(type_figures.hours_figures, "volunteer_hours", SEPT)
    assert total == {"": 3.0}  # 90 + 30 + 60 minutes
    assert september == {"": 1.0}
    # Where the hours went: the request's neighbourhood for the match, the activity's for the session.
    assert hours["area"] == {"Centrum": 2.0, "Zuid": 1.0}
    assert hours["network"] == {"Moestuin": 1.0, "(geen netwerk)": 2.0}
    assert hours["category"] == {"Boodschappen": 2.0, "(geen soort hulp)": 1.0}
    assert all(sum(values.values()) == 3.0 for values in hours.values())


# --- fees (een extraatje bijverdienen) ---------------------------------------------------------------------------


@pytest.fixture
def ledger(db):
    org = OrganisationFactory(
        name="Buurthulp Achterveld", slug="achterveld", help_type=Organisation.HelpType.MODEST_FEE
    )
    centre = AreaFactory(organisation=org, name="Centrum", postcodes=["3401"])
    south = AreaFactory(organisation=org, name="Zuid", postcodes=["3402"])
    garden = CategoryFactory(organisation=org, name="Tuin")
    r_centre = ResidentFactory(organisation=org, area=centre)
    r_south = ResidentFactory(organisation=org, area=south)
    volunteer = VolunteerFactory(organisation=org, job_seeker=True)

    def entry(kind, day, amount, resident, **kwargs):
        return FeeEntryFactory(
            organisation=org,
            volunteer=volunteer,
            kind=kind,
            date=day,
            amount=Decimal(amount),
            resident=resident,
            category=kwargs.pop("category", garden),
            **kwargs,
        )

    K = FeeEntry.Kind
    entry(K.FEE, D(2025, 9, 10), "5.00", r_centre)  # September
    entry(K.PAYMENT, D(2025, 9, 11), "-5.00", r_centre, category=None, paid_by="bewoner")
    entry(K.FEE, D(2025, 10, 3), "20.00", r_centre)
    wrong = entry(K.FEE, D(2025, 10, 10), "12.50", r_south)
    entry(K.CORRECTION, D(2025, 10, 12), "-2.50", r_south, corrects=wrong, reason="Een half uur minder")
    entry(K.PAYMENT, D(2025, 10, 20), "-15.00", r_centre, category=None, paid_by="organisatie")
    entry(K.FEE, D(2025, 11, 2), "7.00", r_centre)  # November
    return org


def test_fees_are_decimal_euros_with_the_correction_booked_and_the_open_balance(ledger):
    with scope(organisation=ledger):
        october = type_figures.fee_figures(start=OCT[0], end=OCT[1])
        by_area = type_figures.fee_figures(start=OCT[0], end=OCT[1], breakdown="area")
        by_category = type_figures.fee_figures(start=OCT[0], end=OCT[1], breakdown="category")
    assert october == {
        "fees_booked": {"": Decimal("30.00")},  # 20 + 12.50 - 2.50
        "fees_paid": {"": Decimal("15.00")},
        "fees_open": {"": Decimal("15.00")},  # (5 + 30) - (5 + 15)
    }
    assert all(isinstance(values[""], Decimal) for values in october.values())
    assert by_area["fees_booked"] == {"Centrum": Decimal("20.00"), "Zuid": Decimal("10.00")}
    assert by_area["fees_paid"] == {"Centrum": Decimal("15.00")}
    assert by_category["fees_booked"] == {"Tuin": Decimal("30.00")}
    assert by_category["fees_paid"] == {"(geen soort hulp)": Decimal("15.00")}
    with scope(organisation=ledger):
        assert type_figures.fee_figures(start=OCT[0], end=OCT[1], breakdown="network") == {}


def _all_keys_cycle(org, start, end, name="Oktober 2025"):
    with scope(organisation=org):
        return services.cycle_create(
            organisation=org,
            name=name,
            period_kind="maand",
            start=start,
            end=end,
            goals="",
            targets={key: None for key in activity_indicators.KEYS},
            manual=[],
            by=None,
        )


def test_fees_only_for_een_extraatje_and_reciprocity_only_for_voor_elkaar(world, ledger):
    charity = world["org"]
    mutual = OrganisationFactory(help_type=Organisation.HelpType.MUTUAL)

    def offered(org):
        return {key for _group, items in CycleForm(organisation=org).fields["indicators"].choices for key, _ in items}

    assert "activities_held" in offered(charity) and "fees_booked" not in offered(charity)
    assert "reciprocity_both" not in offered(charity)
    assert {"fees_booked", "fees_paid", "fees_open"} <= offered(ledger) and "reciprocity_both" not in offered(ledger)
    assert "reciprocity_both" in offered(mutual) and "fees_booked" not in offered(mutual)
    form = CycleForm(
        {
            "name": "Okt",
            "period_kind": "maand",
            "start": "2025-10-01",
            "end": "2025-10-31",
            "indicators": ["fees_paid"],
        },
        organisation=charity,
    )
    assert not form.is_valid() and "indicators" in form.errors

    # A cycle that somehow holds them: not computed, not shown (niet van toepassing).
    cycle = _all_keys_cycle(charity, *OCT)
    with scope(organisation=charity):
        keys = {row["key"] for row in selectors.cycle_document(cycle)["indicators"]}
        figures = selectors.live_figures(cycle)
    assert "fees_booked" not in keys and "reciprocity_linked" not in keys and "participants_new" in keys
    assert "fees_booked" not in figures
    cycle = _all_keys_cycle(ledger, *OCT)
    with scope(organisation=ledger):
        rows = {row["key"]: row for row in selectors.cycle_document(cycle)["indicators"]}
    assert rows["fees_booked"]["value"] == 30 and rows["fees_open"]["value"] == 15
    assert "reciprocity_linked" not in rows


# --- reciprocity (er zijn voor elkaar) ------------------------------------------------------------------------------


@pytest.fixture
def mutual(db):
    org = OrganisationFactory(name="Voor Elkaar Oost", slug="voor-elkaar", help_type=Organisation.HelpType.MUTUAL)
    centre = AreaFactory(organisation=org, name="Centrum", postcodes=["3401"])
    south = AreaFactory(organisation=org, name="Zuid", postcodes=["3402"])
    both = ResidentFactory(organisation=org, area=centre)  # asks, and volunteers as V
    other = ResidentFactory(organisation=org, area=south)
    v = VolunteerFactory(organisation=org, resident=both)
    w = VolunteerFactory(organisation=org)
    VolunteerFactory(organisation=org, resident=ResidentFactory(organisation=org, area=south))  # linked, no help
    helped = MatchFactory(help_request=HelpRequestFactory(organisation=org, resident=both, area=centre), volunteer=w)
    helping = MatchFactory(help_request=HelpRequestFactory(organisation=org, resident=other, area=south), volunteer=v)
    with scopes_disabled():
        for match, day, is_mutual in (
            (helped, D(2025, 10, 2), False),
            (helped, D(2025, 10, 31), True),  # the period's last day counts
            (helping, D(2025, 10, 15), True),
            (helping, D(2025, 11, 1), True),  # November
        ):
            ContactLog.objects.create(organisation=org, match=match, date=day, minutes=60, mutual=is_mutual)
    return org


def test_reciprocity_linked_people_who_gave_and_received_and_mutual_meetings(mutual):
    # V gave: 1 (own match) + 1 (mutual on own request) = 2; received: 2 (own requests) + 1 (mutual as helper).
    with scope(organisation=mutual):
        total = type_figures.reciprocity_figures(start=OCT[0], end=OCT[1])
        by_area = type_figures.reciprocity_figures(start=OCT[0], end=OCT[1], breakdown="area")
        assert type_figures.reciprocity_figures(start=OCT[0], end=OCT[1], breakdown="network") == {}
    assert total == {
        "reciprocity_linked": {"": 2},
        "reciprocity_both": {"": 1},
        "reciprocity_mutual_meetings": {"": 2},
    }
    assert by_area == {
        "reciprocity_linked": {"Centrum": 1, "Zuid": 1},
        "reciprocity_both": {"Centrum": 1},
        "reciprocity_mutual_meetings": {"Centrum": 1, "Zuid": 1},
    }
    cycle = _all_keys_cycle(mutual, *OCT)
    with scope(organisation=mutual):
        rows = {row["key"]: row for row in selectors.cycle_document(cycle)["indicators"]}
    assert rows["reciprocity_both"]["value"] == 1 and "fees_booked" not in rows


# --- the funder's report ----------------------------------------------------------------------------------------------


def test_a_small_cell_is_hidden_for_the_funder_and_its_complement_too(world):
    """Per network in October: the walking group 2 participants (small), the garden 7 (so it must be hidden
    too, or 9 - 7 gives the 2 away)."""
    with scopes_disabled():
        garden = world["networks"][1]
        extra = [NetworkMemberFactory(network=garden, joined_on=D(2025, 1, 1)) for _ in range(5)]
    attend(world["meal_session"], *extra)
    cycle = _all_keys_cycle(world["org"], *OCT)
    with scope(organisation=world["org"]):
        document = selectors.cycle_document(cycle)
    published = suppress_document(document)
    headline = {ind["key"]: ind["value"] for ind in published["indicators"]}
    assert headline["participants_unique"].number == 9
    assert headline["participants_new"].number == 7  # c, e and the five newcomers
    by_network = {row["label"]: row["values"] for row in published["breakdowns"]["network"]}
    assert by_network["Wandelgroep"]["participants_unique"].text == SMALL
    assert by_network["Moestuin"]["participants_unique"].text == HIDDEN
    assert headline["network_growth"].text == SMALL  # a change of 1 (−4 to 4)
    assert by_network["Wandelgroep"]["network_growth"].text == HIDDEN


def test_the_funder_report_files_hold_the_new_indicators(ledger):
    cycle = _all_keys_cycle(ledger, *OCT)
    with scope(organisation=ledger):
        document = selectors.cycle_document(cycle)
    labels = {
        "Deelnemers aan activiteiten",
        "Vergoedingen geboekt",
        "Uren vrijwilligerswerk",
        "Groei van de bewonersnetwerken",
    }
    workbook = load_workbook(io.BytesIO(reports.render_xlsx(document)))
    indicators = {row[0]: row for row in workbook.worksheets[0].iter_rows(values_only=True) if row and row[0]}
    assert {"participants_unique", "fees_booked", "fees_open", "volunteer_hours", "network_growth"} <= set(indicators)
    assert indicators["fees_booked"][1] == "Vergoedingen geboekt" and indicators["fees_booked"][3] == 30
    assert indicators["fees_booked"][2] == "euro (hele euro's)"
    assert "reciprocity_both" not in indicators
    definitions = [row for row in workbook["Definities"].iter_rows(values_only=True) if row and row[0] == "fees_open"]
    assert "min alle betalingen" in definitions[0][3]
    pdf = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(reports.render_pdf(document))).pages)
    flat = " ".join(pdf.split())
    for label in labels:
        assert label in flat, label
    csv = reports.render_csv(document)
    assert "fees_booked;Vergoedingen geboekt;euro;30" in csv
    assert all(label in reports.render_html(document) for label in labels)


def test_the_network_breakdown_reaches_the_spreadsheet_and_the_cycle_page_groups(world):
    cycle = _all_keys_cycle(world["org"], *OCT)
    with scope(organisation=world["org"]):
        document = selectors.cycle_document(cycle)
        tables = selectors.cycle_figures(cycle)["breakdown_tables"]
    assert {table["kind"] for table in tables} == {"area", "network"}  # no kind of help without hours
    assert {group["label"] for group in tables[-1]["groups"]} == {"Wandelgroep", "Moestuin"}
    workbook = load_workbook(io.BytesIO(reports.render_xlsx(document)))
    assert "Netwerk" in workbook.sheetnames
    groups = [row[0] for row in workbook["Netwerk"].iter_rows(values_only=True)]
    assert "Wandelgroep" in groups and "Moestuin" in groups


# --- queries ----------------------------------------------------------------------------------------------------


def _queries(org, sources):
    with scope(organisation=org), CaptureQueriesContext(connection) as queries:
        for source in sources:
            for breakdown in ("", *catalogue.BREAKDOWNS):
                source(start=OCT[0], end=OCT[1], breakdown=breakdown)
    return len(queries)


def test_the_activity_figures_take_the_same_queries_for_1_and_for_30_sessions(db):
    org = OrganisationFactory()
    areas = [AreaFactory(organisation=org, name=f"Wijk {i}", postcodes=[f"34{i:02d}"]) for i in range(5)]
    networks = [NetworkFactory(organisation=org, name=f"Netwerk {i}", started_on=D(2025, 1, 1)) for i in range(5)]
    sources = (network_figures.session_figures, network_figures.participation_figures, network_figures.network_figures)

    def add(i):
        network = networks[i % 5]
        activity = ActivityFactory(network=network, area=areas[i % 5])
        member = NetworkMemberFactory(
            network=network,
            resident=ResidentFactory(organisation=org, area=areas[(i + 1) % 5]),
            joined_on=D(2025, 10, 1),
        )
        attend(session(activity, at(10, 1 + i % 28, 8 + i // 28)), member)

    add(0)
    one = _queries(org, sources)
    for i in range(1, 30):
        add(i)
    assert _queries(org, sources) == one
    # One query per function and breakdown it has (total, network, area), the networks' count once more
    # for the total; none for the kind of help, which they don't have.
    assert one == 3 + 3 + (3 + 1)
    with scope(organisation=org):
        assert network_figures.session_figures(start=OCT[0], end=OCT[1])["sessions_held"] == {"": 30}


def test_hours_fees_and_reciprocity_take_constant_queries(ledger):
    sources = (type_figures.hours_figures, type_figures.fee_figures, type_figures.reciprocity_figures)
    one = _queries(ledger, sources)
    with scopes_disabled():
        volunteer = FeeEntry.objects.first().volunteer
    for i in range(30):
        FeeEntryFactory(organisation=ledger, volunteer=volunteer, date=D(2025, 10, 1 + i % 28), amount=Decimal("1.25"))
    assert _queries(ledger, sources) == one


def test_a_change_is_shown_either_way_from_5_and_a_breakdown_with_a_small_one_is_hidden_whole():
    from evaluatie.suppression import headline_cell, suppress_breakdown

    assert headline_cell(-7, "verschil").number == -7 and headline_cell(12, "verschil").number == 12
    assert headline_cell(-3, "verschil").text == SMALL and headline_cell(4, "verschil").text == SMALL
    rows = [{"label": "A", "values": {"g": 9}}, {"label": "B", "values": {"g": -2}}]
    assert [row["values"]["g"].text for row in suppress_breakdown(rows, {"g": "verschil"})] == [HIDDEN, HIDDEN]
    rows = [{"label": "A", "values": {"g": 9}}, {"label": "B", "values": {"g": -6}}]
    assert [row["values"]["g"].number for row in suppress_breakdown(rows, {"g": "verschil"})] == [9, -6]
    # Euros are a sum like hours: whole euros, "< 5" below 5.
    assert headline_cell(30.0, "euro").number == 30 and headline_cell(4.49, "euro").text == SMALL


# --- the pages and the built report -------------------------------------------------------------------------------


def test_the_plan_picker_offers_the_new_sections_for_the_type_of_buurthulp(client, db):
    from django.urls import reverse

    from netwerken.roles import Role

    from .conftest import make_tenant

    for help_type, shown, absent in (
        (Organisation.HelpType.CHARITY, "Deelnemers aan activiteiten", "Vergoedingen geboekt"),
        (Organisation.HelpType.MODEST_FEE, "Vergoedingen geboekt", "Gaven én kregen hulp"),
        (Organisation.HelpType.MUTUAL, "Gaven én kregen hulp", "Vergoedingen geboekt"),
    ):
        tenant = make_tenant(help_type=help_type)
        client.force_login(tenant.user(Role.COORDINATOR))
        page = client.get(reverse("evaluatie:cycle_create", kwargs={"org": tenant.organisation.slug}))
        text = page.content.decode()
        assert page.status_code == 200
        assert "Bewonersnetwerken en activiteiten" in text and "Uren vrijwilligerswerk" in text
        assert shown in text and absent not in text, help_type


def test_the_cycle_page_shows_the_network_breakdown(client, world):
    from django.urls import reverse

    from netwerken.roles import Role

    from .factories import MembershipFactory

    cycle = _all_keys_cycle(world["org"], *OCT)
    coordinator = MembershipFactory(organisation=world["org"], roles=(Role.COORDINATOR,)).user
    client.force_login(coordinator)
    page = client.get(reverse("evaluatie:cycle_detail", kwargs={"org": world["org"].slug, "cycle": cycle.pk}))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Per netwerk" in text and "Wandelgroep" in text and "Deelnemers aan activiteiten" in text
    assert "Vergoedingen geboekt" not in text


def test_the_built_funder_report_holds_the_new_rows(ledger):
    from evaluatie import funder_reports
    from evaluatie.models import FunderReport

    cycle = _all_keys_cycle(ledger, *OCT)
    with scope(organisation=ledger):
        report = funder_reports.report_request(cycle=cycle, by=None)
        assert funder_reports.report_build(report_id=report.pk, generation=report.generation) is True
    with scopes_disabled():
        report = FunderReport.objects.get(pk=report.pk)
    sheet = load_workbook(io.BytesIO(bytes(report.xlsx))).worksheets[0]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows["fees_booked"][3] == 30 and rows["fees_paid"][3] == 15
    assert rows["activities_held"][3] == SMALL  # none held in this organisation: "< 5"
    pdf = " ".join(
        " ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(bytes(report.pdf))).pages
    )
    assert "Vergoedingen nog te betalen" in pdf and "Bijeenkomsten gehouden" in pdf
    assert "Vergoedingen geboekt" in report.html and "fees_open" in bytes(report.csv).decode("utf-8-sig")
