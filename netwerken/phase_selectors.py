"""Reads of the development phases: a checklist grouped by phase, its history, and where each organisation stands.

Tenant reads run in the request's scope; the cross-organisation overview scopes itself to exactly the
organisations the person serves (as the wijkteam's queue does).
"""

from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django_scopes import scope

from .models import Membership, Network, Organisation, PhaseChecklistItem, PhaseMove
from .phases import ORDER
from .roles import Role
from .selectors import organisations_served

Phase = Organisation.Phase


def next_phase(current):
    """The phase after `current` (the first one when none is set yet); None after the last."""
    if not current:
        return ORDER[0]
    index = ORDER.index(current)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def previous_phase(current):
    if not current or ORDER.index(current) == 0:
        return None
    return ORDER[ORDER.index(current) - 1]


def network_or_none(pk):
    return Network.objects.filter(pk=pk).first()


def checklist_item_or_none(pk):
    return PhaseChecklistItem.objects.filter(pk=pk).select_related("network").first()


def staff_users():
    """The people who can own an item: the organisation's active coordinators, professionals and admins."""
    memberships = (
        Membership.objects.filter(user__is_active=True)
        .filter(Q(is_coordinator=True) | Q(is_professional=True) | Q(is_org_admin=True))
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    return [membership.user for membership in memberships]


def checklist(*, network=None, current):
    """The items of the organisation (network None) or of a network, grouped per phase in the phases' order.

    [{"phase", "label", "current", "items", "done", "total"}]; each item has `.overdue`."""
    today = timezone.localdate()
    items = list(PhaseChecklistItem.objects.filter(network=network).select_related("owner").order_by("position", "pk"))
    groups = []
    for phase in ORDER:
        rows = [item for item in items if item.phase == phase]
        for item in rows:
            item.overdue = not item.done and item.due is not None and item.due < today
        groups.append(
            {
                "phase": phase,
                "label": Phase(phase).label,
                "current": phase == current,
                "items": rows,
                "done": sum(1 for item in rows if item.done),
                "total": len(rows),
            }
        )
    return groups


def open_items(*, network=None, phase):
    if not phase:
        return []
    return list(
        PhaseChecklistItem.objects.filter(network=network, phase=phase, done=False)
        .select_related("owner")
        .order_by("position", "pk")
    )


def phase_history(*, network=None):
    return list(PhaseMove.objects.filter(network=network).select_related("by").order_by("-at", "-pk"))


def phase_summary(organisation):
    """The organisation's own phase for a dashboard card: done/total of the current phase and what is late."""
    return overview_rows([organisation])[0]


# --- across organisations ------------------------------------------------------------------------------


def phase_organisations(user):
    """The organisations this person serves as a wijkteam professional or as org admin, by name."""
    return organisations_served(user, roles=(Role.PROFESSIONAL, Role.ORG_ADMIN))


def overview_rows(organisations):
    """Per organisation: its phase, done/total of that phase's items, the overdue items, the last move.

    Three queries whatever the number of organisations, scoped to exactly these organisations."""
    if not organisations:
        return []
    today = timezone.localdate()
    pks = [organisation.pk for organisation in organisations]
    with scope(organisation=pks):
        own_phase = PhaseChecklistItem.objects.filter(network=None, phase=F("organisation__phase"))
        counts = {
            row["organisation"]: row
            for row in own_phase.values("organisation").annotate(
                total=Count("pk"), done=Count("pk", filter=Q(done=True))
            )
        }
        overdue = {}
        for item in (
            own_phase.filter(done=False, due__lt=today).select_related("owner").order_by("due", "position", "pk")
        ):
            overdue.setdefault(item.organisation_id, []).append(item)
        last_moves = {
            row["organisation"]: row["last"]
            for row in PhaseMove.objects.filter(network=None).values("organisation").annotate(last=Max("at"))
        }
    rows = []
    for organisation in organisations:
        count = counts.get(organisation.pk, {})
        rows.append(
            {
                "organisation": organisation,
                "phase": organisation.phase,
                "phase_label": Phase(organisation.phase).label if organisation.phase else "",
                "done": count.get("done", 0),
                "total": count.get("total", 0),
                "overdue": overdue.get(organisation.pk, []),
                "last_move": last_moves.get(organisation.pk),
            }
        )
    return rows
