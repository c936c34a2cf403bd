"""MibServer: the MIB server handle's life, and the calls made through it."""

from __future__ import annotations

import threading
import weakref
from types import TracebackType
from typing import Any, Callable, TypeVar

from . import _binding, _calls

_R = TypeVar("_R")


def _check_server(server: object) -> None:
    if server is not None and not isinstance(server, str):
        raise TypeError(f"server must be str or None, not {type(server).__name__}")
    if server is not None and "\0" in server:
        raise ValueError("server name contains a NUL character")


class _Binding:
    """The raw handle and who is using it.

    Exactly one disconnect per connect: the handle sits in a one-item list and
    whoever pops it (list.pop is atomic) disconnects it, or detaches it.
    Calls are counted in under the lock, which close() and detach() also
    take, so no call starts on a closed binding; they are counted out
    without it (one lock round trip per call is a measurable share of its
    cost), and the last one out after a close() disconnects.  This object
    holds no reference to its MibServer, so the finalizer that runs at
    garbage collection or interpreter exit can target it.
    """

    __slots__ = ("lock", "owned", "in_flight", "closing")

    def __init__(self, handle: Any) -> None:
        self.lock = threading.Lock()
        self.owned: list[Any] = [handle]
        self.in_flight: list[None] = []  # one item per call in flight
        self.closing = False

    def release(self) -> None:
        try:
            handle = self.owned.pop()
        except IndexError:  # already disconnected or detached
            return
        _calls.disconnect(handle)

    def close(self) -> None:
        with self.lock:
            self.closing = True
            idle = not self.in_flight
        if idle:
            self.release()
        # else: the last call in flight releases (see _mib_method)

    def detach(self) -> Any:
        with self.lock:
            if self.closing:
                raise ValueError("operation on a closed MibServer")
            if self.in_flight:
                raise RuntimeError("cannot detach a MibServer while calls on it are in flight")
            self.closing = True
            return self.owned.pop()


def _mib_method(call: Callable[[Any, int, int, Any], _R], doc: str) -> Callable[[MibServer, int, int, Any], _R]:
    """A MibServer method that runs call(handle, pid, routing_pid, data) with the handle counted in use.

    Written once here rather than as a helper each method calls: one Python
    frame less per call is a measurable share of a MIB call's cost.
    """

    def method(self: MibServer, pid: int, routing_pid: int, data: Any) -> _R:
        binding = self._binding
        in_flight = binding.in_flight
        with binding.lock:
            if binding.closing:
                raise ValueError("operation on a closed MibServer")
            in_flight.append(None)
            handle = binding.owned[0]
        try:
            return call(handle, pid, routing_pid, data)
        finally:
            in_flight.pop()
            if binding.closing and not in_flight:
                binding.release()

    method.__name__ = method.__qualname__ = call.__name__
    method.__doc__ = doc
    return method


class MibServer:
    """A connection (an RPC binding) to a router's MIB server.

    ``MibServer(None)`` or ``MibServer("")`` binds the local router.  Binding
    does not contact the router: errors such as 1722 (RPC server unavailable)
    appear on the first call.  The handle is disconnected exactly once: by
    close(), at the end of a ``with`` block, when the object is garbage
    collected, or at interpreter exit.  One object may be shared by threads;
    close() waits for no one, the disconnect happens when the last call in
    flight returns.
    """

    __slots__ = ("_server", "_binding", "_finalizer", "__weakref__")

    def __init__(self, server: str | None = None) -> None:
        _check_server(server)
        _binding.require()
        self._server = server
        self._binding = _Binding(_calls.connect(server))
        self._finalizer = weakref.finalize(self, self._binding.close)

    @property
    def server(self) -> str | None:
        """The server name as given (None or "" for the local router)."""
        return self._server

    @property
    def handle(self) -> int:
        """The raw MIB_SERVER_HANDLE as an int; 0 once closed or detached."""
        owned = self._binding.owned[:1]
        if not owned or self._binding.closing:
            return 0
        return _calls.handle_value(owned[0])

    @property
    def closed(self) -> bool:
        """True once close() or detach() has been called."""
        return self._binding.closing

    def close(self) -> None:
        """Disconnect; idempotent and safe from any thread.

        If other threads are inside calls on this object, the disconnect is
        made when the last of them returns; new calls raise ValueError at once.
        """
        self._binding.close()

    def detach(self) -> int:
        """Hand the raw handle over and mark this object closed.

        The caller then owns the handle and must disconnect it with
        MprAdminMIBServerDisconnect; this object never will.  Raises
        ValueError if closed, RuntimeError while calls are in flight.
        """
        return _calls.handle_value(self._binding.detach())

    def __enter__(self) -> MibServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __bool__(self) -> bool:
        return not self._binding.closing

    def __repr__(self) -> str:
        try:
            state = "closed" if self._binding.closing else "open"
        except AttributeError:  # __init__ did not finish
            state = "unconnected"
        server = getattr(self, "_server", None)
        return f"<{type(self).__name__} server={server!r} {state}>"

    def __reduce__(self) -> Any:
        raise TypeError(f"cannot pickle {type(self).__name__} objects")

    # Raw MIB access.  `query` and `entry` are bytes-like objects holding a
    # MIB_OPAQUE_QUERY or MIB_OPAQUE_INFO; replies are returned as bytes.
    get = _mib_method(_calls.get, "MprAdminMIBEntryGet(pid, routing_pid, query): the reply, copied.")
    get_first = _mib_method(
        _calls.get_first, "MprAdminMIBEntryGetFirst(pid, routing_pid, query): the first row, copied."
    )
    get_next = _mib_method(
        _calls.get_next,
        "MprAdminMIBEntryGetNext(pid, routing_pid, query): the row after the index in query, copied.",
    )
    set = _mib_method(_calls.set, "MprAdminMIBEntrySet(pid, routing_pid, entry).")
    create = _mib_method(_calls.create, "MprAdminMIBEntryCreate(pid, routing_pid, entry).")
    delete = _mib_method(_calls.delete, "MprAdminMIBEntryDelete(pid, routing_pid, entry).")

def connect(server: str | None = None) -> MibServer:
    """Bind to the MIB server of `server` (None: the local router)."""
    return MibServer(server)


def is_service_running(server: str | None = None) -> bool:
    """Whether the RRAS service runs on `server` (None: this machine)."""
    _check_server(server)
    _binding.require()
    return _calls.is_service_running(server)
