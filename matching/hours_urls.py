"""Included in the app's urls.py under /o/<org>/; the app namespace applies."""

from django.urls import path

from . import hours_views

urlpatterns = [
    path("vrijwilliger/uren/", hours_views.my_hours, name="my_hours"),
    path("vrijwilliger/uren/<int:hours>/verwijderen/", hours_views.my_hours_delete, name="my_hours_delete"),
    path("uren/", hours_views.hours_overview, name="hours_overview"),
    path("vrijwilliger/agenda/", hours_views.my_calendar, name="my_calendar"),
    path("vrijwilliger/agenda/vernieuwen/", hours_views.my_calendar_revoke, name="my_calendar_revoke"),
    path("agenda/<str:calendar_token>.ics", hours_views.calendar_feed_view, name="calendar_feed"),
]
