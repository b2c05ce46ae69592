"""Resident networks: reads for the list, the detail page and the map. Every query starts from the
tenant (ScopedManager), and none grows with the number of rows shown."""

import math

from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.db.models.functions import Coalesce, Lower, NullIf

from .models import Activity, Area, Network, NetworkMember, Resident, Volunteer


def network_list(filters: dict | None = None):
    """The organisation's networks, filtered by `filters` (kind, status, area, q: part of the name),
    each with its neighbourhoods and its number of active members."""
    filters = filters or {}
    networks = Network.objects.all()
    if filters.get("kind"):
        networks = networks.filter(kind=filters["kind"])
    if filters.get("status"):
        networks = networks.filter(status=filters["status"])
    if filters.get("area"):
        networks = networks.filter(areas=filters["area"])
    query = (filters.get("q") or "").strip()
    if query:
        networks = networks.filter(name__icontains=query)
    return (
        networks.annotate(
            active_members=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
        )
        .prefetch_related(Prefetch("areas", queryset=Area.objects.order_by("name")))
        .order_by(Lower("name"), "pk")
    )


def network_detail(pk: int) -> Network | None:
    """One network with its neighbourhoods, its contact volunteer and its activities; None if not ours."""
    return (
        Network.objects.filter(pk=pk)
        .select_related("contact_volunteer__membership__user")
        .prefetch_related(
            Prefetch("areas", queryset=Area.objects.order_by("name")),
            Prefetch("activities", queryset=Activity.objects.order_by("title", "pk")),
        )
        .first()
    )


def network_members(network: Network) -> list[NetworkMember]:
    """Its members: the active ones first, then those who left (newest first), each by name."""
    return list(
        NetworkMember.objects.filter(network=network)
        .select_related("resident", "volunteer__membership__user")
        .annotate(
            has_left=Case(When(left_on__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()),
            sort_name=Lower(
                Coalesce(NullIf("name", Value("")), "resident__name", "volunteer__membership__user__name", Value(""))
            ),
        )
        .order_by("has_left", "sort_name", "pk")
    )


def network_member(network: Network, pk: int) -> NetworkMember | None:
    """A member of this network (None for a member of another network, or of another organisation)."""
    return NetworkMember.objects.filter(network=network, pk=pk).first()


def member_candidates(network: Network, query: str, limit: int = 10) -> dict:
    """Residents and volunteers whose name matches `query`, for adding to the network; those already
    active in it are marked (`is_member`) so the page can say so instead of offering a button."""
    query = (query or "").strip()[:100]
    if len(query) < 2:
        return {"residents": [], "volunteers": []}
    active = NetworkMember.objects.filter(network=network, left_on__isnull=True)
    residents = list(
        Resident.objects.filter(erased_at__isnull=True, name__icontains=query)
        .annotate(is_member=Count("network_memberships", filter=Q(network_memberships__in=active)))
        .select_related("area")
        .order_by("name", "pk")[:limit]
    )
    volunteers = list(
        Volunteer.objects.filter(erased_at__isnull=True, membership__isnull=False)
        .filter(Q(membership__user__name__icontains=query) | Q(membership__user__email__icontains=query))
        .annotate(is_member=Count("network_memberships", filter=Q(network_memberships__in=active)))
        .select_related("membership__user", "area")
        .order_by("membership__user__name", "pk")[:limit]
    )
    return {"residents": residents, "volunteers": volunteers}


# --- the map: the neighbourhoods, placed by their centres, sized by how many networks cover them ---------

MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 600, 400, 60
MIN_RADIUS, MAX_RADIUS = 6, 34


def network_map() -> dict:
    """The organisation's neighbourhoods with their centres and the number of networks in each, placed on
    a MAP_WIDTH × MAP_HEIGHT drawing (x, y in pixels, r the circle's radius) from their bounding box.

    One query. Longitude is scaled by cos(latitude), so the distances on the drawing are true.
    """
    areas = list(Area.objects.annotate(network_count=Count("networks", distinct=True)).order_by("name", "pk"))
    if not areas:
        return {"areas": [], "width": MAP_WIDTH, "height": MAP_HEIGHT, "total": 0}
    mid_lat = sum(area.latitude for area in areas) / len(areas)
    squeeze = math.cos(math.radians(mid_lat))
    xs = [area.longitude * squeeze for area in areas]
    ys = [area.latitude for area in areas]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    inner_w, inner_h = MAP_WIDTH - 2 * MAP_MARGIN, MAP_HEIGHT - 2 * MAP_MARGIN
    scale = min(inner_w, inner_h) / span
    # Centre the drawing: the box of the centres sits in the middle of the canvas.
    offset_x = MAP_MARGIN + (inner_w - (max(xs) - min(xs)) * scale) / 2
    offset_y = MAP_MARGIN + (inner_h - (max(ys) - min(ys)) * scale) / 2
    most = max(area.network_count for area in areas) or 1
    for area, x, y in zip(areas, xs, ys, strict=True):
        area.x = round(offset_x + (x - min(xs)) * scale, 1)
        area.y = round(offset_y + (max(ys) - y) * scale, 1)  # north is up
        # The area of the circle grows with the count; an area without networks is a small dot.
        area.r = round(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(area.network_count / most), 1)
    return {
        "areas": areas,
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
        "total": sum(area.network_count for area in areas),
    }
