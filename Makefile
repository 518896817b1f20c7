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

.PHONY: run run-all test format setup clean

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: geosim needs Python >= 3.12, and none was found (tried python3.13, python3.12, python3 and pyenv's versions)." >&2; \
	  echo "hint: install Python 3.12+ (e.g. 'pyenv install 3.12') and run make again." >&2; exit 2; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,sweep]"
	@echo "Compiling the month's kernels once (about 30 s; numba caches them)"
	$(BIN)/python -c "from sim.core.compile import compile_world; from sim.core.engine import final_outcomes; from sim.scenario.loader import load_scenario; final_outcomes(compile_world(load_scenario('hub_and_spoke')), 2)"
	@touch $(STAMP)

setup: $(STAMP)

# The main job: hub-and-spoke vs latticework vs a formal Asian NATO, with its report: 200
# replicates over 100 coefficient sets drawn from the priors, and which coefficient drives
# each difference.
REPLICATES ?= 200
PARAMETER_SETS ?= 100
run: $(STAMP)
	$(BIN)/geosim compare hub_and_spoke latticework formal_asian_nato \
	  --replicates $(REPLICATES) --parameter-sets $(PARAMETER_SETS) --sensitivity \
	  --out results/comparison --force
	@echo "Report: results/comparison/report.html; plots: results/comparison/plots/"

# Every shipped scenario on its own, into results/<scenario>/.
run-all: $(STAMP)
	@for scenario in $$($(BIN)/geosim list --names); do \
	  $(BIN)/geosim run $$scenario --replicates 40 --out results/$$scenario --force || exit $$?; \
	done

# Browser tests drive Debian's Chromium (never a downloaded browser).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "error: the browser tests need Debian's chromium at $(CHROMIUM)." >&2; \
	  echo "hint: sudo apt-get install -y chromium, then run make test again." >&2; exit 2; \
	fi

test: $(STAMP) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --dist loadscope tests

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
