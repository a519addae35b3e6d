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

# The browser test (tests/e2e) drives Debian's Chromium through Playwright, which cannot download
# its own browsers here. A no-op when the binary is present; CI runs as root on Debian.
CHROMIUM := /usr/bin/chromium
install-dev: $(VENV)/.dev-installed $(CHROMIUM)

$(CHROMIUM):
	@command -v apt-get >/dev/null 2>&1 || { echo "make: $@ is missing and apt-get is not available; install Chromium with your system's package manager (the browser test in tests/e2e needs it)" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation \
	  || { echo "make: could not install Chromium with apt-get (are you root?); the browser test in tests/e2e needs $@" >&2; exit 1; }

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.runtime-installed: requirements/runtime.lock pyproject.toml | $(UV)
	$(UV) pip install --python $(BIN)/python --quiet -r requirements/runtime.lock
	$(UV) pip install --python $(BIN)/python --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.runtime-installed requirements/deploy.lock requirements/dev.lock \
                        tests/plugins/alliance-plugin-example/pyproject.toml
	$(UV) pip install --python $(BIN)/python --quiet -r requirements/deploy.lock
	$(UV) pip install --python $(BIN)/python --quiet -r requirements/dev.lock
	# the third-party plugin example the tests load through its entry point (tests/plugins)
	$(UV) pip install --python $(BIN)/python --quiet --no-deps -e tests/plugins/alliance-plugin-example
	touch $@

# Regenerate the locks after editing requirements/*.in (no index URLs are written).
lock: | $(UV)
	$(UV) pip compile requirements/runtime.in --no-emit-index-url --generate-hashes --python-version 3.11 -o requirements/runtime.lock
	$(UV) pip compile requirements/deploy.in --no-emit-index-url --generate-hashes --python-version 3.11 -o requirements/deploy.lock
	$(UV) pip compile requirements/dev.in --no-emit-index-url --generate-hashes --python-version 3.11 -o requirements/dev.lock

clean:
	rm -rf $(VENV) data target logs
