"""Included in the app's urls.py under /o/<org>/; the app namespace applies."""

from django.urls import path

from . import network_views

urlpatterns = [
    path("netwerken/", network_views.network_list, name="network_list"),
    path("netwerken/nieuw/", network_views.network_create, name="network_create"),
    path("netwerken/<int:network>/", network_views.network_detail, name="network_detail"),
    path("netwerken/<int:network>/bewerken/", network_views.network_edit, name="network_edit"),
    path("netwerken/<int:network>/leden/", network_views.member_add, name="member_add"),
    path("netwerken/<int:network>/leden/<int:member>/gestopt/", network_views.member_leave, name="member_leave"),
    path("netwerken/<int:network>/leden/<int:guest>/wissen/", network_views.member_erase, name="member_erase"),
]
