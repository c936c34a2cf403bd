"""Reply bytes -> rows in one pass; rows -> request bytes; bounds checks.

A reply is the router's whole MIB_OPAQUE_INFO: ``DWORD dwId``, 4 bytes of
padding, the payload at offset 8.  A table payload is ``DWORD dwNumEntries``
and the rows, so rows start at offset 12.  DWORDs are little-endian; IPv4
addresses are DWORDs in network byte order (the bytes in memory are a.b.c.d).

The router is another machine, so nothing it says is trusted: a reply shorter
than what it must hold, or a table whose ``dwNumEntries`` claims more rows than
the reply holds, raises ``ValueError``; bytes after the declared rows are
ignored; ``dwPhysAddrLen`` and ``dwDescrLen`` are clamped to their arrays.
Nothing is read outside the reply.  ``dwId`` is not checked: the payload's
size is what decoding relies on.

Tables are decoded in bulk with ``struct.iter_unpack`` over a memoryview of the
rows, never field by field.  The route, address, TCP and UDP tables wrap the
unpacked tuples as they are (addresses and ports stay in wire form until read,
see rows.py), with no Python code run per row; the interface and ARP tables
need a little per-row work to fold their length fields.
"""

from __future__ import annotations

import codecs
import struct
from collections.abc import Callable
from ipaddress import IPv4Address
from typing import Any, TypeVar

from .constants import IF_ROW, IP_ADDRROW, IP_FORWARDROW, IP_NETROW
from .rows import (
    _IF_ADMIN,
    _IF_OPER,
    _IF_TYPE,
    IcmpCounters,
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
    _uint_in,
    _wire_maker,
    _wire_values,
)

_HEADER = 8  # MIB_OPAQUE_INFO: dwId, padding; the payload starts here
_ROWS = _HEADER + 4  # after dwNumEntries

_U32 = struct.Struct("<I")

# Row layouts.  "4s" keeps an address in wire form; "2s2x" keeps a port's two
# network-order bytes and skips the upper half of its DWORD, which may be junk.
_IF = struct.Struct("<512s5I8s16I256s")  # MIB_IFROW, 860
_IPADDR = struct.Struct("<4sI4s4sI2xH")  # MIB_IPADDRROW, 24 (unused1 skipped)
_IPFORWARD = struct.Struct("<4s4sI4s10I")  # MIB_IPFORWARDROW, 56
_IPNET = struct.Struct("<II8s4sI")  # MIB_IPNETROW, 24
_TCP = struct.Struct("<I4s2s2x4s2s2x")  # MIB_TCPROW, 20
_UDP = struct.Struct("<4s2s2x")  # MIB_UDPROW, 8
_IPSTATS = struct.Struct("<23I")  # MIB_IPSTATS, 92
_ICMP = struct.Struct("<26I")  # MIB_ICMP, 104
_TCPSTATS = struct.Struct("<15I")  # MIB_TCPSTATS, 60
_UDPSTATS = struct.Struct("<5I")  # MIB_UDPSTATS, 20
_INFO_HEADER = struct.Struct("<II")  # MIB_OPAQUE_INFO before the payload
_ROUTE_INDEX = struct.Struct("<I4sII4s")  # {IP_FORWARDROW, dest, proto, policy, next hop}

assert _IF.size == 860 and _IPADDR.size == 24 and _IPFORWARD.size == 56
assert _IPNET.size == 24 and _TCP.size == 20 and _UDP.size == 8
assert (_IPSTATS.size, _ICMP.size, _TCPSTATS.size, _UDPSTATS.size) == (92, 104, 60, 20)

_MAX_PHYS = 8  # MAXLEN_PHYSADDR
_MAX_DESCR = 256  # MAXLEN_IFDESCR


def _ansi_codec() -> str:
    # bDescr is in the router's ANSI code page: "mbcs" exists only on Windows.
    try:
        codecs.lookup("mbcs")
    except LookupError:
        return "latin-1"
    return "mbcs"


_ANSI = _ansi_codec()

_make_route = _wire_maker(IpForwardRow)
_make_addr = _wire_maker(IpAddrRow)
_make_net = _wire_maker(IpNetRow)
_make_tcp = _wire_maker(TcpRow)
_make_udp = _wire_maker(UdpRow)

_R = TypeVar("_R")

# ----------------------------------------------------------------- bounds checks


def _need(reply: bytes, size: int, what: str) -> None:
    if len(reply) < size:
        raise ValueError(
            f"malformed reply: {len(reply)} bytes, too short for {what} ({size} bytes)"
        )


def _table(reply: bytes, layout: struct.Struct, what: str) -> memoryview:
    """The declared rows of a table reply, checked against the reply's size."""
    _need(reply, _ROWS, f"the {what} header and its dwNumEntries")
    (claimed,) = _U32.unpack_from(reply, _HEADER)
    held = (len(reply) - _ROWS) // layout.size
    if claimed > held:
        raise ValueError(f"malformed {what} reply: reply holds {held} rows but claims {claimed}")
    return memoryview(reply)[_ROWS : _ROWS + claimed * layout.size]


def _single(reply: bytes, layout: struct.Struct, what: str) -> tuple[Any, ...]:
    """The one structure at the payload of a reply, unpacked."""
    _need(reply, _HEADER + layout.size, f"a {what}")
    return layout.unpack_from(reply, _HEADER)


def _bulk(
    make: Callable[[tuple[Any, ...]], _R], layout: struct.Struct, rows: memoryview
) -> list[_R]:
    """Wrap every unpacked row with ``make``, in C: no Python code runs per row."""
    return list(map(make, layout.iter_unpack(rows)))


# ---------------------------------------------------------------- interfaces


def _if_row(
    name: bytes, index: int, if_type: int, mtu: int, speed: int, phys_len: int, phys: bytes,
    admin: int, oper: int, last_change: int,
    in_octets: int, in_ucast: int, in_nucast: int, in_discards: int, in_errors: int,
    in_unknown_protos: int,
    out_octets: int, out_ucast: int, out_nucast: int, out_discards: int, out_errors: int,
    out_qlen: int,
    descr_len: int, descr: bytes,
) -> IfRow:  # fmt: skip
    return IfRow(
        name.decode("utf-16-le", "replace").partition("\x00")[0],
        index,
        _IF_TYPE.get(if_type, if_type),
        mtu,
        speed,
        phys[: min(phys_len, _MAX_PHYS)],
        _IF_ADMIN.get(admin, admin),
        _IF_OPER.get(oper, oper),
        last_change,
        in_octets,
        in_ucast,
        in_nucast,
        in_discards,
        in_errors,
        in_unknown_protos,
        out_octets,
        out_ucast,
        out_nucast,
        out_discards,
        out_errors,
        out_qlen,
        descr[: min(descr_len, _MAX_DESCR)].partition(b"\x00")[0].decode(_ANSI, "replace"),
    )


def if_table(reply: bytes) -> list[IfRow]:
    """Decode an IF_TABLE reply (MIB_IFTABLE)."""
    return [_if_row(*values) for values in _IF.iter_unpack(_table(reply, _IF, "MIB_IFTABLE"))]


def if_row(reply: bytes) -> IfRow:
    """Decode an IF_ROW reply (MIB_IFROW)."""
    return _if_row(*_single(reply, _IF, "MIB_IFROW"))


# -------------------------------------------------------------------- tables


def ip_addr_table(reply: bytes) -> list[IpAddrRow]:
    """Decode an IP_ADDRTABLE reply (MIB_IPADDRTABLE)."""
    return _bulk(_make_addr, _IPADDR, _table(reply, _IPADDR, "MIB_IPADDRTABLE"))


def ip_addr_row(reply: bytes) -> IpAddrRow:
    """Decode an IP_ADDRROW reply (MIB_IPADDRROW)."""
    return _make_addr(_single(reply, _IPADDR, "MIB_IPADDRROW"))


def ip_forward_table(reply: bytes) -> list[IpForwardRow]:
    """Decode an IP_FORWARDTABLE reply (MIB_IPFORWARDTABLE)."""
    rows = _table(reply, _IPFORWARD, "MIB_IPFORWARDTABLE")
    return _bulk(_make_route, _IPFORWARD, rows)


def ip_forward_row(reply: bytes) -> IpForwardRow:
    """Decode an IP_FORWARDROW reply (MIB_IPFORWARDROW)."""
    return _make_route(_single(reply, _IPFORWARD, "MIB_IPFORWARDROW"))


def _net_row(index: int, phys_len: int, phys: bytes, addr: bytes, net_type: int) -> IpNetRow:
    return _make_net((index, phys[: min(phys_len, _MAX_PHYS)], addr, net_type))


def ip_net_table(reply: bytes) -> list[IpNetRow]:
    """Decode an IP_NETTABLE reply (MIB_IPNETTABLE)."""
    rows = _table(reply, _IPNET, "MIB_IPNETTABLE")
    return [_net_row(*values) for values in _IPNET.iter_unpack(rows)]


def ip_net_row(reply: bytes) -> IpNetRow:
    """Decode an IP_NETROW reply (MIB_IPNETROW)."""
    return _net_row(*_single(reply, _IPNET, "MIB_IPNETROW"))


def tcp_table(reply: bytes) -> list[TcpRow]:
    """Decode a TCP_TABLE reply (MIB_TCPTABLE)."""
    return _bulk(_make_tcp, _TCP, _table(reply, _TCP, "MIB_TCPTABLE"))


def udp_table(reply: bytes) -> list[UdpRow]:
    """Decode a UDP_TABLE reply (MIB_UDPTABLE)."""
    return _bulk(_make_udp, _UDP, _table(reply, _UDP, "MIB_UDPTABLE"))


# ---------------------------------------------------------------- statistics


def ip_stats(reply: bytes) -> IpStats:
    """Decode an IP_STATS reply (MIB_IPSTATS)."""
    return IpStats._make(_single(reply, _IPSTATS, "MIB_IPSTATS"))


def icmp_stats(reply: bytes) -> IcmpStats:
    """Decode an ICMP_STATS reply (MIB_ICMP)."""
    values = _single(reply, _ICMP, "MIB_ICMP")
    return IcmpStats(IcmpCounters._make(values[:13]), IcmpCounters._make(values[13:]))


def tcp_stats(reply: bytes) -> TcpStats:
    """Decode a TCP_STATS reply (MIB_TCPSTATS)."""
    return TcpStats._make(_single(reply, _TCPSTATS, "MIB_TCPSTATS"))


def udp_stats(reply: bytes) -> UdpStats:
    """Decode a UDP_STATS reply (MIB_UDPSTATS)."""
    return UdpStats._make(_single(reply, _UDPSTATS, "MIB_UDPSTATS"))


Row = IfRow | IpAddrRow | IpNetRow | IpForwardRow

_ROW_DECODERS: dict[int, Callable[[bytes], Row]] = {
    IF_ROW: if_row,
    IP_ADDRROW: ip_addr_row,
    IP_NETROW: ip_net_row,
    IP_FORWARDROW: ip_forward_row,
}


def row_decoder(var_id: int) -> Callable[[bytes], Row]:
    """The single-row decoder for IF_ROW, IP_ADDRROW, IP_NETROW or IP_FORWARDROW."""
    try:
        return _ROW_DECODERS[var_id]
    except (KeyError, TypeError):
        raise ValueError(f"no row decoder for variable id {var_id!r}") from None


# ---------------------------------------------------------------- requests


def query(var_id: int, *indices: int | IPv4Address) -> bytes:
    """A MIB_OPAQUE_QUERY: the variable id, then the index DWORDs.

    An ``int`` index is a DWORD as it sits in memory (little-endian); an
    ``IPv4Address`` index is put in wire form (network byte order), which is
    how rows index by address.
    """
    parts = [_U32.pack(_uint_in("var_id", var_id))]
    for i, index in enumerate(indices):
        if isinstance(index, IPv4Address):
            parts.append(index.packed)
        else:
            parts.append(_U32.pack(_uint_in(f"index {i}", index)))
    return b"".join(parts)


# Where each row's index DWORDs sit in the row, in query order.
_INDEX_OFFSETS: dict[int, tuple[int, tuple[int, ...]]] = {
    IF_ROW: (_IF.size, (512,)),  # dwIndex
    IP_ADDRROW: (_IPADDR.size, (0,)),  # dwAddr
    IP_NETROW: (_IPNET.size, (0, 16)),  # dwIndex, dwAddr
    IP_FORWARDROW: (_IPFORWARD.size, (0, 24, 8, 12)),  # dest, proto, policy, next hop
}


def next_query(var_id: int, reply: bytes) -> bytes:
    """The GetNext query that follows the row in ``reply``.

    Its index is the row's own index, sliced from the reply bytes (addresses
    stay in wire form): IF_ROW (dwIndex), IP_ADDRROW (dwAddr), IP_NETROW
    (dwIndex, dwAddr), IP_FORWARDROW (dest, proto, policy, next hop).
    """
    try:
        size, offsets = _INDEX_OFFSETS[var_id]
    except (KeyError, TypeError):
        raise ValueError(f"no row index for variable id {var_id!r}") from None
    _need(reply, _HEADER + size, f"the row of variable {var_id}")
    parts = [_U32.pack(var_id)]
    parts.extend(bytes(reply[_HEADER + o : _HEADER + o + 4]) for o in offsets)
    return b"".join(parts)


def _route_check(row: object) -> IpForwardRow:
    if not isinstance(row, IpForwardRow):
        raise TypeError(f"expected an IpForwardRow, got {type(row).__name__}")
    return row


def route_info(row: IpForwardRow) -> bytes:
    """The MIB_OPAQUE_INFO that creates or sets a route: 64 bytes."""
    values = _wire_values(_route_check(row))
    return _INFO_HEADER.pack(IP_FORWARDROW, 0) + _IPFORWARD.pack(*values)


def route_index_query(row: IpForwardRow) -> bytes:
    """The MIB_OPAQUE_QUERY naming a route (to delete or get it): 20 bytes."""
    v = _wire_values(_route_check(row))
    return _ROUTE_INDEX.pack(IP_FORWARDROW, v[0], v[6], v[2], v[3])


__all__ = [
    "Row",
    "icmp_stats",
    "if_row",
    "if_table",
    "ip_addr_row",
    "ip_addr_table",
    "ip_forward_row",
    "ip_forward_table",
    "ip_net_row",
    "ip_net_table",
    "ip_stats",
    "next_query",
    "query",
    "route_index_query",
    "route_info",
    "row_decoder",
    "tcp_stats",
    "tcp_table",
    "udp_stats",
    "udp_table",
]
