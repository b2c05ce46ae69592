from django.urls import reverse


def test_healthz_reports_database_and_broker(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] in {"ok", "in-process"}


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
