# The portal's commands. `make run` and `make test` work on a fresh clone with
# only Python 3.11+ and make: each creates .venv and installs what it needs.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTEST_ARGS ?=
SCALE ?= 100k
BENCH_ARGS ?=

.PHONY: run test test-sqlite test-postgres lint format worker beat bench messages migrate seed clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

## Serve the embedded portal (SQLite, in-process Celery) with demo data on :8000.
run: seed
	$(PY) manage.py runserver 127.0.0.1:8000

## Run the whole suite twice: SQLite + eager Celery, then PostgreSQL + a real worker.
test: test-sqlite test-postgres

test-sqlite: $(VENV)/.installed-dev
	@echo "== suite on SQLite, Celery eager =="
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=config.settings.test \
		$(PY) -m pytest -m "not postgres" $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-dev
	@if [ -n "$$DATABASE_URL" ] && [ -n "$$CELERY_BROKER_URL" ]; then \
		echo "== suite on PostgreSQL, Celery worker on Redis =="; \
		DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS); \
	elif [ "$$REQUIRE_SERVICES" = "1" ]; then \
		echo "REQUIRE_SERVICES=1 but DATABASE_URL or CELERY_BROKER_URL is not set" >&2; exit 1; \
	else \
		echo "(PostgreSQL run skipped: set DATABASE_URL and CELERY_BROKER_URL to run it, see README)"; \
	fi

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## A Celery worker and beat for the production shape (needs CELERY_BROKER_URL).
worker: $(VENV)/.installed
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A config beat --loglevel=INFO

## Re-extract and compile the translation catalogues (needs GNU gettext).
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=staticfiles --ignore=tests --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

## Measure the portal at a scale (SCALE=100k or 1m; docs/performance.md): seed PostgreSQL once
## per scale, serve it with gunicorn, load it from a second process, print and save the report.
## Needs PostgreSQL and Redis (BENCH_PG, BENCH_REDIS_URL; loopback defaults); BENCH_ARGS passes options.
bench: $(VENV)/.installed
	SCALE=$(SCALE) $(PY) -m bench.run --scale $(SCALE) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
