"""The evaluation's pages for the org admin and the coordinator: cycles (plan, do, check, act) of their own
organisation, with every breakdown; and the volunteer's survey behind a signed mail link."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matching.models import ImprovementProposal
from matching.signals import staff_users
from netwerken.tenancy import public_page, role_required

from . import catalogue, selectors, services
from .forms import ActionForm, ActionStatusForm, CycleForm, StoryForm, SurveyForm
from .models import CycleIndicator, EvaluationCycle, ImprovementAction, Story, SurveyResponse


def _get_or_404(model, pk, **related):
    obj = model.objects.filter(pk=pk).select_related(*related.get("select", ())).first()
    if obj is None:
        raise Http404
    return obj


def _cycle_or_404(pk):
    try:
        return selectors.cycle_detail(pk)
    except EvaluationCycle.DoesNotExist:
        raise Http404 from None


def _catalogue_rows(organisation=None):
    return [
        {"label": i.label, "definition": i.definition, "unit_label": catalogue.UNIT_LABELS.get(i.unit, i.unit)}
        for i in catalogue.applicable(organisation)
    ]


@role_required("evaluatie.view_cycles")
def cycle_list(request, org):
    return render(request, "evaluatie/cycle_list.html", {"cycles": selectors.cycle_list()})


@role_required("evaluatie.manage_cycles")
def cycle_create(request, org):
    form = CycleForm(request.POST if request.method == "POST" else None, organisation=request.tenant.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.cycle_create(
                organisation=request.tenant.organisation,
                name=data["name"],
                period_kind=data["period_kind"],
                start=data["start"],
                end=data["end"],
                goals=data["goals"],
                targets=form.targets(),
                manual=form.manual(),
                by=request.user,
            )
        except services.EvaluationRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, _("De cyclus ‘%(name)s’ is aangemaakt.") % {"name": cycle.name})
            return redirect("evaluatie:cycle_detail", org=org, cycle=cycle.pk)
    return render(
        request,
        "evaluatie/cycle_create.html",
        {"form": form, "catalogue": _catalogue_rows(request.tenant.organisation)},
    )


@role_required("evaluatie.view_cycles")
def cycle_detail(request, org, cycle):
    cycle = _cycle_or_404(cycle)
    context = selectors.cycle_page_context(cycle)
    context["can_manage"] = request.user.has_perm("evaluatie.manage_cycles", request.tenant.organisation)
    context["can_approve"] = request.user.has_perm("evaluatie.approve_story", request.tenant.organisation)
    context["can_write"] = request.user.has_perm("evaluatie.write_story", request.tenant.organisation)
    context["statuses"] = ImprovementAction.Status.choices
    return render(request, "evaluatie/cycle_detail.html", context)


@role_required("evaluatie.view_cycles")
def indicator_rows(request, org, indicator):
    """Staff only: the requests or matches behind a figure of a cycle."""
    item = _get_or_404(CycleIndicator, indicator, select=("cycle",))
    rows = selectors.indicator_rows(item.cycle, item.key) if item.key else None
    if rows is None:
        raise Http404
    meta = catalogue.get(item.key)
    context = {"cycle": item.cycle, "indicator": meta, "rows": rows[:500], "kind": rows.model._meta.model_name}
    return render(request, "evaluatie/indicator_rows.html", context)


@require_POST
@role_required("evaluatie.manage_cycles")
def cycle_close(request, org, cycle):
    cycle = _cycle_or_404(cycle)
    try:
        services.cycle_close(cycle=cycle, by=request.user)
    except services.EvaluationRefused as refused:
        messages.info(request, refused.message)
    else:
        messages.success(
            request, _("De cyclus is gesloten: de cijfers liggen vast en het rapport voor de financier wordt gemaakt.")
        )
    return redirect("evaluatie:cycle_detail", org=org, cycle=cycle.pk)


@require_POST
@role_required("evaluatie.manage_cycles")
def survey_send(request, org, cycle):
    cycle = _cycle_or_404(cycle)
    if cycle.is_closed:
        messages.info(request, _("Deze cyclus is gesloten: de enquête ook."))
        return redirect("evaluatie:cycle_detail", org=org, cycle=cycle.pk)
    services.survey_invitations_request(cycle=cycle, by=request.user)
    messages.success(request, _("De enquête wordt gemaild naar de actieve vrijwilligers die nog niet antwoordden."))
    return redirect("evaluatie:cycle_detail", org=org, cycle=cycle.pk)


@role_required("evaluatie.manage_cycles")
def survey_add(request, org, cycle):
    """The coordinator types a resident's answers given by phone."""
    cycle = _cycle_or_404(cycle)
    if cycle.is_closed:
        messages.info(request, _("Deze cyclus is gesloten: de enquête ook. De cijfers liggen vast."))
        return redirect("evaluatie:cycle_detail", org=org, cycle=cycle.pk)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.survey_record(
            cycle=cycle, respondent=SurveyResponse.Respondent.RESIDENT, by=request.user, **form.cleaned_data
        )
        messages.success(request, _("De antwoorden van de bewoner zijn opgeslagen."))
        return redirect("evaluatie:cycle_detail", org=org, cycle=cycle.pk)
    return render(request, "evaluatie/survey_add.html", {"cycle": cycle, "form": form})


@public_page
def survey_link(request, org):
    """A volunteer's survey, opened from the mail link (?t=<signed token>): the link is the permission."""
    token = request.GET.get("t", "")
    found = services.survey_from_token(token) if token and len(token) < 500 else None
    if found is None:
        return render(request, "evaluatie/survey_link_invalid.html")
    cycle, volunteer = found
    if cycle.is_closed:
        return render(request, "evaluatie/survey_link_invalid.html", {"closed": True})
    if SurveyResponse.objects.filter(cycle=cycle, volunteer=volunteer).exists():
        return render(request, "evaluatie/survey_thanks.html", {"cycle": cycle, "already": True})
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_record(
                cycle=cycle, respondent=SurveyResponse.Respondent.VOLUNTEER, volunteer=volunteer, **form.cleaned_data
            )
        except services.EvaluationRefused:
            pass  # answered in another tab meanwhile: the link now says so
        messages.success(request, _("Dank je wel! Je antwoorden zijn opgeslagen."))
        return redirect(request.get_full_path())
    return render(request, "evaluatie/survey_link.html", {"cycle": cycle, "form": form, "token": token})


@role_required("evaluatie.write_story")
def story_add(request, org, cycle):
    cycle = _cycle_or_404(cycle)
    form = StoryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.story_write(cycle=cycle, by=request.user, **form.cleaned_data)
        except services.EvaluationRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, _("Het verhaal is opgeslagen. De beheerder keurt het goed voor het rapport."))
            return redirect("evaluatie:cycle_detail", org=org, cycle=cycle.pk)
    return render(request, "evaluatie/story_add.html", {"cycle": cycle, "form": form})


@require_POST
@role_required("evaluatie.approve_story")
def story_approve(request, org, story):
    story = _get_or_404(Story, story)
    try:
        approved = services.story_approve(story=story, by=request.user)
    except services.EvaluationRefused as refused:
        messages.error(request, refused.message)
    else:
        if approved:
            messages.success(request, _("Het verhaal ‘%(title)s’ is goedgekeurd.") % {"title": story.title})
        else:
            messages.info(request, _("Het verhaal ‘%(title)s’ was al goedgekeurd.") % {"title": story.title})
    return redirect("evaluatie:cycle_detail", org=org, cycle=story.cycle_id)


def _action_form(request, organisation):
    proposals = ImprovementProposal.objects.filter(
        status__in=(ImprovementProposal.Status.OPEN, ImprovementProposal.Status.IN_PROGRESS)
    )
    return ActionForm(
        request.POST if request.method == "POST" else None, owners=staff_users(organisation), proposals=proposals
    )


@role_required("evaluatie.manage_cycles")
def action_add(request, org, cycle):
    cycle = _cycle_or_404(cycle)
    form = _action_form(request, request.tenant.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(cycle=cycle, by=request.user, **form.cleaned_data)
        except services.EvaluationRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, _("De verbeteractie is opgeslagen."))
            return redirect("evaluatie:cycle_detail", org=org, cycle=cycle.pk)
    return render(request, "evaluatie/action_add.html", {"cycle": cycle, "form": form})


@require_POST
@role_required("evaluatie.manage_cycles")
def action_status(request, org, action):
    action = _get_or_404(ImprovementAction, action)
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Deze status bestaat niet."))
        return redirect("evaluatie:cycle_detail", org=org, cycle=action.cycle_id)
    status = form.cleaned_data["status"]
    label = ImprovementAction.Status(status).label
    if services.action_set_status(action=action, status=status, by=request.user):
        messages.success(request, _("‘%(title)s’ staat nu op ‘%(status)s’.") % {"title": action.title, "status": label})
    else:
        messages.info(request, _("‘%(title)s’ stond al op ‘%(status)s’.") % {"title": action.title, "status": label})
    return redirect("evaluatie:cycle_detail", org=org, cycle=action.cycle_id)
