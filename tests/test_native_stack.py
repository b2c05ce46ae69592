"""`make stack` / `make stack-smoke` (buurthulp/stack.py): the production stack of docker-compose.yml, natively.

The fast tests check that the commands and the environment come from docker-compose.yml and the Dockerfile (a
change there changes what runs natively) and are made local. The services-suite test runs the smoke for real:
its own PostgreSQL cluster and Redis, migrate, collectstatic, gunicorn, worker and beat, then a page, its CSS, a
login, a mail through Redis to the worker and /healthz; bounded to 300 s, and nothing is left running."""

import copy
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from buurthulp import stack

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def plan(tmp_path):
    return stack.make_plan(tmp_path / "stack", {"web": 18301, "db": 18302, "redis": 18303})


def test_the_compose_file_is_read_with_its_anchor_and_merge_keys():
    compose = stack.read_compose()
    services = compose["services"]
    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(services)
    # <<: *app gives every app service the x-app environment, and its own command stays its own.
    for name in ("migrate", "web", "worker", "beat"):
        assert services[name]["environment"] == compose["x-app"]["environment"], name
    assert services["worker"]["command"][:4] == ["celery", "-A", "buurthulp", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "buurthulp", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["web"]["environment"]["DEBUG"] == "0"
    assert services["redis"]["command"][0] == "redis-server"


def test_the_yaml_subset_parser_reads_what_compose_files_use():
    source = """
# a comment
x-base: &base
  image: app   # trailing comment
  environment: &env
    A: "1"
    B: ${B:-two}
services:
  one:
    <<: *base
    image: own
    command: ["run", "--flag=x"]
    ports:
      - "8000:8000"
  two:
    <<: *base
volumes:
  data:
"""
    parsed = stack.parse_yaml(source)
    assert parsed["services"]["one"] == {
        "image": "own",
        "environment": {"A": "1", "B": "${B:-two}"},
        "command": ["run", "--flag=x"],
        "ports": ["8000:8000"],
    }
    assert parsed["services"]["two"]["image"] == "app"
    assert parsed["volumes"] == {"data": None}


def test_interpolation_as_compose_does_it():
    assert stack.interpolate("${A:-d}/${B-e}/$${C}", {"B": ""}) == "d//${C}"
    assert stack.interpolate("${A:?set A}", {"A": "x"}) == "x"
    with pytest.raises(ValueError, match="set A"):
        stack.interpolate("${A:?set A}", {"A": ""})


def test_the_dockerfile_gives_the_image_environment_collectstatic_and_cmd():
    dockerfile = stack.read_dockerfile()
    assert dockerfile["env"]["STATICFILES_BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert dockerfile["cmd"][:2] == ["gunicorn", "buurthulp.wsgi:application"]
    assert any("collectstatic" in step for step in dockerfile["run"])


def test_the_native_commands_are_compose_and_dockerfile_made_local(plan):
    compose = stack.read_compose()["services"]
    cmd = stack.read_dockerfile()["cmd"]
    commands = plan.commands
    # The same programs and arguments, from the venv, bound to our own port on 127.0.0.1.
    assert Path(commands["web"][0]).name == "gunicorn"
    assert commands["web"][1:] == [word.replace("0.0.0.0:8000", "127.0.0.1:18301") for word in cmd[1:]]
    assert "--workers" in commands["web"]
    assert Path(commands["worker"][0]).name == "celery" and commands["worker"][1:] == compose["worker"]["command"][1:]
    schedule = str(plan.directory / "celerybeat-schedule")
    assert commands["beat"][1:] == [
        word.replace("/tmp/celerybeat-schedule", schedule) for word in compose["beat"]["command"][1:]
    ]
    assert commands["migrate"][0] == sys.executable and commands["migrate"][1:] == compose["migrate"]["command"][1:]
    assert commands["collectstatic"][1:] == ["manage.py", "collectstatic", "--noinput"]
    assert commands["redis"][: len(compose["redis"]["command"])][1:] == compose["redis"]["command"][1:]
    assert commands["redis"][-6:] == ["--port", "18303", "--bind", "127.0.0.1", "--dir", str(plan.directory / "redis")]


def test_a_change_in_compose_changes_what_runs_natively(tmp_path):
    compose = copy.deepcopy(stack.read_compose())
    compose["services"]["worker"]["command"] = ["celery", "-A", "buurthulp", "worker", "--concurrency=7"]
    compose["services"]["web"]["environment"] = {**compose["services"]["web"]["environment"], "LOG_LEVEL": "DEBUG"}
    plan = stack.make_plan(tmp_path, compose=compose)
    assert plan.commands["worker"][-1] == "--concurrency=7"
    assert plan.env["LOG_LEVEL"] == "DEBUG"


def test_the_app_environment_is_compose_x_app_with_local_services_and_plain_http(plan, monkeypatch):
    compose_env = stack.read_compose()["x-app"]["environment"]
    assert set(compose_env) <= set(plan.env)
    db = plan.db
    assert plan.env["DATABASE_URL"] == (
        f"postgres://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}@127.0.0.1:18302/{db['POSTGRES_DB']}"
    )
    assert plan.env["CELERY_BROKER_URL"] == "redis://127.0.0.1:18303/0"
    assert plan.env["CACHE_URL"] == "redis://127.0.0.1:18303/1"
    assert plan.env["DEBUG"] == "0" and plan.env["CONN_MAX_AGE"] == "60"
    assert plan.env["SITE_URL"] == "http://127.0.0.1:18301"
    for name in ("BEHIND_HTTPS_PROXY", "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECURE_HSTS_SECONDS"):
        assert plan.env[name] == "0", name
    assert len(plan.env["SECRET_KEY"]) >= 50
    # The Dockerfile's image environment, its /app paths under the stack directory.
    assert plan.env["STATICFILES_BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert plan.env["STATIC_ROOT"] == str(plan.directory / "staticfiles")
    # collectstatic runs as in the image build: the image's environment and SECRET_KEY=build-only, no database.
    assert plan.build_env["SECRET_KEY"] == "build-only" and "DATABASE_URL" not in plan.build_env


def test_nothing_of_the_callers_environment_reaches_the_stack(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://elsewhere/db")
    monkeypatch.setenv("TASKS_INLINE", "1")
    monkeypatch.setenv("MFA_ENFORCE", "0")
    plan = stack.make_plan(tmp_path)
    assert "elsewhere" not in plan.env["DATABASE_URL"]
    assert "TASKS_INLINE" not in plan.env and "MFA_ENFORCE" not in plan.env


def test_secrets_are_generated_once_per_stack_directory(tmp_path):
    first, second = stack.make_plan(tmp_path), stack.make_plan(tmp_path)
    assert first.env["SECRET_KEY"] == second.env["SECRET_KEY"]
    assert first.env["SECRET_KEY"] != stack.make_plan(tmp_path / "other").env["SECRET_KEY"]
    assert (tmp_path / "secrets.json").stat().st_mode & 0o077 == 0


def test_compose_health_checks_are_run_against_the_local_services(plan):
    assert "127.0.0.1:18301/healthz" in plan.healthchecks["web"][-1]
    assert plan.healthchecks["worker"][:2] == ["sh", "-c"] and "inspect ping" in plan.healthchecks["worker"][2]
    assert str(plan.directory / "celerybeat-schedule") in plan.healthchecks["beat"][2]


SMOKE_TIMEOUT = 300
SMOKE_PORT_BASE = 18204


@pytest.mark.services
def test_the_native_stack_starts_and_passes_its_smoke_test():
    """The whole stack for real, from a fresh cluster (initdb) to stopped, within SMOKE_TIMEOUT seconds."""
    directory = ROOT / ".stack" / "test-smoke"
    shutil.rmtree(directory, ignore_errors=True)
    ports = range(SMOKE_PORT_BASE, SMOKE_PORT_BASE + 3)
    assert all(stack._free(port) for port in ports), "the smoke test's ports are taken"
    began = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "buurthulp.stack",
            "smoke",
            "--dir",
            str(directory),
            "--port-base",
            str(SMOKE_PORT_BASE),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=SMOKE_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)  # the script stops everything it started
        output, _ = process.communicate(timeout=60)
        pytest.fail(f"the smoke did not finish in {SMOKE_TIMEOUT} s:\n{output}")
    finally:
        if process.poll() is None:
            process.kill()
    seconds = time.monotonic() - began
    print(output)
    print(f"STACK SMOKE: {seconds:.1f} s")
    try:
        assert process.returncode == 0, output
        checks = re.findall(r"^  (ok  |FAIL) (\w+)", output, re.MULTILINE)
        assert [name for _state, name in checks] == ["page", "static", "login", "task", "healthz", "worker", "beat"]
        assert all(state == "ok  " for state, _name in checks), output
        assert re.search(r"^stack smoke: OK, 7/7 checks passed in [\d.]+ s", output, re.MULTILINE), output
        # Everything it started has stopped: nothing listens on its ports any more.
        assert all(stack._free(port) for port in ports), "a service of the stack is still running"
    finally:
        shutil.rmtree(directory, ignore_errors=True)
