from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from netwerken.demo import DEMO_ACCOUNTS
from netwerken.models import Funding, Membership, Organisation, User


def _snapshot():
    with scopes_disabled():
        return {
            "organisations": sorted(
                Organisation.objects.values_list("slug", "name", "municipality", "kind", "help_type", "phase")
            ),
            "users": sorted(User.objects.values_list("email", "name", "is_active")),
            "memberships": sorted(
                Membership.objects.values_list(
                    "user__email",
                    "organisation__slug",
                    "is_volunteer",
                    "is_coordinator",
                    "is_professional",
                    "is_org_admin",
                    "is_funder",
                )
            ),
            "fundings": sorted(Funding.objects.values_list("funder__slug", "organisation__slug")),
        }


def test_seed_demo_twice_gives_the_same_data(db):
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first
    assert len(first["users"]) == 9
    assert (
        "oranjekwartier",
        "Buurthulp Europa- en Oranjekwartier",
        "IJsselstein",
        "buurthulp",
        "liefdadigheid",
        "uitvoering",
    ) in first["organisations"]
    assert ("lombok", "Buurthulp Lombok", "Utrecht", "buurthulp", "voor_elkaar", "opzetten") in first["organisations"]
    assert first["fundings"] == [("gemeente", "lombok"), ("gemeente", "oranjekwartier")]


def test_every_demo_account_can_log_in(client, db):
    call_command("seed_demo")
    for account in DEMO_ACCOUNTS:
        client.logout()
        response = client.post(reverse("account_login"), {"login": account["email"], "password": "buurthulp-demo"})
        assert response.status_code == 302, account["email"]
        assert client.get(response.url, follow=True).status_code == 200


def test_login_page_lists_demo_accounts_only_in_debug(client, db, settings):
    settings.DEBUG = False
    assert "coordinator@oranjekwartier.demo" not in client.get(reverse("account_login")).content.decode()
    settings.DEBUG = True
    assert "coordinator@oranjekwartier.demo" in client.get(reverse("account_login")).content.decode()
