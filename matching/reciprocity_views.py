"""'Er zijn voor elkaar': the coordinator links a volunteer to the resident record of the same person.

Only in organisations of that type: elsewhere the page does not exist (404), as the type shapes the screens.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from netwerken import selectors as people
from netwerken import services as people_services
from netwerken.tenancy import role_required

from . import selectors
from .reciprocity import mutual_help, volunteer_reciprocity
from .volunteer_forms import ResidentLinkForm


@role_required("matching.intake_volunteer")
def volunteer_resident(request, org, volunteer):
    organisation = request.tenant.organisation
    if not mutual_help(organisation):
        raise Http404
    volunteer = selectors.volunteer_detail(volunteer)
    if volunteer is None or volunteer.erased_at is not None:
        raise Http404
    form = ResidentLinkForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "unlink":
            people_services.volunteer_unlink_resident(volunteer=volunteer, by=request.user)
            messages.success(request, _("%(name)s is niet meer gekoppeld aan een bewoner.") % {"name": volunteer.name})
            return redirect("matching:volunteer_detail", org=org, volunteer=volunteer.pk)
        form = ResidentLinkForm(request.POST)
        if action != "link":
            form.add_error(None, _("Kies een bewoner om te koppelen, of ontkoppel."))
        elif form.is_valid():
            try:
                people_services.volunteer_link_resident(
                    volunteer=volunteer, resident=form.cleaned_data["resident"], by=request.user
                )
            except people_services.LinkError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("%(name)s is nu ook gekoppeld als bewoner %(resident)s.")
                    % {"name": volunteer.name, "resident": form.cleaned_data["resident"].name},
                )
                return redirect("matching:volunteer_detail", org=org, volunteer=volunteer.pk)
    query = (request.GET.get("q") or "").strip()[:100]
    return render(
        request,
        "matching/volunteer_resident.html",
        {
            "volunteer": volunteer,
            "linked": volunteer.resident,
            "form": form,
            "query": query,
            "results": people.resident_search(query) if query else [],
            "reciprocity": volunteer_reciprocity(volunteer=volunteer, organisation=organisation),
        },
    )
