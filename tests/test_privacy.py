"""A resident's data: consent recorded, every look logged, exportable and erasable."""

import json

from django.urls import reverse
from django_scopes import scopes_disabled

from matching.models import HelpRequest, Match
from netwerken.models import AccessLog, Resident


def _url(name, tenant):
    return reverse(name, kwargs={"org": tenant.organisation.slug, "resident": tenant.objects["resident"].pk})


def test_every_look_at_a_resident_is_logged(client, tenant_a):
    coordinator = tenant_a.user("coordinator")
    client.force_login(coordinator)
    page = client.get(_url("netwerken:resident_detail", tenant_a))
    assert page.context["resident"] == tenant_a.objects["resident"]
    with scopes_disabled():
        assert list(AccessLog.objects.values_list("user", "action")) == [(coordinator.pk, "bekeken")]
    # The page itself shows who looked.
    logs = client.get(_url("netwerken:resident_detail", tenant_a)).context["access_logs"]
    assert [log.user for log in logs][-1] == coordinator


def test_export_contains_everything_and_is_logged(client, tenant_a):
    client.force_login(tenant_a.user("coordinator"))
    response = client.get(_url("netwerken:resident_export", tenant_a))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="bewoner-')
    data = json.loads(response.content)
    resident = tenant_a.objects["resident"]
    assert data["bewoner"]["naam"] == resident.name
    assert data["bewoner"]["telefoon"] == resident.phone
    assert [r["wat"] for r in data["hulpvragen"]] == [tenant_a.objects["help_request"].description]
    assert data["hulpvragen"][0]["toestemming"]["tekst"]
    with scopes_disabled():
        assert AccessLog.objects.filter(action="geëxporteerd").count() == 1


def test_erase_needs_confirmation(client, tenant_a):
    client.force_login(tenant_a.user("coordinator"))
    response = client.post(_url("netwerken:resident_erase", tenant_a), {}, follow=True)
    assert "Vink aan dat de bewoner dit heeft gevraagd." in response.content.decode()
    with scopes_disabled():
        assert Resident.objects.get(pk=tenant_a.objects["resident"].pk).erased_at is None


def test_erase_removes_personal_data_and_keeps_the_counts(client, tenant_a):
    resident = tenant_a.objects["resident"]
    client.force_login(tenant_a.user("coordinator"))
    HelpRequest.objects.with_scopes_disabled().filter(pk=tenant_a.objects["help_request"].pk).update(
        status="voorgesteld", particulars="Diabetes, slechthorend"
    )
    client.post(_url("netwerken:resident_erase", tenant_a), {"bevestig": "ja"})
    with scopes_disabled():
        resident.refresh_from_db()
        help_request = HelpRequest.objects.get(resident=resident)
        match = Match.objects.get(pk=tenant_a.objects["match"].pk)
        assert AccessLog.objects.filter(action="gewist").count() == 1
    assert (resident.name, resident.phone, resident.house_number, resident.postcode) == (
        "Gewiste bewoner",
        "",
        "",
        "3401",
    )
    assert resident.erased_at is not None
    assert (help_request.description, help_request.particulars, help_request.status) == ("[gewist]", "", "geannuleerd")
    assert match.status == Match.Status.WITHDRAWN
    # The request is kept for the counts (without what identified her).
    assert HelpRequest.objects.with_scopes_disabled().filter(pk=help_request.pk).exists()
    page = client.get(_url("netwerken:resident_detail", tenant_a)).content.decode()
    assert "De persoonsgegevens zijn op" in page and "Diabetes" not in page
