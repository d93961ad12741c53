# The two commands of the README: `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint venv messages clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || { PY=$$(bin/find-python) && echo "Using $$PY" && $$PY -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/chamado migrate --no-input
	$(BIN)/chamado demo --if-empty
	$(BIN)/chamado serve

test: $(STAMP)
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy chamado

messages: $(STAMP)
	cd chamado && ../$(BIN)/chamado makemessages -l pt_BR --no-obsolete --no-location
	$(BIN)/python bin/compile-messages

clean:
	rm -rf $(VENV) var

# The benchmark on PostgreSQL (database chamado_bench, created and seeded when missing):
# `make bench BENCH_ARGS="--tickets 300000 --reset"`. Writes bench/results/<date>-<tickets>.md.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The load test (database chamado_load, re-created; not part of `make test`):
# `make load LOAD_ARGS="--minutes 10"`. Writes bench/results/<date>-load.md.
.PHONY: load
load: $(STAMP)
	$(BIN)/python bench/load.py $(LOAD_ARGS)
