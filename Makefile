# Relief Ledger (救助账本). The README's quick start is `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
FUZZ_SECONDS ?= 90

.PHONY: setup run test test-postgres test-faketime fuzz lint bench clean-data

# The virtual environment, rebuilt when the dependencies change.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed
	@scripts/system-packages.sh

# Migrate the embedded SQLite database under ./var, load the demo once, serve on 127.0.0.1:8000.
run: setup
	$(BIN)/relief-ledger db upgrade
	$(BIN)/relief-ledger demo load
	$(BIN)/relief-ledger serve --host 127.0.0.1 --port 8000

# The whole suite on SQLite (PostgreSQL: make test-postgres).
test: setup
	$(BIN)/pytest

test-postgres: setup
	RELIEF_LEDGER_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

# The SQLite suite with the machine's clock at 00:30 on 1 January 2027 in Shanghai (still 2026 in UTC),
# running on from there: no test may depend on the real date. Monotonic time stays real so timeouts
# behave; libfaketime's monotonic fix, needless then, would make every thread wait about 10x slower.
test-faketime: setup
	TZ=Asia/Shanghai FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_FORCE_MONOTONIC_FIX=0 \
		faketime -f '@2027-01-01 00:30:00' $(BIN)/pytest

# Schemathesis against a demo server for two roles, for a bounded time; any 5xx fails.
fuzz: setup
	scripts/fuzz-api.sh $(FUZZ_SECONDS)

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: setup
	$(BIN)/python bench/ledger_bench.py
	$(BIN)/python bench/claims_bench.py
	$(BIN)/python bench/reports_bench.py
	$(BIN)/python bench/pages_bench.py
	$(BIN)/python bench/payroll_bench.py

clean-data:
	rm -rf var
