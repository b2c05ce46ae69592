"""Development phases (seed: 'Zo ontwikkel je buurthulp'): the checklist of the organisation or of a network's
initiative, editing its items, moving to the next phase, and where each organisation one serves stands.

Who may do what (netwerken/rules.py): org admin, professional and coordinator see the checklist; the
coordinator may tick items off (done or not); the org admin and the professional edit items (owner, due date,
notes, title), add and delete them and move the phase on.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import phase_selectors as selectors
from . import phases
from .models import Organisation
from .phase_forms import ChecklistItemAddForm, ChecklistItemForm, PhaseMoveForm
from .tenancy import role_required

Phase = Organisation.Phase
MANAGE = "netwerken.manage_phases"


def _can_manage(request):
    return request.user.has_perm(MANAGE, request.tenant.organisation)


def _network_or_404(pk):
    network = selectors.network_or_none(pk)
    if network is None:
        raise Http404
    return network


def _item_or_404(pk):
    item = selectors.checklist_item_or_none(pk)
    if item is None:
        raise Http404
    return item


def _checklist_url(org, network_id, anchor=""):
    if network_id:
        url = reverse("netwerken:network_phase", kwargs={"org": org, "network": network_id})
    else:
        url = reverse("netwerken:phase_checklist", kwargs={"org": org})
    return f"{url}#{anchor}" if anchor else url


def _move_url(org, network):
    if network:
        return reverse("netwerken:network_phase_move", kwargs={"org": org, "network": network.pk})
    return reverse("netwerken:phase_move", kwargs={"org": org})


def _label(phase):
    return Phase(phase).label if phase else _("nog geen fase")


def _checklist_page(request, network):
    target = network or request.tenant.organisation
    can_manage = _can_manage(request)
    staff = selectors.staff_users() if can_manage else []
    groups = selectors.checklist(network=network, current=target.phase)
    for group in groups:
        group["forms"] = [
            (item, ChecklistItemForm(item=item, staff=staff, full=can_manage, auto_id=f"id_punt{item.pk}_%s"))
            for item in group["items"]
        ]
    current = next((group for group in groups if group["current"]), None)
    return render(
        request,
        "netwerken/phases/checklist.html",
        {
            "network": network,
            "phase": target.phase,
            "phase_label": _label(target.phase),
            "current": current,
            "groups": groups,
            "next_phase": selectors.next_phase(target.phase),
            "next_label": _label(selectors.next_phase(target.phase)),
            "previous_phase": selectors.previous_phase(target.phase),
            "move_url": _move_url(request.tenant.organisation.slug, network),
            "history": selectors.phase_history(network=network),
            "can_manage": can_manage,
            "add_form": ChecklistItemAddForm(
                initial={"phase": target.phase or phases.ORDER[0], "network": network.pk if network else None}
            ),
        },
    )


@role_required("netwerken.view_phases")
def phase_checklist(request, org):
    return _checklist_page(request, None)


@role_required("netwerken.view_phases")
def network_phase(request, org, network):
    return _checklist_page(request, _network_or_404(network))


@require_POST
@role_required("netwerken.tick_phase_items")
def checklist_item_edit(request, org, item):
    item = _item_or_404(item)
    # A coordinator ticks an item off; the quick button ('alleen=afvinken') does the same for everyone.
    full = _can_manage(request) and request.POST.get("alleen") != "afvinken"
    form = ChecklistItemForm(request.POST, item=item, staff=selectors.staff_users() if full else [], full=full)
    if not form.is_valid():
        return render(request, "netwerken/phases/item_edit.html", {"form": form, "item": item})
    phases.checklist_item_update(item=item, by=request.user, **form.cleaned_data)
    if full:
        messages.success(request, _("‘%(title)s’ is opgeslagen.") % {"title": item.title})
    elif item.done:
        messages.success(request, _("‘%(title)s’ is afgevinkt.") % {"title": item.title})
    else:
        messages.success(request, _("‘%(title)s’ staat weer open.") % {"title": item.title})
    return redirect(_checklist_url(org, item.network_id, f"punt-{item.pk}"))


@require_POST
@role_required(MANAGE)
def checklist_item_add(request, org):
    form = ChecklistItemAddForm(request.POST)
    if form.is_valid():
        network = form.cleaned_data["network"]
        try:
            item = phases.checklist_item_add(
                organisation=request.tenant.organisation,
                network=network,
                phase=form.cleaned_data["phase"],
                title=form.cleaned_data["title"],
                by=request.user,
            )
        except ValidationError as refused:
            form.add_error("title", refused.message)
        else:
            messages.success(
                request,
                _("‘%(title)s’ staat op de lijst van de fase ‘%(phase)s’.")
                % {"title": item.title, "phase": _label(item.phase)},
            )
            return redirect(_checklist_url(org, item.network_id, f"punt-{item.pk}"))
    return render(request, "netwerken/phases/item_add.html", {"form": form})


@require_POST
@role_required(MANAGE)
def checklist_item_delete(request, org, item):
    item = _item_or_404(item)
    if request.POST.get("bevestig") != "ja":
        messages.error(request, _("‘%(title)s’ is niet verwijderd: bevestig het eerst.") % {"title": item.title})
        return redirect(_checklist_url(org, item.network_id, f"punt-{item.pk}"))
    network_id, title = item.network_id, item.title
    phases.checklist_item_delete(item=item, by=request.user)
    messages.success(request, _("‘%(title)s’ is van de lijst gehaald.") % {"title": title})
    return redirect(_checklist_url(org, network_id))


def _move_page(request, org, network, data):
    target = network or request.tenant.organisation
    current = target.phase
    wanted = request.GET.get("naar")
    to_phase = wanted if wanted in phases.ORDER else selectors.next_phase(current)
    if data is not None:
        form = PhaseMoveForm(data, current=current)
        if form.is_valid():
            try:
                move = phases.phase_move(
                    organisation=request.tenant.organisation,
                    network=network,
                    to_phase=form.cleaned_data["to_phase"],
                    note=form.cleaned_data["note"].strip(),
                    by=request.user,
                )
            except ValidationError as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(
                    request,
                    _("Nu in de fase ‘%(phase)s’. Nog open bij de overgang: %(count)s punten (vastgelegd).")
                    % {"phase": _label(move.to_phase), "count": len(move.open_items)},
                )
                return redirect(_checklist_url(org, network.pk if network else None))
        to_phase = data.get("to_phase") if data.get("to_phase") in phases.ORDER else to_phase
    else:
        form = PhaseMoveForm(initial={"from_phase": current, "to_phase": to_phase or ""}, current=current)
    return render(
        request,
        "netwerken/phases/move.html",
        {
            "network": network,
            "form": form,
            "phase": current,
            "phase_label": _label(current),
            "to_phase": to_phase,
            "to_label": _label(to_phase) if to_phase else "",
            "backwards": bool(to_phase and current and phases.ORDER.index(to_phase) < phases.ORDER.index(current)),
            "previous_phase": selectors.previous_phase(current),
            "open_items": selectors.open_items(network=network, phase=current),
            "back_url": _checklist_url(org, network.pk if network else None),
        },
    )


@role_required(MANAGE)
def phase_move(request, org):
    return _move_page(request, org, None, request.POST if request.method == "POST" else None)


@role_required(MANAGE)
def network_phase_move(request, org, network):
    network = _network_or_404(network)
    return _move_page(request, org, network, request.POST if request.method == "POST" else None)


@login_required
def phase_overview(request):
    """Where each organisation this professional or org admin serves stands (outside one tenant)."""
    organisations = selectors.phase_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    return render(request, "netwerken/phases/overview.html", {"rows": selectors.overview_rows(organisations)})
