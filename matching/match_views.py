"""Suggestions, proposals and matches: the coordinator proposes, the volunteer answers, both follow up."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from netwerken import privacy
from netwerken import selectors as people
from netwerken.tenancy import public_page, role_required
from netwerken.validators import format_phone

from . import backstop, batch, fees, help_types, lifecycle, proposals, selectors, services, suggestions
from .forms import (
    CloseMatchForm,
    ContactLogForm,
    DeclineForm,
    EndMatchForm,
    EscalateForm,
    MatchingSettingsForm,
    ProposeForm,
    SatisfactionForm,
)
from .models import BatchProposal, BatchRun, HelpRequest, Match, SatisfactionResponse
from .tasks import enqueue_suggestions
from .views import request_detail


def _help_request_or_404(pk):
    help_request = HelpRequest.objects.select_related("resident", "category").filter(pk=pk).first()
    if help_request is None:
        raise Http404
    return help_request


@role_required("matching.view_requests")
def request_suggestions(request, org, help_request):
    """The suggestions fragment; the request page reloads it while they are being computed. Opened directly (a
    bookmark, the browser's back button, JavaScript off) it is no page of its own: the whole request page."""
    if request.headers.get("X-Requested-With") != "fetch":
        return request_detail(request, org, help_request)
    help_request = _help_request_or_404(help_request)
    return render(request, "matching/_suggestions.html", selectors.suggestions_context(help_request))


@require_POST
@role_required("matching.propose")
def request_recompute(request, org, help_request):
    help_request = _help_request_or_404(help_request)
    if help_request.status in (HelpRequest.Status.SEARCHING, HelpRequest.Status.PROPOSED):
        with transaction.atomic():
            enqueue_suggestions(help_request)
    return redirect("matching:request_detail", org=org, help_request=help_request.pk)


@require_POST
@role_required("matching.propose")
def request_propose(request, org, help_request):
    """Proposes the request to a volunteer by mail, or ('telefonisch') records a yes given on the phone."""
    help_request = _help_request_or_404(help_request)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Deze vrijwilliger bestaat niet (meer)."))
        return redirect("matching:request_detail", org=org, help_request=help_request.pk)
    volunteer = form.cleaned_data["volunteer"]
    try:
        if form.cleaned_data["by_phone"]:
            proposals.match_agree_by_phone(help_request=help_request, volunteer=volunteer, by=request.user)
            messages.success(
                request, _("Gekoppeld aan %(name)s, zoals telefonisch afgesproken.") % {"name": volunteer.name}
            )
        else:
            match = proposals.match_propose(help_request=help_request, volunteer=volunteer, by=request.user)
            messages.success(
                request,
                _("Voorgesteld aan %(name)s. Die krijgt een e-mail en ziet het in de app.") % {"name": volunteer.name},
            )
            if proposals.answer_time_is_short(match):
                messages.warning(
                    request,
                    _("De hulp begint snel: antwoord vóór %(deadline)s. Bel %(name)s (%(phone)s) om het te vragen.")
                    % {
                        "deadline": formats.date_format(timezone.localtime(match.deadline), "l j F H:i"),
                        "name": volunteer.name,
                        "phone": format_phone(volunteer.phone),
                    },
                )
    except proposals.ProposalError as error:
        messages.error(request, error.message)
    return redirect("matching:request_detail", org=org, help_request=help_request.pk)


# --- the volunteer's side -----------------------------------------------------------------------------


def _answer(request, match, action):
    """Accept or decline; the same for the in-app page and the emailed link.

    Returns the decline form when its reason is refused (too long, a NUL byte): the page shows it again with
    the error at the field and what was typed, and nothing is declined. Otherwise None: redirect.
    """
    if action == "decline":
        form = DeclineForm(request.POST)
        if not form.is_valid() and match.status == Match.Status.PROPOSED:
            return form
    try:
        if action == "accept":
            proposals.match_accept(match=match)
            messages.success(request, _("Dank je wel! De hulpvraag is aan jou gekoppeld."))
        elif action == "decline":
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            was_open = match.status == Match.Status.PROPOSED
            ended, _next = proposals.match_decline(match=match, reason=reason)
            if was_open and ended.status == Match.Status.DECLINED:
                messages.success(request, _("Jammer, maar helemaal goed. We vragen iemand anders."))
            else:
                # An old link clicked after saying yes (or after the proposal expired): nothing was declined.
                messages.error(
                    request,
                    _("Dit voorstel staat niet meer open (%(status)s).") % {"status": ended.get_status_display()},
                )
        else:
            messages.error(request, _("Kies ja of nee."))
    except proposals.ProposalError as error:
        messages.error(request, error.message)
    return None


@role_required("matching.own_offers")
def my_match(request, org, match):
    """A volunteer's proposal or match: answer it, see the resident once accepted, log contact moments."""
    volunteer = people.volunteer_of(request.user)
    match = selectors.own_match(volunteer=volunteer, pk=match) if volunteer else None
    if match is None:
        raise Http404
    contact_form = ContactLogForm(prefix="contact", match=match)
    satisfaction_form = SatisfactionForm(prefix="tevreden")
    decline_form = DeclineForm()
    escalate_form = EscalateForm(prefix="zwaar")
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("accept", "decline"):
            decline_form = _answer(request, match, action)
            if decline_form is None:
                return redirect("matching:my_match", org=org, match=match.pk)
        if action == "contact":
            contact_form = ContactLogForm(request.POST, prefix="contact", match=match)
            if contact_form.is_valid():
                try:
                    proposals.contact_log_add(match=match, by=request.user, **contact_form.cleaned_data)
                    messages.success(request, _("Het contactmoment is opgeslagen."))
                    return redirect("matching:my_match", org=org, match=match.pk)
                except proposals.ProposalError as error:
                    messages.error(request, error.message)
        if action == "escalate":
            escalate_form = EscalateForm(request.POST, prefix="zwaar")
            if escalate_form.is_valid():
                try:
                    backstop.escalation_open(
                        help_request=match.help_request, match=match, by=request.user, **escalate_form.cleaned_data
                    )
                    messages.success(request, _("Het wijkteam kijkt mee. Je hoort van de coördinator of het wijkteam."))
                    return redirect("matching:my_match", org=org, match=match.pk)
                except backstop.BackstopError as error:
                    escalate_form.add_error(error.field if error.field in escalate_form.fields else None, error.message)
        if action == "satisfaction":
            satisfaction_form = SatisfactionForm(request.POST, prefix="tevreden")
            if satisfaction_form.is_valid():
                try:
                    proposals.satisfaction_record(
                        match=match,
                        respondent=SatisfactionResponse.Respondent.VOLUNTEER,
                        by=request.user,
                        **satisfaction_form.cleaned_data,
                    )
                    messages.success(request, _("Dank je wel voor je antwoord."))
                    return redirect("matching:my_match", org=org, match=match.pk)
                except proposals.ProposalError as error:
                    messages.error(request, error.message)
    # Only while the match is active: after it ends or closes, the address and phone are gone from the page.
    show_contact_details = match.status == Match.Status.ACCEPTED
    if show_contact_details:
        # The volunteer sees the resident's address and particulars: logged like any other look.
        privacy.access_log_record(user=request.user, resident=match.help_request.resident, subject=match)
    return render(
        request,
        "matching/my_match.html",
        {
            "match": match,
            "show_contact_details": show_contact_details,
            "contact_form": contact_form,
            "decline_form": decline_form,
            "satisfaction_form": satisfaction_form,
            "escalate_form": escalate_form,
            "escalated": match.status == Match.Status.ACCEPTED
            and lifecycle.open_escalation(match.help_request_id) is not None,
            "answered": match.satisfaction.filter(respondent=SatisfactionResponse.Respondent.VOLUNTEER).exists(),
        },
    )


@public_page
def proposal_link(request, org, token):
    """The emailed link: one click to say yes or no, without logging in.

    Whoever holds the mail can use it, so it shows only what a volunteer needs to decide (the kind of
    help, day and time, neighbourhood) and works only while the proposal is open.
    """
    match = proposals.match_from_token(token)
    if match is None or match.organisation_id != request.tenant.organisation.pk:
        raise Http404
    if match.status != Match.Status.PROPOSED:
        done = request.method == "GET" and request.GET.get("beantwoord") == "1"
        return render(
            request,
            "matching/proposal_link_closed.html",
            {"match": match, "answered": done},
            status=410 if not done else 200,
        )
    decline_form = DeclineForm()
    if request.method == "POST":
        decline_form = _answer(request, match, request.POST.get("action"))
        if decline_form is None:
            return redirect(reverse("matching:proposal_link", kwargs={"org": org, "token": token}) + "?beantwoord=1")
    return render(request, "matching/proposal_link.html", {"match": match, "decline_form": decline_form})


# --- the coordinator's side of a match --------------------------------------------------------------


def _close_form(request, match, data=None):
    """The close form; in een extraatje, with the fee prefilled (hours from the contact moments, or 1 job)."""
    category = match.help_request.category
    if help_types.is_modest_fee(request.tenant.organisation) and fees.category_has_fee(category):
        return CloseMatchForm(
            data, prefix="afsluiten", fee_category=category, fee_quantity=fees.suggested_quantity(match)
        )
    return CloseMatchForm(data, prefix="afsluiten")


def _match_action(request, match, action, forms):
    """One action of the coordinator's match page. Returns a redirect, or None to show the page again."""
    org = request.tenant.organisation.slug
    if action == "withdraw":
        proposals.match_withdraw(match=match, by=request.user)
        messages.success(request, _("Het voorstel is ingetrokken. De vrijwilliger krijgt daar bericht van."))
        return redirect("matching:request_detail", org=org, help_request=match.help_request_id)
    if action == "close":
        forms["close_form"] = form = _close_form(request, match, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            quantity = data.pop("fee_quantity", None)
            try:
                # Een extraatje: the fee is booked with the close, in one transaction (both or neither).
                fees.match_close_with_fee(match=match, by=request.user, quantity=quantity, **data)
            except fees.FeeError as error:
                form.add_error("fee_quantity" if "fee_quantity" in form.fields else None, error.message)
                return None
            if quantity is not None:
                messages.success(request, _("De koppeling is afgesloten en de vergoeding is geboekt."))
            else:
                messages.success(request, _("De koppeling is afgesloten."))
            return redirect("matching:match_detail", org=org, match=match.pk)
    elif action == "end":
        forms["end_form"] = form = EndMatchForm(request.POST, prefix="beeindigen")
        if form.is_valid():
            proposals.match_end(match=match, by=request.user, **form.cleaned_data)
            messages.success(request, _("De koppeling is beëindigd. De hulpvraag zoekt verder."))
            return redirect("matching:request_detail", org=org, help_request=match.help_request_id)
    elif action == "satisfaction":
        forms["satisfaction_form"] = form = SatisfactionForm(request.POST, prefix="bewoner")
        if form.is_valid():
            proposals.satisfaction_record(
                match=match, respondent=SatisfactionResponse.Respondent.RESIDENT, by=request.user, **form.cleaned_data
            )
            messages.success(request, _("Het antwoord van de bewoner is opgeslagen."))
            return redirect("matching:match_detail", org=org, match=match.pk)
    else:
        messages.error(request, _("Kies een van de knoppen."))
    return None


@role_required("matching.propose")
def match_detail(request, org, match):
    match = get_object_or_404(selectors.match_detail(), pk=match)
    forms = {
        "close_form": _close_form(request, match),
        "end_form": EndMatchForm(prefix="beeindigen"),
        "satisfaction_form": SatisfactionForm(prefix="bewoner"),
    }
    if request.method == "POST":
        try:
            response = _match_action(request, match, request.POST.get("action"), forms)
            if response is not None:
                return response
        except proposals.ProposalError as error:
            messages.error(request, error.message)
        match = get_object_or_404(selectors.match_detail(), pk=match.pk)
    privacy.access_log_record(user=request.user, resident=match.help_request.resident, subject=match)
    # Een extraatje: the fee booked for this match (None: none yet, or not this type).
    fee = fees.match_fee(match) if help_types.is_modest_fee(request.tenant.organisation) else None
    return render(request, "matching/match_detail.html", {"match": match, "fee": fee, **forms})


# --- batch assignment ---------------------------------------------------------------------------------


@role_required("matching.propose")
def batch_list(request, org):
    if request.method == "POST":
        run = batch.batch_start(organisation=request.tenant.organisation, by=request.user)
        return redirect("matching:batch_detail", org=org, run=run.pk)
    return render(
        request,
        "matching/batch_list.html",
        {"runs": BatchRun.objects.select_related("created_by")[:10], "open_count": batch.open_requests().count()},
    )


@role_required("matching.propose")
def batch_detail(request, org, run):
    run = get_object_or_404(BatchRun, pk=run)
    if request.GET.get("formaat") == "json":
        return JsonResponse(
            {"status": run.status, "progress": run.progress, "done": run.status in ("klaar", "mislukt")}
        )
    return render(request, "matching/batch_detail.html", selectors.batch_page_context(run))


@require_POST
@role_required("matching.propose")
def batch_decide(request, org, run, proposal):
    run = get_object_or_404(BatchRun, pk=run)
    proposal = get_object_or_404(
        BatchProposal.objects.select_related("help_request", "volunteer__membership__user"), pk=proposal, run=run
    )
    action = request.POST.get("action")
    if action not in ("confirm", "drop"):
        # Only the two buttons decide: anything else (a stale or tampered form) leaves the pair as it is.
        messages.error(request, _("Kies: bevestigen of laten vallen."))
        return redirect("matching:batch_detail", org=org, run=run.pk)
    confirm = action == "confirm"
    try:
        batch.proposal_decide(proposal=proposal, confirm=confirm, by=request.user)
        if confirm:
            messages.success(request, _("Voorgesteld aan %(name)s.") % {"name": proposal.volunteer.name})
    except proposals.ProposalError as error:
        messages.error(request, error.message)
    return redirect("matching:batch_detail", org=org, run=run.pk)


@require_POST
@role_required("matching.propose")
def batch_confirm_all(request, org, run):
    run = get_object_or_404(BatchRun, pk=run, status=BatchRun.Status.DONE)
    proposed, refused = batch.batch_confirm_all(run=run, by=request.user)
    if proposed:
        messages.success(
            request,
            ngettext("%(count)s voorstel verstuurd.", "%(count)s voorstellen verstuurd.", proposed)
            % {"count": proposed},
        )
    for pair in refused:
        messages.error(request, pair.note)
    if not proposed and not refused:
        messages.info(request, _("Er waren geen paren meer om te bevestigen."))
    return redirect("matching:batch_detail", org=org, run=run.pk)


@role_required("matching.manage_categories")
def settings_edit(request, org):
    settings = suggestions.matching_settings()
    form = MatchingSettingsForm(
        request.POST if request.method == "POST" else None, instance=settings, organisation=request.tenant.organisation
    )
    if request.method == "POST" and form.is_valid():
        services.matching_settings_update(settings=settings, **form.cleaned_data)
        messages.success(request, _("De instellingen voor matching zijn opgeslagen."))
        return redirect("matching:settings", org=org)
    return render(request, "matching/settings.html", {"form": form})
