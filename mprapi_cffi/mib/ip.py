"""IP: addresses (MIB_IPADDRROW), ARP entries (MIB_IPNETROW), IP and ICMP statistics."""

from __future__ import annotations

import enum
import struct

from .._fields import Address, Dword, Enumerated, Nested, PhysAddr, WordFlags, check_host, check_if_index
from .._wire import HEADER, MibStruct, field, query
from ..constants import ICMP_STATS, IP_ADDRROW, IP_ADDRTABLE, IP_NETROW, IP_NETTABLE, IP_STATS, PROXY_ARP

__all__ = ["AddrType", "IcmpCounters", "IcmpStats", "IpAddrRow", "IpNetRow", "IpStats", "NetType", "ProxyArp"]

_PHYS_LEN = struct.Struct("<I")


class AddrType(enum.IntFlag):
    """``wType`` bit mask of an interface address (MIB_IPADDR_*)."""

    PRIMARY = 0x0001
    DYNAMIC = 0x0004
    DISCONNECTED = 0x0008
    DELETED = 0x0040
    TRANSIENT = 0x0080


class NetType(enum.IntEnum):
    """``dwType`` of an ARP entry (MIB_IPNET_TYPE_*)."""

    OTHER = 1
    INVALID = 2
    DYNAMIC = 3
    STATIC = 4


class IpAddrRow(MibStruct, sdk="MIB_IPADDRROW", size=24, var_id=IP_ADDRROW, table_id=IP_ADDRTABLE, key=("addr",)):
    """An interface address: mirrors MIB_IPADDRROW."""

    addr: Address = field("dwAddr", "the address")
    index: Dword = field("dwIndex", "interface index")  # type: ignore[assignment]  # the SDK name hides .index()
    mask: Address = field("dwMask", "subnet mask")
    # The SDK names it an address; what routers put in it is MIB-II's ipAdEntBcastAddr (RFC 1213).
    bcast_addr: Dword = field("dwBCastAddr", "the low bit of the broadcast address used (1: all ones, 0: all zeros)")
    reasm_size: Dword = field("dwReasmSize", "largest datagram that can be reassembled")
    type: WordFlags[AddrType] = field("wType", "address type bits", skip=2)  # after the WORD unused1


class IpNetRow(MibStruct, sdk="MIB_IPNETROW", size=24, var_id=IP_NETROW, table_id=IP_NETTABLE,
               key=("index", "addr")):  # fmt: skip
    """An ARP entry: mirrors MIB_IPNETROW."""

    index: Dword = field("dwIndex", "interface index")  # type: ignore[assignment]  # the SDK name hides .index()
    phys_addr: PhysAddr = field("bPhysAddr", "physical address, dwPhysAddrLen bytes of it")
    addr: Address = field("dwAddr", "IPv4 address")
    type: Enumerated[NetType] = field("dwType", "entry type")


class IpStats(MibStruct, sdk="MIB_IPSTATS", size=92, var_id=IP_STATS):
    """IP statistics: mirrors MIB_IPSTATS."""

    forwarding: Dword = field("dwForwarding", "1: forwarding, 2: not forwarding")
    default_ttl: Dword = field("dwDefaultTTL", "default time to live")
    in_receives: Dword = field("dwInReceives", "datagrams received")
    in_hdr_errors: Dword = field("dwInHdrErrors", "datagrams received with header errors")
    in_addr_errors: Dword = field("dwInAddrErrors", "datagrams received with address errors")
    forw_datagrams: Dword = field("dwForwDatagrams", "datagrams forwarded")
    in_unknown_protos: Dword = field("dwInUnknownProtos", "datagrams received for unknown protocols")
    in_discards: Dword = field("dwInDiscards", "received datagrams discarded")
    in_delivers: Dword = field("dwInDelivers", "received datagrams delivered")
    out_requests: Dword = field("dwOutRequests", "outgoing datagrams requested")
    routing_discards: Dword = field("dwRoutingDiscards", "outgoing datagrams discarded by routing")
    out_discards: Dword = field("dwOutDiscards", "transmitted datagrams discarded")
    out_no_routes: Dword = field("dwOutNoRoutes", "datagrams with no route")
    reasm_timeout: Dword = field("dwReasmTimeout", "reassembly timeout")
    reasm_reqds: Dword = field("dwReasmReqds", "datagrams that needed reassembly")
    reasm_oks: Dword = field("dwReasmOks", "datagrams reassembled")
    reasm_fails: Dword = field("dwReasmFails", "datagrams that could not be reassembled")
    frag_oks: Dword = field("dwFragOks", "datagrams fragmented")
    frag_fails: Dword = field("dwFragFails", "datagrams that could not be fragmented")
    frag_creates: Dword = field("dwFragCreates", "fragments created")
    num_if: Dword = field("dwNumIf", "interfaces")
    num_addr: Dword = field("dwNumAddr", "IP addresses")
    num_routes: Dword = field("dwNumRoutes", "routes")


class IcmpCounters(MibStruct, sdk="MIBICMPSTATS", size=52):
    """One direction of ICMP counters: mirrors MIBICMPSTATS."""

    msgs: Dword = field("dwMsgs", "messages")
    errors: Dword = field("dwErrors", "errors")
    dest_unreachs: Dword = field("dwDestUnreachs", "destination unreachable messages")
    time_excds: Dword = field("dwTimeExcds", "time exceeded messages")
    parm_probs: Dword = field("dwParmProbs", "parameter problem messages")
    src_quenchs: Dword = field("dwSrcQuenchs", "source quench messages")
    redirects: Dword = field("dwRedirects", "redirect messages")
    echos: Dword = field("dwEchos", "echo requests")
    echo_reps: Dword = field("dwEchoReps", "echo replies")
    timestamps: Dword = field("dwTimestamps", "timestamp requests")
    timestamp_reps: Dword = field("dwTimestampReps", "timestamp replies")
    addr_masks: Dword = field("dwAddrMasks", "address mask requests")
    addr_mask_reps: Dword = field("dwAddrMaskReps", "address mask replies")


class IcmpStats(MibStruct, sdk="MIB_ICMP", size=104, var_id=ICMP_STATS):
    """ICMP statistics: mirrors MIB_ICMP (stats.icmpInStats, stats.icmpOutStats)."""

    in_stats: Nested[IcmpCounters] = field("stats.icmpInStats", "received")
    out_stats: Nested[IcmpCounters] = field("stats.icmpOutStats", "sent")


class ProxyArp(MibStruct, sdk="MIB_PROXYARP", size=12, var_id=PROXY_ARP, table_id=PROXY_ARP,
               key=("address", "mask", "if_index")):  # fmt: skip
    """An address the router answers ARP for on an interface: mirrors MIB_PROXYARP."""

    address: Address = field("dwAddress", "the address answered for")
    mask: Address = field("dwMask", "its mask")
    if_index: Dword = field("dwIfIndex", "the interface it is answered on")

    @classmethod
    def single_row_reply(cls, reply: bytes) -> bool:
        """A PROXY_ARP reply is read by its length: one MIB_PROXYARP (12 bytes, MS-RRASM 2.2.1.2.52's form),
        or a table (dwNumEntries and its rows, 4 + 12n bytes: the SDK's, as the table read gave)."""
        return len(reply) - HEADER == cls.layout.size

    @classmethod
    def decode_rows(cls, reply: bytes) -> list[ProxyArp]:
        """The rows of a PROXY_ARP reply: one MIB_PROXYARP, or a table of them (single_row_reply)."""
        if cls.single_row_reply(reply):
            return [cls.decode(reply)]
        payload = len(reply) - HEADER
        if payload >= 4 and (payload - 4) % cls.layout.size == 0:
            return cls.decode_table(reply)
        raise ValueError(f"malformed PROXY_ARP reply: {max(payload, 0)} bytes of data, neither one MIB_PROXYARP "
                         "(12) nor a table of them (4 + 12n)")


def arp_write(row: object) -> IpNetRow:
    """``row`` checked as CreateIpNetEntry and SetIpNetEntry check a MIB_IPNETROW."""
    if not isinstance(row, IpNetRow):
        raise TypeError(f"expected a IpNetRow, got {type(row).__name__}")
    check_if_index("if_index", row.index)
    check_host("addr", row.addr)
    (phys_len,) = _PHYS_LEN.unpack_from(row.to_bytes(), 4)  # the wire's dwPhysAddrLen, not the clamped view
    if not 1 <= phys_len <= 8:
        raise ValueError(f"phys_addr: {phys_len} bytes; an ARP entry holds 1 to 8")
    if not isinstance(row.type, NetType):
        raise ValueError(f"type: {row.type} is not an ARP entry type ({', '.join(t.name for t in NetType)})")
    return row


def arp_delete_query(if_index: object, addr: object) -> bytes:
    """The MIB_OPAQUE_QUERY deleting an ARP entry (MS-RRASM 3.1.4.28): {IP_NETTABLE, if index, addr}."""
    return query(IP_NETTABLE, check_if_index("if_index", if_index), check_host("addr", addr))
