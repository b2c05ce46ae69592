"""Where people live, without needing the internet.

An organisation's areas carry postcodes and a centre point, so a postcode resolves to its area and
the area's centre gives coordinates good enough for "within 2 km". Where a deployment sets
PDOK_LOCATIESERVER_URL, a background task may refine that to the exact address through PDOK
Locatieserver (the Dutch government's free geocoder): cached, short timeout, never in a form's path.
"""

import csv
import functools
import json
import logging
import math
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import urlopen

from django.conf import settings
from django.core.cache import cache

from .models import AreaPostcode

logger = logging.getLogger(__name__)


def postcode_prefixes(postcode: str) -> set[str]:
    """The AreaPostcode prefixes that can hold `postcode` ('3401 AB'): the street side, written either way, and
    its PC4 ('3401')."""
    pc6 = postcode.replace(" ", "")
    return {postcode, pc6, pc6[:4]}


def most_specific(rows) -> dict:
    """AreaPostcode rows (found with postcode_prefixes) per organisation id: a street side listed on its own wins
    over its PC4. The one rule of "which neighbourhood holds this postcode", within or across organisations."""
    found = {}
    for row in sorted(rows, key=lambda row: len(row.prefix.replace(" ", ""))):
        found[row.organisation_id] = row  # the longest prefix comes last, wins
    return found


def resolve_area(postcode):
    """The Area of the current organisation that a postcode ('3401 AB') belongs to, or None."""
    if not postcode:
        return None
    rows = AreaPostcode.objects.filter(prefix__in=postcode_prefixes(postcode)).select_related("area")
    best = most_specific(rows)
    return next(iter(best.values())).area if best else None


PC4_CENTRES = Path(__file__).resolve().parent / "data" / "nl_pc4.csv"


@functools.cache
def _pc4_centres():
    with PC4_CENTRES.open(newline="") as f:
        return {row["pc4"]: (float(row["latitude"]), float(row["longitude"])) for row in csv.DictReader(f)}


def pc4_centre(prefix):
    """(latitude, longitude) of a postcode's 4-digit area ('3401', '3401 AB'), or None when it has none
    (GeoNames' table, netwerken/data/README.md)."""
    return _pc4_centres().get(prefix.replace(" ", "")[:4])


def area_centre(prefixes):
    """The centre of a neighbourhood: the mean of its postcodes' centres, each 4-digit area counted once.
    None when none of them is known."""
    centres = [c for c in (pc4_centre(pc4) for pc4 in {p.replace(" ", "")[:4] for p in prefixes}) if c]
    if not centres:
        return None
    return (
        round(sum(lat for lat, _lon in centres) / len(centres), 5),
        round(sum(lon for _lat, lon in centres) / len(centres), 5),
    )


def unknown_postcodes(prefixes):
    """The postcodes whose 4-digit area has no known centre."""
    return sorted(p for p in prefixes if pc4_centre(p) is None)


def locate(instance):
    """Sets area and coordinates of a Resident or Volunteer from its postcode (no network)."""
    area = resolve_area(instance.postcode)
    instance.area = area
    if area is not None:
        instance.latitude, instance.longitude = area.latitude, area.longitude
    else:
        instance.latitude = instance.longitude = None
    return area


def distance_km(lat1, lon1, lat2, lon2):
    if None in (lat1, lon1, lat2, lon2):
        return None
    rlat1, rlat2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = rlat2 - rlat1, math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(rlat1) * math.cos(rlat2) * math.sin(dlon / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def pdok_lookup(postcode, house_number):
    """Exact coordinates from PDOK Locatieserver, or None. Cached for a month; failures are not fatal."""
    base = getattr(settings, "PDOK_LOCATIESERVER_URL", "")
    if not base:
        return None
    key = f"pdok:{postcode}:{house_number}".replace(" ", "")
    cached = cache.get(key)
    if cached is not None:
        return tuple(cached) if cached else None
    query = urlencode({"q": f"{postcode} {house_number}", "fq": "type:adres", "rows": 1, "fl": "centroide_ll"})
    try:
        with urlopen(f"{base}?{query}", timeout=3) as response:  # noqa: S310 - fixed https URL from settings
            docs = json.load(response)["response"]["docs"]
        point = docs[0]["centroide_ll"] if docs else None
        # "POINT(5.04 52.02)": longitude first.
        coords = None
        if point:
            lon, lat = point.removeprefix("POINT(").removesuffix(")").split()
            coords = (float(lat), float(lon))
    except (OSError, ValueError, KeyError, IndexError) as exc:
        logger.info("PDOK lookup failed for %s: %s", key, exc)
        return None
    cache.set(key, list(coords) if coords else [], 60 * 60 * 24 * 30)
    return coords
