"""Proposal → accept, and decline → next, in a browser for the coordinator and the volunteer; the
suggestions that appear while the page is open; the proposal for all open requests at once."""

import datetime
import re

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from matching import proposals, suggestions
from matching.models import BatchProposal, BatchRun, HelpRequest, Match
from matching.tasks import run_batch
from netwerken.models import OutgoingEmail
from netwerken.validators import format_phone

from ..test_matching import TUESDAY, world  # noqa: F401 - the shared fixtures
from ..test_proposals import setup  # noqa: F401
from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 390


def assert_no_sideways_scrolling(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the page is {width}px wide on a {PHONE_WIDTH}px phone"


def request_url(help_request):
    return f"/o/wijk/hulpvragen/{help_request.pk}/"


def suggestion_of(page, name):
    return page.locator("#suggesties li.suggestion").filter(has_text=name)


def propose_to_anna(page, setup):  # noqa: F811
    log_in(page, setup.coordinator.email)
    page.goto(request_url(setup.help_request))
    anna = suggestion_of(page, "Anna Eerst")
    anna.get_by_role("button", name="Stel voor aan Anna").click()
    expect(page.get_by_text("Voorgesteld aan Anna Eerst. Die krijgt een e-mail en ziet het in de app.")).to_be_visible()


def test_coordinator_proposes_and_the_volunteer_accepts_on_a_phone(page, phone, setup):  # noqa: F811
    resident = setup.resident
    log_in(page, setup.coordinator.email)
    page.goto(request_url(setup.help_request))
    expect(page.get_by_role("heading", level=2, name="Wie past erbij?")).to_be_visible()

    ranking = page.locator("#suggesties li.suggestion")
    expect(ranking).to_have_count(2)
    expect(ranking.first).to_contain_text("Anna Eerst")  # the nearer one first
    anna = suggestion_of(page, "Anna Eerst")
    why = anna.locator("ul.why > li")
    expect(why.filter(has_text=re.compile(r"^woont \d+ m verderop"))).to_have_count(1)
    expect(why.filter(has_text="beschikbaar op dinsdagmiddag")).to_have_count(1)
    expect(why.filter(has_text="kent deze bewoner nog niet")).to_have_count(1)

    anna.get_by_role("button", name="Stel voor aan Anna").click()
    expect(page).to_have_url(re.compile(rf"{request_url(setup.help_request)}$"))
    expect(page.get_by_text("Voorgesteld aan Anna Eerst. Die krijgt een e-mail en ziet het in de app.")).to_be_visible()
    expect(page.locator(".status").first).to_have_text("voorgesteld")
    # Anna is now in the list of proposals and cannot be proposed twice.
    expect(page.get_by_role("listitem").filter(has=page.get_by_role("link", name="Anna Eerst"))).to_contain_text(
        "voorgesteld"
    )
    expect(anna.get_by_role("button", name="Stel voor aan Anna")).to_have_count(0)
    # One helper asked for and one proposed: no buttons that could only be refused.
    expect(page.locator("#suggesties")).to_contain_text("Deze hulpvraag heeft al genoeg vrijwilligers.")
    expect(page.locator("#suggesties").get_by_role("button", name=re.compile("^Stel voor aan"))).to_have_count(0)

    # Anna, on her phone.
    log_in(phone, setup.first.membership.user.email)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Mijn vrijwilligerswerk")
    offered = phone.get_by_role("region", name="Voorstellen voor jou")
    expect(offered.get_by_role("article")).to_have_count(1)
    expect(offered).to_contain_text("Boodschappen")
    assert_no_sideways_scrolling(phone)
    offered.get_by_role("link", name="Bekijk en antwoord").click()

    expect(phone).to_have_url(re.compile(r"/o/wijk/mijn/koppelingen/\d+/$"))
    main = phone.get_by_role("main")
    expect(main).to_contain_text("Het adres en telefoonnummer zie je zodra je ja zegt.")
    expect(main).not_to_contain_text(resident.name)
    expect(main).not_to_contain_text(resident.phone)
    expect(main).not_to_contain_text(format_phone(resident.phone))
    expect(phone.get_by_role("heading", name="Contact met de bewoner")).to_have_count(0)
    assert_no_sideways_scrolling(phone)
    phone.get_by_role("button", name="Ja, ik help").click()

    expect(phone.get_by_text("Dank je wel! De hulpvraag is aan jou gekoppeld.")).to_be_visible()
    contact = phone.get_by_role("region", name="Contact met de bewoner")
    expect(contact).to_contain_text(resident.name)
    phone_link = contact.get_by_role("link", name=format_phone(resident.phone))
    expect(phone_link).to_have_attribute("href", f"tel:{resident.phone}")
    expect(phone.get_by_role("button", name="Ja, ik help")).to_have_count(0)
    assert_no_sideways_scrolling(phone)

    with scopes_disabled():
        match = Match.objects.get(help_request=setup.help_request)
        assert match.volunteer == setup.first
        assert match.status == Match.Status.ACCEPTED == "actief"
        assert HelpRequest.objects.get(pk=setup.help_request.pk).status == "gekoppeld"


def test_volunteer_declines_by_the_emailed_link_and_the_next_is_asked(page, phone, setup):  # noqa: F811
    propose_to_anna(page, setup)
    with scopes_disabled():
        match = Match.objects.get(help_request=setup.help_request, volunteer=setup.first)
    mail = OutgoingEmail.objects.filter(to=setup.first.membership.user.email).order_by("pk").last()
    link = re.search(r"/o/wijk/voorstel/([^/\s]+)/", mail.body_text)
    with scope(organisation=setup.org):
        assert proposals.match_from_token(link.group(1)) == match
    link = link.group(0)

    # No login: the link itself is enough to answer.
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hulpvraag: Boodschappen")
    expect(phone.get_by_role("main")).not_to_contain_text(setup.resident.name)
    expect(phone.get_by_role("button", name="Ja, ik help")).to_be_visible()
    assert_no_sideways_scrolling(phone)
    phone.get_by_label("Waarom niet? (mag leeg)").fill("Ik ben dan bij de tandarts")
    phone.get_by_role("button", name="Nee, deze keer niet").click()

    expect(phone.get_by_text("Jammer, maar helemaal goed. We vragen iemand anders.")).to_be_visible()
    expect(phone.get_by_role("main")).to_contain_text("Je hebt nee gezegd. Dank je wel dat je het liet weten")
    expect(phone.get_by_role("button", name="Nee, deze keer niet")).to_have_count(0)

    with scopes_disabled():
        match.refresh_from_db()
        assert (match.status, match.decline_reason) == ("afgewezen", "Ik ben dan bij de tandarts")
        following = Match.objects.get(help_request=setup.help_request, status=Match.Status.PROPOSED)
        assert following.volunteer == setup.second
        assert HelpRequest.objects.get(pk=setup.help_request.pk).status == "voorgesteld"
    assert OutgoingEmail.objects.filter(to=setup.second.membership.user.email).exists()

    page.reload()
    proposed = page.get_by_role("listitem").filter(has=page.locator("a[href*='/koppelingen/']"))
    expect(proposed.filter(has_text="Anna Eerst")).to_contain_text("afgewezen (Ik ben dan bij de tandarts)")
    expect(proposed.filter(has_text="Bram Tweede")).to_contain_text("voorgesteld")
    expect(page.locator(".status").first).to_have_text("voorgesteld")


def test_suggestions_appear_without_a_reload(page, world):  # noqa: F811
    from tests.factories import MembershipFactory

    coordinator = MembershipFactory(organisation=world.org, roles=("coordinator",)).user
    world.volunteer("Cees Klaar")
    help_request = world.request()
    HelpRequest.objects.with_scopes_disabled().filter(pk=help_request.pk).update(
        suggestions_requested_at=timezone.now(), suggestions_computed_at=None
    )
    log_in(page, coordinator.email)
    page.goto(request_url(help_request))
    box = page.locator("#suggesties")
    expect(box).to_have_attribute("data-state", "computing")
    expect(box.get_by_role("status")).to_have_text(re.compile(r"Suggesties worden berekend…"))
    url = page.url
    page.evaluate("window.__zelfde_pagina = true")  # gone if the page were loaded again
    # The box is the live region a screen reader listens to: it must stay, only its contents change.
    box.evaluate("el => { el.dataset.merk = 'dezelfde' }")
    expect(box).to_have_attribute("aria-live", "polite")

    with scope(organisation=world.org):
        suggestions.compute_for_request(help_request.pk)

    expect(page.get_by_role("button", name="Stel voor aan Cees")).to_be_visible(timeout=5_000)
    expect(page.locator("#suggesties")).to_have_attribute("data-state", "ready")
    expect(page.locator("#suggesties")).to_have_attribute("data-merk", "dezelfde")
    expect(page.get_by_text("Suggesties worden berekend…")).to_have_count(0)
    expect(page.locator("#suggesties")).to_contain_text("beschikbaar op dinsdagmiddag")
    assert page.url == url
    assert page.evaluate("window.__zelfde_pagina") is True


def test_batch_proposal_is_reviewed_and_confirmed(page, setup):  # noqa: F811
    other = setup.request(date=TUESDAY + datetime.timedelta(days=7))
    log_in(page, setup.coordinator.email)
    page.goto("/o/wijk/hulpvragen/alles-voorstellen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Voorstel voor alle open hulpvragen")
    expect(page.get_by_role("main")).to_contain_text("Er zijn 2 hulpvragen die een vrijwilliger zoeken")
    page.get_by_role("button", name="Maak een voorstel").click()

    expect(page).to_have_url(re.compile(r"/o/wijk/hulpvragen/alles-voorstellen/\d+/$"))
    rows = page.locator("ol.suggestions > li")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("main")).to_contain_text("2 van de 2 open hulpvragen hebben een voorstel.")
    with scopes_disabled():
        pairs = {p.help_request_id: p for p in BatchProposal.objects.select_related("volunteer__membership__user")}
    assert set(pairs) == {setup.help_request.pk, other.pk}
    first = pairs[setup.help_request.pk]
    row = rows.filter(has=page.locator(f"a[href$='/hulpvragen/{setup.help_request.pk}/']"))
    expect(row).to_contain_text(first.volunteer.membership.user.name)
    row.get_by_role("button", name="Bevestig", exact=True).click()

    expect(page.get_by_text(f"Voorgesteld aan {first.volunteer.membership.user.name}.")).to_be_visible()
    expect(row).to_contain_text("bevestigd")
    expect(row.get_by_role("button", name="Bevestig", exact=True)).to_have_count(0)
    with scopes_disabled():
        match = Match.objects.get(help_request=setup.help_request)
        assert (match.volunteer_id, match.status) == (first.volunteer_id, "voorgesteld")
        assert not Match.objects.filter(help_request=other).exists()
        assert HelpRequest.objects.get(pk=setup.help_request.pk).status == "voorgesteld"


def test_batch_progress_turns_into_the_review_by_itself(page, setup):  # noqa: F811
    run = BatchRun.objects.with_scopes_disabled().create(organisation=setup.org, created_by=setup.coordinator)
    log_in(page, setup.coordinator.email)
    page.goto(f"/o/wijk/hulpvragen/alles-voorstellen/{run.pk}/")
    expect(page.get_by_role("progressbar", name="Bezig met rekenen…")).to_be_visible()
    expect(page.locator("ol.suggestions")).to_have_count(0)

    run_batch.apply(args=(setup.org.pk, run.pk))

    expect(page.locator("ol.suggestions > li")).to_have_count(1, timeout=5_000)
    expect(page.get_by_role("progressbar")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text("1 van de 1 open hulpvragen heeft een voorstel.")
    expect(page.get_by_role("button", name="Bevestig", exact=True)).to_be_visible()
