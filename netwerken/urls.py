from django.urls import path

from . import views

app_name = "netwerken"

# Included under /o/<slug:org>/ (buurthulp/urls.py): TenantMiddleware resolves the organisation.
urlpatterns = [
    path("", views.org_home, name="org_home"),
    path("coordinator/", views.coordinator_dashboard, name="coordinator_dashboard"),
    path("vrijwilliger/", views.volunteer_dashboard, name="volunteer_dashboard"),
    path("wijkteam/", views.professional_dashboard, name="professional_dashboard"),
    path("beheer/", views.admin_dashboard, name="admin_dashboard"),
    path("beheer/team/", views.staff_list, name="staff_list"),
    path("beheer/team/<int:membership>/", views.member_edit, name="member_edit"),
    path("financier/", views.funder_dashboard, name="funder_dashboard"),
]
