"""A batch run whose worker was killed ("bezig 90 %" for ever) is started again by the sweep, a bounded number
of times, then marked failed with the reason; two tasks for one run never both compute it."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from matching import batch
from matching.models import BatchProposal, BatchRun
from matching.tasks import sweep_batch_runs

from .factories import MembershipFactory
from .test_matching import world  # noqa: F401 - the shared fixture


@pytest.fixture
def w(world):  # noqa: F811
    world.coordinator = MembershipFactory(organisation=world.org, roles=("coordinator",)).user
    world.volunteer("Anna")
    world.request()
    return world


def _running(w, *, silent_for, attempts=1):
    with scopes_disabled():
        return BatchRun.objects.create(
            organisation=w.org,
            status=BatchRun.Status.RUNNING,
            progress=90,
            attempts=attempts,
            heartbeat_at=timezone.now() - timezone.timedelta(seconds=silent_for),
        )


def _fresh(run):
    with scopes_disabled():
        run.refresh_from_db()
    return run


def test_a_run_started_by_one_task_is_not_computed_by_a_second(w, settings):
    run = _running(w, silent_for=5)
    with scope(organisation=w.org):
        assert batch.run(run.pk) == 0
    run = _fresh(run)
    assert (run.status, run.progress, run.attempts) == (BatchRun.Status.RUNNING, 90, 1)
    with scopes_disabled():
        assert not BatchProposal.objects.filter(run=run).exists()


def test_of_two_claims_of_a_waiting_run_one_wins(w):
    with scopes_disabled():
        run = BatchRun.objects.create(organisation=w.org)
        assert batch._claim(run.pk) is True
        assert batch._claim(run.pk) is False
    assert _fresh(run).attempts == 1


def test_a_run_whose_worker_went_silent_is_started_again_by_the_sweep_and_finishes(w, settings):
    run = _running(w, silent_for=settings.BATCH_RUN_PATIENCE_SECONDS + 5)
    assert sweep_batch_runs.apply().get() == 1
    run = _fresh(run)
    assert (run.status, run.progress, run.attempts) == (BatchRun.Status.DONE, 100, 2)
    with scopes_disabled():
        assert BatchProposal.objects.filter(run=run).count() == 1


def test_a_run_that_is_still_beating_is_left_alone_by_the_sweep(w, settings):
    run = _running(w, silent_for=settings.BATCH_RUN_PATIENCE_SECONDS - 30)
    assert sweep_batch_runs.apply().get() == 0
    assert _fresh(run).status == BatchRun.Status.RUNNING


def test_a_run_killed_on_every_attempt_is_marked_failed_with_the_reason(client, w, settings):
    run = _running(w, silent_for=settings.BATCH_RUN_PATIENCE_SECONDS + 5, attempts=settings.BATCH_RUN_MAX_ATTEMPTS)
    assert sweep_batch_runs.apply().get() == 0
    run = _fresh(run)
    assert run.status == BatchRun.Status.FAILED
    assert "3 keer onderbroken" in run.error
    client.force_login(w.coordinator)
    page = client.get(reverse("matching:batch_detail", kwargs={"org": "wijk", "run": run.pk}))
    assert page.status_code == 200
    assert "Het rekenen is mislukt" in page.content.decode()
    assert "Opnieuw proberen" in page.content.decode()


def test_the_retry_button_of_a_failed_run_computes_a_new_proposal(client, w, django_capture_on_commit_callbacks):
    failed = _running(w, silent_for=0)
    with scopes_disabled():
        BatchRun.objects.filter(pk=failed.pk).update(status=BatchRun.Status.FAILED)
    client.force_login(w.coordinator)
    # The button on the failed run's page posts to the list, which starts a run: the same form, the same checks.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:batch_list", kwargs={"org": "wijk"}))
    with scopes_disabled():
        retry = BatchRun.objects.exclude(pk=failed.pk).get()
    assert response.status_code == 302
    assert response.url == reverse("matching:batch_detail", kwargs={"org": "wijk", "run": retry.pk})
    retry.refresh_from_db()
    assert (retry.status, retry.progress) == (BatchRun.Status.DONE, 100)
    with scopes_disabled():
        assert BatchProposal.objects.filter(run=retry).count() == 1
