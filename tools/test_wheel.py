"""Test an installed wheel against the stand-in router, from outside the source tree.

    python tools/test_wheel.py [pytest args]

Runs the suite from a copy of tests/ in a temporary folder, so that `import
mprapi_cffi` finds the installed wheel and not the checkout.  The stand-in
router is the one in MPRAPI_TEST_ROUTER if that is set (the Windows lane's
MinGW build, `tools/winlane.py test-wheel`), else it is built here with MSVC
(cibuildwheel's test-command on Windows runners).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

import pytest

# sys.path[0] is this script's folder, tools/.
from lanelib import ROOT, ROUTER_ENV


def main() -> int:
    """Run pytest on a copy of tests/ against the installed package; return its exit code."""
    # The suite then fails unless the package it imports is an installed one.
    os.environ.setdefault("MPRAPI_EXPECT_INSTALLED", "1")
    # The router DLL built into `work` stays loaded in this process, and
    # Windows cannot delete a loaded DLL: leave what cannot be removed.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as work:
        router_dir = os.environ.get(ROUTER_ENV)
        if not router_dir:
            from build_router import build_router

            router_dir = os.path.dirname(build_router(os.path.join(work, "router")))
            os.environ[ROUTER_ENV] = router_dir
        # copyfile, not copy2: Python 3.12+ copies with CopyFile2, which Wine 8 lacks.
        tests = shutil.copytree(
            os.path.join(ROOT, "tests"), os.path.join(work, "tests"),
            copy_function=shutil.copyfile, ignore=shutil.ignore_patterns("__pycache__"),
        )
        cwd = os.getcwd()
        os.chdir(work)
        try:
            # In this process, not a child: under Wine, one Windows process fewer.
            return int(pytest.main(["-p", "no:cacheprovider", tests, *sys.argv[1:]]))
        finally:
            os.chdir(cwd)  # Windows cannot remove the current directory


if __name__ == "__main__":
    raise SystemExit(main())
