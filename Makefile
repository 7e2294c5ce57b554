# Two entry points, each from a fresh machine with only Python 3.11+ and make:
#   make check   set everything up, then run plancheck on plans/
#   make test    set everything up, then run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: check test setup clean

$(BIN)/plancheck: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(BIN)/plancheck

setup: $(BIN)/plancheck

check: setup
	$(BIN)/plancheck plans

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache
