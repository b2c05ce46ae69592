"""Signals and improvement proposals: the staff's pages (coordinator and professional), and the thresholds."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netwerken.pagination import paginate, querystring_without_page
from netwerken.tenancy import role_required

from . import signals
from .models import ImprovementProposal, Signal
from .signal_forms import (
    ImprovementFilter,
    ImprovementForm,
    ImprovementStatusForm,
    SignalActivityForm,
    SignalFilter,
    SignalSettingsForm,
    SignalStatusForm,
)


def _signal_or_404(pk):
    try:
        return signals.signal_detail(pk)
    except Signal.DoesNotExist:
        raise Http404 from None


@role_required("matching.view_signals")
def signal_list(request, org):
    # Without a choice the list shows what is open.
    data = request.GET.copy()
    data.setdefault("status", "open")
    filterset = SignalFilter(data, queryset=signals.signal_list(status="alle"))
    rows = filterset.qs if filterset.is_valid() else signals.signal_list()
    page = paginate(request, rows)
    context = {
        "filter": filterset,
        "page": page,
        "rows": signals.signal_rows(page, organisation=request.tenant.organisation, user=request.user),
        "querystring": querystring_without_page(request),
        "can_edit_settings": request.user.has_perm("matching.signal_settings", request.tenant.organisation),
    }
    return render(request, "matching/signals/list.html", context)


@role_required("matching.view_signals")
def signal_detail(request, org, signal):
    signal = _signal_or_404(signal)
    context = signals.signal_page_context(signal, organisation=request.tenant.organisation, user=request.user)
    return render(request, "matching/signals/detail.html", {**context, "new_activity_form": SignalActivityForm()})


@require_POST
@role_required("matching.change_signal")
def signal_status(request, org, signal):
    signal = _signal_or_404(signal)
    form = SignalStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies opgepakt, activiteit gestart of niet relevant."))
        return redirect("matching:signal_detail", org=org, signal=signal.pk)
    status = form.cleaned_data["status"]
    try:
        changed = signals.signal_set_status(signal=signal, status=status, by=request.user)
    except signals.SignalRefused as refused:
        messages.error(request, refused.message)
        return redirect("matching:signal_detail", org=org, signal=signal.pk)
    if changed:
        messages.success(request, _("Het signaal staat nu op ‘%(status)s’.") % {"status": Signal.Status(status).label})
    else:
        messages.info(request, _("Het signaal stond al op ‘%(status)s’.") % {"status": Signal.Status(status).label})
    return redirect("matching:signal_detail", org=org, signal=signal.pk)


@role_required("matching.manage_improvements")
def signal_propose(request, org, signal):
    """A verbetervoorstel from a signal: what, who owns it, when it is done."""
    signal = _signal_or_404(signal)
    organisation = request.tenant.organisation
    form = ImprovementForm(
        request.POST if request.method == "POST" else None,
        owners=signals.staff_users(organisation),
        initial={"owner": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        try:
            signals.improvement_create(organisation=organisation, signal=signal, by=request.user, **form.cleaned_data)
        except signals.SignalRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, _("Het verbetervoorstel is opgeslagen."))
            return redirect("matching:improvement_list", org=org)
    context = signals.signal_page_context(signal, organisation=organisation, user=request.user)
    return render(request, "matching/signals/propose.html", {**context, "form": form})


@require_POST
@role_required("matching.change_signal")
def signal_propose_activity(request, org, signal):
    """A recurring question becomes a proposed activity of a network; the signal records it."""
    signal = _signal_or_404(signal)
    form = SignalActivityForm(request.POST)
    if form.is_valid():
        try:
            activity = signals.signal_propose_activity(signal=signal, by=request.user, **form.cleaned_data)
        except signals.SignalRefused as refused:
            # Already made into an activity, or closed: the page no longer offers the form, so say it on top.
            messages.error(request, refused.message)
            return redirect("matching:signal_detail", org=org, signal=signal.pk)
        else:
            messages.success(
                request,
                _("De activiteit ‘%(title)s’ is voorgesteld voor %(network)s.")
                % {"title": activity.title, "network": activity.network.name},
            )
            return redirect("matching:signal_detail", org=org, signal=signal.pk)
    context = signals.signal_page_context(signal, organisation=request.tenant.organisation, user=request.user)
    return render(request, "matching/signals/detail.html", {**context, "activity_form": form})


@role_required("matching.manage_improvements")
def improvement_list(request, org):
    filterset = ImprovementFilter(request.GET or None, queryset=signals.improvement_list())
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else signals.improvement_list()
    page = paginate(request, rows)
    context = {
        "filter": filterset,
        "page": page,
        "rows": signals.improvement_rows(page),
        "statuses": ImprovementProposal.Status.choices,
        "querystring": querystring_without_page(request),
    }
    return render(request, "matching/signals/improvements.html", context)


@require_POST
@role_required("matching.manage_improvements")
def improvement_status(request, org, improvement):
    proposal = ImprovementProposal.objects.filter(pk=improvement).first()
    if proposal is None:
        raise Http404
    form = ImprovementStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Deze status bestaat niet."))
        return redirect("matching:improvement_list", org=org)
    status = form.cleaned_data["status"]
    label = ImprovementProposal.Status(status).label
    if signals.improvement_set_status(proposal=proposal, status=status, by=request.user):
        messages.success(
            request, _("‘%(title)s’ staat nu op ‘%(status)s’.") % {"title": proposal.title, "status": label}
        )
    else:
        messages.info(request, _("‘%(title)s’ stond al op ‘%(status)s’.") % {"title": proposal.title, "status": label})
    return redirect("matching:improvement_list", org=org)


@role_required("matching.signal_settings")
def signal_settings_edit(request, org):
    settings = signals.signal_settings(request.tenant.organisation)
    form = SignalSettingsForm(request.POST if request.method == "POST" else None, instance=settings)
    if request.method == "POST" and form.is_valid():
        try:
            signals.signal_settings_update(settings=settings, by=request.user, **form.cleaned_data)
        except signals.SignalRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, _("De instellingen voor signalen zijn opgeslagen."))
            return redirect("matching:signal_settings", org=org)
    return render(request, "matching/signals/settings.html", {"form": form})
