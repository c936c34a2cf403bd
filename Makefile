# Entry points.  Everything runs on a fresh Debian 12 machine as root:
# each target installs what it needs first (tools/winlane.sh setup).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
LANE := tools/winlane.sh
REPORTS := .winlane/reports
WHEEL = $(wildcard dist/mprapi_cffi-*-cp310-abi3-win_amd64.whl)

.PHONY: help setup build test test-native typecheck check test-windows test-wheel sdist-check demo bench wheel clean

help:
	@echo "make demo    the mprapi command through the real extension, on this machine's own tables"
	@echo "make test    native lane, mypy, cdef check, Windows lane, installed wheel on 3.10 and 3.13, sdist"
	@echo "make bench   decode/floor and get/bare-cffi ratios, measured side by side"
	@echo "make wheel   cross-build the cp310-abi3-win_amd64 wheel into dist/"

setup:
	@$(PYTHON) -m pip install -q --disable-pip-version-check 'cffi>=1.17' pytest mypy ruff wheel 2>&1 | { grep -v '^WARNING' || true; }
	@$(LANE) setup
	@mkdir -p $(REPORTS)

build: setup
	@$(LANE) build

test-native: setup
	$(PYTHON) -m pytest -q -p no:cacheprovider tests | tee $(REPORTS)/native.txt

typecheck: setup
	{ $(PYTHON) -m mypy --strict --platform win32 mprapi_cffi && \
	  $(PYTHON) -m ruff check mprapi_cffi tests bench tools build_mprapi.py setup.py && \
	  $(PYTHON) -m mypy --strict mprapi_cffi; } | tee $(REPORTS)/mypy.txt

check: build
	$(LANE) check 2>&1 | tee $(REPORTS)/check.txt

test-windows: build
	$(LANE) selftest 2>&1 | tee $(REPORTS)/selftest.txt
	$(LANE) test -q | tee $(REPORTS)/windows.txt

wheel: build
	$(PYTHON) tools/cross_wheel.py mprapi_cffi/_mprapi.pyd dist

test-wheel: wheel
	$(LANE) test-wheel $(WHEEL) -q 2>&1 | tee $(REPORTS)/wheel.txt

sdist-check: setup
	tools/check_sdist.sh | tee $(REPORTS)/sdist.txt

test:
	@mkdir -p $(REPORTS) && rm -f $(REPORTS)/*.txt
	$(MAKE) --no-print-directory test-native typecheck check test-windows test-wheel sdist-check
	@echo
	@echo "== lanes =="
	@echo "native lane, Linux CPython:             $$(tail -n1 $(REPORTS)/native.txt)"
	@echo "mypy --strict, ruff:                    $$(tail -n1 $(REPORTS)/mypy.txt)"
	@echo "cdef check, x64 + x86 + ARM64 + same C: $$(tail -n1 $(REPORTS)/check.txt | sed 's/.*cdef check: //')"
	@echo "stand-in router self-test:              $$(tail -n1 $(REPORTS)/selftest.txt | sed 's/.*self-test: //')"
	@echo "Windows lane, source tree, 3.13:        $$(tail -n1 $(REPORTS)/windows.txt)"
	@grep 'installed wheel on' $(REPORTS)/wheel.txt | \
		sed -E 's/.*installed wheel on Windows CPython ([0-9.]+): /Windows lane, installed wheel, \1:    /'
	@echo "sdist, pure-Python install on Linux:    $$(tail -n1 $(REPORTS)/sdist.txt)"

demo: build
	@$(LANE) python tools/demo.py

bench: build
	@$(LANE) python bench/bench_router.py

clean:
	rm -rf .winlane build dist *.egg-info mprapi_cffi/_mprapi.pyd
