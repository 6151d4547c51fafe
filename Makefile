# teachflow: `make lab` opens the tutorials, `make test` runs every check.
# Both set everything up on a fresh Debian machine: the venv, the widget bundle, Chromium.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_MODULES := widgets/node_modules/.installed
STATIC := teachflow/widgets/static
BUNDLE := $(STATIC)/.built
WIDGET_SOURCES := $(wildcard widgets/src/*) widgets/build.mjs

export TF_CPP_MIN_LOG_LEVEL := 3
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: venv bundle browser lab test lint bench fuzz clean distclean

venv: $(INSTALLED) $(BUNDLE) browser

# ---------------------------------------------------------------- python
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-installs only when the project metadata changes. The bundle is built first (order-only)
# so the editable install's build hook finds it in place.
$(INSTALLED): pyproject.toml hatch_build.py | $(BIN)/python $(BUNDLE)
	$(BIN)/pip install -q --progress-bar off -e '.[dev]'
# tf-keras keeps TensorFlow 1.x's tf.layers and RNN cells (the compat suite's oracle); it is
# installed without its dependencies, which name the full `tensorflow` package
	$(BIN)/pip install -q --progress-bar off --no-deps 'tf-keras==2.21.*'
	touch $@

# ---------------------------------------------------------------- widget bundle (npm)
$(NODE_MODULES): widgets/package.json widgets/package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory node
	cd widgets && npm ci --no-audit --no-fund
	touch $@

$(BUNDLE): $(NODE_MODULES) $(WIDGET_SOURCES)
	cd widgets && npm run build
	touch $@

bundle: $(BUNDLE)

.PHONY: node
node:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "npm not found: installing Debian's nodejs and npm"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; \
	else \
	  echo "npm not found: install Node.js (>= 18) and npm, then run make again" >&2; exit 1; \
	fi

# ---------------------------------------------------------------- browser for the browser tests
browser:
	@if command -v chromium >/dev/null && dpkg -s fonts-noto-cjk >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium and CJK fonts (for the browser tests and Japanese widgets)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; \
	elif ! command -v chromium >/dev/null; then \
	  echo "NOTE: chromium is not on PATH; the browser tests will be skipped."; \
	  echo "      Install it (Debian: sudo apt-get install chromium fonts-noto-cjk) to run them."; \
	else \
	  echo "NOTE: no CJK fonts: Japanese widget labels show as boxes in screenshots."; \
	  echo "      Install them (Debian: sudo apt-get install fonts-noto-cjk)."; \
	fi

# ---------------------------------------------------------------- everyday targets
lab: venv
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: venv
	$(BIN)/python -m benchmarks

fuzz: venv
	TEACHFLOW_FUZZ=long $(BIN)/pytest -m fuzz

clean:
	rm -rf $(STATIC) widgets/node_modules tests/output dist build

distclean: clean
	rm -rf $(VENV)
