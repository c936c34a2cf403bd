"""AdminServer: the admin handle of a remote access (RRAS) server, and the calls made through it."""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, overload

from . import _admin_calls, _calls, _ext
from ._admin_calls import Page
from ._handle import HandleObject, LazyOwnedHandle
from .errors import MprError
from .fleet import gather
from .ras import (
    Connection0,
    Connection1,
    Connection2,
    Connection3,
    Connection4,
    ConnectionEx,
    Port0,
    Port1,
    ServerInfo0,
    ServerInfo1,
    ServerInfo2,
    ServerInfoEx,
)
from .server import _check_server

__all__ = ["MAX_ENUM_ENTRIES", "MAX_PREFERRED_LENGTH", "AdminServer", "Connection",
           "RemoteAccessSnapshot"]

MAX_PREFERRED_LENGTH = 0xFFFFFFFF
"""dwPrefMaxLen for "as much as the server will give" (a server may still page)."""

MAX_ENUM_ENTRIES = 100_000
"""The most entries one enumeration takes, over all its pages: more is refused with ValueError, each
page before it is decoded.  RRAS servers have thousands of ports at most; 100,000 RAS_CONNECTION_4
rows decoded hold about 250 MB."""

ERROR_NOT_SUPPORTED = 50
ERROR_INVALID_LEVEL = 124
ERROR_DDM_NOT_RUNNING = 903
_LEVEL_REFUSED = (ERROR_NOT_SUPPORTED, ERROR_INVALID_LEVEL)

# A connection or port handle: a pointer-sized value, never 0 (NULL).
_HANDLE_MAX = sys.maxsize * 2 + 1

Connection = Connection4 | Connection3 | Connection2 | Connection1 | Connection0
"""A connection as MprAdminConnectionEnum / GetInfo give it, at levels 4 down to 0."""

_CONNECTIONS: dict[int, Any] = {0: Connection0, 1: Connection1, 2: Connection2, 3: Connection3, 4: Connection4}
_PORTS: dict[int, Any] = {0: Port0, 1: Port1}
_SERVERS: dict[int, Any] = {0: ServerInfo0, 1: ServerInfo1, 2: ServerInfo2}
_R = TypeVar("_R")


def _check_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return int(value)


def _check_level(value: object, levels: dict[int, Any], name: str = "level") -> int:
    level = _check_int(name, value)
    if level not in levels:
        raise ValueError(f"{name} must be one of {', '.join(map(str, levels))}, not {level}")
    return level


def _check_handle(name: str, value: object) -> int:
    handle = _check_int(name, value)
    if not 0 < handle <= _HANDLE_MAX:
        raise ValueError(f"{name} must be a handle from a read, in 1..{_HANDLE_MAX:#x}, not {handle}")
    return handle


def _check_max_length(value: object) -> int:
    length = _check_int("max_length", value)
    if not 1 <= length <= MAX_PREFERRED_LENGTH:
        raise ValueError(f"max_length must be in 1..{MAX_PREFERRED_LENGTH:#x} (bytes), not {length}")
    return length


@dataclass(frozen=True)
class RemoteAccessSnapshot:
    """What a remote access server says of itself in one go (AdminServer.snapshot()).

    ``server`` its MPR_SERVER_0, ``ports`` every port at level 0,
    ``connections`` every connection at ``level``, the richest level it took.
    A LAN-only router (``server.lan_only_mode``, 903 from the connection and
    port calls) has no ports and no connections.
    """

    server: ServerInfo0
    ports: list[Port0]
    connections: list[Connection]
    level: int


class AdminServer(HandleObject):
    """The admin handle of a remote access server (MprAdminServerConnect), owned.

    ``AdminServer(None)`` or ``AdminServer("")`` is the local server.  Building
    one makes no call: the first call connects (MprAdminServerConnect, in that
    call's thread; threads that call meanwhile wait for it and share the one
    handle), so an unreachable server fails that call, not the constructor.
    The handle is disconnected (MprAdminServerDisconnect) exactly once: by
    close(), at the end of a ``with`` block, at garbage collection or at
    interpreter exit; never if no call ever connected.  One object may be
    shared by threads; close() waits for no one: the disconnect happens when
    the last call in flight returns, and later calls raise ValueError.

    Every buffer a call hands back is decoded and freed with
    MprAdminBufferFree before the call returns.  Errors the server returns raise MprError; bad
    arguments raise TypeError or ValueError before any call is made.
    """

    __slots__ = ("_server", "_owned", "_connection_level", "_info_level", "__weakref__")
    _handle_int = staticmethod(_calls.handle_value)
    _owned: LazyOwnedHandle

    def __init__(self, server: str | None = None) -> None:
        _check_server(server)
        _ext.require()
        self._server = server
        self._connection_level: int | None = None
        self._info_level: int | None = None
        self._owned = LazyOwnedHandle(lambda: _admin_calls.connect(server), _admin_calls.disconnect, "AdminServer")
        # The finalizer lives in weakref's own registry until it runs.
        weakref.finalize(self, self._owned.close)

    @property
    def server(self) -> str | None:
        """The server name as given (None or "" for the local server)."""
        return self._server

    @property
    def handle(self) -> int:
        """The raw MPR_SERVER_HANDLE as an int; 0 before the first call connects, and once closed or detached."""
        return super().handle

    @property
    def connection_level(self) -> int | None:
        """The level connections() with no level settled on (4 down to 0), or None before it did."""
        return self._connection_level

    def close(self) -> None:
        """Disconnect (if a call ever connected); idempotent and safe from any thread.

        If other threads are inside calls on this object, the disconnect is
        made when the last of them returns; new calls raise ValueError at once.
        """
        super().close()

    def detach(self) -> int:
        """Hand the raw MPR_SERVER_HANDLE over and mark this object closed (connecting first if need be).

        The caller then owns the handle and must disconnect it with
        MprAdminServerDisconnect; this object never will.  Raises ValueError
        if closed, RuntimeError while calls are in flight, MprError if the
        connect fails.
        """
        return super().detach()

    def __repr__(self) -> str:
        try:
            owned = self._owned
        except AttributeError:  # __init__ did not finish
            state = "unconnected"
        else:
            state = "closed" if owned.closing else "open" if owned.connected else "not connected yet"
        server = getattr(self, "_server", None)
        return f"<{type(self).__name__} server={server!r} {state}>"

    # -- calls

    def _call(self, call: Callable[..., _R], *args: Any) -> _R:
        """call(handle, *args) with the handle counted in use (connecting it first if need be)."""
        owned = self._owned
        handle = owned.enter()
        try:
            return call(handle, *args)
        finally:
            owned.leave()

    def _enumerate(self, page: Callable[[Any, int, int], Page]) -> list[Any]:
        """Every entry of an enumeration: page after page, each resuming where the server left off.

        Each page's buffer is decoded and freed before the next call.  A page of
        ERROR_MORE_DATA with no entries, a resume handle the server gave
        before (0 included: that is the start), or more than MAX_ENUM_ENTRIES
        in all end it with ValueError instead of looping or growing forever.
        """
        rows: list[Any] = []
        resume = 0
        seen = {0}
        count = 0
        while True:
            # A page may hold what is left of the bound, no more (refused before it is decoded).
            result = self._call(page, resume, MAX_ENUM_ENTRIES - count)
            count += len(result.rows)
            rows += result.rows
            if not result.more:
                return rows
            if not result.rows:
                raise ValueError("the server's enumeration does not advance: more data (234) and no entries")
            if result.resume in seen:
                raise ValueError(f"the server's enumeration does not advance: it gave resume handle "
                                 f"{result.resume:#x} twice" if result.resume else
                                 "the server's enumeration does not advance: more data (234) and resume handle 0")
            seen.add(result.resume)
            resume = result.resume

    # -- the server

    @overload
    def server_info(self, level: Literal[0] = 0) -> ServerInfo0: ...
    @overload
    def server_info(self, level: Literal[1]) -> ServerInfo1: ...
    @overload
    def server_info(self, level: Literal[2]) -> ServerInfo2: ...

    def server_info(self, level: int = 0) -> ServerInfo0 | ServerInfo1 | ServerInfo2:
        """MprAdminServerGetInfo: MPR_SERVER_0 (LAN-only mode, up time, total ports, ports in use),
        MPR_SERVER_1 (PPTP and L2TP ports) or MPR_SERVER_2 (and SSTP ports)."""
        level = _check_level(level, _SERVERS)
        return self._call(_admin_calls.server_get_info, level, _SERVERS[level])  # type: ignore[no-any-return]

    def server_info_ex(self) -> ServerInfoEx:
        """MprAdminServerGetInfoEx: MPR_SERVER_EX1, the ports and flags of every tunnel type (GRE too).

        Bound at run time: ApiUnavailableError, before any call, where this
        Mprapi.dll lacks it.  The certificate fields inside are not read.
        """
        _admin_calls.server_get_info_ex_function()
        return self._call(_admin_calls.server_get_info_ex, ServerInfoEx)  # type: ignore[no-any-return]

    # -- connections

    @overload
    def connections(self, level: None = None, *, max_length: int = ...) -> list[Connection]: ...
    @overload
    def connections(self, level: Literal[0], *, max_length: int = ...) -> list[Connection0]: ...
    @overload
    def connections(self, level: Literal[1], *, max_length: int = ...) -> list[Connection1]: ...
    @overload
    def connections(self, level: Literal[2], *, max_length: int = ...) -> list[Connection2]: ...
    @overload
    def connections(self, level: Literal[3], *, max_length: int = ...) -> list[Connection3]: ...
    @overload
    def connections(self, level: Literal[4], *, max_length: int = ...) -> list[Connection4]: ...
    @overload
    def connections(self, level: int | None = None, *, max_length: int = ...) -> list[Connection]: ...

    def connections(self, level: int | None = None, *, max_length: int = MAX_PREFERRED_LENGTH) -> list[Any]:
        """MprAdminConnectionEnum: every connection, at ``level`` (0..4) or the richest the server takes.

        With no level: 4 (RAS_CONNECTION_4), then, while the server refuses a
        level (50, or 124), 3, 2, 1, 0; the level taken is remembered
        (``connection_level``) and tried first next time.  ``max_length`` is
        the preferred bytes per call (dwPrefMaxLen); every page is read, each
        resuming where the server left off, so all the connections arrive.
        MprError 903 from a LAN-only router.
        """
        max_length = _check_max_length(max_length)
        if level is not None:
            return self._connections_at(_check_level(level, _CONNECTIONS), max_length)
        rows, self._connection_level = self._richest(
            self._connection_level, lambda level: self._connections_at(level, max_length))
        return rows

    @staticmethod
    def _richest(known: int | None, read: Callable[[int], _R]) -> tuple[_R, int]:
        """read(level) at ``known`` (if set) or 4, then each level below while the server refuses one."""
        level = 4 if known is None else known
        while True:
            try:
                return read(level), level
            except MprError as error:
                if error.winerror not in _LEVEL_REFUSED or level == 0:
                    raise
            level -= 1

    def _connections_at(self, level: int, max_length: int) -> list[Any]:
        def page(handle: Any, resume: int, most: int) -> Page:
            return _admin_calls.connection_enum(handle, level, max_length, resume, _CONNECTIONS[level], most)

        return self._enumerate(page)

    def connections_ex(self, *, max_length: int = MAX_PREFERRED_LENGTH) -> list[ConnectionEx]:
        """MprAdminConnectionEnumEx: every connection as RAS_CONNECTION_EX (tunnel endpoints, projection).

        Bound at run time: ApiUnavailableError, before any call, where this
        Mprapi.dll lacks it.  Paged as connections() is.
        """
        max_length = _check_max_length(max_length)
        _admin_calls.connection_enum_ex_function()

        def page(handle: Any, resume: int, most: int) -> Page:
            return _admin_calls.connection_enum_ex(handle, max_length, resume, ConnectionEx, most)

        return self._enumerate(page)

    @overload
    def connection(self, handle: int, level: None = None) -> Connection: ...
    @overload
    def connection(self, handle: int, level: Literal[4]) -> Connection4: ...
    @overload
    def connection(self, handle: int, level: Literal[3]) -> Connection3: ...
    @overload
    def connection(self, handle: int, level: Literal[2]) -> Connection2: ...
    @overload
    def connection(self, handle: int, level: Literal[1]) -> Connection1: ...
    @overload
    def connection(self, handle: int, level: Literal[0]) -> Connection0: ...
    @overload
    def connection(self, handle: int, level: int | None = None) -> Connection: ...

    def connection(self, handle: int, level: int | None = None) -> Connection:
        """MprAdminConnectionGetInfo: one connection, by the handle a read gave, at ``level`` (0..4).

        With no level: the richest the server gives, as connections() finds
        it, remembered apart from connections()'s (MS-RRASM 3.1.4.3 lists
        levels 0 to 3 for this call, 3.1.4.2 0 to 4 for the enumeration).
        The server's error for a handle it does not know: MS-RRASM leaves it
        to the server (the stand-in answers 906, as the SDK documents).
        """
        handle = _check_handle("handle", handle)
        if level is not None:
            return self._connection_at(handle, _check_level(level, _CONNECTIONS))
        row, self._info_level = self._richest(self._info_level, lambda level: self._connection_at(handle, level))
        return row

    def _connection_at(self, handle: int, level: int) -> Connection:
        return self._call(_admin_calls.connection_get_info, level, handle, _CONNECTIONS[level])  # type: ignore[no-any-return]

    # -- ports

    @overload
    def ports(self, level: Literal[0] = 0, *, connection: int | None = None, max_length: int = ...) -> list[Port0]:
        ...
    @overload
    def ports(self, level: Literal[1], *, connection: int | None = None, max_length: int = ...) -> list[Port1]: ...

    def ports(self, level: int = 0, *, connection: int | None = None,
              max_length: int = MAX_PREFERRED_LENGTH) -> list[Port0] | list[Port1]:
        """MprAdminPortEnum: every port (RAS_PORT_0, or RAS_PORT_1 at level 1), or those of one ``connection``.

        Paged as connections() is.  MprError 903 from a LAN-only router.
        MS-RRASM (3.1.4.5) and the SDK give this call level 0 only: a server
        that follows them refuses level 1 with MprError 50, and a port's
        statistics (RAS_PORT_1) come from port(handle, 1).
        """
        level = _check_level(level, _PORTS)
        of = None if connection is None else _check_handle("connection", connection)
        max_length = _check_max_length(max_length)

        def page(handle: Any, resume: int, most: int) -> Page:
            return _admin_calls.port_enum(handle, level, of, max_length, resume, _PORTS[level], most)

        return self._enumerate(page)

    @overload
    def port(self, handle: int, level: Literal[0] = 0) -> Port0: ...
    @overload
    def port(self, handle: int, level: Literal[1]) -> Port1: ...

    def port(self, handle: int, level: int = 0) -> Port0 | Port1:
        """MprAdminPortGetInfo: one port, by the handle a read gave (RAS_PORT_0, or RAS_PORT_1 at level 1)."""
        handle = _check_handle("handle", handle)
        level = _check_level(level, _PORTS)
        return self._call(_admin_calls.port_get_info, level, handle, _PORTS[level])  # type: ignore[no-any-return]

    # -- writes

    def disconnect_port(self, port: int) -> None:
        """MprAdminPortDisconnect: hang up the call on ``port`` (a port handle from a read)."""
        self._call(_admin_calls.port_disconnect, _check_handle("port", port))

    def reset_port(self, port: int) -> None:
        """MprAdminPortReset: reset ``port``'s device.

        MS-RRASM 3.1.4.8: a server "performs no action and always returns
        ERROR_SUCCESS" (hPort "is not used"), so this changes nothing on a
        server that follows it; kept for the servers and the API that have it.
        """
        self._call(_admin_calls.port_reset, _check_handle("port", port))

    def clear_port_stats(self, port: int) -> None:
        """MprAdminPortClearStats: zero ``port``'s counters."""
        self._call(_admin_calls.port_clear_stats, _check_handle("port", port))

    def clear_connection_stats(self, connection: int) -> None:
        """MprAdminConnectionClearStats: zero ``connection``'s counters (a connection handle from a read)."""
        self._call(_admin_calls.connection_clear_stats, _check_handle("connection", connection))

    # -- in one go

    def snapshot(self) -> RemoteAccessSnapshot:
        """server_info(0), ports(0) and connections() at once (fleet.gather: one round trip, not three).

        A LAN-only router's 903 from the port and connection calls gives empty
        lists; any other error raises.
        """

        def unless_lan_only(read: Callable[[], list[Any]]) -> Callable[[], list[Any]]:
            def call() -> list[Any]:
                try:
                    return read()
                except MprError as error:
                    if error.winerror != ERROR_DDM_NOT_RUNNING:
                        raise
                    return []
            return call

        server, ports, connections = gather(
            lambda: self.server_info(0), unless_lan_only(self.ports), unless_lan_only(self.connections))
        level = self._connection_level
        return RemoteAccessSnapshot(server, ports, connections, 4 if level is None else level)
