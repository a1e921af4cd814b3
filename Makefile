# Tianshu: the two commands are `make demo` and `make test` (see README.md).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Tests always run against the real services of this machine.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tianshu
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: demo test install browser pdftools assets lint format clean schema

demo: install pdftools
	$(PY) manage.py wait_for_services --timeout 15
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo "  Starting Tianshu on http://$(HOST):$(PORT)/ ... (a welcome follows once it is healthy)"
	@$(PY) manage.py demo_ready --url http://$(HOST):$(PORT) & \
		HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/honcho --no-prefix -f tianshu/Procfile -d . start

test: install browser pdftools
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) TIANSHU_ENV=test \
		$(PY) manage.py wait_for_services --timeout 10
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) TIANSHU_ENV=test \
		$(VENV)/bin/pytest -p no:cacheprovider -q

install: $(VENV)/.installed assets

# Browser tests drive Debian's Chromium (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The PDF reports name a CID font the viewer draws with a CJK font of its own
# (Debian's fonts-noto-cjk); the report tests read their text with pdftotext (poppler-utils).
pdftools:
	@{ command -v pdftotext >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; } || { \
		echo "Installing Debian's poppler-utils and fonts-noto-cjk for the PDF reports…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			poppler-utils fonts-noto-cjk >/dev/null; }

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

assets: frontend/static/vendor/.built

frontend/static/vendor/.built: frontend/package.json frontend/package-lock.json frontend/build.mjs
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build
	touch $@

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The OpenAPI document integrators download (tests/commandcenter/test_schema.py holds it current).
# Generated against PostgreSQL, as the tests run: integer bounds follow the database.
schema: install
	DATABASE_URL=$(TEST_DATABASE_URL) TIANSHU_ENV=test \
		$(PY) manage.py spectacular --lang en --file docs/openapi.yaml --validate

clean:
	rm -rf $(VENV) .run frontend/node_modules frontend/static/vendor
