# Two commands do all set-up: `make run` and `make test`. Everything else is a helper.
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTHON ?= python3
STAMP  := $(VENV)/.installed
CODE   := $(wildcard src tests migrations bench)

.PHONY: install run test check lint format migrate seed worker bench clean tools

# Re-install only when the dependencies change.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## make run: migrate, seed the demo catalog, serve on HOST:PORT with the job worker and the payment sandbox
run: install
	$(BIN)/authorhub dev --host $(HOST) --port $(PORT)

## make test: lint, type-check and the whole suite against real PostgreSQL
test: install check tools
	$(BIN)/pytest $(PYTEST_ARGS)

# pgbouncer for the pooler test: installed when missing and we are root (quiet, idempotent);
# elsewhere its test is skipped (and fails under CI, which must have it).
tools:
	@command -v pgbouncer >/dev/null || test -x /usr/sbin/pgbouncer || test "$$(id -u)" != 0 || \
		(apt-get install -y -qq pgbouncer >/dev/null 2>&1 || \
		 (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq pgbouncer >/dev/null 2>&1)) || \
		echo "pgbouncer could not be installed: its test will be skipped (fails under CI)"

check: install
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix $(CODE)
	$(BIN)/ruff format $(CODE)

migrate: install
	$(BIN)/authorhub db upgrade

seed: install
	$(BIN)/authorhub seed-demo

worker: install
	$(BIN)/authorhub worker

bench: install
	$(PY) bench/catalog.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
