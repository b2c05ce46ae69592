"""Included in the app's urls.py under /o/<org>/; the app namespace applies."""

from django.urls import path

from . import phase_views

urlpatterns = [
    path("fase/", phase_views.phase_checklist, name="phase_checklist"),
    path("fase/punten/nieuw/", phase_views.checklist_item_add, name="checklist_item_add"),
    path("fase/punten/<int:item>/", phase_views.checklist_item_edit, name="checklist_item_edit"),
    path("fase/punten/<int:item>/verwijderen/", phase_views.checklist_item_delete, name="checklist_item_delete"),
    path("fase/volgende/", phase_views.phase_move, name="phase_move"),
    path("netwerken/<int:network>/fase/", phase_views.network_phase, name="network_phase"),
    path("netwerken/<int:network>/fase/volgende/", phase_views.network_phase_move, name="network_phase_move"),
]
