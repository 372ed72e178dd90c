# Quick start: `make demo` and `make test` each set up .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TOOL   := $(VENV)/.tool-installed

.PHONY: demo test lint bench clean

# demo needs the tool alone; test, lint and bench the whole development toolchain.
$(TOOL): pyproject.toml
	@echo '== setting up $(VENV) with the tool (first run only)' >&2
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e . >&2
	@touch $(TOOL)

$(STAMP): pyproject.toml
	@echo '== setting up $(VENV) with the test tools (first run only)' >&2
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]' >&2
	@touch $(STAMP) $(TOOL)

demo: $(TOOL)
	@echo '== samples/nightly_etl.sql:' >&2
	@grep -v '^--' samples/nightly_etl.sql | grep -v '^$$' >&2
	@echo '== redshift-iam policy samples/nightly_etl.sql' >&2
	@$(BIN)/redshift-iam policy samples/nightly_etl.sql
	@echo '== redshift-iam trust samples/nightly_etl.sql' >&2
	@$(BIN)/redshift-iam trust samples/nightly_etl.sql
	@echo '== the command is $(BIN)/redshift-iam: `. $(BIN)/activate` puts it on PATH in this shell (or: pipx install .)' >&2

lint: $(STAMP)
	$(BIN)/ruff check --no-cache redshift_iam tests bench tools
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

test: $(STAMP) lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check sqlglot >&2
	$(BIN)/python bench/run.py
	$(BIN)/python bench/scan.py --small
	$(BIN)/python bench/bombs.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
