"""poll() and apoll() through the real extension, against the stand-in router.

Each server name gets its own latency, failure or hang from the stand-in
(Router.set_server), so that many "routers" live in one process.  Every test
ends with the router fixture's check: no handle left, none disconnected twice
or while in use, no buffer leaked.
"""

from __future__ import annotations

import asyncio
import gc
import time

import pytest

import mprapi_cffi as mpr
from conftest import windows_lane
from standin import Router
from test_binding import reporting_at_exit, run_python

pytestmark = windows_lane


def if_tables(names: list[str], **kwargs: float) -> dict[str, mpr.PollResult[list[mpr.IfRow]]]:
    return {r.server: r for r in mpr.poll(names, mpr.MibServer.if_table, **kwargs)}  # type: ignore[arg-type]


def test_poll_reads_every_router_through_the_extension(router: Router) -> None:
    names = [f"edge-{i}" for i in range(24)]
    with mpr.MibServer("edge-0") as server:
        expected = server.if_table()
    results = if_tables(names)
    assert sorted(results) == sorted(names)
    assert all(r.ok and r.value == expected for r in results.values())
    gc.collect()
    assert router.counters("connects", "disconnects", "live_handles") == {
        "connects": 25, "disconnects": 25, "live_handles": 0}


def test_each_router_answers_with_its_own_latency(router: Router) -> None:
    router.set_server("slow", delay_ms=600)
    order = [r.server for r in mpr.poll(["slow", "fast"], mpr.MibServer.ip_stats)]
    assert order == ["fast", "slow"]


def test_many_routers_are_asked_at_once(router: Router) -> None:
    router.set_server("sim-*", delay_ms=300)
    names = [f"sim-{i}" for i in range(32)]
    start = time.monotonic()
    results = if_tables(names)
    elapsed = time.monotonic() - start
    assert all(r.ok for r in results.values())
    assert router.counter("max_in_flight") >= 16
    assert elapsed < 32 * 0.3 / 4  # one after another would take 9.6 s


def test_a_failing_router_fails_alone(router: Router) -> None:
    router.set_server("down", fail=1722)
    results = if_tables(["down", "up", "unreachable", "norras"])
    assert results["up"].ok and len(results["up"].value or []) == 3
    for name, code in (("down", 1722), ("unreachable", 1722), ("norras", 1717)):
        error = results[name].error
        assert isinstance(error, mpr.MprError) and error.winerror == code, name


def test_a_hung_router_times_out_and_is_disconnected_when_its_call_returns(router: Router) -> None:
    router.set_server("hung", hang=True)
    start = time.monotonic()
    try:
        results = []
        for r in mpr.poll(["hung", "ok"], mpr.MibServer.if_table, timeout=0.5):
            results.append((r, time.monotonic() - start))
        (ok, _), (hung, at) = results
        assert ok.server == "ok" and ok.ok
        assert hung.server == "hung" and isinstance(hung.error, TimeoutError)
        assert 0.45 <= at < 5
        # Given up, but its call is still in the router: the binding waits for it.
        assert router.counters("hung", "in_flight", "live_handles", "disconnects") == {
            "hung": 1, "in_flight": 1, "live_handles": 1, "disconnects": 1}
    finally:
        router.release_hangs()
    router.wait_idle(10)
    gc.collect()
    assert router.counters("disconnects", "disconnect_in_use", "live_handles", "bad_handle") == {
        "disconnects": 2, "disconnect_in_use": 0, "live_handles": 0, "bad_handle": 0}


def test_a_walk_given_up_stops_at_its_next_call(router: Router) -> None:
    # The read makes one call after another; the deadline closes the server,
    # so the call after the slow one is refused at once and never reaches the router.
    router.set_server("slowwalk", delay_ms=700)
    results = list(mpr.poll(["slowwalk"], lambda s: list(s.walk(mpr.IfRow)), timeout=0.3))
    assert isinstance(results[0].error, TimeoutError)
    router.wait_idle(10)
    time.sleep(0.2)
    assert router.counter("calls") == 1
    gc.collect()
    assert router.counters("disconnects", "live_handles") == {"disconnects": 1, "live_handles": 0}


def test_apoll_through_the_extension(router: Router) -> None:
    router.set_server("slow", delay_ms=400)
    router.set_server("hung", hang=True)

    async def main() -> list[mpr.PollResult[mpr.IpStats]]:
        return [r async for r in mpr.apoll(["slow", "hung", "fast"], mpr.MibServer.ip_stats, timeout=1.0)]

    try:
        results = asyncio.run(main())
    finally:
        router.release_hangs()
    assert [r.server for r in results] == ["fast", "slow", "hung"]
    assert results[0].ok and results[1].ok and isinstance(results[2].error, TimeoutError)
    router.wait_idle(10)


def test_the_interpreter_exits_while_a_call_to_a_hung_router_is_blocked(router: Router) -> None:
    script = reporting_at_exit("hung in_flight disconnects disconnect_in_use bad_handle", r"""
dll.router_set_server.argtypes = [ctypes.c_wchar_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_int]
dll.router_set_server("hung", 0, 0, 1)
for r in mprapi_cffi.poll(["hung", "ok"], mprapi_cffi.MibServer.if_table, timeout=0.5):
    print(r.server, type(r.error).__name__, flush=True)
""")
    start = time.monotonic()
    out = run_python(script).split()
    assert time.monotonic() - start < 60
    # The call is still blocked at exit: its binding is left to it, never disconnected under it.
    assert out == ["ok", "NoneType", "hung", "TimeoutError",
                   "hung=1", "in_flight=1", "disconnects=1", "disconnect_in_use=0", "bad_handle=0"]


@pytest.mark.parametrize("timeout", [0, -1])
def test_bad_timeout_refused_before_any_connect(router: Router, timeout: float) -> None:
    with pytest.raises(ValueError):
        mpr.poll(["a"], mpr.MibServer.if_table, timeout=timeout)
    assert router.counter("connects") == 0
