from unittest import mock

from django.urls import reverse


def test_healthz_says_so_when_tasks_run_in_process(client, db):
    # The SQLite suite runs without a broker: /healthz must not pretend there is one. The services suite may
    # share a real Redis as the cache: then the cache is a shared one and says "ok".
    from django.conf import settings

    shared = settings.CACHES["default"]["LOCATION"].startswith("redis")
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok" if shared else "in-process",
        "broker": "in-process",
    }


def test_healthz_names_the_broker_when_it_is_down(client, db):
    from kombu import Connection

    from buurthulp.celery import app as celery_app

    from .conftest import celery_conf

    # A real Redis client at a port where no Redis listens, on the view's side only.
    with (
        celery_conf(task_always_eager=False),
        mock.patch.object(celery_app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0")),
    ):
        response = client.get(reverse("healthz"))
    # Degraded, not down: every page works without the broker (the work waits in the database).
    assert response.status_code == 200
    assert response.json()["status"] == "degraded" and response.json()["broker"].startswith("error")
    assert response.json()["database"] == "ok"


def test_interface_is_dutch_even_for_an_english_browser(client, db):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    content = response.content.decode()
    assert '<html lang="nl">' in content
    assert "Naar de inhoud" in content


def test_english_can_be_chosen(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    content = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in content
    assert "Skip to content" in content


def test_pages_have_landmarks_and_a_skip_link(client, tenant_a):
    client.force_login(tenant_a.user("coordinator"))
    content = client.get(reverse("netwerken:coordinator_dashboard", kwargs={"org": "oost"})).content.decode()
    for marker in ('<main id="inhoud"', "<header", "<nav", "<footer", 'href="#inhoud"', "<h1>", 'name="viewport"'):
        assert marker in content


def test_unknown_page_is_a_dutch_404(client, db):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()


def _po_entries(path):
    """(msgid, msgstr) pairs of a .po file, singular entries only; enough to compare with the .mo."""
    import ast

    entries, current, key = [], {}, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[")):
            key, _sep, rest = line.partition(" ")
            if key == "msgid" and current:
                entries.append(current)
                current = {}
            current[key] = ast.literal_eval(rest)
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
        elif line.startswith("#, ") and "fuzzy" in line:
            current["fuzzy"] = True
    entries.append(current)
    return [e for e in entries if e.get("msgid") and "msgid_plural" not in e]


def test_english_catalogue_is_complete_and_compiled():
    from pathlib import Path

    from django.conf import settings
    from django.utils import translation

    entries = _po_entries(Path(settings.BASE_DIR) / "locale/en/LC_MESSAGES/django.po")
    assert len(entries) > 400
    untranslated = [e["msgid"] for e in entries if not e.get("msgstr") or e.get("fuzzy")]
    assert not untranslated, f"translate these in locale/en (make messages): {untranslated[:5]}"
    with translation.override("en"):
        stale = [e["msgid"] for e in entries if translation.gettext(e["msgid"]) != e["msgstr"]]
    assert not stale, f"django.mo is older than django.po; run compilemessages: {stale[:5]}"


def _volunteer_home_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("netwerken:volunteer_dashboard", kwargs={"org": "oost"}))
    assert response.status_code == 200
    return [query["sql"] for query in captured]


def test_the_volunteer_home_reads_the_profile_once_and_costs_the_same_for_more_matches(client, tenant_a):
    """Its sections (matches, activities, reciprocity; registered by different apps) share one look-up of the
    volunteer's profile per request, and more proposals and matches cost no more queries."""
    from matching.models import HelpRequest, Match

    from .factories import HelpRequestFactory, MatchFactory

    volunteer = tenant_a.objects["volunteer"]
    client.force_login(tenant_a.user("volunteer"))
    _volunteer_home_queries(client)  # warm the session
    few = _volunteer_home_queries(client)
    profile = [sql for sql in few if sql.startswith('SELECT "netwerken_volunteer"."id"')]
    assert len(profile) == 1, profile
    for status, match_status in [(HelpRequest.Status.PROPOSED, Match.Status.PROPOSED)] * 5 + [
        (HelpRequest.Status.MATCHED, Match.Status.ACCEPTED)
    ] * 5:
        request = HelpRequestFactory(organisation=tenant_a.organisation, status=status)
        MatchFactory(help_request=request, volunteer=volunteer, status=match_status)
    many = _volunteer_home_queries(client)
    assert len(many) == len(few)


def test_the_request_page_reads_its_status_changes_once_and_costs_the_same_for_a_longer_history(client, tenant_a):
    """The wait (wait_ended_at) and the history share one prefetch of the changes with who made them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scopes_disabled

    from matching.models import HelpRequest, StatusChange

    help_request = tenant_a.objects["help_request"]
    url = reverse("matching:request_detail", kwargs={"org": "oost", "help_request": help_request.pk})
    client.force_login(tenant_a.user("coordinator"))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return [query["sql"] for query in captured]

    queries()  # warm the session
    few = queries()
    assert len([sql for sql in few if 'FROM "matching_statuschange"' in sql]) == 1
    with scopes_disabled():
        for i in range(10):
            StatusChange.objects.create(
                organisation=tenant_a.organisation,
                help_request=help_request,
                from_status=HelpRequest.Status.SEARCHING,
                to_status=HelpRequest.Status.PROPOSED,
                by=tenant_a.user("coordinator") if i % 2 else tenant_a.user("org_admin"),
                reason=f"Stap {i}",
            )
    many = queries()
    assert len(many) == len(few)
    assert client.get(url).content.decode().count("Stap ") == 10
