"""Reads for the wijkteam's pages (matching/backstop.py writes). Never writes.

The queue is the one cross-organisation read of tenant data: it runs in a scope of exactly the
organisations where the user is a professional, so it can show nothing of any other.
"""

from django.db.models import Prefetch
from django_scopes import scope

from netwerken.roles import Role
from netwerken.selectors import organisations_served

from .models import Escalation, EscalationStep, ProfessionalNote, Referral, SocialMapEntry, StatusChange


def professional_organisations(user):
    """The organisations this person serves as a wijkteam professional."""
    return organisations_served(user, roles=(Role.PROFESSIONAL,))


def escalation_queue(*, organisations):
    """Open escalations of these organisations: most urgent first, then the longest waiting."""
    with scope(organisation=[organisation.pk for organisation in organisations]):
        return list(
            Escalation.objects.filter(status__in=Escalation.OPEN)
            .select_related("organisation", "help_request__category", "help_request__area", "professional")
            .order_by("-urgency", "escalated_at", "pk")
        )


def escalations_of_organisation():
    """The current organisation's open escalations (for its wijkteam page)."""
    return (
        Escalation.objects.filter(status__in=Escalation.OPEN)
        .select_related("help_request__category", "help_request__area", "professional")
        .order_by("-urgency", "escalated_at", "pk")
    )


def escalation_detail(pk):
    return (
        Escalation.objects.select_related(
            "help_request__resident__area",
            "help_request__category",
            "help_request__area",
            "help_request__organisation",
            "escalated_by",
            "professional",
            "match__volunteer__membership__user",
        )
        .prefetch_related(Prefetch("referrals", queryset=Referral.objects.select_related("entry", "by")))
        .get(pk=pk)
    )


def professional_notes(*, help_request):
    return list(ProfessionalNote.objects.filter(help_request=help_request).select_related("by"))


def request_history(help_request):
    """The request's status changes and the wijkteam's steps, in the order they happened."""
    if "status_changes" in getattr(help_request, "_prefetched_objects_cache", {}):
        changes = help_request.status_changes.all()  # the request page prefetched them, with who (by)
    else:
        changes = StatusChange.objects.filter(help_request=help_request).select_related("by")
    changes = [
        {"at": change.at, "by": change.by, "what": change.get_to_status_display(), "why": change.reason}
        for change in changes
    ]
    steps = [
        {"at": step.at, "by": step.by, "what": step.get_action_display(), "why": step.reason}
        for step in EscalationStep.objects.filter(escalation__help_request=help_request).select_related("by")
    ]
    return sorted(changes + steps, key=lambda row: row["at"])


def latest_escalation(help_request):
    return (
        Escalation.objects.filter(help_request=help_request)
        .select_related("professional")
        .order_by("-escalated_at", "-pk")
        .first()
    )


def social_map(active_only=False):
    entries = SocialMapEntry.objects.all()
    return entries.filter(active=True) if active_only else entries


def social_map_rows(entries):
    """Each entry with the details it has, as (what, value), in the order the list shows them: the page puts a
    separator between two of them, never next to an empty one."""
    rows = []
    for entry in entries:
        details = [
            ("kind", entry.kind.strip()),
            ("inactive", not entry.active),
            ("phone", entry.phone),
            ("email", entry.email),
            ("website", entry.website),
            ("address", entry.address.strip()),
        ]
        rows.append({"entry": entry, "details": [(what, value) for what, value in details if value]})
    return rows
