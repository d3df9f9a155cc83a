# Each target creates .venv and installs on first use: only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint openapi smoke-wheel test-apache-kafka bench bench-quick bench-workers format clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/claims-ledger demo

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	bash -n .ci/run
	bash -n .ci/smoke-wheel

# A user's install: the wheel in a fresh virtual environment outside the checkout, then
# --version, --help, up, demo --scale tiny, verify and down from it. Needs no .venv.
smoke-wheel:
	PYTHON=$(PYTHON) bash .ci/smoke-wheel

test-apache-kafka: $(STAMP)
	$(BIN)/pytest -m apache_kafka --apache-kafka tests/integration

# Figures into docs/benchmarks.md; see that file. BENCH_EVENTS=N for another log size.
BENCH_EVENTS ?= 1000000
bench: $(STAMP)
	$(BIN)/python -m scripts.bench --events $(BENCH_EVENTS) --command "make bench"

bench-quick: $(STAMP)
	$(BIN)/python -m scripts.bench --events 200000 --command "make bench-quick"

# Workers that add up: 1, 2 and 4 ingest workers on one stream; a few minutes. See
# docs/benchmarks.md.
bench-workers: $(STAMP)
	$(BIN)/python -m scripts.bench --workers 1,2,4 --command "make bench-workers"

# The console's OpenAPI document, after a change to an endpoint (a test compares them).
openapi: $(STAMP)
	$(BIN)/python -m scripts.console.write_openapi docs/openapi.json

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
