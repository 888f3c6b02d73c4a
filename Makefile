# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app eduapp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup lint check bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

instance:
	mkdir -p instance

## setup: virtual environment, migrations, the course and demo accounts (safe to repeat)
setup: $(VENV)/.installed | instance
	$(FLASK) db upgrade
	$(FLASK) content load
	$(FLASK) demo accounts

## run: set everything up and serve on http://127.0.0.1:5000
run: setup
	@echo "Mail (the links that finish signing up) is written under instance/mail/."
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

## test: the whole suite, on SQLite and (with TEST_DATABASE_URL) PostgreSQL, browser tests included
test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/pytest

## check: validate the course files only
check: $(VENV)/.installed
	$(FLASK) content check

## bench: performance figures (printed, never asserted)
bench: $(VENV)/.installed
	$(BIN)/python -m bench

## reliability: 50 learners on gunicorn, a killed worker and a PostgreSQL restart, then a check
## that nothing acknowledged was lost (~4 min; own throwaway cluster; not part of `make test`)
.PHONY: reliability
reliability: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[load]'
	$(BIN)/python -m bench.load --write-docs

lint: $(VENV)/.installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache
