# Stegvis – the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
export DJANGO_SETTINGS_MODULE := stegvis.settings

.PHONY: bench bench-country loadtest demo test lint typecheck pytest check-deploy browser-deps pdf-deps doc-deps install install-dev lock messages clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.lock | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(DEV_STAMP): requirements-dev.lock | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(RUNTIME_STAMP) $@

install: $(RUNTIME_STAMP)
install-dev: $(DEV_STAMP)

## demo: install, migrate the embedded SQLite database, load the demo data and serve it, with the
## background worker (large imports). Both run in the background of one shell, which stops both
## when either Ctrl+C, a kill of make or the server's own end stops it.
demo: install pdf-deps
	mkdir -p var
	DJANGO_ENV=development $(PY) manage.py migrate --no-input
	DJANGO_ENV=development $(PY) manage.py load_demo
	@echo "Stegvis körs på http://127.0.0.1:8000 (avsluta med Ctrl+C)"
	DJANGO_ENV=development $(PY) manage.py db_worker --no-reload & worker=$$!; \
	DJANGO_ENV=development $(PY) manage.py runserver 127.0.0.1:8000 & server=$$!; \
	trap 'kill $$server $$worker 2>/dev/null; wait' EXIT; trap exit INT TERM; \
	wait $$server

## browser-deps: Debian's Chromium for the browser tests, installed when missing.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installerar Chromium (Debian) för webbläsartesterna…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

## pdf-deps: Pango and HarfBuzz's subsetter (Debian), which WeasyPrint needs to lay out PDF reports
## and embed fonts, installed when missing.
pdf-deps:
	@{ ldconfig -p | grep -q 'libpango-1.0.so' && ldconfig -p | grep -q 'libpangoft2-1.0.so' \
	   && ldconfig -p | grep -q 'libharfbuzz-subset.so'; } || { \
	  echo "Installerar Pango (Debian) för PDF-rapporterna…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null; }

## doc-deps: programs the tests use to open exported files as a reader would: pdftotext
## (poppler-utils) reads the PDFs and LibreOffice Calc (headless) converts the XLSX files to CSV.
doc-deps:
	@{ command -v pdftotext >/dev/null 2>&1 && command -v soffice >/dev/null 2>&1; } || { \
	  echo "Installerar pdftotext och LibreOffice Calc (Debian) för exporttesterna…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends poppler-utils libreoffice-calc-nogui >/dev/null; }

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install-dev
	DJANGO_ENV=test $(VENV)/bin/mypy stegvis

pytest: install-dev browser-deps pdf-deps doc-deps
	DJANGO_ENV=test $(VENV)/bin/pytest -q

## test: lint, type-check and the whole test suite (browser tests included).
test: lint typecheck pytest

## check-deploy: Django's deployment checks under production settings, failing on any warning.
check-deploy: install
	DJANGO_ENV=production \
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	STEGVIS_ENCRYPTION_KEYS="$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
	STEGVIS_BLIND_INDEX_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')" \
	ALLOWED_HOSTS=stegvis.example \
	$(PY) manage.py check --deploy --fail-level WARNING

## lock: recompile the lock files from pyproject.toml (needs network to PyPI).
lock: | $(PY)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements.lock -q
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -c requirements.lock -o requirements-dev.lock -q

## messages: update and compile the translation catalogues (needs GNU gettext): the root one
## (locale/) and each app's own (stegvis/<app>/locale/), which makemessages fills by location.
messages: install
	$(PY) manage.py makemessages -l en --no-location --no-obsolete --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

## bench: generate association-scale data on SQLite and PostgreSQL (fresh databases: a file
## under var/ and stegvis_bench_association), time every operation of scale.md against its bare
## SQL and write the medians to docs/performance.md. About 10 minutes on a laptop.
bench: install
	stegvis/bench/bench.sh association "sqlite pg"

## bench-country: the same at country scale, PostgreSQL only (up to an hour).
bench-country: install
	stegvis/bench/bench.sh country pg

## loadtest: 20 users for 2 minutes (locust, headless) against gunicorn with production
## settings on 127.0.0.1, on generated data; p50/p95/p99 into docs/performance.md.
loadtest: install-dev
	stegvis/bench/loadtest.sh

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
