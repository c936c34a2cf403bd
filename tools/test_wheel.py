"""Test an installed wheel on Windows against the stand-in router (cibuildwheel's test-command).

    python tools/test_wheel.py [pytest args]

Builds the stand-in router with MSVC into a temporary folder, then runs the
suite from a copy of tests/ outside the source tree, so that `import
mprapi_cffi` finds the installed wheel and not the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from build_router import build_router  # noqa: E402


def main() -> int:
    project = os.path.dirname(HERE)
    with tempfile.TemporaryDirectory() as work:
        router_dir = build_router(os.path.join(work, "router"))
        tests = shutil.copytree(os.path.join(project, "tests"), os.path.join(work, "tests"))
        env = dict(os.environ, MPRAPI_TEST_ROUTER=os.path.dirname(router_dir))
        return subprocess.call(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", tests, *sys.argv[1:]],
            cwd=work, env=env,
        )


if __name__ == "__main__":
    raise SystemExit(main())
