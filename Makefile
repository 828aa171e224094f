# Two commands do all set-up: `make run` and `make test`. Everything else is a helper.
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTHON ?= python3
STAMP  := $(VENV)/.installed
CODE   := $(wildcard src tests migrations bench)

.PHONY: install run test check lint format migrate seed worker bench clean client

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
test: install check
	$(BIN)/pytest $(PYTEST_ARGS)

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

## make client: regenerate clients/typescript (OpenAPI document and TypeScript types) from the app
client: install
	cd clients/typescript && npm ci --no-audit --no-fund
	$(BIN)/authorhub openapi --out clients/typescript/openapi.json
	cd clients/typescript && node_modules/.bin/openapi-typescript openapi.json -o schema.d.ts

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
