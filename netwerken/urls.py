from django.urls import path

from . import activity_urls, area_views, network_urls, phase_urls, resident_views, team_views, views

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
    path("beheer/buurten/", area_views.area_list, name="area_list"),
    path("beheer/buurten/<int:area>/", area_views.area_edit, name="area_edit"),
    path("privacy/", views.privacy_statement, name="privacy"),
    path("over/", views.organisation_public_page, name="public_page"),
    path("over/flyer/", views.organisation_flyer, name="flyer"),
    path("bewoners/<int:resident>/", resident_views.resident_detail, name="resident_detail"),
    path("bewoners/<int:resident>/gegevens.json", resident_views.resident_export, name="resident_export"),
    path("bewoners/<int:resident>/wissen/", resident_views.resident_erase, name="resident_erase"),
]

# Networks, activities and participation; development phases.
urlpatterns += network_urls.urlpatterns + phase_urls.urlpatterns
urlpatterns += activity_urls.urlpatterns

# The team: invitations by email, removing members; the organisation's funders.
urlpatterns += [
    path("beheer/team/uitnodigen/", team_views.invitation_new, name="invitation_new"),
    path(
        "beheer/team/uitnodigingen/<int:invitation>/opnieuw/",
        team_views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "beheer/team/uitnodigingen/<int:invitation>/intrekken/",
        team_views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("beheer/team/<int:membership>/verwijderen/", team_views.member_remove, name="member_remove"),
    path("uitnodiging/<str:invitation_token>/", team_views.invitation_accept, name="invitation_accept"),
    path("beheer/financiers/", team_views.funder_list, name="funder_list"),
    path("beheer/financiers/<int:funding>/verwijderen/", team_views.funding_remove, name="funding_remove"),
]
