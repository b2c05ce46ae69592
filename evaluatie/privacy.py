"""What evaluatie holds of a volunteer (netwerken/privacy.py): the survey answers they gave by mail link.

The answer itself stays (the cycle's counts and averages must not change after a report went out);
erasing blanks the free-text comment and unlinks the volunteer. Residents' phone answers are entered
without a link to the resident, so evaluatie holds nothing of a resident."""

from .models import SurveyResponse


def export_volunteer(volunteer):
    answers = SurveyResponse.objects.filter(volunteer=volunteer).select_related("cycle").order_by("created_at")
    return [
        {
            "cyclus": answer.cycle.name,
            "cijfer": answer.score,
            "zou_aanraden": answer.would_recommend,
            "opmerking": answer.comment,
            "op": answer.created_at.isoformat(),
        }
        for answer in answers
    ]


def erase_volunteer(volunteer, *, by, reason):
    SurveyResponse.objects.filter(volunteer=volunteer).update(comment="", volunteer=None)
