# geosim: `make run` sets everything up and runs the shipped comparison;
# `make test` sets everything up and runs lint + the whole test suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# A Python >= 3.12: a working python3.12/python3.13/python3 on PATH first, then pyenv's.
# (pyenv shims exist on PATH but fail without PYENV_VERSION, so each candidate is run, not just found.)
PYTHON := $(shell for c in python3.12 python3.13 python3 \
	$$(pyenv root 2>/dev/null)/versions/3.12*/bin/python3 \
	$$(pyenv root 2>/dev/null)/versions/3.13*/bin/python3; do \
	  "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { command -v "$$c"; break; }; \
	done)

.PHONY: run test lint format setup clean

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: geosim needs Python >= 3.12, and none was found (tried python3.13, python3.12, python3 and pyenv's versions)." >&2; \
	  echo "hint: install Python 3.12+ (e.g. 'pyenv install 3.12') and run make again." >&2; exit 2; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

# Every shipped scenario, 40 replicates each, into results/<scenario>/.
REPLICATES ?= 40
run: $(STAMP)
	@for scenario in $$($(BIN)/geosim list --names); do \
	  $(BIN)/geosim run $$scenario --replicates $(REPLICATES) --out results/$$scenario --force || exit $$?; \
	done
	@echo "Plots: results/*/plots/ (layout: results/README.md)"

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 tests

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
