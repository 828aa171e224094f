# Two commands do all set-up: `make run` and `make test`. Everything else is a helper.
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTHON ?= python3
STAMP  := $(VENV)/.installed
CODE   := $(wildcard src tests migrations bench)

.PHONY: install run test check lint format migrate seed worker bench bench-admin clean tools admin client

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

# System packages some tests drive: Debian's chromium (browser tests; Playwright's own browser
# download does not work here) and pgbouncer (the pooler test). Installed when missing and we
# are root (quiet, idempotent); elsewhere those tests skip, saying why, and under CI
# (AUTHORHUB_REQUIRE_SERVICES=1) they fail instead.
tools:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v pgbouncer >/dev/null || test -x /usr/sbin/pgbouncer || missing="$$missing pgbouncer"; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing$$missing for the browser and pooler tests"; \
		apt-get update -qq >/dev/null 2>&1; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			$$missing >/dev/null 2>&1 || echo "could not install$$missing: those tests will skip"; \
	fi

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

## make admin EMAIL=you@example.com: create (or promote) an admin; asks for the password, hidden
admin: install
	@test -n "$(EMAIL)" || { echo "usage: make admin EMAIL=you@example.com"; exit 2; }
	$(BIN)/authorhub create-admin --email "$(EMAIL)"

## make bench: the catalog's reads against the ceiling (BOOKS=100000 for the large catalog),
## then the checkout end to end at 16 and 32 clients
BOOKS ?= 10000
bench: install
	$(PY) bench/catalog.py --books $(BOOKS)
	$(PY) bench/checkout.py

bench-admin: install
	$(PY) bench/admin.py

## make client: regenerate clients/typescript (OpenAPI document and TypeScript types) from the app
client: install
	cd clients/typescript && npm ci --no-audit --no-fund
	$(BIN)/authorhub openapi --out clients/typescript/openapi.json
	cd clients/typescript && node_modules/.bin/openapi-typescript openapi.json -o schema.d.ts

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
