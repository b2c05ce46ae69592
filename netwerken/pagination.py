from django.core.paginator import Paginator

PER_PAGE = 25


def paginate(request, queryset, per_page=PER_PAGE):
    """A page of `queryset`; a page number that is out of range or not a number gives the nearest page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("pagina"))


def querystring_without_page(request):
    params = request.GET.copy()
    params.pop("pagina", None)
    return params.urlencode()


def filtered_page(request, filterset_class, queryset):
    """A list page's filter form and page of results; invalid filter values show on the form, not as 500."""
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    return {"filter": filterset, "page": paginate(request, rows), "querystring": querystring_without_page(request)}
