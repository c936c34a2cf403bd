"""`make demo`: the mprapi command through the real extension, in the Windows lane.

The stand-in router is switched to loopback mode, in which it answers the
IP router manager's queries from this machine's own IP stack (iphlpapi; under
Wine, the Linux host's interfaces and routes).
"""

from __future__ import annotations

import ctypes
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

ROUTER_DIR = os.environ["MPRAPI_TEST_ROUTER"]
os.add_dll_directory(ROUTER_DIR)
router = ctypes.CDLL(os.path.join(ROUTER_DIR, "mprapi.dll"))
router.router_counter.restype = ctypes.c_longlong
router.router_set_mode(1)

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
counts = {name: router.router_counter(name.encode()) for name in ("connects", "disconnects", "live_buffers")}
print("stand-in router: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
