# The portal's commands. `make run` and `make test` work on a fresh clone with
# only Python 3.11+ and make: each creates .venv and installs what it needs.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTEST_ARGS ?=
SCALE ?= 100k
BENCH_ARGS ?=

.PHONY: run test test-sqlite test-postgres lint format worker beat bench bench-import bench-transcode messages migrate seed clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

## Where `make run` serves the portal; e-mail links made outside a request point here.
RUN_ADDRESS ?= 127.0.0.1:8000
# The services run of `make test` finds PostgreSQL and Redis on their default local
# addresses unless these are set.
DEFAULT_DATABASE_URL := postgres://postgres@127.0.0.1:5432/postgres
DEFAULT_BROKER_URL := redis://127.0.0.1:6379/0
DEFAULT_REDIS_URL := redis://127.0.0.1:6379/1

migrate seed run: export SITE_DOMAIN ?= $(RUN_ADDRESS)

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

## Serve the embedded portal (SQLite, Celery tasks and beat's schedule in-process) on RUN_ADDRESS.
run: seed
	$(PY) manage.py runembedded $(RUN_ADDRESS)

## Run the whole suite twice: SQLite + eager Celery, then PostgreSQL + a real worker on Redis.
test: test-sqlite test-postgres

test-sqlite: $(VENV)/.installed-dev
	@echo "== suite on SQLite, Celery eager =="
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=config.settings.test \
		$(PY) -m pytest -m "not postgres and not redis" $(PYTEST_ARGS)

# PostgreSQL and Redis: the URLs given, else the default local addresses when both answer there.
test-postgres: $(VENV)/.installed-dev
	@database_url="$${DATABASE_URL:-$(DEFAULT_DATABASE_URL)}"; \
	broker_url="$${CELERY_BROKER_URL:-$(DEFAULT_BROKER_URL)}"; \
	redis_url="$${REDIS_URL:-$(DEFAULT_REDIS_URL)}"; \
	if $(PY) -m tests.services_up "$$database_url" "$$broker_url"; then \
		echo "== suite on PostgreSQL ($$database_url), Celery worker on Redis ($$broker_url) =="; \
		DATABASE_URL="$$database_url" CELERY_BROKER_URL="$$broker_url" REDIS_URL="$$redis_url" \
		DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -m "not embedded" $(PYTEST_ARGS); \
	elif [ "$$REQUIRE_SERVICES" = "1" ]; then \
		echo "REQUIRE_SERVICES=1 but PostgreSQL or Redis does not answer (see above)" >&2; exit 1; \
	else \
		echo "== PostgreSQL run SKIPPED: PostgreSQL or Redis does not answer (see above); start them or"; \
		echo "   set DATABASE_URL and CELERY_BROKER_URL (README, Tests). The SQLite run above is all that ran. =="; \
	fi

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

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
## Needs PostgreSQL and Redis (BENCH_PG, BENCH_REDIS_URL; loopback defaults); BENCH_ARGS passes options
## (BENCH_ARGS="--spike": every read scenario also from 16 connections).
bench: $(VENV)/.installed
	SCALE=$(SCALE) $(PY) -m bench.run --scale $(SCALE) $(BENCH_ARGS)

## Time a spreadsheet import of ROWS goods in-process (the upload's POST, the preview, the write);
## `make bench` runs it too, on PostgreSQL. Fresh SQLite unless DATABASE_URL names an empty database.
ROWS ?= 10000
bench-import: $(VENV)/.installed
	$(PY) -m bench.bulk_import --rows $(ROWS)

## Time the transcoding of a phone's 15-second 1080×1920 clip (bench/transcode.py; CODEC=h264 or hevc).
CODEC ?= h264
bench-transcode: $(VENV)/.installed
	$(PY) -m bench.transcode --codec $(CODEC)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
