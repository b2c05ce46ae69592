"""The wijkteam's pages: the queue across organisations, an escalation, referrals both ways, the social map.

Thin views: parse, call one service (matching/backstop.py) or selector (matching/backstop_selectors.py),
render. A refusal shows the page again with the message at the field and everything typed still there.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netwerken import privacy
from netwerken.consent import resident_phone_consent_text
from netwerken.models import Consent
from netwerken.tenancy import role_required

from . import backstop, services
from . import backstop_selectors as selectors
from .forms import (
    BackstopCloseForm,
    HandBackForm,
    MatchDecisionForm,
    ProfessionalNoteForm,
    ReferForm,
    ReferralAnswerForm,
    ReferralInForm,
    SocialMapEntryForm,
)
from .models import Escalation, HelpRequest, Referral, SocialMapEntry

REQUEST_FIELDS = ReferralInForm._meta.fields


@login_required
def queue(request):
    """Every open escalation of every organisation this professional serves; each row says which."""
    organisations = selectors.professional_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    rows = selectors.escalation_queue(organisations=organisations)
    return render(request, "matching/backstop/queue.html", {"rows": rows, "organisations": organisations})


def _escalation(pk):
    try:
        return selectors.escalation_detail(pk)
    except Escalation.DoesNotExist:
        raise Http404 from None


def _page(request, escalation, status=200, **forms):
    """The escalation page. Seeing the resident's data and the professional notes is access-logged."""
    help_request = escalation.help_request
    privacy.access_log_record(user=request.user, resident=help_request.resident, subject=help_request)
    notes = selectors.professional_notes(help_request=help_request)
    for note in notes:
        privacy.access_log_record(user=request.user, resident=help_request.resident, subject=note)
    theirs = escalation.status == Escalation.Status.TAKEN and escalation.professional_id == request.user.pk
    context = {
        "escalation": escalation,
        "help_request": help_request,
        "history": selectors.request_history(help_request),
        "notes": notes,
        "theirs": theirs,
        "running_match": backstop._running_match(escalation) if theirs else None,
        "match_form": forms.get("match_form") or MatchDecisionForm(prefix="koppeling"),
        "refer_form": forms.get("refer_form") or ReferForm(prefix="verwijzen"),
        "hand_back_form": forms.get("hand_back_form") or HandBackForm(prefix="terug"),
        "close_form": forms.get("close_form") or BackstopCloseForm(prefix="afsluiten"),
        "note_form": forms.get("note_form") or ProfessionalNoteForm(prefix="notitie"),
        "referral_form": forms.get("referral_form"),
        # One small form per referral: the same field name, ids of their own.
        "referral_forms": {
            referral.pk: (
                forms["referral_form"]
                if forms.get("referral_pk") == referral.pk
                else ReferralAnswerForm(auto_id=f"id_verwijzing{referral.pk}_%s")
            )
            for referral in escalation.referrals.all()
        },
    }
    return render(request, "matching/backstop/escalation_detail.html", context, status=status)


@role_required("matching.backstop")
def escalation_detail(request, org, escalation):
    return _page(request, _escalation(escalation))


def _act(request, org, escalation, form_name, form, call, done, **page):
    """Runs one service for a posted form; a refusal re-renders the page with the message at its field."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except backstop.BackstopError as error:
            if error.field and error.field in form.fields:
                form.add_error(error.field, error.message)
            else:
                # Not the form's fault (not yours, already done): said at the top of the page.
                messages.error(request, error.message)
        else:
            messages.success(request, done)
            return redirect("matching:escalation_detail", org=org, escalation=escalation.pk)
    return _page(request, escalation, **{form_name: form}, **page)


@require_POST
@role_required("matching.backstop")
def escalation_take_over(request, org, escalation):
    escalation = _escalation(escalation)
    try:
        backstop.escalation_take_over(escalation=escalation, by=request.user)
    except backstop.BackstopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Je hebt deze hulpvraag overgenomen."))
    return redirect("matching:escalation_detail", org=org, escalation=escalation.pk)


@require_POST
@role_required("matching.backstop")
def escalation_match(request, org, escalation):
    escalation = _escalation(escalation)
    return _act(
        request,
        org,
        escalation,
        "match_form",
        MatchDecisionForm(request.POST, prefix="koppeling"),
        lambda data: backstop.escalation_decide_match(
            escalation=escalation, by=request.user, keep=data["keep"], reason=data["reason"]
        ),
        _("Vastgelegd wat er met de koppeling gebeurt."),
    )


@require_POST
@role_required("matching.backstop")
def escalation_refer(request, org, escalation):
    escalation = _escalation(escalation)
    return _act(
        request,
        org,
        escalation,
        "refer_form",
        ReferForm(request.POST, prefix="verwijzen"),
        lambda data: backstop.escalation_refer(
            escalation=escalation, by=request.user, entry=data["entry"], note=data["note"]
        ),
        _("De verwijzing is vastgelegd."),
    )


@require_POST
@role_required("matching.backstop")
def escalation_hand_back(request, org, escalation):
    escalation = _escalation(escalation)
    return _act(
        request,
        org,
        escalation,
        "hand_back_form",
        HandBackForm(request.POST, prefix="terug"),
        lambda data: backstop.escalation_hand_back(escalation=escalation, by=request.user, advice=data["advice"]),
        _("Teruggegeven aan buurthulp, met je advies."),
    )


@require_POST
@role_required("matching.backstop")
def escalation_close(request, org, escalation):
    escalation = _escalation(escalation)
    return _act(
        request,
        org,
        escalation,
        "close_form",
        BackstopCloseForm(request.POST, prefix="afsluiten"),
        lambda data: backstop.escalation_close(
            escalation=escalation, by=request.user, outcome=data["outcome"], reason=data["reason"]
        ),
        _("Afgesloten."),
    )


@require_POST
@role_required("matching.backstop")
def professional_note_add(request, org, escalation):
    escalation = _escalation(escalation)
    return _act(
        request,
        org,
        escalation,
        "note_form",
        ProfessionalNoteForm(request.POST, prefix="notitie"),
        lambda data: backstop.professional_note_add(
            help_request=escalation.help_request, by=request.user, text=data["text"]
        ),
        _("Notitie opgeslagen."),
    )


@require_POST
@role_required("matching.backstop")
def referral_answer(request, org, referral):
    referral = get_object_or_404(Referral.objects.select_related("escalation"), pk=referral)
    escalation = _escalation(referral.escalation_id)
    return _act(
        request,
        org,
        escalation,
        "referral_form",
        ReferralAnswerForm(request.POST),
        lambda data: backstop.referral_answer(referral=referral, by=request.user, accepted=data["accepted"]),
        _("Vastgelegd of de verwijzing is aangenomen."),
        referral_pk=referral.pk,
    )


@role_required("matching.backstop")
def referral_in(request, org):
    """A professional sends a resident to buurthulp: it arrives as a new request, channel wijkteam."""
    organisation = request.tenant.organisation
    consent_text = resident_phone_consent_text(organisation)
    form = ReferralInForm(request.POST if request.method == "POST" else None, consent_text=consent_text)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.help_request_intake(
            organisation=organisation,
            new_resident=form.new_resident_data(),
            by=request.user,
            channel=HelpRequest.Channel.WIJKTEAM,
            consent_method=Consent.Method.IN_PERSON,
            consent_text=consent_text,
            recurring_slots=data.get("recurring_slots") or 0,
            submission_key=data.get("submission"),
            **{name: data[name] for name in REQUEST_FIELDS},
        )
        messages.success(request, _("Aangemeld bij buurthulp. De coördinator neemt het op."))
        return redirect("netwerken:professional_dashboard", org=org)
    return render(request, "matching/backstop/referral_in.html", {"form": form})


@role_required("matching.manage_social_map")
def social_map_list(request, org):
    rows = selectors.social_map_rows(selectors.social_map())
    return render(request, "matching/backstop/social_map_list.html", {"rows": rows})


@role_required("matching.manage_social_map")
def social_map_edit(request, org, entry=None):
    instance = get_object_or_404(SocialMapEntry, pk=entry) if entry is not None else None
    form = SocialMapEntryForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            backstop.social_map_entry_save(
                organisation=request.tenant.organisation, entry=instance, **form.cleaned_data
            )
        except backstop.BackstopError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("De sociale kaart is bijgewerkt."))
            return redirect("matching:social_map", org=org)
    return render(request, "matching/backstop/social_map_edit.html", {"form": form, "entry": instance})
