"""`make demo`: the mprapi command through the real extension, in the Windows lane.

The stand-in router is switched to loopback mode, in which it answers the
IP router manager's queries from this machine's own IP stack (iphlpapi; under
Wine, the Linux host's interfaces and routes).
"""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(1, os.path.join(ROOT, "tests"))  # standin.py, the stand-in router's driver

from standin import Mode, load_router  # noqa: E402

router = load_router()  # from MPRAPI_TEST_ROUTER, before the extension binds to a mprapi.dll
router.set_mode(Mode.LOOPBACK)

from mprapi_cffi.cli import main  # noqa: E402  (after the router is loaded)


def run(*argv: str) -> None:
    print(f"$ mprapi {' '.join(argv)}", flush=True)
    status = main(list(argv))
    print(flush=True)
    if status:
        raise SystemExit(status)


run("routes")
run("interfaces")
run("addresses")
counts = router.counters("connects", "disconnects", "live_buffers")
print("stand-in router: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
