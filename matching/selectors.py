"""Reads for matching's pages and for the sections it adds to netwerken's pages. Never writes.

"Own" reads take the actor: a volunteer's matches are read with `volunteer=`, never by id alone.
"""

import datetime

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from netwerken.models import Volunteer

from . import backstop_selectors, dashboard, lifecycle
from .models import BatchProposal, Escalation, HelpRequest, Match, MatchSuggestion, Offer, StatusChange

VOG_WARNING = datetime.timedelta(weeks=6)


def help_request_list():
    # When each finished wait ended, in the same query (HelpRequest.waiting_days stops counting there).
    ended = (
        StatusChange.objects.filter(help_request=OuterRef("pk"), from_status__in=HelpRequest.WAITING)
        .exclude(to_status__in=HelpRequest.WAITING)
        .order_by("-at")
        .values("at")[:1]
    )
    return HelpRequest.objects.select_related("resident", "category", "area").annotate(_wait_ended=Subquery(ended))


def help_request_detail(pk):
    return (
        HelpRequest.objects.select_related("resident__area", "category", "area", "consent__recorded_by", "created_by")
        # One query for the changes and who made them: the wait (HelpRequest.wait_ended_at) and the history
        # (backstop_selectors.request_history) both read these.
        .prefetch_related(Prefetch("status_changes", queryset=StatusChange.objects.select_related("by")))
        .get(pk=pk)
    )


def request_of_submission(key):
    """The request an earlier post of this form made (forms.SubmitOnce's key as posted), or None."""
    import uuid

    try:
        key = uuid.UUID(str(key))
    except ValueError:
        return None
    return HelpRequest.objects.filter(submission_key=key).first()


def requests_of_resident(*, resident):
    return HelpRequest.objects.filter(resident=resident).select_related("category", "consent").order_by("-created_at")


def offers_of(volunteer):
    return Offer.objects.filter(volunteer=volunteer).select_related("category")


def transitions_of(help_request, bound=None):
    """The buttons of a request: its status, label, whether it needs a reason or an outcome, and the
    form as posted if this button was refused (so the page shows the message and what was typed)."""
    current = help_request.status
    posted = bound.data.get("to_status") if bound is not None else None
    escalation = lifecycle.open_escalation(help_request) if current == lifecycle.S.ESCALATED else None
    if escalation is not None and escalation.status != escalation.Status.WAITING:
        return []  # a professional has it: the page says so instead of offering buttons that are refused
    return [
        {
            "status": status,
            "bound": bound if posted == status else None,
            "label": lifecycle.action_label(current, status),
            "confirm": lifecycle.confirm_question(current, status),
            "needs_reason": lifecycle.reason_required(current, status),
            "needs_outcome": lifecycle.outcome_required(current, status),
        }
        for status in lifecycle.allowed_transitions(current)
    ]


def suggestions_context(help_request):
    from .explain import explain
    from .suggestions import state

    rows = list(
        MatchSuggestion.objects.filter(help_request=help_request).select_related(
            "volunteer__membership__user", "volunteer__area"
        )
    )
    taken = list(
        Match.objects.filter(help_request=help_request)
        .exclude(status=Match.Status.WITHDRAWN)
        .values_list("volunteer_id", "status")
    )
    busy = {volunteer_id for volunteer_id, _status in taken}
    active = sum(1 for _volunteer_id, status in taken if status in Match.ACTIVE)
    return {
        "help_request": help_request,
        "state": state(help_request),
        "suggestions": [(s, explain(s.criteria), s.volunteer_id in busy) for s in rows],
        # Every place is taken by a proposal or match: proposing someone else would only be refused.
        "full": active >= help_request.helpers_needed,
    }


def request_page_context(help_request, transition_form=None):
    from .models import Outcome

    return {
        "help_request": help_request,
        "transitions": transitions_of(help_request, transition_form),
        "transition_form": transition_form,
        "outcomes": [choice for choice in Outcome.choices if choice[0] != Outcome.REFERRED],
        "urgencies": Escalation.Urgency.choices,
        # A spoed request is escalated as 'vandaag' unless the coordinator chooses otherwise.
        "escalation_urgency": max(Escalation.Urgency.NORMAL, min(help_request.urgency, Escalation.Urgency.URGENT)),
        "matches": matches_for_request(help_request),
        "escalation": backstop_selectors.latest_escalation(help_request),
        "history": backstop_selectors.request_history(help_request),
        **suggestions_context(help_request),
    }


def match_detail():
    return Match.objects.select_related(
        "help_request__resident",
        "help_request__category",
        "help_request__area",
        "help_request__organisation",
        "volunteer__membership__user",
    ).prefetch_related("contact_logs", "satisfaction")


def own_match(*, volunteer, pk):
    """A volunteer's own proposal or match, or None: another volunteer's match is as unknown as a missing one."""
    return match_detail().filter(volunteer=volunteer, pk=pk).first()


def matches_for_request(help_request):
    return Match.objects.filter(help_request=help_request).select_related("volunteer__membership__user")


def volunteer_matches(*, volunteer):
    """The volunteer's open proposals and active matches, soonest deadline first."""
    return (
        Match.objects.filter(volunteer=volunteer, status__in=Match.ACTIVE)
        .select_related("help_request__category", "help_request__area")
        .order_by("status", "deadline")
    )


def vog_state(volunteer, today=None):
    """'expired', 'expiring' (within six weeks) or None, with the days left, for the pages that show it."""
    today = today or timezone.localdate()
    if not volunteer.vog_seen or volunteer.vog_expires is None:
        return None, None
    days = (volunteer.vog_expires - today).days
    if days < 0:
        return "expired", days
    if days <= VOG_WARNING.days:
        return "expiring", days
    return None, days


def volunteer_vog_state(volunteer):
    state, days = vog_state(volunteer)
    return {"vog_state": state, "vog_days": days}


def volunteer_detail(pk):
    return (
        Volunteer.objects.select_related("membership__user", "area", "consent")
        .prefetch_related("areas", "categories", "offers__category")
        .filter(pk=pk)
        .first()
    )


def volunteer_dashboard_context(*, volunteer):
    """The volunteer's own dashboard section; `volunteer` is the user's profile here (or None)."""
    matches = list(volunteer_matches(volunteer=volunteer)) if volunteer else []
    return {
        "volunteer": volunteer,
        "proposals": [m for m in matches if m.status == Match.Status.PROPOSED],
        "active_matches": [m for m in matches if m.status == Match.Status.ACCEPTED],
        **(volunteer_vog_state(volunteer) if volunteer else {}),
    }


def vog_expiring_volunteers(today=None):
    """Active volunteers whose VOG expires within six weeks or has expired, soonest first."""
    today = today or timezone.localdate()
    return (
        Volunteer.objects.filter(
            status=Volunteer.Status.ACTIVE, vog_seen=True, vog_expires__lte=today + VOG_WARNING, erased_at__isnull=True
        )
        .select_related("membership__user")
        .order_by("vog_expires")
    )


def coordinator_dashboard_context(now=None):
    """What needs the coordinator now (matching/dashboard.py): groups of items, each a count and a link."""
    now = now or timezone.now()
    groups = dashboard.coordinator_items(now=now)
    counts = {item.key: item.count for group in groups for item in group.items}
    return {
        "arrivals": dashboard.new_arrivals(request_count=counts["new_online"], volunteer_count=counts["registered"]),
        "groups": groups,
        "nothing_waiting": not any(group.total for group in groups),
        "today": timezone.localdate(now),
    }


UNASSIGNED_REASONS = {
    "category": gettext_lazy("Niemand biedt deze soort hulp aan."),
    "availability": gettext_lazy("Niemand die deze hulp biedt, is op dat moment beschikbaar."),
    "vog": gettext_lazy("Niemand die dan kan, heeft een geldige VOG op de dag van de hulp."),
    "paused": gettext_lazy("Wie zou passen, heeft dan pauze."),
    "room": gettext_lazy("Wie zou passen, heeft het maximum voor deze maand al bereikt."),
    "distance": gettext_lazy("Niemand die dan kan, woont dichtbij genoeg of in deze buurt."),
    "booked": gettext_lazy("Wie zou passen, is op dat moment al gekoppeld of voorgesteld."),
    "excluded": gettext_lazy("Wie zou passen, heeft deze hulpvraag al eens afgewezen of laten verlopen."),
    "taken": gettext_lazy(
        "Er was wel iemand, maar die ging naar een andere hulpvraag (zo werden er meer of betere paren), "
        "of zou dan twee hulpvragen tegelijk hebben."
    ),
}


def batch_page_context(run):
    """A batch run's page: each pair with its explanation, the requests left over and why, and the
    gain over a simple greedy pass stated as it is (also when there is none)."""
    from .explain import explain

    pairs = list(
        BatchProposal.objects.filter(run=run)
        .select_related("help_request__resident", "help_request__category", "volunteer__membership__user")
        .order_by("decision", "-score", "pk")
    )
    ids = [row["request"] for row in run.unassigned]
    requests = HelpRequest.objects.select_related("resident", "category").in_bulk(ids)
    unassigned = [
        (requests[row["request"]], UNASSIGNED_REASONS.get(row["reason"], row["reason"]))
        for row in run.unassigned
        if row["request"] in requests
    ]
    gain = None
    if run.total_score is not None and run.greedy_score is not None:
        difference = round(run.total_score - run.greedy_score, 1)
        gain = {
            "difference": difference,
            "percent": round(100 * difference / run.greedy_score, 1) if run.greedy_score else None,
            "greedy_count": run.greedy_count,
            "count": len(pairs),
        }
    return {
        "run": run,
        "pairs": [(pair, explain(pair.criteria)) for pair in pairs],
        "pending": sum(1 for pair in pairs if pair.decision == BatchProposal.Decision.PENDING),
        "unassigned": unassigned,
        "gain": gain,
    }
