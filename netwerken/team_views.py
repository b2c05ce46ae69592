"""The org admin's team: inviting staff, removing members, and the funders of the organisation.

The team list and the roles page are in netwerken/views.py (staff_list, member_edit).
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import invitations, selectors, services
from .forms import FundingForm, InvitationForm
from .models import Funding, Invitation, Membership
from .tenancy import public_page, role_required


@role_required("netwerken.manage_organisation")
def invitation_new(request, org):
    organisation = request.tenant.organisation
    form = InvitationForm(request.POST if request.method == "POST" else None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                by=request.user,
            )
        except invitations.InvitationError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, _("De uitnodiging is verstuurd naar %(email)s.") % {"email": invitation.email})
            return redirect("netwerken:staff_list", org=org)
    return render(request, "netwerken/invitation_new.html", {"form": form})


@require_POST
@role_required("netwerken.manage_organisation")
def invitation_resend(request, org, invitation):
    return _invitation_action(
        request,
        org,
        invitation,
        invitations.invitation_resend,
        _("De uitnodiging is opnieuw verstuurd naar %(email)s."),
    )


@require_POST
@role_required("netwerken.manage_organisation")
def invitation_revoke(request, org, invitation):
    return _invitation_action(
        request,
        org,
        invitation,
        invitations.invitation_revoke,
        _("De uitnodiging voor %(email)s is ingetrokken."),
    )


def _invitation_action(request, org, invitation_pk, service, success):
    """One invitation of this organisation (else 404), one service call, its refusal or `success` shown."""
    invitation = get_object_or_404(Invitation, pk=invitation_pk)
    try:
        service(invitation=invitation, by=request.user)
    except invitations.InvitationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success % {"email": invitation.email})
    return redirect("netwerken:staff_list", org=org)


@public_page
def invitation_accept(request, org, invitation_token):
    """The invitation's link. Signed in with the invited address: one button. No account yet: to the sign-up,
    the address filled in and verified. Another account: it says so. Used, revoked or expired: it says so."""
    invitation = selectors.invitation_by_token(invitation_token)
    if invitation is None:
        context = {"problem": _("Deze uitnodiging bestaat niet (meer). Misschien is er een nieuwere verstuurd.")}
        return render(request, "netwerken/invitation_invalid.html", context, status=404)
    problem = invitations.invitation_problem(invitation)
    if problem:
        return render(request, "netwerken/invitation_invalid.html", {"problem": problem}, status=410)
    user = request.user
    here = request.get_full_path()
    if request.method == "POST":
        if user.is_authenticated:
            if request.POST.get("action") == "logout":
                logout(request)
                return redirect(here)
            try:
                invitations.invitation_accept(invitation=invitation, by=user)
            except invitations.InvitationError as error:
                messages.error(request, error.message)
                return redirect(here)
            messages.success(request, _("Welkom bij %(org)s!") % {"org": invitation.organisation})
            return redirect("netwerken:org_home", org=org)
        if selectors.user_exists(invitation.email):
            return redirect(reverse("account_login") + "?" + urlencode({"next": here}))
        invitations.remember_for_signup(request, invitation, invitation_token)
        return redirect("account_signup")
    return render(
        request,
        "netwerken/invitation_accept.html",
        {
            "invitation": invitation,
            "email_matches": invitations.email_matches(invitation, user),
            "has_account": not user.is_authenticated and selectors.user_exists(invitation.email),
            "login_url": reverse("account_login") + "?" + urlencode({"next": here}),
        },
    )


def _membership_or_404(pk):
    return get_object_or_404(Membership.objects.select_related("user"), pk=pk)


@role_required("netwerken.manage_organisation")
def member_remove(request, org, membership):
    membership = _membership_or_404(membership)
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership, by=request.user)
        except services.TeamError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(name)s hoort niet meer bij het team.") % {"name": membership.user})
        return redirect("netwerken:staff_list", org=org)
    problem = services.team_change_problem(membership=membership, by=request.user)
    return render(request, "netwerken/member_remove.html", {"membership": membership, "problem": problem})


@role_required("netwerken.manage_organisation")
def funder_list(request, org):
    organisation = request.tenant.organisation
    if organisation.is_funder:
        raise Http404
    form = FundingForm(request.POST if request.method == "POST" else None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        funding = services.funding_add(organisation=organisation, funder=form.cleaned_data["funder"], by=request.user)
        messages.success(request, _("%(funder)s is toegevoegd als financier.") % {"funder": funding.funder})
        return redirect("netwerken:funder_list", org=org)
    return render(
        request, "netwerken/funder_list.html", {"fundings": selectors.fundings_of(organisation), "form": form}
    )


@require_POST
@role_required("netwerken.manage_organisation")
def funding_remove(request, org, funding):
    funding = get_object_or_404(
        Funding.objects.select_related("funder"), pk=funding, organisation=request.tenant.organisation
    )
    services.funding_remove(funding=funding, by=request.user)
    messages.success(request, _("%(funder)s is geen financier meer van deze organisatie.") % {"funder": funding.funder})
    return redirect("netwerken:funder_list", org=org)
