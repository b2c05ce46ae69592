"""Killed-worker drills, for real: a Celery worker (prefork, one child) runs as a subprocess against the test
database and the Redis broker, is killed with SIGKILL in the middle of a piece of work, and a new worker and
the sweeps take over. Each drill asserts what the user sees meanwhile and, after the recovery, that nothing
was lost or done twice, and prints how long the recovery took.

How a kill lands "in the middle": the test holds a database lock that the task needs for its last write (a
table lock on the suggestions or the batch proposals, an exclusive lock on a table the report reads), waits
until the worker's connection is waiting for it, and kills then; the mail drills use a local SMTP server that
stalls at the chosen step. No hook in the code under test.

Patiences are shortened: the worker gets a short EMAIL_SEND_LEASE_SECONDS through its environment; a patience
that is a constant in code is skipped by moving the row's timestamps back, as if that time had passed. The
recovery times printed are therefore the mechanism's; the worst case in production adds the patience and the
sweep interval (README, "Recovery after a killed worker").

Runs only on PostgreSQL with a Redis broker (`make test-services`); each drill is bounded (waits <= 60 s) and
every worker process is killed at the end, whatever happened.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from buurthulp.celery import app as celery_app

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
WAIT = 60  # no wait in a drill is longer than this
LEASE = 15  # EMAIL_SEND_LEASE_SECONDS of the drills' workers (300 in production): longer than a send takes here


def wait_for(condition, timeout=WAIT, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def report(drill, **facts):
    """One line per drill for the closing note: what the user saw, and the recovery time."""
    print(f"\nDRILL {drill}: " + "; ".join(f"{key}={value}" for key, value in facts.items()), flush=True)


def _database_url():
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _alive(process):
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


class Workers:
    """Real workers, each `python -m celery worker --pool=prefork -c 1` in its own process group."""

    def __init__(self, log_dir, extra_env):
        self.log_dir = log_dir
        self.env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
        self.env.update(
            DATABASE_URL=_database_url(),
            CELERY_BROKER_URL=celery_app.conf.broker_url,
            CONN_MAX_AGE="0",
            PYTHONPATH=str(ROOT),
            DJANGO_SETTINGS_MODULE="buurthulp.settings",
            **extra_env,
        )
        self.procs = []
        self.pids = set()

    def start(self, name):
        log = open(self.log_dir / f"{name}.log", "w")  # noqa: SIM115 - closed by the OS with the process
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "buurthulp", "worker", "--pool=prefork", "-c", "1"]
            + ["-l", "INFO", "-n", f"{name}@drill", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        self.pids.add(proc.pid)
        wait_for(lambda: "ready." in self.log(name) or proc.poll() is not None, what=f"worker {name} to start")
        assert proc.poll() is None, self.log(name)
        self.pids.update(child.pid for child in psutil.Process(proc.pid).children(recursive=True))
        return proc

    def log(self, name):
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def child(self, proc):
        children = psutil.Process(proc.pid).children()
        assert len(children) == 1, children
        return children[0]

    def kill_main(self, proc):
        """SIGKILL to the main process alone; its pool child follows (billiard gives it a parent-death signal).
        Returns the moment of the kill."""
        child = self.child(proc)
        os.kill(proc.pid, signal.SIGKILL)
        killed = time.monotonic()
        proc.wait(timeout=10)
        wait_for(lambda: not _alive(child), timeout=10, what="the orphaned pool child to die")
        return killed

    def kill_child(self, proc):
        """SIGKILL to the pool child; the main process lives on and starts a new child. Returns the moment."""
        child = self.child(proc)
        child.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        wait_for(lambda: not _alive(child), timeout=10, what="the pool child to die")
        wait_for(lambda: self._new_child(proc, child), what="the main process to start a new pool child")
        return killed

    def _new_child(self, proc, old):
        children = [c for c in psutil.Process(proc.pid).children() if c.pid != old.pid and _alive(c)]
        self.pids.update(c.pid for c in children)
        return children

    def kill_group(self, proc):
        """SIGKILL to the main process and its pool child at once, as when the container is killed."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)

    def cleanup(self):
        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for proc in self.procs:
            proc.wait(timeout=10)


def _clear_broker():
    import redis

    celery_app.control.purge()
    # Messages a killed worker had taken stay in Redis's 'unacked' set until the visibility timeout (an hour).
    redis.Redis.from_url(celery_app.conf.broker_url).delete("unacked", "unacked_index", "unacked_mutex")


@pytest.fixture
def workers(transactional_db, tmp_path, smtp):
    """Torn down before the database: every worker process is killed, and the broker emptied."""
    from netwerken import background

    assert connection.vendor == "postgresql" and not celery_app.conf.task_always_eager
    background.reset()
    _clear_broker()
    pool = Workers(
        tmp_path,
        {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_TIMEOUT": "4",
            "EMAIL_SEND_LEASE_SECONDS": str(LEASE),
        },
    )
    try:
        yield pool
    finally:
        pool.cleanup()
        _clear_broker()


# --- holding a lock the task needs ----------------------------------------------------------------------


class Lock:
    """A lock held in a connection of its own, until released."""

    def __init__(self, sql):
        import psycopg2

        db = connection.settings_dict
        self.conn = psycopg2.connect(
            dbname=db["NAME"], user=db["USER"], password=db.get("PASSWORD") or None, host=db["HOST"], port=db["PORT"]
        )
        self.conn.cursor().execute(sql)  # psycopg2 opens the transaction: the lock lasts until release()

    def release(self):
        if self.conn is not None:
            self.conn.rollback()
            self.conn.close()
            self.conn = None


@contextmanager
def holding(sql):
    lock = Lock(sql)
    try:
        yield lock
    finally:
        lock.release()


def waiting_on_lock(fragment):
    """A backend of the test database waiting for a lock, in a statement that mentions `fragment`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' AND query ILIKE %s",
            [connection.settings_dict["NAME"], f"%{fragment}%"],
        )
        return [row[0] for row in cursor.fetchall()]


def no_backend_waiting(fragment):
    return not waiting_on_lock(fragment)


# --- a local SMTP server that stalls where it is told to -----------------------------------------------


class StallingSMTP:
    """A tiny SMTP server (no TLS, no auth). `stall` says where the next conversation stops answering:
    "data" before accepting the message (the end of DATA), "quit" after accepting it (before answering QUIT), or
    None. A stalled conversation waits until its client goes away (its worker was killed) or `release()`.
    `delivered` holds the Message-ID of every message the server accepted (answered 250 to)."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.delivered = []
        self.stall = None
        self.stalled = threading.Event()  # set while a conversation is stalled
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._closing = False
        threading.Thread(target=self._serve, daemon=True).start()

    def release(self):
        self._released.set()

    def close(self):
        self._closing = True
        self._released.set()
        self.sock.close()

    def _serve(self):
        while not self._closing:
            try:
                client, _address = self.sock.accept()
            except OSError:
                return
            with self._lock:
                stall, self.stall = self.stall, None
            threading.Thread(target=self._talk, args=(client, stall), daemon=True).start()

    def _wait_until_gone_or_released(self, client):
        """True if the client went away while the server stalled."""
        self.stalled.set()
        client.settimeout(0.1)
        try:
            while not self._released.is_set():
                try:
                    if client.recv(1) == b"":
                        return True
                except TimeoutError:
                    continue
                except OSError:
                    return True
            return False
        finally:
            client.settimeout(None)
            self.stalled.clear()

    def _talk(self, client, stall):
        reader = client.makefile("rb")
        send = client.sendall
        try:
            send(b"220 drill ESMTP\r\n")
            while True:
                line = reader.readline()
                if not line:
                    return
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    send(b"250-drill\r\n250 8BITMIME\r\n")
                elif verb == b"DATA":
                    send(b"354 go ahead\r\n")
                    lines = []
                    while (part := reader.readline()) not in (b".\r\n", b""):
                        lines.append(part)
                    message = b"".join(lines).decode("utf-8", "replace")
                    if stall == "data" and self._wait_until_gone_or_released(client):
                        return  # never accepted: the client was killed waiting for our answer
                    found = re.search(r"^Message-ID:\s*(\S+)", message, re.MULTILINE | re.IGNORECASE)
                    self.delivered.append(found.group(1) if found else None)
                    send(b"250 accepted\r\n")
                elif verb == b"QUIT":
                    if stall == "quit" and self._wait_until_gone_or_released(client):
                        return
                    send(b"221 bye\r\n")
                    return
                else:  # MAIL, RCPT, RSET, NOOP
                    send(b"250 OK\r\n")
        except OSError:
            return
        finally:
            client.close()


@pytest.fixture
def smtp():
    server = StallingSMTP()
    yield server
    server.close()


# --- (a) a suggestions task -------------------------------------------------------------------------------


def _request_with_suggestions():
    """An open request with three suggestions computed by the worker."""
    from matching import lifecycle
    from matching.models import MatchSuggestion

    from .factories import CategoryFactory, HelpRequestFactory, OrganisationFactory, VolunteerFactory

    org = OrganisationFactory()
    category = CategoryFactory(organisation=org)
    VolunteerFactory.create_batch(3, organisation=org, categories=[category])
    help_request = HelpRequestFactory(organisation=org, category=category)
    with scope(organisation=org), transaction.atomic():
        lifecycle.request_transition(help_request=help_request, to_status="zoekend")
    wait_for(lambda: _suggestion_state(help_request) == "ready", what="the first suggestions")
    assert MatchSuggestion.objects.with_scopes_disabled().filter(help_request=help_request).count() == 3
    return help_request


def _ask_again(help_request):
    """What a change to the request does: its suggestions asked for again, computed after the commit."""
    from matching.tasks import enqueue_suggestions

    with scope(organisation=help_request.organisation_id), transaction.atomic():
        enqueue_suggestions(help_request)


def _suggestion_state(help_request):
    from matching import suggestions
    from matching.models import HelpRequest

    with scopes_disabled():
        return suggestions.state(HelpRequest.objects.get(pk=help_request.pk))


def _suggestions_of(help_request):
    from matching.models import MatchSuggestion

    return sorted(
        MatchSuggestion.objects.with_scopes_disabled()
        .filter(help_request=help_request)
        .values_list("volunteer_id", flat=True)
    )


def _as_if_patience_passed(model, pk, *fields, seconds):
    """Moves the row's timestamps back, as if the sweep's patience had passed."""
    with scopes_disabled():
        model.objects.filter(pk=pk).update(**{name: F(name) - timezone.timedelta(seconds=seconds) for name in fields})


SUGGESTION_LOCK = "LOCK TABLE matching_matchsuggestion IN SHARE MODE"


def test_drill_suggestions_worker_main_process_killed(workers):
    from matching.models import HelpRequest
    from matching.tasks import sweep_suggestions

    first = workers.start("a1")
    help_request = _request_with_suggestions()
    before = _suggestions_of(help_request)
    with holding(SUGGESTION_LOCK):
        _ask_again(help_request)
        wait_for(lambda: waiting_on_lock("matchsuggestion"), what="the task to reach its write")
        killed = workers.kill_main(first)
    wait_for(lambda: no_backend_waiting("matchsuggestion"), what="the killed task's write to end")
    seen = _suggestion_state(help_request)
    kept = _suggestions_of(help_request)
    workers.start("a2")
    _as_if_patience_passed(
        HelpRequest, help_request.pk, "suggestions_requested_at", "suggestions_computed_at", "updated_at", seconds=600
    )
    sweep_suggestions.apply()
    wait_for(lambda: _suggestion_state(help_request) == "ready", what="the sweep to redo the suggestions")
    recovered = time.monotonic() - killed
    assert _suggestions_of(help_request) == before
    report(
        "suggestions, main process killed",
        user_saw=f"{seen!r} with the {len(kept)} earlier suggestions",
        recovered_in=f"{recovered:.1f} s after the kill (+ SUGGESTIONS_PATIENCE_SECONDS in production)",
    )


def test_drill_suggestions_pool_child_killed(workers):
    first = workers.start("a3")
    help_request = _request_with_suggestions()
    before = _suggestions_of(help_request)
    with holding(SUGGESTION_LOCK) as lock:
        _ask_again(help_request)
        wait_for(lambda: waiting_on_lock("matchsuggestion"), what="the task to reach its write")
        killed = workers.kill_child(first)
        seen = _suggestion_state(help_request)
        # The main process hands the task back to the broker (acks late, reject on worker lost): redelivered at
        # once to the new child, which waits for the same lock.
        wait_for(lambda: waiting_on_lock("matchsuggestion"), what="the redelivered task to reach its write")
        lock.release()
    wait_for(lambda: _suggestion_state(help_request) == "ready", what="the redelivered task to finish")
    recovered = time.monotonic() - killed
    assert _suggestions_of(help_request) == before, "the same three suggestions, none twice"
    report(
        "suggestions, pool child killed",
        user_saw=f"{seen!r} with the earlier suggestions",
        recovered_in=f"{recovered:.1f} s after the kill (redelivered at once; the lock held ~1 s of that)",
    )


# --- (b) a mail send ---------------------------------------------------------------------------------------


def _queue_mail(subject):
    from netwerken import mail

    with transaction.atomic():
        return mail.queue_email(to="bewoner@example.nl", subject=subject, body_text="Hallo")


def _sweep_mail_until(condition, what):
    """The beat's send-pending-emails, every half second, until `condition` (bounded)."""
    from netwerken.tasks import send_pending_emails

    def tick():
        send_pending_emails.apply()
        return condition()

    return wait_for(tick, what=what)


def _mail_row(email):
    from netwerken.models import OutgoingEmail

    return OutgoingEmail.objects.get(pk=email.pk)


@pytest.fixture
def short_mail_patience(settings):
    """The sweep in this process with the drills' lease, and no wait for a mail's task to turn up."""
    settings.EMAIL_SEND_LEASE_SECONDS = LEASE
    settings.EMAIL_PENDING_PATIENCE_SECONDS = 0


def test_drill_mail_worker_main_process_killed_mid_send(workers, smtp, short_mail_patience):
    first = workers.start("b1")
    smtp.stall = "data"
    email = _queue_mail("Middenin verstuurd, hoofdproces gestopt")
    wait_for(smtp.stalled.is_set, what="the send to reach the server's answer to DATA")
    killed = workers.kill_main(first)
    row = _mail_row(email)
    assert (row.attempts, row.sent_at) == (1, None) and row.sending_since is not None
    assert smtp.delivered == [], "the server never accepted it"
    workers.start("b2")
    _sweep_mail_until(lambda: _mail_row(email).sent_at is not None, what="the sweep to send it after the lease")
    recovered = time.monotonic() - killed
    assert smtp.delivered == [email.message_id], "delivered exactly once, with its own Message-ID"
    report(
        "mail, main process killed mid-send",
        user_saw="not sent yet (claimed, attempt 1)",
        delivered=len(smtp.delivered),
        recovered_in=f"{recovered:.1f} s after the kill (lease {LEASE} s; 300 s + the 60 s sweep in production)",
    )


def test_drill_mail_pool_child_killed_mid_send(workers, smtp, short_mail_patience):
    first = workers.start("b3")
    smtp.stall = "data"
    email = _queue_mail("Middenin verstuurd, kind gestopt")
    wait_for(smtp.stalled.is_set, what="the send to reach the server's answer to DATA")
    killed = workers.kill_child(first)
    # Redelivered at once to the new child, which finds the claim younger than the lease and sends nothing.
    outcome = wait_for(
        lambda: re.search(r"send_email\[[^\]]+\] succeeded in [0-9.]+s: (\w+)", workers.log("b3")),
        what="the redelivered task to run",
    )
    redelivered = time.monotonic() - killed
    assert outcome.group(1) == "False", "the redelivered task sent the mail while the killed send's claim held"
    assert smtp.delivered == [] and _mail_row(email).sent_at is None
    _sweep_mail_until(lambda: _mail_row(email).sent_at is not None, what="the sweep to send it after the lease")
    recovered = time.monotonic() - killed
    assert smtp.delivered == [email.message_id], "delivered exactly once (the immediate redelivery sent nothing)"
    assert _mail_row(email).attempts == 2
    report(
        "mail, pool child killed mid-send",
        user_saw="not sent yet (claimed, attempt 1)",
        redelivered_and_left_alone_in=f"{redelivered:.1f} s",
        delivered=len(smtp.delivered),
        recovered_in=f"{recovered:.1f} s after the kill (lease {LEASE} s; 300 s + the 60 s sweep in production)",
    )


def test_drill_mail_worker_killed_between_the_servers_acceptance_and_our_commit(workers, smtp, short_mail_patience):
    first = workers.start("b4")
    smtp.stall = "quit"  # the message is accepted; the worker waits for the answer to QUIT, before its commit
    email = _queue_mail("Aangenomen, niet vastgelegd")
    wait_for(smtp.stalled.is_set, what="the server to accept the message")
    assert smtp.delivered == [email.message_id]
    killed = workers.kill_main(first)
    assert _mail_row(email).sent_at is None, "our commit never happened: the one ambiguous window"
    workers.start("b5")
    _sweep_mail_until(lambda: _mail_row(email).sent_at is not None, what="the sweep to send it after the lease")
    recovered = time.monotonic() - killed
    assert smtp.delivered == [email.message_id, email.message_id], "a second copy, recognisably the same mail"
    report(
        "mail, killed between acceptance and commit",
        user_saw="delivered, row not marked sent",
        delivered=f"{len(smtp.delivered)} with one Message-ID",
        recovered_in=f"{recovered:.1f} s after the kill",
    )


# --- (c) a batch run ---------------------------------------------------------------------------------------


def _backdated_all(model, pk, seconds):
    """Every timestamp of the row moved back, whatever names its patience uses (h-batch's heartbeat too)."""
    from django.db import models

    fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]
    with scopes_disabled():
        row = model.objects.filter(pk=pk)
        for name in fields:
            row.filter(**{f"{name}__isnull": False}).update(**{name: F(name) - timezone.timedelta(seconds=seconds)})


def test_drill_batch_run_worker_killed_at_ninety_percent(workers):
    from matching.batch import batch_start
    from matching.models import BatchProposal, BatchRun, HelpRequest
    from matching.tasks import sweep_batch_runs

    from .factories import CategoryFactory, HelpRequestFactory, OrganisationFactory, VolunteerFactory

    org = OrganisationFactory()
    category = CategoryFactory(organisation=org)
    VolunteerFactory.create_batch(3, organisation=org, categories=[category])
    HelpRequestFactory.create_batch(2, organisation=org, category=category, status=HelpRequest.Status.SEARCHING)
    first = workers.start("c1")
    with holding("LOCK TABLE matching_batchproposal IN SHARE MODE"):
        with scope(organisation=org), transaction.atomic():
            batch = batch_start(organisation=org, by=None)
        wait_for(lambda: waiting_on_lock("batchproposal"), what="the run to reach its proposals")
        with scopes_disabled():
            seen = BatchRun.objects.values_list("status", "progress").get(pk=batch.pk)
        killed = workers.kill_main(first)
    workers.start("c2")

    def settled():
        _backdated_all(BatchRun, batch.pk, seconds=3600)  # as if every patience had passed
        sweep_batch_runs.apply()
        with scopes_disabled():
            return BatchRun.objects.get(pk=batch.pk).status in (BatchRun.Status.DONE, BatchRun.Status.FAILED)

    try:
        wait_for(settled, timeout=30, what="the sweep to resume the run or mark it failed")
    finally:
        with scopes_disabled():
            final = BatchRun.objects.values_list("status", "progress").get(pk=batch.pk)
        report("batch run, main process killed", user_saw=f"{seen[0]} {seen[1]} %", after_recovery=final)
    recovered = time.monotonic() - killed
    with scopes_disabled():
        pairs = list(BatchProposal.objects.filter(run_id=batch.pk).values_list("help_request_id", flat=True))
    assert len(pairs) == len(set(pairs)), "no request proposed twice in the run"
    report("batch run, main process killed", recovered_in=f"{recovered:.1f} s after the kill (patience skipped)")


# --- (d) a funder report build -----------------------------------------------------------------------------


def test_drill_funder_report_worker_killed_mid_build(workers, settings):
    from evaluatie.funder_reports import report_request
    from evaluatie.models import FunderReport
    from evaluatie.tasks import sweep_funder_reports

    from .factories import EvaluationCycleFactory, OrganisationFactory

    org = OrganisationFactory()
    cycle = EvaluationCycleFactory(organisation=org)
    first = workers.start("d1")
    # The build's figures read the cycle's stories: an exclusive lock on them stops it there, 'bezig'.
    with holding("LOCK TABLE evaluatie_story IN ACCESS EXCLUSIVE MODE"):
        with scope(organisation=org), transaction.atomic():
            asked = report_request(cycle=cycle, by=None)
        wait_for(lambda: waiting_on_lock("evaluatie_story"), what="the build to reach the stories")
        with scopes_disabled():
            seen = FunderReport.objects.values_list("status", "progress").get(pk=asked.pk)
        killed = workers.kill_main(first)
    assert seen[0] == FunderReport.Status.BUILDING
    workers.start("d2")
    # The sweep in this process, with the building patience over (600 s in production).
    settings.FUNDER_REPORT_BUILDING_PATIENCE_SECONDS = 0

    def ready():
        sweep_funder_reports.apply()
        with scopes_disabled():
            row = FunderReport.objects.defer("pdf", "xlsx", "csv", "html").get(pk=asked.pk)
        return row.status == FunderReport.Status.READY and row

    row = wait_for(ready, what="the sweep to have the report built again")
    recovered = time.monotonic() - killed
    assert row.built_generation == row.generation == 1, "built once, for the generation asked for"
    with scopes_disabled():
        assert FunderReport.objects.filter(cycle=cycle).count() == 1
        assert bytes(FunderReport.objects.get(pk=asked.pk).pdf).startswith(b"%PDF")
    report(
        "funder report, main process killed mid-build",
        user_saw=f"{seen[0]} {seen[1]} %",
        recovered_in=f"{recovered:.1f} s after the kill (+ the 600 s patience and the 120 s sweep in production)",
    )
