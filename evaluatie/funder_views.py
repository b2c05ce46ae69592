"""The funder report's pages: the report of a cycle on the platform (for the organisation's funders and its
staff alike), its progress while it is built, its files, and asking for it to be built again."""

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from netwerken.tenancy import role_required

from . import funder_reports, funder_selectors
from .models import EvaluationCycle, FunderReport

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _cycle_or_404(pk):
    try:
        return funder_selectors.cycle_with_report(pk)
    except EvaluationCycle.DoesNotExist:
        raise Http404 from None


@role_required("evaluatie.view_reports")
def funder_report(request, org, cycle):
    cycle, report = _cycle_or_404(cycle)
    context = {
        "cycle": cycle,
        "report": report,
        "sizes": funder_selectors.file_sizes(cycle.pk) if report and report.has_files else {},
        "can_request": request.user.has_perm("evaluatie.request_report", request.tenant.organisation),
        "is_staff": request.user.has_perm("evaluatie.view_cycles", request.tenant.organisation),
    }
    return render(request, "evaluatie/funder_report.html", context)


@never_cache
@role_required("evaluatie.view_reports")
def report_status(request, org, cycle):
    """Polled by the report page while the report is built (static/js/report_progress.js)."""
    state = funder_selectors.report_state(cycle)
    if state is None:
        raise Http404
    return JsonResponse(
        {
            "status": state["status"],
            "progress": state["progress"],
            "step": str(FunderReport.STEPS[state["step"]][1]) if state["step"] in FunderReport.STEPS else "",
        },
        headers={"Cache-Control": "no-store"},
    )


@role_required("evaluatie.view_reports")
def report_download(request, org, cycle, fmt):
    cycle, _report = _cycle_or_404(cycle)
    content = funder_selectors.report_file(cycle.pk, fmt)
    if content is None:
        raise Http404
    name = f"{cycle.organisation.slug}-{slugify(cycle.name) or cycle.pk}.{fmt}"
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@role_required("evaluatie.request_report")
def report_request(request, org, cycle):
    cycle, report = _cycle_or_404(cycle)
    if report is not None and report.in_progress:
        messages.info(request, _("Het rapport wordt al gemaakt."))
    else:
        funder_reports.report_request(cycle=cycle, by=request.user)
        messages.success(request, _("Het rapport wordt gemaakt. Dat duurt meestal minder dan een minuut."))
    return redirect("evaluatie:funder_report", org=org, cycle=cycle.pk)
