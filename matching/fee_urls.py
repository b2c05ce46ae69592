"""Included in the app's urls.py under /o/<org>/; the app namespace applies.

'Een extraatje bijverdienen' only (matching/fee_views.py): elsewhere these pages answer 404.
"""

from django.urls import path

from . import fee_views

urlpatterns = [
    path("vergoedingen/", fee_views.fee_overview, name="fee_overview"),
    path("vergoedingen/vrijwilliger/<int:volunteer>/", fee_views.fee_volunteer_ledger, name="fee_volunteer_ledger"),
    path("vergoedingen/bewoner/<int:resident>/", fee_views.fee_resident_ledger, name="fee_resident_ledger"),
    path("vergoedingen/<int:fee>/corrigeren/", fee_views.fee_correct, name="fee_correct"),
    path("vergoedingen/betaling/", fee_views.fee_payment, name="fee_payment"),
    path("vergoedingen/export.xlsx", fee_views.fee_export, name="fee_export"),
    path("vrijwilliger/vergoedingen/", fee_views.my_fees, name="my_fees"),
]
