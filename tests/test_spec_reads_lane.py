"""Every read in MS-RRASM's form through the real extension, against the strict stand-in router.

The stand-in (tests/router/README.md) answers by default as a server that follows the
specification: each query's index the size 2.2.1.2.53 gives (87 otherwise), replies in
2.2.1.2.52's layouts.  test_spec_reads.py proves the same reads natively against a scripted
router; here the queries and replies cross the compiled binding.  Where the SDK's reply form
differs, router.set_sdk_forms(True) serves it, and the package must read both the same.
"""

from __future__ import annotations

import json
import struct
from ipaddress import IPv4Address, IPv6Address
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import mprapi_cffi as mpr
from mprapi_cffi.cli import main

from conftest import Router, windows_lane

pytestmark = windows_lane

ONES = 0xFFFFFFFF
ERROR_INVALID_PARAMETER = 87


@pytest.fixture
def server(router: Router) -> Iterator[mpr.MibServer]:
    with mpr.connect() as server:
        yield server


def wire(address: str) -> bytes:
    """An address as its DWORD sits in a query: network byte order."""
    return IPv4Address(address).packed


def q(*words: int | bytes) -> bytes:
    """A MIB_OPAQUE_QUERY: ints are DWORDs, bytes (addresses, ports) go as they are."""
    return b"".join(w if isinstance(w, bytes) else struct.pack("<I", w) for w in words)


def port(number: int, upper: bytes = b"\0\0") -> bytes:
    """A port DWORD: network order in the low two bytes, ``upper`` above (0 where the package builds it)."""
    return number.to_bytes(2, "big") + upper


ROUTER_PORT_UPPER = b"\xcd\xab"  # what the stand-in's rows hold above their ports, which a walk sends back


def winerror(call: Callable[[], object]) -> int:
    with pytest.raises(mpr.MprError) as info:
        call()
    return info.value.winerror


def raw(server: mpr.MibServer, data: bytes, method: str = "get", pid: int = mpr.PID_IP) -> bytes:
    return getattr(server, method)(pid, mpr.IPRTRMGR_PID, data)  # type: ignore[no-any-return]


# -- every walk's index ---------------------------------------------------------------------------

MFE3 = wire("239.192.4.5") + wire("10.20.30.99") + q(ONES)

# (structure, its variable, GetFirst's index (zeros, and a fixed tail), the last GetNext: the last row's key)
WALKS = [
    (mpr.IfRow, mpr.IF_ROW, q(0), q(7)),
    (mpr.IpAddrRow, mpr.IP_ADDRROW, q(0), wire("192.168.1.10")),
    (mpr.IpForwardRow, mpr.IP_FORWARDROW, q(0, 0, 0, 0), wire("192.168.1.0") + q(2, 0) + wire("192.168.1.10")),
    (mpr.IpNetRow, mpr.IP_NETROW, q(0, 0), q(3) + wire("192.168.1.254")),
    (mpr.TcpRow, mpr.TCP_ROW, q(0, 0, 0, 0),
     wire("192.168.1.10") + port(49712, ROUTER_PORT_UPPER) + wire("93.184.216.34") + port(443, ROUTER_PORT_UPPER)),
    (mpr.UdpRow, mpr.UDP_ROW, q(0, 0), wire("192.168.1.10") + port(123, ROUTER_PORT_UPPER)),
    (mpr.IfStatus, mpr.IF_STATUS, q(0), q(7)),
    (mpr.McastIfEntry, mpr.MCAST_IF_ENTRY, q(0), q(7)),
    (mpr.McastBoundary, mpr.MCAST_BOUNDARY, q(0, 0, 0), q(7) + wire("239.255.0.0") + wire("255.255.0.0")),
    (mpr.McastScope, mpr.MCAST_SCOPE, q(0, 0), wire("239.255.0.0") + wire("255.255.0.0")),
    (mpr.ProxyArp, mpr.PROXY_ARP, q(0, 0, 0), wire("192.168.1.64") + wire("255.255.255.192") + q(3)),
    (mpr.McastMfe, mpr.MCAST_MFE, q(0, 0, ONES), MFE3),
    (mpr.McastMfeStats, mpr.MCAST_MFE_STATS, q(0, 0, ONES), MFE3),
    (mpr.McastMfeStatsEx, mpr.MCAST_MFE_STATS_EX, q(0, 0, ONES), MFE3),
    (mpr.Ip6RouteEntry, mpr.IP_FORWARDROW, q(0), q(31)),
]


@pytest.mark.parametrize(("struct_type", "var_id", "first", "last"), WALKS)
def test_every_walk_sends_get_first_and_get_next_with_the_specified_index_size(
        server: mpr.MibServer, router: Router, struct_type: type[mpr.MibStruct], var_id: int, first: bytes,
        last: bytes) -> None:
    calls = router.counter("calls")
    walk = server.walk(struct_type)
    rows = [next(walk)]
    assert router.last_input() == q(var_id) + first  # GetFirst: the whole index, zeros
    rows.extend(walk)
    # GetNext names the last row read by its whole key; its answer (259, or an MFE's no data) ends the walk.
    assert router.last_input() == q(var_id) + last and len(last) == len(first)
    assert router.counter("calls") - calls == len(rows) + 1
    assert router.counter("live_buffers") == 0


@pytest.mark.parametrize(("struct_type", "var_id", "first", "last"), WALKS)
def test_a_get_first_with_no_index_is_invalid_parameter_for_every_row_variable(
        server: mpr.MibServer, router: Router, struct_type: type[mpr.MibStruct], var_id: int, first: bytes,
        last: bytes) -> None:
    pid = mpr.PID_IPV6 if struct_type is mpr.Ip6RouteEntry else mpr.PID_IP
    assert winerror(lambda: raw(server, q(var_id), "get_first", pid)) == ERROR_INVALID_PARAMETER
    assert router.last_input() == q(var_id)
    # The index the walk sends is taken, by GetNext too (an MFE past the last: no data).
    assert raw(server, q(var_id) + first, "get_first", pid)[:4] == q(var_id)
    assert winerror(lambda: raw(server, q(var_id), "get_next", pid)) == ERROR_INVALID_PARAMETER
    assert router.counter("live_buffers") == 0


# -- IPv6: PID_IPV6's IP_FORWARDROW and IF_TABLE ------------------------------------------------------

def route6(index: int, dest: str, length: int, next_hop: str, if_index: int, type: int, proto: int,
           metric: int) -> mpr.Ip6RouteEntry:
    return mpr.Ip6RouteEntry(index=index, dest=IPv6Address(dest), prefix_length=length,
                             next_hop=IPv6Address(next_hop), valid_lifetime=ONES, flags=0, metric=metric,
                             if_index=if_index, type=type, proto=proto, preference={2: 1, 3: 3}[proto], view_set=3,
                             v4=False)


# The stand-in's five fixed IPv6 routes (README, "The fixed MIB"), dwIndex apart on purpose.
ROUTES6 = [
    route6(3, "::", 0, "fe80::1", 3, 4, 2, 256),
    route6(7, "2001:db8:10::", 64, "::", 3, 3, 2, 260),
    route6(12, "fe80::", 64, "::", 3, 3, 2, 281),
    route6(20, "::1", 128, "::", 1, 3, 2, 306),
    route6(31, "2001:db8:20::", 48, "fe80::2", 3, 4, 3, 16),
]


def test_ip6_forward_table_is_the_five_fixed_ipv6_routes_in_index_order(server: mpr.MibServer,
                                                                         router: Router) -> None:
    calls = router.counter("calls")
    routes = server.ip6_forward_table()
    # Walked under PID_IPV6 by dwIndex: GetFirst {0}, GetNext {3}, {7}, {12}, {20}, {31} (259).
    assert router.counter("calls") - calls == 6
    assert router.last_input() == q(mpr.IP_FORWARDROW, 31)
    assert routes == ROUTES6
    assert [r.index for r in routes] == [3, 7, 12, 20, 31]
    for route in routes:
        assert type(route) is mpr.Ip6RouteEntry
        assert type(route.dest) is IPv6Address and type(route.next_hop) is IPv6Address
    last = routes[4]
    assert (last.dest, last.prefix_length, last.next_hop) == (
        IPv6Address("2001:db8:20::"), 48, IPv6Address("fe80::2"))
    assert (last.type, last.proto, last.preference, last.view_set) == (
        mpr.RouteType.INDIRECT, mpr.RouteProto.NETMGMT, 3, 3)
    assert router.counter("live_buffers") == 0


def test_ip6_forward_row_gets_one_ipv6_route_by_its_index(server: mpr.MibServer, router: Router) -> None:
    assert server.ip6_forward_row(12) == ROUTES6[2]
    assert router.last_input() == q(mpr.IP_FORWARDROW, 12)
    reply = raw(server, q(mpr.IP_FORWARDROW, 12), pid=mpr.PID_IPV6)
    # INTERFACE_ROUTE_ENTRY, 76 bytes: dwIndex, DestinationPrefix at 4, ..., bV4 0 at 72.
    assert len(reply) == 8 + 76 and struct.unpack_from("<2I", reply, 8 + 72 - 4) == (3, 0)
    assert reply[8 + 4:8 + 20] == IPv6Address("fe80::").packed
    assert winerror(lambda: server.ip6_forward_row(13)) == mpr.ERROR_INVALID_INDEX
    # The IPv4 transport's IP_FORWARDROW takes four index values, not one.
    assert winerror(lambda: raw(server, q(mpr.IP_FORWARDROW, 12))) == ERROR_INVALID_PARAMETER


def test_ip6_if_table_is_the_two_interfaces_with_ipv6(server: mpr.MibServer, router: Router) -> None:
    interfaces = server.ip6_if_table()
    assert router.last_input() == q(mpr.IF_TABLE)
    assert [i.index for i in interfaces] == [1, 3]
    assert interfaces == server.if_table()[:2]  # the same rows as the IPv4 transport's; 7 has no IPv6


def test_cli_routes_6_prints_the_ipv6_routes(router: Router, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes", "-6"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Destination", "Next", "hop", "If", "Metric", "Protocol", "Type"]
    assert [line.split() for line in lines[1:]] == [
        ["::/0", "fe80::1", "3", "256", "local", "indirect"],
        ["2001:db8:10::/64", "::", "3", "260", "local", "direct"],
        ["fe80::/64", "::", "3", "281", "local", "direct"],
        ["::1/128", "::", "1", "306", "local", "direct"],
        ["2001:db8:20::/48", "fe80::2", "3", "16", "netmgmt", "indirect"],
    ]
    assert main(["routes", "-6", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [{**r._asdict(), "dest": str(r.dest), "next_hop": str(r.next_hop), "type": int(r.type),
                     "proto": int(r.proto)} for r in ROUTES6]
    assert router.counters("connects", "disconnects") == {"connects": 2, "disconnects": 2}


# -- MCAST_GLOBAL ---------------------------------------------------------------------------------------

def test_mcast_global_reads_dw_enable_1_as_enabled_and_2_as_not(server: mpr.MibServer, router: Router) -> None:
    assert server.mcast_global() == mpr.McastGlobal(enable=True)
    assert server.mcast_global().enable is True
    assert raw(server, q(mpr.MCAST_GLOBAL)) == struct.pack("<III", mpr.MCAST_GLOBAL, 0, 1)
    router.set_mcast_enabled(False)
    # MS-RRASM 2.2.1.2.39: 2 when IP multicast is not enabled (a client that reads non-zero as on is wrong).
    assert raw(server, q(mpr.MCAST_GLOBAL)) == struct.pack("<III", mpr.MCAST_GLOBAL, 0, 2)
    assert server.mcast_global().enable is False
    router.set_mcast_enabled(True)
    assert server.mcast_global().enable is True


# -- MFEs: tables of one, no data for none ----------------------------------------------------------------

def test_a_missing_mfe_is_none_and_a_found_one_is_its_row(server: mpr.MibServer, router: Router) -> None:
    assert server.mfe("239.9.9.9", "10.0.0.9") is None
    assert router.last_input() == q(mpr.MCAST_MFE) + wire("239.9.9.9") + wire("10.0.0.9") + q(ONES)
    assert raw(server, router.last_input()) == b""  # success, and NULL data (2.2.1.2.52)
    found = server.mfe("239.1.1.1", "192.168.1.20")
    assert found is not None
    assert (found.group, found.source, found.in_if_index, found.up_time) == (
        IPv4Address("239.1.1.1"), IPv4Address("192.168.1.20"), 3, 3600)
    assert [(o.out_if_index, o.next_hop_addr) for o in found.out_ifs] == [(7, IPv4Address("0.0.0.0"))]
    assert found == server.mfe_table()[1]
    stats = server.mfe_stats("239.1.1.1", "192.168.1.20")
    assert stats is not None and (stats.in_pkts, stats.out_stats[0].out_packets) == (50000, 49990)
    assert server.mfe_stats("239.9.9.9", "10.0.0.9") is None
    assert router.counter("live_buffers") == 0


def test_mfe_table_ends_at_the_no_data_reply_and_leaks_nothing(server: mpr.MibServer, router: Router) -> None:
    calls = router.counter("calls")
    mfes = server.mfe_table()
    assert [(str(m.source), str(m.group), len(m.out_ifs)) for m in mfes] == [
        ("0.0.0.0", "239.1.1.1", 0), ("192.168.1.20", "239.1.1.1", 1), ("10.20.30.99", "239.192.4.5", 3)]
    # GetFirst and two GetNexts, one MFE each; the third GetNext, past the last, is 0 with no data.
    assert router.counter("calls") - calls == 4
    assert router.last_input() == q(mpr.MCAST_MFE) + MFE3
    assert raw(server, router.last_input(), "get_next") == b""
    assert router.counter("live_buffers") == 0


# -- route lookups: view set and protocol ------------------------------------------------------------------

# The fixed MIB's routes as the lookups answer them (README, "Route lookups", "The fixed MIB").
def dest_row(dest: str, mask: str, next_hop: str, if_index: int, type: int, proto: int, age: int, metric1: int,
             preference: int, view_set: int, next_hop_as: int = 0,
             metrics: tuple[int, int, int, int] = (mpr.METRIC_UNUSED,) * 4) -> mpr.IpDestRow:
    m2, m3, m4, m5 = metrics
    row = mpr.IpForwardRow(dest=dest, mask=mask, policy=0, next_hop=next_hop, if_index=if_index, type=type,
                           proto=proto, age=age, next_hop_as=next_hop_as, metric1=metric1, metric2=m2, metric3=m3,
                           metric4=m4, metric5=m5)
    return mpr.IpDestRow(route=row, preference=preference, view_set=view_set)


D_DEFAULT = dest_row("0.0.0.0", "0.0.0.0", "192.168.1.1", 3, 4, 3, 100, 25, 3, 3)
D_TEN = dest_row("10.0.0.0", "255.0.0.0", "192.168.1.254", 3, 4, 8, 30, 2, 120, 3, 65001, (3, 4, 5, 6))
D_TEN_LOSER = dest_row("10.0.0.0", "255.0.0.0", "10.20.30.1", 7, 4, 8, 45, 7, 120, 3)
D_LOOPBACK = dest_row("127.0.0.0", "255.0.0.0", "127.0.0.1", 1, 3, 2, 0, 306, 1, 1)
D_MCAST_ONLY = dest_row("172.20.0.0", "255.255.0.0", "10.20.30.1", 7, 4, 3, 0, 10, 3, 2)
D_LAN = dest_row("192.168.1.0", "255.255.255.0", "192.168.1.10", 3, 3, 2, 0, 281, 1, 1)

UNICAST, MULTICAST, NETMGMT = mpr.VIEW_UNICAST, mpr.VIEW_MULTICAST, int(mpr.RouteProto.NETMGMT)


@pytest.mark.parametrize(("method", "var_id", "view_set", "proto", "expected"), [
    # A route takes part if its view set and the one asked for share a view (0: any) and its protocol
    # is the one asked for (0: any).
    ("route_longer", mpr.ROUTE_LONGER, UNICAST, 0, [D_DEFAULT, D_TEN, D_TEN_LOSER, D_LOOPBACK, D_LAN]),
    ("route_longer", mpr.ROUTE_LONGER, MULTICAST, 0, [D_DEFAULT, D_TEN, D_TEN_LOSER, D_MCAST_ONLY]),
    ("route_longer", mpr.ROUTE_LONGER, 0, NETMGMT, [D_DEFAULT, D_MCAST_ONLY]),
    ("route_longer", mpr.ROUTE_LONGER, UNICAST, NETMGMT, [D_DEFAULT]),
    ("route_longer", mpr.ROUTE_LONGER, MULTICAST, NETMGMT, [D_DEFAULT, D_MCAST_ONLY]),
    ("dest_longer", mpr.DEST_LONGER, MULTICAST, 0, [D_DEFAULT, D_TEN, D_MCAST_ONLY]),
    ("dest_longer", mpr.DEST_LONGER, UNICAST, 0, [D_DEFAULT, D_TEN, D_LOOPBACK, D_LAN]),
    ("dest_shorter", mpr.DEST_SHORTER, UNICAST, 0, [D_DEFAULT]),  # of 172.20.1.1/32: not the multicast route
    ("dest_matching", mpr.DEST_MATCHING, UNICAST | MULTICAST, NETMGMT, [D_MCAST_ONLY]),
    ("route_matching", mpr.ROUTE_MATCHING, UNICAST, NETMGMT, []),  # nothing in it: 232, an empty list
])  # fmt: skip
def test_route_lookups_select_by_view_set_and_protocol(
        server: mpr.MibServer, router: Router, method: str, var_id: int, view_set: int, proto: int,
        expected: list[mpr.IpDestRow]) -> None:
    dest, mask = {"dest_shorter": ("172.20.1.1", "255.255.255.255"),
                  "dest_matching": ("172.20.0.0", "255.255.0.0"),
                  "route_matching": ("172.20.0.0", "255.255.0.0")}.get(method, ("0.0.0.0", "0.0.0.0"))
    assert getattr(server, method)(dest, mask, view_set=view_set, proto=proto) == expected
    assert router.last_input() == q(var_id) + wire(dest) + wire(mask) + q(view_set, proto)
    # Without them (VIEW_ANY, ANY_PROTO: 0 and 0) the same lookup selects no fewer.
    every = getattr(server, method)(dest, mask)
    assert router.last_input() == q(var_id) + wire(dest) + wire(mask) + q(0, 0)
    assert all(row in every for row in expected)
    assert router.counter("live_buffers") == 0


# -- IP_NETTABLE by interface; the tables' reserved tails ---------------------------------------------------

ARP = [
    mpr.IpNetRow(index=3, phys_addr=bytes.fromhex("aabbccddee01"), addr="192.168.1.1", type=mpr.NetType.DYNAMIC),
    mpr.IpNetRow(index=3, phys_addr=bytes.fromhex("aabbccddeefe"), addr="192.168.1.254", type=mpr.NetType.STATIC),
]


def test_ip_net_table_reads_the_interfaces_then_each_ones_arp_entries(server: mpr.MibServer,
                                                                      router: Router) -> None:
    calls = router.counter("calls")
    assert server.ip_net_table() == ARP
    # IF_TABLE, then IP_NETTABLE {1}, {3}, {7}: 2.2.1.2.53 gives it an interface index, never none.
    assert router.counter("calls") - calls == 4
    assert router.last_input() == q(mpr.IP_NETTABLE, 7)
    assert winerror(lambda: raw(server, q(mpr.IP_NETTABLE))) == ERROR_INVALID_PARAMETER


def test_ip_net_table_of_one_interface_is_one_get(server: mpr.MibServer, router: Router) -> None:
    calls = router.counter("calls")
    assert server.ip_net_table(3) == ARP
    assert router.counter("calls") - calls == 1
    assert router.last_input() == q(mpr.IP_NETTABLE, 3)
    assert server.ip_net_table(1) == []
    assert raw(server, q(mpr.IP_NETTABLE, 1)) == struct.pack("<3I", mpr.IP_NETTABLE, 0, 0) + bytes(8)
    assert winerror(lambda: server.ip_net_table(99)) == mpr.ERROR_INVALID_INDEX


# (reader, query, rows in the fixed MIB, row size)
TAILED = [
    ("ip_forward_table", q(mpr.IP_FORWARDTABLE), 4, 56),
    ("ip_net_table", q(mpr.IP_NETTABLE, 3), 2, 24),
    ("tcp_table", q(mpr.TCP_TABLE), 2, 20),
    ("udp_table", q(mpr.UDP_TABLE), 2, 8),
]


@pytest.mark.parametrize(("reader", "query", "count", "row_size"), TAILED)
def test_the_tables_reserved_tail_is_read_without_effect(server: mpr.MibServer, router: Router, reader: str,
                                                         query: bytes, count: int, row_size: int) -> None:
    args: tuple[Any, ...] = (3,) if reader == "ip_net_table" else ()
    strict = raw(server, query)
    # MS-RRASM's table, then BYTE reserved[8], zero ("SHOULD be set to 0 and ignored on receipt").
    assert len(strict) == 12 + count * row_size + 8 and strict[-8:] == bytes(8)
    rows = getattr(server, reader)(*args)
    router.set_sdk_forms(True)
    sdk = raw(server, query)
    assert sdk == strict[:-8]  # the SDK's: the same table, no tail
    assert getattr(server, reader)(*args) == rows and len(rows) == count
    assert router.counter("live_buffers") == 0


# -- the IPv6 statistics: not in MS-RRASM --------------------------------------------------------------------

@pytest.mark.parametrize(("reader", "var_id", "name"), [
    ("ip6_stats", mpr.IP6_STATS, "IP6_STATS"), ("udp6_stats", mpr.UDP6_STATS, "UDP6_STATS"),
    ("tcp6_stats", mpr.TCP6_STATS, "TCP6_STATS"),
])
def test_ipv6_statistics_are_refused_saying_the_specification_does_not_list_them(
        server: mpr.MibServer, router: Router, reader: str, var_id: int, name: str) -> None:
    with pytest.raises(mpr.MprError) as refused:
        getattr(server, reader)()
    assert refused.value.winerror == ERROR_INVALID_PARAMETER
    assert f"the router does not serve {name}, which MS-RRASM 2.2.1.2.52 does not list" in str(refused.value)
    assert router.last_input() == q(var_id)


def test_ipv6_statistics_with_the_sdk_forms_are_their_values(server: mpr.MibServer, router: Router) -> None:
    router.set_sdk_forms(True)
    ip6 = server.ip6_stats()
    assert router.last_input() == q(mpr.IP6_STATS)
    assert (ip6.forwarding, ip6.default_ttl, ip6.in_receives, ip6.frag_creates) == (2, 64, 6000, 6017)
    assert (ip6.num_if, ip6.num_addr, ip6.num_routes) == (3, 5, 7)
    assert tuple(server.udp6_stats()) == (8000, 8001, 8002, 8003, 1)
    tcp6 = server.tcp6_stats()
    assert tcp6[:4] == (4, 200, 60000, ONES) and tcp6.num_conns == 1
