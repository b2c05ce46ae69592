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
