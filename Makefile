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

CATALOGS = $(shell find app -type d -name translations)

.PHONY: demo test install install-dev translations lint serve migrate bench-deps clean

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

translations: | $(BIN)/python
	@for d in $(CATALOGS); do $(BIN)/pybabel compile --use-fuzzy -d $$d >/dev/null || exit 1; done

migrate: install translations
	ROTEIRO_CONFIG=demo $(BIN)/flask db upgrade

TODAY = $(shell TZ=America/Sao_Paulo date +%F)

demo: migrate
	ROTEIRO_CONFIG=demo $(BIN)/flask demo load --if-empty
	ROTEIRO_CONFIG=demo $(BIN)/flask plan --date $(TODAY)
	@echo "Roteiro is starting on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	ROTEIRO_CONFIG=demo $(BIN)/gunicorn --workers 2 --threads 4 --bind $(HOST):$(PORT) \
		--access-logfile - "app:create_app()"

lint: install-dev
	$(BIN)/ruff check .

test: install-dev translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench-deps: | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev,bench]"

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
