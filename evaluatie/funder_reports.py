"""Every write of a funder report: asking for one, building it (in Celery), and mailing the funders.

A report is asked for (`report_request`) by staff or a funder on the report page, by closing a cycle, or by
the periodic job for a closed cycle that has no final report. The build runs in a Celery task
(`evaluatie.tasks.build_funder_report`) that calls `report_build`; it records its progress in the row, so
the page can show it. The database is the source of truth: `funder_reports_sweep` (periodic) requeues a
build a lost task left behind, asks for the missing final reports and mails the ready ones once.
"""

import datetime
import logging

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from netwerken.background import enqueue_on_commit
from netwerken.mail import queue_email
from netwerken.models import User
from netwerken.selectors import funder_users

from . import reports
from .models import EvaluationCycle, FunderReport
from .selectors import cycle_document

logger = logging.getLogger(__name__)


def patiences() -> tuple[datetime.timedelta, datetime.timedelta]:
    """A build that has not started (queued) or finished (building) in these times is taken as lost, and
    queued again (settings FUNDER_REPORT_*_PATIENCE_SECONDS)."""
    return (
        datetime.timedelta(seconds=settings.FUNDER_REPORT_QUEUED_PATIENCE_SECONDS),
        datetime.timedelta(seconds=settings.FUNDER_REPORT_BUILDING_PATIENCE_SECONDS),
    )


STEPS = FunderReport.STEPS


def _enqueue(report: FunderReport) -> None:
    from .tasks import build_funder_report

    enqueue_on_commit(build_funder_report, report.organisation_id, report.pk, report.generation)


@transaction.atomic
def report_request(*, cycle: EvaluationCycle, by: User | None) -> FunderReport:
    """Asks for the cycle's report to be built (again). A build already on its way is not asked twice."""
    report = FunderReport.objects.select_for_update().filter(cycle=cycle).first()
    now = timezone.now()
    if report is None:
        report = FunderReport.objects.create(
            organisation=cycle.organisation, cycle=cycle, requested_by=by, requested_at=now
        )
    elif report.in_progress:
        return report
    else:
        report.generation += 1
        report.status, report.progress, report.step, report.error = FunderReport.Status.QUEUED, 0, "", ""
        report.requested_at, report.requested_by, report.started_at = now, by, None
        report.build_attempts = 0
        report.save(
            update_fields=[
                "build_attempts",
                "generation",
                "status",
                "progress",
                "step",
                "error",
                "requested_at",
                "requested_by",
                "started_at",
            ]
        )
    _enqueue(report)
    return report


def _progress(report_id: int, generation: int, step: str) -> None:
    # Outside any transaction of ours: the page reads it while the build runs.
    FunderReport.objects.filter(pk=report_id, generation=generation).update(progress=STEPS[step][0], step=step)


def render_body(document) -> str:
    """The report's content for the platform's page (the same template as the PDF's, without its frame)."""
    # reports._context is the one place a document becomes what the template shows (suppressed cells).
    return render_to_string("evaluatie/report_body.html", {**reports._context(document, pdf=False), "embedded": True})


def report_build(*, report_id: int, generation: int) -> bool:
    """Builds the report's files for `generation` and stores them, unless a newer request came meanwhile.

    Returns True if this call stored the files. Idempotent: a generation already built is not built again.
    A database error is raised for the task to retry; any other failure is recorded on the report (the page
    offers to try again) and not retried, since building the same figures again would fail the same way.
    """
    report = (
        FunderReport.objects.filter(pk=report_id)
        .select_related("cycle__organisation")
        .defer("pdf", "xlsx", "csv", "html")
        .first()
    )
    if report is None or report.generation != generation or report.built_generation >= generation:
        return False
    started = FunderReport.objects.filter(pk=report_id, generation=generation).update(
        status=FunderReport.Status.BUILDING,
        started_at=timezone.now(),
        progress=STEPS["figures"][0],
        step="figures",
        build_attempts=F("build_attempts") + 1,
    )
    if not started:
        return False
    cycle = report.cycle
    try:
        with translation.override(settings.LANGUAGE_CODE):
            document = cycle_document(cycle)
            _progress(report_id, generation, "pdf")
            html = render_body(document)
            pdf = reports.render_pdf(document)
            _progress(report_id, generation, "xlsx")
            xlsx = reports.render_xlsx(document)
            _progress(report_id, generation, "csv")
            csv = reports.render_csv(document).encode("utf-8-sig")
    except OperationalError:
        raise
    except Exception as exc:
        logger.exception("funder report %s (cycle %s) could not be built", report_id, cycle.pk)
        FunderReport.objects.filter(pk=report_id, generation=generation).update(
            status=FunderReport.Status.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:300]
        )
        return False
    stored = FunderReport.objects.filter(pk=report_id, generation=generation, built_generation__lt=generation).update(
        status=FunderReport.Status.READY,
        progress=100,
        step="",
        error="",
        built_generation=generation,
        built_at=timezone.now(),
        built_final=cycle.is_closed,
        html=html,
        pdf=pdf,
        xlsx=xlsx,
        csv=csv,
    )
    return bool(stored)


def report_mail(*, report: FunderReport) -> int:
    """Mails every funder of the organisation a link to the final report of a closed cycle, once.
    Only the organisation, the cycle and a link: the figures stay on the platform."""
    with transaction.atomic():
        locked = (
            FunderReport.objects.select_for_update()
            .filter(pk=report.pk, mailed_at__isnull=True, status=FunderReport.Status.READY, built_final=True)
            .defer("pdf", "xlsx", "csv", "html")
            .select_related("cycle__organisation")
            .first()
        )
        if locked is None:
            return 0
        cycle = locked.cycle
        organisation = cycle.organisation
        link = settings.SITE_URL.rstrip("/") + reverse(
            "evaluatie:funder_report", kwargs={"org": organisation.slug, "cycle": cycle.pk}
        )
        sent = 0
        for user in funder_users(organisation):
            with translation.override(settings.LANGUAGE_CODE):
                text = render_to_string(
                    "evaluatie/email/report_ready.txt",
                    {"organisation": organisation, "cycle": cycle, "link": link, "user": user},
                )
            subject, _sep, body = text.strip().partition("\n")
            queue_email(
                to=user.email, subject=subject.strip(), body_text=body.strip() + "\n", organisation_id=organisation.pk
            )
            sent += 1
        locked.mailed_at = timezone.now()
        locked.save(update_fields=["mailed_at"])
    return sent


def funder_reports_sweep() -> dict:
    """The periodic job for the current organisation: builds a lost task left behind are queued again, every
    closed cycle gets its final report, and a ready final report is mailed to the funders once."""
    now = timezone.now()
    queued_patience, building_patience = patiences()
    stuck = Q(status=FunderReport.Status.BUILDING, started_at__lt=now - building_patience)
    # A build whose worker was killed on every try would be killed again: failed, so the page offers a retry.
    given_up = FunderReport.objects.filter(stuck, build_attempts__gte=settings.FUNDER_REPORT_MAX_ATTEMPTS).update(
        status=FunderReport.Status.FAILED,
        error=gettext("Het maken is %(count)s keer onderbroken.") % {"count": settings.FUNDER_REPORT_MAX_ATTEMPTS},
    )
    lost = FunderReport.objects.filter(
        Q(status=FunderReport.Status.QUEUED, requested_at__lt=now - queued_patience)
        | Q(status=FunderReport.Status.BUILDING, started_at__lt=now - building_patience)
    ).defer("pdf", "xlsx", "csv", "html")
    requeued = 0
    for report in lost:
        with transaction.atomic():
            # Requeued with the same generation: if the first task turns up after all, one of the two stores.
            FunderReport.objects.filter(pk=report.pk, generation=report.generation).update(
                status=FunderReport.Status.QUEUED, requested_at=now
            )
            _enqueue(report)
        requeued += 1
    missing = EvaluationCycle.objects.filter(status=EvaluationCycle.Status.CLOSED).filter(
        # A failed build is left for a person to retry from the page: it would fail the same way again.
        Q(report__isnull=True) | Q(report__built_final=False, report__status=FunderReport.Status.READY)
    )
    requested = 0
    for cycle in missing.select_related("organisation"):
        report_request(cycle=cycle, by=None)
        requested += 1
    mailed = 0
    ready = FunderReport.objects.filter(
        status=FunderReport.Status.READY, built_final=True, mailed_at__isnull=True
    ).defer("pdf", "xlsx", "csv", "html")
    for report in ready:
        mailed += report_mail(report=report)
    return {"requeued": requeued, "requested": requested, "mailed": mailed, "failed": given_up}
