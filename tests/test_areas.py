"""A neighbourhood's centre follows from its postcodes (issue 11, point 5): nobody types coordinates."""

import pytest
from django.urls import reverse
from django_scopes import scope

from netwerken import geo, services
from netwerken.models import Area

from .factories import OrganisationFactory


def test_every_pc4_of_the_demo_has_a_centre_and_they_lie_in_the_netherlands():
    from buurthulp.demo.data import ORGANISATION_DATA

    table = geo._pc4_centres()
    assert len(table) > 4000
    assert all(50.7 < lat < 53.6 and 3.3 < lon < 7.3 for lat, lon in table.values())
    demo = {pc for org in ORGANISATION_DATA.values() for area in org["areas"] for pc in area[3]}
    known = {pc for pc in demo if geo.pc4_centre(pc)}
    # PO-box areas (3400) have no centre; every neighbourhood of the demo has at least one known postcode.
    assert all(any(geo.pc4_centre(pc) for pc in area[3]) for org in ORGANISATION_DATA.values() for area in org["areas"])
    assert len(known) >= len(demo) - 3


def test_the_centre_is_the_mean_of_the_postcodes_centres_each_area_once():
    a, b = geo.pc4_centre("3401"), geo.pc4_centre("3402")
    assert geo.pc4_centre("3401 AB") == a
    lat, lon = geo.area_centre(["3401", "3401 AB", "3402"])
    assert lat == pytest.approx((a[0] + b[0]) / 2, abs=1e-5) and lon == pytest.approx((a[1] + b[1]) / 2, abs=1e-5)
    assert geo.area_centre(["3401", "0000"]) == pytest.approx(a, abs=1e-5)  # an unknown one counts for nothing
    assert geo.area_centre(["0000"]) is None


def test_the_service_recomputes_the_centre_when_the_postcodes_change(db):
    org = OrganisationFactory()
    with scope(organisation=org):
        area = services.area_save(organisation=org, name="Noord", postcodes=["3401"])
        assert (area.latitude, area.longitude) == pytest.approx(geo.pc4_centre("3401"), abs=1e-5)
        services.area_save(organisation=org, area=area, name="Noord", postcodes=["3401", "3404"])
        area.refresh_from_db()
        assert (area.latitude, area.longitude) == pytest.approx(geo.area_centre(["3401", "3404"]), abs=1e-5)


def test_the_area_form_has_no_coordinates_and_computes_them(client, tenant_a):
    client.force_login(tenant_a.user("org_admin"))
    url = reverse("netwerken:area_list", kwargs={"org": "oost"})
    page = client.get(url).content.decode()
    assert 'name="latitude"' not in page and 'name="longitude"' not in page
    response = client.post(url, {"name": "Zenderpark", "postcodes": "3404, 3403 AB"})
    assert response.status_code == 302
    with scope(organisation=tenant_a.organisation):
        area = Area.objects.get(name="Zenderpark")
    assert (area.latitude, area.longitude) == pytest.approx(geo.area_centre(["3404", "3403"]), abs=1e-5)
    edit = client.get(reverse("netwerken:area_edit", kwargs={"org": "oost", "area": area.pk})).content.decode()
    assert 'name="latitude"' not in edit and "volgt uit de postcodes" in edit


def test_a_postcode_without_a_known_centre_gets_a_dutch_message_and_keeps_what_was_typed(client, tenant_a):
    client.force_login(tenant_a.user("org_admin"))
    url = reverse("netwerken:area_list", kwargs={"org": "oost"})
    response = client.post(url, {"name": "Postbussen", "postcodes": "3400"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Van deze postcodes kennen we het midden niet: 3400." in page
    assert 'value="Postbussen"' in page
    with scope(organisation=tenant_a.organisation):
        assert not Area.objects.filter(name="Postbussen").exists()
