"""Multicast: the global switch, interfaces, boundaries, scopes and forwarding entries (MFEs)."""

from __future__ import annotations

import struct
from ipaddress import IPv4Address
from typing import Any

from .._fields import Address, Dword, ScopeName, Trailing, TruthValue, check_address, check_if_index
from .._wire import ROWS, MibStruct, SizedForm, declared_form, decode_sized_forms, field
from ..constants import (
    MCAST_BOUNDARY, MCAST_GLOBAL, MCAST_IF_ENTRY, MCAST_MFE, MCAST_MFE_STATS, MCAST_MFE_STATS_EX, MCAST_SCOPE,
)

__all__ = [
    "McastBoundary",
    "McastGlobal",
    "McastIfEntry",
    "McastMfe",
    "McastMfeStats",
    "McastMfeStatsEx",
    "McastOif",
    "McastOifStats",
    "McastScope",
]

ROWSTATUS_CREATEANDGO = 4  # MIB_IPMCAST_BOUNDARY's dwStatus (MS-RRASM 2.2.1.2.37)
ROWSTATUS_DESTROY = 6
_SCOPED_OCTET = 239  # 2.2.1.2.37: "Scoped addresses MUST come from the range 239.*.*.*"


class McastGlobal(MibStruct, sdk="MIB_IPMCAST_GLOBAL", size=4, var_id=MCAST_GLOBAL):
    """Whether multicast forwarding is on: mirrors MIB_IPMCAST_GLOBAL.

    MS-RRASM 2.2.1.2.39: dwEnable "is set to 1 if IP multicast is enabled ...
    and is set to 2 if IP multicast is not enabled" (not a BOOL).  A reply
    with any other value is refused with ValueError when it is decoded.
    """

    enable: TruthValue = field("dwEnable", "multicast forwarding is enabled (1 on the wire; 2 is off)")

    @classmethod
    def decode(cls, reply: bytes) -> McastGlobal:
        row = super().decode(reply)
        (value,) = row._wire
        if value not in (1, 2):
            raise ValueError(f"malformed MIB_IPMCAST_GLOBAL: dwEnable is {value}; MS-RRASM 2.2.1.2.39 gives "
                             "1 (enabled) or 2 (not enabled)")
        return row


class McastIfEntry(MibStruct, sdk="MIB_IPMCAST_IF_ENTRY", size=24, var_id=MCAST_IF_ENTRY, key=("if_index",)):
    """An interface's multicast settings and counters: mirrors MIB_IPMCAST_IF_ENTRY."""

    if_index: Dword = field("dwIfIndex", "interface index")
    ttl: Dword = field("dwTtl", "the least TTL a packet needs to be forwarded on it")
    protocol: Dword = field("dwProtocol", "the multicast routing protocol that owns it")
    rate_limit: Dword = field("dwRateLimit", "rate limit, kbit/s (0: none)")
    in_mcast_octets: Dword = field("ulInMcastOctets", "multicast octets received")
    out_mcast_octets: Dword = field("ulOutMcastOctets", "multicast octets sent")


class McastBoundary(MibStruct, sdk="MIB_IPMCAST_BOUNDARY", size=16, var_id=MCAST_BOUNDARY,
                    key=("if_index", "group_address", "group_mask")):  # fmt: skip
    """An administratively scoped boundary on an interface: mirrors MIB_IPMCAST_BOUNDARY."""

    if_index: Dword = field("dwIfIndex", "interface index")
    group_address: Address = field("dwGroupAddress", "the scope's group address")
    group_mask: Address = field("dwGroupMask", "the scope's group mask")
    status: Dword = field("dwStatus", "row status")


class McastScope(MibStruct, sdk="MIB_IPMCAST_SCOPE", size=524, var_id=MCAST_SCOPE,
                 key=("group_address", "group_mask")):  # fmt: skip
    """An administratively scoped address range and its name: mirrors MIB_IPMCAST_SCOPE.

    The SDK's 524 bytes.  MS-RRASM (2.2.1.2.46) prints 492 reserved bytes after
    dwStatus (1016 in all); the first 524 are the same, so a longer reply
    decodes alike and its reserved tail is ignored.
    """

    group_address: Address = field("dwGroupAddress", "the scope's group address")
    group_mask: Address = field("dwGroupMask", "the scope's group mask")
    name: ScopeName = field("snNameBuffer", "the scope's name, up to its first NUL")
    status: Dword = field("dwStatus", "row status")


class McastOif(MibStruct, sdk="MIB_IPMCAST_OIF", size=16):
    """One outgoing interface of an MFE: mirrors MIB_IPMCAST_OIF (the XP form, four DWORDs)."""

    out_if_index: Dword = field("dwOutIfIndex", "outgoing interface index")
    next_hop_addr: Address = field("dwNextHopAddr", "next hop address")
    reserved: Dword = field("dwReserved", "reserved", default=0)
    reserved1: Dword = field("dwReserved1", "reserved", default=0)


class McastOifStats(MibStruct, sdk="MIB_IPMCAST_OIF_STATS", size=28):
    """One outgoing interface's counters: mirrors MIB_IPMCAST_OIF_STATS (the _LH form)."""

    out_if_index: Dword = field("dwOutIfIndex", "outgoing interface index")
    next_hop_addr: Address = field("dwNextHopAddr", "next hop address")
    dial_context: Dword = field("dwDialContext", "demand-dial context", default=0)
    ttl_too_low: Dword = field("ulTtlTooLow", "packets dropped: TTL too low")
    frag_needed: Dword = field("ulFragNeeded", "packets that needed fragmenting")
    out_packets: Dword = field("ulOutPackets", "packets sent")
    out_discards: Dword = field("ulOutDiscards", "outgoing packets discarded")


# MS-RRASM 2.2.1.2.53: an MFE variable's index is 3 DWORDs, {dwGroup, dwSource, dwSrcMask}, and
# "rgdwVarIndex[2] MUST be 0xFFFFFFFF" (MCAST_MFE_STATS_EX: "not used"; the same value is sent).
# 2.2.1.2.52: the reply is a table (MIB_MFE_TABLE, MIB_MFE_STATS_TABLE) for Get, GetFirst and GetNext.
_MFE_KEY = ("group", "source")
_MFE_INDEX = {"key": _MFE_KEY, "index_tail": (0xFFFFFFFF,), "reply_table": True}


class McastMfe(MibStruct, sdk="MIB_IPMCAST_MFE", size=60, var_id=MCAST_MFE, table_id=MCAST_MFE, **_MFE_INDEX):
    """A multicast forwarding entry: mirrors MIB_IPMCAST_MFE, its outgoing interfaces in ``out_ifs``."""

    group: Address = field("dwGroup", "multicast group")
    source: Address = field("dwSource", "source address")
    src_mask: Address = field("dwSrcMask", "source mask")
    up_strm_ngbr: Address = field("dwUpStrmNgbr", "upstream neighbour")
    in_if_index: Dword = field("dwInIfIndex", "incoming interface index")
    in_if_protocol: Dword = field("dwInIfProtocol", "the protocol owning the incoming interface")
    route_protocol: Dword = field("dwRouteProtocol", "the protocol that created the route")
    route_network: Address = field("dwRouteNetwork", "the route's network")
    route_mask: Address = field("dwRouteMask", "the route's mask")
    up_time: Dword = field("ulUpTime", "seconds the entry has existed")
    expiry_time: Dword = field("ulExpiryTime", "seconds until it expires")
    time_out: Dword = field("ulTimeOut", "its timeout, seconds")
    num_out_if: Dword = field("ulNumOutIf", "how many outgoing interfaces follow")
    flags: Dword = field("fFlags", "flags", default=0)
    reserved: Dword = field("dwReserved", "reserved", default=0)
    out_ifs: Trailing[McastOif] = field("rgmioOutInfo", "the outgoing interfaces", count="num_out_if")

    @classmethod
    def decode_table(cls, reply: bytes) -> list[McastMfe]:
        """A table reply's rows, in whichever layout its length shows (the SDK's, or MS-RRASM's on x64)."""
        return _decode_mfe_table(cls, reply)


class McastMfeStats(MibStruct, sdk="MIB_IPMCAST_MFE_STATS", size=64, var_id=MCAST_MFE_STATS,
                    table_id=MCAST_MFE_STATS, **_MFE_INDEX):  # fmt: skip
    """An MFE's counters: mirrors MIB_IPMCAST_MFE_STATS, per outgoing interface in ``out_stats``."""

    group: Address = field("dwGroup", "multicast group")
    source: Address = field("dwSource", "source address")
    src_mask: Address = field("dwSrcMask", "source mask")
    up_strm_ngbr: Address = field("dwUpStrmNgbr", "upstream neighbour")
    in_if_index: Dword = field("dwInIfIndex", "incoming interface index")
    in_if_protocol: Dword = field("dwInIfProtocol", "the protocol owning the incoming interface")
    route_protocol: Dword = field("dwRouteProtocol", "the protocol that created the route")
    route_network: Address = field("dwRouteNetwork", "the route's network")
    route_mask: Address = field("dwRouteMask", "the route's mask")
    up_time: Dword = field("ulUpTime", "hundredths of a second since the entry was created")
    expiry_time: Dword = field("ulExpiryTime", "hundredths of a second until it is deleted (0: it does not age)")
    num_out_if: Dword = field("ulNumOutIf", "how many outgoing interfaces follow")
    in_pkts: Dword = field("ulInPkts", "packets received")
    in_octets: Dword = field("ulInOctets", "octets received")
    pkts_different_if: Dword = field("ulPktsDifferentIf", "packets received on another interface")
    queue_overflow: Dword = field("ulQueueOverflow", "packets dropped: queue overflow")
    out_stats: Trailing[McastOifStats] = field("rgmiosOutStats", "per outgoing interface", count="num_out_if")

    @classmethod
    def decode_table(cls, reply: bytes) -> list[McastMfeStats]:
        """A table reply's rows, in whichever layout its length shows (the SDK's, or MS-RRASM's on x64)."""
        return _decode_mfe_table(cls, reply)


class McastMfeStatsEx(MibStruct, sdk="MIB_IPMCAST_MFE_STATS_EX", size=84, var_id=MCAST_MFE_STATS_EX,
                      table_id=MCAST_MFE_STATS_EX, **_MFE_INDEX):  # fmt: skip
    """An MFE's extended counters: mirrors MIB_IPMCAST_MFE_STATS_EX, per outgoing interface in ``out_stats``.

    The SDK's MIB_MFE_STATS_TABLE_EX declares its rows as an array of pointers;
    a reply crosses RPC as one flat byte blob, so the rows are inline after
    dwNumEntries, as in MIB_MFE_TABLE.
    """

    group: Address = field("dwGroup", "multicast group")
    source: Address = field("dwSource", "source address")
    src_mask: Address = field("dwSrcMask", "source mask")
    up_strm_ngbr: Address = field("dwUpStrmNgbr", "upstream neighbour")
    in_if_index: Dword = field("dwInIfIndex", "incoming interface index")
    in_if_protocol: Dword = field("dwInIfProtocol", "the protocol owning the incoming interface")
    route_protocol: Dword = field("dwRouteProtocol", "the protocol that created the route")
    route_network: Address = field("dwRouteNetwork", "the route's network")
    route_mask: Address = field("dwRouteMask", "the route's mask")
    up_time: Dword = field("ulUpTime", "hundredths of a second since the entry was created")
    expiry_time: Dword = field("ulExpiryTime", "hundredths of a second until it is deleted (0: it does not age)")
    num_out_if: Dword = field("ulNumOutIf", "how many outgoing interfaces follow")
    in_pkts: Dword = field("ulInPkts", "packets received")
    in_octets: Dword = field("ulInOctets", "octets received")
    pkts_different_if: Dword = field("ulPktsDifferentIf", "packets received on another interface")
    queue_overflow: Dword = field("ulQueueOverflow", "packets dropped: queue overflow")
    uninit_mfe: Dword = field("ulUninitMfe", "packets for an MFE not yet set up")
    negative_mfe: Dword = field("ulNegativeMfe", "packets for a negative MFE")
    in_discards: Dword = field("ulInDiscards", "received packets discarded")
    in_hdr_errors: Dword = field("ulInHdrErrors", "received packets with header errors")
    total_out_packets: Dword = field("ulTotalOutPackets", "packets sent on all interfaces")
    out_stats: Trailing[McastOifStats] = field("rgmiosOutStats", "per outgoing interface", count="num_out_if")

    @classmethod
    def decode_table(cls, reply: bytes) -> list[McastMfeStatsEx | McastMfeStats]:  # type: ignore[override]
        """A table reply's rows, in whichever layout its length shows (the SDK's, or MS-RRASM's on x64)."""
        return _decode_mfe_table(cls, reply)




# MS-RRASM prints the Windows 2000 forms of the outgoing-interface entries, with a PVOID.  Laid
# out as a 64-bit compiler lays out those declarations: MIB_IPMCAST_OIF is 24 bytes {dwOutIfIndex,
# dwNextHopAddr, pvReserved, dwReserved, 4 pad} (2.2.1.2.43) and MIB_IPMCAST_OIF_STATS 32
# {dwOutIfIndex, dwNextHopAddr, pvDialContext, 4 counters} (2.2.1.2.45); both are 8-aligned, so an
# MFE's array starts at 64, not 60, and a table's first row 8 bytes into its payload, not 4.  The
# SDK's (and a 32-bit server's) are 16 and 28 bytes, rows at 4.  Only a reply's length tells which
# it holds: decode_sized_forms takes the form whose rows end with the reply, MS-RRASM's first.
_OIF_W2K = struct.Struct("<I4sQI4x")
_OIF_STATS_W2K = struct.Struct("<I4sQIIII")
_ALIGNED_ROWS = ROWS + 4


def _oif_from_w2k(values: tuple[Any, ...]) -> tuple[Any, ...]:
    out_if, next_hop, _pv_reserved, reserved = values  # pvReserved "MUST be NULL"
    return out_if, next_hop, reserved, 0


def _oif_stats_from_w2k(values: tuple[Any, ...]) -> tuple[Any, ...]:
    out_if, next_hop, dial_context, *counters = values  # pvDialContext "MUST be NULL"
    return (out_if, next_hop, dial_context & 0xFFFFFFFF, *counters)


_MFE_FORMS = (
    SizedForm(McastMfe, 64, _OIF_W2K, _oif_from_w2k, _ALIGNED_ROWS),
    declared_form(McastMfe),
)
_MFE_STATS_FORMS = (
    SizedForm(McastMfeStats, 64, _OIF_STATS_W2K, _oif_stats_from_w2k, _ALIGNED_ROWS),
    declared_form(McastMfeStats),
)
# 2.2.1.2.52 and .53 give MCAST_MFE_STATS_EX's reply as MIB_MFE_STATS_TABLE: MIB_IPMCAST_MFE_STATS rows.
_MFE_STATS_EX_FORMS = (*_MFE_STATS_FORMS, declared_form(McastMfeStatsEx))


def _decode_mfe_table(cls: type[MibStruct], reply: bytes) -> list[Any]:
    forms = {McastMfe: _MFE_FORMS, McastMfeStats: _MFE_STATS_FORMS, McastMfeStatsEx: _MFE_STATS_EX_FORMS}[cls]
    return decode_sized_forms(reply, forms)


def mcast_if_write(entry: object) -> McastIfEntry:
    """``entry`` checked as MS-RRASM 3.1.4.29 bounds an MCAST_IF_ENTRY Set."""
    if not isinstance(entry, McastIfEntry):
        raise TypeError(f"expected a McastIfEntry, got {type(entry).__name__}")
    if entry.ttl > 255:
        raise ValueError(f"ttl: {entry.ttl}; MS-RRASM 3.1.4.29: \"dwTtl MUST be set to less than or equal to 255\"")
    if entry.rate_limit == 0:
        raise ValueError("rate_limit: 0; MS-RRASM 3.1.4.29: \"dwRateLimit MUST NOT be set to 0\"")
    return entry


def boundary_write(if_index: object, group: object, mask: object, status: int) -> McastBoundary:
    """The MIB_IPMCAST_BOUNDARY an MCAST_BOUNDARY Set carries, its input checked first.

    The range group/mask must lie in 239.0.0.0/8 (2.2.1.2.37): the group in it,
    the mask's first octet 255.  Neither MS-RRASM nor the MIB asks for a
    contiguous mask, so none is required.
    """
    index = check_if_index("if_index", if_index)
    group_address = IPv4Address(check_address("group", group))
    group_mask = IPv4Address(check_address("mask", mask))
    if int(group_address) >> 24 != _SCOPED_OCTET:
        raise ValueError(f"group: {group_address} is not in 239.0.0.0/8, where MS-RRASM puts scoped addresses")
    if int(group_mask) >> 24 != 0xFF:
        raise ValueError(f"mask: {group_mask} lets the range leave 239.0.0.0/8 (its first octet must be 255)")
    return McastBoundary(if_index=index, group_address=group_address, group_mask=group_mask, status=status)
