# One obvious way to run things. `make serve` and `make test` each create .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# durable-rules ships as C source; on Python 3.13 it only compiles with this macro (harmless before).
export CPPFLAGS += -DPyEval_CallObject=PyObject_CallObject

.PHONY: serve test check install browser postgresql bench calibrate clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

# The project's own modules compiled to bytecode, as pip compiles an installed package's (an
# editable install is not): every new process (the command, a server, each pool worker's
# forkserver) then reads .pyc instead of compiling about 160 modules, 0.08 s each start, also
# where PYTHONDONTWRITEBYTECODE keeps Python from writing them itself. Up-to-date files are
# skipped; a stale one is only slower (Python checks the source's time).
install: $(BIN)/.installed
	@$(BIN)/python -m compileall -q advisor rules simulation api scenarios bench >/dev/null

# The main job: the HTTP API, its docs and the pages on http://127.0.0.1:8000 (Ctrl-C stops it).
serve: install
	$(BIN)/pmo-advisor serve --host 127.0.0.1 --port 8000

# The page tests drive Debian's chromium (playwright downloads no browser here); installed when
# missing and we may (root), otherwise a clear message: the page tests fail, never skip.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  { echo "make: the page tests need chromium at $(CHROMIUM): sudo apt-get install chromium"; exit 1; }

# The database tests run the same suite on SQLite and on a real PostgreSQL server they start
# themselves (initdb/pg_ctl from Debian's postgresql, in a temp dir); installed when missing and
# we may (root), otherwise a clear message: those tests fail, never skip.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } || \
	  { echo "make: the database tests need PostgreSQL: sudo apt-get install postgresql"; exit 1; }

# The checks every run makes: the layers of docs/architecture.md (import-linter), ruff, mypy.
check: install
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install browser postgresql check
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m bench

# The calibration table of docs/model.md: each published figure beside the model's, with its band.
calibrate: install
	$(BIN)/python -m simulation.calibration table

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
	find advisor rules simulation api scenarios bench tests -name __pycache__ -prune -exec rm -rf {} +
