from django.conf import settings
from django.utils import translation


class DutchFirstLanguageMiddleware:
    """Dutch unless the person chose another language (set_language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, which shows English to most
    phones and to every headless browser; our users expect Dutch.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
