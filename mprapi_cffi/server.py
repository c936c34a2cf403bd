"""MibServer: the MIB server handle's life, and the calls made through it."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, Literal, TypeVar, overload

from . import _binding, _calls, decode
from .constants import (
    ERROR_NO_DATA,
    ERROR_NO_MORE_ITEMS,
    ICMP_STATS,
    IF_ROW,
    IF_TABLE,
    IP_ADDRTABLE,
    IP_FORWARDTABLE,
    IP_NETTABLE,
    IP_STATS,
    IPRTRMGR_PID,
    PID_IP,
    TCP_STATS,
    TCP_TABLE,
    UDP_STATS,
    UDP_TABLE,
)
from .errors import MprError
from .rows import (
    IcmpStats,
    IfRow,
    IpAddrRow,
    IpForwardRow,
    IpNetRow,
    IpStats,
    TcpRow,
    TcpStats,
    UdpRow,
    UdpStats,
)

_R = TypeVar("_R")

# Any object with the buffer protocol: bytes, bytearray, memoryview, array...
# (collections.abc.Buffer arrives only in Python 3.12.)
Buffer = Any


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
        # else: the last call in flight releases (see MibServer._call)

    def detach(self) -> Any:
        with self.lock:
            if self.closing:
                raise ValueError("operation on a closed MibServer")
            if self.in_flight:
                raise RuntimeError("cannot detach a MibServer while calls on it are in flight")
            self.closing = True
            return self.owned.pop()


class MibServer:
    """A connection (an RPC binding) to a router's MIB server.

    ``MibServer(None)`` or ``MibServer("")`` binds the local router.  Binding
    does not contact the router: errors such as 1722 (RPC server unavailable)
    appear on the first call.  The handle is disconnected exactly once: by
    close(), at the end of a ``with`` block, when the object is garbage
    collected, or at interpreter exit.  One object may be shared by threads;
    close() waits for no one, the disconnect happens when the last call in
    flight returns (so a daemon thread still inside a call at interpreter
    exit leaves the binding to the process's end).
    """

    __slots__ = ("_server", "_binding", "__weakref__")

    def __init__(self, server: str | None = None) -> None:
        _check_server(server)
        _binding.require()
        self._server = server
        self._binding = _Binding(_calls.connect(server))
        # The finalizer lives in weakref's own registry until it runs.
        weakref.finalize(self, self._binding.close)

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

    def _call(self, call: Callable[[Any, int, int, Any], _R], pid: int, routing_pid: int, data: Any) -> _R:
        """call(handle, pid, routing_pid, data) with the handle counted in use."""
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

    def get(self, pid: int, routing_pid: int, query: Buffer) -> bytes:
        """MprAdminMIBEntryGet: the router's reply to `query`, copied."""
        return self._call(_calls.get, pid, routing_pid, query)

    def get_first(self, pid: int, routing_pid: int, query: Buffer) -> bytes:
        """MprAdminMIBEntryGetFirst: the first row of the variable in `query`, copied."""
        return self._call(_calls.get_first, pid, routing_pid, query)

    def get_next(self, pid: int, routing_pid: int, query: Buffer) -> bytes:
        """MprAdminMIBEntryGetNext: the row after the index in `query`, copied."""
        return self._call(_calls.get_next, pid, routing_pid, query)

    def set(self, pid: int, routing_pid: int, entry: Buffer) -> None:
        """MprAdminMIBEntrySet: write `entry`."""
        self._call(_calls.set, pid, routing_pid, entry)

    def create(self, pid: int, routing_pid: int, entry: Buffer) -> None:
        """MprAdminMIBEntryCreate: add `entry`."""
        self._call(_calls.create, pid, routing_pid, entry)

    def delete(self, pid: int, routing_pid: int, entry: Buffer) -> None:
        """MprAdminMIBEntryDelete: remove the row `entry` names."""
        self._call(_calls.delete, pid, routing_pid, entry)

    # Typed reads and writes of the IP router manager (PID_IP, IPRTRMGR_PID).

    def _ip_get(self, var_id: int, *index: int) -> bytes:
        return self.get(PID_IP, IPRTRMGR_PID, decode.query(var_id, *index))

    def if_table(self) -> list[IfRow]:
        """The interface table (MIB_IFTABLE)."""
        return decode.if_table(self._ip_get(IF_TABLE))

    def if_row(self, index: int) -> IfRow:
        """One interface by its index; MprError 1413 if there is none."""
        return decode.if_row(self._ip_get(IF_ROW, index))

    def ip_addr_table(self) -> list[IpAddrRow]:
        """The IPv4 address table (MIB_IPADDRTABLE)."""
        return decode.ip_addr_table(self._ip_get(IP_ADDRTABLE))

    def ip_forward_table(self) -> list[IpForwardRow]:
        """The IPv4 route table (MIB_IPFORWARDTABLE)."""
        return decode.ip_forward_table(self._ip_get(IP_FORWARDTABLE))

    def ip_net_table(self) -> list[IpNetRow]:
        """The ARP table (MIB_IPNETTABLE)."""
        return decode.ip_net_table(self._ip_get(IP_NETTABLE))

    def tcp_table(self) -> list[TcpRow]:
        """The TCP connection table (MIB_TCPTABLE)."""
        return decode.tcp_table(self._ip_get(TCP_TABLE))

    def udp_table(self) -> list[UdpRow]:
        """The UDP listener table (MIB_UDPTABLE)."""
        return decode.udp_table(self._ip_get(UDP_TABLE))

    def ip_stats(self) -> IpStats:
        """IP statistics (MIB_IPSTATS)."""
        return decode.ip_stats(self._ip_get(IP_STATS))

    def icmp_stats(self) -> IcmpStats:
        """ICMP statistics, both directions (MIB_ICMP)."""
        return decode.icmp_stats(self._ip_get(ICMP_STATS))

    def tcp_stats(self) -> TcpStats:
        """TCP statistics (MIB_TCPSTATS)."""
        return decode.tcp_stats(self._ip_get(TCP_STATS))

    def udp_stats(self) -> UdpStats:
        """UDP statistics (MIB_UDPSTATS)."""
        return decode.udp_stats(self._ip_get(UDP_STATS))

    @overload
    def walk(self, var_id: Literal[2]) -> Iterator[IfRow]: ...
    @overload
    def walk(self, var_id: Literal[5]) -> Iterator[IpAddrRow]: ...
    @overload
    def walk(self, var_id: Literal[8]) -> Iterator[IpForwardRow]: ...
    @overload
    def walk(self, var_id: Literal[10]) -> Iterator[IpNetRow]: ...
    @overload
    def walk(self, var_id: int) -> Iterator[IfRow | IpAddrRow | IpForwardRow | IpNetRow]: ...

    def walk(self, var_id: int) -> Iterator[Any]:
        """Rows of IF_ROW, IP_ADDRROW, IP_FORWARDROW or IP_NETROW, one call per row.

        GetFirst, then GetNext with the index of the row just read, until the
        router says there are no more (232 or 259).  Each reply is decoded and
        freed before the next call.  A router that hands back a row it already
        gave ends the walk with ValueError instead of looping forever.
        """
        decode_row = decode.row_decoder(var_id)  # ValueError for other ids, before any call
        reply = self._walk_step(self.get_first, decode.query(var_id))
        seen: set[bytes] = set()
        while reply is not None:
            row = decode_row(reply)
            query = decode.next_query(var_id, reply)
            if query in seen:
                raise ValueError("the router's walk does not advance: it returned a row twice")
            seen.add(query)
            yield row
            reply = self._walk_step(self.get_next, query)

    @staticmethod
    def _walk_step(get: Callable[[int, int, Buffer], bytes], query: bytes) -> bytes | None:
        """The next reply of a walk, or None where the router says the table ends (232, 259)."""
        try:
            return get(PID_IP, IPRTRMGR_PID, query)
        except MprError as error:
            if error.winerror in (ERROR_NO_DATA, ERROR_NO_MORE_ITEMS):
                return None
            raise

    def create_route(self, row: IpForwardRow) -> None:
        """Add a route (MprAdminMIBEntryCreate with the row as MIB_OPAQUE_INFO)."""
        self.create(PID_IP, IPRTRMGR_PID, decode.route_info(row))

    def set_route(self, row: IpForwardRow) -> None:
        """Replace the route with the same dest, proto, policy and next hop."""
        self.set(PID_IP, IPRTRMGR_PID, decode.route_info(row))

    def delete_route(self, row: IpForwardRow) -> None:
        """Delete the route with the row's dest, proto, policy and next hop."""
        self.delete(PID_IP, IPRTRMGR_PID, decode.route_index_query(row))


def connect(server: str | None = None) -> MibServer:
    """Bind to the MIB server of `server` (None: the local router)."""
    return MibServer(server)


def is_service_running(server: str | None = None) -> bool:
    """Whether the RRAS service runs on `server` (None: this machine)."""
    _check_server(server)
    _binding.require()
    return _calls.is_service_running(server)
