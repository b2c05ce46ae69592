from django.utils.translation import gettext_lazy as _

# Languages residents and volunteers often speak in Dutch neighbourhoods; stored as short codes.
LANGUAGES = [
    ("nl", _("Nederlands")),
    ("en", _("Engels")),
    ("ar", _("Arabisch")),
    ("tr", _("Turks")),
    ("ber", _("Berbers (Tamazight)")),
    ("pl", _("Pools")),
    ("uk", _("Oekraïens")),
    ("de", _("Duits")),
    ("fr", _("Frans")),
    ("es", _("Spaans")),
    ("pap", _("Papiaments")),
    ("srn", _("Sranantongo")),
]
LANGUAGE_NAMES = dict(LANGUAGES)


def language_names(codes):
    return ", ".join(str(LANGUAGE_NAMES.get(code, code)) for code in codes)
