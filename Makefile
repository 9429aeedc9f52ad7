# JämKoll — the two set-up commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export JAMKOLL_DATA_DIR ?= $(CURDIR)/var
# PostgreSQL for the second test run: DATABASE_URL if set, else the local server.
PG_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)

# Debian packages the PDF reports need (WeasyPrint: Pango, HarfBuzz subsetting, fonts).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation fonts-dejavu-core
# The browser journeys (tests/browser) drive Debian's Chromium; the browsers `playwright install`
# downloads are not used. apt brings Chromium's libraries; the fonts render Swedish text.
CHROMIUM ?= /usr/bin/chromium
BROWSER_PACKAGES := chromium fonts-liberation fonts-dejavu-core
# axe-core (npm) checks every page the journeys reach for WCAG 2.1 AA; pinned, installed into
# tests/browser/node_modules (git-ignored) by `make browser-deps` when missing or of another version.
AXE_VERSION := 4.10.3
AXE_DIR := tests/browser
AXE_JS := $(AXE_DIR)/node_modules/axe-core/axe.min.js

.PHONY: install system-deps browser-deps demo test lint types test-sqlite test-browser test-postgres test-suites bench messages clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 saknas: installera python3.11 eller ange PYTHON=..."; exit 1; }
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "JämKoll kräver Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installerar systempaket:$$missing"; \
		if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
		|| { echo "FEL: kunde inte installera$$missing (behövs för PDF-rapporterna)"; exit 1; }; \
	fi

browser-deps:
	@missing=""; for p in $(BROWSER_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ] || [ ! -x "$(CHROMIUM)" ]; then \
		missing="$${missing:- chromium}"; \
		echo "Installerar systempaket för webbläsartesterna:$$missing"; \
		if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
		|| { echo "FEL: kunde inte installera$$missing med apt-get (webbläsartesterna kör Debians Chromium, $(CHROMIUM))"; exit 1; }; \
	fi; \
	"$(CHROMIUM)" --version >/dev/null 2>&1 || { echo "FEL: $(CHROMIUM) finns men startar inte (webbläsartesterna behöver Debians paket chromium)"; exit 1; }
	@if ! grep -qs '"version": "$(AXE_VERSION)"' $(AXE_DIR)/node_modules/axe-core/package.json || [ ! -f $(AXE_JS) ]; then \
		command -v npm >/dev/null || { echo "FEL: npm saknas (webbläsartesterna hämtar axe-core $(AXE_VERSION) med npm; installera paketet npm)"; exit 1; }; \
		echo "Installerar axe-core $(AXE_VERSION) (npm) i $(AXE_DIR)/node_modules"; \
		npm install --no-save --no-package-lock --no-audit --no-fund --silent --prefix $(AXE_DIR) axe-core@$(AXE_VERSION) \
		|| { echo "FEL: kunde inte installera axe-core $(AXE_VERSION) med npm"; exit 1; }; \
	fi

demo: install system-deps
	@mkdir -p $(JAMKOLL_DATA_DIR)
	$(BIN)/jamkoll demo

lint: install
	$(BIN)/ruff check src tests bench

types: install
	$(BIN)/mypy

test-sqlite: install system-deps
	@mkdir -p $(JAMKOLL_DATA_DIR)
	@echo "== Testsviten på SQLite =="
	env -u DATABASE_URL $(BIN)/pytest -q

# The browser journeys, once, on SQLite, against a live server with its own database (the seed runs
# once per run). Screenshots, server logs and timings: test-artefacts/browser/.
test-browser: install system-deps browser-deps
	@echo "== Webbläsarresorna (Chromium, SQLite) =="
	env -u DATABASE_URL JAMKOLL_CHROMIUM=$(CHROMIUM) JAMKOLL_AXE_JS=$(CURDIR)/$(AXE_JS) $(BIN)/pytest -q -m browser tests/browser

test-postgres: install system-deps
	@echo "== Testsviten på PostgreSQL =="
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=5).close()" 2>/dev/null; then \
		DATABASE_URL='$(PG_URL)' $(BIN)/pytest -q; \
	elif [ "$$CI" = "true" ]; then \
		echo "FEL: PostgreSQL nås inte på $(PG_URL) (CI=true kräver PostgreSQL)"; exit 1; \
	else \
		echo "OBS: PostgreSQL nås inte på $(PG_URL) – testkörningen mot PostgreSQL HOPPAS ÖVER."; \
	fi

# The SQLite and PostgreSQL suites at once: each pytest keeps one of the machine's two cores busy
# (one after the other they left a core idle for the whole run). Each has a data folder of its own
# under var/suites; the SQLite suite prints as it goes, the PostgreSQL suite's output follows when
# it is done. Either failing fails the target.
SUITES := $(CURDIR)/var/suites
test-suites: install system-deps
	@rm -rf $(SUITES) && mkdir -p $(SUITES)/sqlite $(SUITES)/postgres
	@echo "== Testsviten på SQLite och på PostgreSQL samtidigt (PostgreSQL-utskriften följer efter SQLite) =="
	@JAMKOLL_DATA_DIR=$(SUITES)/postgres $(MAKE) --no-print-directory test-postgres > $(SUITES)/postgres.log 2>&1 & pg=$$!; \
	JAMKOLL_DATA_DIR=$(SUITES)/sqlite $(MAKE) --no-print-directory test-sqlite; sqlite=$$?; \
	wait $$pg; postgres=$$?; \
	cat $(SUITES)/postgres.log; \
	echo "== SQLite: slutkod $$sqlite, PostgreSQL: slutkod $$postgres =="; \
	[ $$sqlite -eq 0 ] && [ $$postgres -eq 0 ]

test: system-deps lint types test-suites test-browser

# Issue 16's table (bench/scale.py: pages, API lists, 20 clients, the report, the ledger, the seed;
# BENCH_FLAGS=--quick for a small scale, --readme to write the table into README.md), then the
# other benchmarks; the ledger load test (bench/ledger_load.py) runs on PostgreSQL at PG_URL in a
# scratch database. A target missed is printed as MISS and does not fail the make.
BENCH_FLAGS ?=
bench: install system-deps
	JAMKOLL_BENCH_PG_URL='$(PG_URL)' $(BIN)/python -m bench.scale $(BENCH_FLAGS)
	JAMKOLL_BENCH_PG_URL='$(PG_URL)' $(BIN)/python bench/run.py

messages: install
	cd src/jamkoll && ../../$(BIN)/jamkoll makemessages -l en --no-obsolete && ../../$(BIN)/jamkoll compilemessages -l en

clean:
	rm -rf $(VENV) var test-artefacts $(AXE_DIR)/node_modules .pytest_cache .mypy_cache .ruff_cache
