"""The public front door (issue 11, points 1-2): the home page lists the organisations and finds the right one by
postcode; each organisation has a public page with its phone number and the two ways in; the request form shows
the phone number; the org admin edits what the page says."""

import re
from unittest import mock

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from netwerken.models import Organisation
from netwerken.roles import Role

from .factories import AreaFactory, FunderFactory, OrganisationFactory

PHONE = "+31348123456"


@pytest.fixture
def two_orgs(db):
    oost = OrganisationFactory(name="Buurthulp Oost", slug="oost", phone=PHONE, email="info@oost.example")
    west = OrganisationFactory(name="Buurthulp West", slug="west", municipality="Utrecht")
    AreaFactory(organisation=oost, name="Centrum", postcodes=["3401"])
    AreaFactory(organisation=oost, name="Hoge Kamp", postcodes=["3402 AB"])
    AreaFactory(organisation=west, name="Lombok", postcodes=["3531", "3402"])
    FunderFactory(name="Gemeente Nergens", slug="nergens")
    return oost, west


def _text(response):
    return response.content.decode()


def test_home_lists_the_organisations_and_not_funders(client, two_orgs):
    response = client.get(reverse("home"))
    text = _text(response)
    assert response.status_code == 200
    assert "Buurthulp Oost" in text and "Buurthulp West" in text
    assert "Gemeente Nergens" not in text
    assert reverse("netwerken:public_page", kwargs={"org": "oost"}) in text
    assert "Welke buurthulp is er bij mij?" in text
    assert text.count("<h1") == 1


@pytest.mark.parametrize(
    ("postcode", "found", "not_found"),
    [
        ("3401 XY", "Buurthulp Oost", "Buurthulp West"),
        ("3401xy", "Buurthulp Oost", "Buurthulp West"),
        ("3531", "Buurthulp West", "Buurthulp Oost"),
        # 3402 AB is a street side of Oost and part of West's PC4 3402: both organisations answer, each its buurt.
        ("3402 AB", "Hoge Kamp", "Centrum"),
    ],
)
def test_postcode_lookup_finds_the_right_organisation(client, two_orgs, postcode, found, not_found):
    response = client.get(reverse("home"), {"postcode": postcode})
    text = _text(response)
    results = text.split('id="kop-bij-mij"')[1].split('id="kop-organisaties"')[0]
    assert response.status_code == 200
    assert found in results and not_found not in results


def test_postcode_lookup_of_a_shared_street_side_lists_both(client, two_orgs):
    results = _text(client.get(reverse("home"), {"postcode": "3402 AB"})).split('id="kop-organisaties"')[0]
    assert "Hoge Kamp" in results and "Lombok" in results


def test_within_one_organisation_a_street_side_wins_over_its_pc4(client, two_orgs):
    oost, _west = two_orgs
    AreaFactory(organisation=oost, name="Vogelwijk", postcodes=["3401 CD"])
    results = _text(client.get(reverse("home"), {"postcode": "3401CD"})).split('id="kop-organisaties"')[0]
    assert "Vogelwijk" in results and "Centrum" not in results
    results = _text(client.get(reverse("home"), {"postcode": "3401 CE"})).split('id="kop-organisaties"')[0]
    assert "Centrum" in results and "Vogelwijk" not in results


def test_postcode_without_organisation_says_so(client, two_orgs):
    response = client.get(reverse("home"), {"postcode": "9999 ZZ"})
    assert response.status_code == 200
    assert "Bij postcode 9999 ZZ kennen we (nog) geen buurthulp" in _text(response)


@pytest.mark.parametrize(
    "garbage", ["", "   ", "abc", "0000 AA", "1234 SS", "<script>alert(1)</script>", "1" * 500, "3401\x00AB", "٣٤٠١"]
)
def test_garbage_postcode_is_a_calm_dutch_message(client, two_orgs, garbage):
    response = client.get(reverse("home"), {"postcode": garbage})
    text = _text(response)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in text
    if garbage == "٣٤٠١":  # Arabic-Indic digits fold to 3401
        assert "Centrum" in text
    else:
        assert "postcode" in text.split('id="kop-organisaties"')[0].lower()
        assert "Vul je postcode in" in text or "herkennen we niet als postcode" in text


def test_logged_in_user_without_organisation_sees_the_list(client, two_orgs, django_user_model):
    from .factories import UserFactory

    client.force_login(UserFactory())
    text = _text(client.get(reverse("home")))
    assert "Kies je buurthulporganisatie" in text and "Buurthulp West" in text


def test_logged_in_member_is_still_sent_to_their_organisation(client, tenant_a):
    client.force_login(tenant_a.user(Role.COORDINATOR))
    response = client.get(reverse("home"))
    assert response.status_code == 302


def test_public_page_shows_phone_and_both_buttons_and_no_people(client, tenant_a):
    with scopes_disabled():
        Organisation.objects.filter(pk=tenant_a.organisation.pk).update(
            phone=PHONE,
            email="info@oost.example",
            intro="Wij helpen buren.",
            opening_hours="Maandag 9.00 tot 12.00 uur",
            address="Oranjelaan 12",
        )
    response = client.get(reverse("netwerken:public_page", kwargs={"org": "oost"}))
    text = _text(response)
    assert response.status_code == 200
    assert "0348 123 456" in text and f'href="tel:{PHONE}"' in text
    for words in ("info@oost.example", "Wij helpen buren.", "Maandag 9.00 tot 12.00 uur", "Oranjelaan 12"):
        assert words in text
    assert tenant_a.objects["area"].name in text
    assert reverse("matching:online_request", kwargs={"org": "oost"}) in text and "Hulp vragen" in text
    assert reverse("matching:volunteer_signup", kwargs={"org": "oost"}) in text and "Vrijwilliger worden" in text
    assert tenant_a.objects["resident"].name not in text
    assert tenant_a.objects["volunteer"].membership.user.name not in text
    assert text.count("<h1") == 1
    assert "style=" not in text and "<script>" not in text.split("</header>")[-1]


def test_public_page_of_a_funder_is_404(client, db):
    FunderFactory(slug="gemeente-x")
    assert client.get(reverse("netwerken:public_page", kwargs={"org": "gemeente-x"})).status_code == 404


def test_request_form_rate_limit_and_thanks_show_the_phone(client, tenant_a):
    with scopes_disabled():
        Organisation.objects.filter(pk=tenant_a.organisation.pk).update(phone=PHONE)
    form_url = reverse("matching:online_request", kwargs={"org": "oost"})
    assert "Liever bellen? Dat kan ook:" in _text(client.get(form_url))
    assert "0348 123 456" in _text(client.get(form_url))
    with mock.patch("matching.views.limited", return_value=True):
        limited = _text(client.post(form_url, {}))
    assert "Bel ons op 0348 123 456" in limited
    thanks = _text(client.get(reverse("matching:online_request_thanks", kwargs={"org": "oost"})))
    assert "0348 123 456" in thanks


def test_request_form_without_phone_shows_no_empty_line(client, tenant_a):
    text = _text(client.get(reverse("matching:online_request", kwargs={"org": "oost"})))
    assert "Liever bellen? Dat kan ook:" not in text


def _settings(tenant, **changes):
    return {
        "name": tenant.organisation.name,
        "municipality": tenant.organisation.municipality,
        "help_type": tenant.organisation.help_type,
        "retention_months": "24",
        "intro": "Wij helpen buren.",
        "phone": "0348-123456",
        "email": "info@oost.example",
        "opening_hours": "Dinsdag 10.00 tot 14.00 uur",
        "address": "Oranjelaan 12\r\n3402 AB IJsselstein",
    } | changes


def test_admin_edits_the_public_page(client, tenant_a):
    client.force_login(tenant_a.user(Role.ORG_ADMIN))
    url = reverse("netwerken:admin_dashboard", kwargs={"org": "oost"})
    response = client.post(url, _settings(tenant_a))
    assert response.status_code == 302
    with scopes_disabled():
        organisation = Organisation.objects.get(pk=tenant_a.organisation.pk)
    assert organisation.phone == PHONE  # normalised, like every phone number
    assert (organisation.email, organisation.opening_hours) == ("info@oost.example", "Dinsdag 10.00 tot 14.00 uur")
    page = _text(client.get(reverse("netwerken:public_page", kwargs={"org": "oost"})))
    assert "0348 123 456" in page and "Dinsdag 10.00 tot 14.00 uur" in page


def test_admin_bad_phone_is_a_dutch_error_and_keeps_the_input(client, tenant_a):
    client.force_login(tenant_a.user(Role.ORG_ADMIN))
    url = reverse("netwerken:admin_dashboard", kwargs={"org": "oost"})
    response = client.post(url, _settings(tenant_a, phone="bel me maar", opening_hours="Woensdagmiddag"))
    text = _text(response)
    assert response.status_code == 200
    assert "telefoonnummer" in text.lower() and 'value="bel me maar"' in text and "Woensdagmiddag" in text
    with scopes_disabled():
        assert Organisation.objects.get(pk=tenant_a.organisation.pk).phone == ""


def test_admin_may_leave_the_public_fields_blank(client, tenant_a):
    client.force_login(tenant_a.user(Role.ORG_ADMIN))
    url = reverse("netwerken:admin_dashboard", kwargs={"org": "oost"})
    blank = dict.fromkeys(["intro", "phone", "email", "opening_hours", "address"], "")
    assert client.post(url, _settings(tenant_a, **blank)).status_code == 302


def test_every_demo_organisation_has_its_public_page_filled_in():
    from buurthulp.demo import data
    from buurthulp.demo.seed import ORGANISATIONS
    from netwerken.validators import normalize_phone

    for org in ORGANISATIONS:
        page = data.PUBLIC_PAGES[org["slug"]]
        assert all(page[key] for key in ("intro", "phone", "email", "opening_hours", "address"))
        assert normalize_phone(page["phone"]) == page["phone"]  # stored as the app stores every phone


def test_home_costs_the_same_queries_for_one_organisation_and_for_forty(client, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home"), {"postcode": "3401 AB"}).status_code == 200
        return len(queries)

    AreaFactory(organisation=OrganisationFactory(), postcodes=["3401"])
    one = count()
    for _ in range(39):
        AreaFactory(organisation=OrganisationFactory(), postcodes=["3401"])
    assert one == 2  # the organisations, the postcode's areas (with their organisations)
    assert count() == one


def test_admin_dashboard_links_to_the_public_page(client, tenant_a):
    client.force_login(tenant_a.user(Role.ORG_ADMIN))
    text = _text(client.get(reverse("netwerken:admin_dashboard", kwargs={"org": "oost"})))
    assert reverse("netwerken:public_page", kwargs={"org": "oost"}) in text


def test_flyer_has_the_phone_in_large_type_the_two_calls_and_a_qr_code_of_the_public_page(client, tenant_a, settings):
    import qrcode
    import qrcode.image.svg

    settings.SITE_URL = "https://buurthulp.example.nl"
    with scopes_disabled():
        Organisation.objects.filter(pk=tenant_a.organisation.pk).update(phone=PHONE, intro="Wij helpen buren.")
    response = client.get(reverse("netwerken:flyer", kwargs={"org": "oost"}))
    assert response.status_code == 200
    text = _text(response)
    assert '<p class="flyer-phone">0348 123 456</p>' in text
    assert "Wij helpen buren." in text and tenant_a.organisation.name in text
    assert "Hulp nodig?" in text and "Wil je helpen?" in text
    url = "https://buurthulp.example.nl" + reverse("netwerken:public_page", kwargs={"org": "oost"})
    assert url in text
    expected = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    path = re.search(r'<path d="([^"]+)"', expected.to_string(encoding="unicode")).group(1)
    assert f'<path d="{path}"' in text, "the QR code holds the public page's address"
    other = qrcode.make(url + "x", image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    assert re.search(r'<path d="([^"]+)"', other.to_string(encoding="unicode")).group(1) != path
    assert "style=" not in text and "<script>" not in text
    assert "css/flyer.css" in text and "js/print.js" in text


def test_flyer_print_css_is_a4_and_hides_the_site_around_it():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static/css/flyer.css").read_text()
    assert "@page { size: A4" in css and ".site-header" in css and ".no-print" in css


def test_flyer_of_a_funder_is_404(client, db):
    FunderFactory(slug="gemeente-x")
    assert client.get(reverse("netwerken:flyer", kwargs={"org": "gemeente-x"})).status_code == 404


def test_admin_dashboard_links_to_the_flyer(client, tenant_a):
    client.force_login(tenant_a.user(Role.ORG_ADMIN))
    text = _text(client.get(reverse("netwerken:admin_dashboard", kwargs={"org": "oost"})))
    assert reverse("netwerken:flyer", kwargs={"org": "oost"}) in text
