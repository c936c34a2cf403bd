# Entry points.  Everything runs on a fresh Debian 12 machine as root:
# `make test` and `make demo` install what they need first.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
LANE := tools/winlane.sh
REPORTS := .winlane/reports

.PHONY: help setup build test test-native test-windows check demo bench wheel clean

help:
	@echo "make test    native lane, cdef check, Windows lane (Windows CPython in Wine)"
	@echo "make demo    the mprapi command against this machine's own tables, through the real extension"
	@echo "make bench   decode and call-overhead ratios, measured side by side"
	@echo "make wheel   cross-build the cp310-abi3-win_amd64 wheel"

setup:
	@$(PYTHON) -m pip install -q --disable-pip-version-check 'cffi>=1.17' pytest
	@$(LANE) setup

build: setup
	@$(LANE) build

test-native: setup
	@mkdir -p $(REPORTS)
	$(PYTHON) -m pytest -q -p no:cacheprovider tests | tee $(REPORTS)/native.txt

check: setup
	@mkdir -p $(REPORTS)
	$(LANE) check 2>&1 | tee $(REPORTS)/check.txt

test-windows: build
	@mkdir -p $(REPORTS)
	$(LANE) test -q | tee $(REPORTS)/windows.txt

test: setup
	@mkdir -p $(REPORTS)
	@rm -f $(REPORTS)/*.txt
	$(MAKE) --no-print-directory test-native
	$(MAKE) --no-print-directory check
	$(MAKE) --no-print-directory test-windows
	@echo
	@echo "== lanes =="
	@echo "native lane (Linux CPython):           $$(tail -n1 $(REPORTS)/native.txt)"
	@echo "cdef check (x86_64, i686, same C):     $$(tail -n1 $(REPORTS)/check.txt)"
	@echo "Windows lane (Windows CPython, Wine):  $$(tail -n1 $(REPORTS)/windows.txt)"

demo: build
	@$(LANE) python tools/demo.py

clean:
	rm -rf .winlane build dist *.egg-info mprapi_cffi/_mprapi.pyd
