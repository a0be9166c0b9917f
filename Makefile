# One obvious way to run things. `make serve` and `make test` each create .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# durable-rules ships as C source; on Python 3.13 it only compiles with this macro (harmless before).
export CPPFLAGS += -DPyEval_CallObject=PyObject_CallObject

.PHONY: serve test install bench clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(BIN)/.installed

# Until the HTTP API lands, the main job is a diagnosis of a shipped profile.
serve: install
	@echo "pmo-advisor: the HTTP API is not built yet; diagnosing a shipped profile instead."
	$(BIN)/pmo-advisor diagnose scenarios/profiles/crisis-retailer.yaml

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
