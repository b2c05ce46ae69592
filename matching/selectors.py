from .models import HelpRequest, Offer


def help_request_list():
    return HelpRequest.objects.select_related("resident", "category", "area")


def help_request_detail(pk):
    return (
        HelpRequest.objects.select_related("resident", "category", "area", "consent__recorded_by", "created_by")
        .prefetch_related("status_changes__by")
        .get(pk=pk)
    )


def offers_of(volunteer):
    return Offer.objects.filter(volunteer=volunteer).select_related("category")


def suggestions_context(help_request):
    from .explain import explain
    from .models import Match, MatchSuggestion
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


def match_detail():
    from .models import Match

    return Match.objects.select_related(
        "help_request__resident", "help_request__category", "help_request__organisation", "volunteer__membership__user"
    ).prefetch_related("contact_logs", "satisfaction")


def matches_for_request(help_request):
    from .models import Match

    return Match.objects.filter(help_request=help_request).select_related("volunteer__membership__user")


def volunteer_matches(volunteer):
    from .models import Match

    return (
        Match.objects.filter(volunteer=volunteer, status__in=[Match.Status.PROPOSED, Match.Status.ACCEPTED])
        .select_related("help_request__category", "help_request__area")
        .order_by("status", "deadline")
    )
