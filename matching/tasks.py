"""Thin tasks: they take primary keys, load the organisation's scope and call one service.

Everything they do is recorded in the database first (suggestions_requested_at, Match.deadline,
Volunteer.updated_at), so the periodic sweeps redo whatever a lost task left undone.
"""

from celery import shared_task
from django.db import IntegrityError, OperationalError, transaction
from django_scopes import scope, scopes_disabled

from netwerken.background import enqueue
from netwerken.models import Organisation

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 5}
# Suggestion writes upsert, so a concurrent computation of the same request leaves one row; should one still
# collide on the unique suggestion (a row deleted and written again in between), the task tries again.
SUGGESTION_RETRY = {**RETRY, "autoretry_for": (OperationalError, IntegrityError)}


def _providers():
    with scopes_disabled():
        return list(Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).values_list("pk", flat=True))


@shared_task(**SUGGESTION_RETRY)
def compute_suggestions(organisation_id, help_request_id):
    from .suggestions import compute_for_request

    with scope(organisation=organisation_id):
        return compute_for_request(help_request_id)


# off_request: without a broker (tasks run in-process) it runs after the commit in a thread of its own, not
# inside the web request that saved the volunteer (netwerken/background.py).
@shared_task(**SUGGESTION_RETRY, off_request=True)
def sync_volunteer(organisation_id, volunteer_id):
    from django.utils import timezone

    from netwerken.models import Volunteer

    from .suggestions import sync_volunteer_suggestions

    started = timezone.now()
    with scope(organisation=organisation_id):
        volunteer = Volunteer.objects.filter(pk=volunteer_id).first()
        if volunteer is None:
            return 0
        changed = sync_volunteer_suggestions(volunteer=volunteer)
        Volunteer.objects.filter(pk=volunteer_id).update(suggestions_synced_at=started)
        # Done with what was asked up to `started`; a change asked for since keeps its mark (its task follows).
        Volunteer.objects.filter(pk=volunteer_id, suggestions_requested_at__lte=started).update(
            suggestions_requested_at=None
        )
    return changed


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
    """Periodic: batch runs still waiting long after they were asked for (their task never reached a worker),
    and running runs whose worker was killed: started again, or marked failed after the last attempt."""
    from .batch import batch_runs_fail_stuck, lost_run_ids

    queued = 0
    for organisation_id in _providers():
        with scope(organisation=organisation_id):
            batch_runs_fail_stuck()
            for run_id in lost_run_ids():
                enqueue(run_batch, organisation_id, run_id)
                queued += 1
    return queued


def _queued(key):
    """Whether _on_commit_once(key, ...) was called in the current transaction already."""
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(
        getattr(entry[1], "buurthulp_key", None) == key for entry in connection.run_on_commit
    )


def _on_commit_once(key, task, *args):
    """enqueue_on_commit, but a second call for the same key in the same transaction is dropped.

    The key lives on the callback in Django's own list, so a rolled-back savepoint forgets it too.
    """
    if _queued(key):
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


def enqueue_volunteer_sync(volunteer, changed=None):
    """After a change to `volunteer`, brings the suggestions it can affect up to date, after the commit.

    `changed`: the names of what changed (model fields, or "categories", "offers", "areas", "matches");
    None when unknown (a new volunteer, a match of theirs). Only a change to what scoring reads
    (scoring.VOLUNTEER_INPUTS) asks for work: a new phone number or e-mail address, none. The wish is
    recorded first (Volunteer.suggestions_requested_at), so sweep_suggestions redoes a sync that got lost.
    """
    from django.utils import timezone

    from netwerken.models import Volunteer

    from .scoring import VOLUNTEER_INPUTS

    if changed is not None and not VOLUNTEER_INPUTS.intersection(changed):
        return
    organisation_id, pk = volunteer.organisation_id, volunteer.pk
    key = ("volunteer", pk)
    if _queued(key):
        return
    Volunteer.objects.filter(pk=pk).update(suggestions_requested_at=timezone.now())
    _on_commit_once(key, sync_volunteer, organisation_id, pk)


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
