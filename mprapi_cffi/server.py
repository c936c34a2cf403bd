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

    Exactly one disconnect per connect: the handle is taken out under the
    lock by whoever disconnects it.  A close() that arrives while calls are in
    flight only marks the binding; the last call out disconnects.  This object
    holds no reference to its MibServer, so it can be the target of the
    weakref finalizer that runs at garbage collection or interpreter exit.
    """

    __slots__ = ("lock", "handle", "in_flight", "close_pending")

    def __init__(self, handle: Any) -> None:
        self.lock = threading.Lock()
        self.handle: Any = handle
        self.in_flight = 0
        self.close_pending = False

    def call(self, function: Callable[[Any, int, int, Any], _R], pid: int, routing_pid: int, data: Any) -> _R:
        """Run function(handle, pid, routing_pid, data) with the handle counted in use."""
        with self.lock:
            handle = self.handle
            if handle is None or self.close_pending:
                raise ValueError("operation on a closed MibServer")
            self.in_flight += 1
        try:
            return function(handle, pid, routing_pid, data)
        finally:
            with self.lock:
                self.in_flight -= 1
                last_out = self.close_pending and not self.in_flight
                if last_out:
                    self.handle = None
            if last_out:
                _calls.disconnect(handle)

    def close(self) -> None:
        with self.lock:
            handle = self.handle
            if handle is None:
                return
            if self.in_flight:
                self.close_pending = True
                return
            self.handle = None
        _calls.disconnect(handle)

    def detach(self) -> Any:
        with self.lock:
            handle = self.handle
            if handle is None or self.close_pending:
                raise ValueError("operation on a closed MibServer")
            if self.in_flight:
                raise RuntimeError("cannot detach a MibServer while calls on it are in flight")
            self.handle = None
        return handle

    @property
    def closed(self) -> bool:
        return self.handle is None or self.close_pending


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
        handle = self._binding.handle
        if handle is None or self._binding.close_pending:
            return 0
        return _calls.handle_value(handle)

    @property
    def closed(self) -> bool:
        """True once close() or detach() has been called."""
        return self._binding.closed

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
        return not self._binding.closed

    def __repr__(self) -> str:
        try:
            state = "closed" if self._binding.closed else "open"
        except AttributeError:  # __init__ did not finish
            state = "unconnected"
        server = getattr(self, "_server", None)
        return f"<{type(self).__name__} server={server!r} {state}>"

    def __reduce__(self) -> Any:
        raise TypeError(f"cannot pickle {type(self).__name__} objects")

    # Raw MIB access.  `query` and `entry` are bytes-like objects holding a
    # MIB_OPAQUE_QUERY or MIB_OPAQUE_INFO; replies are returned as bytes.

    def get(self, pid: int, routing_pid: int, query: Any) -> bytes:
        """MprAdminMIBEntryGet: the router's reply to `query`, copied."""
        return self._binding.call(_calls.get, pid, routing_pid, query)

    def get_first(self, pid: int, routing_pid: int, query: Any) -> bytes:
        """MprAdminMIBEntryGetFirst: the first row of the variable in `query`."""
        return self._binding.call(_calls.get_first, pid, routing_pid, query)

    def get_next(self, pid: int, routing_pid: int, query: Any) -> bytes:
        """MprAdminMIBEntryGetNext: the row after the index in `query`."""
        return self._binding.call(_calls.get_next, pid, routing_pid, query)

    def set(self, pid: int, routing_pid: int, entry: Any) -> None:
        """MprAdminMIBEntrySet."""
        self._binding.call(_calls.set, pid, routing_pid, entry)

    def create(self, pid: int, routing_pid: int, entry: Any) -> None:
        """MprAdminMIBEntryCreate."""
        self._binding.call(_calls.create, pid, routing_pid, entry)

    def delete(self, pid: int, routing_pid: int, entry: Any) -> None:
        """MprAdminMIBEntryDelete."""
        self._binding.call(_calls.delete, pid, routing_pid, entry)


def connect(server: str | None = None) -> MibServer:
    """Bind to the MIB server of `server` (None: the local router)."""
    return MibServer(server)


def is_service_running(server: str | None = None) -> bool:
    """Whether the RRAS service runs on `server` (None: this machine)."""
    _check_server(server)
    _binding.require()
    return _calls.is_service_running(server)
