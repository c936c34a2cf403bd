"""Build the stand-in router (tests/router/router.c) into mprapi.dll with the
platform's own compiler: MSVC on Windows, found the way setuptools finds it.

    python tools/build_router.py OUTPUT_DIR

Used where the Windows lane's MinGW build is not available: cibuildwheel's
Windows runners (tools/test_wheel.py).
"""

from __future__ import annotations

import os
import sys
import tempfile

from lanelib import ROOT
from setuptools._distutils.ccompiler import new_compiler
from setuptools._distutils.sysconfig import customize_compiler

ROUTER = os.path.join(ROOT, "tests", "router")


def build_router(output_dir: str) -> str:
    """Compile and link mprapi.dll into output_dir; return its path."""
    compiler = new_compiler()
    customize_compiler(compiler)
    os.makedirs(output_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as build_dir:
        objects = compiler.compile([os.path.join(ROUTER, "router.c")], output_dir=build_dir)
        compiler.link_shared_object(
            objects,
            os.path.join(output_dir, "mprapi.dll"),
            libraries=["iphlpapi"],
            extra_postargs=["/DEF:" + os.path.join(ROUTER, "router.def")],
            build_temp=build_dir,
        )
    return os.path.join(output_dir, "mprapi.dll")


if __name__ == "__main__":
    print(build_router(sys.argv[1]))
