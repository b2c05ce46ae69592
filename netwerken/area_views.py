"""The org admin's neighbourhoods (buurten) and their postcodes."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import services
from .forms import AreaForm
from .models import Area
from .tenancy import role_required


@role_required("netwerken.manage_areas")
def area_list(request, org):
    form = AreaForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.area_save(organisation=request.tenant.organisation, **form.cleaned_data)
        messages.success(request, _("De buurt is toegevoegd."))
        return redirect("netwerken:area_list", org=org)
    areas = Area.objects.prefetch_related("postcodes").order_by("name")
    return render(request, "netwerken/area_list.html", {"areas": areas, "form": form})


@role_required("netwerken.manage_areas")
def area_edit(request, org, area):
    area = get_object_or_404(Area.objects.prefetch_related("postcodes"), pk=area)
    initial = {
        "name": area.name,
        "postcodes": ", ".join(p.prefix for p in area.postcodes.all()),
    }
    form = AreaForm(request.POST if request.method == "POST" else None, area=area, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.area_save(organisation=request.tenant.organisation, area=area, **form.cleaned_data)
        messages.success(request, _("De buurt is opgeslagen."))
        return redirect("netwerken:area_list", org=org)
    return render(request, "netwerken/area_edit.html", {"area": area, "form": form})
