"""Every write of the evaluation: cycles (plan, close and freeze), surveys, stories, improvement actions."""

import datetime
import re
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Length, Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matching.models import ImprovementProposal
from netwerken.mail import queue_email
from netwerken.models import Membership, Resident, User, Volunteer
from netwerken.validators import fold_unicode, normalize_phone

from . import catalogue
from .models import CycleIndicator, EvaluationCycle, FrozenFigure, ImprovementAction, Story, SurveyResponse

SURVEY_SALT = "evaluatie.survey"
SURVEY_MAX_AGE = 60 * 60 * 24 * 60  # a volunteer has two months to answer


class EvaluationRefused(Exception):
    def __init__(self, message, field=None):
        super().__init__(message)
        self.message, self.field = message, field


# --- plan -----------------------------------------------------------------------------------------------


def _previous_cycle(organisation, start):
    return EvaluationCycle.objects.filter(organisation=organisation, start__lt=start).order_by("-start", "-pk").first()


@transaction.atomic
def cycle_create(
    *,
    organisation,
    name: str,
    period_kind: str,
    start: datetime.date,
    end: datetime.date,
    goals: str = "",
    targets: dict | None = None,
    manual: list | None = None,
    by: User | None,
) -> EvaluationCycle:
    """A new cycle with the catalogue indicators of `targets` ({key: target or None}) and the manual ones
    of `manual` ([{name, definition, target, higher_is_better, value}]); the previous cycle's open
    improvement actions are carried into it."""
    if end < start:
        raise EvaluationRefused(_("De einddatum ligt vóór de begindatum."), field="end")
    name = name.strip()
    if EvaluationCycle.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise EvaluationRefused(_("Er is al een cyclus met deze naam."), field="name")
    targets = targets or {}
    unknown = [key for key in targets if catalogue.get(key) is None]
    if unknown:
        raise EvaluationRefused(_("Deze indicator bestaat niet."), field="indicators")
    previous = _previous_cycle(organisation, start)
    cycle = EvaluationCycle.objects.create(
        organisation=organisation,
        name=name,
        period_kind=period_kind,
        start=start,
        end=end,
        goals=goals.strip(),
        previous=previous,
        created_by=by,
    )
    order = {indicator.key: position for position, indicator in enumerate(catalogue.catalogue())}
    rows = [
        CycleIndicator(
            organisation=organisation,
            cycle=cycle,
            key=key,
            target=target,
            higher_is_better=catalogue.get(key).higher_is_better,
            order=order[key],
        )
        for key, target in targets.items()
    ]
    for position, item in enumerate(manual or (), start=len(order)):
        rows.append(
            CycleIndicator(
                organisation=organisation,
                cycle=cycle,
                name=item["name"].strip(),
                definition=item.get("definition", "").strip(),
                target=item.get("target"),
                higher_is_better=item.get("higher_is_better", True),
                manual_value=item.get("value"),
                order=position,
            )
        )
    CycleIndicator.objects.bulk_create(rows)
    if previous is not None:
        actions_carry(cycle=cycle, from_cycle=previous, by=by)
    return cycle


def actions_carry(*, cycle: EvaluationCycle, from_cycle: EvaluationCycle, by: User | None) -> int:
    """Copies `from_cycle`'s open and running actions into `cycle` (each once), linked to where they came from."""
    already = set(cycle.actions.exclude(carried_from=None).values_list("carried_from", flat=True))
    carried = [
        ImprovementAction(
            organisation=cycle.organisation,
            cycle=cycle,
            title=action.title,
            owner_id=action.owner_id,
            due=action.due,
            status=action.status,
            from_proposal_id=action.from_proposal_id,
            carried_from=action,
            created_by=by,
        )
        for action in from_cycle.actions.filter(status__in=ImprovementAction.OPEN_STATUSES).exclude(pk__in=already)
    ]
    ImprovementAction.objects.bulk_create(carried)
    return len(carried)


# --- close and freeze ------------------------------------------------------------------------------------


def _as_decimal(value):
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def cycle_freeze(*, cycle: EvaluationCycle) -> int:
    """Writes every figure of `cycle` (totals and breakdowns) as FrozenFigure rows, replacing earlier ones."""
    from .selectors import live_figures

    figures = live_figures(cycle)
    rows = [
        FrozenFigure(
            organisation=cycle.organisation,
            cycle=cycle,
            indicator_key=key,
            breakdown=breakdown,
            label=label[:150],
            value=_as_decimal(value),
        )
        for key, by_breakdown in figures.items()
        for breakdown, values in by_breakdown.items()
        for label, value in values.items()
    ]
    FrozenFigure.objects.filter(cycle=cycle).delete()
    FrozenFigure.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def cycle_close(*, cycle: EvaluationCycle, by: User | None) -> EvaluationCycle:
    """Closes the cycle: its figures are frozen, its survey closes with it (answers are the check of a
    running cycle: a later one would change a published report), and its report for the funders is built
    after the commit."""
    cycle = EvaluationCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.is_closed:
        raise EvaluationRefused(_("Deze cyclus is al gesloten."))
    cycle_freeze(cycle=cycle)
    cycle.status = EvaluationCycle.Status.CLOSED
    cycle.closed_at, cycle.closed_by = timezone.now(), by
    cycle.save(update_fields=["status", "closed_at", "closed_by"])
    # The funders' final report, from the figures just frozen (built in the background after the commit).
    from .funder_reports import report_request

    report_request(cycle=cycle, by=by)
    return cycle


# --- surveys ----------------------------------------------------------------------------------------------


def survey_token(cycle: EvaluationCycle, volunteer: Volunteer) -> str:
    return signing.dumps({"c": cycle.pk, "v": volunteer.pk}, salt=SURVEY_SALT, compress=True)


def survey_path(cycle: EvaluationCycle, volunteer: Volunteer) -> str:
    query = urlencode({"t": survey_token(cycle, volunteer)})
    return reverse("evaluatie:survey_link", kwargs={"org": cycle.organisation.slug}) + "?" + query


def survey_from_token(token: str):
    """(cycle, volunteer) the link was signed for, in the current organisation; None for a bad link."""
    try:
        data = signing.loads(token, salt=SURVEY_SALT, max_age=SURVEY_MAX_AGE)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), int) or not isinstance(data.get("v"), int):
        return None
    cycle = EvaluationCycle.objects.filter(pk=data["c"]).first()
    volunteer = Volunteer.objects.filter(pk=data["v"]).first()
    if cycle is None or volunteer is None or cycle.organisation_id != volunteer.organisation_id:
        return None
    return cycle, volunteer


# Invitations asked for this long ago and not sent are taken as lost (the broker was down), and asked again.
SURVEY_PATIENCE = datetime.timedelta(minutes=10)


@transaction.atomic
def survey_invitations_request(*, cycle: EvaluationCycle, by: User | None) -> None:
    """Records that the survey is to be mailed, and mails it in the background after the commit."""
    from netwerken.background import enqueue_on_commit

    from .tasks import send_survey_invitations

    EvaluationCycle.objects.filter(pk=cycle.pk).update(survey_requested_at=timezone.now())
    enqueue_on_commit(send_survey_invitations, cycle.organisation_id, cycle.pk)


@transaction.atomic
def survey_invitations_send(*, cycle_id: int) -> int:
    """Sends the invitations asked for, once: the request is claimed in the same transaction as the mails, so a
    second task for it (a double click, the sweep) sends nothing and a crash halfway leaves it asked for."""
    claimed = EvaluationCycle.objects.filter(pk=cycle_id, survey_requested_at__isnull=False).update(
        survey_requested_at=None
    )
    cycle = EvaluationCycle.objects.filter(pk=cycle_id).select_related("organisation").first()
    if not claimed or cycle is None:
        return 0
    return survey_invite(cycle=cycle)


def survey_invitations_lost() -> list[int]:
    """Cycles whose invitations were asked for more than SURVEY_PATIENCE ago and are still not sent."""
    return list(
        EvaluationCycle.objects.filter(survey_requested_at__lt=timezone.now() - SURVEY_PATIENCE).values_list(
            "pk", flat=True
        )
    )


def survey_invite(*, cycle: EvaluationCycle, by: User | None = None) -> int:
    """Mails every active volunteer who has not answered yet a link to the cycle's short survey (none once the
    cycle is closed)."""
    if cycle.is_closed:
        return 0
    answered = SurveyResponse.objects.filter(cycle=cycle, volunteer__isnull=False).values("volunteer")
    volunteers = (
        Volunteer.objects.filter(
            organisation=cycle.organisation,
            status=Volunteer.Status.ACTIVE,
            membership__isnull=False,
            membership__user__is_active=True,
        )
        .exclude(pk__in=answered)
        .select_related("membership__user")
    )
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    sent = 0
    for volunteer in volunteers:
        path = survey_path(cycle, volunteer)
        with translation.override(settings.LANGUAGE_CODE):
            text = render_to_string(
                "evaluatie/email/survey.txt",
                {"organisation": cycle.organisation, "cycle": cycle, "link": base + path, "volunteer": volunteer},
            )
        subject, _sep, body = text.strip().partition("\n")
        queue_email(
            to=volunteer.membership.user.email,
            subject=subject.strip(),
            body_text=body.strip() + "\n",
            organisation_id=cycle.organisation_id,
        )
        sent += 1
    return sent


@transaction.atomic
def survey_record(
    *,
    cycle: EvaluationCycle,
    respondent: str,
    score: int,
    would_recommend: bool,
    comment: str = "",
    volunteer: Volunteer | None = None,
    by: User | None = None,
) -> SurveyResponse:
    if EvaluationCycle.objects.filter(pk=cycle.pk, status=EvaluationCycle.Status.CLOSED).exists():
        raise EvaluationRefused(_("Deze cyclus is gesloten: de enquête ook. De cijfers liggen vast."))
    if respondent not in SurveyResponse.Respondent.values:
        raise EvaluationRefused(_("Kies bewoner of vrijwilliger."), field="respondent")
    if not 1 <= int(score) <= 5:
        raise EvaluationRefused(_("Geef een cijfer van 1 tot en met 5."), field="score")
    if volunteer is not None:
        if SurveyResponse.objects.select_for_update().filter(cycle=cycle, volunteer=volunteer).exists():
            raise EvaluationRefused(_("Je hebt deze vragen al beantwoord. Dank je wel!"))
        respondent = SurveyResponse.Respondent.VOLUNTEER
    return SurveyResponse.objects.create(
        organisation=cycle.organisation,
        cycle=cycle,
        respondent=respondent,
        score=score,
        would_recommend=would_recommend,
        comment=comment.strip(),
        volunteer=volunteer,
        entered_by=by,
    )


# --- stories ------------------------------------------------------------------------------------------------

PHONE_CANDIDATE = re.compile(r"(?:\+|00)?\d[\d\s\-./()]{6,}\d")


def _normalised_text(text):
    return " ".join(fold_unicode(text).lower().split())


def personal_data_in(text: str, organisation) -> str | None:
    """What of a resident of `organisation` `text` names — "name", "street" or "phone" — or None.

    Names and streets are compared in the database (the text contains the resident's name or street,
    case and spacing aside); phone numbers are read from the text in any usual way of writing them
    (06-12 34 56 78, +31 6 1234 5678, 0031...) and compared as E.164.
    """
    folded = _normalised_text(text)
    residents = Resident.objects.filter(organisation=organisation, erased_at__isnull=True)
    story = Value(folded)
    if residents.exclude(name="").annotate(story=story).filter(story__contains=Lower("name")).exists():
        return "name"
    if (
        residents.annotate(story=story, street_length=Length("street"))
        .filter(street_length__gte=3, story__contains=Lower("street"))
        .exists()
    ):
        return "street"
    phones = set()
    for candidate in PHONE_CANDIDATE.findall(text):
        for variant in (candidate, re.sub(r"[^\d+]", "", candidate)):
            try:
                phones.add(normalize_phone(variant))
            except Exception:  # noqa: BLE001 - not a phone number
                continue
    if phones and residents.filter(phone__in=phones).exists():
        return "phone"
    # A volunteer is a person in the report too: their full name (or phone) is refused the same way.
    volunteers = Volunteer.objects.filter(organisation=organisation, membership__isnull=False)
    if (
        volunteers.exclude(membership__user__name="")
        .annotate(story=story)
        .filter(story__contains=Lower("membership__user__name"))
        .exists()
    ):
        return "volunteer"
    if phones and volunteers.filter(phone__in=phones).exists():
        return "phone"
    return None


PERSONAL_MESSAGES = {
    "name": gettext_lazy(
        "Het verhaal noemt de naam van een bewoner. Maak het anoniem: laat namen weg of verzin er een."
    ),
    "street": gettext_lazy("Het verhaal noemt de straat van een bewoner. Maak het anoniem: noem hooguit de buurt."),
    "phone": gettext_lazy("Het verhaal bevat het telefoonnummer van een bewoner of vrijwilliger. Haal het nummer weg."),
    "volunteer": gettext_lazy(
        "Het verhaal noemt de naam van een vrijwilliger. Maak het anoniem: noem hooguit ‘een vrijwilliger’."
    ),
}
ACTION_MESSAGE = gettext_lazy(
    "Een verbeteractie komt in het rapport voor de financier: noem geen bewoner of vrijwilliger bij naam, "
    "straat of telefoonnummer."
)


def _check_story(organisation, title, text):
    for field, value in (("title", title), ("text", text)):
        found = personal_data_in(value, organisation)
        if found:
            raise EvaluationRefused(str(PERSONAL_MESSAGES[found]), field=field)


@transaction.atomic
def story_write(*, cycle: EvaluationCycle, title: str, text: str, by: User | None) -> Story:
    title, text = title.strip(), text.strip()
    _check_story(cycle.organisation, title, text)
    return Story.objects.create(organisation=cycle.organisation, cycle=cycle, title=title, text=text, written_by=by)


@transaction.atomic
def story_approve(*, story: Story, by: User | None) -> bool:
    """Approves a draft (checked again: a resident may have been added since). False if it already was."""
    story = Story.objects.select_for_update().get(pk=story.pk)
    if story.status == Story.Status.APPROVED:
        return False
    _check_story(story.organisation, story.title, story.text)
    story.status, story.approved_by, story.approved_at = Story.Status.APPROVED, by, timezone.now()
    story.save(update_fields=["status", "approved_by", "approved_at"])
    return True


# --- improvement actions ---------------------------------------------------------------------------------


def _staff(organisation, user):
    staff = Q(is_coordinator=True) | Q(is_org_admin=True) | Q(is_professional=True)
    return user is not None and Membership.objects.filter(staff, organisation=organisation, user=user).exists()


@transaction.atomic
def action_create(
    *,
    cycle: EvaluationCycle,
    title: str = "",
    owner: User | None = None,
    due: datetime.date | None = None,
    from_proposal: ImprovementProposal | None = None,
    by: User | None,
) -> ImprovementAction:
    if from_proposal is not None:
        if from_proposal.organisation_id != cycle.organisation_id:
            raise EvaluationRefused(_("Kies een verbetervoorstel van de organisatie."), field="from_proposal")
        title = title.strip() or from_proposal.title
        owner = owner or from_proposal.owner
        due = due or from_proposal.due
    title = title.strip()
    if not title:
        raise EvaluationRefused(_("Vul in wat de actie is, of kies een verbetervoorstel."), field="title")
    if personal_data_in(title, cycle.organisation):
        raise EvaluationRefused(str(ACTION_MESSAGE), field="title")
    if owner is not None and not _staff(cycle.organisation, owner):
        raise EvaluationRefused(_("Kies iemand van de organisatie als eigenaar."), field="owner")
    return ImprovementAction.objects.create(
        organisation=cycle.organisation,
        cycle=cycle,
        title=title,
        owner=owner,
        due=due,
        from_proposal=from_proposal,
        created_by=by,
    )


@transaction.atomic
def action_set_status(*, action: ImprovementAction, status: str, by: User | None) -> bool:
    if status not in ImprovementAction.Status.values:
        raise EvaluationRefused(_("Deze status bestaat niet."), field="status")
    action = ImprovementAction.objects.select_for_update().get(pk=action.pk)
    if action.status == status:
        return False
    action.status = status
    action.save(update_fields=["status"])
    return True
