"""Traps: MibServer.get_trap_info and TrapSubscription, natively where they can be and in the Windows lane.

In the Windows lane the stand-in router keeps a duplicate of each registered
event, as the real service does, and says (trap_events_open) whether the
client still holds its own handle open; RecordingLib sees every CreateEventW,
CloseHandle and WaitForSingleObject the package makes.
"""

from __future__ import annotations

import _thread
import asyncio
import gc
import math
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import mprapi_cffi as mpr
from mprapi_cffi import _calls, _ext, traps

from conftest import IN_WINDOWS_LANE, ROUTER_DIR, Router, windows_lane
from recording import RecordingLib

TESTS = os.path.dirname(os.path.abspath(__file__))


# -- natively ------------------------------------------------------------------

def test_the_trap_api_is_exported() -> None:
    assert {"TrapSubscription", "subscribe_traps"} <= set(mpr.__all__)
    assert mpr.TrapSubscription is traps.TrapSubscription
    assert callable(mpr.MibServer.get_trap_info)


@pytest.mark.skipif(IN_WINDOWS_LANE, reason="the API is available here")
def test_without_the_api_a_subscription_is_unavailable_after_its_input_is_checked() -> None:
    with pytest.raises(mpr.ApiUnavailableError):
        mpr.TrapSubscription()
    with pytest.raises(mpr.ApiUnavailableError):
        mpr.subscribe_traps(mpr.PID_IP, mpr.IPRTRMGR_PID, b"data")
    with pytest.raises(TypeError):
        mpr.subscribe_traps(data="not bytes")


@pytest.mark.parametrize(("timeout", "error"), [
    (-1, ValueError), (-0.001, ValueError), (math.nan, ValueError),
    ("1", TypeError), (True, TypeError), ([1], TypeError),
])
def test_a_bad_timeout_is_refused(timeout: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        traps._deadline(timeout)


def test_timeouts_become_deadlines() -> None:
    assert traps._deadline(None) is None
    assert traps._deadline(math.inf) is None
    now = time.monotonic()
    assert now <= traps._deadline(0) <= time.monotonic()  # type: ignore[operator]
    assert 2.0 <= traps._deadline(2) - now < 3.0  # type: ignore[operator]


@pytest.mark.parametrize(("value", "error"), [(-1, OverflowError), (2**32, OverflowError), ("33", TypeError),
                                              (33.0, TypeError), (None, TypeError)])
def test_a_bad_pid_is_refused(value: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        traps._dword(value, "pid")


@pytest.mark.parametrize("value", ["text", 5, None, [1, 2]])
def test_data_that_is_not_bytes_like_is_refused(value: object) -> None:
    with pytest.raises(TypeError):
        traps._data(value, "data")


def test_bytes_like_data_is_copied() -> None:
    import array
    source = bytearray(b"abc")
    data = traps._data(source, "data")
    source[0] = 0
    assert data == b"abc" and type(data) is bytes
    assert traps._data(array.array("I", [1]), "data") == b"\1\0\0\0"
    assert traps._data(memoryview(b"xy"), "data") == b"xy"


# -- the Windows lane: what the package calls ------------------------------------

@pytest.fixture
def calls(router: Router, monkeypatch: pytest.MonkeyPatch) -> RecordingLib:
    recording = RecordingLib(_ext.lib, _ext.ffi)
    monkeypatch.setattr(_calls, "lib", recording)
    return recording


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.005)


def started(target: Callable[..., object], *args: object) -> threading.Thread:
    thread = threading.Thread(target=target, args=args)
    thread.start()
    return thread


def inject_later(router: Router, data: bytes, delay: float) -> threading.Timer:
    timer = threading.Timer(delay, router.inject_trap, (data,))
    timer.start()
    return timer


def a_wait_in_progress(calls: RecordingLib, event: int) -> Callable[[], bool]:
    return lambda: calls.waiting.get(event, 0) > 0


# -- 1. exactly one CloseHandle per event ---------------------------------------

@windows_lane
def test_close_closes_the_event_once_and_is_idempotent(router: Router, calls: RecordingLib) -> None:
    sub = mpr.subscribe_traps()
    event = sub.handle
    assert event and calls.created == [event]
    assert router.trap_event(0) == event  # what MprAdminMIBSetTrapInfo was given
    assert router.counters("trap_registrations", "trap_events_open") == {
        "trap_registrations": 1, "trap_events_open": 1}
    sub.close()
    sub.close()
    assert sub.closed and sub.handle == 0 and not sub
    assert calls.closed == [event]
    assert router.counter("trap_events_open") == 0


@windows_lane
def test_with_block_closes_on_exit_and_on_an_exception(router: Router, calls: RecordingLib) -> None:
    with mpr.TrapSubscription() as sub:
        assert router.counter("trap_events_open") == 1
    assert sub.closed
    with pytest.raises(KeyError):
        with mpr.TrapSubscription():
            raise KeyError("boom")
    assert calls.closed == calls.created and len(calls.created) == 2  # values may repeat: handles are reused
    assert router.counter("trap_events_open") == 0


@windows_lane
def test_garbage_collection_closes(router: Router, calls: RecordingLib) -> None:
    sub = mpr.subscribe_traps()
    event = sub.handle
    del sub
    gc.collect()
    assert calls.closed == [event]
    assert router.counters("trap_events_open", "live_handles") == {"trap_events_open": 0, "live_handles": 0}


@windows_lane
def test_a_reference_cycle_is_collected_and_closes(router: Router, calls: RecordingLib) -> None:
    cycle: list[object] = [mpr.subscribe_traps()]
    cycle.append(cycle)
    del cycle
    assert calls.closed == []
    gc.collect()
    assert len(calls.closed) == 1
    assert router.counter("trap_events_open") == 0


@windows_lane
def test_the_subscription_closes_the_server_it_opened_but_not_one_it_was_given(router: Router) -> None:
    sub = mpr.subscribe_traps()
    assert router.counters("connects", "live_handles") == {"connects": 1, "live_handles": 1}
    own = sub.server
    sub.close()
    assert own.closed and router.counter("live_handles") == 0
    with mpr.connect() as server:
        with mpr.subscribe_traps(server=server) as sub:
            assert sub.server is server
        assert not server.closed
    assert router.counters("connects", "disconnects") == {"connects": 2, "disconnects": 2}


def run_script(script: str) -> str:
    """`script` in a new Windows CPython, started in the folder above tests/; its stdout."""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            cwd=os.path.dirname(TESTS))
    assert result.returncode == 0, result.stderr
    return result.stdout


def at_exit(counters: str, body: str) -> str:
    """A script that runs `body`, then, once the interpreter's exit handlers (the
    subscriptions' finalizers among them) have run, injects a trap and prints
    the stand-in's `counters` and what RecordingLib saw."""
    return f"""
import atexit, sys, threading, time
sys.path[:0] = [{TESTS!r}]
from standin import load_router
router = load_router()
def report():
    time.sleep(0.5)  # let a wait that was interrupted by the close see it
    router.inject_trap(b"after exit")
    print(" ".join("%s=%d" % (n, router.counter(n)) for n in {counters.split()!r}),
          "closed=%d" % len(calls.closed), "closed_during_wait=%d" % calls.closed_during_wait, flush=True)
atexit.register(report)  # before any weakref.finalize exists, so it runs after them
import mprapi_cffi
from mprapi_cffi import _calls, _ext
from recording import RecordingLib
calls = _calls.lib = RecordingLib(_ext.lib, _ext.ffi)
{body}
"""


@windows_lane
def test_interpreter_exit_closes_live_subscriptions(router: Router) -> None:
    script = at_exit("trap_registrations trap_events_open trap_signals_unheard live_handles", """
sub = mprapi_cffi.subscribe_traps()
cycle = [mprapi_cffi.subscribe_traps()]
cycle.append(cycle)
""")
    assert run_script(script).split() == [
        "trap_registrations=2", "trap_events_open=0", "trap_signals_unheard=2", "live_handles=0",
        "closed=2", "closed_during_wait=0"]


@windows_lane
def test_interpreter_exit_during_a_wait_closes_only_after_the_wait(router: Router) -> None:
    script = at_exit("trap_events_open trap_signals_unheard", """
sub = mprapi_cffi.subscribe_traps()
threading.Thread(target=sub.wait, args=(30,), daemon=True).start()
while not any(calls.waiting.values()):
    time.sleep(0.005)
""")
    assert run_script(script).split() == [
        "trap_events_open=0", "trap_signals_unheard=1", "closed=1", "closed_during_wait=0"]


@windows_lane
def test_detach_hands_over_the_event_and_never_closes_it(router: Router, calls: RecordingLib) -> None:
    sub = mpr.subscribe_traps()
    raw = sub.handle
    assert sub.detach() == raw
    assert sub.closed and sub.handle == 0
    sub.close()
    del sub
    gc.collect()
    assert calls.closed == []
    assert router.counter("trap_events_open") == 1
    _ext.lib.CloseHandle(_ext.ffi.cast("HANDLE", raw))  # the new owner's duty
    assert router.counter("trap_events_open") == 0


@windows_lane
def test_a_failed_registration_closes_its_event(router: Router, calls: RecordingLib) -> None:
    with pytest.raises(mpr.MprError) as info:
        mpr.TrapSubscription(mpr.PID_IPX)
    assert info.value.winerror == 902 and info.value.function == "MprAdminMIBSetTrapInfo"
    assert len(calls.created) == 1 and calls.closed == calls.created
    router.fail_calls(5)
    with pytest.raises(mpr.MprError) as info:
        mpr.TrapSubscription()
    assert info.value.winerror == 5
    assert len(calls.closed) == 2
    assert router.counters("trap_registrations", "live_handles") == {"trap_registrations": 0, "live_handles": 0}


@windows_lane
def test_a_registration_reply_that_comes_with_an_error_is_freed(router: Router, calls: RecordingLib) -> None:
    router.fail_calls_with_buffer(1722)
    with pytest.raises(mpr.MprError):
        mpr.TrapSubscription()
    assert router.counters("buffers_allocated", "live_buffers") == {"buffers_allocated": 1, "live_buffers": 0}
    assert len(calls.closed) == 1


# -- 2. close while a thread waits ----------------------------------------------

@windows_lane
def test_close_during_a_wait_closes_the_event_when_the_wait_returns(router: Router, calls: RecordingLib) -> None:
    sub = mpr.subscribe_traps()
    event = sub.handle
    inside, release = threading.Event(), threading.Event()

    def hold(code: int) -> None:  # the waiting thread, between two slices, still inside wait()
        inside.set()
        release.wait(10)

    calls.after_wait = hold
    results: list[bool] = []
    waiter = started(lambda: results.append(sub.wait(30)))
    assert inside.wait(10)
    sub.close()
    assert sub.closed
    with pytest.raises(ValueError):
        sub.wait(0)  # new waits fail at once
    assert calls.closed == [], "closed under a wait in flight"
    assert router.counter("trap_events_open") == 1
    router.inject_trap(b"while closing")
    assert router.counter("trap_signals_unheard") == 0  # the router's signal reached an open handle
    calls.after_wait = None
    release.set()
    waiter.join(10)
    assert not waiter.is_alive()
    assert calls.closed == [event] and calls.closed_during_wait == 0
    assert results == [False]  # the close, seen after its slice
    assert router.counter("trap_events_open") == 0


@windows_lane
def test_close_from_another_thread_ends_a_wait_with_no_timeout_promptly(router: Router, calls: RecordingLib) -> None:
    sub = mpr.subscribe_traps()
    results: list[bool] = []
    waiter = started(lambda: results.append(sub.wait()))
    wait_for(a_wait_in_progress(calls, sub.handle))
    closed_at = time.monotonic()
    sub.close()
    waiter.join(5)
    assert not waiter.is_alive() and results == [False]
    assert time.monotonic() - closed_at < 2 * traps.SLICE_MS / 1000 + 0.5
    assert len(calls.closed) == 1 and calls.closed_during_wait == 0


@windows_lane
def test_close_while_many_threads_wait_closes_once_after_the_last(router: Router, calls: RecordingLib) -> None:
    sub = mpr.subscribe_traps()
    event = sub.handle
    results: list[bool] = []
    threads = [started(lambda: results.append(sub.wait(30))) for _ in range(6)]
    wait_for(lambda: calls.waiting.get(event, 0) == 6)
    closed_at = time.monotonic()
    started(sub.close).join()
    for thread in threads:
        thread.join(10)
    assert time.monotonic() - closed_at < 2 * traps.SLICE_MS / 1000 + 1  # not their 30 s
    assert results == [False] * 6
    assert calls.closed == [event] and calls.closed_during_wait == 0


@windows_lane
def test_detach_while_a_thread_waits_is_refused(router: Router, calls: RecordingLib) -> None:
    sub = mpr.subscribe_traps()
    waiter = started(sub.wait, 0.5)
    wait_for(a_wait_in_progress(calls, sub.handle))
    with pytest.raises(RuntimeError):
        sub.detach()
    waiter.join()
    sub.close()
    assert len(calls.closed) == 1


@windows_lane
def test_racing_close_against_waiting_threads_closes_exactly_once(router: Router, calls: RecordingLib) -> None:
    for round_number in range(20):
        sub = mpr.subscribe_traps()

        def wait_until_closed(sub: mpr.TrapSubscription) -> None:
            try:
                while True:
                    sub.wait(0.01)
            except ValueError:
                return

        threads = [started(wait_until_closed, sub) for _ in range(3)]
        time.sleep(0.002 * (round_number % 5))
        sub.close()
        for thread in threads:
            thread.join(10)
        assert len(calls.closed) == round_number + 1
    assert calls.closed == calls.created and len(calls.created) == 20
    assert calls.closed_during_wait == 0
    assert router.counter("trap_events_open") == 0


@windows_lane
def test_churn_of_many_subscriptions_leaves_nothing_open(router: Router, calls: RecordingLib) -> None:
    for index in range(300):
        sub = mpr.subscribe_traps(data=index.to_bytes(4, "little"))
        if index % 3 == 0:
            sub.close()
        elif index % 3 == 1:
            with sub:
                assert not sub.wait(0)
        else:
            del sub
    gc.collect()
    assert len(calls.created) == len(calls.closed) == 300
    assert router.counters("trap_registrations", "trap_events_open", "live_handles", "live_buffers") == {
        "trap_registrations": 300, "trap_events_open": 0, "live_handles": 0, "live_buffers": 0}


# -- 3. closed subscriptions raise ValueError ------------------------------------

@windows_lane
@pytest.mark.parametrize("operation", ["wait", "fetch", "iter", "aiter", "detach", "wait_async"])
def test_every_operation_on_a_closed_subscription_raises_value_error(
    router: Router, calls: RecordingLib, operation: str
) -> None:
    sub = mpr.subscribe_traps()
    sub.close()
    waits = calls.waits
    with pytest.raises(ValueError, match="closed TrapSubscription"):
        if operation == "wait":
            sub.wait(0)
        elif operation == "fetch":
            sub.fetch()
        elif operation == "iter":
            iter(sub)
        elif operation == "aiter":
            sub.__aiter__()
        elif operation == "detach":
            sub.detach()
        else:
            asyncio.run(sub.wait_async(0))
    assert calls.waits == waits
    assert router.counter("calls") == 0


@windows_lane
def test_a_subscription_reports_its_state(router: Router) -> None:
    sub = mpr.subscribe_traps(mpr.PID_IP, mpr.IPRTRMGR_PID, b"in", query=b"q")
    assert (sub.pid, sub.routing_pid, sub.data, sub.query) == (mpr.PID_IP, mpr.IPRTRMGR_PID, b"in", b"q")
    assert repr(sub) == "<TrapSubscription pid=33 routing_pid=10000 open>"
    assert sub and sub == sub and sub != mpr.subscribe_traps()
    with pytest.raises(TypeError):
        pickle.dumps(sub)
    sub.close()
    assert repr(sub) == "<TrapSubscription pid=33 routing_pid=10000 closed>"
    gc.collect()


# -- 4. waits ----------------------------------------------------------------------

@windows_lane
def test_a_wait_times_out_with_false(router: Router) -> None:
    with mpr.subscribe_traps() as sub:
        assert sub.wait(0) is False
        started_at = time.monotonic()
        assert sub.wait(0.25) is False
        assert 0.24 <= time.monotonic() - started_at < 2


@windows_lane
def test_a_wait_returns_true_when_the_router_signals(router: Router) -> None:
    with mpr.subscribe_traps() as sub:
        timer = inject_later(router, b"T", 0.2)
        started_at = time.monotonic()
        assert sub.wait(10) is True
        assert time.monotonic() - started_at < 5
        timer.join()


@windows_lane
def test_a_signal_is_consumed_by_the_wait_that_sees_it(router: Router) -> None:
    with mpr.subscribe_traps() as sub:
        assert router.inject_trap(b"once") == 1
        assert router.inject_trap(b"twice") == 1  # an event is a flag: two signals, one wake
        assert sub.wait(0) is True
        assert sub.wait(0) is False


@windows_lane
def test_each_signal_wakes_exactly_one_waiter(router: Router, calls: RecordingLib) -> None:
    sub = mpr.subscribe_traps()
    results: list[bool] = []
    threads = [started(lambda: results.append(sub.wait(1.5))) for _ in range(4)]
    wait_for(lambda: calls.waiting.get(sub.handle, 0) == 4)
    router.inject_trap(b"one")
    for thread in threads:
        thread.join(10)
    assert sorted(results) == [False, False, False, True]
    sub.close()


@windows_lane
def test_every_subscription_hears_a_trap(router: Router) -> None:
    with mpr.subscribe_traps() as first, mpr.subscribe_traps() as second:
        assert router.inject_trap(b"x") == 2
        assert first.wait(0) and second.wait(0)


@windows_lane
def test_ctrl_c_ends_a_long_wait_within_a_slice(router: Router) -> None:
    with mpr.subscribe_traps() as sub:
        timer = threading.Timer(0.2, _thread.interrupt_main)
        started_at = time.monotonic()
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            sub.wait(20)
        assert time.monotonic() - started_at < 0.2 + 2 * traps.SLICE_MS / 1000 + 0.5
        timer.join()


def spin(seconds: float) -> int:
    counted, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        counted += 1
    return counted


@windows_lane
def test_the_gil_is_released_while_waiting(router: Router) -> None:
    alone = spin(0.3)
    with mpr.subscribe_traps() as sub:
        waiter = started(sub.wait, 0.6)
        time.sleep(0.05)
        beside_a_wait = spin(0.3)
        waiter.join()
    # A wait that held the GIL for its slices would leave this thread a few switch intervals.
    assert beside_a_wait > alone / 4


@windows_lane
@pytest.mark.parametrize(("timeout", "error"), [(-1, ValueError), (math.nan, ValueError), ("1", TypeError)])
def test_a_bad_timeout_is_refused_before_waiting(router: Router, calls: RecordingLib, timeout: object,
                                                 error: type[Exception]) -> None:
    with mpr.subscribe_traps() as sub:
        with pytest.raises(error):
            sub.wait(timeout)  # type: ignore[arg-type]
        with pytest.raises(error):
            asyncio.run(sub.wait_async(timeout))  # type: ignore[arg-type]
    assert calls.waits == 0


# -- 5. iteration: each signal, then the trap's information ---------------------

@windows_lane
def test_iteration_yields_the_information_of_each_trap(router: Router) -> None:
    with mpr.subscribe_traps(data=b"subscribe", query=b"which trap?") as sub:
        assert router.last_input() == b"subscribe"
        traps_seen: Iterator[bytes] = iter(sub)
        for data in (b"first trap", b"second trap", b""):
            timer = inject_later(router, data, 0.05)
            assert next(traps_seen) == data
            timer.join()
            assert router.last_input() == b"which trap?"
    assert router.counters("trap_info_served", "live_buffers") == {"trap_info_served": 3, "live_buffers": 0}


@windows_lane
def test_iteration_ends_when_the_subscription_is_closed(router: Router) -> None:
    sub = mpr.subscribe_traps()
    router.inject_trap(b"pending")
    timer = threading.Timer(0.3, sub.close)
    timer.start()
    assert list(sub) == [b"pending"]
    timer.join()


@windows_lane
def test_iteration_fetches_through_the_server_it_was_given(router: Router) -> None:
    with mpr.connect("unreachable") as server, mpr.subscribe_traps(server=server) as sub:
        router.inject_trap(b"x")
        with pytest.raises(mpr.MprError) as info:
            next(iter(sub))
    assert info.value.winerror == 1722 and info.value.function == "MprAdminMIBGetTrapInfo"


@windows_lane
def test_the_registration_reply_is_kept(router: Router) -> None:
    with mpr.subscribe_traps(data=bytearray(b"\1\2\3")) as sub:
        assert sub.reply == b"\1\2\3"  # the stand-in echoes its input
        assert type(sub.reply) is bytes
    assert router.counters("buffers_allocated", "live_buffers") == {"buffers_allocated": 1, "live_buffers": 0}


# -- 6. asyncio ----------------------------------------------------------------------

async def ticking(body: Callable[[], Any]) -> tuple[Any, int]:
    """Run `body()` while another task ticks every 10 ms; its result and the ticks."""
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    try:
        result = await body()
    finally:
        ticker.cancel()
    return result, ticks


@windows_lane
def test_wait_async_lets_the_loop_run_until_the_signal(router: Router) -> None:
    with mpr.subscribe_traps() as sub:
        timer = inject_later(router, b"T", 0.4)
        signaled, ticks = asyncio.run(ticking(lambda: sub.wait_async(10)))
        timer.join()
    assert signaled is True
    assert ticks >= 10  # 40 if the loop ran freely; 1 if the wait blocked it


@windows_lane
def test_wait_async_times_out_with_false_without_blocking(router: Router) -> None:
    with mpr.subscribe_traps() as sub:
        signaled, ticks = asyncio.run(ticking(lambda: sub.wait_async(0.3)))
    assert signaled is False and ticks >= 8


@windows_lane
def test_a_cancelled_wait_async_stops_and_leaves_the_event_open_and_usable(
    router: Router, calls: RecordingLib
) -> None:
    sub = mpr.subscribe_traps()

    async def cancel_a_wait() -> None:
        task = asyncio.create_task(sub.wait_async(None))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_a_wait())
    wait_for(lambda: not any(calls.waiting.values()), timeout=2)  # its thread stopped
    assert calls.closed == [] and not sub.closed
    router.inject_trap(b"after")
    assert sub.wait(1) is True
    sub.close()
    assert len(calls.closed) == 1 and calls.closed_during_wait == 0


@windows_lane
@pytest.mark.parametrize("who", ["the thread", "the cancelled coroutine"])
def test_a_signal_a_cancelled_wait_async_consumed_goes_back_to_the_event(
    router: Router, calls: RecordingLib, who: str
) -> None:
    # Whichever of the two learns last that the other is done hands the signal back:
    # the thread if the cancellation reached the coroutine first, else the coroutine.
    sub = mpr.subscribe_traps()
    consumed, release = threading.Event(), threading.Event()

    def hold(code: int) -> None:  # the wait's thread has just consumed the signal
        if code == _ext.lib.WAIT_OBJECT_0:
            consumed.set()
            release.wait(10)

    calls.after_wait = hold

    async def cancel_after_the_signal() -> None:
        task = asyncio.create_task(sub.wait_async(None))
        await asyncio.sleep(0.05)
        router.inject_trap(b"not lost")
        assert await asyncio.to_thread(consumed.wait, 10)
        if who == "the cancelled coroutine":
            # The thread passes the signal on and is done before the loop runs again.
            release.set()
            wait_for(lambda: not sub._owned.in_flight)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()

    asyncio.run(cancel_after_the_signal())
    calls.after_wait = None
    wait_for(lambda: not any(calls.waiting.values()), timeout=2)
    assert sub.wait(0) is True  # handed back
    assert sub.fetch() == b"not lost"
    sub.close()


@windows_lane
def test_a_cancelled_wait_async_then_close_closes_once(router: Router, calls: RecordingLib) -> None:
    sub = mpr.subscribe_traps()

    async def cancel_and_close() -> None:
        task = asyncio.create_task(sub.wait_async(30))
        await asyncio.sleep(0.1)
        task.cancel()
        sub.close()  # the wait's thread may still be in its slice
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_and_close())
    wait_for(lambda: len(calls.closed) == 1, timeout=2)
    assert calls.closed_during_wait == 0
    time.sleep(0.3)
    assert len(calls.closed) == 1


@windows_lane
def test_async_for_yields_each_trap_and_ends_on_close(router: Router) -> None:
    sub = mpr.subscribe_traps()

    async def consume() -> list[bytes]:
        loop = asyncio.get_running_loop()
        seen: list[bytes] = []
        loop.call_later(0.1, router.inject_trap, b"a1")
        async for info in sub:
            seen.append(info)
            if len(seen) == 1:
                loop.call_later(0.1, router.inject_trap, b"a2")
            else:
                loop.call_later(0.1, sub.close)
        return seen

    seen, ticks = asyncio.run(ticking(consume))
    assert seen == [b"a1", b"a2"] and ticks >= 10
    assert sub.closed


@windows_lane
def test_async_with_closes(router: Router, calls: RecordingLib) -> None:
    async def use() -> mpr.TrapSubscription:
        async with mpr.subscribe_traps() as sub:
            assert not await sub.wait_async(0)
        return sub

    assert asyncio.run(use()).closed
    assert len(calls.closed) == 1


# -- 7. get_trap_info: the raw call ----------------------------------------------

@windows_lane
def test_get_trap_info_returns_the_trap_bytes_copied_and_freed(router: Router) -> None:
    router.inject_trap(b"\0raw\xfftrap")
    with mpr.connect() as server:
        reply = server.get_trap_info(mpr.PID_IP, mpr.IPRTRMGR_PID, b"query")
        again = server.get_trap_info(pid=mpr.PID_IP, routing_pid=mpr.IPRTRMGR_PID, query=bytearray(b"q2"))
    assert reply == again == b"\0raw\xfftrap" and type(reply) is bytes
    assert router.last_input() == b"q2"
    assert router.counters("buffers_allocated", "live_buffers", "calls") == {
        "buffers_allocated": 2, "live_buffers": 0, "calls": 2}


@windows_lane
@pytest.mark.parametrize(("pid", "routing_pid", "code"), [(mpr.PID_IPX, mpr.IPRTRMGR_PID, 902),
                                                          (mpr.PID_IP, 7, 1003)])
def test_get_trap_info_errors(router: Router, pid: int, routing_pid: int, code: int) -> None:
    router.inject_trap(b"x")
    with mpr.connect() as server:
        with pytest.raises(mpr.MprError) as info:
            server.get_trap_info(pid, routing_pid, b"q")
    assert info.value.winerror == code and info.value.function == "MprAdminMIBGetTrapInfo"


@windows_lane
def test_get_trap_info_before_any_trap_says_no_data(router: Router) -> None:
    with mpr.connect() as server:
        with pytest.raises(mpr.MprError) as info:
            server.get_trap_info(mpr.PID_IP, mpr.IPRTRMGR_PID, b"q")
    assert info.value.winerror == mpr.ERROR_NO_DATA


@windows_lane
def test_get_trap_info_frees_a_buffer_that_comes_with_an_error(router: Router) -> None:
    router.fail_calls_with_buffer(1722)
    with mpr.connect() as server:
        with pytest.raises(mpr.MprError):
            server.get_trap_info(mpr.PID_IP, mpr.IPRTRMGR_PID, b"q")
    assert router.counters("buffers_allocated", "live_buffers") == {"buffers_allocated": 1, "live_buffers": 0}


@windows_lane
def test_an_empty_query_reaches_the_router_as_a_pointer_not_null(router: Router) -> None:
    import array
    router.inject_trap(b"x")
    with mpr.connect() as server:
        for query in (b"", bytearray(), array.array("I")):
            assert server.get_trap_info(mpr.PID_IP, mpr.IPRTRMGR_PID, query) == b"x"  # NULL would be 87


@windows_lane
def test_get_trap_info_goes_through_the_handle_accounting(router: Router) -> None:
    router.inject_trap(b"slow")
    router.set_delay_ms(300)
    server = mpr.connect()
    results: list[bytes] = []
    worker = started(lambda: results.append(server.get_trap_info(mpr.PID_IP, mpr.IPRTRMGR_PID, b"q")))
    wait_for(lambda: router.counter("in_flight") == 1)
    server.close()
    assert router.counter("disconnects") == 0, "disconnected under a call in flight"
    with pytest.raises(ValueError):
        server.get_trap_info(mpr.PID_IP, mpr.IPRTRMGR_PID, b"q")
    worker.join()
    assert results == [b"slow"]
    assert router.counters("disconnects", "disconnect_in_use") == {"disconnects": 1, "disconnect_in_use": 0}


# -- 8. bad input, refused before any C call --------------------------------------

@windows_lane
@pytest.mark.parametrize(("args", "kwargs", "error"), [
    ((-1,), {}, OverflowError),
    ((2**32,), {}, OverflowError),
    ((mpr.PID_IP, -5), {}, OverflowError),
    (("33",), {}, TypeError),
    ((None,), {}, TypeError),
    ((mpr.PID_IP, mpr.IPRTRMGR_PID, "data"), {}, TypeError),
    ((mpr.PID_IP, mpr.IPRTRMGR_PID, 5), {}, TypeError),
    ((), {"query": "q"}, TypeError),
    ((), {"server": "edge-1"}, TypeError),
])
def test_bad_input_is_refused_before_any_handle_exists(
    router: Router, calls: RecordingLib, args: tuple[object, ...], kwargs: dict[str, object],
    error: type[Exception]
) -> None:
    with pytest.raises(error):
        mpr.TrapSubscription(*args, **kwargs)  # type: ignore[arg-type]
    assert calls.created == []
    assert router.counters("connects", "trap_registrations") == {"connects": 0, "trap_registrations": 0}
    assert router.last_input() == b""


@windows_lane
@pytest.mark.parametrize("query", ["text", None, 0])
def test_get_trap_info_refuses_a_query_that_is_not_bytes_like(router: Router, query: object) -> None:
    with mpr.connect() as server:
        with pytest.raises(TypeError):
            server.get_trap_info(mpr.PID_IP, mpr.IPRTRMGR_PID, query)
        with pytest.raises(OverflowError):
            server.get_trap_info(-1, mpr.IPRTRMGR_PID, b"q")
    assert router.counter("calls") == 0


# -- 9. a Mprapi.dll without the trap functions -----------------------------------

NO_TRAPS = os.path.join(ROUTER_DIR or "", "notraps")

NO_TRAPS_SCRIPT = f"""
import sys
sys.path[:0] = [{TESTS!r}]
from standin import load_router
load_router({NO_TRAPS!r})  # a mprapi.dll without MprAdminMIBGetTrapInfo and MprAdminMIBSetTrapInfo
import mprapi_cffi as mpr
from mprapi_cffi import _calls
events = []
create_event = _calls.create_event
_calls.create_event = lambda: events.append(1) or create_event()
with mpr.connect() as server:
    print("get", len(server.get(mpr.PID_IP, mpr.IPRTRMGR_PID, b"\\0\\0\\0\\0")))
    try:
        server.get_trap_info(mpr.PID_IP, mpr.IPRTRMGR_PID, b"q")
    except mpr.ApiUnavailableError as error:
        print("get_trap_info:", error)
try:
    mpr.subscribe_traps()
except mpr.ApiUnavailableError as error:
    print("subscribe_traps:", error)
print("events", len(events))
"""


@windows_lane
@pytest.mark.skipif(not os.path.isfile(os.path.join(NO_TRAPS, "mprapi.dll")),
                    reason="no stand-in router without the trap functions (tools/winlane.py build makes one)")
def test_a_dll_without_the_trap_functions_imports_and_fails_only_their_calls() -> None:
    lines = run_script(NO_TRAPS_SCRIPT).splitlines()
    assert lines[0] == "get 12"  # MIB_OPAQUE_INFO and IF_NUMBER's DWORD: the rest of the API works
    assert lines[1].startswith("get_trap_info: MprAdminMIBGetTrapInfo is not available")
    assert lines[2].startswith("subscribe_traps: MprAdminMIBSetTrapInfo is not available")
    assert lines[3] == "events 0"  # refused before an event was made


@windows_lane
def test_the_trap_functions_are_found_in_the_loaded_mprapi_dll(router: Router) -> None:
    for name in ("MprAdminMIBGetTrapInfo", "MprAdminMIBSetTrapInfo"):
        function = _calls.dll_function(name)
        assert function is _calls.dll_function(name)  # looked up once
        assert _ext.ffi.typeof(function) is _ext.ffi.typeof(_calls._TRAP_TYPES[name])
