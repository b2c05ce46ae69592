"""The production stack, natively: what docker-compose.yml and the Dockerfile describe, without containers.

    python -m buurthulp.stack run     # PostgreSQL, Redis, migrate, collectstatic, gunicorn, worker, beat; Ctrl-C stops
    python -m buurthulp.stack smoke   # the same, then checks a page, its CSS, a login, a task, /healthz; then stops

The commands and the app's environment are read from docker-compose.yml (the x-app environment, each service's
command and health check) and the Dockerfile (ENV, the collectstatic step, CMD), then made local: the services'
host names become 127.0.0.1 and ports of our own, paths inside the image become paths under `.stack/`, and the
values compose asks for (the `.env` secrets) get development values: a generated SECRET_KEY and database
password (kept in `.stack/secrets.json`), SITE_URL http://127.0.0.1:<port>, and plain http (BEHIND_HTTPS_PROXY,
SECURE_SSL_REDIRECT, SECURE_COOKIES and HSTS off, no proxy in front). Without EMAIL_HOST mail goes to the
worker's log (console backend). Everything else is as deployed: DEBUG=0, gunicorn with the Dockerfile's
workers, the worker's concurrency, MFA_ENFORCE on, whitenoise with the manifest storage.

PostgreSQL is a cluster of its own (initdb into `.stack/pg` with the Debian binaries in
/usr/lib/postgresql/*/bin; as root it runs as the `postgres` user), Redis a redis-server of its own; both keep
their data in `.stack/` between runs. Logs are in `.stack/logs/`. Every process started is stopped at the end,
also on a failure, Ctrl-C or SIGTERM.
"""

import argparse
import glob
import http.cookiejar
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / ".stack"
DEFAULT_PORTS = {"web": 18201, "db": 18202, "redis": 18203}
START_TIMEOUT = 90  # seconds a service may take to become ready
STOP_TIMEOUT = 20  # seconds a process may take to stop before it is killed

# ---------------------------------------------------------------------------------------------------------------
# Reading docker-compose.yml (a small YAML subset: what a compose file uses) and the Dockerfile
# ---------------------------------------------------------------------------------------------------------------


def _strip_comment(line):
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index].rstrip()
    return line.rstrip()


def _scalar(text):
    text = text.strip()
    if text in {"", "~", "null"}:
        return None
    if text.startswith("["):
        return json.loads(text)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        body = text[1:-1]
        return json.loads(text) if text[0] == '"' else body.replace("''", "'")
    return text


def parse_yaml(source):
    """Mappings by indentation, `- item` lists, flow lists (JSON), quoted and plain scalars, comments, anchors
    (`&name`), aliases (`*name`) and merge keys (`<<: *name`): what docker-compose.yml is written in."""
    lines = []
    for raw in source.splitlines():
        line = _strip_comment(raw)
        if line.strip():
            lines.append((len(line) - len(line.lstrip(" ")), line.strip()))
    anchors = {}
    position = 0

    def block(indent):
        nonlocal position
        if lines[position][1].startswith("- "):
            items = []
            while position < len(lines) and lines[position][0] == indent and lines[position][1].startswith("- "):
                items.append(_scalar(lines[position][1][2:]))
                position += 1
            return items
        mapping, merged = {}, {}
        while position < len(lines) and lines[position][0] == indent:
            text = lines[position][1]
            key, _, rest = text.partition(":")
            key, rest = _scalar(key), rest.strip()
            position += 1
            anchor = None
            if rest.startswith("&"):
                anchor, _, rest = rest.partition(" ")
                anchor, rest = anchor[1:], rest.strip()
            if rest.startswith("*"):
                value = anchors[rest[1:]]
            elif rest:
                value = _scalar(rest)
            elif position < len(lines) and lines[position][0] > indent:
                value = block(lines[position][0])
            elif position < len(lines) and lines[position][0] == indent and lines[position][1].startswith("- "):
                value = block(indent)  # a list at the key's own indentation
            else:
                value = None
            if anchor:
                anchors[anchor] = value
            if key == "<<":
                merged.update(value)
            else:
                mapping[key] = value
        return {**merged, **mapping}  # explicit keys win over merged ones, as in YAML

    return block(lines[0][0]) if lines else {}


_INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(value, variables):
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}` and `$$`, from `variables`."""

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        operator, argument = match.group(2), match.group(3)
        current = variables.get(name)
        if operator in {":-", "-"}:
            unset = current is None or (operator == ":-" and current == "")
            return argument if unset else current
        if operator in {":?", "?"}:
            if current is None or (operator == ":?" and current == ""):
                raise ValueError(f"{name}: {argument}")
            return current
        return current or ""

    return _INTERPOLATION.sub(replace, value)


def read_compose(path=ROOT / "docker-compose.yml"):
    return parse_yaml(Path(path).read_text(encoding="utf-8"))


def read_dockerfile(path=ROOT / "Dockerfile"):
    """The image's ENV, WORKDIR, the shell steps of RUN (split on &&) and CMD, continuation lines joined."""
    text = re.sub(r"\\\n", " ", Path(path).read_text(encoding="utf-8"))
    result = {"env": {}, "workdir": "/", "run": [], "cmd": None}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "ENV":
            words = shlex.split(rest)
            if words and "=" not in words[0]:  # the old form: ENV NAME value
                result["env"][words[0]] = " ".join(words[1:])
            else:
                result["env"].update(word.split("=", 1) for word in words)
        elif instruction == "WORKDIR":
            result["workdir"] = rest.strip()
        elif instruction == "RUN":
            result["run"].extend(step.strip() for step in rest.split("&&"))
        elif instruction == "CMD":
            result["cmd"] = json.loads(rest) if rest.strip().startswith("[") else ["sh", "-c", rest]
    return result


# ---------------------------------------------------------------------------------------------------------------
# The plan: compose and the Dockerfile, made local
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    directory: Path
    ports: dict
    env: dict  # the app's environment (every app process)
    build_env: dict  # the collectstatic step's (the image build's)
    commands: dict  # name -> argv
    healthchecks: dict = field(default_factory=dict)  # name -> argv
    db: dict = field(default_factory=dict)  # POSTGRES_DB, POSTGRES_USER, POSTGRES_PASSWORD

    @property
    def url(self):
        return f"http://127.0.0.1:{self.ports['web']}"


def load_secrets(directory):
    """The values compose takes from `.env`: generated once per stack directory, kept (sessions survive)."""
    path = Path(directory) / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    values = {"SECRET_KEY": secrets.token_urlsafe(50), "POSTGRES_PASSWORD": secrets.token_urlsafe(18)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(values))
    return values


def dev_variables(ports, secret_values):
    """What `.env` would hold, for plain http on this machine."""
    web = f"http://127.0.0.1:{ports['web']}"
    return {
        **secret_values,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": web,
        "CSRF_TRUSTED_ORIGINS": web,
        # Plain http, nothing in front: no https redirect, no HSTS, no Secure cookies, no proxy to trust.
        "BEHIND_HTTPS_PROXY": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "TRUSTED_PROXY_COUNT": "0",
        # No mail server: the settings fall back to the console backend, so mail is printed in the worker's log.
        "EMAIL_HOST": "",
        "EMAIL_USE_TLS": "0",
        "DEFAULT_FROM_EMAIL": "Buurthulp <noreply@buurthulp.localhost>",
    }


def _resolve_required(value, variables):
    # `${EMAIL_HOST:?...}` must be set in compose; locally an empty EMAIL_HOST is allowed (the console backend).
    return interpolate(re.sub(r"\$\{([A-Za-z_0-9]+):\?[^}]*\}", r"${\1}", value), variables)


def _localise_url(value, ports):
    """redis://redis:6379/0 -> redis://127.0.0.1:<ours>/0; ...@db:5432/... -> ...@127.0.0.1:<ours>/..."""
    return re.sub(
        r"(?<=[@/])(db|redis):\d+",
        lambda match: f"127.0.0.1:{ports[match.group(1)]}",
        value,
    )


def _executable(name):
    if name == "python":
        return sys.executable
    beside = Path(sys.executable).parent / name  # the venv's own gunicorn and celery
    if beside.exists():
        return str(beside)
    return shutil.which(name) or name


def make_plan(directory=DEFAULT_DIR, ports=None, compose=None, dockerfile=None):
    directory = Path(directory).resolve()
    ports = {**DEFAULT_PORTS, **(ports or {})}
    compose = compose if compose is not None else read_compose()
    dockerfile = dockerfile if dockerfile is not None else read_dockerfile()
    variables = dev_variables(ports, load_secrets(directory))
    services = compose["services"]
    workdir = dockerfile["workdir"].rstrip("/")

    def local_path(value):
        # A path inside the image (/app/staticfiles, /tmp/celerybeat-schedule) becomes one under the stack directory.
        value = re.sub(rf"^{re.escape(workdir)}/", f"{directory}/", value) if workdir else value
        return re.sub(r"/tmp/celerybeat-schedule", str(directory / "celerybeat-schedule"), value)

    def local_command(argv):
        argv = [local_path(_localise_url(str(word), ports)) for word in argv]
        argv = [word.replace("0.0.0.0:8000", f"127.0.0.1:{ports['web']}") for word in argv]
        return [_executable(argv[0]), *argv[1:]]

    image_env = {key: local_path(value) for key, value in dockerfile["env"].items()}
    app_env = {
        key: _localise_url(_resolve_required(str(value), variables), ports)
        for key, value in services["web"]["environment"].items()
    }
    # A clean environment, as in a container: nothing of the caller's DATABASE_URL, DEBUG, TASKS_INLINE...
    base = {key: os.environ[key] for key in ("HOME", "LANG", "LC_ALL", "TZ", "TMPDIR") if key in os.environ}
    # The venv's bin first, as the image's python, gunicorn and celery are first on its PATH (health checks).
    base["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "/usr/bin:/bin")])
    env = {**base, **image_env, **app_env}

    collectstatic = next(step for step in dockerfile["run"] if "collectstatic" in step)
    words = shlex.split(collectstatic)
    assignments = {}
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        key, value = words.pop(0).split("=", 1)
        assignments[key] = value
    build_env = {**base, **image_env, **assignments}

    commands = {
        "db": None,  # postgres: started from the cluster's own binaries (start_db)
        "redis": local_command(services["redis"]["command"])
        + ["--port", str(ports["redis"]), "--bind", "127.0.0.1", "--dir", str(directory / "redis")],
        "migrate": local_command(services["migrate"]["command"]),
        "collectstatic": local_command(words),
        "web": local_command(services["web"].get("command") or dockerfile["cmd"]),
        "worker": local_command(services["worker"]["command"]),
        "beat": local_command(services["beat"]["command"]),
    }
    healthchecks = {}
    for name, service in services.items():
        test = (service.get("healthcheck") or {}).get("test")
        if not test:
            continue
        if test[0] == "CMD-SHELL":
            script = interpolate(test[1], {})  # $$ -> $ (the shell expands the rest)
            script = local_path(_localise_url(script, ports)).replace("127.0.0.1:8000", f"127.0.0.1:{ports['web']}")
            healthchecks[name] = ["sh", "-c", script]
        else:
            healthchecks[name] = local_command(
                [word.replace("127.0.0.1:8000", f"127.0.0.1:{ports['web']}") for word in test[1:]]
            )
    db = {key: interpolate(str(value), variables) for key, value in services["db"]["environment"].items()}
    return Plan(directory, ports, env, build_env, commands, healthchecks, db)


# ---------------------------------------------------------------------------------------------------------------
# Running it
# ---------------------------------------------------------------------------------------------------------------


def stop_group(process, stop_signal=signal.SIGTERM, timeout=STOP_TIMEOUT):
    """Stops a process started in a session of its own: `stop_signal` to its group, then SIGKILL to whatever of
    the group is left (pool children, gunicorn workers, postgres backends). False if it had to be killed."""
    stopped = True
    if process.poll() is None:
        try:
            os.killpg(process.pid, stop_signal)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stopped = False
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
    return stopped


class StackError(Exception):
    pass


def _postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise StackError("no PostgreSQL binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    return Path(found[-1]).parent


def _free(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


class Stack:
    def __init__(self, plan, out=print):
        self.plan = plan
        self.out = out
        self.processes = []  # (name, Popen, stop signal), in start order
        self.logs = plan.directory / "logs"
        self.as_postgres = os.geteuid() == 0  # PostgreSQL refuses to run as root

    # -- processes ------------------------------------------------------------------------------------------------

    def _log(self, name):
        self.logs.mkdir(parents=True, exist_ok=True)
        return open(self.logs / f"{name}.log", "ab")

    def spawn(self, name, argv, env=None, stop_signal=signal.SIGTERM, **kwargs):
        with self._log(name) as log:
            process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env if env is not None else self.plan.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with all its children, not by our Ctrl-C
                **kwargs,
            )
        self.processes.append((name, process, stop_signal))
        return process

    def run_once(self, name, argv, env=None, timeout=300, **kwargs):
        process = self.spawn(name, argv, env=env, **kwargs)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise StackError(f"{name} did not finish in {timeout} s") from exc
        finally:
            self._stop_one(name, process, signal.SIGTERM)
            self.processes = [entry for entry in self.processes if entry[1] is not process]
        if code != 0:
            raise StackError(f"{name} failed (exit {code}); see {self.logs / (name + '.log')}:\n{self.tail(name)}")

    def tail(self, name, lines=15):
        path = self.logs / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def _stop_one(self, name, process, stop_signal):
        if not stop_group(process, stop_signal, STOP_TIMEOUT):
            self.out(f"  {name} did not stop in {STOP_TIMEOUT} s: killed")

    def stop(self):
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave half of it running
        try:
            for name, process, stop_signal in reversed(self.processes):
                self._stop_one(name, process, stop_signal)
            self.processes = []
        finally:
            signal.signal(signal.SIGINT, previous)

    def check_alive(self):
        for name, process, _signal in self.processes:
            if process.poll() is not None:
                raise StackError(f"{name} stopped (exit {process.returncode}):\n{self.tail(name)}")

    def wait_until(self, what, condition, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            if condition():
                return
            time.sleep(0.3)
        raise StackError(f"{what} not ready after {timeout} s")

    # -- services -------------------------------------------------------------------------------------------------

    def _as_postgres(self):
        return {"user": "postgres", "group": "postgres", "extra_groups": []} if self.as_postgres else {}

    def start_db(self):
        bin_dir = _postgres_bin()
        data = self.plan.directory / "pg"
        user, password = self.plan.db["POSTGRES_USER"], self.plan.db["POSTGRES_PASSWORD"]
        if not (data / "PG_VERSION").exists():
            data.mkdir(parents=True, exist_ok=True)
            pwfile = self.plan.directory / "pg-password"
            pwfile.write_text(password + "\n")
            if self.as_postgres:
                shutil.chown(data, "postgres", "postgres")
                shutil.chown(pwfile, "postgres", "postgres")
            pwfile.chmod(0o600)
            try:
                self.run_once(
                    "initdb",
                    [str(bin_dir / "initdb"), "-D", str(data), "-U", user, f"--pwfile={pwfile}", "-E", "UTF8"]
                    + ["--no-locale", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"],
                    env={"PATH": os.environ.get("PATH", "")},
                    **self._as_postgres(),
                )
            finally:
                pwfile.unlink(missing_ok=True)
        self.spawn(
            "db",
            [str(bin_dir / "postgres"), "-D", str(data), "-p", str(self.plan.ports["db"])]
            + ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
            env={"PATH": os.environ.get("PATH", "")},
            stop_signal=signal.SIGINT,  # PostgreSQL's fast shutdown
            **self._as_postgres(),
        )
        ready = [str(bin_dir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.plan.ports["db"]), "-U", user]
        self.wait_until("PostgreSQL", lambda: subprocess.run(ready, check=False).returncode == 0)
        env = {"PATH": os.environ.get("PATH", ""), "PGPASSWORD": password}
        connect = ["-h", "127.0.0.1", "-p", str(self.plan.ports["db"]), "-U", user]
        name = self.plan.db["POSTGRES_DB"]
        exists = subprocess.run(
            [
                str(bin_dir / "psql"),
                *connect,
                "-d",
                "postgres",
                "-tAc",
                f"SELECT 1 FROM pg_database WHERE datname='{name}'",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        if exists.stdout.strip() != "1":
            subprocess.run([str(bin_dir / "createdb"), *connect, name], env=env, check=True)

    def start_redis(self):
        (self.plan.directory / "redis").mkdir(parents=True, exist_ok=True)
        self.spawn("redis", self.plan.commands["redis"], env={"PATH": os.environ.get("PATH", "")})
        ping = ["redis-cli", "-h", "127.0.0.1", "-p", str(self.plan.ports["redis"]), "ping"]
        self.wait_until("Redis", lambda: subprocess.run(ping, capture_output=True, text=True).stdout.strip() == "PONG")

    def _get(self, path, timeout=5):
        try:
            with urllib.request.urlopen(self.plan.url + path, timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return None

    def start(self):
        """Everything, in compose's order (db and redis healthy -> migrate -> web, worker, beat)."""
        taken = [f"{name} {port}" for name, port in self.plan.ports.items() if not _free(port)]
        if taken:
            raise StackError(f"ports in use: {', '.join(taken)} (another stack running? --port-base to move)")
        self.plan.directory.mkdir(parents=True, exist_ok=True)
        steps = []
        for name, action in [
            ("db", self.start_db),
            ("redis", self.start_redis),
            ("migrate", lambda: self.run_once("migrate", self.plan.commands["migrate"])),
            (
                "collectstatic",
                lambda: self.run_once("collectstatic", self.plan.commands["collectstatic"], env=self.plan.build_env),
            ),
            ("web", self.start_web),
            ("worker", lambda: self.spawn("worker", self.plan.commands["worker"])),
            ("beat", lambda: self.spawn("beat", self.plan.commands["beat"])),
        ]:
            began = time.monotonic()
            action()
            steps.append((name, time.monotonic() - began))
            self.out(f"  started {name:<13} {time.monotonic() - began:6.1f} s")
        return steps

    def start_web(self):
        self.spawn("web", self.plan.commands["web"])
        self.wait_until("gunicorn", lambda: self._get("/healthz") is not None)


# ---------------------------------------------------------------------------------------------------------------
# The smoke test
# ---------------------------------------------------------------------------------------------------------------

SMOKE_ORG = "stack-rookproef"
SMOKE_EMAIL = "rookproef@stack.localhost"

# Run with the app's environment (manage.py shell): an organisation, and a volunteer who can sign in.
SETUP_USER = """
import json
from allauth.account.models import EmailAddress
from django_scopes import scope
from netwerken.models import Membership, Organisation, User
from netwerken.services import organisation_create, volunteer_register

organisation = Organisation.objects.filter(slug=SLUG).first() or organisation_create(
    name="Stack rookproef", slug=SLUG, municipality="Utrecht", kind="buurthulp",
    help_type="liefdadigheid", phase="uitvoering",
)
user, _ = User.objects.get_or_create(email=EMAIL, defaults={"name": "Rook Proef"})
user.set_password(PASSWORD)
user.save()
EmailAddress.objects.update_or_create(user=user, email=EMAIL, defaults={"verified": True, "primary": True})
with scope(organisation=organisation):
    if not Membership.objects.filter(user=user, organisation=organisation, is_volunteer=True).exists():
        volunteer_register(
            organisation=organisation, user=user, phone="+31612345678", postcode="3511 AA", house_number="1",
            areas=[], max_distance_km=5, availability=0, languages=["nl"], preference="beide",
            max_requests_per_month=2, consent_text="Rookproef van de stack",
        )
print(json.dumps({"user": user.pk}))
"""

# Queues one mail in a transaction: after the commit its task goes through Redis to the worker, which sends it.
QUEUE_MAIL = """
import json
from django.db import transaction
from netwerken import mail
with transaction.atomic():
    email = mail.queue_email(to=EMAIL, subject=SUBJECT, body_text="Via Redis naar de worker.")
print(json.dumps({"email": email.pk}))
"""

MAIL_SENT = """
import json
from netwerken.models import OutgoingEmail
email = OutgoingEmail.objects.get(pk=PK)
print(json.dumps({"sent": email.sent_at is not None, "attempts": email.attempts}))
"""


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stylesheets, self.inputs = [], {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs.get("href"))
        if tag == "input" and attrs.get("name"):
            self.inputs[attrs["name"]] = attrs.get("value") or ""


def _parse(html):
    parser = _Links()
    parser.feed(html)
    return parser


class Browser:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path, data=None, timeout=20):
        url = urllib.parse.urljoin(self.base, path)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Accept-Language": "nl"})
        try:
            response = self.opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            response = exc
        with response:
            return response.status, response.geturl(), dict(response.headers), response.read()


class Smoke:
    def __init__(self, stack):
        self.stack = stack
        self.plan = stack.plan
        self.results = []  # (name, ok, seconds, detail)

    def shell(self, code, **names):
        prelude = "".join(f"{key} = {value!r}\n" for key, value in names.items())
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", prelude + code],
            cwd=ROOT,
            env=self.plan.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise AssertionError(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "shell failed")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def check(self, name, function):
        began = time.monotonic()
        try:
            detail = function()
            ok = True
        except Exception as exc:  # noqa: BLE001 - every failure is a failed check, reported as such
            ok, detail = False, f"{exc.__class__.__name__}: {exc}"
        seconds = time.monotonic() - began
        self.results.append((name, ok, seconds, detail))
        self.stack.out(f"  {'ok  ' if ok else 'FAIL'} {name:<10} {seconds:5.1f} s  {detail}")
        return ok

    # -- the checks -----------------------------------------------------------------------------------------------

    def page(self):
        status, _url, headers, body = Browser(self.plan.url).request("/")
        html = body.decode()
        assert status == 200, f"GET / answered {status}"
        assert "Buurthulp" in html, "the home page does not name Buurthulp"
        self.stylesheet = next(iter(_parse(html).stylesheets), None)
        assert self.stylesheet, "the home page links no stylesheet"
        return f"GET / 200, {len(body)} bytes, links {self.stylesheet}"

    def static(self):
        assert self.stylesheet, "no stylesheet to fetch"
        status, _url, headers, body = Browser(self.plan.url).request(self.stylesheet)
        assert status == 200, f"{self.stylesheet} answered {status}"
        assert headers.get("Content-Type", "").startswith("text/css"), headers.get("Content-Type")
        # collectstatic's manifest gave it a hashed name; whitenoise serves it for ever (immutable).
        assert re.search(r"\.[0-9a-f]{12}\.css$", self.stylesheet), f"{self.stylesheet} is not a hashed name"
        return f"200 text/css, {len(body)} bytes, Cache-Control: {headers.get('Cache-Control')}"

    def login(self):
        password = secrets.token_urlsafe(16)
        self.shell(SETUP_USER, SLUG=SMOKE_ORG, EMAIL=SMOKE_EMAIL, PASSWORD=password)
        browser = Browser(self.plan.url)
        status, _url, _headers, body = browser.request("/accounts/login/")
        assert status == 200, f"GET /accounts/login/ answered {status}"
        token = _parse(body.decode()).inputs.get("csrfmiddlewaretoken")
        assert token, "no CSRF token on the login page"
        assert any(cookie.name == "csrftoken" for cookie in browser.jar), "no CSRF cookie over plain http"
        status, url, _headers, body = browser.request(
            "/accounts/login/", {"csrfmiddlewaretoken": token, "login": SMOKE_EMAIL, "password": password}
        )
        html = body.decode()
        path = urllib.parse.urlparse(url).path
        assert status == 200, f"the login answered {status} at {path}"
        assert path == f"/o/{SMOKE_ORG}/vrijwilliger/", f"after logging in: {path}, not the volunteer's dashboard"
        assert "Mijn vrijwilligerswerk" in html and "Uitloggen" in html, "the dashboard does not show"
        return f"{SMOKE_EMAIL} -> {path} (Mijn vrijwilligerswerk)"

    def task(self):
        subject = f"Rookproef {secrets.token_hex(4)}"
        email = self.shell(QUEUE_MAIL, EMAIL=SMOKE_EMAIL, SUBJECT=subject)["email"]
        began = time.monotonic()
        state = {}
        while time.monotonic() - began < 60:
            state = self.shell(MAIL_SENT, PK=email)
            if state["sent"]:
                break
            time.sleep(0.5)
        assert state.get("sent"), f"mail {email} not sent by the worker within 60 s: {state}"
        # The console backend prints it in the worker's log: the worker sent it, not this process.
        assert subject in (self.stack.logs / "worker.log").read_text(errors="replace"), "not in the worker's log"
        return f"mail {email} queued, sent by the worker via Redis in {time.monotonic() - began:.1f} s"

    def healthz(self):
        status, _url, headers, body = Browser(self.plan.url).request("/healthz")
        state = json.loads(body)
        assert status == 200, f"/healthz answered {status}: {state}"
        assert state == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}, state
        return f"200 {json.dumps(state)}"

    def healthcheck(self, service):
        """docker-compose.yml's own health check of the service, run against the local one."""
        argv = self.plan.healthchecks[service]
        env = {**self.plan.env, "HOSTNAME": socket.gethostname()}
        result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, (result.stdout + result.stderr).strip()[-300:] or f"exit {result.returncode}"
        return "compose health check passes"

    def run(self):
        checks = [
            ("page", self.page),
            ("static", self.static),
            ("login", self.login),
            ("task", self.task),
            ("healthz", self.healthz),
            ("worker", lambda: self.healthcheck("worker")),
            ("beat", lambda: self.healthcheck("beat")),
        ]
        self.stylesheet = None
        for name, function in checks:
            self.check(name, function)
        return all(ok for _name, ok, _seconds, _detail in self.results)


# ---------------------------------------------------------------------------------------------------------------


class _Stop(Exception):
    pass


def _on_signal(signum, _frame):
    raise _Stop(signal.Signals(signum).name)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m buurthulp.stack", description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["run", "smoke"])
    parser.add_argument("--dir", default=str(DEFAULT_DIR), help="where the cluster, Redis data and logs live")
    parser.add_argument(
        "--port-base",
        type=int,
        default=DEFAULT_PORTS["web"],
        help="web on this port, PostgreSQL on the next, Redis on the one after (default 18201)",
    )
    args = parser.parse_args(argv)
    ports = {"web": args.port_base, "db": args.port_base + 1, "redis": args.port_base + 2}
    began = time.monotonic()
    plan = make_plan(args.dir, ports)
    stack = Stack(plan, out=lambda line: print(line, flush=True))
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    print(f"stack in {plan.directory}: web {plan.url}, PostgreSQL {ports['db']}, Redis {ports['redis']}", flush=True)
    ok, summary, started, checked = False, "", 0.0, 0.0
    try:
        stack.start()
        started = time.monotonic() - began
        if args.mode == "run":
            print(f"ready in {started:.1f} s: {plan.url} (logs in {stack.logs}); Ctrl-C stops it", flush=True)
            print(
                "  an account: "
                + " ".join(shlex.quote(word) for word in [sys.executable, "-m", "buurthulp.stack"])
                + " smoke creates one; or run manage.py createsuperuser with the stack's environment",
                flush=True,
            )
            while True:
                stack.check_alive()
                time.sleep(1)
        smoke = Smoke(stack)
        ok = smoke.run()
        checked = time.monotonic() - began - started
        passed = sum(1 for _name, good, _s, _d in smoke.results if good)
        summary = f"{passed}/{len(smoke.results)} checks passed"
    except (KeyboardInterrupt, _Stop) as exc:
        summary = f"interrupted ({exc.__class__.__name__ if isinstance(exc, KeyboardInterrupt) else exc})"
    except StackError as exc:
        summary = f"the stack did not start: {exc}"
    finally:
        stopping = time.monotonic()
        stack.stop()
        stopped = time.monotonic() - stopping
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    total = time.monotonic() - began
    outcome = "OK" if ok else ("stopped" if args.mode == "run" else "FAILED")
    print(
        f"stack {args.mode}: {outcome}, {summary} in {total:.1f} s "
        f"(start {started:.1f} s, checks {checked:.1f} s, stop {stopped:.1f} s)",
        flush=True,
    )
    return 0 if ok or (args.mode == "run" and summary.startswith("interrupted")) else 1


if __name__ == "__main__":
    sys.exit(main())
