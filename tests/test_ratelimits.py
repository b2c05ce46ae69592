"""Rate limits on the public forms: per real visitor behind the proxy, counting only what was saved."""

import json
import subprocess
import sys
from pathlib import Path

from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from matching.models import HelpRequest

from .test_requests import online_payload

PROXY = "10.0.0.2"  # the TLS proxy of the README's deployment: every visitor's REMOTE_ADDR


def post_as(visitor, url, payload):
    # The proxy appends the address it saw; a visitor may send a forged X-Forwarded-For of their own in front.
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"6.6.6.6, {visitor}").post(url, payload)


def test_visitors_behind_the_proxy_each_have_their_own_limit(tenant_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("matching:online_request", kwargs={"org": "oost"})
    first = [post_as("81.1.1.1", url, online_payload(tenant_a, resident_house_number=str(i + 1))) for i in range(6)]
    assert [r.status_code for r in first] == [302] * 5 + [200]
    assert "Er zijn vanaf dit adres veel hulpvragen verstuurd." in first[-1].content.decode()
    # Another resident behind the same proxy is not the first one: their request goes through.
    other = post_as("82.2.2.2", url, online_payload(tenant_a, resident_house_number="99"))
    assert other.status_code == 302
    with scopes_disabled():
        assert HelpRequest.objects.filter(channel="online").count() == 6


def test_a_forged_forwarded_header_does_not_reset_the_limit(tenant_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("matching:online_request", kwargs={"org": "oost"})
    for i in range(5):
        forged = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{i}.{i}.{i}.{i}, 81.1.1.1")
        assert forged.post(url, online_payload(tenant_a, resident_house_number=str(i + 1))).status_code == 302
    assert post_as("81.1.1.1", url, online_payload(tenant_a, resident_house_number="50")).status_code == 200


def test_only_saved_requests_count(tenant_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("matching:online_request", kwargs={"org": "oost"})
    # A resident who mistypes the postcode six times has sent nothing yet.
    for _ in range(6):
        response = post_as("81.1.1.1", url, online_payload(tenant_a, resident_postcode="12345"))
        assert "Vul een postcode in als 1234 AB." in response.content.decode()
    assert post_as("81.1.1.1", url, online_payload(tenant_a)).status_code == 302


def test_volunteer_signups_are_limited_per_visitor_and_count_only_successes(tenant_a, settings):
    from .test_volunteers import signup_payload

    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("matching:volunteer_signup", kwargs={"org": "oost"})
    for _ in range(25):
        bad = post_as("81.1.1.1", url, signup_payload(tenant_a, postcode="12345"))
        assert bad.status_code == 200 and "te veel aanmeldingen" not in bad.content.decode()
    ok = post_as("81.1.1.1", url, signup_payload(tenant_a, email="nieuw@example.nl"))
    assert ok.status_code == 302


def test_allauth_and_our_forms_agree_on_who_a_visitor_is(settings):
    from django.conf import settings as live

    assert live.ALLAUTH_TRUSTED_PROXY_COUNT == live.TRUSTED_PROXY_COUNT


def _settings_of(**env):
    script = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'buurthulp.settings'; "
        "from django.conf import settings; "
        "cache = settings.CACHES['default']; "
        "print(json.dumps([cache['OPTIONS']['BACKEND'], cache.get('LOCATION'), "
        "settings.TRUSTED_PROXY_COUNT]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parent.parent,
        env={"PATH": "", "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_production_counts_in_a_shared_cache_behind_the_proxy():
    backend, location, proxies = _settings_of(CELERY_BROKER_URL="redis://redis:6379/0", BEHIND_HTTPS_PROXY="1")
    assert backend == "django.core.cache.backends.redis.RedisCache" and location == "redis://redis:6379/1"
    assert proxies == 1
    backend, location, _proxies = _settings_of(CACHE_URL="redis://cache:6379/2")
    assert location == "redis://cache:6379/2"
