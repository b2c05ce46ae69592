# Two commands on a fresh machine: `make demo` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/buurthulp
SERVICES_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: demo test test-services stack stack-smoke lint messages clean

$(VENV)/.installed-base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed-base
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# The demo runs as production does, on the embedded default: SQLite, and a Celery worker with beat on
# kombu's filesystem broker (no Redis), so deadlines, reminders and sweeps happen. Ctrl-C stops both.
# MFA_ENFORCE=0: the demo accounts sign in with their password alone (two-factor sign-in stays on offer).
DEMO_ENV := DEBUG=1 MFA_ENFORCE=0 CELERY_BROKER_URL=filesystem:// SITE_URL=http://127.0.0.1:$(PORT)

demo: $(VENV)/.installed-base
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	$(DEMO_ENV) $(PY) -m buurthulp.demo.run $(PORT)

# The whole suite on SQLite, tasks in-process.
test: $(VENV)/.installed-test
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PY) -m pytest

# The same suite on PostgreSQL, with a real Redis broker and a real Celery worker.
test-services: $(VENV)/.installed-test
	DATABASE_URL=$${DATABASE_URL:-$(SERVICES_DATABASE_URL)} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(SERVICES_BROKER_URL)} \
	$(PY) -m pytest

# The production stack natively, as docker-compose.yml describes it: its own PostgreSQL cluster and Redis (data and
# logs in .stack/), migrate, collectstatic, gunicorn, a Celery worker and beat; web on $(STACK_PORT), PostgreSQL and
# Redis on the next two ports. `stack` runs it until Ctrl-C; `stack-smoke` checks a page, its CSS, a login, a task
# through Redis and /healthz, and stops it. See README.md, "Native deploy".
STACK_PORT ?= 18201

stack: $(VENV)/.installed-base
	$(PY) -m buurthulp.stack run --port-base $(STACK_PORT)

stack-smoke: $(VENV)/.installed-base
	$(PY) -m buurthulp.stack smoke --port-base $(STACK_PORT)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .

# Needs GNU gettext; the compiled .mo files are committed so a fresh machine does not.
messages:
	$(PY) manage.py makemessages -l en --ignore=.venv
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .stack
