# The two commands a newcomer needs (README): `make demo` and `make test`.
# Each creates the virtual environment at .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test venv

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/gasync-run examples/seed_demo.mlir --entry main --arg 21 --arg 1

test: $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/lit -sv test
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python -m pytest -q test/python
