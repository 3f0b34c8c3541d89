# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PIP_INSTALL := $(PIP) install --disable-pip-version-check -q --build-constraint build-constraints.txt
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv install install-dev migrate demo serve lint check clean messages system-packages \
        system-packages-test

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"' \
	  || { echo "Python 3.11+ is required (found $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --disable-pip-version-check -q --upgrade "pip>=25.3"

$(VENV)/.installed: $(PY) requirements.txt build-constraints.txt
	$(PIP_INSTALL) -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP_INSTALL) -r requirements-dev.txt
	@touch $@

venv install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py seed_reference_data
	$(PY) manage.py demo_data

serve:
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

system-packages:
	@bash scripts/system-packages.sh run

# What the tests call besides Python: poppler-utils, gettext, Chromium (and the PDF fonts).
system-packages-test:
	@bash scripts/system-packages.sh test

## make run: set up everything (idempotent) and serve on http://127.0.0.1:8000/
run: system-packages demo
	@$(MAKE) --no-print-directory serve

## make test: lint, migration check and the whole test suite
test: system-packages-test install-dev
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check . || true

messages: install-dev
	$(PY) manage.py makemessages -l zh_Hans -l ug --no-location --ignore=.venv --ignore=tests --ignore=bench --ignore=docs
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
