"""poll() and apoll(): many routers at once, with fake routers (runs natively).

The same functions against the real extension and the stand-in router are in
test_fleet_lane.py.
"""

from __future__ import annotations

import asyncio
import math
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from mprapi_cffi import MprError, PollResult, apoll, fleet, poll

ROOT = Path(__file__).resolve().parents[1]


class FakeRouter:
    """A router whose reads take `delay` seconds, fail with `fail`, or block until `release` is set."""

    def __init__(self, name: str, fleet: Fleet) -> None:
        self.name = name
        self.fleet = fleet
        self.closes = 0

    def close(self) -> None:
        with self.fleet.lock:
            self.closes += 1
            self.fleet.closed.append(self.name)


class Fleet:
    """Connects fake routers and records what happened to them."""

    def __init__(self, delays: dict[str, float] | None = None, fails: dict[str, BaseException] | None = None,
                 hangs: set[str] | None = None) -> None:  # fmt: skip
        self.delays = delays or {}
        self.fails = fails or {}
        self.hangs = hangs or set()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.connected: list[str] = []
        self.closed: list[str] = []
        self.routers: dict[str, FakeRouter] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.finished: list[str] = []

    def connect(self, name: str) -> FakeRouter:
        with self.lock:
            self.connected.append(name)
            router = self.routers[name] = FakeRouter(name, self)
        return router

    def read(self, router: FakeRouter) -> str:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if router.name in self.hangs:
                self.release.wait()
            time.sleep(self.delays.get(router.name, 0))
            if router.name in self.fails:
                raise self.fails[router.name]
            return f"rows of {router.name}"
        finally:
            with self.lock:
                self.in_flight -= 1
                self.finished.append(router.name)

    def wait_idle(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while self.in_flight:
            assert time.monotonic() < deadline, f"{self.in_flight} reads still in flight"
            time.sleep(0.01)

    def wait_finished(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while len(self.finished) < count:
            assert time.monotonic() < deadline, f"only {self.finished} finished"
            time.sleep(0.01)


def test_every_router_gets_one_result_with_its_value_and_time() -> None:
    fleet = Fleet()
    names = [f"r{i}" for i in range(20)]
    results = list(poll(names, fleet.read, connect=fleet.connect))
    assert sorted(r.server for r in results) == sorted(names)
    for r in results:
        assert isinstance(r, PollResult)
        assert r.ok and r.error is None
        assert r.value == f"rows of {r.server}" == r.result()
        assert 0 <= r.seconds < 5
    assert sorted(fleet.closed) == sorted(names)  # each router closed once
    assert all(router.closes == 1 for router in fleet.routers.values())


def test_results_come_as_each_router_completes_not_in_the_order_given() -> None:
    fleet = Fleet(delays={"slow": 0.6, "fast": 0.0})
    order = [r.server for r in poll(["slow", "fast"], fleet.read, connect=fleet.connect)]
    assert order == ["fast", "slow"]


def test_routers_are_read_concurrently() -> None:
    fleet = Fleet(delays={f"r{i}": 0.2 for i in range(16)})
    start = time.monotonic()
    results = list(poll(fleet.delays, fleet.read, connect=fleet.connect))
    elapsed = time.monotonic() - start
    assert len(results) == 16
    assert fleet.max_in_flight == 16
    assert elapsed < 16 * 0.2 / 2  # far from one after another (3.2 s)


def test_max_workers_bounds_how_many_routers_are_read_at_once() -> None:
    fleet = Fleet(delays={f"r{i}": 0.05 for i in range(12)})
    results = list(poll(fleet.delays, fleet.read, max_workers=3, connect=fleet.connect))
    assert len(results) == 12 and all(r.ok for r in results)
    assert fleet.max_in_flight <= 3


def test_one_routers_failure_is_its_own_result() -> None:
    error = MprError(1722, "The RPC server is unavailable.", "MprAdminMIBEntryGet")
    fleet = Fleet(fails={"down": error, "bug": ZeroDivisionError("oops")})
    results = {r.server: r for r in poll(["a", "down", "b", "bug"], fleet.read, connect=fleet.connect)}
    assert results["down"].error is error and results["down"].value is None and not results["down"].ok
    assert isinstance(results["bug"].error, ZeroDivisionError)
    with pytest.raises(MprError):
        results["down"].result()
    assert results["a"].value == "rows of a" and results["b"].value == "rows of b"
    assert sorted(fleet.closed) == ["a", "b", "bug", "down"]  # closed whatever the outcome


def test_a_connect_that_fails_is_that_routers_result() -> None:
    def connect(name: str) -> Any:
        if name == "bad":
            raise OSError("cannot bind")
        return Fleet().connect(name)

    results = {r.server: r for r in poll(["bad", "good"], lambda router: router.name, connect=connect)}
    assert isinstance(results["bad"].error, OSError) and results["good"].value == "good"


def test_a_router_that_does_not_answer_gives_timeout_error_at_its_deadline() -> None:
    fleet = Fleet(hangs={"hung"})
    try:
        start = time.monotonic()
        results = []
        for r in poll(["hung", "ok"], fleet.read, timeout=0.5, connect=fleet.connect):
            results.append((r, time.monotonic() - start))
        (first, _), (late, at) = results
        assert first.server == "ok" and first.ok
        assert late.server == "hung" and isinstance(late.error, TimeoutError) and late.value is None
        assert "hung" in str(late.error) and "0.5 s" in str(late.error)
        assert 0.45 <= at < 3  # at the deadline, not when the call returns
        assert 0.45 <= late.seconds < 3
        # Given up: closed at the deadline, while its read is still inside the call.
        assert fleet.routers["hung"].closes == 1 and "hung" not in fleet.finished
    finally:
        fleet.release.set()
    fleet.wait_finished(2)
    time.sleep(0.1)
    assert [r.closes for r in fleet.routers.values()] == [1, 1]  # the late answer closes nothing again


def test_the_deadline_counts_from_when_each_router_starts() -> None:
    # One worker: "b" waits for "a" and still gets its whole timeout.
    fleet = Fleet(delays={"a": 0.3, "b": 0.3})
    results = {r.server: r for r in poll(["a", "b"], fleet.read, timeout=0.6, max_workers=1, connect=fleet.connect)}
    assert results["a"].ok and results["b"].ok


def test_a_late_answer_after_the_deadline_is_dropped() -> None:
    fleet = Fleet(delays={"late": 0.4})
    results = list(poll(["late"], fleet.read, timeout=0.1, connect=fleet.connect))
    assert len(results) == 1 and isinstance(results[0].error, TimeoutError)
    fleet.wait_finished(1)


def test_leaving_the_loop_early_gives_up_the_routers_in_flight() -> None:
    fleet = Fleet(hangs={"h1", "h2"})
    try:
        for r in poll(["fast", "h1", "h2"], fleet.read, connect=fleet.connect):
            assert r.server == "fast"
            break
        # The generator's close gave the hung ones up: closed while still in their calls.
        deadline = time.monotonic() + 5
        while sorted(fleet.closed) != ["fast", "h1", "h2"]:
            assert time.monotonic() < deadline, fleet.closed
            time.sleep(0.01)
    finally:
        fleet.release.set()
    fleet.wait_idle()  # a router given up before its read began is never read
    time.sleep(0.1)
    assert sorted(fleet.closed) == ["fast", "h1", "h2"]  # each once, however its read ended


def test_no_routers_no_results() -> None:
    assert list(poll([], lambda router: None, connect=Fleet().connect)) == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"servers": "router1"}, TypeError),
        ({"servers": [b"router1"]}, TypeError),
        ({"servers": [None]}, TypeError),
        ({"servers": ["a\0b"]}, ValueError),
        ({"timeout": 0}, ValueError),
        ({"timeout": -1.0}, ValueError),
        ({"timeout": math.nan}, ValueError),
        ({"timeout": math.inf}, ValueError),
        ({"timeout": 1e300}, ValueError),  # more than a wait can take: OverflowError inside the poll
        ({"timeout": "5"}, TypeError),
        ({"timeout": True}, TypeError),
        ({"max_workers": 0}, ValueError),
        ({"max_workers": 2.0}, TypeError),
    ],
)
def test_bad_arguments_raise_before_any_router_is_reached(kwargs: dict[str, Any], error: type[Exception]) -> None:
    fleet = Fleet()
    arguments: dict[str, Any] = {"servers": ["a"], **kwargs}
    servers = arguments.pop("servers")
    with pytest.raises(error):
        poll(servers, fleet.read, connect=fleet.connect, **arguments)  # raises at the call, not on iteration
    with pytest.raises(error):
        apoll(servers, fleet.read, connect=fleet.connect, **arguments)
    assert fleet.connected == []


def test_apoll_yields_results_as_they_complete_without_blocking_the_loop() -> None:
    fleet = Fleet(delays={"slow": 0.5, "fast": 0.0}, hangs={"hung"})

    async def main() -> tuple[list[PollResult[str]], int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.ensure_future(tick())
        results = [r async for r in apoll(["slow", "fast", "hung"], fleet.read, timeout=1.0, connect=fleet.connect)]
        ticker.cancel()
        return results, ticks

    try:
        results, ticks = asyncio.run(main())
    finally:
        fleet.release.set()
    assert [r.server for r in results] == ["fast", "slow", "hung"]
    assert results[0].value == "rows of fast" and results[1].value == "rows of slow"
    assert isinstance(results[2].error, TimeoutError)
    assert ticks > 20  # the loop kept running while the routers were read
    fleet.wait_finished(3)


def test_cancelling_an_apoll_task_gives_up_the_routers_in_flight() -> None:
    fleet = Fleet(hangs={"hung"})

    async def main() -> None:
        async def consume() -> None:
            async for _ in apoll(["hung"], fleet.read, connect=fleet.connect):
                pass

        task = asyncio.ensure_future(consume())
        while not fleet.routers:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    try:
        asyncio.run(main())
        assert fleet.routers["hung"].closes == 1  # given up while its read still hangs
    finally:
        fleet.release.set()
    fleet.wait_finished(1)


EXIT_WITH_A_HUNG_READ = textwrap.dedent(
    """
    import threading, time
    from mprapi_cffi import poll

    class Router:
        def close(self):
            print("closed", flush=True)

    never = threading.Event()
    for r in poll(["hung"], lambda router: never.wait(), timeout=0.3, connect=lambda name: Router()):
        print(type(r.error).__name__, flush=True)
    print("leaving", flush=True)
    """
)


def test_the_interpreter_exits_while_a_read_still_hangs() -> None:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", EXIT_WITH_A_HUNG_READ], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["closed", "TimeoutError", "leaving"]
    assert time.monotonic() - start < 30


def test_poll_threads_retire_when_idle_and_a_blocked_one_does_not_hold_up_the_next_job() -> None:
    from mprapi_cffi.fleet import _Workers

    def pool_threads() -> int:
        return sum(thread.name == "mprapi-poll" for thread in threading.enumerate())

    baseline = pool_threads()
    workers = _Workers(idle_seconds=0.2)
    blocked, ran = threading.Event(), threading.Event()
    workers.submit(blocked.wait)
    workers.submit(ran.set)  # the first thread is blocked: this job gets a thread of its own
    assert ran.wait(5)
    for _ in range(20):  # jobs in a row reuse an idle thread rather than start one each
        done = threading.Event()
        workers.submit(done.set)
        assert done.wait(5)
        time.sleep(0.01)  # for the thread to count itself idle again
    assert pool_threads() <= baseline + 2
    blocked.set()
    deadline = time.monotonic() + 5
    while pool_threads() > baseline:  # idle for 0.2 s: every thread of this pool has gone
        assert time.monotonic() < deadline, f"{pool_threads() - baseline} idle threads still there"
        time.sleep(0.02)
    done = threading.Event()
    workers.submit(done.set)  # and a job after that still runs
    assert done.wait(5)


def test_gather_makes_its_calls_at_once_and_gives_their_results_in_order() -> None:
    together = threading.Barrier(3, timeout=5)  # no call can end before all three have begun

    def call(value: int) -> int:
        together.wait()
        return value

    assert fleet.gather(lambda: call(1), lambda: call(2), lambda: call(3)) == [1, 2, 3]
    assert fleet.gather() == []


def test_gather_raises_the_first_error_after_every_call_has_ended() -> None:
    ended: list[str] = []

    def fails(name: str) -> None:
        ended.append(name)
        raise ValueError(name)

    def slow() -> str:
        time.sleep(0.2)
        ended.append("slow")
        return "slow"

    with pytest.raises(ValueError, match="first"):
        fleet.gather(lambda: fails("first"), slow, lambda: fails("third"))
    assert sorted(ended) == ["first", "slow", "third"]
