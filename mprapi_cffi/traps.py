"""TrapSubscription: the event the local router signals when a trap is raised.

``MprAdminMIBSetTrapInfo(pid, routing_pid, event, data, ...)`` hands the
router an event "signaled whenever a TRAP needs to be issued"; after each
signal, ``MprAdminMIBGetTrapInfo`` asks the router module for the trap's
information.  The call takes no server handle: it registers with the router
on this machine only, and MS-RRASM 3.1.4.33 says RMIBGetTrapInfo cannot be
called remotely: trap information is fetched through a MibServer of this
machine.

How the registration lives (MS-RRASM 3.1.4.34, RMIBSetTrapInfo): Mprapi.dll
sends the event's handle value and this process's id to the router service,
which duplicates the handle into its own process and keeps the duplicate.
There is no call that withdraws a registration (a NULL event is not one: it
cannot be duplicated, so the call fails), and none is needed: the event
object lives on in the router until the router lets it go, signals that
reach it after we close our handle wake no one, and our handle is ours
alone to close.  So close() closes our handle and nothing else.

The event is auto-reset: a wait that sees a signal also consumes it, in the
one kernel call, so each signal wakes exactly one waiter and is never lost
between waking and a ResetEvent.  Signals the router raises while no one
waits are kept as one (an event is a flag, not a counter): the information
GetTrapInfo returns is the router's account of what happened.
"""

from __future__ import annotations

import asyncio
import math
import numbers
import operator
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import Any

from . import _calls, _ext
from ._handle import HandleObject, OwnedHandle
from .constants import IPRTRMGR_PID, PID_IP
from .server import Buffer, MibServer

# The longest one WaitForSingleObject call blocks.  Between two, a wait sees
# close() and a cancelled wait_async, and Python runs its signal handlers:
# Ctrl-C ends a wait within this long, and so does a close() from another thread.
SLICE_MS = 100


def _dword(value: object, name: str) -> int:
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None
    if not 0 <= number <= 0xFFFFFFFF:
        raise OverflowError(f"{name} must be in 0..2**32-1, not {number}")
    return number


def _data(value: object, name: str) -> bytes:
    if isinstance(value, str):
        raise TypeError(f"{name} must be a bytes-like object, not str")
    try:
        return bytes(memoryview(value))  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be a bytes-like object, not {type(value).__name__}") from None


def _deadline(timeout: object) -> float | None:
    """The monotonic time a wait of `timeout` seconds ends, or None for no end."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
        raise TypeError(f"timeout must be a number of seconds or None, not {type(timeout).__name__}")
    seconds = float(timeout)
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"timeout must be a non-negative number of seconds or None, not {timeout!r}")
    return None if math.isinf(seconds) else time.monotonic() + seconds


class _Waiter:
    """What a wait_async call and the thread doing its wait share."""

    __slots__ = ("lock", "cancelled", "taken")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.cancelled = False  # the awaiting coroutine is gone: stop, and hand back any signal
        self.taken = False  # the thread consumed a signal and passed it on as True


def _wait(owned: OwnedHandle, event: Any, deadline: float | None, waiter: _Waiter | None) -> bool:
    """Wait in slices until signaled (True), or until the deadline, a close() or a cancel (False)."""
    while True:
        milliseconds = SLICE_MS
        if deadline is not None:
            milliseconds = max(0, min(SLICE_MS, math.ceil((deadline - time.monotonic()) * 1000)))
        if _calls.wait(event, milliseconds):
            return True
        if owned.closing or (waiter is not None and waiter.cancelled):
            return False
        if deadline is not None and time.monotonic() >= deadline:
            return False


def _wait_in_thread(owned: OwnedHandle, event: Any, deadline: float | None, waiter: _Waiter,
                    loop: asyncio.AbstractEventLoop, future: asyncio.Future[bool]) -> None:
    """wait_async's wait; the handle was counted in by wait_async and is counted out here."""
    signaled = False
    error: BaseException | None = None
    try:
        signaled = _wait(owned, event, deadline, waiter)
        if signaled:
            with waiter.lock:
                if waiter.cancelled:
                    _calls.set_event(event)  # no one takes it from us: hand it back to the event
                    signaled = False
                else:
                    waiter.taken = True
    except BaseException as exc:  # delivered to the awaiting coroutine
        error = exc
    try:
        loop.call_soon_threadsafe(_settle, future, signaled, error)
    except RuntimeError:  # the loop is closed: no one awaits the result
        if signaled:
            _calls.set_event(event)
    finally:
        owned.leave()


def _settle(future: asyncio.Future[bool], signaled: bool, error: BaseException | None) -> None:
    if future.done():  # cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(signaled)


class TrapSubscription(HandleObject):
    """An event registered with the local router by MprAdminMIBSetTrapInfo.

    ``TrapSubscription(pid, routing_pid, data)`` creates an auto-reset event,
    registers it for the router module (pid, routing_pid) with `data` as the
    call's input, and keeps the call's reply as `reply`.  The event is closed
    exactly once: by close(), at the end of a ``with`` (or ``async with``)
    block, when the object is garbage collected, or at interpreter exit;
    while threads wait on it, the close waits for the last of them to stop,
    and they stop within SLICE_MS of it.

    wait(timeout) waits for a signal; iterating waits for each signal and
    yields what MprAdminMIBGetTrapInfo says about it, fetched with `query`
    (by default `data`) through `server` (by default a MibServer of the local
    router that the subscription opens and closes); ``await wait_async()``
    and ``async for`` do the same without blocking the event loop.
    Iterations end when the subscription is closed.
    """

    __slots__ = ("_pid", "_routing_pid", "_data", "_query", "_reply", "_server", "_own_server",
                 "_owned", "__weakref__")
    _handle_int = staticmethod(_calls.handle_value)

    def __init__(self, pid: int = PID_IP, routing_pid: int = IPRTRMGR_PID, data: Buffer = b"", *,
                 query: Buffer | None = None, server: MibServer | None = None) -> None:
        # Everything is checked before any handle exists.
        self._pid = _dword(pid, "pid")
        self._routing_pid = _dword(routing_pid, "routing_pid")
        self._data = _data(data, "data")
        self._query = self._data if query is None else _data(query, "query")
        if server is not None and not isinstance(server, MibServer):
            raise TypeError(f"server must be a MibServer or None, not {type(server).__name__}")
        _ext.require()
        _calls.dll_function("MprAdminMIBSetTrapInfo")  # ApiUnavailableError, before any handle
        own_server = MibServer(None) if server is None else None
        try:
            event = _calls.create_event()
        except BaseException:
            if own_server is not None:
                own_server.close()
            raise
        owned = OwnedHandle(event, _calls.close_handle, type(self).__name__)
        try:
            self._reply = _calls.set_trap_info(self._pid, self._routing_pid, event, self._data)
        except BaseException:
            owned.close()
            if own_server is not None:
                own_server.close()
            raise
        self._server: MibServer = server if server is not None else own_server  # type: ignore[assignment]
        self._own_server = own_server
        self._owned = owned
        # The finalizer lives in weakref's own registry until it runs; the
        # server the subscription opened has its own.
        weakref.finalize(self, owned.close)

    @property
    def pid(self) -> int:
        """The router manager's protocol id (PID_IP by default)."""
        return self._pid

    @property
    def routing_pid(self) -> int:
        """The routing protocol's id (IPRTRMGR_PID by default)."""
        return self._routing_pid

    @property
    def data(self) -> bytes:
        """The input MprAdminMIBSetTrapInfo was given."""
        return self._data

    @property
    def query(self) -> bytes:
        """The input each MprAdminMIBGetTrapInfo is given."""
        return self._query

    @property
    def reply(self) -> bytes:
        """MprAdminMIBSetTrapInfo's reply, copied (b"" if it gave none)."""
        return self._reply

    @property
    def server(self) -> MibServer:
        """The MibServer trap information is fetched through."""
        return self._server

    def _after_close(self) -> None:
        if self._own_server is not None:  # the server the subscription opened goes with it
            self._own_server.close()

    def close(self) -> None:
        """Close the event (and the server the subscription opened); idempotent, from any thread.

        Waits in other threads end within SLICE_MS, returning False, and
        the last of them closes the event; new calls raise ValueError at once.
        """
        super().close()

    def detach(self) -> int:
        """Hand the raw event handle over and mark this object closed.

        The caller then owns the handle and must close it with CloseHandle;
        this object never will.  The server the subscription opened, if
        any, is closed.  Raises ValueError if closed, RuntimeError while a
        thread waits on it.
        """
        return super().detach()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the router to signal a trap: True if it did, False after `timeout` seconds.

        None waits until a signal or close().  A signal is consumed by the
        wait that sees it.  The GIL is released while waiting.
        """
        deadline = _deadline(timeout)
        owned = self._owned
        event = owned.enter()
        try:
            return _wait(owned, event, deadline, None)
        finally:
            owned.leave()

    def fetch(self) -> bytes:
        """MprAdminMIBGetTrapInfo with `query`, through `server`: the router's reply, copied."""
        if self._owned.closing:
            raise self._owned.closed_error()
        return self._server.get_trap_info(self._pid, self._routing_pid, self._query)

    def __iter__(self) -> Iterator[bytes]:
        if self._owned.closing:
            raise self._owned.closed_error()
        return self._traps()

    def _traps(self) -> Iterator[bytes]:
        while True:
            try:
                if not self.wait(None):
                    return  # closed while waiting
                info = self.fetch()
            except ValueError:
                if self._owned.closing:
                    return
                raise
            yield info

    async def wait_async(self, timeout: float | None = None) -> bool:
        """wait(), in a thread of its own, so that the event loop runs on.

        Cancelling the await stops that thread within SLICE_MS; a signal it
        had already consumed goes back to the event for the next wait.
        """
        deadline = _deadline(timeout)
        loop = asyncio.get_running_loop()
        owned = self._owned
        event = owned.enter()
        waiter = _Waiter()
        future: asyncio.Future[bool] = loop.create_future()
        try:
            # Not the loop's executor: a wait may last for hours, and would hold one of its few threads.
            threading.Thread(target=_wait_in_thread, args=(owned, event, deadline, waiter, loop, future),
                             name="mprapi-trap-wait", daemon=True).start()
        except BaseException:
            owned.leave()
            raise
        try:
            return await future
        except BaseException:  # cancelled, most likely
            with waiter.lock:
                waiter.cancelled = True
                taken = waiter.taken
            if taken:
                self._hand_back()
            raise

    def _hand_back(self) -> None:
        """Signal the event again, for a signal a cancelled wait_async consumed."""
        try:
            event = self._owned.enter()
        except ValueError:
            return  # closed: no one will wait for it
        try:
            _calls.set_event(event)
        finally:
            self._owned.leave()

    def __aiter__(self) -> AsyncIterator[bytes]:
        if self._owned.closing:
            raise self._owned.closed_error()
        return self._traps_async()

    async def _traps_async(self) -> AsyncIterator[bytes]:
        while True:
            try:
                if not await self.wait_async(None):
                    return
                info = await asyncio.to_thread(self.fetch)
            except ValueError:
                if self._owned.closing:
                    return
                raise
            yield info

    async def __aenter__(self) -> TrapSubscription:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        try:
            state = "closed" if self._owned.closing else "open"
        except AttributeError:  # __init__ did not finish
            state = "unregistered"
        pid = getattr(self, "_pid", None)
        routing_pid = getattr(self, "_routing_pid", None)
        return f"<{type(self).__name__} pid={pid!r} routing_pid={routing_pid!r} {state}>"


def subscribe_traps(pid: int = PID_IP, routing_pid: int = IPRTRMGR_PID, data: Buffer = b"", *,
                    query: Buffer | None = None, server: MibServer | None = None) -> TrapSubscription:
    """Register for the local router's traps: the same as TrapSubscription(...)."""
    return TrapSubscription(pid, routing_pid, data, query=query, server=server)
