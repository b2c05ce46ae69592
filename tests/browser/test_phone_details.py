"""Phone-first details (issue 11, point 10) on a 390 × 844 phone: the availability week grid, the folded
menu, the error summary after a failed save, request cards with their labels, and the question a
destructive action asks first."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from matching.models import Match
from netwerken import availability
from netwerken.models import Volunteer

from .conftest import PHONE, log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = PHONE["viewport"]["width"]


def assert_no_sideways_scrolling(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the page is {width}px wide on a {PHONE_WIDTH}px phone"


def volunteer_with_a_week(tenant, codes):
    """The fixture's volunteer with these slots, helping in the neighbourhood (so the profile saves as is)."""
    with scopes_disabled():
        volunteer = tenant.objects["volunteer"]
        volunteer.availability = availability.mask_from_codes(codes)
        volunteer.save(update_fields=["availability"])
        volunteer.areas.set([tenant.objects["area"]])
    return volunteer


def stored_codes(volunteer):
    with scopes_disabled():
        return sorted(availability.codes_from_mask(Volunteer.objects.get(pk=volunteer.pk).availability))


# --- the week grid ------------------------------------------------------------------------------------


def test_week_grid_fits_a_phone_and_a_tapped_cell_is_saved(phone, tenant_a):
    volunteer = volunteer_with_a_week(tenant_a, ["di-middag"])
    log_in(phone, tenant_a.user("volunteer").email)
    phone.goto("/o/oost/mijn/profiel/")
    week = phone.get_by_role("group", name="Wanneer kun je?")
    grid = week.get_by_role("table")
    expect(grid).to_be_visible()
    expect(week.get_by_role("checkbox")).to_have_count(21)
    # Day rows and part-of-day columns, with every cell a checkbox read as "woensdagavond".
    expect(grid.get_by_role("columnheader")).to_have_text(["ochtend", "middag", "avond"])
    expect(grid.get_by_role("rowheader")).to_have_count(7)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, box
    assert box["height"] <= PHONE["viewport"]["height"], box  # the whole week on one screen
    assert_no_sideways_scrolling(phone)
    expect(week.get_by_role("checkbox", name="dinsdagmiddag", exact=True)).to_be_checked()

    # Tap the cell (its label covers it, big enough for a finger): Wednesday evening on, Tuesday off.
    cell = grid.get_by_role("row").filter(has_text="woensdag").get_by_role("cell").nth(2)
    cell_box = cell.bounding_box()
    assert cell_box["height"] >= 44 and cell_box["width"] >= 44, cell_box
    phone.mouse.click(cell_box["x"] + cell_box["width"] / 2, cell_box["y"] + cell_box["height"] / 2)
    expect(week.get_by_role("checkbox", name="woensdagavond", exact=True)).to_be_checked()
    week.get_by_role("checkbox", name="dinsdagmiddag", exact=True).uncheck()
    phone.get_by_role("region", name="Mijn gegevens").get_by_role("button", name="Opslaan").click()
    expect(phone.get_by_role("status")).to_contain_text("opgeslagen")
    assert stored_codes(volunteer) == ["wo-avond"]
    expect(
        phone.get_by_role("group", name="Wanneer kun je?").get_by_role("checkbox", name="woensdagavond", exact=True)
    ).to_be_checked()


def test_week_grid_on_the_sign_up_page_fits_a_phone(phone, tenant_a):
    phone.goto("/o/oost/word-vrijwilliger/")
    grid = phone.get_by_role("group", name="Wanneer kun je?").get_by_role("table")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box["x"] + box["width"] <= PHONE_WIDTH, box
    assert_no_sideways_scrolling(phone)


# --- the menu -------------------------------------------------------------------------------------------


def test_menu_on_a_phone_is_one_button_that_opens_and_closes_by_keyboard(phone, tenant_a):
    log_in(phone, tenant_a.user("coordinator").email)
    phone.goto("/o/oost/")
    menu = phone.get_by_role("navigation", name="Hoofdmenu")
    button = menu.get_by_role("button", name="Menu")
    requests = menu.get_by_role("link", name="Hulpvragen", exact=True)
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(requests).to_be_hidden()

    button.focus()
    phone.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(requests).to_be_visible()
    phone.keyboard.press("Tab")  # into the menu
    expect(menu.get_by_role("link").first).to_be_focused()
    phone.keyboard.press("Escape")  # closes, and the focus goes back to the button
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(requests).to_be_hidden()
    expect(button).to_be_focused()
    phone.keyboard.press(" ")
    expect(requests).to_be_visible()
    button.click()
    expect(requests).to_be_hidden()
    assert_no_sideways_scrolling(phone)

    button.click()
    requests.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hulpvragen")


def test_wide_screen_shows_the_whole_menu_without_a_button(page, tenant_a):
    log_in(page, tenant_a.user("coordinator").email)
    page.goto("/o/oost/")
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu.get_by_role("link", name="Hulpvragen", exact=True)).to_be_visible()
    expect(menu.get_by_role("button", name="Menu")).to_be_hidden()
    expect(menu.get_by_role("link", name="Menu")).to_be_hidden()


def test_menu_opens_without_javascript_too(browser, live_server, tenant_a):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", java_script_enabled=False, **PHONE)
    context.set_default_timeout(10_000)
    phone = context.new_page()
    try:
        phone.goto("/o/oost/")
        menu = phone.get_by_role("navigation", name="Hoofdmenu")
        login = menu.get_by_role("link", name="Inloggen")
        expect(login).to_be_hidden()
        menu.get_by_role("link", name="Menu").click()  # #hoofdmenu: the list shows by :target
        expect(login).to_be_visible()
        login.click()
        expect(phone).to_have_url(f"{live_server.url}/accounts/login/")
    finally:
        context.close()


# --- request cards keep their labels -------------------------------------------------------------------


def test_request_cards_on_a_phone_show_the_column_names(phone, tenant_a):
    log_in(phone, tenant_a.user("coordinator").email)
    phone.goto("/o/oost/hulpvragen/")
    row = phone.locator("table.request-list tbody tr").first
    expect(row).to_be_visible()
    shown = row.locator("td").evaluate_all("cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert shown == ['"Bewoner: "', '"Soort hulp: "', '"Status: "', '"Urgentie: "', '"Buurt: "', '"Wacht: "']
    assert_no_sideways_scrolling(phone)


# --- a failed save -------------------------------------------------------------------------------------


def test_failed_save_focuses_the_error_summary_and_keeps_what_was_typed(phone, tenant_a):
    volunteer = volunteer_with_a_week(tenant_a, ["ma-ochtend"])
    log_in(phone, tenant_a.user("volunteer").email)
    phone.goto("/o/oost/mijn/profiel/")
    details = phone.get_by_role("region", name="Mijn gegevens")
    details.get_by_label("Telefoonnummer").fill("06 9876 5432")
    details.get_by_label("Postcode").fill("onzin")
    details.get_by_role("checkbox", name="vrijdagavond", exact=True).check()
    details.get_by_role("button", name="Opslaan").click()

    summary = phone.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_role("link", name="Postcode")).to_be_visible()
    details = phone.get_by_role("region", name="Mijn gegevens")
    expect(details.get_by_label("Telefoonnummer")).to_have_value("06 9876 5432")
    expect(details.get_by_label("Postcode")).to_have_value("onzin")
    expect(details.get_by_role("checkbox", name="vrijdagavond", exact=True)).to_be_checked()
    expect(details.get_by_role("checkbox", name="maandagochtend", exact=True)).to_be_checked()
    assert stored_codes(volunteer) == ["ma-ochtend"]  # nothing saved


def test_failed_contact_moment_focuses_the_summary_and_keeps_the_note(phone, tenant_a):
    match = tenant_a.objects["match"]
    with scopes_disabled():
        Match.objects.filter(pk=match.pk).update(status=Match.Status.ACCEPTED)
    log_in(phone, tenant_a.user("volunteer").email)
    phone.goto(f"/o/oost/mijn/koppelingen/{match.pk}/")
    contact = phone.get_by_role("region", name="Contactmomenten")
    contact.get_by_label("Korte notitie (mag leeg)").fill("Samen naar de markt")
    contact.get_by_role("button", name="Contactmoment opslaan").click()  # no minutes filled in

    expect(phone.locator(".error-summary")).to_be_focused()
    contact = phone.get_by_role("region", name="Contactmomenten")
    expect(contact.get_by_label("Korte notitie (mag leeg)")).to_have_value("Samen naar de markt")


# --- a destructive action asks first --------------------------------------------------------------------


def test_withdrawing_a_proposal_asks_first_and_no_does_nothing(phone, tenant_a):
    match = tenant_a.objects["match"]
    log_in(phone, tenant_a.user("coordinator").email)
    phone.goto(f"/o/oost/koppelingen/{match.pk}/")
    withdraw = phone.get_by_role("button", name="Voorstel intrekken")
    expect(withdraw).to_have_class("button-danger")
    # Red on white with a red outline, unlike the blue filled main action.
    style = withdraw.evaluate(
        "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor, getComputedStyle(b).borderColor]"
    )
    assert style == ["rgb(164, 22, 26)", "rgb(255, 255, 255)", "rgb(164, 22, 26)"]

    asked = []

    def say_no(dialog):
        asked.append((dialog.type, dialog.message))
        dialog.dismiss()

    phone.once("dialog", say_no)
    withdraw.click()
    expect(withdraw).to_be_visible()
    assert asked == [("confirm", "Weet je zeker dat je dit voorstel wilt intrekken?")]
    with scopes_disabled():
        assert Match.objects.get(pk=match.pk).status == Match.Status.PROPOSED

    phone.once("dialog", lambda dialog: dialog.accept())
    withdraw.click()
    expect(phone.get_by_role("button", name="Voorstel intrekken")).to_have_count(0)
    with scopes_disabled():
        assert Match.objects.get(pk=match.pk).status == Match.Status.WITHDRAWN
