"""What the hours and the calendar feed hold of a person (registered in matching/registrations.py).

An hours entry's note is free text the volunteer wrote: it is in the volunteer's export and blanked when
they are erased (the minutes stay, so the figures stay counted). A note on a match may name the resident,
so erasing the resident blanks the notes of entries on their matches too. Erasing a volunteer also takes
away their calendar address.
"""

from netwerken.models import Volunteer

from .models import HoursEntry


def export_volunteer(volunteer):
    entries = HoursEntry.objects.filter(volunteer=volunteer).select_related(
        "match__help_request__category", "session__activity"
    )
    return {
        "uren": [
            {
                "datum": entry.date.isoformat(),
                "minuten": entry.minutes,
                "waarvoor": (
                    entry.match.help_request.category.name if entry.match_id else entry.session.activity.title
                ),
                "notitie": entry.note,
            }
            for entry in entries.order_by("date", "pk")
        ],
        "agenda_adres": bool(volunteer.calendar_token),
    }


def erase_volunteer(volunteer, *, by, reason):
    HoursEntry.objects.filter(volunteer=volunteer).update(note="")
    Volunteer.objects.filter(pk=volunteer.pk).update(calendar_token=None)
    volunteer.calendar_token = None


def erase_resident(resident, *, by, reason):
    HoursEntry.objects.filter(match__help_request__resident=resident).update(note="")
