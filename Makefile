# Two commands do all the set-up: `make run` (main job) and `make test` (whole test suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
QUESTION ?= lam giay khai sinh cho con can gi

.PHONY: install run ask test ingest clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

data/index/CURRENT: | $(STAMP)
	$(BIN)/tthc ingest

ingest: $(STAMP)
	$(BIN)/tthc ingest

run: $(STAMP) data/index/CURRENT
	$(BIN)/tthc serve

ask: $(STAMP) data/index/CURRENT
	$(BIN)/tthc ask "$(QUESTION)"

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) data
