# JämKoll — the two set-up commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export JAMKOLL_DATA_DIR ?= $(CURDIR)/var
# PostgreSQL for the second test run: DATABASE_URL if set, else the local server.
PG_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)

.PHONY: install demo test lint types test-sqlite test-postgres bench messages clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 saknas: installera python3.11 eller ange PYTHON=..."; exit 1; }
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "JämKoll kräver Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	@mkdir -p $(JAMKOLL_DATA_DIR)
	$(BIN)/jamkoll demo

lint: install
	$(BIN)/ruff check src tests bench

types: install
	$(BIN)/mypy

test-sqlite: install
	@mkdir -p $(JAMKOLL_DATA_DIR)
	@echo "== Testsviten på SQLite =="
	env -u DATABASE_URL $(BIN)/pytest -q

test-postgres: install
	@echo "== Testsviten på PostgreSQL =="
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=5).close()" 2>/dev/null; then \
		DATABASE_URL='$(PG_URL)' $(BIN)/pytest -q; \
	elif [ "$$CI" = "true" ]; then \
		echo "FEL: PostgreSQL nås inte på $(PG_URL) (CI=true kräver PostgreSQL)"; exit 1; \
	else \
		echo "OBS: PostgreSQL nås inte på $(PG_URL) – testkörningen mot PostgreSQL HOPPAS ÖVER."; \
	fi

test: lint types test-sqlite test-postgres

bench: install
	$(BIN)/python bench/run.py

messages: install
	cd src/jamkoll && ../../$(BIN)/jamkoll makemessages -l en --no-obsolete && ../../$(BIN)/jamkoll compilemessages -l en

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
