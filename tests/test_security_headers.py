"""Headers a security officer signs off: a strict Content-Security-Policy on every page (and templates that need
nothing inline), HSTS and the HTTPS redirect by setting, and `check --deploy` clean with the README's settings."""

import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from netwerken.roles import Role

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"

# (role, url name, URL keywords from the tenant fixture's objects): each role's dashboard, a list and a detail.
MAIN_PAGES = [
    (Role.COORDINATOR, "netwerken:coordinator_dashboard", {}),
    (Role.COORDINATOR, "matching:request_list", {}),
    (Role.COORDINATOR, "matching:request_detail", {"help_request": "help_request"}),
    (Role.COORDINATOR, "matching:volunteer_list", {}),
    (Role.COORDINATOR, "matching:volunteer_detail", {"volunteer": "volunteer"}),
    (Role.COORDINATOR, "netwerken:resident_detail", {"resident": "resident"}),
    (Role.COORDINATOR, "evaluatie:cycle_list", {}),
    (Role.COORDINATOR, "evaluatie:cycle_detail", {"cycle": "cycle"}),
    (Role.PROFESSIONAL, "netwerken:professional_dashboard", {}),
    (Role.VOLUNTEER, "netwerken:volunteer_dashboard", {}),
    (Role.VOLUNTEER, "matching:my_offers", {}),
    (Role.VOLUNTEER, "matching:my_profile", {}),
    (Role.ORG_ADMIN, "netwerken:admin_dashboard", {}),
    (Role.ORG_ADMIN, "netwerken:staff_list", {}),
    (Role.ORG_ADMIN, "netwerken:area_list", {}),
    (Role.FUNDER, "netwerken:funder_dashboard", {}),
    (Role.FUNDER, "evaluatie:funder_report", {"cycle": "cycle"}),
]
PUBLIC_PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/admin/login/"]


def _policy(response):
    return response.headers.get("Content-Security-Policy", "")


def _assert_strict(policy):
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives.get("default-src") == ["'self'"], policy
    assert directives.get("script-src") == ["'self'"], policy
    assert directives.get("style-src") == ["'self'"], policy
    assert directives.get("object-src") == ["'none'"] and directives.get("frame-ancestors") == ["'none'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_policy_allows_nothing_inline():
    for sources in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].values():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "https:", "http:"} & set(sources)


@pytest.mark.parametrize(("role", "name", "kwargs"), MAIN_PAGES, ids=[f"{r}-{n}" for r, n, _ in MAIN_PAGES])
def test_every_main_page_carries_the_strict_policy(client, tenant_a, role, name, kwargs):
    client.force_login(tenant_a.user(role))
    url = reverse(name, kwargs={"org": "oost", **{k: tenant_a.objects[v].pk for k, v in kwargs.items()}})
    response = client.get(url)
    assert response.status_code == 200, url
    _assert_strict(_policy(response))


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_and_errors_carry_the_policy_too(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    _assert_strict(_policy(response))
    _assert_strict(_policy(client.get("/o/bestaat-niet/")))


def test_the_networks_map_page_carries_the_policy(client, tenant_a):
    client.force_login(tenant_a.user(Role.COORDINATOR))
    # A page of one help type answers 404 elsewhere; either way the header is there.
    _assert_strict(_policy(client.get(reverse("netwerken:network_list", kwargs={"org": "oost"}))))


# ---------------------------------------------------------------------------------------------------------------
# The templates: nothing the policy would block.

SCRIPT_WITHOUT_SRC = r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>"
INLINE = [
    ("<script> without src", re.compile(SCRIPT_WITHOUT_SRC, re.I)),
    ("<style> block", re.compile(r"<style\b", re.I)),
    ("style= attribute", re.compile(r"\sstyle\s*=", re.I)),
    ("on…= event handler", re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)),
    ("javascript: link", re.compile(r"javascript:", re.I)),
]


def _template_files():
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".svg", ".xml"})


def test_no_template_has_inline_script_or_style():
    found = []
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        for what, pattern in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not found, "the Content-Security-Policy blocks these; move them to static/ files:\n" + "\n".join(found)


def test_the_template_scan_sees_what_it_must(tmp_path):
    samples = [
        "<script>alert(1)</script>",
        '<div style="color: red">',
        '<svg><circle r="3" style="fill: red"/></svg>',
        "<style>p { color: red }</style>",
        '<button onclick="go()">',
    ]
    for sample in samples:
        assert any(p.search(sample) for _, p in INLINE), sample
    fine = ['<script src="/static/js/x.js" defer></script>', '<circle r="3" fill="#f4f1ea"/>', '<p class="style">']
    for sample in fine:
        assert not any(p.search(sample) for _, p in INLINE), sample


def test_charts_in_the_funder_report_carry_no_inline_style():
    from evaluatie import reports

    from .test_reports import make_document

    html = reports.render_html(make_document())
    assert "<svg" in html
    assert not [p for _, p in INLINE if p.search(html)]


# ---------------------------------------------------------------------------------------------------------------
# HTTPS: the redirect and HSTS by setting; the deploy check with the README's production settings.


def test_https_redirect_and_hsts_follow_the_settings(db):
    with override_settings(
        SECURE_SSL_REDIRECT=True,
        SECURE_HSTS_SECONDS=31536000,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=True,
    ):
        client = Client()
        plain = client.get("/accounts/login/")
        assert plain.status_code == 301 and plain.url.startswith("https://")
        secure = client.get("/accounts/login/", secure=True)
        assert secure.status_code == 200
        assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        # The container's own health check asks over plain http from inside.
        assert client.get("/healthz").status_code in (200, 503)
    client = Client()
    assert client.get("/accounts/login/").status_code == 200, "off by default (make demo serves plain http)"
    assert "Strict-Transport-Security" not in client.get("/accounts/login/", secure=True).headers


def _readme_deploy_check():
    """The environment of the deploy-check command in README's Production section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    production = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    line = next(line for line in production.splitlines() if "check --deploy" in line and line.startswith("env "))
    words = shlex.split(line)
    assert "--deploy" in words and words[-1] == "WARNING", line
    environment = dict(word.split("=", 1) for word in words[1:] if re.match(r"^[A-Z_]+=", word))
    return environment, line


def test_the_deploy_check_is_clean_with_the_readme_production_settings():
    environment, line = _readme_deploy_check()
    assert {"SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DEBUG", "SECURE_COOKIES"} <= set(environment), line
    environment["SECRET_KEY"] = secrets.token_urlsafe(50)  # the README generates one the same way
    # Only the README's settings: nothing of the test run (DEBUG, DJANGO_ALLOW_ASYNC_UNSAFE of the browser tests…).
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "SYSTEMROOT") if key in os.environ}
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    print(output)
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
