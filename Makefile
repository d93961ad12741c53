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

# The demo's agents and administrator have no second factor: `make run` does not require one
# (CHAMADO_REQUIRE_2FA=1 make run does); `chamado serve` alone requires it (README).
run: export CHAMADO_REQUIRE_2FA ?= 0
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

# The benchmark on PostgreSQL (database chamado_bench, created and seeded when missing): every
# page beside a trivial view, through gunicorn, wrk and a Python generator on loopback.
# `make bench BENCH_ARGS="--tickets 1000000 --database-url postgres://postgres@127.0.0.1:5432/chamado_bench_1m"`.
# Writes bench/results/<date>-<tickets>.md. Timings are reported, never asserted.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The same harness on 10,000 tickets (database chamado_bench_smoke, re-created), every page
# once; fails if a page does. Under a minute; part of .ci/run so the benchmark never rots.
.PHONY: bench-smoke
bench-smoke: $(STAMP)
	$(BIN)/python bench/run.py --smoke

# The load test (database chamado_load, re-created; not part of `make test`):
# `make load LOAD_ARGS="--minutes 10"`. Writes bench/results/<date>-load.md.
.PHONY: load
load: $(STAMP)
	$(BIN)/python bench/load.py $(LOAD_ARGS)
