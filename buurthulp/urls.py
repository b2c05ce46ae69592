from django.contrib import admin
from django.urls import include, path

from netwerken import views as netwerken_views

urlpatterns = [
    path("", netwerken_views.home, name="home"),
    path("healthz", netwerken_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("taal/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Every tenant page lives under /o/<org>/; netwerken.tenancy.TenantMiddleware scopes it.
    path("o/<slug:org>/", include("netwerken.urls")),
    path("o/<slug:org>/", include("matching.urls")),
]
