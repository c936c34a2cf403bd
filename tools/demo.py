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


def compare_with_ip_route_get() -> None:
    """`mprapi best-route` against what Linux's `ip route get` said on the host (make demo passes it in)."""
    said = os.environ.get("MPRAPI_IP_ROUTE_GET", "").strip()
    if not said:
        print("(no `ip route get` answers to compare with: the host has no `ip` command)")
        return
    from mprapi_cffi import RouteType, connect

    with connect() as server:
        for line in said.splitlines():
            line = line.split("\\")[0].strip()  # `ip -o` puts the cache details after a backslash
            words = line.split()
            print(f"ip route get: {line}")
            if words[0] == "local":
                # Linux keeps these in its `local` table; Wine's iphlpapi reads only the main one.
                print("  (a local-table route: Wine's iphlpapi does not see it, so there is nothing to compare)")
                continue
            dest, dev = words[0], words[words.index("dev") + 1]
            via = words[words.index("via") + 1] if "via" in words else None
            route = server.best_route(dest)
            interface = server.if_row(route.if_index).descr
            # A route with no gateway is on-link: Windows names the interface's own address as its next hop.
            hop_agrees = str(route.next_hop) == via if via else route.type == RouteType.DIRECT
            agrees = hop_agrees and interface == dev
            print(f"  best_route: next hop {route.next_hop}, interface {route.if_index} ({interface}),"
                  f" {route.type.name.lower()} -> {'agrees' if agrees else 'DIFFERS'}")  # fmt: skip
    print()


run("routes")
run("interfaces")
run("addresses")
for destination in ("8.8.8.8", "127.0.0.1"):
    run("best-route", destination)
compare_with_ip_route_get()
counts = router.counters("connects", "disconnects", "live_buffers")
print("stand-in router: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
