"""Only what pyproject.toml cannot say: the cffi extension, built on Windows."""

import sys

from setuptools import setup

if sys.platform == "win32":
    setup(cffi_modules=["build_mprapi.py:ffibuilder"])
else:
    # Off Windows there is no Mprapi.dll to link: install the pure-Python part.
    setup()
