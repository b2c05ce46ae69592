"""The front door on a phone (issue 11): an anonymous visitor finds their organisation by postcode and reaches
both ways in; someone who made an account outside any organisation chooses one and ends as a volunteer
candidate who is told what happens next."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from netwerken.models import Organisation, OutgoingEmail, Volunteer

from ..factories import AreaFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 390
PHONE_NUMBER = "+31348123456"


def assert_no_sideways_scrolling(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the page is {width}px wide on a {PHONE_WIDTH}px phone"


@pytest.fixture
def front_door(tenant_a, tenant_b):
    """Oost has a phone number; West alone serves 3531 (both serve the fixture's 3401)."""
    with scopes_disabled():
        Organisation.objects.filter(pk=tenant_a.organisation.pk).update(phone=PHONE_NUMBER)
    AreaFactory(organisation=tenant_b.organisation, name="Lombok", postcodes=["3531"])
    return tenant_a, tenant_b


def find_by_postcode(page, postcode):
    page.get_by_label("Je postcode").fill(postcode)
    page.get_by_role("button", name="Zoeken").click()
    return page.locator("#kop-bij-mij").locator("xpath=..").get_by_role("listitem")


def test_a_visitor_finds_their_organisation_by_postcode_and_both_ways_in(phone, front_door):
    phone.goto("/")
    expect(phone.get_by_role("heading", name="Welke buurthulp is er bij mij?")).to_be_visible()
    assert_no_sideways_scrolling(phone)

    # A postcode it does not know as one: a calm Dutch message, what was typed stays.
    find_by_postcode(phone, "34O1")
    expect(phone.get_by_label("Je postcode")).to_have_value("34O1")
    expect(phone.get_by_text(re.compile("herkennen we niet als postcode"))).to_be_visible()

    found = find_by_postcode(phone, "3531 AB")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Buurthulp West")
    expect(found).to_contain_text("buurt Lombok")
    found.get_by_role("link", name="Buurthulp West").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Buurthulp West")
    assert_no_sideways_scrolling(phone)
    phone.get_by_role("link", name="Hulp vragen").click()
    expect(phone).to_have_url(re.compile(r"/o/west/hulp-vragen/$"))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Hulp vragen")
    assert_no_sideways_scrolling(phone)

    phone.go_back()
    phone.get_by_role("link", name="Vrijwilliger worden").click()
    expect(phone).to_have_url(re.compile(r"/o/west/word-vrijwilliger/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Word vrijwilliger bij Buurthulp West")
    assert_no_sideways_scrolling(phone)


def test_signed_up_outside_an_organisation_chooses_one_and_is_a_candidate(phone, live_server, front_door):
    tenant_a, _tenant_b = front_door
    phone.goto("/accounts/signup/")
    phone.get_by_label("Naam:").fill("Fatima El Amrani")
    phone.get_by_label("E-mailadres:").fill("fatima@example.nl")
    phone.get_by_label("Wachtwoord:", exact=True).fill("zonnige-dinsdag-42")
    phone.get_by_label("Wachtwoord (bevestigen):").fill("zonnige-dinsdag-42")
    phone.get_by_role("button", name="Account aanmaken").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Verifieer je e-mailadres")

    body = OutgoingEmail.objects.get(to="fatima@example.nl").body_text
    path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", body).group(1)
    phone.goto(path)
    phone.locator("main").get_by_role("button").first.click()

    # Logged in, belonging nowhere: no dead end, but the choice.
    expect(phone.get_by_role("heading", level=1)).to_have_text("Kies je buurthulporganisatie")
    assert_no_sideways_scrolling(phone)
    found = find_by_postcode(phone, "3401 AB")
    oost = found.filter(has_text="Buurthulp Oost")
    expect(oost).to_have_count(1)
    oost.get_by_role("link", name=re.compile("Word hier vrijwilliger")).click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Word vrijwilliger bij Buurthulp Oost")
    expect(phone.get_by_label("Postcode")).to_have_value("3401 AB")
    # A bad phone number: said at the field, nothing typed is lost.
    phone.get_by_label("Telefoonnummer").fill("12")
    phone.get_by_label("Huisnummer").fill("12a")
    phone.get_by_role("checkbox", name="Ik geef toestemming").check()
    phone.get_by_role("button", name="Ja, meld me aan bij Buurthulp Oost").click()
    expect(phone.get_by_label("Telefoonnummer")).to_have_attribute("aria-invalid", "true")
    expect(phone.get_by_label("Huisnummer")).to_have_value("12a")

    expect(phone.get_by_role("checkbox", name="Ik geef toestemming")).to_be_checked()
    phone.get_by_label("Telefoonnummer").fill("06 12345678")
    phone.get_by_role("button", name="Ja, meld me aan bij Buurthulp Oost").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Je bent aangemeld als vrijwilliger bij Buurthulp Oost")
    next_steps = phone.get_by_role("region", name="Wat gebeurt er nu?")
    expect(next_steps).to_be_visible()
    expect(next_steps).to_contain_text("binnen een paar dagen voor een kennismakingsgesprek")
    expect(next_steps.get_by_role("link", name="0348 123 456")).to_have_attribute("href", f"tel:{PHONE_NUMBER}")
    assert_no_sideways_scrolling(phone)

    # And the dashboard says it too, while they are a candidate.
    phone.get_by_role("link", name="Naar mijn vrijwilligerswerk").click()
    expect(phone.get_by_role("region", name="Wat gebeurt er nu?")).to_be_visible()

    with scopes_disabled():
        volunteer = Volunteer.objects.get(membership__user__email="fatima@example.nl")
        assert volunteer.organisation == tenant_a.organisation
        assert volunteer.status == Volunteer.Status.REGISTERED
        assert volunteer.phone == "+31612345678"
