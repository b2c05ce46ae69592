import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_sees_own_dashboard_and_not_the_other_organisation(page, live_server, tenant_a, tenant_b):
    log_in(page, tenant_a.user("coordinator").email)
    expect(page).to_have_url(f"{live_server.url}/o/oost/coordinator/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Coördinatie")
    expect(page.locator(".current-org")).to_have_text("Buurthulp Oost")

    for path in ("/o/west/", "/o/west/coordinator/", f"/o/west/beheer/team/{tenant_b.members['volunteer'].pk}/"):
        response = page.goto(path)
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
        expect(page.get_by_text(tenant_b.organisation.name)).to_have_count(0)


def test_keyboard_user_can_skip_to_content(page, tenant_a):
    log_in(page, tenant_a.user("coordinator").email)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_login_works_on_a_phone(phone, tenant_a):
    log_in(phone, tenant_a.user("volunteer").email)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Mijn vrijwilligerswerk")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling on a phone"
