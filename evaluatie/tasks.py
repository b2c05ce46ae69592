"""Thin tasks: they take primary keys, load the organisation's scope and call one service."""

from celery import shared_task
from django.db import OperationalError
from django_scopes import scope

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 5}


@shared_task(**RETRY)
def send_survey_invitations(organisation_id, cycle_id):
    from .models import EvaluationCycle
    from .services import survey_invite

    with scope(organisation=organisation_id):
        cycle = EvaluationCycle.objects.filter(pk=cycle_id).select_related("organisation").first()
        if cycle is None:
            return 0
        return survey_invite(cycle=cycle)
