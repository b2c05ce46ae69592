"""A funder on a phone: from the overview of what it funds to a report built on request, read on the page
and downloaded as a PDF."""

import pypdf
import pytest
from playwright.sync_api import expect

from netwerken.roles import Role

from ..conftest import make_tenant
from ..test_funder_reports import _cycle, _people
from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_funder_asks_for_a_report_reads_it_and_downloads_the_pdf(phone, tmp_path):
    tenant = make_tenant(name="Buurthulp Oost", slug="oost")
    _people(tenant)
    cycle = _cycle(tenant)
    log_in(phone, tenant.user(Role.FUNDER).email)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Gefinancierde organisaties")
    phone.get_by_role("link", name="Buurthulp Oost").click()
    expect(phone.get_by_role("heading", name="Rapportages per periode")).to_be_visible()
    phone.get_by_role("link", name=cycle.name).click()
    expect(phone.get_by_text("Van deze cyclus is nog geen rapport gemaakt.")).to_be_visible()
    phone.get_by_role("button", name="Rapport maken").click()
    # In the test server the task runs in-process after the commit: the page comes back with the report.
    expect(phone.get_by_role("link", name="PDF (om te printen of door te sturen)")).to_be_visible()
    expect(phone.get_by_text("een tussenstand: de cyclus loopt nog")).to_be_visible()
    expect(phone.get_by_role("heading", name="Indicatoren")).to_be_visible()
    expect(phone.locator(".report")).to_contain_text("Hulpvragen binnengekomen")
    # Nothing wider than the phone: the tables scroll in their own box.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    with phone.expect_download() as download:
        phone.get_by_role("link", name="PDF (om te printen of door te sturen)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert download.value.suggested_filename == "oost-q3-2026.pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    assert "Buurthulp Oost" in text and "Hulpvragen binnengekomen" in text
