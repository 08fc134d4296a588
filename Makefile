# Roteiro — the two commands of the README, and their building blocks.
#   make demo   create the virtualenv, install, migrate, load the demo data once, serve on :8000
#   make test   create the virtualenv with the dev extra and run the whole suite (SQLite + PostgreSQL)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
export FLASK_APP := app

# PostgreSQL for the tests: used when reachable, skipped (and said so) when not.
# CI sets ROTEIRO_REQUIRE_POSTGRES=1 so that a missing server fails the run.
export ROTEIRO_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export ROTEIRO_TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: demo test install install-dev translations messages lint lint-js serve migrate bench-deps bench-routing clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# The one catalogue, app/translations (docs/i18n.md): `make translations` compiles the .po files
# into the .mo files the app reads; `make messages` extracts the strings and merges them into the
# .po files, ready to translate.
translations: install
	$(BIN)/flask translate compile

messages: install
	$(BIN)/flask translate update

migrate: install translations
	ROTEIRO_CONFIG=demo $(BIN)/flask db upgrade

TODAY = $(shell TZ=America/Sao_Paulo date +%F)

demo: migrate
	ROTEIRO_CONFIG=demo $(BIN)/flask demo load --if-empty
	ROTEIRO_CONFIG=demo $(BIN)/flask plan --date $(TODAY)
	@echo "Roteiro is starting on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	ROTEIRO_CONFIG=demo $(BIN)/gunicorn -c python:app.gunicorn_conf --workers 2 --threads 4 \
		--bind $(HOST):$(PORT) --access-logfile - "app:create_app()"

# Python: ruff (format and rules, E501 at 100 columns) and mypy (app/ checked, optimizer/ strict).
# JavaScript: eslint on static/js with eslint.config.js, installed by `npm ci` from package-lock.json
# (development tooling only; node_modules/ is not committed). Without node it is skipped and said
# so, unless ROTEIRO_REQUIRE_NODE=1 (CI) makes a missing node an error.
lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy app optimizer
	@$(MAKE) --no-print-directory lint-js

lint-js:
	@if command -v npm >/dev/null 2>&1; then \
		[ node_modules/.installed -nt package-lock.json ] || \
			{ npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; } || exit 1; \
		echo "node_modules/.bin/eslint static/js"; node_modules/.bin/eslint static/js; \
	elif [ "$${ROTEIRO_REQUIRE_NODE:-0}" = "1" ]; then \
		echo "eslint needs node and npm (ROTEIRO_REQUIRE_NODE=1)"; exit 1; \
	else echo "node not found: eslint on static/js skipped"; fi

# --durations=25: the CI log lists the slowest test phases (the suite's budget is 20 min).
test: install-dev translations
	$(BIN)/python -m pytest --durations=25 $(PYTEST_ARGS)

bench-deps: | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev,bench]"

# The routing benchmark of docs/benchmarks.md in one command (about 30-60 min on 2 cores):
# OPTW/TOPTW m = 1..4 against PyVRP and VROOM, the holdout files if bench/data/holdout has
# them, and the rep's day. Output in bench/out/.
bench-routing: bench-deps
	@mkdir -p bench/out
	uptime | tee bench/out/routing.txt
	$(BIN)/python bench/routing.py day --days 20 --seconds 1 | tee -a bench/out/routing.txt
	$(BIN)/python bench/routing.py optw --tours 1,2,3,4 --seconds 1 --clock cpu \
		| tee -a bench/out/routing.txt
	@if ls bench/data/holdout/*.txt >/dev/null 2>&1; then \
		$(BIN)/python bench/routing.py optw --dir bench/data/holdout --tours 1,2,3,4 \
			--seconds 1 --clock cpu | tee -a bench/out/routing.txt; fi
	uptime | tee -a bench/out/routing.txt

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
