"""A resident's page for the coordinator: requests, consents, who looked; export and erase."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import privacy, registry
from .models import Resident
from .tenancy import role_required


@role_required("netwerken.manage_residents")
def resident_detail(request, org, resident):
    resident = get_object_or_404(Resident.objects.select_related("area"), pk=resident)
    privacy.access_log_record(user=request.user, resident=resident)
    return render(
        request,
        "netwerken/resident_detail.html",
        {
            "resident": resident,
            "sections": registry.render_sections("resident_detail", request, resident=resident),
            "access_logs": privacy.access_logs_of(resident),
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
