# The README names these targets. Every one of them can run twice.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo runs in debug mode on SQLite under var/; production sets these itself.
DEMO_ENV := DEBUG=true

.PHONY: demo demo-data test test-postgres lint messages vendor worker smoke bench clean help

help:
	@echo "make demo        set up, load demo data and serve http://$(HOST):$(PORT)"
	@echo "make demo-data   set up and load demo data without serving"
	@echo "make test        set up with development extras and run the whole suite"
	@echo "make lint        ruff (lint and format), mypy and the missing-migration check"
	@echo "make worker      run background jobs"
	@echo "make messages    extract and compile translations"
	@echo "make smoke       production settings under gunicorn: every main page, no demo and demo"
	@echo "make bench       every benchmark in bench/ (SCALE=small, minutes; SCALE=national, 33 minutes on a quiet 2-core machine, hours on a busy one)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changed since the last install.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

demo-data: $(VENV)/.installed
	mkdir -p var
	$(DEMO_ENV) $(BIN)/convivencia migrate --no-input
	$(DEMO_ENV) $(BIN)/convivencia load_demo

demo: demo-data
	$(DEMO_ENV) $(BIN)/convivencia runserver $(HOST):$(PORT)

worker: $(VENV)/.installed
	$(DEMO_ENV) $(BIN)/convivencia worker

test: $(VENV)/.installed-dev
	$(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy src
	DEBUG=true $(BIN)/convivencia makemigrations --check --dry-run

messages: $(VENV)/.installed-dev
	cd src/convivencia && DEBUG=true ../../$(BIN)/convivencia makemessages -l es -l pt -l en --no-obsolete
	cd src/convivencia && DEBUG=true ../../$(BIN)/convivencia compilemessages

vendor:
	./scripts/vendor.sh

# DEBUG=false, collected static files and gunicorn on loopback, in a temporary directory.
smoke: $(VENV)/.installed
	$(BIN)/python scripts/smoke_production.py

# Writes bench/report.md and bench/report.json; DATABASE_URL=postgresql://… runs them on PostgreSQL.
SCALE ?= small
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py --scale $(SCALE)

clean:
	rm -rf $(VENV) var
