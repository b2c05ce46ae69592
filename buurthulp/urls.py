from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from buurthulp import security
from matching import backstop_views
from netwerken import phase_views
from netwerken import views as netwerken_views

# Django's RequestDataTooBig is a Dutch 413, a database that is down a Dutch 503 (buurthulp/errors.py).
handler400 = "buurthulp.errors.bad_request"
handler500 = "buurthulp.errors.server_error"

urlpatterns = [
    path("", netwerken_views.home, name="home"),
    path("healthz", netwerken_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("taal/", include("django.conf.urls.i18n")),
    # Django admin's login, throttled like allauth's (failed attempts per address and username).
    path("admin/login/", security.admin_login, name="admin_login_throttled"),
    path("admin/", admin.site.urls),
    # The wijkteam professional's queue across every organisation they serve (scoped to exactly those).
    path("wijkteam/", backstop_views.queue, name="backstop_queue"),
    # Where each organisation a professional or org admin serves stands in its development phases.
    path("fases/", phase_views.phase_overview, name="phase_overview"),
    # Every tenant page lives under /o/<org>/; netwerken.tenancy.TenantMiddleware scopes it.
    path("o/<slug:org>/", include("netwerken.urls")),
    path("o/<slug:org>/", include("matching.urls")),
    path("o/<slug:org>/", include("evaluatie.urls")),
]

if settings.DEMO:
    from buurthulp.demo.bare import bare_table

    # benchmarks/pages.py's yardstick: a bare page of 25 rows under the same gunicorn and middleware.
    urlpatterns.append(path("demo/kale-tabel/", bare_table, name="demo_bare_table"))
