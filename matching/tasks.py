"""Thin tasks: they take primary keys, load the organisation's scope and call one service.

Everything they do is recorded in the database first (suggestions_requested_at, Match.deadline,
Volunteer.updated_at), so the periodic sweeps redo whatever a lost task left undone.
"""

from celery import shared_task
from django.db import OperationalError, transaction
from django_scopes import scope, scopes_disabled

from netwerken.background import enqueue
from netwerken.models import Organisation

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 5}


def _providers():
    with scopes_disabled():
        return list(Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).values_list("pk", flat=True))


@shared_task(**RETRY)
def compute_suggestions(organisation_id, help_request_id):
    from .suggestions import compute_for_request

    with scope(organisation=organisation_id):
        return compute_for_request(help_request_id)


@shared_task(**RETRY)
def sync_volunteer(organisation_id, volunteer_id):
    from django.utils import timezone

    from netwerken.models import Volunteer

    from .suggestions import affected_requests, compute_for_request

    started = timezone.now()
    with scope(organisation=organisation_id):
        volunteer = Volunteer.objects.filter(pk=volunteer_id).first()
        if volunteer is None:
            return 0
        request_ids = affected_requests(volunteer)
        for request_id in request_ids:
            compute_for_request(request_id)
        Volunteer.objects.filter(pk=volunteer_id).update(suggestions_synced_at=started)
    return len(request_ids)


@shared_task
def sweep_suggestions():
    """Redoes suggestions that are missing or stale, whatever happened to the task that should have."""
    from .suggestions import stale_request_ids, stale_volunteer_ids

    queued = 0
    for organisation_id in _providers():
        with scope(organisation=organisation_id):
            for request_id in stale_request_ids():
                enqueue(compute_suggestions, organisation_id, request_id)
                queued += 1
            for volunteer_id in stale_volunteer_ids():
                enqueue(sync_volunteer, organisation_id, volunteer_id)
                queued += 1
    return queued


@shared_task(**RETRY)
def expire_proposals():
    from .proposals import expire_overdue

    total = 0
    for organisation_id in _providers():
        with scope(organisation=organisation_id):
            total += expire_overdue()
    return total


@shared_task(**RETRY)
def send_proposal_reminders():
    from .proposals import send_reminders

    total = 0
    for organisation_id in _providers():
        with scope(organisation=organisation_id):
            total += send_reminders()
    return total


@shared_task(**RETRY)
def warn_vog_expiry():
    from .services import vog_send_warnings

    total = 0
    for organisation_id in _providers():
        with scope(organisation=organisation_id):
            total += vog_send_warnings()
    return total


@shared_task(**RETRY)
def run_batch(organisation_id, run_id):
    from .batch import run

    with scope(organisation=organisation_id):
        return run(run_id)


@shared_task
def sweep_batch_runs():
    """Periodic: batch runs still waiting long after they were asked for (their task never reached a worker)."""
    from .batch import lost_run_ids

    queued = 0
    for organisation_id in _providers():
        with scope(organisation=organisation_id):
            for run_id in lost_run_ids():
                enqueue(run_batch, organisation_id, run_id)
                queued += 1
    return queued


def _on_commit_once(key, task, *args):
    """enqueue_on_commit, but a second call for the same key in the same transaction is dropped.

    The key lives on the callback in Django's own list, so a rolled-back savepoint forgets it too.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(entry[1], "buurthulp_key", None) == key for entry in connection.run_on_commit
    ):
        return

    def callback():
        enqueue(task, *args)

    callback.buurthulp_key = key
    transaction.on_commit(callback)


def enqueue_suggestions(help_request):
    """Marks the request's suggestions as wanted and computes them after the commit."""
    from .suggestions import mark_requested

    mark_requested([help_request.pk])
    organisation_id, pk = help_request.organisation_id, help_request.pk
    _on_commit_once(("request", pk), compute_suggestions, organisation_id, pk)


def enqueue_volunteer_sync(volunteer):
    organisation_id, pk = volunteer.organisation_id, volunteer.pk
    _on_commit_once(("volunteer", pk), sync_volunteer, organisation_id, pk)


# --- signals (matching/signals.py) -------------------------------------------------------------------------


@shared_task(**RETRY)
def detect_signals(organisation_id):
    from .signals import signals_detect

    with scopes_disabled():
        organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return None
    return signals_detect(organisation=organisation)


@shared_task
def detect_all_signals():
    """The daily run: one task per organisation, so one big organisation does not hold up the rest."""
    organisation_ids = _providers()
    for organisation_id in organisation_ids:
        enqueue(detect_signals, organisation_id)
    return len(organisation_ids)


@shared_task(**RETRY)
def send_weekly_digest(organisation_id):
    from .signals import signals_send_digest

    with scopes_disabled():
        organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return 0
    return signals_send_digest(organisation=organisation)


@shared_task
def send_weekly_digests():
    """Monday morning: each organisation's digest in its own task (each sends its week once)."""
    organisation_ids = _providers()
    for organisation_id in organisation_ids:
        enqueue(send_weekly_digest, organisation_id)
    return len(organisation_ids)
