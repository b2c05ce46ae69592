from django.urls import path

from . import resident_views, views, volunteer_views

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
    path("beheer/buurten/", volunteer_views.area_list, name="area_list"),
    path("beheer/buurten/<int:area>/", volunteer_views.area_edit, name="area_edit"),
    path("word-vrijwilliger/", volunteer_views.volunteer_signup, name="volunteer_signup"),
    path("vrijwilligers/", volunteer_views.volunteer_list, name="volunteer_list"),
    path("vrijwilligers/<int:volunteer>/", volunteer_views.volunteer_detail, name="volunteer_detail"),
    path("mijn/profiel/", volunteer_views.my_profile, name="my_profile"),
    path("mijn/pauze/", volunteer_views.my_pause, name="my_pause"),
    path("bewoners/<int:resident>/", resident_views.resident_detail, name="resident_detail"),
    path("bewoners/<int:resident>/gegevens.json", resident_views.resident_export, name="resident_export"),
    path("bewoners/<int:resident>/wissen/", resident_views.resident_erase, name="resident_erase"),
]
