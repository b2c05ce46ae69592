"""Outage drills, for real: PostgreSQL stopped under a running gunicorn (2 workers, as in production), while a user
loads pages. Each drill asserts what the user sees meanwhile and, once the service is
back, that the app recovers without a restart and that nothing was lost or done twice; it prints the times.

- PostgreSQL: a cluster of the test's own (initdb into a temporary folder, its own port) is stopped with
  `pg_ctl stop -m immediate` while gunicorn runs with persistent connections (CONN_MAX_AGE=60) and the settings'
  connection health checks. Every page answers the Dutch 503 page with Retry-After, an organisation's page names
  its phone number, /healthz says the database is down; started again, every warm worker answers 200 at once,
  also after a quick restart that no request saw (every persistent connection stale).
- Redis: a redis-server of the test's own, broker and cache, is stopped under the same gunicorn while users post
  forms (login, password reset, the public request form, a sign-up) and the coordinator and volunteer act (a status
  change, a proposal answer): each answers as usual and keeps what was typed, its mail waits in the database, and
  /healthz says "degraded". Started again empty, with the worker and beat of docker-compose.yml, every waiting mail
  is sent exactly once and a new mail goes through the broker at once.

Runs only in the services suite (`make test-services`); every wait is bounded (DRILL_TIMEOUT) and every process
started here is killed at the end, whatever happened.
"""

import glob
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import connection

from buurthulp.stack import stop_group

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
DRILL_TIMEOUT = 180  # no drill waits longer than this for anything
# Ports of the drills' own services (not the shared PostgreSQL 5432 / Redis 6379).
PG_PORT = int(os.environ.get("DRILL_PG_PORT", "18101"))
PG_WEB_PORT = int(os.environ.get("DRILL_PG_WEB_PORT", "18102"))
REDIS_PORT = int(os.environ.get("DRILL_REDIS_PORT", "18103"))
REDIS_WEB_PORT = int(os.environ.get("DRILL_REDIS_WEB_PORT", "18104"))
ORG_PHONE = "+31348123456"
DRILL_SECRET_KEY = "drill-secret-key-not-for-production-0123456789"


def wait_for(condition, timeout=DRILL_TIMEOUT, what="condition", interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def report(drill, **facts):
    """One line per drill for the closing note: what the user saw, and the recovery time."""
    print(f"\nDRILL {drill}: " + "; ".join(f"{key}={value}" for key, value in facts.items()), flush=True)


def _port_free(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _listening(port):
    return not _port_free(port)


def _kill_group(proc, timeout=10):
    """SIGTERM to the process group, SIGKILL after `timeout`; nothing of it is left running."""
    if proc is not None:
        stop_group(proc, signal.SIGTERM, timeout)


def _base_env(**extra):
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "CACHE_URL", "CELERY_BROKER_URL"}}
    env.update(
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="buurthulp.settings",
        SECRET_KEY=DRILL_SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def _test_database_url():
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


# --- a browser: cookies, the form's hidden fields, no redirects followed --------------------------------------


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action"), "hidden": {}}
            )
            self.forms[-1]["names"] = set()
        elif tag in {"input", "select", "textarea"} and self.forms and attrs.get("name"):
            self.forms[-1]["names"].add(attrs["name"])
            if tag == "input" and (attrs.get("type") or "").lower() == "hidden":
                self.forms[-1]["hidden"][attrs["name"]] = attrs.get("value") or ""


class Page:
    def __init__(self, status, headers, text, seconds):
        self.status, self.headers, self.text, self.seconds = status, headers, text, seconds

    @property
    def location(self):
        return self.headers.get("Location", "")

    def __repr__(self):
        return f"<{self.status} {self.location or self.text[:80]!r}>"


class Browser:
    def __init__(self, port, cookies=None):
        self.port = port
        self.cookies = dict(cookies or {})

    def request(self, method, path, form=None, timeout=30):
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "nl"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in {"", '""'} or "max-age=0" in header.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return Page(response.status, response.headers, text, time.monotonic() - started)

    def get(self, path):
        return self.request("GET", path)

    def submit(self, path, data):
        """GETs the page, takes the hidden fields (CSRF token, one-time key) of the first POST form with these fields
        whose hidden fields agree with `data` (of several buttons' forms, the one that says to_status=...), and posts
        it with `data` to the form's action. Returns the POST's answer."""
        page = self.get(path)
        assert page.status == 200, (path, page)
        parser = _Forms()
        parser.feed(page.text)
        forms = [
            f
            for f in parser.forms
            if f["method"] == "post"
            and set(data) & f["names"]
            and all(f["hidden"].get(name, value) == value for name, value in data.items())
        ]
        assert forms, f"no form with {sorted(data)} on {path}"
        return self.request("POST", forms[0]["action"] or path, {**forms[0]["hidden"], **data})


# --- gunicorn, as the Dockerfile runs it --------------------------------------------------------------------

ACCESS = re.compile(r'ACCESS <(\d+)> "(\S+) (\S+) [^"]*" (\d+)')


class Gunicorn:
    """`gunicorn buurthulp.wsgi:application --workers 2`, with an access log that names the worker's pid."""

    def __init__(self, port, env, log_path):
        self.port, self.env, self.log_path = port, env, log_path
        self.proc = None

    def start(self):
        assert _port_free(self.port), f"port {self.port} is taken"
        log = open(self.log_path, "w")  # noqa: SIM115 - closed by the OS with the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "buurthulp.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
            + ["--workers", "2", "--timeout", "30", "--access-logfile", "-"]
            + ["--access-logformat", 'ACCESS %(p)s "%(r)s" %(s)s'],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(
            lambda: self.log().count("Booting worker") >= 2 and _listening(self.port) or self.proc.poll() is not None,
            timeout=60,
            what="gunicorn to boot two workers",
        )
        assert self.proc.poll() is None, self.log()
        self.workers = set(re.findall(r"Booting worker with pid: (\d+)", self.log()))
        assert len(self.workers) == 2, self.log()

    def log(self):
        return self.log_path.read_text(errors="replace")

    def access(self):
        """[(pid, method, path, status)] of every request served so far."""
        return [(m[1], m[2], m[3], int(m[4])) for m in ACCESS.finditer(self.log())]

    def stop(self):
        _kill_group(self.proc)


def _spread(browser, paths, rounds=6, threads=4):
    """Loads every path `rounds` times from `threads` parallel clients (sync workers: a busy worker leaves the
    next connection to the other one). Returns the pages, in order."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [path for _ in range(rounds) for path in paths]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda p: Browser(browser.port, browser.cookies).get(p), jobs))


# --- A. PostgreSQL down -------------------------------------------------------------------------------------


class Cluster:
    """A PostgreSQL cluster of the drill's own: initdb into a temporary folder, its own port, trust auth."""

    def __init__(self, port):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
        if not bins:
            pytest.skip("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
        self.bin = Path(bins[-1])
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="buurthulp-drill-pg-"))
        self.data = self.dir / "data"
        self.started = False

    def _run(self, *args, timeout=DRILL_TIMEOUT):
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=timeout)

    def init(self):
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "-N")

    def start(self):
        assert _port_free(self.port), f"port {self.port} is taken"
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} -c fsync=off"
        self.started = True
        log = str(self.dir / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-w", "-t", "60", "-o", options, "start")

    def stop_immediate(self):
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name):
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def cleanup(self):
        if self.started:
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60)
            except subprocess.CalledProcessError:
                pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


# Made in the drill's own cluster by a process of its own (factory_boy, as everywhere in the tests): an
# organisation with a phone number, its coordinator (signed in: the session is in that database) and a request.
SETUP_SCRIPT = """
import json, django
django.setup()
from django.test import Client
from netwerken import mfa
from tests.factories import (
    AreaFactory, CategoryFactory, HelpRequestFactory, MembershipFactory, OrganisationFactory, VolunteerFactory,
)
org = OrganisationFactory(name="Buurthulp Drill", slug="drill", phone=%(phone)r)
coordinator = MembershipFactory(organisation=org, roles=("coordinator",))
AreaFactory(organisation=org, name="Centrum", postcodes=["3401"])
category = CategoryFactory(organisation=org, name="Boodschappen")
volunteer = VolunteerFactory(organisation=org, categories=[category])
help_request = HelpRequestFactory(organisation=org, category=category)
client = Client()
client.force_login(coordinator.user)
session = client.session
session[mfa.SESSION_OK] = True  # signed in with a second factor: this drill is about the database
session.save()
print("SETUP " + json.dumps({"sessionid": client.cookies["sessionid"].value, "request": help_request.pk,
                             "volunteer": volunteer.pk}))
"""


@pytest.fixture
def cluster():
    own = Cluster(PG_PORT)
    try:
        own.init()
        own.start()
        yield own
    finally:
        own.cleanup()


def _pages(ids):
    """(path, signed in?) of the pages loaded in the drill: an organisation's pages, signed in and public, and two
    pages outside any organisation."""
    return [
        ("/o/drill/coordinator/", True),
        ("/o/drill/hulpvragen/", True),
        (f"/o/drill/hulpvragen/{ids['request']}/", True),
        ("/o/drill/vrijwilligers/", True),
        (f"/o/drill/vrijwilligers/{ids['volunteer']}/", True),
        ("/o/drill/over/", False),
        ("/o/drill/hulp-vragen/", False),
        ("/o/drill/word-vrijwilliger/", False),
        ("/o/drill/privacy/", False),
        ("/", True),
        ("/accounts/login/", False),
    ]


# A page that needs no database while it is down: the anonymous login form (no session, no tenant). Posting it
# is a 503 like every other page.
NO_DATABASE_NEEDED = {"/accounts/login/"}


def test_postgresql_down_gives_the_dutch_503_and_every_warm_worker_recovers_without_a_restart(cluster, tmp_path):
    started = time.monotonic()
    cluster.create_database("drill")
    env = _base_env(DATABASE_URL=cluster.url("drill"), CONN_MAX_AGE="60", MFA_ENFORCE="1")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    setup = subprocess.run(
        [sys.executable, "-c", SETUP_SCRIPT % {"phone": ORG_PHONE}],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=DRILL_TIMEOUT,
        capture_output=True,
        text=True,
    )
    ids = json.loads(setup.stdout.split("SETUP ", 1)[1])
    web = Gunicorn(PG_WEB_PORT, env, tmp_path / "gunicorn.log")
    try:
        web.start()
        signed_in = Browser(web.port, {"sessionid": ids["sessionid"]})
        anonymous = Browser(web.port)
        pages = _pages(ids)

        def load_all(rounds):
            """Every page `rounds` times, from parallel clients, so both workers serve each."""
            results = []
            for who, browser in ((True, signed_in), (False, anonymous)):
                paths = [path for path, needs_login in pages if needs_login == who]
                results += list(zip(paths * rounds, _spread(browser, paths, rounds=rounds), strict=True))
            return results

        def served_by_every_worker(when):
            """Two rounds of every page: each must answer, and each warm worker must have answered some."""
            served_before = len(web.access())
            pages_loaded = load_all(rounds=1) + load_all(rounds=1)
            failed = [(path, page) for path, page in pages_loaded if page.status not in (200, 302)]
            assert not failed, f"{len(failed)} of {len(pages_loaded)} requests {when} failed: {failed[:3]}"
            answered = {pid for pid, _, _, status in web.access()[served_before:] if status in (200, 302)}
            assert answered == web.workers, f"every warm worker must have answered {when}"
            return pages_loaded

        # Before: every page loads, on both workers (each keeps its connection: CONN_MAX_AGE=60).
        before = load_all(rounds=4)
        assert all(page.status in (200, 302) for _, page in before), [(p, r) for p, r in before if r.status >= 400]
        tenant_pids = {pid for pid, _, path, status in web.access() if path.startswith("/o/drill/") and status == 200}
        assert tenant_pids == web.workers, "both workers must have served the organisation before the outage"

        # The database goes down, hard.
        cluster.stop_immediate()
        stopped = time.monotonic()
        during = load_all(rounds=2)
        during += [
            (
                "/accounts/login/ POST",
                Browser(web.port).submit("/accounts/login/", {"login": "a@example.nl", "password": "x"}),
            )
        ]
        for path, page in during:
            if path in NO_DATABASE_NEEDED:
                assert page.status == 200, (path, page)
                continue
            assert page.status == 503, (path, page)
            assert "Even niet beschikbaar" in page.text, path
            assert page.headers.get("Retry-After") == "30", path
            if path.startswith("/o/drill/"):
                assert f'href="tel:{ORG_PHONE}"' in page.text, f"no phone number on the 503 page of {path}"
                assert "Haast? Bel Buurthulp Drill" in page.text, path
        outage_pids = {pid for pid, _, path, status in web.access()[len(before) :] if status == 503}
        unavailable = [page for path, page in during if page.status == 503]
        assert outage_pids == web.workers, "both workers must have answered during the outage"
        health = anonymous.get("/healthz")
        assert health.status == 503
        assert json.loads(health.text)["database"].startswith("error")
        slowest_503 = max(page.seconds for _, page in during)

        # The database comes back; gunicorn is not restarted.
        cluster.start()
        back = time.monotonic()
        after = served_by_every_worker("after the restart")
        recovered = time.monotonic()
        assert web.proc.poll() is None and set(re.findall(r"Booting worker with pid: (\d+)", web.log())) == web.workers
        health = anonymous.get("/healthz")
        assert health.status == 200 and json.loads(health.text)["database"] == "ok"

        # A restart between two requests (a failover, a quick restart): every worker's persistent connection is
        # now stale, no request has seen the outage. The health check finds it dead before the page uses it.
        cluster.stop_immediate()
        cluster.start()
        blip_back = time.monotonic()
        blip = served_by_every_worker("on stale connections")
        blip_recovered = time.monotonic()
        report(
            "postgresql-down",
            pages_503=f"{len(unavailable)}/{len(during)} (the anonymous login form needs no database)",
            phone_on_org_pages="yes",
            slowest_503=f"{slowest_503:.2f}s",
            healthz="503 database error",
            after_restart=f"{len(after)}/{len(after)} answered in {recovered - back:.2f}s",
            outage=f"{back - stopped:.1f}s",
            quick_restart=f"{len(blip)}/{len(blip)} on stale connections answered in {blip_recovered - blip_back:.2f}s",
            total=f"{time.monotonic() - started:.1f}s",
        )
    finally:
        web.stop()


# --- B. Redis (broker and cache) down -----------------------------------------------------------------------


class Redis:
    """A redis-server of the drill's own, no persistence: a restart comes back empty, as after a crash."""

    def __init__(self, port, folder):
        self.port, self.folder, self.proc = port, folder, None

    def start(self):
        assert _port_free(self.port), f"port {self.port} is taken"
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: _listening(self.port), timeout=30, what="redis-server to listen")

    def stop(self):
        _kill_group(self.proc)
        wait_for(lambda: _port_free(self.port), timeout=30, what="redis-server to stop")


class Celery:
    """The worker and beat of docker-compose.yml (`celery -A buurthulp worker|beat`), each in its own process group."""

    def __init__(self, env, folder):
        self.env, self.folder, self.procs = env, folder, {}

    def start(self, role, *args):
        log = open(self.folder / f"{role}.log", "w")  # noqa: SIM115 - closed by the OS with the process
        self.procs[role] = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "buurthulp", role, "--loglevel=INFO", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self, role):
        return (self.folder / f"{role}.log").read_text(errors="replace")

    def stop(self):
        for proc in self.procs.values():
            _kill_group(proc)


def _password(user, password="buurthulp-demo"):
    """The tests hash with MD5 (conftest); gunicorn knows only the settings' hashers."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user.password = PBKDF2PasswordHasher().encode(password, "drillsalt0123456")
    user.save(update_fields=["password"])
    return user


def test_redis_down_every_form_answers_and_the_work_is_done_when_it_returns(tmp_path):
    """Redis (broker and cache) stopped under gunicorn: the forms and the coordinator's and volunteer's actions answer
    and keep what was typed, their mail waits in the database; Redis started again (empty) with a worker and beat,
    every waiting mail is sent exactly once, and new work goes through the broker again."""
    from django.test import override_settings
    from django_scopes import scopes_disabled

    from matching.models import HelpRequest, Match
    from matching.proposals import proposal_token
    from netwerken.models import OutgoingEmail, Volunteer

    from .conftest import make_tenant
    from .factories import HelpRequestFactory, MatchFactory
    from .test_drills_worker import StallingSMTP
    from .test_requests import online_payload
    from .test_volunteers import signup_payload

    tenant = make_tenant(name="Buurthulp Oost", slug="oost", phone=ORG_PHONE)
    volunteer_user = _password(tenant.user("volunteer"))
    coordinator_user = _password(tenant.user("coordinator"))
    cancelled = tenant.objects["help_request"]
    # A second request proposed to the volunteer, answered through the proposal link while Redis is down.
    proposed = HelpRequestFactory(
        organisation=tenant.organisation,
        category=tenant.objects["category"],
        status=HelpRequest.Status.PROPOSED,
    )
    proposal = MatchFactory(help_request=proposed, volunteer=tenant.objects["volunteer"])
    OutgoingEmail.objects.all().delete()  # only what the drill's users cause is counted
    redis = Redis(REDIS_PORT, tmp_path)
    smtp = StallingSMTP()
    broker = f"redis://127.0.0.1:{REDIS_PORT}"
    common = {
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": f"{broker}/0",
        "CACHE_URL": f"{broker}/1",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_TIMEOUT": "4",
    }
    # A web process tries the broker again BROKER_RETRY_AFTER after a failure (30 s in production).
    web = Gunicorn(REDIS_WEB_PORT, _base_env(**common, CONN_MAX_AGE="60", BROKER_RETRY_AFTER="3"), tmp_path / "web.log")
    # The sweeps' interval and the mail's patience shortened from 60 s and 120 s, so the drill takes seconds.
    celery = Celery(
        _base_env(**common, SWEEP_INTERVAL_SECONDS="2", EMAIL_PENDING_PATIENCE_SECONDS="1", LOG_LEVEL="INFO"), tmp_path
    )
    try:
        redis.start()
        web.start()
        assert all(page.status == 200 for page in _spread(Browser(web.port), ["/o/oost/over/", "/healthz"]))
        redis.stop()
        stopped = time.monotonic()
        answers = {}
        login = Browser(web.port)
        answers["login"] = login.submit(
            "/accounts/login/", {"login": volunteer_user.email, "password": "buurthulp-demo"}
        )
        answers["password reset"] = Browser(web.port).submit(
            "/accounts/password/reset/", {"email": volunteer_user.email}
        )
        answers["public request form"] = Browser(web.port).submit("/o/oost/hulp-vragen/", online_payload(tenant))
        answers["volunteer sign-up"] = Browser(web.port).submit("/o/oost/word-vrijwilliger/", signup_payload(tenant))
        coordinator = Browser(web.port)
        coordinator.submit("/accounts/login/", {"login": coordinator_user.email, "password": "buurthulp-demo"})
        answers["status change"] = coordinator.submit(
            f"/o/oost/hulpvragen/{cancelled.pk}/", {"to_status": "geannuleerd", "reason": "Bewoner is verhuisd"}
        )
        with override_settings(SECRET_KEY=DRILL_SECRET_KEY):  # the link as gunicorn signs it, from the mail
            link = f"/o/oost/voorstel/{proposal_token(proposal)}/"
        answers["proposal answer"] = Browser(web.port).submit(link, {"action": "accept"})
        health = Browser(web.port).get("/healthz")
        for form, page in answers.items():
            assert page.status == 302, (form, page)
        assert login.get("/o/oost/vrijwilliger/").status == 200, "signed in"
        state = json.loads(health.text)
        assert health.status == 200 and state["status"] == "degraded"
        assert state["broker"].startswith("error") and state["cache"].startswith("error")
        with scopes_disabled():
            assert HelpRequest.objects.filter(channel="online", resident__name="Ahmed Bakkali").count() == 1
            assert Volunteer.objects.filter(membership__user__email="sanne@example.nl").count() == 1
            assert HelpRequest.objects.get(pk=cancelled.pk).status == HelpRequest.Status.CANCELLED
            assert Match.objects.get(pk=proposal.pk).status == Match.Status.ACCEPTED
        waiting = OutgoingEmail.objects.filter(sent_at__isnull=True)
        assert waiting.filter(to=volunteer_user.email, subject__icontains="wachtwoord").exists(), "password reset"
        assert waiting.filter(to="sanne@example.nl").exists(), "the verification mail waits in the database"
        assert waiting.filter(to=volunteer_user.email).exclude(subject__icontains="wachtwoord").exists(), (
            "the volunteer's mail about the cancelled request waits"
        )
        assert waiting.filter(to=coordinator_user.email).exists(), "the coordinator's mail about the accepted proposal"
        waited = waiting.count()
        outage = time.monotonic() - stopped

        # Redis back, empty (no persistence), with the worker and beat of docker-compose.yml.
        redis.start()
        back = time.monotonic()
        celery.start("worker", "--concurrency=2")
        celery.start("beat", f"--schedule={tmp_path / 'celerybeat-schedule'}")
        wait_for(lambda: not waiting.exists(), timeout=90, what="the sweep to send every waiting mail")
        swept = time.monotonic() - back
        assert len(smtp.delivered) == waited and len(set(smtp.delivered)) == waited, smtp.delivered
        assert set(smtp.delivered) == set(OutgoingEmail.objects.values_list("message_id", flat=True))
        # New work goes through the broker again: a mail asked for now is sent by the worker at once.
        time.sleep(3)  # BROKER_RETRY_AFTER of the web processes that failed an enqueue
        asked = time.monotonic()
        again = Browser(web.port).submit("/accounts/password/reset/", {"email": coordinator_user.email})
        assert again.status == 302, again
        wait_for(lambda: not waiting.exists(), timeout=30, what="the new mail to be sent")
        new_mail = time.monotonic() - asked
        assert len(smtp.delivered) == waited + 1 and len(set(smtp.delivered)) == waited + 1
        assert "Traceback" not in web.log() and "Internal Server Error" not in web.log(), web.log()[-3000:]
        report(
            "redis-down",
            forms=", ".join(f"{form} {page.status}->{page.location}" for form, page in answers.items()),
            slowest=f"{max(page.seconds for page in answers.values()):.2f}s",
            healthz=f"{health.status} degraded (broker {state['broker']}, cache {state['cache']})",
            mails_waiting=waited,
            outage=f"{outage:.1f}s",
            recovery=f"{waited}/{waited} mails sent once, {swept:.1f}s after Redis returned (sweep every 2 s)",
            new_mail=f"sent {new_mail:.1f}s after the form",
        )
    finally:
        web.stop()
        celery.stop()
        redis.stop()
        smtp.close()
