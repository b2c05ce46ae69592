from django.urls import path

from . import funder_views, views

app_name = "evaluatie"

# Included under /o/<slug:org>/ (buurthulp/urls.py).
urlpatterns = [
    path("evaluatie/", views.cycle_list, name="cycle_list"),
    path("evaluatie/nieuw/", views.cycle_create, name="cycle_create"),
    path("evaluatie/<int:cycle>/", views.cycle_detail, name="cycle_detail"),
    path("evaluatie/<int:cycle>/sluiten/", views.cycle_close, name="cycle_close"),
    path("evaluatie/<int:cycle>/enquete/", views.survey_add, name="survey_add"),
    path("evaluatie/<int:cycle>/enquete/versturen/", views.survey_send, name="survey_send"),
    path("evaluatie/<int:cycle>/verhalen/nieuw/", views.story_add, name="story_add"),
    path("evaluatie/<int:cycle>/acties/nieuw/", views.action_add, name="action_add"),
    path("evaluatie/indicatoren/<int:indicator>/", views.indicator_rows, name="indicator_rows"),
    path("evaluatie/verhalen/<int:story>/goedkeuren/", views.story_approve, name="story_approve"),
    path("evaluatie/acties/<int:action>/status/", views.action_status, name="action_status"),
    path("enquete/", views.survey_link, name="survey_link"),
    # The funder report of a cycle: for the organisation's funders and its staff alike.
    path("rapportages/<int:cycle>/", funder_views.funder_report, name="funder_report"),
    path("rapportages/<int:cycle>/voortgang/", funder_views.report_status, name="report_status"),
    path("rapportages/<int:cycle>/maken/", funder_views.report_request, name="report_request"),
    path("rapportages/<int:cycle>/rapport.pdf", funder_views.report_download, {"fmt": "pdf"}, name="report_pdf"),
    path("rapportages/<int:cycle>/rapport.xlsx", funder_views.report_download, {"fmt": "xlsx"}, name="report_xlsx"),
    path("rapportages/<int:cycle>/rapport.csv", funder_views.report_download, {"fmt": "csv"}, name="report_csv"),
]
