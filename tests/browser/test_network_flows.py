"""Issue 10 on a phone: the organiser records a session from their dashboard, the coordinator finds a network
by its neighbourhood (map and members), and a volunteer of een extraatje bijverdienen sees their fees and hours;
none of these pages scrolls sideways."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from netwerken.models import Organisation, Participation
from tests.factories import (
    AMSTERDAM,
    ActivityFactory,
    ActivitySessionFactory,
    AreaFactory,
    FeeEntryFactory,
    HoursEntryFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkMemberFactory,
    OrganisationFactory,
    VolunteerFactory,
)

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def assert_no_sideways_scrolling(page):
    # Not window.innerWidth: on a mobile context (is_mobile) Chromium widens the layout viewport to fit a
    # too-wide page, so innerWidth grows with the page and the check could never fail. The phone's own width.
    width = page.evaluate("document.documentElement.scrollWidth")
    phone_width = page.viewport_size["width"]
    assert width <= phone_width, f"the page is {width}px wide on a {phone_width}px phone ({page.url})"


def test_organiser_records_a_session_on_a_phone(phone):
    org = OrganisationFactory()
    organiser = VolunteerFactory(organisation=org)
    network = NetworkFactory(organisation=org, name="Koffie in de Wijk")
    members = [NetworkMemberFactory(network=network, name=name) for name in ("Ans Bakker", "Bert Smit", "Cor Vos")]
    activity = ActivityFactory(network=network, organiser=organiser, title="Koffieochtend")
    tomorrow = datetime.datetime.combine(
        timezone.localdate() + datetime.timedelta(days=1), datetime.time(10, 0), tzinfo=AMSTERDAM
    )
    session = ActivitySessionFactory(activity=activity, starts_at=tomorrow)

    log_in(phone, organiser.membership.user.email)
    phone.goto(f"/o/{org.slug}/")
    mine = phone.get_by_role("region", name="Mijn activiteiten")
    assert_no_sideways_scrolling(phone)
    mine.get_by_role("link", name=re.compile("^Koffieochtend")).click()

    expect(phone).to_have_url(re.compile(rf"/o/{org.slug}/sessies/{session.pk}/$"))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Koffieochtend")
    assert_no_sideways_scrolling(phone)
    for member in members[:2]:
        button = phone.locator(f"#lid-{member.pk}").get_by_role("button", name=re.compile("was er"))
        button.click()
        expect(phone.get_by_text(f"{member.name}: was er.")).to_be_visible()
        expect(phone.locator(f"#lid-{member.pk}").get_by_role("button", name=re.compile("was er"))).to_have_attribute(
            "aria-pressed", "true"
        )
    nieuw = phone.get_by_role("region", name="Nieuwe deelnemer")
    nieuw.get_by_label("Naam").fill("Dirk Nieuw")
    nieuw.get_by_role("button", name="Zet erbij (was er)").click()

    expect(phone.locator("p.counts")).to_contain_text("3 was er")
    expect(phone.locator("ul.tap-list")).to_contain_text("Dirk Nieuw")
    assert_no_sideways_scrolling(phone)
    with scopes_disabled():
        assert Participation.objects.filter(session=session, attended=True).count() == 3
        assert set(
            Participation.objects.filter(session=session, attended=True).values_list("member__name", flat=True)
        ) == {"Ans Bakker", "Bert Smit", "Dirk Nieuw"}
        assert not Participation.objects.filter(session=session, member=members[2], attended=True).exists()


def test_coordinator_finds_a_network_by_neighbourhood_on_a_phone(phone):
    org = OrganisationFactory()
    coordinator = MembershipFactory(organisation=org, roles=("coordinator",)).user
    noord = AreaFactory(organisation=org, name="Noord", latitude=52.03, longitude=5.04)
    zuid = AreaFactory(organisation=org, name="Zuid", latitude=52.01, longitude=5.05)
    wandel = NetworkFactory(organisation=org, name="Wandelclub Noord", areas=[noord])
    NetworkFactory(organisation=org, name="Moestuin Zuid", areas=[zuid])
    for name in ("Els de Boer", "Frits Kok"):
        NetworkMemberFactory(network=wandel, name=name)

    log_in(phone, coordinator.email)
    phone.goto(f"/o/{org.slug}/")
    menu = phone.get_by_role("navigation", name="Hoofdmenu")
    menu.get_by_role("button", name="Menu").click()  # on a phone the menu is folded into one button
    menu.get_by_role("link", name="Netwerken", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Bewonersnetwerken")
    expect(phone.locator("svg")).to_have_count(1)
    expect(phone.locator("svg")).to_be_visible()
    assert_no_sideways_scrolling(phone)

    phone.get_by_text("Filteren", exact=True).click()  # the filters fold away on a phone
    phone.get_by_label("Buurt", exact=True).select_option(label="Noord")
    phone.get_by_role("button", name="Toon", exact=True).click()
    expect(phone).to_have_url(re.compile(r"area="))
    expect(phone.get_by_role("link", name="Wandelclub Noord")).to_be_visible()
    expect(phone.get_by_role("link", name="Moestuin Zuid")).to_have_count(0)
    expect(phone.locator("svg")).to_be_visible()
    assert_no_sideways_scrolling(phone)

    phone.get_by_role("link", name="Wandelclub Noord").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Wandelclub Noord")
    deelnemers = phone.get_by_role("region", name="Deelnemers")
    expect(deelnemers).to_contain_text("Els de Boer")
    expect(deelnemers).to_contain_text("Frits Kok")
    assert_no_sideways_scrolling(phone)


def test_extraatje_volunteer_sees_fees_and_hours_on_a_phone(phone):
    org = OrganisationFactory(help_type=Organisation.HelpType.MODEST_FEE)
    volunteer = VolunteerFactory(organisation=org)
    FeeEntryFactory(volunteer=volunteer, quantity=Decimal("2.00"), rate=Decimal("5.00"), amount=Decimal("10.00"))
    FeeEntryFactory(volunteer=volunteer, quantity=Decimal("3.00"), rate=Decimal("5.00"), amount=Decimal("15.00"))
    HoursEntryFactory(volunteer=volunteer, minutes=90)

    log_in(phone, volunteer.membership.user.email)
    phone.goto(f"/o/{org.slug}/")
    menu = phone.get_by_role("navigation", name="Hoofdmenu")
    menu.get_by_role("button", name="Menu").click()  # on a phone the menu is folded into one button
    menu.get_by_role("link", name="Mijn vergoedingen").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Mijn vergoedingen")
    totals = phone.locator("dl.details")
    expect(totals).to_contain_text("Geboekt")
    expect(totals).to_contain_text("25,00")
    expect(totals.locator("strong")).to_contain_text("25,00")
    assert_no_sideways_scrolling(phone)

    menu.get_by_role("button", name="Menu").click()
    menu.get_by_role("link", name="Mijn uren").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Mijn uren")
    expect(phone.locator("p.lead")).to_contain_text(re.compile(r"Dit jaar 1[,.]5 uur"))
    assert_no_sideways_scrolling(phone)
