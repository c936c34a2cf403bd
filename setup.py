"""Only what pyproject.toml cannot say: the cffi extension, built on Windows."""

import sys

from setuptools import setup

if sys.platform == "win32":
    # cffi's generated C uses only the limited API: one cp310-abi3 wheel per
    # architecture serves CPython 3.10 and every later version.
    setup(
        cffi_modules=["build_mprapi.py:ffibuilder"],
        options={"bdist_wheel": {"py_limited_api": "cp310"}},
    )
else:
    # Off Windows there is no Mprapi.dll to link: install the pure-Python part.
    setup()
