"""How people and requests come in: a volunteer signs up on a phone, a coordinator takes a request by
phone (existing and new resident), a resident asks for help online without an account."""

import datetime
import re

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from matching.models import HelpRequest, StatusChange
from netwerken import availability
from netwerken.consent import resident_online_consent_text, resident_phone_consent_text, volunteer_consent_text
from netwerken.models import Consent, OutgoingEmail, Resident, User, Volunteer

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 390
# Would a finger on the middle of the element land on it? False when it is clipped away or covered.
TAPPABLE = """el => {
  el.scrollIntoView({block: "center"});
  const r = el.getBoundingClientRect();
  return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === el;
}"""


def assert_no_sideways_scrolling(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the page is {width}px wide on a {PHONE_WIDTH}px phone"


def fill_volunteer_signup(page, *, postcode):
    page.get_by_label("Je naam").fill("Sanne Bakker")
    page.get_by_label("E-mailadres").fill("sanne@example.nl")
    page.get_by_label("Kies een wachtwoord").fill("Zonnebloem-42")
    page.get_by_label("Herhaal het wachtwoord").fill("Zonnebloem-42")
    page.get_by_label("Telefoonnummer").fill("06 12345678")
    page.get_by_label("Postcode").fill(postcode)
    page.get_by_label("Huisnummer").fill("12a")
    page.get_by_role("group", name="Waarmee wil je helpen?").get_by_label("Boodschappen").check()
    slots = page.get_by_role("group", name="Wanneer kun je?")
    for slot in ("dinsdagmiddag", "donderdagochtend", "zaterdagochtend"):
        slots.get_by_label(slot, exact=True).check()
    page.get_by_role("group", name="In welke buurten wil je helpen?").get_by_label("Centrum oost").check()
    page.get_by_role("group", name="Talen").get_by_label("Engels").check()
    page.get_by_role("radio", name="een vast contact (maatje)").check()
    page.get_by_role("checkbox", name="Ik geef toestemming").check()


# --- 1. a volunteer signs up on a phone -----------------------------------------------------------


def test_volunteer_signs_up_on_a_phone_and_is_asked_to_confirm_the_email(phone, tenant_a):
    phone.goto("/o/oost/word-vrijwilliger/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Word vrijwilliger bij Buurthulp Oost")
    consent_text = volunteer_consent_text(tenant_a.organisation)
    expect(phone.get_by_text(consent_text)).to_be_visible()

    fill_volunteer_signup(phone, postcode="3401ab")
    assert_no_sideways_scrolling(phone)
    phone.get_by_role("button", name="Aanmelden als vrijwilliger").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Verifieer je e-mailadres")
    expect(phone.get_by_role("main")).to_contain_text("sanne@example.nl")
    assert_no_sideways_scrolling(phone)

    with scopes_disabled():
        volunteer = Volunteer.objects.select_related("membership__user", "consent").get(
            membership__user__email="sanne@example.nl"
        )
        assert volunteer.organisation == tenant_a.organisation
        assert volunteer.membership.user.name == "Sanne Bakker"
        assert volunteer.status == Volunteer.Status.REGISTERED == "aangemeld"
        assert volunteer.phone == "+31612345678"
        assert volunteer.postcode == "3401 AB"
        assert volunteer.house_number == "12a"
        assert volunteer.area == tenant_a.objects["area"]
        assert list(volunteer.categories.all()) == [tenant_a.objects["category"]]
        assert volunteer.availability == availability.mask_from_codes(["di-middag", "do-ochtend", "za-ochtend"])
        assert set(volunteer.language_list) == {"nl", "en"}
        assert volunteer.preference == Volunteer.Preference.STEADY
        assert volunteer.consent.method == Consent.Method.ONLINE == "online"
        assert volunteer.consent.text == consent_text
    assert OutgoingEmail.objects.filter(to="sanne@example.nl").count() == 1


def test_volunteer_signup_with_a_bad_postcode_says_so_and_keeps_what_was_typed(phone, tenant_a):
    phone.goto("/o/oost/word-vrijwilliger/")
    fill_volunteer_signup(phone, postcode="12345")
    phone.get_by_role("button", name="Aanmelden als vrijwilliger").click()

    # Where the page opens again: a summary that has focus and links to the field.
    summary = phone.get_by_role("alert").filter(has=phone.get_by_role("link", name="Postcode"))
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("Vul een postcode in als 1234 AB.")
    summary.get_by_role("link", name="Postcode").click()
    postcode = phone.get_by_label("Postcode")
    expect(postcode).to_be_in_viewport()

    # At the field itself, in Dutch, and read out with it.
    expect(postcode).to_have_accessible_description("Vul een postcode in als 1234 AB.")
    expect(postcode).to_have_attribute("aria-invalid", "true")
    expect(phone.locator(".field").filter(has=postcode).get_by_role("alert")).to_have_text(
        "Vul een postcode in als 1234 AB."
    )

    # Nothing typed is lost but the passwords (never sent back).
    expect(postcode).to_have_value("12345")
    expect(phone.get_by_label("Je naam")).to_have_value("Sanne Bakker")
    expect(phone.get_by_label("E-mailadres")).to_have_value("sanne@example.nl")
    expect(phone.get_by_label("Telefoonnummer")).to_have_value("06 12345678")
    expect(phone.get_by_role("group", name="Waarmee wil je helpen?").get_by_label("Boodschappen")).to_be_checked()
    expect(phone.get_by_label("dinsdagmiddag", exact=True)).to_be_checked()
    expect(phone.get_by_role("radio", name="een vast contact (maatje)")).to_be_checked()
    assert_no_sideways_scrolling(phone)
    assert not User.objects.filter(email="sanne@example.nl").exists()
    with scopes_disabled():
        assert not Volunteer.objects.filter(phone="+31612345678").exists()


# --- 2 and 3. a coordinator takes a request by phone ---------------------------------------------


def fill_request_by_keyboard(page, *, when):
    """Category and description from the keyboard; the date field is filled directly (its segments
    follow the browser's locale); consent with the space bar; sent with Enter on the button."""
    category = page.get_by_label("Soort hulp")
    expect(category).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(category.locator("option:checked")).to_have_text("Boodschappen")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Wat is er nodig")).to_be_focused()
    page.keyboard.type("Boodschappen doen bij de Jumbo, het lijstje ligt klaar.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name="eenmalig")).to_be_focused()
    page.keyboard.press("Tab")
    date = page.get_by_label("Datum")
    expect(date).to_be_focused()
    date.fill(when.isoformat())
    consent = page.get_by_role("checkbox", name="De bewoner geeft toestemming")
    consent.focus()
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Hulpvraag opslaan")).to_be_focused()
    page.keyboard.press("Enter")


def test_coordinator_takes_a_phone_request_for_an_existing_resident(page, tenant_a, tenant_b):
    coordinator = tenant_a.user("coordinator")
    resident = tenant_a.objects["resident"]
    with scopes_disabled():
        residents_before = Resident.objects.count()
    log_in(page, coordinator.email)
    page.goto("/o/oost/hulpvragen/nieuw/")

    search = page.get_by_label("Naam, telefoonnummer of postcode")
    expect(search).to_be_focused()
    page.keyboard.type("de vries")
    page.keyboard.press("Enter")
    results = page.get_by_role("list", name="Gevonden bewoners")
    expect(results.get_by_role("listitem")).to_have_count(1)  # West has a Mevrouw De Vries too
    results.get_by_role("link", name=f"Kies {resident.name}").click()

    chosen = page.get_by_role("region", name="2. Bewoner")
    expect(chosen).to_contain_text(resident.name)
    expect(chosen).to_be_in_viewport()
    expect(chosen.get_by_label("Naam bewoner")).to_have_count(0)  # no new-resident fields
    # The keyboard carries on from the chosen resident: past "Andere bewoner" to the request.
    page.keyboard.press("Tab")
    expect(chosen.get_by_role("link", name="Andere bewoner")).to_be_focused()
    page.keyboard.press("Tab")
    when = timezone.localdate() + datetime.timedelta(days=3)
    fill_request_by_keyboard(page, when=when)

    expect(page).to_have_url(re.compile(r"/o/oost/hulpvragen/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Boodschappen — {resident.name}")
    expect(page.get_by_text(f"De hulpvraag van {resident.name} is opgeslagen.")).to_be_visible()
    expect(page.locator(".status")).to_have_text("nieuw")

    with scopes_disabled():
        assert Resident.objects.count() == residents_before
        help_request = (
            HelpRequest.objects.select_related("consent")
            .exclude(pk=tenant_a.objects["help_request"].pk)
            .get(resident=resident)
        )
        assert help_request.organisation == tenant_a.organisation
        assert help_request.status == HelpRequest.Status.NEW
        assert help_request.channel == HelpRequest.Channel.PHONE
        assert help_request.category == tenant_a.objects["category"]
        assert help_request.description == "Boodschappen doen bij de Jumbo, het lijstje ligt klaar."
        assert help_request.date == when
        assert help_request.created_by == coordinator
        assert help_request.consent.method == Consent.Method.PHONE == "telefonisch"
        assert help_request.consent.recorded_by == coordinator
        assert help_request.consent.text == resident_phone_consent_text(tenant_a.organisation)
        changes = StatusChange.objects.filter(help_request=help_request)
        assert [(c.from_status, c.to_status, c.by) for c in changes] == [("", "nieuw", coordinator)]


def test_coordinator_takes_a_phone_request_for_a_new_resident(page, tenant_a):
    coordinator = tenant_a.user("coordinator")
    log_in(page, coordinator.email)
    page.goto("/o/oost/hulpvragen/nieuw/")

    page.get_by_label("Naam, telefoonnummer of postcode").fill("Jansen")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(
        "Geen bewoner gevonden met ‘Jansen’. Vul hieronder een nieuwe bewoner in."
    )

    new_resident = page.get_by_role("region", name="2. Bewoner")
    # What is needed for a new resident is marked before anyone gets an error for it.
    for label in ("Naam bewoner", "Postcode", "Huisnummer"):
        expect(new_resident.get_by_role("textbox", name=f"{label} (verplicht)")).to_be_visible()
    new_resident.get_by_label("Naam bewoner").fill("Meneer Jansen")
    new_resident.get_by_label("Telefoonnummer").fill("030-1234567")
    new_resident.get_by_label("Postcode").fill("3401 xz")
    new_resident.get_by_label("Huisnummer").fill("7")

    # Day parts only matter for recurring help.
    day_parts = page.get_by_role("group", name="Op welke dagdelen?")
    expect(day_parts).to_be_hidden()
    page.get_by_role("radio", name="terugkerend").check()
    expect(day_parts).to_be_visible()
    page.get_by_role("radio", name="eenmalig").check()
    expect(day_parts).to_be_hidden()

    page.get_by_label("Soort hulp").focus()
    when = timezone.localdate() + datetime.timedelta(days=1)
    fill_request_by_keyboard(page, when=when)

    expect(page.get_by_role("heading", level=1)).to_have_text("Boodschappen — Meneer Jansen")
    expect(page.locator(".status")).to_have_text("nieuw")
    expect(page.get_by_role("main")).to_contain_text("Centrum oost")

    with scopes_disabled():
        resident = Resident.objects.get(name="Meneer Jansen")
        assert resident.organisation == tenant_a.organisation
        assert resident.phone == "+31301234567"
        assert resident.postcode == "3401 XZ"
        assert resident.house_number == "7"
        assert resident.area == tenant_a.objects["area"]
        help_request = HelpRequest.objects.select_related("consent").get(resident=resident)
        assert help_request.status == HelpRequest.Status.NEW
        assert help_request.area == tenant_a.objects["area"]
        assert help_request.consent.method == Consent.Method.PHONE
        assert help_request.consent.recorded_by == coordinator
        assert StatusChange.objects.filter(help_request=help_request, to_status="nieuw").count() == 1


# --- 4. a resident asks online, without an account ------------------------------------------------


def test_resident_asks_for_help_online_on_a_phone(phone, tenant_a):
    phone.goto("/o/oost/hulp-vragen/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hulp vragen bij Buurthulp Oost")
    for label in ("Je naam", "Postcode", "Huisnummer"):
        expect(phone.get_by_role("textbox", name=f"{label} (verplicht)")).to_be_visible()

    phone.get_by_label("Je naam").fill("Els de Boer")
    phone.get_by_label("Je telefoonnummer").fill("06-87654321")
    phone.get_by_label("Postcode").fill("3401 ab")
    phone.get_by_label("Huisnummer").fill("3")
    phone.get_by_label("Waarmee wil je hulp?").select_option(label="Boodschappen")
    phone.get_by_label("Wat is er nodig?").fill("Wie kan op vrijdag boodschappen voor mij doen?")
    consent_text = resident_online_consent_text(tenant_a.organisation)
    expect(phone.get_by_text(consent_text)).to_be_visible()
    phone.get_by_role("checkbox", name="Ik geef toestemming").check()
    assert_no_sideways_scrolling(phone)
    phone.get_by_role("button", name="Hulpvraag versturen").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Je hulpvraag is verstuurd")
    expect(phone.get_by_role("main")).to_contain_text("Een coördinator van Buurthulp Oost neemt zo snel mogelijk")
    assert_no_sideways_scrolling(phone)
    with scopes_disabled():
        help_request = HelpRequest.objects.select_related("consent", "resident").get(resident__name="Els de Boer")
        assert help_request.organisation == tenant_a.organisation
        assert help_request.status == HelpRequest.Status.NEW
        assert help_request.channel == HelpRequest.Channel.ONLINE == "online"
        assert help_request.category == tenant_a.objects["category"]
        assert help_request.created_by is None
        assert help_request.consent.method == Consent.Method.ONLINE
        assert help_request.consent.text == consent_text
        assert help_request.consent.recorded_by is None
        assert help_request.resident.phone == "+31687654321"
        assert help_request.resident.postcode == "3401 AB"
        assert help_request.resident.area == tenant_a.objects["area"]
        assert StatusChange.objects.filter(help_request=help_request, to_status="nieuw").count() == 1


def test_the_honeypot_is_out_of_reach_of_people(phone, tenant_a):
    phone.goto("/o/oost/hulp-vragen/")
    honeypot = phone.locator("input[name=website]")
    expect(honeypot).to_have_count(1)
    # Not announced by a screen reader...
    expect(phone.get_by_role("textbox", name="Laat dit veld leeg")).to_have_count(0)
    # ...not on the screen to tap...
    assert not honeypot.evaluate(TAPPABLE), "a person could tap the honeypot field"
    assert phone.get_by_label("Je naam").evaluate(TAPPABLE), "the check itself must see an ordinary field"
    # ...and never reached with Tab, from the first field to the button.
    phone.get_by_label("Je naam").focus()
    visited = []
    while phone.evaluate("document.activeElement.type") != "submit" and len(visited) < 40:
        visited.append(phone.evaluate("document.activeElement.name"))
        phone.keyboard.press("Tab")
    assert "resident_name" in visited and "consent" in visited
    assert "website" not in visited


def test_online_request_with_nothing_filled_in_lists_what_is_missing(phone, tenant_a):
    phone.goto("/o/oost/hulp-vragen/")
    phone.get_by_role("button", name="Hulpvraag versturen").click()

    summary = phone.get_by_role("alert").filter(has=phone.get_by_role("link", name="Je naam"))
    expect(summary).to_be_focused()
    for label in (
        "Je naam",
        "Je telefoonnummer",
        "Postcode",
        "Huisnummer",
        "Waarmee wil je hulp?",
        "Ik geef toestemming",
    ):
        expect(summary.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(summary).to_contain_text("Zonder jouw toestemming kunnen we je hulpvraag niet bewaren.")
    assert_no_sideways_scrolling(phone)
    with scopes_disabled():
        assert not HelpRequest.objects.filter(channel=HelpRequest.Channel.ONLINE).exists()  # nothing was saved
