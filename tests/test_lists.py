"""The coordinator's lists: filters, pagination, and a query count that does not grow with the rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.models import HelpRequest
from netwerken import availability

from .factories import CategoryFactory, HelpRequestFactory, VolunteerFactory

LIST_PAGES = ["matching:request_list", "matching:volunteer_list", "netwerken:staff_list"]
# Session, user and the user's memberships with their organisations (the tenant, the roles and the organisation
# switcher all come from that one query), then the page's own: the request and volunteer lists count and read
# one page (the volunteers' kinds of help too), their filter form comes from the cache; the staff list reads its
# members and open invitations.
MOST_QUERIES = {"matching:request_list": 5, "matching:volunteer_list": 6, "netwerken:staff_list": 5}


def _count_queries(client, url):
    client.get(url)  # the filter form is cached from here on (netwerken/pagination.py), as on a busy morning
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_query_count_is_the_same_for_1_and_40_rows(client, tenant_a, name):
    client.force_login(tenant_a.user("coordinator"))
    url = reverse(name, kwargs={"org": "oost"})
    client.get(url)  # warm caches (session, content types)
    few = _count_queries(client, url)
    org = tenant_a.organisation
    categories = CategoryFactory.create_batch(3, organisation=org)
    for i in range(40):
        HelpRequestFactory(organisation=org, category=categories[i % 3])
        VolunteerFactory(organisation=org, categories=categories[: 1 + i % 3])
    many = _count_queries(client, url)
    filtered = _count_queries(client, url + "?status=nieuw&waiting=3&category=" + str(categories[0].pk))
    print(f"\n{name}: {few} queries with 1 row, {many} with 40+ rows, {filtered} filtered")
    assert many == few
    assert filtered <= few + 1  # validating a chosen category looks it up once
    assert few <= MOST_QUERIES[name]


def test_request_list_filters(client, tenant_a):
    org = tenant_a.organisation
    old = HelpRequestFactory(organisation=org, urgency=HelpRequest.Urgency.URGENT, status="zoekend")
    HelpRequest.objects.with_scopes_disabled().filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=10)
    )
    client.force_login(tenant_a.user("coordinator"))
    url = reverse("matching:request_list", kwargs={"org": "oost"})

    def shown(query):
        return {r.pk for r in client.get(url + query).context["page"]}

    fresh = tenant_a.objects["help_request"].pk
    escalated = tenant_a.objects["escalation"].help_request_id
    assert shown("") == {old.pk, fresh, escalated}
    assert shown("?status=zoekend") == {old.pk}
    assert shown("?status=voorgesteld&status=zoekend") == {old.pk, fresh}
    assert shown("?waiting=7") == {old.pk}
    assert shown("?urgency=4") == {old.pk}
    assert shown(f"?area={tenant_a.objects['area'].pk}") == set()
    # Nonsense filter values are ignored with a message on the field, not a 500.
    response = client.get(url + "?status=kapot&waiting=abc&category=999999&pagina=xyz")
    assert response.status_code == 200
    assert "Selecteer een geldige keuze" in response.content.decode()


def test_request_list_paginates(client, tenant_a):
    HelpRequestFactory.create_batch(30, organisation=tenant_a.organisation)
    client.force_login(tenant_a.user("coordinator"))
    url = reverse("matching:request_list", kwargs={"org": "oost"})
    first = client.get(url)
    assert len(first.context["page"]) == 25
    assert "Pagina 1 van 2" in first.content.decode()
    second = client.get(url + "?pagina=2")
    assert len(second.context["page"]) == 7  # 30 + the fixture's proposed and escalated requests
    assert client.get(url + "?pagina=99").context["page"].number == 2


def test_volunteer_list_filters(client, tenant_a):
    org = tenant_a.organisation
    visiting = CategoryFactory(organisation=org, name="Bezoek", requires_vog=True)
    tuesday = VolunteerFactory(
        organisation=org,
        availability=availability.mask_from_codes(["di-middag"]),
        categories=[visiting],
        vog_seen=True,
        vog_expires=timezone.localdate() + datetime.timedelta(days=300),
    )
    expired = VolunteerFactory(
        organisation=org,
        availability=availability.mask_from_codes(["wo-ochtend"]),
        vog_seen=True,
        vog_expires=timezone.localdate() - datetime.timedelta(days=1),
        status="aangemeld",
    )
    client.force_login(tenant_a.user("coordinator"))
    url = reverse("matching:volunteer_list", kwargs={"org": "oost"})

    def shown(query):
        return {v.pk for v in client.get(url + query).context["page"]}

    everyone = tenant_a.objects["volunteer"].pk
    assert shown("?slot=di-middag") == {tuesday.pk, everyone}
    assert shown("?slot=wo-ochtend") == {expired.pk, everyone}
    assert shown("?vog=geldig") == {tuesday.pk}
    assert expired.pk in shown("?vog=geen")
    assert shown(f"?category={visiting.pk}") == {tuesday.pk}
    assert shown("?status=aangemeld") == {expired.pk}


def test_the_request_list_status_filter_reads_the_requests_once_without_distinct(client, tenant_a):
    # Status is a column of the request itself: DISTINCT could drop no row, it would only sort every request again
    # and keep the list's order index (organisation, -urgency, created_at) unused.
    client.force_login(tenant_a.user("coordinator"))
    url = reverse("matching:request_list", kwargs={"org": "oost"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url + "?status=nieuw&status=zoekend")
    assert response.status_code == 200
    reads = [q["sql"] for q in queries if 'FROM "matching_helprequest"' in q["sql"]]
    assert reads
    assert not [sql for sql in reads if "DISTINCT" in sql]


def test_the_request_list_default_order_has_an_index(db):
    from django.db import connection as conn

    with conn.cursor() as cursor:
        indexes = conn.introspection.get_constraints(cursor, HelpRequest._meta.db_table)
    assert any(
        spec["index"] and spec["columns"][:3] == ["organisation_id", "urgency", "created_at"]
        for spec in indexes.values()
    )


def test_volunteer_list_is_by_name_and_follows_a_rename(client, tenant_a):
    from netwerken.services import user_name_changed

    org = tenant_a.organisation
    zeynep, *_ = [
        VolunteerFactory(organisation=org, membership__user__name=name)
        for name in ("Zeynep Yilmaz", "Anna de Vries", "Mohamed el Amrani")
    ]
    client.force_login(tenant_a.user("coordinator"))
    url = reverse("matching:volunteer_list", kwargs={"org": "oost"})
    ours = {"Zeynep Yilmaz", "Anna de Vries", "Mohamed el Amrani", "Bram Bakker"}

    def names():
        return [v.name for v in client.get(url).context["page"] if v.name in ours]

    assert names() == ["Anna de Vries", "Mohamed el Amrani", "Zeynep Yilmaz"]
    user = zeynep.membership.user
    user.name = "Bram Bakker"
    user.save(update_fields=["name"])
    user_name_changed(user)
    assert names() == ["Anna de Vries", "Bram Bakker", "Mohamed el Amrani"]
