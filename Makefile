# The README's two commands: `make run` and `make test`. Everything they need is installed here,
# from the locked requirements, into .venv (git-ignored).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
export UV_PYTHON_DOWNLOADS := never
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: run test install install-dev lock clean

run: install
	$(BIN)/alliance refresh

test: install-dev
	$(BIN)/python -m pytest

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.runtime-installed: requirements/runtime.lock pyproject.toml | $(UV)
	$(UV) pip install --python $(BIN)/python --quiet -r requirements/runtime.lock
	$(UV) pip install --python $(BIN)/python --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.runtime-installed requirements/dev.lock
	$(UV) pip install --python $(BIN)/python --quiet -r requirements/dev.lock
	touch $@

# Regenerate the locks after editing requirements/*.in (no index URLs are written).
lock: | $(UV)
	$(UV) pip compile requirements/runtime.in --no-emit-index-url --generate-hashes --python-version 3.11 -o requirements/runtime.lock
	$(UV) pip compile requirements/dev.in --no-emit-index-url --generate-hashes --python-version 3.11 -o requirements/dev.lock

clean:
	rm -rf $(VENV) data target logs
