"""Thin tasks: they take primary keys, load the organisation's scope and call one service."""

from celery import shared_task
from django.db import OperationalError
from django_scopes import scope

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 5}


@shared_task(**RETRY)
def send_survey_invitations(organisation_id, cycle_id):
    from .services import survey_invitations_send

    with scope(organisation=organisation_id):
        return survey_invitations_send(cycle_id=cycle_id)


@shared_task
def sweep_survey_invitations():
    """Periodic: survey invitations asked for whose task never ran (the broker was down) queued again."""
    from django_scopes import scopes_disabled

    from netwerken.background import enqueue
    from netwerken.models import Organisation

    from .services import survey_invitations_lost

    with scopes_disabled():
        organisation_ids = list(
            Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).values_list("pk", flat=True)
        )
    queued = 0
    for organisation_id in organisation_ids:
        with scope(organisation=organisation_id):
            for cycle_id in survey_invitations_lost():
                enqueue(send_survey_invitations, organisation_id, cycle_id)
                queued += 1
    return queued


@shared_task(**RETRY)
def build_funder_report(organisation_id, report_id, generation):
    from .funder_reports import report_build

    with scope(organisation=organisation_id):
        return report_build(report_id=report_id, generation=generation)


@shared_task
def sweep_funder_reports():
    """Periodic: per organisation, lost builds queued again, final reports of closed cycles, the funders' mail."""
    from django_scopes import scopes_disabled

    from netwerken.models import Organisation

    from .funder_reports import funder_reports_sweep

    with scopes_disabled():
        organisation_ids = list(
            Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).values_list("pk", flat=True)
        )
    totals = {}
    for organisation_id in organisation_ids:
        with scope(organisation=organisation_id):
            for key, value in funder_reports_sweep().items():
                totals[key] = totals.get(key, 0) + value
    return totals
