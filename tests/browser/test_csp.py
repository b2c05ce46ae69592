"""Every main page under the enforced Content-Security-Policy, in a real browser: no violation reported."""

import pytest
from django.urls import reverse

from ..test_security_headers import MAIN_PAGES, PUBLIC_PAGES
from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def _context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    context.set_default_timeout(10_000)
    context.add_init_script(LISTEN)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    return context, page, console


def _violations(page, console):
    found = page.evaluate("window.__cspViolations || []")
    return found + [text for text in console if "Content Security Policy" in text or "Refused to" in text]


def test_no_page_breaks_the_policy(browser, live_server, tenant_a):
    seen = {}
    context, page, console = _context(browser, live_server)
    for path in PUBLIC_PAGES:
        response = page.goto(path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        seen[path] = _violations(page, console)
        console.clear()
    context.close()

    roles = sorted({role for role, _, _ in MAIN_PAGES})
    for role in roles:
        context, page, console = _context(browser, live_server)
        log_in(page, tenant_a.user(role).email)
        for page_role, name, kwargs in MAIN_PAGES:
            if page_role != role:
                continue
            url = reverse(name, kwargs={"org": "oost", **{k: tenant_a.objects[v].pk for k, v in kwargs.items()}})
            response = page.goto(url)
            assert response.status == 200, url
            page.wait_for_load_state("load")
            seen[url] = _violations(page, console)
            console.clear()
        context.close()
    broken = {url: found for url, found in seen.items() if found}
    assert not broken, broken
    assert len(seen) == len(PUBLIC_PAGES) + len(MAIN_PAGES)
