"""Resident networks (bewonersnetwerken): the list with its map, a network's page, adding and editing.

For the coordinator, the wijkteam professional and the org admin ("welke netwerken zijn er").
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import network_selectors as selectors
from . import networks as services
from .network_forms import MemberAddForm, NetworkFilterForm, NetworkForm
from .pagination import paginate, querystring_without_page
from .tenancy import role_required


@role_required("netwerken.view_networks")
def network_list(request, org):
    form = NetworkFilterForm(request.GET or None)
    page = paginate(request, selectors.network_list(form.filters))
    return render(
        request,
        "netwerken/networks/network_list.html",
        {
            "filter": {"form": form, "is_bound": form.is_bound},
            "page": page,
            "querystring": querystring_without_page(request),
            "map": selectors.network_map(),
        },
    )


def _save(request, form, network=None):
    """Saves the form through the service; returns the network, or None with the refusal on the form."""
    data = form.cleaned_data
    try:
        return services.network_save(organisation=request.tenant.organisation, network=network, by=request.user, **data)
    except services.NetworkError as error:
        form.add_error(None, error.message)
        return None


@role_required("netwerken.manage_networks")
def network_create(request, org):
    form = NetworkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        network = _save(request, form)
        if network is not None:
            messages.success(request, _("Het netwerk %(name)s is toegevoegd.") % {"name": network.name})
            return redirect("netwerken:network_detail", org=org, network=network.pk)
    return render(request, "netwerken/networks/network_edit.html", {"form": form, "network": None})


def _network_or_404(pk):
    network = selectors.network_detail(pk)
    if network is None:
        raise Http404
    return network


@role_required("netwerken.manage_networks")
def network_edit(request, org, network):
    network = _network_or_404(network)
    form = NetworkForm(request.POST if request.method == "POST" else None, network=network)
    if request.method == "POST" and form.is_valid():
        if _save(request, form, network) is not None:
            messages.success(request, _("Het netwerk %(name)s is opgeslagen.") % {"name": network.name})
            return redirect("netwerken:network_detail", org=org, network=network.pk)
    return render(request, "netwerken/networks/network_edit.html", {"form": form, "network": network})


def _detail(request, network, member_form, status=200):
    query = (request.GET.get("zoek") or "").strip()[:100]
    return render(
        request,
        "netwerken/networks/network_detail.html",
        {
            "network": network,
            "members": selectors.network_members(network),
            "member_form": member_form,
            "query": query,
            "candidates": selectors.member_candidates(network, query) if query else None,
        },
        status=status,
    )


@role_required("netwerken.view_networks")
def network_detail(request, org, network):
    return _detail(request, _network_or_404(network), MemberAddForm())


@require_POST
@role_required("netwerken.manage_networks")
def member_add(request, org, network):
    network = _network_or_404(network)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            member = services.network_member_add(network=network, by=request.user, **form.cleaned_data)
        except services.NetworkError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("%(name)s doet nu mee aan %(network)s.") % {"name": member.display_name, "network": network}
            )
            return redirect("netwerken:network_detail", org=org, network=network.pk)
    # The page again, with the message at the field and what was typed.
    return _detail(request, network, form)


@require_POST
@role_required("netwerken.manage_networks")
def member_leave(request, org, network, member):
    return _member_action(
        request,
        org,
        network,
        member,
        services.network_member_leave,
        lambda member, network: (
            _("%(name)s is gestopt bij %(network)s.") % {"name": member.display_name, "network": network}
        ),
    )


@require_POST
@role_required("netwerken.manage_networks")
def member_erase(request, org, network, guest):
    """A participant without a record asks to be forgotten: their name and number go, their attendance stays."""
    return _member_action(
        request,
        org,
        network,
        guest,
        services.network_member_erase,
        lambda member, network: _("De naam en het telefoonnummer van deze deelnemer zijn gewist."),
    )


def _member_action(request, org, network_pk, member_pk, service, success):
    """One member of one network (else 404), one service call, its refusal or `success(member, network)` shown."""
    network = _network_or_404(network_pk)
    member = selectors.network_member(network, member_pk)
    if member is None:
        raise Http404
    try:
        service(member=member, by=request.user)
    except services.NetworkError as error:
        messages.info(request, error.message)
    else:
        messages.success(request, success(member, network))
    return redirect("netwerken:network_detail", org=org, network=network.pk)
