# Two commands a new user needs:  `make demo`  and  `make test`.  Both are idempotent.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.ftgames-installed

.PHONY: setup demo test lint clean

setup: $(STAMP)
	@bash scripts/setup_system.sh
	@$(PY) scripts/build_pynumero.py

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[dev]'
	touch $(STAMP)

demo: setup
	$(VENV)/bin/ftgames solvers
	$(VENV)/bin/ftgames solve examples/one_specialist.toml

test: setup
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/python -m pytest -q -n 2

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks

clean:
	rm -rf $(VENV)
