"""The session and CSRF cookies carry `Secure` whenever the site is served over https, also in a native deploy that
sets BEHIND_HTTPS_PROXY or SECURE_SSL_REDIRECT and forgets SECURE_COOKIES; SECURE_COOKIES=0 turns them off.

Each case reads the settings afresh in a subprocess with only the given environment (settings are read once per
process), and asks Django for the cookie header a browser would get."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import json, os
os.environ['DJANGO_SETTINGS_MODULE'] = 'buurthulp.settings'
import django
django.setup()
from django.conf import settings
from django.http import HttpResponse
response = HttpResponse()
response.set_cookie(settings.SESSION_COOKIE_NAME, 'x', secure=settings.SESSION_COOKIE_SECURE)
response.set_cookie(settings.CSRF_COOKIE_NAME, 'y', secure=settings.CSRF_COOKIE_SECURE)
print(json.dumps({
    'session': settings.SESSION_COOKIE_SECURE,
    'csrf': settings.CSRF_COOKIE_SECURE,
    'headers': [morsel.OutputString() for morsel in response.cookies.values()],
}))
"""


def cookies_with(**env):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={"PATH": "", "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("env", "secure"),
    [
        # make demo, the tests, a plain-http stack: no https anywhere, the cookies must work over http
        ({}, False),
        # a native deploy behind the TLS proxy that sets only what the proxy needs
        ({"BEHIND_HTTPS_PROXY": "1"}, True),
        ({"SECURE_SSL_REDIRECT": "1"}, True),
        ({"BEHIND_HTTPS_PROXY": "1", "SECURE_SSL_REDIRECT": "1"}, True),
        # docker-compose.yml's defaults
        ({"BEHIND_HTTPS_PROXY": "1", "SECURE_SSL_REDIRECT": "1", "SECURE_COOKIES": "1"}, True),
        # the explicit off switch wins (plain http on a trusted network, `make stack`)
        ({"BEHIND_HTTPS_PROXY": "1", "SECURE_COOKIES": "0"}, False),
        ({"BEHIND_HTTPS_PROXY": "1", "SECURE_SSL_REDIRECT": "1", "SECURE_COOKIES": "0"}, False),
        # and the explicit on switch works without a proxy
        ({"SECURE_COOKIES": "1"}, True),
        ({"BEHIND_HTTPS_PROXY": "0", "SECURE_SSL_REDIRECT": "0"}, False),
    ],
)
def test_session_and_csrf_cookies_are_secure_whenever_the_site_is_served_over_https(env, secure):
    cookies = cookies_with(**env)
    assert cookies["session"] is secure and cookies["csrf"] is secure
    for header in cookies["headers"]:
        assert ("; Secure" in header) is secure, header
