# 決裁ポータル — `make help` lists the targets. Every target that needs Python first makes .venv (see `install`).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := requirements/constraints.txt
LOCK_INPUT := requirements/lock-input.txt
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=

# manage.py needs SECRET_KEY unless DEBUG is on; local runs and checks default to DEBUG=1, a caller's value wins.
MANAGE := DEBUG="$${DEBUG:-1}" $(BIN)/python manage.py

.PHONY: help install run test test-dates check layers lint format bench lock lock-check messages messages-check clean distclean

help: ## List the targets
	@echo "Targets (DATABASE_URL, REDIS_URL and the other variables in README.md are read from the environment):"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The stamp is newer than pyproject.toml and the constraints file once they are installed, so re-runs cost nothing
# and an edit to either re-installs. A venv whose python no longer runs (moved or rebuilt machine) is made anew.
$(STAMP): pyproject.toml $(CONSTRAINTS)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "$(PYTHON) is older than Python 3.11; run make PYTHON=/path/to/python3.11+" >&2; exit 1; }
	@if ! $(BIN)/python -c 'import sys' 2>/dev/null; then \
		echo "Creating $(VENV) with $$($(PYTHON) --version)"; rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet --constraint $(CONSTRAINTS) pip
	$(BIN)/python -m pip install --quiet --constraint $(CONSTRAINTS) --editable '.[dev]'
	$(BIN)/python -m pip check
	$(BIN)/python requirements/check_lock.py
	@touch $@

install: $(STAMP) ## Make .venv and install the project with its dev tools, pinned by requirements/constraints.txt

run: install ## Migrate, load the demo data (idempotent), serve the portal on http://127.0.0.1:8000 with Daphne and a task worker
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo "Serving http://$(HOST):$(PORT)/ with a background worker for exports (Ctrl-C stops both). Demo accounts: see README.md."
	@$(MANAGE) db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(MANAGE) runserver $(HOST):$(PORT)

# pytest exits 5 when it collected nothing; for this suite that means collection broke, so it fails loudly.
test: install ## Run the whole pytest suite on every core (SQLite unless DATABASE_URL is set; Redis when REDIS_URL is set)
	@$(BIN)/pytest -n auto $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest ran no tests (exit 5); without a -k or path filter that means collection is broken" >&2; fi; exit $$rc

# The clock the suite runs on is frozen (tests/conftest.py); these dates prove that no test reads the machine's
# clock: the eve and the first minutes of a fiscal year, the year-end closure (年末年始) and a leap day. They run on
# the embedded SQLite and in-memory layers, whose clock is the faked one (a PostgreSQL or Redis server keeps its own),
# without tests/test_infrastructure.py (which checks that CI's servers are in use).
# Each test runs at one of the dates: the suite is split four ways by test id (KESSAI_SHARD, tests/conftest.py), so
# every test runs once with the machine's clock far from the frozen one, in the time of one run of the suite.
# TEST_DATES_SPLIT=0 runs the whole suite at every date (four times as long).
TEST_DATES := '2027-03-31 23:50' '2027-04-01 00:10' '2027-12-29 10:00' '2028-02-29 10:00'
TEST_DATES_SPLIT ?= 1

test-dates: install ## The fast tests (not browser, not postgres) on SQLite under Debian's faketime, split over four awkward dates
	@command -v faketime >/dev/null || { echo "make test-dates needs faketime (apt-get install faketime)" >&2; exit 1; }
	@set -e; dates=($(TEST_DATES)); for i in "$${!dates[@]}"; do \
		when=$${dates[$$i]}; shard=; \
		if [ "$(TEST_DATES_SPLIT)" = 1 ]; then shard="$$i/$${#dates[@]}"; fi; \
		echo "== faketime '$$when'$${shard:+ (tests of shard $$shard)}"; \
		KESSAI_SHARD=$$shard DATABASE_URL= REDIS_URL= faketime "$$when" $(BIN)/pytest -q -p no:cacheprovider -n auto \
			-m "not browser and not postgres" --ignore=tests/test_infrastructure.py $(PYTEST_ARGS); \
	done

check: lint layers lock-check messages-check ## lint, layers, lock-check, messages-check, makemigrations --check, manage.py check
	$(MANAGE) makemigrations --check --dry-run
	PORTAL_EXTRA_APPS=tests.sample_types $(MANAGE) makemigrations --check --dry-run sample_types
	$(MANAGE) check

layers: install ## The import-linter contracts of the layers (pyproject.toml [tool.importlinter])
	$(BIN)/lint-imports --config pyproject.toml

lint: install ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Rewrite the code with ruff format and ruff check --fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install ## Run every script under bench/ (own SQLite file, or WRITES to DATABASE_URL); BENCH_ARGS passed on
	@set -e; shopt -s nullglob; scripts=(bench/[!_]*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "bench/ has no scripts yet"; exit 0; fi; \
	for script in "$${scripts[@]}"; do \
		echo "== $$script"; DEBUG="$${DEBUG:-1}" PYTHONPATH="$(CURDIR)" $(BIN)/python "$$script" $(BENCH_ARGS); done

lock: ## Re-resolve pyproject.toml (+ requirements/lock-input.txt) in a clean venv; rewrite constraints.txt
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip install --quiet --upgrade pip; \
	"$$tmp/venv/bin/python" -m pip install --quiet --requirement $(LOCK_INPUT) --editable '.[dev]'; \
	{ echo "# Every package kessai-portal[dev] installs, pinned. Made by \`make lock\` from pyproject.toml with"; \
	  echo "# $$("$$tmp/venv/bin/python" --version) on $$(uname -s)/$$(uname -m); do not edit by hand."; \
	  echo "# Installs use: pip install --constraint $(CONSTRAINTS) --editable '.[dev]'"; \
	  "$$tmp/venv/bin/python" -m pip freeze --all --exclude-editable | grep -v -E '^(setuptools|wheel|distribute)=='; \
	} > $(CONSTRAINTS).new; \
	mv $(CONSTRAINTS).new $(CONSTRAINTS); \
	echo "Wrote $(CONSTRAINTS) ($$(grep -c '==' $(CONSTRAINTS)) pins); review with git diff and commit it."

lock-check: install ## Fail when the installed set or pyproject.toml no longer matches requirements/constraints.txt
	$(BIN)/python -m pip check
	$(BIN)/python requirements/check_lock.py

messages: install ## Compile locale/*/LC_MESSAGES/django.po into .mo files (needs gettext's msgfmt)
	$(MANAGE) compilemessages --ignore=.venv

messages-check: ## Fail when a committed .mo no longer matches its .po (skipped without gettext's msgfmt)
	@command -v msgfmt >/dev/null || { echo "msgfmt not found (apt-get install gettext): .mo check skipped"; exit 0; }; \
	set -e; for po in $$(find . -path ./$(VENV) -prune -o -name '*.po' -print); do mo="$${po%.po}.mo"; \
		if ! diff -q <(msgfmt -o - "$$po" | msgunfmt) <(msgunfmt "$$mo" 2>/dev/null) >/dev/null; then \
			echo "$$mo does not match $$po: run make messages and commit the .mo" >&2; exit 1; fi; done; \
	echo "compiled translations match their .po files"

clean: ## Remove caches, build leftovers and test artifacts (keeps .venv and the SQLite database in var/)
	rm -rf .pytest_cache .ruff_cache build *.egg-info tests/artifacts static_collected
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## clean, and also remove .venv and var/ (SQLite database, uploaded media)
	rm -rf $(VENV) var
