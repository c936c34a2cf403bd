"""The rest of the IP router manager's variables, through the real extension, against the stand-in.

Every variable beyond the IP tables and statistics (tests/test_ip_mib.py), field by field,
byte order included, against the fixed MIB that tests/router/README.md describes; the exact
query each method sends; the stand-in's strictness (87 for queries of the wrong size and writes
of the wrong form, 50 for writes to read-only variables); the malformations of the new layouts;
and loopback mode against this machine's own iphlpapi.
"""

from __future__ import annotations

import ctypes
import os
import struct
from collections.abc import Callable, Iterator
from ipaddress import IPv4Address
from typing import Any

import pytest

import mprapi_cffi as mpr

from conftest import Router, windows_lane
from standin import Malformation, Mode

pytestmark = windows_lane

A = IPv4Address
UNUSED = mpr.METRIC_UNUSED
ERROR_NOT_SUPPORTED = 50
ERROR_INVALID_PARAMETER = 87
ERROR_HOST_UNREACHABLE = 1232
ONES = 0xFFFFFFFF

# Each disputed reply is tested in both forms the stand-in serves: MS-RRASM's (strict, the default) and the
# SDK's (router.set_sdk_forms(True)).
FORMS = pytest.mark.parametrize("sdk_forms", [False, True], ids=["strict", "sdk"])


def wire(address: str) -> bytes:
    """An address as its DWORD sits in a query: network byte order."""
    return A(address).packed


def dword(address: str) -> int:
    """An address as the DWORD value a query holds (its wire bytes read little-endian)."""
    return int(struct.unpack("<I", wire(address))[0])


def port(number: int) -> bytes:
    """A port as the DWORD MIB_TCPROW holds: network order in the low two bytes, 0 above."""
    return number.to_bytes(2, "big") + b"\0\0"


def var(var_id: int) -> bytes:
    return struct.pack("<I", var_id)


def query(var_id: int, *words: int) -> bytes:
    return struct.pack(f"<{1 + len(words)}I", var_id, *words)


def route(dest: str, mask: str, next_hop: str, if_index: int, type: int, proto: int, age: int, metric1: int,
          next_hop_as: int = 0, metrics: tuple[int, int, int, int] = (UNUSED,) * 4) -> mpr.IpForwardRow:
    m2, m3, m4, m5 = metrics
    return mpr.IpForwardRow(dest=dest, mask=mask, policy=0, next_hop=next_hop, if_index=if_index, type=type,
                            proto=proto, age=age, next_hop_as=next_hop_as, metric1=metric1, metric2=m2, metric3=m3,
                            metric4=m4, metric5=m5)


# The fixed MIB (tests/router/README.md): the route table, and the two routes only the routing
# table manager holds.
DEFAULT = route("0.0.0.0", "0.0.0.0", "192.168.1.1", 3, 4, 3, 100, 25)
TEN = route("10.0.0.0", "255.0.0.0", "192.168.1.254", 3, 4, 8, 30, 2, 65001, (3, 4, 5, 6))
LOOPBACK = route("127.0.0.0", "255.0.0.0", "127.0.0.1", 1, 3, 2, 0, 306)
LAN = route("192.168.1.0", "255.255.255.0", "192.168.1.10", 3, 3, 2, 0, 281)
TEN_LOSER = route("10.0.0.0", "255.0.0.0", "10.20.30.1", 7, 4, 8, 45, 7)
MCAST_ONLY = route("172.20.0.0", "255.255.0.0", "10.20.30.1", 7, 4, 3, 0, 10)


def dest_row(row: mpr.IpForwardRow, preference: int, view_set: int) -> mpr.IpDestRow:
    return mpr.IpDestRow(route=row, preference=preference, view_set=view_set)


D_DEFAULT = dest_row(DEFAULT, 3, 3)
D_TEN = dest_row(TEN, 120, 3)
D_LOOPBACK = dest_row(LOOPBACK, 1, 1)
D_LAN = dest_row(LAN, 1, 1)
D_TEN_LOSER = dest_row(TEN_LOSER, 120, 3)
D_MCAST_ONLY = dest_row(MCAST_ONLY, 3, 2)

PROXY = [
    mpr.ProxyArp(address="10.20.30.0", mask="255.255.255.0", if_index=7),
    mpr.ProxyArp(address="192.168.1.50", mask="255.255.255.255", if_index=3),
    mpr.ProxyArp(address="192.168.1.64", mask="255.255.255.192", if_index=3),
]
MCAST_IFS = [
    mpr.McastIfEntry(if_index=3, ttl=1, protocol=10, rate_limit=0, in_mcast_octets=1234567,
                     out_mcast_octets=7654321),
    mpr.McastIfEntry(if_index=7, ttl=16, protocol=10, rate_limit=256, in_mcast_octets=4096, out_mcast_octets=8192),
]
BOUNDARIES = [
    mpr.McastBoundary(if_index=3, group_address="239.192.0.0", group_mask="255.252.0.0", status=1),
    mpr.McastBoundary(if_index=7, group_address="239.192.0.0", group_mask="255.252.0.0", status=1),
    mpr.McastBoundary(if_index=7, group_address="239.255.0.0", group_mask="255.255.0.0", status=2),
]
SCOPE_NAMES = ["Organisation \u00e9tendue \u2013 \u00c9tage \u2116 2", "Site \u672c\u793e \U0001f310"]
SCOPES = [
    mpr.McastScope(group_address="239.192.0.0", group_mask="255.252.0.0", name=SCOPE_NAMES[0], status=1),
    mpr.McastScope(group_address="239.255.0.0", group_mask="255.255.0.0", name=SCOPE_NAMES[1], status=2),
]
SCOPE0_KEY = (dword("239.192.0.0"), dword("255.252.0.0"))

# The three MFEs, every field of every form, and their outgoing interfaces with their counters.
MFE_FIELDS: list[dict[str, Any]] = [
    dict(group="239.1.1.1", source="0.0.0.0", src_mask="0.0.0.0", up_strm_ngbr="0.0.0.0", in_if_index=7,
         in_if_protocol=10, route_protocol=3, route_network="0.0.0.0", route_mask="0.0.0.0", up_time=600,
         expiry_time=0, time_out=900, flags=0, in_pkts=17, in_octets=1700, pkts_different_if=2, queue_overflow=0,
         uninit_mfe=1, negative_mfe=12, in_discards=3, in_hdr_errors=4, total_out_packets=0),
    dict(group="239.1.1.1", source="192.168.1.20", src_mask="255.255.255.255", up_strm_ngbr="192.168.1.1",
         in_if_index=3, in_if_protocol=10, route_protocol=2, route_network="192.168.1.0",
         route_mask="255.255.255.0", up_time=3600, expiry_time=210, time_out=300, flags=1, in_pkts=50000,
         in_octets=65000000, pkts_different_if=5, queue_overflow=6, uninit_mfe=7, negative_mfe=8, in_discards=9,
         in_hdr_errors=10, total_out_packets=49990),
    dict(group="239.192.4.5", source="10.20.30.99", src_mask="255.255.255.255", up_strm_ngbr="10.20.30.1",
         in_if_index=7, in_if_protocol=10, route_protocol=8, route_network="10.0.0.0", route_mask="255.0.0.0",
         up_time=86400, expiry_time=45, time_out=60, flags=0x11, in_pkts=70001, in_octets=70002,
         pkts_different_if=70003, queue_overflow=70004, uninit_mfe=70005, negative_mfe=70006, in_discards=70007,
         in_hdr_errors=70008, total_out_packets=210000),
]
# (out_if_index, next_hop_addr, ttl_too_low, frag_needed, out_packets, out_discards)
MFE_OIFS = [
    [],
    [(7, "0.0.0.0", 11, 12, 49990, 13)],
    [(1, "0.0.0.0", 101, 102, 103, 104), (3, "0.0.0.0", 201, 202, 203, 204),
     (3, "192.168.1.77", 301, 302, 303, 304)],
]
MFE_COMMON = ("group", "source", "src_mask", "up_strm_ngbr", "in_if_index", "in_if_protocol", "route_protocol",
              "route_network", "route_mask", "up_time", "expiry_time")
MFE_STATS_ONLY = ("in_pkts", "in_octets", "pkts_different_if", "queue_overflow")
MFE_STATS_EX_ONLY = ("uninit_mfe", "negative_mfe", "in_discards", "in_hdr_errors", "total_out_packets")


def fixed_mfes() -> list[mpr.McastMfe]:
    return [
        mpr.McastMfe(**{k: f[k] for k in (*MFE_COMMON, "time_out", "flags")},
                     out_ifs=[mpr.McastOif(out_if_index=o[0], next_hop_addr=o[1]) for o in oifs])
        for f, oifs in zip(MFE_FIELDS, MFE_OIFS)
    ]


def oif_stats(oifs: list[tuple[int, str, int, int, int, int]]) -> list[mpr.McastOifStats]:
    return [mpr.McastOifStats(out_if_index=i, next_hop_addr=h, ttl_too_low=t, frag_needed=f, out_packets=p,
                              out_discards=d) for i, h, t, f, p, d in oifs]


def fixed_mfe_stats() -> list[mpr.McastMfeStats]:
    return [mpr.McastMfeStats(**{k: f[k] for k in (*MFE_COMMON, *MFE_STATS_ONLY)}, out_stats=oif_stats(oifs))
            for f, oifs in zip(MFE_FIELDS, MFE_OIFS)]


def fixed_mfe_stats_ex() -> list[mpr.McastMfeStatsEx]:
    return [mpr.McastMfeStatsEx(**{k: f[k] for k in (*MFE_COMMON, *MFE_STATS_ONLY, *MFE_STATS_EX_ONLY)},
                                out_stats=oif_stats(oifs))
            for f, oifs in zip(MFE_FIELDS, MFE_OIFS)]


@pytest.fixture
def server(router: Router) -> Iterator[mpr.MibServer]:
    with mpr.connect() as server:
        yield server


def raw(server: mpr.MibServer, data: bytes, method: str = "get") -> bytes:
    return getattr(server, method)(mpr.PID_IP, mpr.IPRTRMGR_PID, data)  # type: ignore[no-any-return]


def winerror(call: Callable[[], object]) -> int:
    with pytest.raises(mpr.MprError) as info:
        call()
    return info.value.winerror


# -- counts --------------------------------------------------------------------------------

def test_if_number_and_ip_forward_number(server: mpr.MibServer, router: Router) -> None:
    assert server.if_number() == 3
    assert router.last_input() == var(mpr.IF_NUMBER)
    assert server.ip_forward_number() == 4
    assert router.last_input() == var(mpr.IP_FORWARDNUMBER)
    server.create_route(route("172.16.0.0", "255.240.0.0", "192.168.1.254", 3, 4, 3, 0, 40))
    assert server.ip_forward_number() == 5
    assert raw(server, var(mpr.IF_NUMBER)) == struct.pack("<III", mpr.IF_NUMBER, 0, 3)


# -- single rows by index --------------------------------------------------------------------

def test_ip_addr_row_by_address(server: mpr.MibServer, router: Router) -> None:
    row = server.ip_addr_row("192.168.1.10")
    assert router.last_input() == var(mpr.IP_ADDRROW) + bytes([192, 168, 1, 10])
    assert (row.addr, row.index, row.mask, row.reasm_size) == (A("192.168.1.10"), 3, A("255.255.255.0"), 65535)
    assert row == server.ip_addr_table()[2]
    assert server.ip_addr_row(A("10.20.30.40")).index == 7
    assert winerror(lambda: server.ip_addr_row("192.168.1.11")) == mpr.ERROR_INVALID_INDEX


def test_ip_net_row_by_interface_and_address(server: mpr.MibServer, router: Router) -> None:
    row = server.ip_net_row(3, "192.168.1.254")
    assert router.last_input() == query(mpr.IP_NETROW, 3) + bytes([192, 168, 1, 254])
    assert (row.index, row.addr, row.phys_addr, row.type) == (
        3, A("192.168.1.254"), bytes.fromhex("aabbccddeefe"), mpr.NetType.STATIC)
    assert winerror(lambda: server.ip_net_row(7, "192.168.1.254")) == mpr.ERROR_INVALID_INDEX


def test_ip_forward_row_by_dest_proto_policy_next_hop(server: mpr.MibServer, router: Router) -> None:
    assert server.ip_forward_row("10.0.0.0", 8, 0, "192.168.1.254") == TEN
    assert router.last_input() == (var(mpr.IP_FORWARDROW) + bytes([10, 0, 0, 0]) + struct.pack("<II", 8, 0)
                                   + bytes([192, 168, 1, 254]))
    assert server.ip_forward_row("0.0.0.0", mpr.RouteProto.NETMGMT, 0, "192.168.1.1") == DEFAULT
    assert winerror(lambda: server.ip_forward_row("10.0.0.0", 3, 0, "192.168.1.254")) == mpr.ERROR_INVALID_INDEX


def test_tcp_row_by_both_ends_sends_ports_in_network_order(server: mpr.MibServer, router: Router) -> None:
    row = server.tcp_row("192.168.1.10", 49712, "93.184.216.34", 443)
    assert router.last_input() == (var(mpr.TCP_ROW) + wire("192.168.1.10") + bytes([0xC2, 0x30, 0, 0])
                                   + wire("93.184.216.34") + bytes([0x01, 0xBB, 0, 0]))
    assert tuple(row) == (mpr.TcpState.ESTAB, A("192.168.1.10"), 49712, A("93.184.216.34"), 443)
    assert tuple(server.tcp_row("0.0.0.0", 135, "0.0.0.0", 0)) == (mpr.TcpState.LISTEN, A("0.0.0.0"), 135,
                                                                   A("0.0.0.0"), 0)
    assert winerror(lambda: server.tcp_row("192.168.1.10", 49712, "93.184.216.34", 444)) == mpr.ERROR_INVALID_INDEX
    # The upper half of a port DWORD is not part of the port: junk there still names the row.
    reply = raw(server, var(mpr.TCP_ROW) + wire("192.168.1.10") + bytes([0xC2, 0x30, 0xCD, 0xAB])
                + wire("93.184.216.34") + bytes([0x01, 0xBB, 0x12, 0x34]))
    assert mpr.TcpRow.decode(reply) == row
    # The stand-in's rows keep 0xABCD there (the SDK leaves it undefined): the decoded port ignores it.
    assert reply[8 + 8:8 + 12] == bytes([0xC2, 0x30, 0xCD, 0xAB])


def test_udp_row_by_address_and_port(server: mpr.MibServer, router: Router) -> None:
    assert tuple(server.udp_row("192.168.1.10", 123)) == (A("192.168.1.10"), 123)
    assert router.last_input() == var(mpr.UDP_ROW) + wire("192.168.1.10") + bytes([0, 123, 0, 0])
    assert tuple(server.udp_row("0.0.0.0", 53)) == (A("0.0.0.0"), 53)
    assert winerror(lambda: server.udp_row("0.0.0.0", 123)) == mpr.ERROR_INVALID_INDEX


# -- walks of every row variable ----------------------------------------------------------------

def walked(server: mpr.MibServer, router: Router, struct_type: type[mpr.MibStruct], calls: int | None = None
           ) -> list[Any]:
    before = router.counter("calls")
    rows = list(server.walk(struct_type))
    # By default: GetFirst, one GetNext per further row, one GetNext that ends the walk (259, or an MFE's
    # reply with no data); a reply that holds several rows takes fewer (`calls`).
    assert router.counter("calls") - before == (len(rows) + 1 if calls is None else calls)
    assert router.counter("live_buffers") == 0
    return rows


def test_walks_of_the_tcp_and_udp_tables(server: mpr.MibServer, router: Router) -> None:
    rows = walked(server, router, mpr.TcpRow)
    # Each GetNext names the row just read by its index as the router sent it: the port DWORDs whole,
    # the 0xABCD the stand-in's rows hold above the ports included.
    assert router.last_input() == (var(mpr.TCP_ROW) + wire("192.168.1.10") + bytes([0xC2, 0x30, 0xCD, 0xAB])
                                   + wire("93.184.216.34") + bytes([0x01, 0xBB, 0xCD, 0xAB]))
    assert rows == server.tcp_table()
    udp = walked(server, router, mpr.UdpRow)
    assert router.last_input() == var(mpr.UDP_ROW) + wire("192.168.1.10") + bytes([0, 123, 0xCD, 0xAB])
    assert udp == server.udp_table()


def test_walks_of_the_new_row_variables(server: mpr.MibServer, router: Router) -> None:
    assert [s.if_index for s in walked(server, router, mpr.IfStatus)] == [1, 3, 7]
    assert walked(server, router, mpr.ProxyArp) == PROXY
    assert router.last_input() == var(mpr.PROXY_ARP) + wire("192.168.1.64") + wire("255.255.255.192") + \
        struct.pack("<I", 3)
    assert walked(server, router, mpr.McastIfEntry) == MCAST_IFS
    assert walked(server, router, mpr.McastBoundary) == BOUNDARIES
    assert walked(server, router, mpr.McastScope) == SCOPES
    assert walked(server, router, mpr.McastMfe) == fixed_mfes()
    assert router.last_input() == var(mpr.MCAST_MFE) + wire("239.192.4.5") + wire("10.20.30.99") + \
        wire("255.255.255.255")
    assert walked(server, router, mpr.McastMfeStats) == fixed_mfe_stats()
    # MS-RRASM gives MCAST_MFE_STATS_EX's reply as MIB_MFE_STATS_TABLE: McastMfeStats rows, no extended counters.
    assert walked(server, router, mpr.McastMfeStatsEx) == fixed_mfe_stats()


def test_a_strict_mfe_stats_ex_walk_asks_for_mcast_mfe_stats_ex_throughout(
        server: mpr.MibServer, router: Router) -> None:
    walk = server.walk(mpr.McastMfeStatsEx)
    assert next(walk) == fixed_mfe_stats()[0]
    assert router.last_input() == query(mpr.MCAST_MFE_STATS_EX, 0, 0, ONES)  # GetFirst
    assert list(walk) == fixed_mfe_stats()[1:]
    assert router.last_input() == var(mpr.MCAST_MFE_STATS_EX) + wire("239.192.4.5") + wire("10.20.30.99") + \
        wire("255.255.255.255")


def test_walks_of_the_new_row_variables_with_the_sdk_forms(server: mpr.MibServer, router: Router) -> None:
    router.set_sdk_forms(True)
    # PROXY_ARP's GetFirst answers the whole table: one GetNext after its last row ends the walk.
    assert walked(server, router, mpr.ProxyArp, calls=2) == PROXY
    assert router.last_input() == var(mpr.PROXY_ARP) + wire("192.168.1.64") + wire("255.255.255.192") + \
        struct.pack("<I", 3)
    assert walked(server, router, mpr.McastScope) == SCOPES
    assert walked(server, router, mpr.McastMfe) == fixed_mfes()
    assert walked(server, router, mpr.McastMfeStats) == fixed_mfe_stats()
    assert walked(server, router, mpr.McastMfeStatsEx) == fixed_mfe_stats_ex()
    assert router.last_input() == var(mpr.MCAST_MFE_STATS_EX) + wire("239.192.4.5") + wire("10.20.30.99") + \
        wire("255.255.255.255")


def test_get_first_takes_a_whole_index_and_ignores_its_values(server: mpr.MibServer, router: Router) -> None:
    # MS-RRASM 2.2.1.2.53 gives IF_STATUS one index value for every method: GetFirst with none is 87.
    assert winerror(lambda: raw(server, var(mpr.IF_STATUS), "get_first")) == ERROR_INVALID_PARAMETER
    assert router.last_input() == var(mpr.IF_STATUS)
    first = raw(server, query(mpr.IF_STATUS, 0), "get_first")
    assert raw(server, query(mpr.IF_STATUS, 7), "get_first") == first
    assert mpr.IfStatus.decode(first).if_index == 1
    assert raw(server, query(mpr.IF_STATUS, 1), "get_next") == raw(server, query(mpr.IF_STATUS, 3))


# -- BEST_IF and BEST_ROUTE ----------------------------------------------------------------------

# (dest, the route BEST_ROUTE picks, that route's preference and view set: its protocol's)
BEST_ROUTES = [
    ("10.9.8.7", TEN, 120, 3), ("8.8.8.8", DEFAULT, 3, 3), ("192.168.1.77", LAN, 1, 1), ("127.0.0.5", LOOPBACK, 1, 1),
    ("10.20.30.40", TEN, 120, 3),  # the router's own address on 7, but no route says so: 10.0.0.0/8
    ("172.20.1.1", DEFAULT, 3, 3),  # 172.20.0.0/16 is in the multicast view only, not in the forwarder
]


def as_forward_row(best: mpr.RouteInfo | mpr.IpForwardRow, sdk_forms: bool) -> mpr.IpForwardRow:
    """The route best_route gave, as an IpForwardRow: the SDK's 56-byte row as it is, MS-RRASM's 72 converted."""
    if sdk_forms:
        assert type(best) is mpr.IpForwardRow
        return best
    assert type(best) is mpr.RouteInfo and best.v4 is True
    return best.forward_row()


@pytest.mark.parametrize(("dest", "expected", "preference", "view_set"), BEST_ROUTES)
def test_best_route_is_the_longest_matching_route_as_interface_route_info(
        server: mpr.MibServer, router: Router, dest: str, expected: mpr.IpForwardRow, preference: int,
        view_set: int) -> None:
    best = server.best_route(dest)
    assert router.last_input() == var(mpr.BEST_ROUTE) + wire(dest) + wire("0.0.0.0")
    assert type(best) is mpr.RouteInfo
    # INTERFACE_ROUTE_INFO has no metric4 or metric5: forward_row() gives them unused.
    assert best.forward_row() == expected._replace(metric4=UNUSED, metric5=UNUSED)
    assert (best.preference, best.view_set, best.v4) == (preference, view_set, True)
    reply = raw(server, router.last_input())
    assert len(reply) == 8 + 72
    assert reply[8 + 36:8 + 48] == bytes(12)  # the rest of the 48-byte union after the IPv4 arm
    assert struct.unpack_from("<3I", reply, 8 + 60) == (preference, view_set, 1)  # preference, view set, bV4
    assert server.best_interface(dest) == expected.if_index
    assert router.last_input() == var(mpr.BEST_IF) + wire(dest)


@pytest.mark.parametrize(("dest", "expected", "preference", "view_set"), BEST_ROUTES)
def test_best_route_is_the_longest_matching_route_as_the_sdks_forward_row(
        server: mpr.MibServer, router: Router, dest: str, expected: mpr.IpForwardRow, preference: int,
        view_set: int) -> None:
    router.set_sdk_forms(True)
    assert server.best_route(dest) == expected
    assert type(server.best_route(dest)) is mpr.IpForwardRow
    assert router.last_input() == var(mpr.BEST_ROUTE) + wire(dest) + wire("0.0.0.0")
    assert len(raw(server, router.last_input())) == 8 + 56
    assert server.best_interface(dest) == expected.if_index


def test_best_if_reply_echoes_the_destination(server: mpr.MibServer) -> None:
    reply = raw(server, query(mpr.BEST_IF, dword("127.0.0.5")))
    assert len(reply) == 8 + 8
    assert mpr.BestIf.decode(reply) == mpr.BestIf(dest_addr="127.0.0.5", if_index=1)
    assert reply[8:12] == bytes([127, 0, 0, 5])


def test_best_route_second_index_must_be_zero_and_best_route_sends_zero(
        server: mpr.MibServer, router: Router) -> None:
    # MS-RRASM 2.2.1.2.53: "rgdwVarIndex[1] MUST be set to 0" (the SDK's GetBestRoute source address).
    sent = query(mpr.BEST_ROUTE, dword("10.9.8.7"), dword("192.168.1.10"))
    assert winerror(lambda: raw(server, sent)) == ERROR_INVALID_PARAMETER
    assert router.last_input() == sent
    router.set_sdk_forms(True)  # the reply forms change nothing in the query rules
    assert winerror(lambda: raw(server, sent)) == ERROR_INVALID_PARAMETER
    router.set_sdk_forms(False)
    assert as_forward_row(server.best_route("10.9.8.7"), False) == TEN._replace(metric4=UNUSED, metric5=UNUSED)
    assert router.last_input() == var(mpr.BEST_ROUTE) + wire("10.9.8.7") + bytes(4)
    with pytest.raises(TypeError):
        server.best_route("10.9.8.7", source="192.168.1.10")  # type: ignore[call-arg]
    assert router.counter("live_buffers") == 0


@FORMS
def test_best_route_ties_go_to_index_order_after_the_metric(server: mpr.MibServer, router: Router,
                                                             sdk_forms: bool) -> None:
    router.set_sdk_forms(sdk_forms)
    # Same prefix and metric as 10.0.0.0/8 via 192.168.1.254 (if 3), but through interface 7.
    rival = route("10.0.0.0", "255.0.0.0", "10.20.30.1", 7, 4, 3, 0, 2)
    server.create_route(rival)
    best = server.best_route("10.9.8.7")
    assert as_forward_row(best, sdk_forms) == rival  # the first in index order (proto 3 < 8)
    if not sdk_forms:
        # A written route: preference 0x7F whatever was sent (3.1.4.27), both views (an IpForwardRow).
        assert (best.preference, best.view_set) == (0x7F, 3)  # type: ignore[union-attr]
    server.set_route(rival._replace(metric1=3))
    assert as_forward_row(server.best_route("10.9.8.7"), sdk_forms) == (
        TEN if sdk_forms else TEN._replace(metric4=UNUSED, metric5=UNUSED))  # the metric comes first


@FORMS
def test_best_route_skips_invalid_routes_and_none_is_host_unreachable(server: mpr.MibServer, router: Router,
                                                                      sdk_forms: bool) -> None:
    router.set_sdk_forms(sdk_forms)
    server.create_route(route("8.0.0.0", "255.0.0.0", "192.168.1.2", 3, mpr.RouteType.INVALID, 3, 0, 1))
    assert as_forward_row(server.best_route("8.8.8.8"), sdk_forms) == DEFAULT
    server.delete_route(DEFAULT)
    assert winerror(lambda: server.best_route("8.8.8.8")) == ERROR_HOST_UNREACHABLE
    assert winerror(lambda: server.best_interface("8.8.8.8")) == ERROR_HOST_UNREACHABLE
    assert server.best_interface("10.1.1.1") == 3
    assert router.counter("live_buffers") == 0


# -- PROXY_ARP -----------------------------------------------------------------------------------

def test_proxy_arp_table_field_by_field(server: mpr.MibServer, router: Router) -> None:
    calls = router.counter("calls")
    table = server.proxy_arp_table()
    # A walk: GetFirst {0, 0, 0}, then GetNext naming each row; the one after the last is 259.
    assert router.counter("calls") - calls == len(PROXY) + 1
    assert router.last_input() == var(mpr.PROXY_ARP) + wire("192.168.1.64") + wire("255.255.255.192") + \
        struct.pack("<I", 3)
    assert table == PROXY
    assert [(e.address, e.mask, e.if_index) for e in table] == [
        (A("10.20.30.0"), A("255.255.255.0"), 7),
        (A("192.168.1.50"), A("255.255.255.255"), 3),
        (A("192.168.1.64"), A("255.255.255.192"), 3),
    ]
    # MS-RRASM 2.2.1.2.52: one MIB_PROXYARP per reply, GetFirst's too; Get takes the whole index only.
    first = raw(server, query(mpr.PROXY_ARP, 0, 0, 0), "get_first")
    assert len(first) == 8 + 12 and first[8:12] == bytes([10, 20, 30, 0]) and mpr.ProxyArp.decode(first) == PROXY[0]
    assert winerror(lambda: raw(server, var(mpr.PROXY_ARP))) == ERROR_INVALID_PARAMETER
    one = raw(server, query(mpr.PROXY_ARP, dword("192.168.1.50"), dword("255.255.255.255"), 3))
    assert len(one) == 8 + 12 and mpr.ProxyArp.decode(one) == PROXY[1]
    assert winerror(lambda: raw(server, query(mpr.PROXY_ARP, dword("192.168.1.50"), dword("255.255.255.0"), 3))) \
        == mpr.ERROR_INVALID_INDEX
    assert router.counter("live_buffers") == 0


def test_proxy_arp_table_from_the_sdks_table_reply(server: mpr.MibServer, router: Router) -> None:
    router.set_sdk_forms(True)
    calls = router.counter("calls")
    assert server.proxy_arp_table() == PROXY
    # GetFirst answers the whole MIB_PROXYARPTABLE; the walk goes on after its last row, and that is 259.
    assert router.counter("calls") - calls == 2
    assert router.last_input() == var(mpr.PROXY_ARP) + wire("192.168.1.64") + wire("255.255.255.192") + \
        struct.pack("<I", 3)
    reply = raw(server, var(mpr.PROXY_ARP))  # the SDK's form: Get with no index is the table too
    assert len(reply) == 12 + 3 * 12 and struct.unpack_from("<I", reply, 8)[0] == 3
    assert reply[12:16] == bytes([10, 20, 30, 0])
    assert raw(server, query(mpr.PROXY_ARP, 0, 0, 0), "get_first") == reply
    # With its whole index, Get answers one entry.
    one = raw(server, query(mpr.PROXY_ARP, dword("192.168.1.50"), dword("255.255.255.255"), 3))
    assert len(one) == 8 + 12 and mpr.ProxyArp.decode(one) == PROXY[1]
    assert router.counter("live_buffers") == 0


def test_create_and_delete_proxy_arp_change_the_table(server: mpr.MibServer, router: Router) -> None:
    # MS-RRASM 3.1.4.27/28 do not list PROXY_ARP: this proves the SDK's form only (a server that
    # follows the specification answers 87: test_arp_admin_writes.test_unlisted_writes_are_87_by_default).
    router.set_unlisted_writes(True)
    entry = mpr.ProxyArp(address="192.168.1.99", mask="255.255.255.255", if_index=3)
    server.create_proxy_arp(entry)
    assert router.last_input() == struct.pack("<II", mpr.PROXY_ARP, 0) + wire("192.168.1.99") + \
        wire("255.255.255.255") + struct.pack("<I", 3)
    assert server.proxy_arp_table() == [PROXY[0], PROXY[1], PROXY[2], entry]
    assert winerror(lambda: server.create_proxy_arp(entry)) == 183
    assert winerror(lambda: server.create_proxy_arp(entry._replace(if_index=9))) == mpr.ERROR_INVALID_INDEX
    server.delete_proxy_arp(PROXY[1])
    assert router.last_input() == var(mpr.PROXY_ARP) + wire("192.168.1.50") + wire("255.255.255.255") + \
        struct.pack("<I", 3)
    assert server.proxy_arp_table() == [PROXY[0], PROXY[2], entry]
    assert winerror(lambda: server.delete_proxy_arp(PROXY[1])) == mpr.ERROR_INVALID_INDEX
    # A delete names the whole index: another interface is another entry.
    assert winerror(lambda: server.delete_proxy_arp(PROXY[2]._replace(if_index=7))) == mpr.ERROR_INVALID_INDEX
    assert list(server.walk(mpr.ProxyArp)) == [PROXY[0], PROXY[2], entry]


# -- IF_STATUS and ROUTE_STATE ------------------------------------------------------------------------

def test_if_status_field_by_field(server: mpr.MibServer, router: Router) -> None:
    ethernet = server.if_status(3)
    assert router.last_input() == query(mpr.IF_STATUS, 3)
    assert ethernet == mpr.IfStatus(if_index=3, admin_status=mpr.IfAdminStatus.UP, oper_status=3,
                                    mhbeat_active=True, mhbeat_alive=True)
    assert tuple(server.if_status(1)) == (1, mpr.IfAdminStatus.UP, 3, False, False)
    # Admin down, not operational: ROUTER_IF_STATE_UNREACHABLE; heartbeat on, but dead.
    assert tuple(server.if_status(7)) == (7, mpr.IfAdminStatus.DOWN, 0, True, False)
    reply = raw(server, query(mpr.IF_STATUS, 7))
    assert reply == struct.pack("<II5I", mpr.IF_STATUS, 0, 7, 2, 0, 1, 0)
    assert winerror(lambda: server.if_status(2)) == mpr.ERROR_INVALID_INDEX


def test_route_state(server: mpr.MibServer, router: Router) -> None:
    assert server.route_state() == mpr.RouteState(routes_set_to_stack=True)
    assert router.last_input() == var(mpr.ROUTE_STATE)
    assert raw(server, var(mpr.ROUTE_STATE)) == struct.pack("<III", mpr.ROUTE_STATE, 0, 1)


# -- route lookups: DEST_* and ROUTE_* ------------------------------------------------------------------

LOOKUPS = {
    "dest_matching": mpr.DEST_MATCHING, "dest_longer": mpr.DEST_LONGER, "dest_shorter": mpr.DEST_SHORTER,
    "route_matching": mpr.ROUTE_MATCHING, "route_longer": mpr.ROUTE_LONGER, "route_shorter": mpr.ROUTE_SHORTER,
}


@pytest.mark.parametrize(("method", "dest", "mask", "expected"), [
    # MATCHING: that prefix itself; DEST_ its best route, ROUTE_ every route, best first
    ("dest_matching", "10.0.0.0", "255.0.0.0", [D_TEN]),
    ("route_matching", "10.0.0.0", "255.0.0.0", [D_TEN, D_TEN_LOSER]),
    ("dest_matching", "10.1.2.3", "255.0.0.0", [D_TEN]),  # the dest is masked first
    ("dest_matching", "172.20.0.0", "255.255.0.0", [D_MCAST_ONLY]),
    ("route_matching", "0.0.0.0", "0.0.0.0", [D_DEFAULT]),
    # LONGER: the prefixes inside it, masks as long or longer
    ("dest_longer", "0.0.0.0", "0.0.0.0", [D_DEFAULT, D_TEN, D_LOOPBACK, D_MCAST_ONLY, D_LAN]),
    ("route_longer", "0.0.0.0", "0.0.0.0", [D_DEFAULT, D_TEN, D_TEN_LOSER, D_LOOPBACK, D_MCAST_ONLY, D_LAN]),
    ("dest_longer", "172.16.0.0", "255.240.0.0", [D_MCAST_ONLY]),
    ("route_longer", "192.168.0.0", "255.255.0.0", [D_LAN]),
    ("dest_longer", "10.0.0.0", "255.0.0.0", [D_TEN]),
    # SHORTER: the prefixes that cover it, down to the default route
    ("dest_shorter", "10.9.8.7", "255.255.255.255", [D_DEFAULT, D_TEN]),
    ("route_shorter", "10.9.8.7", "255.255.255.255", [D_DEFAULT, D_TEN, D_TEN_LOSER]),
    ("dest_shorter", "172.20.1.1", "255.255.255.255", [D_DEFAULT, D_MCAST_ONLY]),
    ("dest_shorter", "192.168.1.0", "255.255.255.0", [D_DEFAULT, D_LAN]),
    ("route_shorter", "0.0.0.0", "0.0.0.0", [D_DEFAULT]),
])
def test_route_lookups(server: mpr.MibServer, router: Router, method: str, dest: str, mask: str,
                       expected: list[mpr.IpDestRow]) -> None:
    rows = getattr(server, method)(dest, mask)
    # {dest, mask, view set, proto}: VIEW_ANY (0) and ANY_PROTO (0) by default
    assert router.last_input() == var(LOOKUPS[method]) + wire(dest) + wire(mask) + struct.pack("<II", 0, 0)
    assert rows == expected
    reply = raw(server, router.last_input())
    assert len(reply) == 12 + 64 * len(expected)  # the SDK's 64-byte MIB_IPDESTROW, not MinGW's 12
    assert struct.unpack_from("<I", reply, 8)[0] == len(expected)


def test_route_lookup_rows_field_by_field(server: mpr.MibServer) -> None:
    best, loser = server.route_matching("10.0.0.0", "255.0.0.0")
    assert best.route == TEN and (best.preference, best.view_set) == (120, 3)
    assert (loser.route.next_hop, loser.route.if_index, loser.route.age, loser.route.metric1) == (
        A("10.20.30.1"), 7, 45, 7)
    reply = raw(server, query(mpr.ROUTE_MATCHING, dword("10.0.0.0"), dword("255.0.0.0"), 0, 0))
    # Row 1 at 12: the MIB_IPFORWARDROW, then dwForwardPreference at 56 and dwForwardViewSet at 60.
    assert reply[12:16] == bytes([10, 0, 0, 0]) and reply[12 + 12:12 + 16] == bytes([192, 168, 1, 254])
    assert struct.unpack_from("<II", reply, 12 + 56) == (120, 3)
    assert struct.unpack_from("<II", reply, 12 + 64 + 56) == (120, 3)
    (local,) = server.dest_matching("127.0.0.0", "255.0.0.0")
    assert (local.preference, local.view_set) == (1, 1)  # local routes: unicast view only


@pytest.mark.parametrize(("method", "dest", "mask"), [
    ("dest_matching", "10.0.0.0", "255.255.0.0"), ("route_matching", "10.0.0.0", "255.255.0.0"),
    ("dest_longer", "11.0.0.0", "255.0.0.0"), ("route_longer", "192.168.2.0", "255.255.255.0"),
])
def test_a_lookup_that_matches_nothing_is_an_empty_list(
    server: mpr.MibServer, router: Router, method: str, dest: str, mask: str
) -> None:
    assert getattr(server, method)(dest, mask) == []
    # The router said so with ERROR_NO_DATA; the raw call still raises it.
    assert winerror(lambda: server.get(mpr.PID_IP, mpr.IPRTRMGR_PID, router.last_input())) == mpr.ERROR_NO_DATA


def test_route_lookups_see_route_writes(server: mpr.MibServer) -> None:
    new = route("10.1.0.0", "255.255.0.0", "192.168.1.254", 3, 4, 3, 0, 40)
    # MS-RRASM 3.1.4.27/29: the server gives a written route preference 0x7F whatever was sent;
    # it keeps the view set (a bare route goes in both views).
    server.create_route(new)
    assert server.dest_longer("10.0.0.0", "255.0.0.0") == [D_TEN, dest_row(new, 0x7F, 3)]
    assert server.dest_shorter("10.1.2.3", "255.255.255.255") == [D_DEFAULT, D_TEN, dest_row(new, 0x7F, 3)]
    server.set_route(mpr.IpDestRow(route=new, preference=3, view_set=1))
    assert server.dest_longer("10.0.0.0", "255.0.0.0") == [D_TEN, dest_row(new, 0x7F, 1)]
    server.delete_route(TEN)
    # The routing table manager's other 10.0.0.0/8 route is that destination's best now.
    assert server.dest_matching("10.0.0.0", "255.0.0.0") == [D_TEN_LOSER]


@pytest.mark.parametrize("mask", ["255.0.255.0", "0.0.0.255", "255.255.255.253"])
@pytest.mark.parametrize("var_id", LOOKUPS.values())
def test_route_lookup_with_a_mask_that_is_not_contiguous_is_refused(server: mpr.MibServer, var_id: int,
                                                                    mask: str) -> None:
    sent = query(var_id, dword("10.0.0.0"), dword(mask), 0, 0)
    assert winerror(lambda: raw(server, sent)) == ERROR_INVALID_PARAMETER
    # The same lookup with a contiguous mask is answered: the 87 is the mask's, not the query's size.
    assert raw(server, query(var_id, dword("10.0.0.0"), dword("255.0.0.0"), 0, 0))[:4] == var(var_id)


# -- multicast ----------------------------------------------------------------------------------------

def test_mcast_global(server: mpr.MibServer, router: Router) -> None:
    assert server.mcast_global() == mpr.McastGlobal(enable=True)
    assert router.last_input() == var(mpr.MCAST_GLOBAL)
    assert raw(server, var(mpr.MCAST_GLOBAL)) == struct.pack("<III", mpr.MCAST_GLOBAL, 0, 1)


def test_mcast_if_entry_field_by_field(server: mpr.MibServer, router: Router) -> None:
    entry = server.mcast_if_entry(7)
    assert router.last_input() == query(mpr.MCAST_IF_ENTRY, 7)
    assert tuple(entry) == (7, 16, 10, 256, 4096, 8192)
    assert server.mcast_if_entry(3) == MCAST_IFS[0]
    assert winerror(lambda: server.mcast_if_entry(1)) == mpr.ERROR_INVALID_INDEX


def test_set_mcast_if_entry_writes_ttl_and_rate_limit(server: mpr.MibServer, router: Router) -> None:
    changed = MCAST_IFS[0]._replace(ttl=32, rate_limit=1000, protocol=99, in_mcast_octets=1, out_mcast_octets=2)
    server.set_mcast_if_entry(changed)
    assert router.last_input() == struct.pack("<II", mpr.MCAST_IF_ENTRY, 0) + changed.to_bytes()
    assert len(router.last_input()) == 32
    # ttl and rate limit are written; the protocol and the counters are read-only and ignored.
    assert server.mcast_if_entry(3) == MCAST_IFS[0]._replace(ttl=32, rate_limit=1000)
    assert list(server.walk(mpr.McastIfEntry)) == [MCAST_IFS[0]._replace(ttl=32, rate_limit=1000), MCAST_IFS[1]]
    assert winerror(lambda: server.set_mcast_if_entry(MCAST_IFS[1]._replace(if_index=1))) == mpr.ERROR_INVALID_INDEX
    assert server.mcast_if_entry(3).ttl == 32


def test_the_stand_in_refuses_an_mcast_if_entry_ms_rrasm_forbids(server: mpr.MibServer, router: Router) -> None:
    """3.1.4.29: "dwTtl MUST be set to less than or equal to 255. dwRateLimit MUST NOT be set to 0": 87."""
    for ttl, rate_limit in ((256, 500), (32, 0)):
        entry = MCAST_IFS[1]._replace(ttl=ttl, rate_limit=rate_limit)
        raw_set = struct.pack("<II", mpr.MCAST_IF_ENTRY, 0) + entry.to_bytes()
        assert winerror(lambda data=raw_set: server.set(mpr.PID_IP, mpr.IPRTRMGR_PID, data)) == ERROR_INVALID_PARAMETER
    assert list(server.walk(mpr.McastIfEntry)) == MCAST_IFS


@pytest.mark.parametrize("entry", [MCAST_IFS[1]._replace(rate_limit=0), MCAST_IFS[1]._replace(ttl=256),
                                   MCAST_IFS[0]])  # fmt: skip
def test_set_mcast_if_entry_refuses_what_ms_rrasm_forbids_before_any_call(
    server: mpr.MibServer, router: Router, entry: mpr.McastIfEntry
) -> None:
    # MCAST_IFS[0] reads rate limit 0 ("none"): it cannot be written back unchanged.
    with pytest.raises(ValueError, match=r"MS-RRASM 3\.1\.4\.29"):
        server.set_mcast_if_entry(entry)
    assert router.counter("calls") == 0


def test_boundaries_field_by_field(server: mpr.MibServer) -> None:
    rows = list(server.walk(mpr.McastBoundary))
    assert [tuple(r) for r in rows] == [
        (3, A("239.192.0.0"), A("255.252.0.0"), 1),
        (7, A("239.192.0.0"), A("255.252.0.0"), 1),
        (7, A("239.255.0.0"), A("255.255.0.0"), 2),
    ]
    reply = raw(server, query(mpr.MCAST_BOUNDARY, 7, dword("239.255.0.0"), dword("255.255.0.0")))
    assert reply == struct.pack("<III", mpr.MCAST_BOUNDARY, 0, 7) + wire("239.255.0.0") + wire("255.255.0.0") + \
        struct.pack("<I", 2)


@pytest.mark.parametrize("sdk_forms, size", [(False, 1016), (True, 524)], ids=["strict", "sdk"])
def test_scopes_carry_utf16_names(server: mpr.MibServer, router: Router, sdk_forms: bool, size: int) -> None:
    router.set_sdk_forms(sdk_forms)
    scopes = list(server.walk(mpr.McastScope))
    assert [(s.group_address, s.group_mask, s.name, s.status) for s in scopes] == [
        (A("239.192.0.0"), A("255.252.0.0"), SCOPE_NAMES[0], 1),
        (A("239.255.0.0"), A("255.255.0.0"), SCOPE_NAMES[1], 2),
    ]
    reply = raw(server, query(mpr.MCAST_SCOPE, dword("239.255.0.0"), dword("255.255.0.0")))
    # MS-RRASM's MIB_IPMCAST_SCOPE (2.2.1.2.46): the SDK's 524 bytes, then reserved[492], zero
    assert len(reply) == 8 + size and reply[8 + 524:] == bytes(size - 524)
    assert mpr.McastScope.decode(reply) == SCOPES[1]
    name = reply[16:16 + 512]
    assert name.startswith(SCOPE_NAMES[1].encode("utf-16-le", "surrogatepass") + b"\0\0")
    assert b"\x3c\xd8\x10\xdf" in name  # U+1F310 as its surrogate pair
    assert winerror(lambda: raw(server, query(mpr.MCAST_SCOPE, dword("239.255.0.0"), dword("255.0.0.0")))) \
        == mpr.ERROR_INVALID_INDEX


# The third MFE, the one with three outgoing interfaces, as a Get names it: group, source, source mask.
MFE3 = (dword("239.192.4.5"), dword("10.20.30.99"), ONES)
MFE3_KEY = wire("239.192.4.5") + wire("10.20.30.99") + wire("255.255.255.255")

# Where a reply's one MFE starts (strict: 4 bytes of padding after dwNumEntries), and per reader the
# row's fixed part, where its ulNumOutIf sits, and each outgoing-interface entry's size.
MFE_LAYOUTS = {
    False: (16, {"mfe_table": (64, 48, 24), "mfe_stats_table": (64, 44, 32), "mfe_stats_ex_table": (64, 44, 32)}),
    True: (12, {"mfe_table": (60, 48, 16), "mfe_stats_table": (64, 44, 28), "mfe_stats_ex_table": (84, 44, 28)}),
}


@FORMS
def test_mfe_table_rows_with_0_1_and_3_outgoing_interfaces(server: mpr.MibServer, router: Router,
                                                           sdk_forms: bool) -> None:
    router.set_sdk_forms(sdk_forms)
    calls = router.counter("calls")
    mfes = server.mfe_table()
    # A walk of one MFE a reply: the last GetNext names the last MFE, and its reply, no data, ends it.
    assert router.counter("calls") - calls == 4
    assert router.last_input() == var(mpr.MCAST_MFE) + MFE3_KEY
    assert mfes == fixed_mfes()
    assert [len(m.out_ifs) for m in mfes] == [0, 1, 3] == [m.num_out_if for m in mfes]
    last = mfes[2]
    assert (last.group, last.source, last.src_mask, last.up_strm_ngbr) == (
        A("239.192.4.5"), A("10.20.30.99"), A("255.255.255.255"), A("10.20.30.1"))
    assert [(o.out_if_index, o.next_hop_addr) for o in last.out_ifs] == [
        (1, A("0.0.0.0")), (3, A("0.0.0.0")), (3, A("192.168.1.77"))]
    at, layouts = MFE_LAYOUTS[sdk_forms]
    fixed, count_at, element = layouts["mfe_table"]
    reply = raw(server, query(mpr.MCAST_MFE, *MFE3))
    assert len(reply) == at + fixed + 3 * element
    assert struct.unpack_from("<I", reply, 8)[0] == 1  # a MIB_MFE_TABLE of one MFE
    assert reply[12:at] == bytes(at - 12)
    assert reply[at:at + 4] == bytes([239, 192, 4, 5])
    assert struct.unpack_from("<I", reply, at + count_at)[0] == 3  # ulNumOutIf
    third = at + fixed + 2 * element
    assert struct.unpack_from("<I", reply, third)[0] == 3 and reply[third + 4:third + 8] == bytes([192, 168, 1, 77])
    if not sdk_forms:
        # 60..63 padding; in each 24-byte MIB_IPMCAST_OIF, pvReserved (8 bytes, NULL), dwReserved and padding 0
        assert reply[at + 60:at + 64] == bytes(4)
        assert [reply[at + 64 + i * 24 + 8:at + 64 + (i + 1) * 24] for i in range(3)] == [bytes(16)] * 3
    assert mpr.McastMfe.decode_rows(reply) == [last]
    assert router.counter("live_buffers") == 0


@FORMS
def test_mfe_stats_tables(server: mpr.MibServer, router: Router, sdk_forms: bool) -> None:
    router.set_sdk_forms(sdk_forms)
    stats = server.mfe_stats_table()
    assert router.last_input() == var(mpr.MCAST_MFE_STATS) + MFE3_KEY
    assert stats == fixed_mfe_stats()
    assert [len(s.out_stats) for s in stats] == [0, 1, 3]
    assert tuple(stats[1].out_stats[0]) == (7, A("0.0.0.0"), 0, 11, 12, 49990, 13)
    at, layouts = MFE_LAYOUTS[sdk_forms]
    fixed, _, element = layouts["mfe_stats_table"]
    reply = raw(server, query(mpr.MCAST_MFE_STATS, *MFE3))
    assert len(reply) == at + fixed + 3 * element
    # The third outgoing interface's counters: dwOutIfIndex, next hop, the dial context (strict: a PVOID,
    # 8 bytes), then ulTtlTooLow, ulFragNeeded, ulOutPackets, ulOutDiscards.
    third = at + fixed + 2 * element
    assert reply[third:third + 8] == struct.pack("<I", 3) + bytes([192, 168, 1, 77])
    assert struct.unpack_from("<4I", reply, third + element - 16) == (301, 302, 303, 304)
    assert reply[third + 8:third + element - 16] == bytes(element - 24)
    ex = server.mfe_stats_ex_table()
    if sdk_forms:  # (strict: test_a_strict_mfe_stats_ex_walk_asks_for_mcast_mfe_stats_ex_throughout)
        assert router.last_input() == var(mpr.MCAST_MFE_STATS_EX) + MFE3_KEY
    ex_reply = raw(server, query(mpr.MCAST_MFE_STATS_EX, *MFE3))
    if sdk_forms:
        assert ex == fixed_mfe_stats_ex()
        assert (ex[2].uninit_mfe, ex[2].total_out_packets, ex[2].out_stats[2].out_discards) == (70005, 210000, 304)
        # _EX rows are inline after dwNumEntries, as MIB_MFE_TABLE's: the SDK's pointers cannot cross RPC.
        assert len(ex_reply) == 12 + 84 + 3 * 28
        assert ex_reply[12:16] == bytes([239, 192, 4, 5])
    else:
        # MS-RRASM 2.2.1.2.52: MIB_MFE_STATS_TABLE, the very rows MCAST_MFE_STATS answers.
        assert ex == fixed_mfe_stats() and all(type(row) is mpr.McastMfeStats for row in ex)
        assert ex_reply == var(mpr.MCAST_MFE_STATS_EX) + reply[4:]
    assert router.counter("live_buffers") == 0


@FORMS
def test_one_mfe_by_its_index(server: mpr.MibServer, router: Router, sdk_forms: bool) -> None:
    router.set_sdk_forms(sdk_forms)
    at, layouts = MFE_LAYOUTS[sdk_forms]
    key = (dword("239.1.1.1"), dword("192.168.1.20"), ONES)
    reply = raw(server, query(mpr.MCAST_MFE, *key))
    fixed, _, element = layouts["mfe_table"]
    assert len(reply) == at + fixed + element and mpr.McastMfe.decode_rows(reply) == [fixed_mfes()[1]]
    assert server.mfe("239.1.1.1", "192.168.1.20") == fixed_mfes()[1]
    assert router.last_input() == query(mpr.MCAST_MFE, *key)
    assert server.mfe_stats("239.1.1.1", "192.168.1.20") == fixed_mfe_stats()[1]
    assert router.last_input() == query(mpr.MCAST_MFE_STATS, *key)
    ex = mpr.McastMfeStatsEx.decode_rows(raw(server, query(mpr.MCAST_MFE_STATS_EX, *key)))
    assert ex == [fixed_mfe_stats_ex()[1] if sdk_forms else fixed_mfe_stats()[1]]
    # _EX's third index value "is not used": any value names the same MFE.
    assert raw(server, query(mpr.MCAST_MFE_STATS_EX, *key[:2], 0)) == raw(server, query(mpr.MCAST_MFE_STATS_EX, *key))
    # No such MFE: success, no data (2.2.1.2.52), which mfe() reads as None.
    missing = (dword("239.1.1.2"), 0, ONES)
    assert raw(server, query(mpr.MCAST_MFE, *missing)) == b""
    assert server.mfe("239.1.1.2", "0.0.0.0") is None and server.mfe_stats("239.1.1.2", "0.0.0.0") is None
    assert router.last_input() == query(mpr.MCAST_MFE_STATS, *missing)
    # "rgdwVarIndex[2] MUST be 0xFFFFFFFF" for MCAST_MFE and MCAST_MFE_STATS.
    for var_id in (mpr.MCAST_MFE, mpr.MCAST_MFE_STATS):
        assert winerror(lambda v=var_id: raw(server, query(v, *key[:2], 0))) == ERROR_INVALID_PARAMETER
    assert router.counter("live_buffers") == 0


# -- IPv6 statistics ------------------------------------------------------------------------------------

def test_ipv6_statistics_field_by_field(server: mpr.MibServer, router: Router) -> None:
    # MS-RRASM does not list IP6_STATS, UDP6_STATS or TCP6_STATS: only the SDK's forms serve them
    # (test_spec_reads_lane.py: the strict router's 87).
    router.set_sdk_forms(True)
    ip6 = server.ip6_stats()
    assert router.last_input() == var(mpr.IP6_STATS)
    assert (ip6.forwarding, ip6.default_ttl) == (2, 64)
    assert list(ip6[2:20]) == [6000 + i for i in range(18)]
    assert (ip6.in_receives, ip6.frag_creates) == (6000, 6017)
    assert (ip6.num_if, ip6.num_addr, ip6.num_routes) == (3, 5, 7)
    tcp6 = server.tcp6_stats()
    assert router.last_input() == var(mpr.TCP6_STATS)
    assert tcp6[:4] == (4, 200, 60000, 0xFFFFFFFF)
    assert list(tcp6[4:14]) == [7000 + i for i in range(10)] and tcp6.num_conns == 1
    udp6 = server.udp6_stats()
    assert router.last_input() == var(mpr.UDP6_STATS)
    assert tuple(udp6) == (8000, 8001, 8002, 8003, 1)
    # The IPv4 halves are other numbers: a client that reads one for the other is caught.
    assert server.ip_stats().in_receives == 1000 and server.udp_stats().in_datagrams == 5000
    assert [len(raw(server, var(v))) for v in (mpr.IP6_STATS, mpr.TCP6_STATS, mpr.UDP6_STATS)] == [
        8 + 92, 8 + 60, 8 + 20]


# -- strictness: queries of the wrong size, writes of the wrong form ------------------------------------

# (variable, a number of index values it does not take with Get: MS-RRASM 2.2.1.2.53), in both reply forms,
# whose query rules are the same.  The values sent are 1, 2, 3...: a valid address, mask or interface would not
# make the wrong count right.
WRONG_GETS = [
    (mpr.IF_NUMBER, 1), (mpr.IF_TABLE, 1), (mpr.IP_STATS, 1), (mpr.IP_FORWARDNUMBER, 2), (mpr.TCP_STATS, 1),
    (mpr.IP_FORWARDTABLE, 1), (mpr.TCP_TABLE, 1), (mpr.UDP_TABLE, 4),
    (mpr.IF_ROW, 0), (mpr.IF_ROW, 2), (mpr.IP_ADDRROW, 2), (mpr.IP_NETROW, 0), (mpr.IP_NETROW, 3),
    (mpr.IP_NETTABLE, 0), (mpr.IP_NETTABLE, 3),
    (mpr.IP_FORWARDROW, 3), (mpr.IP_FORWARDROW, 5), (mpr.TCP_ROW, 2), (mpr.TCP_ROW, 5), (mpr.UDP_ROW, 1),
    (mpr.UDP_ROW, 3), (mpr.MCAST_MFE, 1), (mpr.MCAST_MFE_STATS, 4), (mpr.MCAST_MFE_STATS_EX, 2),
    (mpr.BEST_IF, 0), (mpr.BEST_IF, 2), (mpr.BEST_ROUTE, 0), (mpr.BEST_ROUTE, 1), (mpr.BEST_ROUTE, 3),
    (mpr.PROXY_ARP, 1), (mpr.PROXY_ARP, 2), (mpr.PROXY_ARP, 4), (mpr.MCAST_IF_ENTRY, 0), (mpr.MCAST_IF_ENTRY, 2),
    (mpr.MCAST_GLOBAL, 1), (mpr.IF_STATUS, 0), (mpr.IF_STATUS, 2), (mpr.MCAST_BOUNDARY, 2),
    (mpr.MCAST_SCOPE, 1), (mpr.MCAST_SCOPE, 3), (mpr.DEST_MATCHING, 0), (mpr.DEST_LONGER, 1),
    (mpr.DEST_SHORTER, 3), (mpr.ROUTE_MATCHING, 1), (mpr.ROUTE_LONGER, 5), (mpr.ROUTE_SHORTER, 0),
    (mpr.DEST_MATCHING, 2), (mpr.ROUTE_LONGER, 2),  # {dest, mask}, the form sent before issue 15
    (mpr.ROUTE_STATE, 1), (mpr.IP6_STATS, 1), (mpr.UDP6_STATS, 2), (mpr.TCP6_STATS, 4),
]
IPV6_STATISTICS = (mpr.IP6_STATS, mpr.UDP6_STATS, mpr.TCP6_STATS)


@FORMS
@pytest.mark.parametrize(("var_id", "count"), WRONG_GETS)
def test_get_with_the_wrong_number_of_index_values_is_invalid_parameter(
        server: mpr.MibServer, router: Router, var_id: int, count: int, sdk_forms: bool) -> None:
    router.set_sdk_forms(sdk_forms)
    sent = query(var_id, *range(1, count + 1))
    assert winerror(lambda: raw(server, sent)) == ERROR_INVALID_PARAMETER
    assert router.last_input() == sent
    assert router.counter("live_buffers") == 0
    if sdk_forms or var_id not in IPV6_STATISTICS:  # (strict, the IPv6 statistics are 87 whatever the index)
        # The variable is served: 87 was the index's size.
        assert raw(server, query(var_id, *RIGHT_GETS[var_id]))[:4] == var(var_id)


# An index each variable does take with Get, and that names something in the fixed MIB.
RIGHT_GETS: dict[int, tuple[int, ...]] = {
    **dict.fromkeys([mpr.IF_NUMBER, mpr.IF_TABLE, mpr.IP_STATS, mpr.IP_FORWARDNUMBER, mpr.TCP_STATS,
                     mpr.IP_FORWARDTABLE, mpr.TCP_TABLE, mpr.UDP_TABLE, mpr.MCAST_GLOBAL, mpr.ROUTE_STATE,
                     *IPV6_STATISTICS], ()),
    mpr.IF_ROW: (3,), mpr.IF_STATUS: (3,), mpr.MCAST_IF_ENTRY: (3,), mpr.IP_ADDRROW: (dword("192.168.1.10"),),
    mpr.IP_NETROW: (3,), mpr.IP_NETTABLE: (3,),
    mpr.IP_FORWARDROW: (dword("10.0.0.0"), 8, 0, dword("192.168.1.254")),
    mpr.TCP_ROW: (0, 0x8700, 0, 0), mpr.UDP_ROW: (0, 0x3500),
    **dict.fromkeys([mpr.MCAST_MFE, mpr.MCAST_MFE_STATS, mpr.MCAST_MFE_STATS_EX], MFE3),
    mpr.BEST_IF: (dword("10.1.1.1"),), mpr.BEST_ROUTE: (dword("10.1.1.1"), 0),
    mpr.PROXY_ARP: (dword("10.20.30.0"), dword("255.255.255.0"), 7), mpr.MCAST_BOUNDARY: (3, *SCOPE0_KEY),
    mpr.MCAST_SCOPE: SCOPE0_KEY,
    **dict.fromkeys(LOOKUPS.values(), (0, 0, 0, 0)),
}


@FORMS
@pytest.mark.parametrize(("method", "var_id", "count"), [
    ("get_first", mpr.IF_STATUS, 2), ("get_first", mpr.PROXY_ARP, 1), ("get_first", mpr.TCP_ROW, 2),
    ("get_next", mpr.IF_STATUS, 0), ("get_next", mpr.PROXY_ARP, 2), ("get_next", mpr.MCAST_MFE, 0),
    ("get_next", mpr.UDP_ROW, 3), ("get_first", mpr.BEST_ROUTE, 2), ("get_next", mpr.BEST_IF, 1),
    ("get_first", mpr.DEST_LONGER, 2), ("get_next", mpr.ROUTE_MATCHING, 2), ("get_first", mpr.IP6_STATS, 0),
    ("get_first", mpr.MCAST_GLOBAL, 0), ("get_next", mpr.ROUTE_STATE, 0), ("get_first", mpr.IP_NETTABLE, 1),
    ("get_first", mpr.IF_ROW, 0), ("get_first", mpr.PROXY_ARP, 0), ("get_first", mpr.MCAST_MFE, 0),
])
def test_walk_calls_the_variable_does_not_take_are_invalid_parameter(
        server: mpr.MibServer, router: Router, method: str, var_id: int, count: int, sdk_forms: bool) -> None:
    router.set_sdk_forms(sdk_forms)  # with it, IP6_STATS exists: its GetFirst is 87 for the method
    assert winerror(lambda: raw(server, query(var_id, *range(1, count + 1)), method)) == ERROR_INVALID_PARAMETER


@pytest.mark.parametrize("var_id", [39, 40, 0xFFFFFFFF])
def test_unknown_variables_are_invalid_parameter(server: mpr.MibServer, var_id: int) -> None:
    for method in ("get", "get_first", "get_next"):
        assert winerror(lambda m=method: raw(server, query(var_id), m)) == ERROR_INVALID_PARAMETER
    for method in ("set", "create", "delete"):
        assert winerror(lambda m=method: raw(server, struct.pack("<II", var_id, 0) + bytes(12), m)) \
            == ERROR_INVALID_PARAMETER


READ_ONLY = [v for v in range(39) if v not in (mpr.IP_STATS, mpr.IP_FORWARDROW, mpr.PROXY_ARP, mpr.MCAST_IF_ENTRY,
                                                mpr.ROUTE_MATCHING, mpr.IF_ROW, mpr.IP_NETROW, mpr.IP_NETTABLE,
                                                mpr.MCAST_BOUNDARY)]


@pytest.mark.parametrize("var_id", READ_ONLY)
@pytest.mark.parametrize("method", ["set", "create", "delete"])
def test_writes_to_read_only_variables_are_not_supported(server: mpr.MibServer, method: str, var_id: int) -> None:
    before = raw(server, var(mpr.IP_FORWARDTABLE)), server.proxy_arp_table()
    for entry in (struct.pack("<II", var_id, 0) + bytes(56), query(var_id, 1, 2, 3, 4)):
        assert winerror(lambda e=entry: raw(server, e, method)) == ERROR_NOT_SUPPORTED
    assert (raw(server, var(mpr.IP_FORWARDTABLE)), server.proxy_arp_table()) == before
    assert before[1] == PROXY


def info(var_id: int, payload: bytes) -> bytes:
    """MIB_OPAQUE_INFO: dwId, 4 bytes of padding, the structure."""
    return struct.pack("<II", var_id, 0) + payload


NEW_ROUTE = route("172.16.0.0", "255.240.0.0", "192.168.1.254", 3, 4, 3, 0, 40)
PROXY_NEW = mpr.ProxyArp(address="192.168.1.99", mask="255.255.255.255", if_index=3)


@pytest.mark.parametrize(("method", "entry"), [
    # IP_FORWARDROW: Create/Set exactly {id, pad, row} (64 bytes), Delete exactly 5 DWORDs
    ("create", info(mpr.IP_FORWARDROW, NEW_ROUTE.to_bytes())[:60]),
    ("create", info(mpr.IP_FORWARDROW, NEW_ROUTE.to_bytes()) + bytes(4)),
    ("set", info(mpr.IP_FORWARDROW, TEN.to_bytes()) + bytes(8)),
    ("delete", query(mpr.IP_FORWARDROW, 0, 3, 0)),
    ("delete", query(mpr.IP_FORWARDROW, 0, 3, 0, dword("192.168.1.1"), 0)),
    # PROXY_ARP: Create exactly 20 bytes, Delete exactly 16, no Set
    ("create", info(mpr.PROXY_ARP, PROXY_NEW.to_bytes()) + bytes(4)),
    ("create", info(mpr.PROXY_ARP, PROXY_NEW.to_bytes())[:16]),
    ("create", query(mpr.PROXY_ARP, dword("192.168.1.99"), dword("255.255.255.255"), 3)),
    ("delete", info(mpr.PROXY_ARP, PROXY[0].to_bytes())),
    ("delete", query(mpr.PROXY_ARP, dword("10.20.30.0"), dword("255.255.255.0"))),
    ("set", info(mpr.PROXY_ARP, PROXY[0].to_bytes())),
    # MCAST_IF_ENTRY: Set only, exactly 32 bytes
    ("set", info(mpr.MCAST_IF_ENTRY, MCAST_IFS[1].to_bytes())[:28]),
    ("set", info(mpr.MCAST_IF_ENTRY, MCAST_IFS[1].to_bytes()) + bytes(4)),
    ("create", info(mpr.MCAST_IF_ENTRY, MCAST_IFS[1].to_bytes())),
    ("delete", query(mpr.MCAST_IF_ENTRY, 3)),
    # not whole DWORDs
    ("set", info(mpr.MCAST_IF_ENTRY, MCAST_IFS[1].to_bytes()) + b"\0"),
    ("delete", b"\x16\0"),
])
def test_writes_of_the_wrong_form_are_invalid_parameter(server: mpr.MibServer, router: Router, method: str,
                                                        entry: bytes) -> None:
    router.set_unlisted_writes(True)  # so that PROXY_ARP's 87 is its form's, not the switch's
    def state() -> tuple[bytes, list[mpr.ProxyArp], list[mpr.McastIfEntry]]:
        return raw(server, var(mpr.IP_FORWARDTABLE)), server.proxy_arp_table(), list(server.walk(mpr.McastIfEntry))

    before = state()
    assert winerror(lambda: raw(server, entry, method)) == ERROR_INVALID_PARAMETER
    assert state() == before
    assert before[1:] == (PROXY, MCAST_IFS)


def test_the_right_forms_are_accepted_raw(server: mpr.MibServer, router: Router) -> None:
    router.set_unlisted_writes(True)  # PROXY_ARP: the SDK's form, which MS-RRASM does not list
    raw(server, info(mpr.PROXY_ARP, PROXY_NEW.to_bytes()), "create")
    raw(server, query(mpr.PROXY_ARP, dword("192.168.1.99"), dword("255.255.255.255"), 3), "delete")
    raw(server, info(mpr.MCAST_IF_ENTRY, MCAST_IFS[1]._replace(ttl=2).to_bytes()), "set")
    assert server.mcast_if_entry(7).ttl == 2 and server.proxy_arp_table() == PROXY


# -- malformed replies of the new layouts ----------------------------------------------------------------

MFE_READERS = ["mfe_table", "mfe_stats_table", "mfe_stats_ex_table"]
MFE_VARS = {"mfe_table": mpr.MCAST_MFE, "mfe_stats_table": mpr.MCAST_MFE_STATS,
            "mfe_stats_ex_table": mpr.MCAST_MFE_STATS_EX}


def third_mfe(server: mpr.MibServer, reader: str, reply: bytes) -> object:
    """The third MFE, read through the public method that gets one (_EX has none: its reply decoded)."""
    if reader == "mfe_table":
        return server.mfe("239.192.4.5", "10.20.30.99")
    if reader == "mfe_stats_table":
        return server.mfe_stats("239.192.4.5", "10.20.30.99")
    return mpr.McastMfeStatsEx.decode_rows(reply)


@FORMS
@pytest.mark.parametrize("reader", MFE_READERS)
def test_an_mfe_that_claims_more_outgoing_interfaces_than_the_reply_holds(
        server: mpr.MibServer, router: Router, reader: str, sdk_forms: bool) -> None:
    router.set_sdk_forms(sdk_forms)
    sent = query(MFE_VARS[reader], *MFE3)
    whole = raw(server, sent)
    router.set_malformed(Malformation.MFE_OUT_IF_COUNT_BEYOND_REPLY)
    damaged = raw(server, sent)
    at, layouts = MFE_LAYOUTS[sdk_forms]
    fixed, count_at, element = layouts[reader]
    assert len(damaged) == len(whole) == at + fixed + 3 * element
    assert struct.unpack_from("<I", damaged, at + count_at)[0] == 4  # 3 follow
    assert damaged[:at + count_at] == whole[:at + count_at]
    assert damaged[at + count_at + 4:] == whole[at + count_at + 4:]
    with pytest.raises(ValueError, match="claims 4 entries, the reply holds 3"):
        third_mfe(server, reader, damaged)
    # A walk stops at its first reply: the first MFE, which has no outgoing interface, claims one.
    with pytest.raises(ValueError, match="claims 1 entries, the reply holds 0"):
        getattr(server, reader)()
    assert router.counter("live_buffers") == 0


@FORMS
@pytest.mark.parametrize("reader", MFE_READERS)
def test_an_mfe_table_cut_in_the_middle_of_a_row(server: mpr.MibServer, router: Router, reader: str,
                                                 sdk_forms: bool) -> None:
    router.set_sdk_forms(sdk_forms)
    sent = query(MFE_VARS[reader], *MFE3)
    whole = raw(server, sent)
    router.set_malformed(Malformation.MFE_CUT_MID_ROW)
    damaged = raw(server, sent)
    at, layouts = MFE_LAYOUTS[sdk_forms]
    fixed, _, element = layouts[reader]
    row_size = fixed + 3 * element
    assert len(whole) == at + row_size
    assert damaged == whole[:at + row_size // 2]
    with pytest.raises(ValueError, match="malformed MFE table reply"):
        third_mfe(server, reader, damaged)
    with pytest.raises(ValueError, match="malformed MFE table reply"):
        getattr(server, reader)()
    assert router.counter("live_buffers") == 0


@FORMS
@pytest.mark.parametrize("struct_type", [mpr.McastMfe, mpr.McastMfeStats, mpr.McastMfeStatsEx])
@pytest.mark.parametrize("kind", [Malformation.MFE_OUT_IF_COUNT_BEYOND_REPLY, Malformation.MFE_CUT_MID_ROW])
def test_walks_of_damaged_mfes_raise_value_error(server: mpr.MibServer, router: Router,
                                                 struct_type: type[mpr.MibStruct], kind: Malformation,
                                                 sdk_forms: bool) -> None:
    router.set_sdk_forms(sdk_forms)
    router.set_malformed(kind)
    with pytest.raises(ValueError):
        list(server.walk(struct_type))
    assert router.counter("live_buffers") == 0


def test_a_missing_mfe_is_not_damaged(server: mpr.MibServer, router: Router) -> None:
    for kind in (Malformation.MFE_OUT_IF_COUNT_BEYOND_REPLY, Malformation.MFE_CUT_MID_ROW):
        router.set_malformed(kind)
        assert raw(server, query(mpr.MCAST_MFE, dword("239.1.1.2"), 0, ONES)) == b""
        assert server.mfe("239.1.1.2", "0.0.0.0") is None


@pytest.mark.parametrize("sdk_forms, size", [(False, 1016), (True, 524)], ids=["strict", "sdk"])
def test_a_scope_name_without_a_nul_stops_at_its_array(server: mpr.MibServer, router: Router, sdk_forms: bool,
                                                       size: int) -> None:
    router.set_sdk_forms(sdk_forms)
    router.set_malformed(Malformation.SCOPE_NAME_UNTERMINATED)
    reply = raw(server, query(mpr.MCAST_SCOPE, dword("239.192.0.0"), dword("255.252.0.0")))
    assert reply[16:16 + 512] == "\u00e9".encode("utf-16-le") * 256 and len(reply) == 8 + size
    assert reply[8 + 524:] == bytes(size - 524)  # the strict row keeps its zero reserved[492]
    scopes = list(server.walk(mpr.McastScope))
    assert [s.name for s in scopes] == ["\u00e9" * 256] * 2
    assert [s.status for s in scopes] == [1, 2]  # dwStatus, right after the name, is read as itself


COUNT_KINDS = [Malformation.COUNT_PLUS_1000, Malformation.COUNT_ALL_ONES, Malformation.LAST_ROW_10_BYTES_SHORT]


@FORMS
@pytest.mark.parametrize("kind", COUNT_KINDS)
@pytest.mark.parametrize("reader", [*MFE_READERS, "dest_longer", "route_longer"])
def test_tables_of_the_new_variables_whose_counts_exceed_the_reply(
        server: mpr.MibServer, router: Router, kind: Malformation, reader: str, sdk_forms: bool) -> None:
    router.set_sdk_forms(sdk_forms)
    router.set_malformed(kind)
    args = ("0.0.0.0", "0.0.0.0") if reader.endswith("longer") else ()
    with pytest.raises(ValueError):
        getattr(server, reader)(*args)
    assert router.counter("live_buffers") == 0


@pytest.mark.parametrize("kind", COUNT_KINDS)
def test_proxy_arp_tables_whose_counts_exceed_the_reply(server: mpr.MibServer, router: Router,
                                                        kind: Malformation) -> None:
    router.set_sdk_forms(True)  # GetFirst answers MIB_PROXYARPTABLE, whose dwNumEntries these damage
    router.set_malformed(kind)
    with pytest.raises(ValueError):
        server.proxy_arp_table()
    assert router.counter("live_buffers") == 0


def test_strict_proxy_arp_replies_hold_no_count_to_damage(server: mpr.MibServer, router: Router) -> None:
    # MS-RRASM's PROXY_ARP reply is one MIB_PROXYARP: no dwNumEntries for kinds 1 and 2 to change.
    for kind in (Malformation.COUNT_PLUS_1000, Malformation.COUNT_ALL_ONES):
        router.set_malformed(kind)
        assert server.proxy_arp_table() == PROXY
    router.set_malformed(Malformation.LAST_ROW_10_BYTES_SHORT)  # 12 bytes cut to 2
    assert len(raw(server, query(mpr.PROXY_ARP, 0, 0, 0), "get_first")) == 8 + 2
    with pytest.raises(ValueError, match="malformed PROXY_ARP reply"):
        server.proxy_arp_table()
    assert router.counter("live_buffers") == 0


ROWS_10_SHORT: list[Any] = [
    *(pytest.param(call, sdk, id=f"{name}-{'sdk' if sdk else 'strict'}")
      for name, call in [
          ("if_status", lambda s: s.if_status(3)), ("best_interface", lambda s: s.best_interface("10.1.1.1")),
          ("mcast_if_entry", lambda s: s.mcast_if_entry(3)), ("udp_row", lambda s: s.udp_row("0.0.0.0", 53)),
          ("tcp_row", lambda s: s.tcp_row("0.0.0.0", 135, "0.0.0.0", 0)),
          ("boundaries", lambda s: list(s.walk(mpr.McastBoundary))),
      ] for sdk in (False, True)),
    # The SDK's forms only: strict, the 10 bytes come off BEST_ROUTE's 72 and MCAST_SCOPE's reserved tail.
    pytest.param(lambda s: s.best_route("10.1.1.1"), True, id="best_route-sdk"),
    pytest.param(lambda s: list(s.walk(mpr.McastScope)), True, id="scopes-sdk"),
]


@pytest.mark.parametrize(("call", "sdk_forms"), ROWS_10_SHORT)
def test_rows_of_the_new_variables_10_bytes_short(server: mpr.MibServer, router: Router,
                                                  call: Callable[[mpr.MibServer], object], sdk_forms: bool) -> None:
    router.set_sdk_forms(sdk_forms)
    router.set_malformed(Malformation.LAST_ROW_10_BYTES_SHORT)
    with pytest.raises(ValueError):
        call(server)
    assert router.counter("live_buffers") == 0


def test_strict_scopes_10_bytes_short_lose_only_reserved_bytes(server: mpr.MibServer, router: Router) -> None:
    router.set_malformed(Malformation.LAST_ROW_10_BYTES_SHORT)
    reply = raw(server, query(mpr.MCAST_SCOPE, *SCOPE0_KEY))
    assert len(reply) == 8 + 1016 - 10
    # MS-RRASM's 1016 bytes end in reserved[492]: the 524 the package reads are whole.
    assert list(server.walk(mpr.McastScope)) == SCOPES


@FORMS
@pytest.mark.parametrize("reader", ["ip6_stats", "tcp6_stats", "udp6_stats", "mcast_global", "route_state",
                                    "if_number", "ip_forward_number", "proxy_arp_table", *MFE_READERS])
def test_replies_of_the_new_variables_cut_to_6_bytes(server: mpr.MibServer, router: Router, reader: str,
                                                     sdk_forms: bool) -> None:
    router.set_sdk_forms(sdk_forms)
    router.set_malformed(Malformation.CUT_TO_6_BYTES)
    if reader.endswith("6_stats") and not sdk_forms:
        # Strict, the IPv6 statistics are refused before any reply is made: nothing to cut.
        assert winerror(lambda: getattr(server, reader)()) == ERROR_INVALID_PARAMETER
        return
    with pytest.raises(ValueError):
        getattr(server, reader)()
    assert router.counter("live_buffers") == 0


@FORMS
def test_statistics_are_not_damaged_by_the_row_malformations(server: mpr.MibServer, router: Router,
                                                             sdk_forms: bool) -> None:
    router.set_sdk_forms(sdk_forms)
    variables = (mpr.IP_STATS, mpr.ROUTE_STATE, mpr.MCAST_GLOBAL, *((mpr.IP6_STATS,) if sdk_forms else ()))
    whole = [raw(server, var(v)) for v in variables]
    for kind in (Malformation.LAST_ROW_10_BYTES_SHORT, Malformation.MFE_CUT_MID_ROW,
                 Malformation.SCOPE_NAME_UNTERMINATED):
        router.set_malformed(kind)
        assert [raw(server, var(v)) for v in variables] == whole


# -- loopback mode: this machine's iphlpapi -----------------------------------------------------------------

def iphlpapi() -> Any:
    return ctypes.WinDLL("iphlpapi")


def host_best_route(dest: str, source: str = "0.0.0.0") -> mpr.IpForwardRow | int:
    """GetBestRoute, called here directly: the row, or the error code."""
    row = ctypes.create_string_buffer(56)
    rc = iphlpapi().GetBestRoute(ctypes.c_ulong(dword(dest)), ctypes.c_ulong(dword(source)), row)
    return rc if rc else mpr.IpForwardRow.decode(bytes(8) + row.raw)


DESTINATIONS = ["8.8.8.8", "127.0.0.1", "10.1.2.3", "192.0.2.77", "255.255.255.255", "0.0.0.0"]


# The preference the stand-in gives a route of each protocol (README, "Route lookups"); others 250.
PREFERENCE = {mpr.RouteProto.LOCAL: 1, mpr.RouteProto.NETMGMT: 3, mpr.RouteProto.NT_STATIC: 3,
              mpr.RouteProto.NT_STATIC_NON_DOD: 5, mpr.RouteProto.NT_AUTOSTATIC: 7, mpr.RouteProto.OSPF: 110,
              mpr.RouteProto.RIP: 120}


@FORMS
def test_loopback_best_route_and_interface_are_get_best_route_and_interface(
        server: mpr.MibServer, router: Router, sdk_forms: bool) -> None:
    router.set_mode(Mode.LOOPBACK)
    router.set_sdk_forms(sdk_forms)
    for dest in DESTINATIONS:
        expected = host_best_route(dest)
        if isinstance(expected, int):
            assert winerror(lambda d=dest: server.best_route(d)) == expected
            continue
        best = server.best_route(dest)
        if sdk_forms:
            assert best == expected, dest
        else:
            # INTERFACE_ROUTE_INFO: no metric4 or metric5; the protocol's preference, view set 3.
            assert as_forward_row(best, False) == expected._replace(metric4=UNUSED, metric5=UNUSED), dest
            assert (best.preference, best.view_set) == (  # type: ignore[union-attr]
                PREFERENCE.get(expected.proto, 250), 3), dest
        assert router.last_input() == var(mpr.BEST_ROUTE) + wire(dest) + bytes(4)
        index = ctypes.c_ulong()
        assert iphlpapi().GetBestInterface(ctypes.c_ulong(dword(dest)), ctypes.byref(index)) == 0
        assert server.best_interface(dest) == index.value, dest
    assert router.counter("live_buffers") == 0


@FORMS
def test_loopback_best_route_is_a_route_of_this_machine(server: mpr.MibServer, router: Router,
                                                        sdk_forms: bool) -> None:
    router.set_mode(Mode.LOOPBACK)
    router.set_sdk_forms(sdk_forms)
    routes = server.ip_forward_table()
    if not routes:
        pytest.skip("this machine has no IPv4 routes")
    best = as_forward_row(server.best_route("8.8.8.8"), sdk_forms)
    assert best in (routes if sdk_forms else [r._replace(metric4=UNUSED, metric5=UNUSED) for r in routes])
    holding = [r for r in routes if int(A("8.8.8.8")) & int(r.mask) == int(r.dest) & int(r.mask)]
    assert int(best.mask) == max(int(r.mask) for r in holding)  # the longest prefix that holds it


def test_loopback_if_status_comes_from_the_interface_table(server: mpr.MibServer, router: Router) -> None:
    router.set_mode(Mode.LOOPBACK)
    interfaces = server.if_table()
    states = {5: 3, 4: 3, 3: 2, 2: 1}  # MIB-II status -> ROUTER_CONNECTION_STATE, else 0
    for row in interfaces:
        status = server.if_status(row.index)
        assert router.last_input() == query(mpr.IF_STATUS, row.index)
        assert status == mpr.IfStatus(if_index=row.index, admin_status=row.admin_status,
                                      oper_status=states.get(int(row.oper_status), 0),
                                      mhbeat_active=False, mhbeat_alive=False)
    assert [s.if_index for s in server.walk(mpr.IfStatus)] == sorted(r.index for r in interfaces)
    assert winerror(lambda: server.if_status(max(r.index for r in interfaces) + 1000)) == mpr.ERROR_INVALID_INDEX


def test_loopback_counts(server: mpr.MibServer, router: Router) -> None:
    router.set_mode(Mode.LOOPBACK)
    count = ctypes.c_ulong()
    assert iphlpapi().GetNumberOfInterfaces(ctypes.byref(count)) == 0
    assert server.if_number() == count.value
    assert server.ip_forward_number() == len(server.ip_forward_table())


def test_loopback_ipv6_statistics_are_the_ex_functions_with_af_inet6(server: mpr.MibServer, router: Router) -> None:
    router.set_mode(Mode.LOOPBACK)
    for reader in ("ip6_stats", "tcp6_stats", "udp6_stats"):  # strict: not served, loopback or not
        assert winerror(lambda r=reader: getattr(server, r)()) == ERROR_INVALID_PARAMETER
    router.set_sdk_forms(True)
    lib = iphlpapi()
    for reader, function, size, stable in [
        ("ip6_stats", "GetIpStatisticsEx", 92, ("forwarding", "default_ttl", "num_if", "num_addr")),
        ("tcp6_stats", "GetTcpStatisticsEx", 60, ("rto_algorithm", "rto_min", "rto_max", "max_conn")),
        ("udp6_stats", "GetUdpStatisticsEx", 20, ()),
    ]:
        buffer = ctypes.create_string_buffer(size)
        rc = getattr(lib, function)(buffer, 23)  # AF_INET6
        if rc:
            assert winerror(lambda r=reader: getattr(server, r)()) == rc
            continue
        got = getattr(server, reader)()
        host = type(got).decode(bytes(8) + buffer.raw)
        # Counters move between the two calls; the settings do not.
        assert [getattr(got, f) for f in stable] == [getattr(host, f) for f in stable], reader


def test_loopback_tcp_and_udp_rows_are_this_machines(server: mpr.MibServer, router: Router) -> None:
    router.set_mode(Mode.LOOPBACK)
    for struct_type, table, reader in [(mpr.TcpRow, "tcp_table", "tcp_row"), (mpr.UdpRow, "udp_table", "udp_row")]:
        rows = list(server.walk(struct_type))
        keys = [tuple(r)[1:] if struct_type is mpr.TcpRow else tuple(r) for r in rows]
        assert keys == sorted(keys)
        for row in rows[:3]:
            key = tuple(row)[1:] if struct_type is mpr.TcpRow else tuple(row)
            try:
                again = getattr(server, reader)(*key)
            except mpr.MprError as error:  # the connection went away between the two calls
                assert error.winerror == mpr.ERROR_INVALID_INDEX
            else:
                assert again == row
        assert len(getattr(server, table)()) >= 0


@pytest.mark.parametrize("call", [
    lambda s: s.proxy_arp_table(), lambda s: s.mcast_global(), lambda s: s.route_state(),
    lambda s: s.dest_longer("0.0.0.0", "0.0.0.0"), lambda s: s.route_matching("0.0.0.0", "0.0.0.0"),
    lambda s: s.mfe_table(), lambda s: s.mcast_if_entry(1), lambda s: list(s.walk(mpr.McastScope)),
    lambda s: list(s.walk(mpr.McastBoundary)),
])
def test_loopback_variables_with_no_iphlpapi_counterpart_are_not_supported(
        server: mpr.MibServer, router: Router, call: Callable[[mpr.MibServer], object]) -> None:
    router.set_mode(Mode.LOOPBACK)
    assert winerror(lambda: call(server)) == ERROR_NOT_SUPPORTED


def test_loopback_never_writes(server: mpr.MibServer, router: Router) -> None:
    router.set_mode(Mode.LOOPBACK)
    assert winerror(lambda: server.create_proxy_arp(PROXY_NEW)) == 5
    assert winerror(lambda: server.set_mcast_if_entry(MCAST_IFS[1])) == 5
    assert winerror(lambda: server.add_mcast_boundary(3, "239.1.0.0", "255.255.0.0")) == 5


# What Linux says: `ip route get DEST` (its first line, or `ip -o route get`) for a few
# destinations, one per line, passed in by whoever runs the lane, as `make demo` does for
# tools/demo.py (the tests run under Windows CPython in Wine, which cannot start a Linux program
# and read its output):
#   MPRAPI_IP_ROUTE_GET="$(for d in 8.8.8.8 192.0.2.77; do ip -o route get $d; done)" \
#       python3 tools/winlane.py test -q tests/test_ip_mib_more.py
IP_ROUTE_GET = os.environ.get("MPRAPI_IP_ROUTE_GET", "")


def parse_ip_route_get(text: str) -> list[dict[str, str]]:
    """Each line of `ip -o route get`: the destination, and its via, dev, src and type (if given)."""
    routes = []
    for line in text.splitlines():
        words = line.replace("\\", " ").split()
        if not words:
            continue
        entry = {"type": words[0]} if words[0] in ("local", "broadcast", "unreachable", "blackhole") else {}
        if entry:
            words = words[1:]
        entry["dest"] = words[0]
        for key in ("via", "dev", "src"):
            if key in words[1:-1]:
                entry[key] = words[words.index(key, 1) + 1]
        routes.append(entry)
    return routes


def test_parse_ip_route_get() -> None:
    assert parse_ip_route_get("8.8.8.8 via 192.0.2.1 dev eth0 src 192.0.2.2 uid 0 \\    cache \n"
                              "local 127.0.0.1 dev lo src 127.0.0.1 uid 0 \\    cache <local> \n") == [
        {"dest": "8.8.8.8", "via": "192.0.2.1", "dev": "eth0", "src": "192.0.2.2"},
        {"type": "local", "dest": "127.0.0.1", "dev": "lo", "src": "127.0.0.1"},
    ]


@pytest.mark.skipif(not IP_ROUTE_GET, reason="MPRAPI_IP_ROUTE_GET (`ip route get` output) is not set")
def test_loopback_best_route_agrees_with_linux_ip_route_get(server: mpr.MibServer, router: Router) -> None:
    router.set_mode(Mode.LOOPBACK)
    names = {row.index: row.descr for row in server.if_table()}  # under Wine, the Linux names
    compared = 0
    for linux in parse_ip_route_get(IP_ROUTE_GET):
        if linux.get("type"):  # local and broadcast routes are in Linux's local table, which Wine does not read
            continue
        best = server.best_route(linux["dest"])
        assert names[best.if_index] == linux["dev"], linux
        if "via" in linux:
            assert best.next_hop == A(linux["via"]), linux
        else:
            assert best.type is mpr.RouteType.DIRECT, linux
        compared += 1
    assert compared, "no destination with a route of Linux's main table"
