# Every target builds its own virtual environment, so a fresh clone needs only Python 3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test demo bench lint check clean docs dist

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The tests start PostgreSQL and Chromium: installed first when missing (as root).
test: $(STAMP)
	bash scripts/test-servers.sh
	$(BIN)/python -m pytest -q

demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# The references in docs/reference/, generated from the schemas and the CLI.
docs: $(STAMP)
	$(BIN)/python scripts/docs.py
	$(BIN)/publisher schema --write examples/schemas

# Lint (the rules are in pyproject.toml), the layers' import contract and types; `check` adds the suite.
lint: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	$(BIN)/ruff check publisher tests benchmarks scripts
	$(BIN)/ruff format --check publisher tests benchmarks scripts
	$(BIN)/lint-imports
	$(BIN)/mypy publisher

check: lint test

# The wheel and the sdist in dist/, then the tests of what a user installs from them.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --wheel --sdist --outdir dist .
	$(BIN)/python -m pytest -q tests/cli/test_distribution.py
