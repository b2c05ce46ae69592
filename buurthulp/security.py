"""Django admin's login, throttled the way allauth throttles its own.

allauth limits failed logins on /accounts/login/ but not on Django's /admin/login/, where a superuser signs in.
This view wraps the admin's login: every failed attempt (the form came back with errors) counts, per client
address and username and per client address alone (ADMIN_LOGIN_RATE_LIMIT, allauth's rate format and counter
in the shared cache). Once a limit is reached, every attempt — the right password too — gets a Dutch 429 page
until the window has passed. A successful login clears the count for that address and username.
"""

from http import HTTPStatus

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from netwerken.ratelimits import client_ip

ACTION = "admin_login_failed"


def _config(only_per_key=False):
    rates = [rate.strip() for rate in settings.ADMIN_LOGIN_RATE_LIMIT.split(",") if rate.strip()]
    if only_per_key:
        rates = [rate for rate in rates if rate.endswith("/key")]
    return {ACTION: ",".join(rates)}


def _key(request):
    username = (request.POST.get("username") or "").strip().lower()[:254]
    return f"{client_ip(request)}:{username}"


def too_many(request):
    return render(request, "429.html", {"admin_login": True}, status=HTTPStatus.TOO_MANY_REQUESTS)


@never_cache
@csrf_protect
def admin_login(request):
    if request.method != "POST":
        return admin.site.login(request)
    key = _key(request)
    kwargs = {"app": "buurthulp.admin", "action": ACTION, "key": key}
    if not ratelimit.consume(request, dry_run=True, config=_config(), **kwargs):
        return too_many(request)
    response = admin.site.login(request)
    if response.status_code == HTTPStatus.OK:
        # The form came back: wrong username or password (or an account without admin access).
        ratelimit.consume(request, config=_config(), **kwargs)
    elif request.user.is_authenticated:
        # The count per address and username; the count per address stays (one valid account must not reset it).
        ratelimit.clear(request, config=_config(only_per_key=True), **kwargs)
    return response
