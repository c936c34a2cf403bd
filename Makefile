# Entry points.  Everything runs on a fresh Debian 12 machine as root: each
# target installs what it needs first (make setup).  The Windows lane is
# tools/winlane.py; its state lives in .winlane/ (WINLANE_DIR overrides it), and
# each step leaves its result in the state folder's reports/, which
# `make test`'s summary reads.  `make help` lists the targets from their `##`.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := help
PYTHON ?= python3
LANE := $(PYTHON) tools/winlane.py
# Runs a host command as a lane step and records its result.
RECORD := $(LANE) record
DIST ?= dist
WHEEL = $(wildcard $(DIST)/mprapi_cffi-*-cp310-abi3-win_amd64.whl)
# The extension `make build` writes (WINLANE_PYD moves it, e.g. for a trial build).
PYD = $(or $(WINLANE_PYD),mprapi_cffi/_mprapi.pyd)
TEST_STEPS := test-native typecheck check test-windows test-prometheus test-wheel sdist-check
# What Linux says of a few destinations, for the loopback router's best_route to be held against
# (Windows programs under Wine cannot run `ip`); empty where the host has no `ip` or no route.
IP_ROUTE_GET = MPRAPI_IP_ROUTE_GET="$$(for d in 8.8.8.8 192.0.2.77 127.0.0.1; do ip -o route get $$d 2>/dev/null; done)"

.PHONY: help setup build test test-native typecheck check test-windows test-prometheus test-wheel sdist-check demo bench wheel clean

help: ## this list
	@$(LANE) makehelp

demo: build ## the mprapi command through the real extension, on this machine's own tables
	@$(IP_ROUTE_GET) $(LANE) python tools/demo.py

test: ## every lane below, then the "== lanes ==" summary; fails if any step failed
	@$(LANE) reset-reports
	@status=0; $(MAKE) --no-print-directory -k $(TEST_STEPS) || status=$$?; \
	echo; $(LANE) summary || status=1; exit $$status

bench: build ## decode/floor, get/bare-cffi, fleet/rtt and scrape/rtt ratios, side by side; recorded in bench/README.md
	@$(LANE) python bench/bench_router.py --record bench/README.md

wheel: build ## cross-build the cp310-abi3-win_amd64 wheel into dist/ (DIST)
	$(PYTHON) tools/cross_wheel.py $(PYD) $(DIST)

setup: ## host tools (pip), MinGW-w64, Wine, clang (apt), Windows CPython 3.13 and 3.10; idempotent
	@$(PYTHON) -m pip install -q --disable-pip-version-check 'cffi>=1.17' pytest mypy ruff wheel 'tqdm>=4.60' 'prometheus-client>=0.17' 'PyYAML>=6.0' 'bcrypt>=4.0' 2>&1 | { grep -v '^WARNING' || true; }
	@$(LANE) setup

build: setup ## the .pyd (MinGW-w64, abi3) and the stand-in router DLL
	@$(LANE) build

test-native: setup ## the suite on Linux CPython (the tests that need no Windows)
	$(RECORD) native -- $(PYTHON) -m pytest -q -p no:cacheprovider tests

typecheck: setup ## mypy --strict (win32 and Linux, and the fields' types as users see them), ruff, this help
	$(RECORD) typecheck -- $(SHELL) -c '$(LANE) makehelp --check && \
	  $(PYTHON) -m mypy --strict --platform win32 mprapi_cffi && \
	  $(PYTHON) -m mypy --strict --warn-unused-ignores tests/typecheck_rows.py && \
	  $(PYTHON) -m ruff check mprapi_cffi tests bench tools build_mprapi.py setup.py && \
	  $(PYTHON) -m mypy --strict mprapi_cffi'

check: build ## cdef check: the C for x64, x86 and ARM64 with -Werror, i686 router exports, same C on Windows
	$(LANE) check

test-windows: build ## the stand-in router's self-test, and the suite under Windows CPython on the source tree
	$(LANE) selftest
	$(IP_ROUTE_GET) $(LANE) test -q

test-prometheus: build ## a real Prometheus (Debian's, apt) scrapes mprapi exporter, run by Windows CPython on the stand-in
	$(RECORD) prometheus -- $(PYTHON) tools/prometheus_check.py

test-wheel: wheel ## the suite against the installed wheel, on Windows CPython 3.13 and 3.10
	$(LANE) test-wheel $(WHEEL) -q

sdist-check: setup ## the sdist's contents, and its pure-Python install's tests on Linux
	$(RECORD) sdist -- env HOSTPY=$(PYTHON) tools/check_sdist.sh

clean: ## remove the lane's state, build output and the .pyd
	rm -rf $(or $(WINLANE_DIR),.winlane) build $(DIST) *.egg-info mprapi_cffi/_mprapi.pyd
