"""One Dutch line per criterion, from the facts a suggestion stored."""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from netwerken import availability
from netwerken.languages import LANGUAGE_NAMES


def _distance(fact):
    km = fact.get("km")
    if km is None:
        return _("afstand onbekend")
    if km < 1:
        return _("woont %(m)s m verderop") % {"m": max(100, int(round(km * 10)) * 100)}
    return _("woont %(km)s km verderop") % {"km": formats.number_format(km, 1)}


def _availability(fact):
    names = availability.labels(fact["slots"])
    if not names:
        return _("niet beschikbaar op het gevraagde moment")
    shown = ", ".join(str(name) for name in names[:3]) + (" …" if len(names) > 3 else "")
    return _("beschikbaar op %(slots)s") % {"slots": shown}


def _language(fact):
    name = str(LANGUAGE_NAMES.get(fact["language"], fact["language"]))
    if fact["speaks"]:
        return _("spreekt %(language)s") % {"language": name}
    return _("spreekt geen %(language)s") % {"language": name}


def _load(fact):
    if not fact["count"]:
        return _("heeft deze maand nog geen hulpvragen")
    return ngettext(
        "heeft deze maand al %(count)s hulpvraag", "heeft deze maand al %(count)s hulpvragen", fact["count"]
    ) % {"count": fact["count"]}


def _continuity(fact):
    if fact["met"]:
        return _("hielp deze bewoner eerder")
    return _("kent deze bewoner nog niet")


def _recency(fact):
    days = fact["days"]
    if days is None:
        return _("heeft nog niet eerder geholpen")
    if days == 0:
        return _("hielp vandaag nog")
    return ngettext(
        "hielp %(days)s dag geleden voor het laatst", "hielp %(days)s dagen geleden voor het laatst", days
    ) % {"days": days}


def _reciprocity(fact):
    if fact["received"]:
        return _("kreeg zelf ook hulp (wederkerigheid)")
    return _("kreeg zelf nog geen hulp")


LINES = {
    "distance": _distance,
    "availability": _availability,
    "language": _language,
    "load": _load,
    "continuity": _continuity,
    "recency": _recency,
    "reciprocity": _reciprocity,
}


REFUSALS = {
    "category": gettext_lazy("biedt deze soort hulp niet aan"),
    "availability": gettext_lazy("is op dat moment niet beschikbaar"),
    "vog": gettext_lazy("heeft geen VOG die geldig is op de dag van de hulp, en deze soort hulp vraagt er een"),
    "paused": gettext_lazy("heeft dan pauze"),
    "room": gettext_lazy("heeft het maximum aantal hulpvragen voor deze maand bereikt"),
    "distance": gettext_lazy("woont buiten de buurten of de afstand die is opgegeven"),
    "booked": gettext_lazy("is op dat moment al gekoppeld of voorgesteld"),
    "excluded": gettext_lazy("heeft deze hulpvraag al eens voorgesteld gekregen"),
}


def refusal(name, keys):
    """'Jan Jansen is op dat moment al gekoppeld of voorgesteld.' for the failed hard filters."""
    parts = [str(REFUSALS[key]) for key in keys if key in REFUSALS]
    return _("%(name)s %(reasons)s.") % {"name": name, "reasons": _(" en ").join(parts)}


def explain(criteria):
    """[(text, points)] for a suggestion's stored criteria, in the order they were scored."""
    return [(LINES[c["key"]](c), c["points"]) for c in criteria if c["key"] in LINES]
