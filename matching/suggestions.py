"""Computing and storing suggestions. Called by the tasks in matching/tasks.py; idempotent."""

import numpy as np
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from netwerken.models import Area, Volunteer

from . import scoring
from .models import Category, HelpRequest, MatchingSettings, MatchSuggestion, Offer

TOP_N = 10


def matching_settings():
    """The current organisation's settings (created with defaults the first time)."""
    settings = MatchingSettings.objects.first()
    if settings is None:
        from django_scopes.state import get_scope

        organisation = get_scope()["organisation"]
        settings, _created = MatchingSettings.objects.get_or_create(
            organisation_id=getattr(organisation, "pk", organisation)
        )
    return settings


def indexes():
    categories = {pk: i for i, pk in enumerate(Category.objects.order_by("pk").values_list("pk", flat=True))}
    areas = {pk: i for i, pk in enumerate(Area.objects.order_by("pk").values_list("pk", flat=True))}
    return categories, areas


def candidates_for(help_request):
    """Active volunteers who offer the category and are free at the time: the SQL half of the hard filters."""
    category_id = help_request.category_id
    offers_it = Exists(
        Category.volunteers.through.objects.filter(volunteer_id=OuterRef("pk"), category_id=category_id)
    ) | Exists(Offer.objects.filter(volunteer_id=OuterRef("pk"), category_id=category_id, active=True))
    free_then = Q(_slots__gt=0) | Exists(
        Offer.objects.filter(volunteer_id=OuterRef("pk"), category_id=category_id, active=True)
        .annotate(_offer_slots=F("availability").bitand(help_request.slots))
        .filter(_offer_slots__gt=0)
    )
    return (
        Volunteer.objects.filter(status=Volunteer.Status.ACTIVE)
        .annotate(_slots=F("availability").bitand(help_request.slots))
        .filter(offers_it)
        .filter(free_then)
    )


def compute_for_request(help_request_id):
    """Recomputes one request's suggestions from scratch. Returns the number stored."""
    started = timezone.now()
    with transaction.atomic():
        help_request = (
            HelpRequest.objects.select_related("category", "resident", "organisation__matching_settings")
            .filter(pk=help_request_id)
            .first()
        )
        if help_request is None:
            return 0
        if help_request.status not in scoring.OPEN_STATUSES:
            MatchSuggestion.objects.filter(help_request=help_request).delete()
            HelpRequest.objects.filter(pk=help_request.pk).update(suggestions_computed_at=started)
            return 0
        try:
            weights = help_request.organisation.matching_settings.weights
        except MatchingSettings.DoesNotExist:
            weights = matching_settings().weights
        # One request needs one category and one area on the arrays' axes.
        category_index = {help_request.category_id: 0}
        area_index = {help_request.resident.area_id: 0} if help_request.resident.area_id else {}
        volunteers_qs = scoring.with_area_flags(candidates_for(help_request), help_request.resident.area_id)
        requests = scoring.load_requests([help_request], category_index, area_index, help_request.organisation)
        matches = scoring.recent_matches(requests.pks, requests.resident, for_request=help_request)
        volunteers = scoring.load_volunteers(
            volunteers_qs,
            category_index,
            area_index,
            matches,
            only_categories=[help_request.category_id],
            offering=True,
        )
        excluded, met = scoring.pair_sets(requests.pks, matches)
        rows = []
        if len(volunteers):
            booked = scoring.booked_matrix(requests, volunteers, matches)
            scores = scoring.score(requests, volunteers, weights, excluded, met, booked=booked)
            feasible = np.flatnonzero(scores.feasible[0])
            best = feasible[np.argsort(-scores.total[0, feasible], kind="stable")][:TOP_N]
            rows = [
                MatchSuggestion(
                    organisation_id=help_request.organisation_id,
                    help_request_id=help_request.pk,
                    volunteer_id=int(volunteers.pks[v]),
                    score=round(float(scores.total[0, v]), 1),
                    criteria=scoring.criteria_for(scores, requests, volunteers, 0, v),
                    computed_at=started,
                )
                for v in best
            ]
        MatchSuggestion.objects.filter(help_request=help_request).delete()
        MatchSuggestion.objects.bulk_create(rows)
        HelpRequest.objects.filter(pk=help_request.pk).update(suggestions_computed_at=started)
    return len(rows)


def affected_requests(volunteer):
    """Open requests a change of this volunteer can affect: where they are suggested, or could be."""
    categories = set(volunteer.categories.values_list("pk", flat=True)) | set(
        Offer.objects.filter(volunteer=volunteer).values_list("category_id", flat=True)
    )
    return list(
        HelpRequest.objects.filter(status__in=scoring.OPEN_STATUSES)
        .filter(Q(category_id__in=categories) | Q(suggestions__volunteer=volunteer))
        .distinct()
        .values_list("pk", flat=True)
    )


def mark_requested(help_request_ids):
    HelpRequest.objects.filter(pk__in=help_request_ids).update(suggestions_requested_at=timezone.now())


def state(help_request):
    """'computing' while a recomputation is asked for and not done yet, else 'ready' (or 'none')."""
    if help_request.status not in scoring.OPEN_STATUSES:
        return "none"
    requested, computed = help_request.suggestions_requested_at, help_request.suggestions_computed_at
    if computed is None or (requested is not None and requested > computed):
        return "computing"
    return "ready"


def stale_request_ids(limit=500):
    """Open requests whose suggestions are missing, older than the request, or whose task got lost."""
    lost = timezone.now() - timezone.timedelta(minutes=5)
    day_old = timezone.now() - timezone.timedelta(days=1)
    return list(
        HelpRequest.objects.filter(status__in=scoring.OPEN_STATUSES)
        .filter(
            Q(suggestions_computed_at__isnull=True)
            | Q(suggestions_computed_at__lt=F("updated_at"))
            | Q(suggestions_requested_at__gt=F("suggestions_computed_at"), suggestions_requested_at__lt=lost)
            | Q(suggestions_computed_at__lt=day_old)
        )
        .order_by("suggestions_computed_at")
        .values_list("pk", flat=True)[:limit]
    )


def stale_volunteer_ids(limit=500):
    return list(
        Volunteer.objects.filter(
            Q(suggestions_synced_at__isnull=True) | Q(suggestions_synced_at__lt=F("updated_at"))
        ).values_list("pk", flat=True)[:limit]
    )
