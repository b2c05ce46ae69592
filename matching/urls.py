from django.urls import path

from . import views

app_name = "matching"

# Included under /o/<slug:org>/ (buurthulp/urls.py).
urlpatterns = [
    path("hulpvragen/", views.request_list, name="request_list"),
    path("hulpvragen/nieuw/", views.intake, name="intake"),
    path("hulpvragen/<int:help_request>/", views.request_detail, name="request_detail"),
    path("hulpvragen/<int:help_request>/bewerken/", views.request_edit, name="request_edit"),
    path("hulpvragen/<int:help_request>/status/", views.request_transition, name="request_transition"),
    path("hulp-vragen/", views.online_request, name="online_request"),
    path("hulp-vragen/verstuurd/", views.online_request_thanks, name="online_request_thanks"),
    path("mijn/aanbod/", views.my_offers, name="my_offers"),
    path("mijn/aanbod/<int:offer>/", views.offer_edit, name="offer_edit"),
    path("beheer/soorten-hulp/", views.category_list, name="category_list"),
    path("beheer/soorten-hulp/<int:category>/", views.category_edit, name="category_edit"),
]
