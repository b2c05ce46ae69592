"""The one way work is handed to the Celery broker: `enqueue_on_commit(task, *args)` and `enqueue(task, *args)`.

The database is the source of truth, the broker only a doorbell. Every piece of background work is recorded in
the database before it is enqueued (an OutgoingEmail row, HelpRequest.suggestions_requested_at, a queued
BatchRun or FunderReport, a pending location or survey), and a periodic sweep in CELERY_BEAT_SCHEDULE redoes
whatever is still recorded as wanted. So a broker that is down (Redis stopped, a network fault) may delay the
work but never lose it, and it must never turn a committed change into a 500: a failed enqueue is logged as a
warning and the request answers normally.

Without a broker (CELERY_TASK_ALWAYS_EAGER, the embedded default) a task runs in this process. A task marked
`off_request=True` (one that can take long, like a volunteer's suggestion sync) then runs in a daemon thread
of its own, after the commit, with its own database connection (closed when it is done): the page answers
at once. TASKS_INLINE=1 (the tests) runs it inline instead, so what a test saves is done when it asserts.

After one failure the broker is taken as down for BROKER_RETRY_AFTER seconds in this process: a page that
enqueues a hundred tasks does not wait a hundred connection timeouts. The sweeps pick the work up.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import connections, transaction
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

try:  # redis-py raises its own errors when Redis is the broker (not OSError subclasses).
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    BROKER_ERRORS = (BrokerError, RedisConnectionError, RedisTimeoutError, OSError)
except ImportError:  # pragma: no cover - redis is a dependency
    BROKER_ERRORS = (BrokerError, OSError)

_down_until = 0.0


def _task_name(task):
    return getattr(task, "name", repr(task))


def reset():
    """Forgets an earlier broker failure (the tests use it; a process otherwise waits BROKER_RETRY_AFTER)."""
    global _down_until
    _down_until = 0.0


def enqueue(task, *args):
    """Publishes `task(*args)` now. True if it was handed to the broker (or ran in-process), else False."""
    global _down_until
    if time.monotonic() < _down_until:
        logger.warning("Broker taken as down: %s%r not enqueued, the sweep will do it", _task_name(task), args)
        return False
    if getattr(task, "off_request", False) and settings.CELERY_TASK_ALWAYS_EAGER and not settings.TASKS_INLINE:
        _start_thread(task, args)
        return True
    try:
        task.apply_async(args=args)
    except BROKER_ERRORS as exc:
        _down_until = time.monotonic() + getattr(settings, "BROKER_RETRY_AFTER", 30)
        logger.warning(
            "Broker unavailable (%s): %s%r not enqueued, the sweep will do it",
            exc.__class__.__name__,
            _task_name(task),
            args,
        )
        return False
    return True


def _start_thread(task, args):
    """Runs `task(*args)` in a daemon thread: in-process, but not inside the web request."""

    def run():
        try:
            task.apply(args=args, throw=True)
        except Exception:  # noqa: BLE001 - logged; what the task records, its sweep redoes
            logger.exception("%s%r failed in its background thread", _task_name(task), args)
        finally:
            connections.close_all()  # this thread's own connections

    threading.Thread(target=run, name=f"task-{_task_name(task)}", daemon=True).start()


def enqueue_on_commit(task, *args):
    """Publishes `task(*args)` once the current transaction commits (at once outside one); never raises."""
    transaction.on_commit(lambda: enqueue(task, *args))
