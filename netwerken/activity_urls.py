"""Activities and their sessions; included in the app's urls.py under /o/<org>/ (the app namespace applies)."""

from django.urls import path

from . import activity_views

urlpatterns = [
    path("activiteiten/", activity_views.activity_list, name="activity_list"),
    path("activiteiten/nieuw/", activity_views.activity_create, name="activity_create"),
    path("activiteiten/<int:activity>/", activity_views.activity_detail, name="activity_detail"),
    path("activiteiten/<int:activity>/bewerken/", activity_views.activity_edit, name="activity_edit"),
    path("activiteiten/<int:activity>/stoppen/", activity_views.activity_stop, name="activity_stop"),
    path("sessies/<int:session>/", activity_views.session_detail, name="session_detail"),
    path("sessies/<int:session>/deelname/", activity_views.participation_toggle, name="participation_toggle"),
    path("sessies/<int:session>/deelnemer/", activity_views.participant_add, name="participant_add"),
    path("sessies/<int:session>/verplaatsen/", activity_views.session_move, name="session_move"),
    path("sessies/<int:session>/afgelasten/", activity_views.session_cancel, name="session_cancel"),
]
