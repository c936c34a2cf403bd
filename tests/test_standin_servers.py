"""Per-server behaviour of the stand-in router (router_set_server), through the real extension.

One process stands in for many routers: each server name gets its own
delay, failure or hang.  The last tests here check what Router hands the
DLL, natively.
"""

from __future__ import annotations

import gc
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest

import mprapi_cffi as mpr
from mprapi_cffi.errors import MprError

from standin import SERVER_RULES_MAX, Router
from test_binding import wait_for

ROUTER_FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "router")

# A code a real router gives for a server that has no RPC endpoint (EPT_S_NOT_REGISTERED).
NOT_REGISTERED = 1753


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


@pytest.fixture
def released(router: Router) -> Iterator[Router]:
    """The router, with every hung call released and finished before the misuse counters are read."""
    try:
        yield router
    finally:
        router.release_hangs()
        router.wait_idle(10)


class Call(threading.Thread):
    """`call` on a daemon thread; `done` is set when it returns or raises."""

    def __init__(self, call: Callable[[], object]) -> None:
        super().__init__(daemon=True)  # a hang left behind must not keep the interpreter alive
        self._call = call
        self.done = threading.Event()
        self.result: object = None
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.result = self._call()
        except BaseException as exc:
            self.error = exc
        finally:
            self.done.set()


# -- delay --------------------------------------------------------------------------

def test_a_delay_slows_only_the_server_it_names(router: Router) -> None:
    router.set_server("slow-1", delay_ms=300)
    with mpr.MibServer("slow-1") as slow, mpr.MibServer("slow-10") as other:
        slow_seconds = timed(slow.if_table)
        other_seconds = timed(other.if_table)
        assert len(slow.if_table()) == len(other.if_table()) == 3
    assert slow_seconds >= 0.25
    assert other_seconds < slow_seconds / 3


def test_delays_of_many_servers_overlap(router: Router) -> None:
    names = [f"sim-{i}" for i in range(60)]
    for i, name in enumerate(names):
        router.set_server(name, delay_ms=300 + i)

    def poll(name: str) -> float:
        with mpr.MibServer(name) as server:
            return timed(server.ip_stats)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        seconds = list(pool.map(poll, names))
    elapsed = time.perf_counter() - start
    assert all(took >= 0.28 for took in seconds)
    assert elapsed < 5, f"{len(names)} servers of about 0.3 s took {elapsed:.1f} s: their calls did not overlap"
    assert router.counter("max_in_flight") > len(names) // 2
    assert router.counters("connects", "disconnects", "calls") == {"connects": 60, "disconnects": 60, "calls": 60}


# -- failure ------------------------------------------------------------------------

def test_a_fail_code_becomes_mpr_error_for_that_server_only(router: Router) -> None:
    router.set_server("down", fail=NOT_REGISTERED)
    with mpr.MibServer("down") as down, mpr.MibServer("up") as up:
        with pytest.raises(MprError) as info:
            down.ip_stats()
        assert info.value.winerror == NOT_REGISTERED
        with pytest.raises(MprError) as info:
            down.if_table()
        assert info.value.winerror == NOT_REGISTERED
        assert up.ip_stats().default_ttl == 128


def test_a_prefix_pattern_and_the_last_match_wins(router: Router) -> None:
    router.set_server("sim-*", fail=NOT_REGISTERED)
    router.set_server("sim-2", fail=0)  # set last: sim-2 answers
    for name, fails in [("sim-1", True), ("sim-2", False), ("sim-", True), ("sim", False), ("xsim-1", False)]:
        with mpr.MibServer(name) as server:
            if fails:
                with pytest.raises(MprError) as info:
                    server.ip_stats()
                assert info.value.winerror == NOT_REGISTERED, name
            else:
                assert server.ip_stats().default_ttl == 128, name
    router.set_server("sim-*", fail=NOT_REGISTERED)  # set again: last once more
    with mpr.MibServer("sim-2") as server, pytest.raises(MprError):
        server.ip_stats()


# -- hang ---------------------------------------------------------------------------

@pytest.mark.parametrize("fail", [0, NOT_REGISTERED])
def test_a_hang_blocks_the_call_until_release_hangs(released: Router, fail: int) -> None:
    router = released
    router.set_server("stuck", hang=True, fail=fail)
    with mpr.MibServer("stuck") as stuck, mpr.MibServer("fine") as fine:
        for hangs in (1, 2):  # a hang after a release holds again
            call = Call(stuck.if_table)
            wait_for(lambda: router.counter("hung") == 1)
            assert not call.done.wait(0.3), "the call returned while its server hangs"
            assert len(fine.if_table()) == 3  # other servers go on meanwhile
            router.release_hangs()
            assert call.done.wait(10)
            if fail:
                assert isinstance(call.error, MprError) and call.error.winerror == fail
            else:
                assert call.error is None and isinstance(call.result, list) and len(call.result) == 3
            assert router.counters("hung", "hangs") == {"hung": 0, "hangs": hangs}


def test_a_server_closed_while_its_call_hangs_is_disconnected_once_when_the_call_returns(
        released: Router) -> None:
    router = released
    router.set_server("stuck", hang=True)
    server = mpr.MibServer("stuck")
    call = Call(server.if_table)
    wait_for(lambda: router.counter("hung") == 1)
    server.close()
    assert router.counters("disconnects", "disconnect_in_use") == {"disconnects": 0, "disconnect_in_use": 0}
    router.release_hangs()
    assert call.done.wait(10) and call.error is None
    router.wait_idle(10)
    del server, call
    gc.collect()
    assert router.counters("disconnects", "disconnect_in_use", "live_handles") == {
        "disconnects": 1, "disconnect_in_use": 0, "live_handles": 0}


def test_reset_releases_hangs_and_forgets_servers(released: Router) -> None:
    router = released
    router.set_server("stuck", hang=True)
    server = mpr.MibServer("stuck")
    call = Call(server.if_table)
    wait_for(lambda: router.counter("hung") == 1)
    router.reset()  # forgets the handle too: the late disconnect is not ours to count
    assert call.done.wait(10) and call.error is None
    server.detach()
    assert router.counters("hung", "hangs", "in_flight") == {"hung": 0, "hangs": 0, "in_flight": 0}
    with mpr.MibServer("stuck") as again:
        call = Call(again.if_table)
        assert call.done.wait(10) and call.error is None
    assert router.counter("hangs") == 0


# -- what Router hands the DLL (native) ----------------------------------------------

@pytest.fixture
def fake() -> Router:
    return Router(mock.MagicMock())


def test_set_server_passes_its_arguments(fake: Router) -> None:
    fake.dll.router_set_server.return_value = 0
    fake.set_server("sim-*", delay_ms=250, fail=NOT_REGISTERED, hang=True)
    fake.dll.router_set_server.assert_called_once_with("sim-*", 250, NOT_REGISTERED, 1)
    fake.set_server("plain")
    assert fake.dll.router_set_server.call_args.args == ("plain", 0, 0, 0)


def test_set_server_raises_when_the_router_refuses(fake: Router) -> None:
    fake.dll.router_set_server.return_value = -1
    with pytest.raises(RuntimeError, match="refused"):
        fake.set_server("one-too-many")


def test_wait_idle_waits_for_in_flight_to_reach_zero(fake: Router) -> None:
    fake.dll.router_counter.side_effect = [2, 1, 0]
    fake.wait_idle(5)
    assert fake.dll.router_counter.call_count == 3
    fake.dll.router_counter.side_effect = None
    fake.dll.router_counter.return_value = 1
    with pytest.raises(AssertionError, match="still in flight"):
        fake.wait_idle(0.05)


def test_server_rules_max_is_router_c_limit() -> None:
    with open(os.path.join(ROUTER_FOLDER, "router.c"), encoding="utf-8") as f:
        (limit,) = re.findall(r"^#define SERVER_RULES_MAX (\d+)$", f.read(), re.M)
    assert int(limit) == SERVER_RULES_MAX


def test_the_router_readme_lists_every_counter() -> None:
    with open(os.path.join(ROUTER_FOLDER, "router.c"), encoding="utf-8") as f:
        counted = set(re.findall(r'\{"(\w+)", &g_(?:trap_)?count\.', f.read()))
    with open(os.path.join(ROUTER_FOLDER, "README.md"), encoding="utf-8") as f:
        (row,) = [line for line in f if line.startswith("| `long long router_counter(")]
    assert {"hung", "hangs"} <= counted
    assert counted <= set(re.findall(r"`(\w+)`", row))
