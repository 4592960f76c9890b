# newscli developer tasks. Every target creates .venv on first use, so a fresh clone needs only
# Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_INDEX := .newscli/index
ARGS ?=
EVAL_ARGS ?=

.PHONY: install demo test lint fmt typecheck check cov clean eval-dates eval-search eval-extract bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/newscli --index $(DEMO_INDEX) ingest corpus/
	$(BIN)/newscli --index $(DEMO_INDEX) search Termez --format table

test: $(STAMP)
	$(BIN)/pytest $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

eval-search: $(STAMP)
	$(BIN)/python bench/eval_search.py $(ARGS)

bench: $(STAMP)
	$(BIN)/python bench/bench.py $(ARGS)

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov .newscli
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

eval-dates: $(STAMP)
	$(BIN)/python bench/eval_dates.py

# Score text and HTML cleaning on ../shared/devset (EVAL_ARGS='--sample 50 --kind txt' etc.).
eval-extract: $(STAMP)
	$(BIN)/python bench/eval_extract.py $(EVAL_ARGS)
