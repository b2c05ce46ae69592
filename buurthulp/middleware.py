"""Middleware for faults and floods: the database down (503), bodies too large (413), personal pages uncached."""

from django.conf import settings

from . import errors


class DatabaseUnavailableMiddleware:
    """A view (or its template) that meets a database that is down answers the Dutch 503 page with Retry-After.

    Failures in other middleware (before any view: the session, the tenant) reach buurthulp.errors.server_error,
    urls.handler500, which answers the same page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, errors.DATABASE_ERRORS):
            return errors.database_unavailable(request, exception)
        return None


class RequestBodyLimitMiddleware:
    """Refuses a request body over MAX_REQUEST_BODY_BYTES (by its Content-Length) before anything reads it.

    Nothing in the app takes uploads; the largest form is a few kilobytes. Django's own limits
    (DATA_UPLOAD_MAX_MEMORY_SIZE, ..._NUMBER_FIELDS) answer the same 413 page through buurthulp.errors.bad_request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return errors.body_too_large(request)
        return self.get_response(request)


# The /o/<org>/ pages anyone may keep: the organisation's public page (its name, phone, opening hours).
PUBLIC_TENANT_PAGES = ("over/",)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user and on every /o/<org>/ page but the public
    page: none of them may be kept by a browser's or a proxy's cache (personal data). Public pages stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", "") and self._personal(request):
            response["Cache-Control"] = "no-store"
            del response["Expires"]
        return response

    @staticmethod
    def _personal(request):
        path = request.path_info
        if path.startswith(settings.STATIC_URL):
            return False
        match = errors.ORG_IN_PATH.match(path)
        if match is not None and path[match.end() :] not in PUBLIC_TENANT_PAGES:
            return True
        try:
            user = getattr(request, "user", None)
            return user is not None and user.is_authenticated
        except errors.DATABASE_ERRORS:
            return True
