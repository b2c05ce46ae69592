"""Activities of the networks and their sessions: the staff's pages (coordinator, professional, org admin),
and the session pages a volunteer organiser records attendance on (their own activities only; others 404)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from . import activities, activity_selectors
from .activity_forms import (
    ActivityFilter,
    ActivityForm,
    ParticipantForm,
    ParticipationForm,
    SessionCancelForm,
    SessionMoveForm,
)
from .models import Network
from .pagination import filtered_page
from .selectors import volunteer_of
from .tenancy import role_required
from .validators import parse_id

STAFF_PERM = "netwerken.manage_activities"
TOGGLED = {
    ("signed_up", True): _lazy("%(name)s: aangemeld."),
    ("signed_up", False): _lazy("%(name)s: niet meer aangemeld."),
    ("attended", True): _lazy("%(name)s: was er."),
    ("attended", False): _lazy("%(name)s: was er niet."),
}


def _is_staff(request):
    return request.user.has_perm(STAFF_PERM, request.tenant.organisation)


def _session_or_404(request, pk):
    """The session, for the staff; for a volunteer only when they organise its activity (else 404, as if it
    did not exist)."""
    session = activity_selectors.session_get(pk)
    if not _is_staff(request):
        volunteer = volunteer_of(request.user)
        if volunteer is None or session.activity.organiser_id != volunteer.pk:
            raise Http404
    return session


def _save(request, form, activity=None):
    data = form.cleaned_data
    try:
        return activities.activity_save(
            network=data["network"],
            activity=activity,
            title=data["title"],
            description=data["description"],
            place=data["place"],
            area=data["area"],
            capacity=data["capacity"],
            organiser=data["organiser"],
            start_date=data["start_date"],
            start_time=data["start_time"],
            duration_minutes=data["duration_minutes"],
            repeat=data["repeat"],
            until=data["until"],
            status=data["status"],
            by=request.user,
        )
    except activities.ActivityError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


# --- the staff's pages ---------------------------------------------------------------------------------------


@role_required(STAFF_PERM)
def activity_list(request, org):
    context = filtered_page(request, ActivityFilter, activity_selectors.activity_list())
    return render(request, "netwerken/activities/list.html", context)


@role_required(STAFF_PERM)
def activity_create(request, org):
    initial = {}
    network_pk = parse_id(request.GET.get("netwerk"))
    if network_pk is not None and Network.objects.filter(pk=network_pk).exists():
        initial["network"] = network_pk
    form = ActivityForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        activity = _save(request, form)
        if activity is not None:
            messages.success(request, _("De activiteit ‘%(title)s’ is opgeslagen.") % {"title": activity.title})
            return redirect("netwerken:activity_detail", org=org, activity=activity.pk)
    return render(request, "netwerken/activities/form.html", {"form": form, "activity": None})


@role_required(STAFF_PERM)
def activity_detail(request, org, activity):
    context = activity_selectors.activity_detail(activity_pk=activity)
    return render(request, "netwerken/activities/detail.html", context)


@role_required(STAFF_PERM)
def activity_edit(request, org, activity):
    activity = activity_selectors.activity_get(activity)
    if activity.status == activity.Status.STOPPED:
        messages.info(request, _("Deze activiteit is gestopt en kan niet meer worden gewijzigd."))
        return redirect("netwerken:activity_detail", org=org, activity=activity.pk)
    initial = ActivityForm.initial_for(activity)
    custom = initial["repeat"] == "zoals_nu"
    form = ActivityForm(request.POST if request.method == "POST" else None, initial=initial, custom_rule=custom)
    if request.method == "POST" and form.is_valid():
        if _save(request, form, activity) is not None:
            messages.success(request, _("De activiteit is bijgewerkt; de bijeenkomsten volgen de nieuwe reeks."))
            return redirect("netwerken:activity_detail", org=org, activity=activity.pk)
    return render(request, "netwerken/activities/form.html", {"form": form, "activity": activity})


@require_POST
@role_required(STAFF_PERM)
def activity_stop(request, org, activity):
    activity = activity_selectors.activity_get(activity)
    if activities.activity_stop(activity=activity, by=request.user):
        messages.success(request, _("De activiteit is gestopt; de komende bijeenkomsten zijn eraf."))
    else:
        messages.info(request, _("Deze activiteit was al gestopt."))
    return redirect("netwerken:activity_detail", org=org, activity=activity.pk)


# --- a session: staff and the volunteer who organises it -------------------------------------------------------


def _session_page(request, session, participant_form=None, status=200):
    context = activity_selectors.session_detail(session=session)
    context.update(
        participant_form=participant_form or ParticipantForm(),
        is_staff=_is_staff(request),
    )
    return render(request, "netwerken/activities/session.html", context, status=status)


@role_required("netwerken.record_sessions")
def session_detail(request, org, session):
    return _session_page(request, _session_or_404(request, session))


@require_POST
@role_required("netwerken.record_sessions")
def participation_toggle(request, org, session):
    session = _session_or_404(request, session)
    form = ParticipationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies iemand uit de lijst en ‘aangemeld’ of ‘was er’."))
        return redirect("netwerken:session_detail", org=org, session=session.pk)
    member = activity_selectors.session_member(session=session, pk=form.cleaned_data["member"])
    if member is None:
        messages.error(request, _("Deze persoon staat niet (meer) in de lijst van dit netwerk."))
        return redirect("netwerken:session_detail", org=org, session=session.pk)
    field, value = form.cleaned_data["field"], form.cleaned_data["value"]
    try:
        activities.participation_set(session=session, member=member, **{field: value}, by=request.user)
    except activities.ActivityError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, TOGGLED[field, value] % {"name": member.display_name})
    return redirect(f"{request.path.rsplit('deelname/', 1)[0]}#lid-{member.pk}")


@require_POST
@role_required("netwerken.record_sessions")
def participant_add(request, org, session):
    session = _session_or_404(request, session)
    form = ParticipantForm(request.POST)
    if form.is_valid():
        try:
            member = activities.participant_add(session=session, by=request.user, **form.cleaned_data)
        except activities.ActivityError as error:
            form.add_error("name" if error.field == "name" else None, error.message)
        else:
            messages.success(request, _("%(name)s is erbij gezet.") % {"name": member.name})
            return redirect("netwerken:session_detail", org=org, session=session.pk)
    return _session_page(request, session, participant_form=form)


@role_required("netwerken.record_sessions")
def session_move(request, org, session):
    session = _session_or_404(request, session)
    form = SessionMoveForm(
        request.POST if request.method == "POST" else None, initial=SessionMoveForm.initial_for(session)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activities.session_move(
                session=session,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                note=data["note"],
                by=request.user,
            )
        except activities.ActivityError as error:
            form.add_error("end_time" if error.field == "ends_at" else None, error.message)
        else:
            messages.success(request, _("De bijeenkomst is verplaatst; de rest van de reeks blijft zoals hij was."))
            return redirect("netwerken:session_detail", org=org, session=session.pk)
    return render(request, "netwerken/activities/session_move.html", {"form": form, "session": session})


@require_POST
@role_required("netwerken.record_sessions")
def session_cancel(request, org, session):
    session = _session_or_404(request, session)
    form = SessionCancelForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if activities.session_cancel(session=session, note=note, by=request.user):
        messages.success(request, _("De bijeenkomst is afgelast; de rest van de reeks gaat door."))
    else:
        messages.info(request, _("Deze bijeenkomst was al afgelast."))
    return redirect("netwerken:session_detail", org=org, session=session.pk)
