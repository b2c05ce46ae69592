"""`make demo`'s last step: the web server and a Celery worker with beat, together, as in production.

The worker uses kombu's filesystem broker (CELERY_BROKER_URL=filesystem://, see settings), so timers,
reminders and sweeps run without Redis. Ctrl-C (or SIGTERM) stops both; if either stops, so does the other.
"""

import os
import signal
import subprocess
import sys
import time


def main(port):
    env = {**os.environ, "DEBUG": "1", "CELERY_BROKER_URL": "filesystem://"}
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    python = sys.executable
    worker = subprocess.Popen(
        [
            python,
            "-m",
            "celery",
            "-A",
            "buurthulp",
            "worker",
            "--beat",
            "--pool=solo",
            "--loglevel=warning",
            "--schedule=.broker/celerybeat-schedule",
        ],
        env=env,
    )
    web = subprocess.Popen([python, "manage.py", "runserver", f"127.0.0.1:{port}"], env=env)
    children = (web, worker)

    def stop(*_args):
        for child in children:
            if child.poll() is None:
                child.terminate()  # SIGTERM: a warm shutdown for the worker, a stop for runserver
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    stop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "8000")
