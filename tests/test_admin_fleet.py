"""Admin reads of many servers: poll(), apoll() and read_within() with connect=AdminServer.

Each server name gets its own latency, failure or hang from the stand-in
(Router.set_server, matched on the admin handle's server name).  A hung
server's result is a TimeoutError while the others answer; its AdminServer is
closed at the deadline and disconnected exactly once, when the hung call
returns after release_hangs().
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

import mprapi_cffi as mpr
from mprapi_cffi.fleet import PollResult, read_within
from mprapi_cffi.ras import Connection4

from conftest import windows_lane
from test_admin import CONNECTIONS, AdminControls, admin  # noqa: F401  (the fixture)

pytestmark = windows_lane

NAMES = [f"vpn-{i}" for i in range(8)]
HANDLES = [c["handle"] for c in CONNECTIONS]


def test_poll_reads_every_server_with_its_own_admin_handle(admin: AdminControls) -> None:  # noqa: F811
    results: dict[str, PollResult[list[mpr.admin.Connection]]] = {
        r.server: r for r in mpr.poll(NAMES, mpr.AdminServer.connections, connect=mpr.AdminServer)}
    assert sorted(results) == NAMES
    for result in results.values():
        assert result.ok and [row.handle for row in result.result()] == HANDLES
        assert all(isinstance(row, Connection4) for row in result.result())
    gc.collect()
    assert admin.counters("admin_connects", "admin_disconnects", "live_admin_handles", "admin_calls") == {
        "admin_connects": 8, "admin_disconnects": 8, "live_admin_handles": 0, "admin_calls": 8}
    assert admin.router.counter("connects") == 0  # no MIB binding was made


def _wait_disconnected(router: Any, disconnects: int) -> None:
    """Wait for released calls to return and their handles to be disconnected.

    The stand-in counts a call out (in_flight) just before the Python caller
    counts it out and disconnects, so in_flight reaching 0 is not enough.
    """
    router.wait_idle(10)
    deadline = time.monotonic() + 10
    while router.counter("admin_disconnects") < disconnects and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.01)
    gc.collect()


def test_a_hung_server_times_out_while_the_others_answer_and_is_disconnected_once(
        admin: AdminControls) -> None:  # noqa: F811
    router = admin.router
    router.set_server("vpn-hung", hang=True)
    router.set_server("vpn-slow", delay_ms=200)
    router.set_server("vpn-denied", fail=5)
    names = ["vpn-hung", "vpn-slow", "vpn-denied", *NAMES]
    started = time.monotonic()
    try:
        results = {r.server: r for r in mpr.poll(names, lambda s: s.snapshot(), connect=mpr.AdminServer, timeout=1.5)}
        seconds = time.monotonic() - started
        assert sorted(results) == sorted(names)
        assert isinstance(results["vpn-hung"].error, TimeoutError)
        assert isinstance(results["vpn-denied"].error, mpr.MprError) and results["vpn-denied"].error.winerror == 5
        for name in ["vpn-slow", *NAMES]:
            snapshot = results[name].result()
            assert snapshot.server.total_ports == 352 and len(snapshot.ports) == 352
            assert [c.handle for c in snapshot.connections] == HANDLES
        assert seconds < 5, seconds
        # The hung server's handle is closed, but its calls are still in flight: not disconnected yet.
        assert router.counter("live_admin_handles") == 1
        assert router.counter("admin_disconnects") == len(names) - 1
    finally:
        router.release_hangs()
    _wait_disconnected(router, len(names))
    assert router.counters("admin_connects", "admin_disconnects", "live_admin_handles", "disconnect_in_use") == {
        "admin_connects": len(names), "admin_disconnects": len(names), "live_admin_handles": 0,
        "disconnect_in_use": 0}


def test_read_within_gives_up_a_hung_admin_read(admin: AdminControls) -> None:  # noqa: F811
    router = admin.router
    router.set_server("vpn-hung", hang=True)
    try:
        result = read_within("vpn-hung", mpr.AdminServer.ports, timeout=0.5, connect=mpr.AdminServer)
        assert isinstance(result.error, TimeoutError)
        assert router.counter("admin_disconnects") == 0
    finally:
        router.release_hangs()
    _wait_disconnected(router, 1)
    assert admin.counters("admin_connects", "admin_disconnects") == {"admin_connects": 1, "admin_disconnects": 1}


def test_apoll_reads_admin_servers(admin: AdminControls) -> None:  # noqa: F811
    admin.router.set_server("vpn-hung", hang=True)

    async def main() -> dict[str, PollResult[mpr.ServerInfo0]]:
        return {r.server: r async for r in mpr.apoll(["vpn-hung", *NAMES], mpr.AdminServer.server_info,
                                                     connect=mpr.AdminServer, timeout=1)}

    try:
        results = asyncio.run(main())
        assert isinstance(results["vpn-hung"].error, TimeoutError)
        assert all(results[name].result().total_ports == 352 for name in NAMES)
    finally:
        admin.router.release_hangs()
    _wait_disconnected(admin.router, 9)
    assert admin.counters("admin_connects", "admin_disconnects") == {"admin_connects": 9, "admin_disconnects": 9}


def test_mib_reads_are_polled_as_before(admin: AdminControls) -> None:  # noqa: F811
    results = list(mpr.poll(NAMES[:3], mpr.MibServer.if_number))
    assert all(r.ok and r.value == 3 for r in results)
    gc.collect()
    assert admin.counters("admin_connects") == {"admin_connects": 0}
    assert admin.router.counters("connects", "disconnects") == {"connects": 3, "disconnects": 3}
