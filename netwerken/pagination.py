from django.core.paginator import Paginator

PER_PAGE = 25


def paginate(request, queryset, per_page=PER_PAGE):
    """A page of `queryset`; a page number that is out of range or not a number gives the nearest page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("pagina"))


def querystring_without_page(request):
    params = request.GET.copy()
    params.pop("pagina", None)
    return params.urlencode()
