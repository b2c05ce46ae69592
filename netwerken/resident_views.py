"""A resident's page for the coordinator: requests, consents, who looked; export and erase."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import privacy
from .models import AccessLog, Resident
from .tenancy import role_required


@role_required("netwerken.manage_residents")
def resident_detail(request, org, resident):
    from matching.models import HelpRequest

    resident = get_object_or_404(Resident.objects.select_related("area"), pk=resident)
    AccessLog.objects.create(organisation=request.tenant.organisation, user=request.user, resident=resident)
    return render(
        request,
        "netwerken/resident_detail.html",
        {
            "resident": resident,
            "requests": HelpRequest.objects.filter(resident=resident).select_related("category", "consent"),
            "access_logs": AccessLog.objects.filter(resident=resident).select_related("user")[:50],
        },
    )


@role_required("netwerken.manage_residents")
def resident_export(request, org, resident):
    resident = get_object_or_404(Resident.objects.select_related("area", "organisation"), pk=resident)
    data = privacy.resident_export(resident=resident, by=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="bewoner-{slugify(resident.name) or resident.pk}.json"'
    return response


@role_required("netwerken.manage_residents")
def resident_erase(request, org, resident):
    resident = get_object_or_404(Resident, pk=resident)
    error = None
    if request.method == "POST":
        # Exactly the checkbox's value: erasing cannot be undone, so nothing else counts as a yes.
        if request.POST.get("bevestig") != "ja":
            error = _("Vink aan dat de bewoner dit heeft gevraagd.")
        elif resident.erased_at:
            messages.info(request, _("De gegevens van deze bewoner zijn al gewist."))
        else:
            privacy.resident_erase(resident=resident, by=request.user)
            messages.success(request, _("De persoonsgegevens zijn gewist. De aantallen blijven meetellen."))
            return redirect("netwerken:resident_detail", org=org, resident=resident.pk)
    return render(request, "netwerken/resident_erase.html", {"resident": resident, "error": error})
