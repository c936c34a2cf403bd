"""Assemble the cp310-abi3-win_amd64 wheel from a cross-compiled extension (`make wheel`).

    python tools/cross_wheel.py PYD OUTPUT_DIR

PYD is mprapi_cffi/_mprapi.pyd as tools/winlane.py build makes it (MinGW-w64,
linked against python3.lib, the stable ABI).  setuptools builds the pure
wheel from this checkout (metadata from pyproject.toml); the extension is
added, the WHEEL file retagged, and `wheel pack` writes RECORD with hashes.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile

from lanelib import ROOT, WHEEL_TAG, pyversions, wheel_in, windows_pip_args


def run(*args: str) -> None:
    """Run a host command, quietly; a failure raises."""
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def main(pyd: str, output_dir: str) -> str:
    """Write the wheel into output_dir, check it, and return its path."""
    # setuptools builds in the checkout's build/: a file left there from an
    # earlier build would end up in the wheel.
    shutil.rmtree(os.path.join(ROOT, "build"), ignore_errors=True)
    with tempfile.TemporaryDirectory() as work:
        run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", work, ROOT)
        (pure,) = glob.glob(os.path.join(work, "mprapi_cffi-*-py3-none-any.whl"))
        run(sys.executable, "-m", "wheel", "unpack", "--dest", work, pure)
        (tree,) = [p for p in glob.glob(os.path.join(work, "mprapi_cffi-*")) if os.path.isdir(p)]
        shutil.copy(pyd, os.path.join(tree, "mprapi_cffi", "_mprapi.pyd"))
        (wheel_file,) = glob.glob(os.path.join(tree, "*.dist-info", "WHEEL"))
        with open(wheel_file, encoding="utf-8") as f:
            lines = [line for line in f.read().splitlines()
                     if line.strip() and not line.startswith(("Tag:", "Root-Is-Purelib:"))]
        lines += ["Root-Is-Purelib: false", f"Tag: {WHEEL_TAG}"]
        with open(wheel_file, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        os.remove(pure)
        os.makedirs(output_dir, exist_ok=True)
        for old in glob.glob(os.path.join(output_dir, f"mprapi_cffi-*-{WHEEL_TAG}.whl")):
            os.remove(old)
        run(sys.executable, "-m", "wheel", "pack", "--dest-dir", output_dir, tree)
    wheel = wheel_in(output_dir)
    verify(wheel)
    return wheel


def verify(wheel: str) -> None:
    """Read the wheel back as installers do: RECORD hashes, tags, metadata."""
    with tempfile.TemporaryDirectory() as work:
        # wheel unpack checks every file against its RECORD hash.
        run(sys.executable, "-m", "wheel", "unpack", "--dest", work, wheel)
        for version in pyversions():
            # pip resolves the wheel for a Windows x64 CPython of each version the lane tests.
            run(sys.executable, "-m", "pip", "install", "--quiet", "--dry-run", "--no-deps",
                "--ignore-installed", *windows_pip_args(version), "--target", work, wheel)


if __name__ == "__main__":
    print(main(sys.argv[1], sys.argv[2]))
