"""Weekly availability as a bitmask: 7 days × 3 parts of the day = 21 bits.

A mask is cheap to store, to filter on in SQL (`F("availability").bitand(mask)`) and to compare in
Python, which matching needs for thousands of volunteers at a time.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DAYS = [
    ("ma", _("maandag")),
    ("di", _("dinsdag")),
    ("wo", _("woensdag")),
    ("do", _("donderdag")),
    ("vr", _("vrijdag")),
    ("za", _("zaterdag")),
    ("zo", _("zondag")),
]
PARTS = [("ochtend", _("ochtend")), ("middag", _("middag")), ("avond", _("avond"))]
# Hours each part covers, for turning a request's time window into slots.
PART_HOURS = {"ochtend": (6, 12), "middag": (12, 17), "avond": (17, 23)}

SLOTS = [(f"{day}-{part}", day_label, part_label) for day, day_label in DAYS for part, part_label in PARTS]
SLOT_BITS = {code: 1 << index for index, (code, _d, _p) in enumerate(SLOTS)}
ALL = (1 << len(SLOTS)) - 1


def mask_from_codes(codes):
    return sum(SLOT_BITS[code] for code in set(codes) if code in SLOT_BITS)


def codes_from_mask(mask):
    return [code for code, bit in SLOT_BITS.items() if mask & bit]


def slot_label(day_label, part_label):
    # One translatable pattern: Dutch writes "dinsdagmiddag", English "Tuesday afternoon".
    return gettext("%(day)s%(part)s") % {"day": day_label, "part": part_label}


def slot_choices():
    """(code, label) for forms and filters; a callable, so the label is in the language of the request."""
    return [(code, slot_label(day_label, part_label)) for code, day_label, part_label in SLOTS]


def labels(mask):
    """Slot names, e.g. ['dinsdagmiddag', 'donderdagochtend']."""
    return [slot_label(day_label, part_label) for code, day_label, part_label in SLOTS if mask & SLOT_BITS[code]]


def describe(mask):
    names = labels(mask)
    if not names:
        return ""
    if mask == ALL:
        return str(_("altijd"))
    return ", ".join(str(name) for name in names)


def mask_for_window(date, time_from=None, time_to=None):
    """The slots a one-off request on `date` between two times touches (the whole day if no times)."""
    day = DAYS[date.weekday()][0]
    start = time_from.hour if time_from else 0
    end = (time_to.hour + (1 if time_to.minute else 0)) if time_to else 24
    mask = 0
    for part, (part_start, part_end) in PART_HOURS.items():
        if start < part_end and end > part_start:
            mask |= SLOT_BITS[f"{day}-{part}"]
    return mask or sum(SLOT_BITS[f"{day}-{part}"] for part, _label in PARTS)
