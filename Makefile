# Two commands matter: `make run` (demo site on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev demo lint format serve clean backup restore

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

# axe-core (accessibility browser tests) and vnu-jar (HTML validity test); those tests skip,
# outside CI, when npm is absent.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: accessibility browser tests will be skipped"; fi

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev node_modules/.installed

demo: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py load_demo

# SITE_URL follows PORT so the absolute links of API answers and e-mail point at this server.
run: demo
	@echo "Serving at http://$(HOST):$(PORT)/  (editorial desk: http://$(HOST):$(PORT)/admin/)"
	DEBUG=true SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py runserver $(HOST):$(PORT)

# Production-like on loopback: gunicorn (2 sync workers), whitenoise's hashed static files,
# DEBUG off, with a secret generated once into .serve-secret (git-ignored). Plain HTTP on
# 127.0.0.1, so this run alone switches off the HTTPS-only settings (redirect, HSTS, secure
# cookies). Demo content is loaded first, with DEBUG on (load_demo refuses otherwise), then
# each live article's page and API detail are kept rendered, as a deployment does.
SERVE_ENV = DEBUG=false SECRET_KEY="$$(cat .serve-secret)" ALLOWED_HOSTS=127.0.0.1,localhost \
	SITE_URL=http://127.0.0.1:$(PORT) SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 \
	SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false

.serve-secret:
	umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

serve: demo .serve-secret
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(SERVE_ENV) $(PY) manage.py write_renditions --live
	@echo "Serving at http://127.0.0.1:$(PORT)/ with DEBUG off and one task worker (Ctrl-C stops)"
	$(SERVE_ENV) $(PY) manage.py db_worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(SERVE_ENV) $(VENV)/bin/gunicorn config.wsgi:application --workers 2 \
		--worker-class sync --bind 127.0.0.1:$(PORT) --access-logfile -

test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

# Speed against a "hello" baseline on PostgreSQL (10,000 articles) and gunicorn; a few
# minutes. Knobs: BENCH_REBUILD=1, BENCH_CONDITIONS, BENCH_DURATION … (bench/README.md).
.PHONY: bench
bench: install-dev
	$(PY) bench/run.py

# Whole-site backup and restore: every table, feedback, partners' keys, passwords and roles
# included (README, "Backups"). PostgreSQL through pg_dump / pg_restore, SQLite through its
# backup API. `make backup [FILE=…]`, `make restore FILE=…` (asks before replacing anything).
FILE ?=
backup: install
	$(PY) manage.py backup_site $(or $(FILE),backup-$(shell date -u +%Y%m%dT%H%M%SZ).db)

restore: install
	@test -n "$(FILE)" || { echo "Name the backup: make restore FILE=…"; exit 2; }
	$(PY) manage.py restore_site $(FILE)

lint: install-dev
	$(VENV)/bin/ruff check .

format: install-dev
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts
