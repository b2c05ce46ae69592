"""Escalate → take over → refer, and → hand back, in a browser for the coordinator and the professional."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from matching.models import Escalation, HelpRequest, Referral
from netwerken.roles import Role

from ..conftest import make_tenant
from ..factories import HelpRequestFactory, SocialMapEntryFactory
from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tenant():
    tenant = make_tenant(name="Buurthulp Oost", slug="oost")
    tenant.searching = HelpRequestFactory(
        organisation=tenant.organisation,
        category=tenant.objects["category"],
        status=HelpRequest.Status.SEARCHING,
        description="Boodschappen, maar ze lijkt erg in de war",
        resident__name="Mevrouw Jansen",
    )
    SocialMapEntryFactory(organisation=tenant.organisation, name="GGZ Centraal", kind="GGZ")
    return tenant


def escalate(page, tenant, reason):
    log_in(page, tenant.user(Role.COORDINATOR).email)
    page.goto(f"/o/oost/hulpvragen/{tenant.searching.pk}/")
    form = page.locator("form.transition").filter(has=page.get_by_role("button", name="Schaal op naar het wijkteam"))
    form.get_by_label("Reden").fill(reason)
    form.get_by_label("Hoe dringend?").select_option(label="vandaag")
    form.get_by_role("button", name="Schaal op naar het wijkteam").click()
    expect(page.get_by_text("Opgeschaald naar het wijkteam.")).to_be_visible()
    expect(page.get_by_role("region", name="Wijkteam")).to_contain_text("wacht op het wijkteam")


def take_over_from_the_queue(phone, tenant):
    log_in(phone, tenant.user(Role.PROFESSIONAL).email)
    phone.goto("/wijkteam/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Wachtrij van het wijkteam")
    row = phone.get_by_role("listitem").filter(has_text="Eet bijna niet meer")
    expect(row).to_contain_text("Buurthulp Oost")
    expect(row).to_contain_text("vandaag")
    # The most urgent first, before the fixture's older, normal one.
    expect(phone.locator("ol.queue > li").first).to_contain_text("Eet bijna niet meer")
    row.get_by_role("link").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Mevrouw Jansen")
    phone.get_by_role("button", name="Neem over").click()
    expect(phone.get_by_text("Je hebt deze hulpvraag overgenomen.")).to_be_visible()


def test_coordinator_escalates_and_the_professional_takes_over_and_refers(page, phone, tenant):
    escalate(page, tenant, "Eet bijna niet meer, vergeet afspraken")
    take_over_from_the_queue(phone, tenant)
    referral = phone.get_by_role("region", name="Verwijzen naar formele zorg")
    # A refusal keeps what was typed: no organisation chosen yet.
    referral.get_by_label("Toelichting (mag leeg)").fill("Intake volgende week")
    referral.get_by_role("button", name="Verwijs").click()
    # Far down the page: a summary at the top of the form says what went wrong, has the focus (so it is in
    # view and read out) and links to the field.
    summary = phone.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("Kies een organisatie van de sociale kaart.")
    summary.get_by_role("link", name="Naar wie (sociale kaart)").click()
    expect(phone).to_have_url(re.compile(r"#id_verwijzen-entry$"))
    referral = phone.get_by_role("region", name="Verwijzen naar formele zorg")
    expect(referral.locator(".field-errors")).to_have_text("Kies een organisatie van de sociale kaart.")
    expect(referral.get_by_label("Toelichting (mag leeg)")).to_have_value("Intake volgende week")
    referral.get_by_label("Naar wie (sociale kaart)").select_option(label="GGZ Centraal (GGZ)")
    referral.get_by_role("button", name="Verwijs").click()
    expect(phone.get_by_text("De verwijzing is vastgelegd.")).to_be_visible()
    expect(phone.locator(".status").first).to_have_text("verwezen")
    # The coordinator sees who took it and where it went.
    page.reload()
    expect(page.locator(".status").first).to_have_text("afgerond")
    history = page.locator("ol.history")
    expect(history).to_contain_text("overgenomen door het wijkteam")
    expect(history).to_contain_text("GGZ Centraal")
    with scopes_disabled():
        assert Referral.objects.get(escalation__help_request=tenant.searching).entry.name == "GGZ Centraal"


def test_professional_hands_back_with_advice_and_the_coordinator_reads_it(page, phone, tenant):
    escalate(page, tenant, "Eet bijna niet meer, vergeet afspraken")
    take_over_from_the_queue(phone, tenant)
    hand_back = phone.get_by_role("region", name="Teruggeven aan buurthulp")
    hand_back.get_by_label("Advies aan buurthulp").fill("Kan met een vast maatje; let op: ze belt zelf niet terug.")
    hand_back.get_by_role("button", name="Geef terug").click()
    expect(phone.get_by_text("Teruggegeven aan buurthulp, met je advies.")).to_be_visible()
    page.reload()
    expect(page.locator(".status").first).to_have_text("zoekend")
    expect(page.get_by_role("region", name="Wijkteam")).to_contain_text("ze belt zelf niet terug")
    with scopes_disabled():
        escalation = Escalation.objects.get(help_request=tenant.searching)
        assert escalation.status == Escalation.Status.HANDED_BACK
    # And it is no longer in the professional's queue.
    phone.goto("/wijkteam/")
    expect(phone.get_by_role("listitem").filter(has_text="Eet bijna niet meer")).to_have_count(0)
