"""The list pages' filter form is rendered once and cached (netwerken/pagination.py); what it shows stays right."""

from django.test import override_settings
from django.urls import reverse
from django_scopes import scopes_disabled

from .factories import AreaFactory, CategoryFactory
from .test_resilience import BROKEN_CACHE

REQUESTS = reverse("matching:request_list", kwargs={"org": "oost"})


def _filter_form(client, url=REQUESTS, **headers):
    page = client.get(url, **headers).content.decode()
    return page[page.index('<details class="filters"') : page.index("</details>")]


def test_a_new_renamed_or_removed_choice_shows_at_once(client, tenant_a):
    client.force_login(tenant_a.user("coordinator"))
    org = tenant_a.organisation
    assert "Klussen in huis" not in _filter_form(client)
    category = CategoryFactory(organisation=org, name="Klussen in huis")
    assert "Klussen in huis" in _filter_form(client)
    area = AreaFactory(organisation=org, name="Zuilen")
    assert "Zuilen" in _filter_form(client)
    area.name = "Zuilen-Noord"
    area.save()
    assert "Zuilen-Noord" in _filter_form(client)
    with scopes_disabled():
        category.delete()
    assert "Klussen in huis" not in _filter_form(client)


def test_the_cached_form_is_the_same_page_and_costs_fewer_queries(client, tenant_a, django_assert_max_num_queries):
    client.force_login(tenant_a.user("coordinator"))
    first = _filter_form(client)
    with django_assert_max_num_queries(5):
        assert _filter_form(client) == first


def test_each_organisation_language_and_filter_has_its_own_form(client, tenant_a, tenant_b):
    CategoryFactory(organisation=tenant_a.organisation, name="Alleen bij Oost")
    client.force_login(tenant_a.user("coordinator"))
    assert "Alleen bij Oost" in _filter_form(client)
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Kind of help" in _filter_form(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    assert "Soort hulp" in _filter_form(client)
    # A chosen value and an invalid one show as chosen and as an error, not as the cached empty form.
    category = tenant_a.objects["category"]
    assert f'value="{category.pk}" selected' in _filter_form(client, f"{REQUESTS}?category={category.pk}")
    assert "field-errors" in _filter_form(client, f"{REQUESTS}?category=999999")
    client.force_login(tenant_b.user("coordinator"))
    assert "Alleen bij Oost" not in _filter_form(client, reverse("matching:request_list", kwargs={"org": "west"}))


def test_new_default_categories_show_in_the_filter(client, tenant_a):
    from matching.services import categories_setup_defaults

    client.force_login(tenant_a.user("coordinator"))
    assert "Wandelen" not in _filter_form(client)
    with scopes_disabled():
        categories_setup_defaults(organisation=tenant_a.organisation)
    assert "Wandelen" in _filter_form(client)


@override_settings(CACHES=BROKEN_CACHE)
def test_with_the_cache_down_the_form_is_rendered_as_before(client, tenant_a):
    client.force_login(tenant_a.user("coordinator"))
    response = client.get(REQUESTS)
    assert response.status_code == 200
    assert "Soort hulp" in response.content.decode()
