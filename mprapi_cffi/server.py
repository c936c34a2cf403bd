"""MibServer: the MIB server handle's life, and the calls made through it."""

from __future__ import annotations

import weakref
from ipaddress import IPv4Address
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, overload

from . import _calls, _ext, _fields, _wire
from ._fields import AddressLike
from ._handle import HandleObject, OwnedHandle
from .constants import (
    ERROR_INVALID_INDEX,
    ERROR_INVALID_PARAMETER,
    IP_NETTABLE,
    PID_IPV6,
    BEST_IF,
    BEST_ROUTE,
    DEST_LONGER,
    DEST_MATCHING,
    DEST_SHORTER,
    ERROR_NO_DATA,
    ERROR_NO_MORE_ITEMS,
    IF_ROW,
    IP6_STATS,
    IPRTRMGR_PID,
    PID_IP,
    ROUTE_LONGER,
    ROUTE_MATCHING,
    ROUTE_SHORTER,
    TCP6_STATS,
    UDP6_STATS,
)
from .errors import MprError
from .mib.interfaces import admin_status_write
from .mib.ip import arp_delete_query, arp_write
from .mib.multicast import ROWSTATUS_CREATEANDGO, ROWSTATUS_DESTROY, boundary_write, mcast_if_write
from .mib.routes import ANY_PROTO, VIEW_ANY, best_route_reply
from .mib import (
    IPV6_STRUCTS,
    STRUCTS,
    Ip6RouteEntry,
    RouteInfo,
    route_write,
    BestIf,
    IcmpStats,
    IfAdminStatus,
    IfNumber,
    IfRow,
    IfStatus,
    IpAddrRow,
    IpDestRow,
    IpForwardNumber,
    IpForwardRow,
    IpNetRow,
    IpStats,
    McastGlobal,
    McastIfEntry,
    McastMfe,
    McastMfeStats,
    McastMfeStatsEx,
    MibStruct,
    ProxyArp,
    RouteState,
    TcpRow,
    TcpStats,
    UdpRow,
    UdpStats,
)

_R = TypeVar("_R")

FORWARDING = 1  # MIB_IP_FORWARDING
NOT_FORWARDING = 2  # MIB_IP_NOT_FORWARDING
UNCHANGED = 0xFFFFFFFF  # MIB_USE_CURRENT_FORWARDING / MIB_USE_CURRENT_TTL
_T = TypeVar("_T", bound=MibStruct)

# Any object with the buffer protocol: bytes, bytearray, memoryview, array...
# (collections.abc.Buffer arrives only in Python 3.12.)
Buffer = Any


def _address(name: str, value: object) -> IPv4Address:
    """An address a user passed, checked before any call."""
    return IPv4Address(_fields.check_address(name, value))


def _check_type(value: object, expected: type[_T]) -> _T:
    if not isinstance(value, expected):
        raise TypeError(f"expected a {expected.__name__}, got {type(value).__name__}")
    return value


def _check_server(server: object) -> None:
    if server is not None and not isinstance(server, str):
        raise TypeError(f"server must be str or None, not {type(server).__name__}")
    if server is not None and "\0" in server:
        raise ValueError("server name contains a NUL character")


class MibServer(HandleObject):
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

    __slots__ = ("_server", "_owned", "__weakref__")
    _handle_int = staticmethod(_calls.handle_value)

    def __init__(self, server: str | None = None) -> None:
        _check_server(server)
        _ext.require()
        self._server = server
        self._owned = OwnedHandle(_calls.connect(server), _calls.disconnect, "MibServer")
        # The finalizer lives in weakref's own registry until it runs.
        weakref.finalize(self, self._owned.close)

    @property
    def server(self) -> str | None:
        """The server name as given (None or "" for the local router)."""
        return self._server

    def close(self) -> None:
        """Disconnect; idempotent and safe from any thread.

        If other threads are inside calls on this object, the disconnect is
        made when the last of them returns; new calls raise ValueError at once.
        """
        super().close()

    def detach(self) -> int:
        """Hand the raw MIB_SERVER_HANDLE over and mark this object closed.

        The caller then owns the handle and must disconnect it with
        MprAdminMIBServerDisconnect; this object never will.  Raises
        ValueError if closed, RuntimeError while calls are in flight.
        """
        return super().detach()

    def __repr__(self) -> str:
        try:
            state = "closed" if self._owned.closing else "open"
        except AttributeError:  # __init__ did not finish
            state = "unconnected"
        server = getattr(self, "_server", None)
        return f"<{type(self).__name__} server={server!r} {state}>"

    # Raw MIB access.  `query` and `entry` are bytes-like objects holding a
    # MIB_OPAQUE_QUERY or MIB_OPAQUE_INFO; replies are returned as bytes.

    def _call(self, call: Callable[[Any, int, int, Any], _R], pid: int, routing_pid: int, data: Any) -> _R:
        """call(handle, pid, routing_pid, data) with the handle counted in use."""
        owned = self._owned
        handle = owned.enter()
        try:
            return call(handle, pid, routing_pid, data)
        finally:
            owned.leave()

    def get(self, pid: int, routing_pid: int, query: Buffer) -> bytes:
        """MprAdminMIBEntryGet: the router's reply to `query`, copied."""
        return self._call(_calls.entry_get, pid, routing_pid, query)

    def get_first(self, pid: int, routing_pid: int, query: Buffer) -> bytes:
        """MprAdminMIBEntryGetFirst: the first row of the variable in `query`, copied."""
        return self._call(_calls.entry_get_first, pid, routing_pid, query)

    def get_next(self, pid: int, routing_pid: int, query: Buffer) -> bytes:
        """MprAdminMIBEntryGetNext: the row after the index in `query`, copied."""
        return self._call(_calls.entry_get_next, pid, routing_pid, query)

    def set(self, pid: int, routing_pid: int, entry: Buffer) -> None:
        """MprAdminMIBEntrySet: write `entry`."""
        self._call(_calls.entry_set, pid, routing_pid, entry)

    def create(self, pid: int, routing_pid: int, entry: Buffer) -> None:
        """MprAdminMIBEntryCreate: add `entry`."""
        self._call(_calls.entry_create, pid, routing_pid, entry)

    def delete(self, pid: int, routing_pid: int, entry: Buffer) -> None:
        """MprAdminMIBEntryDelete: remove the row `entry` names."""
        self._call(_calls.entry_delete, pid, routing_pid, entry)

    def get_trap_info(self, pid: int, routing_pid: int, query: Buffer) -> bytes:
        """MprAdminMIBGetTrapInfo: what the router module says about its trap, copied.

        Bound at run time: ApiUnavailableError if this Mprapi.dll lacks it.
        See TrapSubscription for the event that says when to ask.
        """
        return self._call(_calls.get_trap_info, pid, routing_pid, query)

    # Typed reads and writes of the IP router manager (PID_IP, IPRTRMGR_PID).

    def _read(self, struct_type: type[_T]) -> _T:
        return struct_type.decode(self.get(PID_IP, IPRTRMGR_PID, _wire.read_query(struct_type)))

    def _read_table(self, struct_type: type[_T]) -> list[_T]:
        return struct_type.decode_table(self.get(PID_IP, IPRTRMGR_PID, _wire.table_query(struct_type)))

    def if_table(self) -> list[IfRow]:
        """The interface table (MIB_IFTABLE)."""
        return self._read_table(IfRow)

    def if_row(self, index: int) -> IfRow:
        """One interface by its index; MprError 1413 if there is none."""
        return IfRow.decode(self.get(PID_IP, IPRTRMGR_PID, _wire.query(IF_ROW, index)))

    def ip_addr_table(self) -> list[IpAddrRow]:
        """The IPv4 address table (MIB_IPADDRTABLE)."""
        return self._read_table(IpAddrRow)

    def ip_forward_table(self) -> list[IpForwardRow]:
        """The IPv4 route table (MIB_IPFORWARDTABLE)."""
        return self._read_table(IpForwardRow)

    def ip_net_table(self, if_index: int | None = None) -> list[IpNetRow]:
        """The ARP table (MIB_IPNETTABLE): of one interface, or of every interface.

        MS-RRASM 2.2.1.2.53 gives IP_NETTABLE an index of one DWORD, the
        interface (or two, an interface and an address), never none.  So the
        whole table is the interface table's read, then one read per interface
        (an interface that goes away in between, 1413, has no entries).
        """
        if if_index is not None:
            return self._net_table_of(_fields.check_if_index("if_index", if_index))
        rows: list[IpNetRow] = []
        for interface in self.if_table():
            try:
                rows.extend(self._net_table_of(interface.index))
            except MprError as error:
                if error.winerror != ERROR_INVALID_INDEX:
                    raise
        return rows

    def _net_table_of(self, if_index: int) -> list[IpNetRow]:
        try:
            return IpNetRow.decode_table(self.get(PID_IP, IPRTRMGR_PID, _wire.query(IP_NETTABLE, if_index)))
        except MprError as error:
            if error.winerror == ERROR_NO_DATA:
                return []
            raise

    def tcp_table(self) -> list[TcpRow]:
        """The TCP connection table (MIB_TCPTABLE)."""
        return self._read_table(TcpRow)

    def udp_table(self) -> list[UdpRow]:
        """The UDP listener table (MIB_UDPTABLE)."""
        return self._read_table(UdpRow)

    def ip_stats(self) -> IpStats:
        """IP statistics (MIB_IPSTATS)."""
        return self._read(IpStats)

    def icmp_stats(self) -> IcmpStats:
        """ICMP statistics, both directions (MIB_ICMP)."""
        return self._read(IcmpStats)

    def tcp_stats(self) -> TcpStats:
        """TCP statistics (MIB_TCPSTATS)."""
        return self._read(TcpStats)

    def udp_stats(self) -> UdpStats:
        """UDP statistics (MIB_UDPSTATS)."""
        return self._read(UdpStats)

    # -- the rest of the IP router manager's variables

    def _get_as(self, struct_type: type[_T], var_id: int, *index: int | IPv4Address) -> _T:
        return struct_type.decode(self.get(PID_IP, IPRTRMGR_PID, _wire.query(var_id, *index)))

    def _get_row(self, struct_type: type[_T], **key: Any) -> _T:
        return struct_type.decode(self.get(PID_IP, IPRTRMGR_PID, _wire.row_query(struct_type, **key)))

    def if_number(self) -> int:
        """How many interfaces the router has (IF_NUMBER)."""
        return self._read(IfNumber).value

    def ip_forward_number(self) -> int:
        """How many routes the router has (IP_FORWARDNUMBER)."""
        return self._read(IpForwardNumber).value

    def ip_addr_row(self, addr: AddressLike) -> IpAddrRow:
        """The address row for ``addr`` (IP_ADDRROW); MprError 1413 if there is none."""
        return self._get_row(IpAddrRow, addr=addr)

    def ip_net_row(self, if_index: int, addr: AddressLike) -> IpNetRow:
        """The ARP entry for ``addr`` on interface ``if_index`` (IP_NETROW)."""
        return self._get_row(IpNetRow, index=if_index, addr=addr)

    def ip_forward_row(self, dest: AddressLike, proto: int, policy: int, next_hop: AddressLike) -> IpForwardRow:
        """The route named by dest, proto, policy and next hop (IP_FORWARDROW)."""
        return self._get_row(IpForwardRow, dest=dest, proto=proto, policy=policy, next_hop=next_hop)

    def tcp_row(self, local_addr: AddressLike, local_port: int, remote_addr: AddressLike, remote_port: int) -> TcpRow:
        """One TCP connection by its two ends (TCP_ROW)."""
        return self._get_row(
            TcpRow, local_addr=local_addr, local_port=local_port, remote_addr=remote_addr, remote_port=remote_port
        )

    def udp_row(self, local_addr: AddressLike, local_port: int) -> UdpRow:
        """One UDP listener by its address and port (UDP_ROW)."""
        return self._get_row(UdpRow, local_addr=local_addr, local_port=local_port)

    def best_interface(self, dest: AddressLike) -> int:
        """The index of the interface the router would send to ``dest`` through (BEST_IF)."""
        return self._get_as(BestIf, BEST_IF, _address("dest", dest)).if_index

    def best_route(self, dest: AddressLike) -> RouteInfo | IpForwardRow:
        """The route the router itself would pick to reach ``dest`` (BEST_ROUTE).

        Sent as MS-RRASM 2.2.1.2.53 gives it: {BEST_ROUTE, dest, 0}
        ("rgdwVarIndex[1] MUST be set to 0").  The reply is read by its length:
        72 bytes are the INTERFACE_ROUTE_INFO 2.2.1.2.52 gives (a RouteInfo,
        preference and view set included); 56 bytes a MIB_IPFORWARDROW, as a
        server that follows the SDK's GetBestRoute answers (an IpForwardRow).
        Both have dest, mask, next_hop, if_index, type, proto, metric1..3;
        RouteInfo.forward_row() gives the first as the second.
        """
        reply = self.get(PID_IP, IPRTRMGR_PID, _wire.query(BEST_ROUTE, _address("dest", dest), 0))
        return best_route_reply(reply)

    def proxy_arp_table(self) -> list[ProxyArp]:
        """The addresses the router answers ARP for (PROXY_ARP): walk(ProxyArp).

        MS-RRASM 2.2.1.2.52 gives PROXY_ARP's reply as one MIB_PROXYARP, so the
        table is read row by row, each GetNext naming the last row by address,
        mask and interface.  A reply that is a table (dwNumEntries, then rows:
        4 + 12n bytes, not 12) is read whole and the walk goes on after it.
        """
        return list(self._walk(ProxyArp))

    def create_proxy_arp(self, entry: ProxyArp) -> None:
        """Answer ARP for ``entry``'s address and mask on its interface (Create, PROXY_ARP).

        MS-RRASM 3.1.4.27 does not list this write: it follows the SDK's
        CreateProxyArpEntry, {PROXY_ARP, pad, MIB_PROXYARP}, 20 bytes.  A server
        that follows the specification answers MprError 87.
        """
        self.create(PID_IP, IPRTRMGR_PID, _wire.opaque_info(_check_type(entry, ProxyArp)))

    def delete_proxy_arp(self, entry: ProxyArp) -> None:
        """Stop answering ARP for the entry with ``entry``'s address, mask and interface.

        MS-RRASM 3.1.4.28 does not list this write: it follows the SDK's
        DeleteProxyArpEntry, {PROXY_ARP, address, mask, if index}, 16 bytes.  A
        server that follows the specification answers MprError 87.
        """
        self.delete(PID_IP, IPRTRMGR_PID, _wire.key_query(_check_type(entry, ProxyArp)))

    def if_status(self, if_index: int) -> IfStatus:
        """An interface's status and multicast heartbeat (IF_STATUS)."""
        return self._get_row(IfStatus, if_index=if_index)

    def route_state(self) -> RouteState:
        """Whether the router manager has set its routes into the stack (ROUTE_STATE)."""
        return self._read(RouteState)

    def _dest_rows(
        self, var_id: int, dest: AddressLike, mask: AddressLike, view_set: int, proto: int
    ) -> list[IpDestRow]:
        query = _wire.query(var_id, _address("dest", dest), _address("mask", mask),
                            _fields.check_uint("view_set", view_set), _fields.check_uint("proto", proto))
        try:
            return IpDestRow.decode_table(self.get(PID_IP, IPRTRMGR_PID, query))
        except MprError as error:
            if error.winerror == ERROR_NO_DATA:  # the router's way of saying nothing matches
                return []
            raise

    def dest_matching(
        self, dest: AddressLike, mask: AddressLike, *, view_set: int = VIEW_ANY, proto: int = ANY_PROTO
    ) -> list[IpDestRow]:
        """The best route of the destination dest/mask itself (DEST_MATCHING).

        The index MS-RRASM 2.2.1.2.53 gives: dest, mask, view set, proto.
        ``view_set``: the RTM_VIEW_MASK_* views the routes must be in (VIEW_ANY,
        0, the default: any view); ``proto``: the protocol that installed them
        (a RouteProto; ANY_PROTO, 0, the default: any).
        """
        return self._dest_rows(DEST_MATCHING, dest, mask, view_set, proto)

    def dest_longer(
        self, dest: AddressLike, mask: AddressLike, *, view_set: int = VIEW_ANY, proto: int = ANY_PROTO
    ) -> list[IpDestRow]:
        """The best route of each destination inside dest/mask (DEST_LONGER).

        ``view_set`` and ``proto`` as for dest_matching.
        """
        return self._dest_rows(DEST_LONGER, dest, mask, view_set, proto)

    def dest_shorter(
        self, dest: AddressLike, mask: AddressLike, *, view_set: int = VIEW_ANY, proto: int = ANY_PROTO
    ) -> list[IpDestRow]:
        """The best route of each destination that covers dest/mask (DEST_SHORTER).

        ``view_set`` and ``proto`` as for dest_matching.
        """
        return self._dest_rows(DEST_SHORTER, dest, mask, view_set, proto)

    def route_matching(
        self, dest: AddressLike, mask: AddressLike, *, view_set: int = VIEW_ANY, proto: int = ANY_PROTO
    ) -> list[IpDestRow]:
        """Every route to the destination dest/mask itself (ROUTE_MATCHING).

        ``view_set`` and ``proto`` as for dest_matching.
        """
        return self._dest_rows(ROUTE_MATCHING, dest, mask, view_set, proto)

    def route_longer(
        self, dest: AddressLike, mask: AddressLike, *, view_set: int = VIEW_ANY, proto: int = ANY_PROTO
    ) -> list[IpDestRow]:
        """Every route to a destination inside dest/mask (ROUTE_LONGER).

        ``view_set`` and ``proto`` as for dest_matching.
        """
        return self._dest_rows(ROUTE_LONGER, dest, mask, view_set, proto)

    def route_shorter(
        self, dest: AddressLike, mask: AddressLike, *, view_set: int = VIEW_ANY, proto: int = ANY_PROTO
    ) -> list[IpDestRow]:
        """Every route to a destination that covers dest/mask (ROUTE_SHORTER).

        ``view_set`` and ``proto`` as for dest_matching.
        """
        return self._dest_rows(ROUTE_SHORTER, dest, mask, view_set, proto)

    def mcast_global(self) -> McastGlobal:
        """Whether multicast forwarding is on (MCAST_GLOBAL)."""
        return self._read(McastGlobal)

    def mcast_if_entry(self, if_index: int) -> McastIfEntry:
        """An interface's multicast settings and counters (MCAST_IF_ENTRY)."""
        return self._get_row(McastIfEntry, if_index=if_index)

    def set_mcast_if_entry(self, entry: McastIfEntry) -> None:
        """Write an interface's multicast TTL threshold and rate limit (Set, MCAST_IF_ENTRY, 3.1.4.29).

        ValueError before any call for a ttl over 255 or a rate_limit of 0, which
        MS-RRASM forbids (so an entry read with rate limit 0, "none", cannot be
        written back unchanged).  MprError 1413 if there is no such interface.
        """
        self.set(PID_IP, IPRTRMGR_PID, _wire.opaque_info(mcast_if_write(entry)))

    def add_mcast_boundary(self, if_index: int, group: AddressLike, mask: AddressLike) -> None:
        """Add a scoped boundary for group/mask on an interface (Set, MCAST_BOUNDARY, 3.1.4.29).

        Sent as MIB_OPAQUE_INFO {MCAST_BOUNDARY, pad, MIB_IPMCAST_BOUNDARY} with
        dwStatus ROWSTATUS_CREATEANDGO, 24 bytes.  The range must lie in
        239.0.0.0/8 (ValueError before any call).  MprError 183 if the boundary
        exists; walk(McastBoundary) reads the boundaries.
        """
        self.set(PID_IP, IPRTRMGR_PID, _wire.opaque_info(boundary_write(if_index, group, mask, ROWSTATUS_CREATEANDGO)))

    def remove_mcast_boundary(self, if_index: int, group: AddressLike, mask: AddressLike) -> None:
        """Remove the boundary for group/mask on an interface (Set with ROWSTATUS_DESTROY, 3.1.4.29).

        The same 24 bytes as add_mcast_boundary, dwStatus ROWSTATUS_DESTROY.
        MprError 1413 if there is no such boundary.
        """
        self.set(PID_IP, IPRTRMGR_PID, _wire.opaque_info(boundary_write(if_index, group, mask, ROWSTATUS_DESTROY)))

    def mfe_table(self) -> list[McastMfe]:
        """The multicast forwarding entries (MCAST_MFE), each with its outgoing interfaces: walk(McastMfe)."""
        return list(self._walk(McastMfe))

    def mfe_stats_table(self) -> list[McastMfeStats]:
        """The forwarding entries' counters (MCAST_MFE_STATS): walk(McastMfeStats)."""
        return list(self._walk(McastMfeStats))

    def mfe_stats_ex_table(self) -> list[McastMfeStatsEx | McastMfeStats]:
        """The forwarding entries' extended counters (MCAST_MFE_STATS_EX): walk(McastMfeStatsEx).

        MS-RRASM 2.2.1.2.52 gives the reply as MIB_MFE_STATS_TABLE, whose rows
        have MIB_IPMCAST_MFE_STATS's 64-byte fixed part: a server that answers so
        gives McastMfeStats rows (no extended counters); one that answers with
        the SDK's 84-byte MIB_IPMCAST_MFE_STATS_EX rows gives McastMfeStatsEx.
        """
        return list(self._walk(McastMfeStatsEx))

    def mfe(self, group: AddressLike, source: AddressLike) -> McastMfe | None:
        """The forwarding entry for (group, source), or None if the router has none (Get, MCAST_MFE)."""
        return self._get_mfe(McastMfe, group, source)

    def mfe_stats(self, group: AddressLike, source: AddressLike) -> McastMfeStats | None:
        """The counters of the forwarding entry for (group, source), or None (Get, MCAST_MFE_STATS)."""
        return self._get_mfe(McastMfeStats, group, source)

    def _get_mfe(self, struct_type: type[_T], group: AddressLike, source: AddressLike) -> _T | None:
        # 2.2.1.2.52: when the MFE is not found the reply data SHOULD be NULL, the call ERROR_SUCCESS.
        reply = self.get(PID_IP, IPRTRMGR_PID, _wire.row_query(struct_type, group=group, source=source))
        rows = struct_type.decode_rows(reply)
        return rows[0] if rows else None

    def ip6_forward_table(self) -> list[Ip6RouteEntry]:
        """The IPv6 route table: IP_FORWARDROW walked under PID_IPV6 (MS-RRASM 3.1.4.30, 3.1.4.31).

        Each row an INTERFACE_ROUTE_ENTRY (2.2.1.2.181), walked by its dwIndex.
        MprError (902 or 87) from a router whose IPv6 router manager does not run.
        """
        return list(self._walk(Ip6RouteEntry))

    def ip6_forward_row(self, index: int) -> Ip6RouteEntry:
        """The IPv6 route whose dwIndex is ``index``: Get of IP_FORWARDROW under PID_IPV6, {IP_FORWARDROW, index}."""
        query = _wire.row_query(Ip6RouteEntry, index=index)
        return Ip6RouteEntry.decode(self.get(PID_IPV6, IPRTRMGR_PID, query))

    def ip6_if_table(self) -> list[IfRow]:
        """The IPv6 interface table: IF_TABLE under PID_IPV6 (MS-RRASM 3.1.4.30 lists it), MIB_IFTABLE."""
        return IfRow.decode_table(self.get(PID_IPV6, IPRTRMGR_PID, _wire.table_query(IfRow)))

    def ip6_stats(self) -> IpStats:
        """IPv6 statistics (IP6_STATS), in MIB_IPSTATS's layout.

        MS-RRASM does not list IP6_STATS (2.2.1.2.52's ids end at 0x23): a server
        that follows it refuses the query, MprError 87 saying so.
        """
        return self._unlisted_stats(IpStats, IP6_STATS, "IP6_STATS")

    def udp6_stats(self) -> UdpStats:
        """UDP over IPv6 statistics (UDP6_STATS), in MIB_UDPSTATS's layout; not listed by MS-RRASM (ip6_stats)."""
        return self._unlisted_stats(UdpStats, UDP6_STATS, "UDP6_STATS")

    def tcp6_stats(self) -> TcpStats:
        """TCP over IPv6 statistics (TCP6_STATS), in MIB_TCPSTATS's layout; not listed by MS-RRASM (ip6_stats)."""
        return self._unlisted_stats(TcpStats, TCP6_STATS, "TCP6_STATS")

    def _unlisted_stats(self, struct_type: type[_T], var_id: int, name: str) -> _T:
        try:
            reply = self.get(PID_IP, IPRTRMGR_PID, _wire.query(var_id))
        except MprError as error:
            if error.winerror != ERROR_INVALID_PARAMETER:
                raise
            text = f"{error.strerror}: the router does not serve {name}, which MS-RRASM 2.2.1.2.52 does not list"
            raise MprError(error.winerror, text, error.function) from error
        return struct_type.decode(reply)

    @overload
    def walk(self, what: type[_T]) -> Iterator[_T]: ...
    @overload
    def walk(self, what: int) -> Iterator[MibStruct]: ...

    def walk(self, what: type[MibStruct] | int) -> Iterator[MibStruct]:
        """Every row of a table, one call per row: ``walk(IpForwardRow)`` or ``walk(IP_FORWARDROW)``.

        Walks every structure with a key: IfRow (IF_ROW), IpAddrRow (IP_ADDRROW),
        IpForwardRow (IP_FORWARDROW), IpNetRow (IP_NETROW), TcpRow, UdpRow,
        IfStatus, ProxyArp, McastIfEntry, McastBoundary, McastScope, the
        MFE structures and Ip6RouteEntry (under PID_IPV6): GetFirst, then
        GetNext with the index of the last row read, each index of the size
        MS-RRASM 2.2.1.2.53 gives, until the router says there are no more
        (232 or 259, or, for an MFE, a reply with no data).  Each reply is decoded and freed before the next
        call.  A router that hands back a row it already gave ends the walk
        with ValueError instead of looping forever.
        """
        # ValueError for anything else, before any call
        return self._walk(_wire.walked_struct(what, STRUCTS + IPV6_STRUCTS))

    def _walk(self, struct_type: type[_T]) -> Iterator[_T]:
        # Every query carries the index MS-RRASM 2.2.1.2.53 gives the variable; GetFirst's is zeros.
        pid = struct_type._pid
        reply = self._walk_step(self.get_first, pid, _wire.first_query(struct_type))
        seen: set[bytes] = set()
        while reply is not None:
            rows = struct_type.decode_rows(reply)
            if not rows:  # an MFE variable's NULL reply: no (more) entries
                return
            # GetNext names the last row read: sliced from the reply as it came (a port DWORD's upper
            # half included) when it holds one row; from a table's last row, under the walk's variable.
            query = _wire.next_query(struct_type, reply) if struct_type.single_row_reply(reply) \
                else _wire.key_query(rows[-1], struct_type._var_id)
            if query in seen:
                raise ValueError("the router's walk does not advance: it returned a row twice")
            seen.add(query)
            yield from rows
            reply = self._walk_step(self.get_next, pid, query)

    @staticmethod
    def _walk_step(get: Callable[[int, int, Buffer], bytes], pid: int, query: bytes) -> bytes | None:
        """The next reply of a walk, or None where the router says the table ends (232, 259)."""
        try:
            return get(pid, IPRTRMGR_PID, query)
        except MprError as error:
            if error.winerror in (ERROR_NO_DATA, ERROR_NO_MORE_ITEMS):
                return None
            raise

    def create_route(self, row: IpForwardRow | IpDestRow) -> None:
        """Add a route (MprAdminMIBEntryCreate); MprError 183 if the router has it already.

        Sent as MS-RRASM gives it (3.1.4.27): ROUTE_MATCHING with the route's
        64-byte MIB_IPDESTROW, the fields as given; an IpForwardRow goes with
        both views (unicast and multicast), an IpDestRow with its own view set.
        The server then sets the route's policy to 0, metric4 and metric5 to
        unused (0xFFFFFFFF) and its preference to 0x7F, whatever was sent.
        """
        self.create(PID_IP, IPRTRMGR_PID, _wire.opaque_info(route_write(row)))

    def set_route(self, row: IpForwardRow | IpDestRow) -> None:
        """Replace the route with the same dest, mask, interface, next hop and proto (3.1.4.29).

        As create_route: the server sets policy 0, metric4 and metric5 unused
        and preference 0x7F whatever was sent; the view set is the row's.
        """
        self.set(PID_IP, IPRTRMGR_PID, _wire.opaque_info(route_write(row)))

    def delete_route(self, row: IpForwardRow | IpDestRow) -> None:
        """Delete the one route whose dest, mask, interface, next hop and proto are the row's.

        The other fields are not sent: MS-RRASM 3.1.4.28 names the route by
        those five (ROUTE_MATCHING).  MprError 1413 if there is no such route.
        """
        route = route_write(row).route
        self.delete(PID_IP, IPRTRMGR_PID, _wire.delete_query(route))

    def set_forwarding(self, enabled: bool) -> None:
        """Turn IP forwarding on or off (Set of IP_STATS; the other fields are left as they are)."""
        if not isinstance(enabled, bool):
            raise TypeError(f"enabled must be a bool, not {type(enabled).__name__}")
        self._set_ip_stats(forwarding=FORWARDING if enabled else NOT_FORWARDING)

    def set_default_ttl(self, ttl: int) -> None:
        """Set the default time to live of the datagrams the router sends (1..255; Set of IP_STATS)."""
        if isinstance(ttl, bool) or not isinstance(ttl, int):
            raise TypeError(f"ttl must be an int, not {type(ttl).__name__}")
        if not 1 <= ttl <= 255:
            raise ValueError(f"ttl must be in 1..255, not {ttl}")
        self._set_ip_stats(default_ttl=ttl)

    def _set_ip_stats(self, *, forwarding: int = UNCHANGED, default_ttl: int = UNCHANGED) -> None:
        # MS-RRASM's MIB_IPSTATS: 0xFFFFFFFF leaves dwForwarding or dwDefaultTTL as it is;
        # the counters are read-only and ignored on a write.
        counters = dict.fromkeys(IpStats._fields, 0)
        stats = IpStats(**{**counters, "forwarding": forwarding, "default_ttl": default_ttl})
        self.set(PID_IP, IPRTRMGR_PID, _wire.opaque_info(stats))

    def create_arp_entry(self, row: IpNetRow) -> None:
        """Add an ARP entry; MprError 183 if the router has one for that interface and address.

        MS-RRASM 3.1.4.27 does not list this write: it follows the SDK's
        CreateIpNetEntry, {IP_NETROW, pad, MIB_IPNETROW}, 32 bytes.  A server
        that follows the specification answers MprError 87.
        """
        self.create(PID_IP, IPRTRMGR_PID, _wire.opaque_info(arp_write(row)))

    def set_arp_entry(self, row: IpNetRow) -> None:
        """Replace the physical address and type of the entry for ``row``'s interface and address.

        MS-RRASM 3.1.4.29 does not list this write: it follows the SDK's
        SetIpNetEntry, {IP_NETROW, pad, MIB_IPNETROW}, 32 bytes.  A server that
        follows the specification answers MprError 87; the SDK's form, 1413 if
        there is no such entry.
        """
        self.set(PID_IP, IPRTRMGR_PID, _wire.opaque_info(arp_write(row)))

    def delete_arp_entry(self, if_index: int, addr: AddressLike) -> None:
        """Delete the ARP entry for ``addr`` on interface ``if_index``; MprError 1413 if there is none.

        Sent as MS-RRASM 3.1.4.28 gives it: MIB_OPAQUE_QUERY {IP_NETTABLE,
        dwIfIndex, dwAddr}, 12 bytes (IP_NETTABLE, not IP_NETROW).
        """
        self.delete(PID_IP, IPRTRMGR_PID, arp_delete_query(if_index, addr))

    def set_if_admin_status(self, if_index: int, status: IfAdminStatus | int) -> None:
        """Bring an interface administratively up or down; MprError 1413 if there is no such interface.

        Sent as MS-RRASM 3.1.4.29 gives it: MIB_OPAQUE_INFO {IF_ROW, pad,
        MIB_IFROW}, 868 bytes, with dwIndex and dwAdminStatus set and every
        other member 0 ("Only dwAdminStatus can be set", to up or down:
        IfAdminStatus.TESTING is refused).
        """
        self.set(PID_IP, IPRTRMGR_PID, _wire.opaque_info(admin_status_write(if_index, status)))


def connect(server: str | None = None) -> MibServer:
    """Bind to the MIB server of `server` (None: the local router)."""
    return MibServer(server)


def is_service_running(server: str | None = None) -> bool:
    """Whether the RRAS service runs on `server` (None: this machine)."""
    _check_server(server)
    _ext.require()
    return _calls.is_service_running(server)
