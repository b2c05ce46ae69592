import hashlib
import uuid

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils import translation

PER_PAGE = 25
# A cached filter form lives this long at most; a change of its choices replaces it at once (choices_changed).
FILTER_FORM_SECONDS = 600


class KeysFirstPaginator(Paginator):
    """Pages a queryset in two steps: the page's primary keys (OFFSET over the list's order, which its index
    answers), then those rows with their joins and prefetches. A single OFFSET query joins every row it skips,
    so the last page of 20,000 requests took as long as reading them all."""

    JOIN_FREELY_BELOW = 250

    def page(self, number):
        rows = self.object_list
        if not isinstance(rows, QuerySet) or rows._fields is not None or rows.query.distinct or rows.query.combinator:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < self.JOIN_FREELY_BELOW:
            return super().page(number)  # few rows skipped: one query is cheaper than two
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(rows.values_list("pk", flat=True)[bottom:top])
        by_key = {row.pk: row for row in rows.filter(pk__in=keys).order_by()}
        # A row deleted between the two queries is left out rather than failing the page.
        return self._get_page([by_key[key] for key in keys if key in by_key], number, self)


def paginate(request, queryset, per_page=PER_PAGE):
    """A page of `queryset`; a page number that is out of range or not a number gives the nearest page."""
    return KeysFirstPaginator(queryset, per_page).get_page(request.GET.get("pagina"))


def querystring_without_page(request):
    params = request.GET.copy()
    params.pop("pagina", None)
    return params.urlencode()


def filtered_page(request, filterset_class, queryset):
    """A list page's filter form and page of results; invalid filter values show on the form, not as 500."""
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    querystring = querystring_without_page(request)
    return {
        "filter": filterset,
        "page": paginate(request, rows),
        "querystring": querystring,
        "filter_form_key": filter_form_key(request, filterset_class, querystring),
    }


# --- the rendered filter form, cached ---------------------------------------------------------------------------
# Rendering a filter form (its widgets' templates, the queries for its choices) was about 40 % of a list page's
# time, the same for every page of the list. It depends only on the organisation, the language, the filter values
# asked for and the rows its choices come from (`choice_models`); the last are versioned per organisation and
# model, and a save or delete of such a row (connected in the apps' ready()) gives the version a new value.


def _version_key(organisation_id, label):
    return f"filter-choices:{organisation_id}:{label}"


def filter_form_key(request, filterset_class, querystring):
    """The cache key of this filter form as shown now, or None when it is not to be cached."""
    labels = getattr(filterset_class, "choice_models", None)
    tenant = getattr(request, "tenant", None)
    if labels is None or tenant is None:
        return None
    organisation_id = tenant.organisation.pk
    keys = [_version_key(organisation_id, label) for label in labels]
    versions = cache.get_many(keys)
    missing = {key: uuid.uuid4().hex for key in keys if key not in versions}
    if missing:
        # An unknown version (never set, evicted, a new cache) is a new one: no fragment made before matches it.
        cache.set_many(missing, None)
        versions.update(missing)
    parts = [filterset_class.__module__, filterset_class.__qualname__, str(organisation_id)]
    parts += [translation.get_language() or "", querystring, *(versions[key] for key in keys)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def filter_choices_changed(*, model, organisation_id) -> None:
    """The organisation's `model` rows changed: filter forms that take choices from them are rendered anew."""
    cache.set(_version_key(organisation_id, model._meta.label), uuid.uuid4().hex, None)


def choices_changed(sender, instance, **kwargs):
    """post_save / post_delete receiver of a model that filter forms take choices from."""
    if getattr(instance, "organisation_id", None) is not None:
        filter_choices_changed(model=sender, organisation_id=instance.organisation_id)
