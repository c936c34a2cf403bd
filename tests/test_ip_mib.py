"""The typed IP router-manager MIB through the real extension, against the stand-in's fixed MIB."""

from __future__ import annotations

import json
import struct
from ipaddress import IPv4Address

import pytest

import mprapi_cffi as mpr
from mprapi_cffi import _ext
from mprapi_cffi.mib import PARTS, STRUCTS
from mprapi_cffi.cli import main

from conftest import Router, windows_lane
from standin import Malformation, Mode

pytestmark = windows_lane

A = IPv4Address
FIXED_ROUTES = [
    mpr.IpForwardRow(dest="0.0.0.0", mask="0.0.0.0", policy=0, next_hop="192.168.1.1", if_index=3, type=4, proto=3,
                     age=100, next_hop_as=0, metric1=25),
    mpr.IpForwardRow(dest="10.0.0.0", mask="255.0.0.0", policy=0, next_hop="192.168.1.254", if_index=3, type=4, proto=8,
                     age=30, next_hop_as=65001, metric1=2, metric2=3, metric3=4, metric4=5, metric5=6),
    mpr.IpForwardRow(dest="127.0.0.0", mask="255.0.0.0", policy=0, next_hop="127.0.0.1", if_index=1, type=3, proto=2,
                     age=0, next_hop_as=0, metric1=306),
    mpr.IpForwardRow(dest="192.168.1.0", mask="255.255.255.0", policy=0, next_hop="192.168.1.10", if_index=3, type=3,
                     proto=2, age=0, next_hop_as=0, metric1=281),
]


@pytest.fixture
def server(router: Router):
    with mpr.connect() as server:
        yield server


# -- layouts: the decoder's offsets are the compiler's -------------------------

# MIB_IPDESTROW is left out: MinGW-w64 declares it wrong (docs/mib-structures.md).
DECLARED = [*STRUCTS, *(t for t in PARTS if t is not mpr.IpDestRow)]


@pytest.mark.parametrize("struct_type", DECLARED, ids=lambda t: t._sdk)
def test_declared_struct_sizes_match_the_sdk(struct_type: type[mpr.MibStruct]) -> None:
    if struct_type._trailing is not None:  # the SDK's size counts one element of the trailing array
        element = struct_type._trailing[1]
        assert struct_type.layout.size == _ext.ffi.sizeof(struct_type._sdk) - _ext.ffi.sizeof(element._sdk)
        assert struct_type.layout.size == _ext.ffi.offsetof(struct_type._sdk, struct_type._declared[-1].sdk)
    else:
        assert struct_type.layout.size == _ext.ffi.sizeof(struct_type._sdk)


@pytest.mark.parametrize("struct_type", DECLARED, ids=lambda t: t._sdk)
def test_every_declared_field_sits_at_its_sdk_members_offset(struct_type: type[mpr.MibStruct]) -> None:
    offsets = {d.name: _ext.ffi.offsetof(struct_type._sdk, *d.sdk.split(".")) for d in struct_type._declared}
    assert offsets == struct_type._offsets
    assert len(offsets) == len(struct_type._fields)


def test_row_offsets_match_the_sdk() -> None:
    offset = _ext.ffi.offsetof
    assert [offset("MIB_IFROW", f) for f in ("dwIndex", "bPhysAddr", "dwAdminStatus", "dwDescrLen", "bDescr")] \
        == [512, 532, 540, 600, 604]
    assert offset("MIB_IPADDRROW", "wType") == 22
    assert offset("MIB_IPNETROW", "dwAddr") == 16
    assert offset("MIB_IPFORWARDROW", "dwForwardNextHopAS") == 32
    assert offset("MIB_ICMP", "stats") == 0 and _ext.ffi.sizeof("MIBICMPSTATS") == 52


@pytest.mark.parametrize(("struct_type", "index_fields"), [
    (mpr.IfRow, ("dwIndex",)),
    (mpr.IpAddrRow, ("dwAddr",)),
    (mpr.IpNetRow, ("dwIndex", "dwAddr")),
    (mpr.IpForwardRow, ("dwForwardDest", "dwForwardProto", "dwForwardPolicy", "dwForwardNextHop")),
])
def test_walk_index_offsets_are_the_sdk_fields(struct_type: type[mpr.MibStruct], index_fields: tuple[str, ...]) -> None:
    sdk = struct_type._sdk
    expected = tuple((_ext.ffi.offsetof(sdk, f), 4) for f in index_fields)
    assert struct_type._key_offsets == expected


# -- tables and rows -----------------------------------------------------------

def test_interface_table_is_decoded_field_by_field(server: mpr.MibServer) -> None:
    loopback, ethernet, wan = server.if_table()
    assert ethernet == mpr.IfRow(
        name="Ethernet", index=3, type=mpr.IfType.ETHERNET_CSMACD, mtu=1500, speed=1_000_000_000,
        phys_addr=bytes.fromhex("00155d010203"), admin_status=mpr.IfAdminStatus.UP,
        oper_status=mpr.IfOperStatus.OPERATIONAL, last_change=12345, in_octets=1000001,
        in_ucast_pkts=2001, in_nucast_pkts=31, in_discards=4, in_errors=5, in_unknown_protos=6,
        out_octets=7000007, out_ucast_pkts=8001, out_nucast_pkts=91, out_discards=10, out_errors=11,
        out_qlen=12, descr="Intel(R) Ethernet Connection I219-V")
    assert (loopback.name, loopback.index, loopback.type, loopback.phys_addr, loopback.descr) == (
        "Loopback Pseudo-Interface 1", 1, mpr.IfType.SOFTWARE_LOOPBACK, b"", "Software Loopback Interface 1")
    assert (wan.name, wan.index, wan.type, wan.admin_status, wan.oper_status, wan.speed) == (
        "Wide Area Link \u00fc\u2260", 7, mpr.IfType.PPP, mpr.IfAdminStatus.DOWN,
        mpr.IfOperStatus.NON_OPERATIONAL, 56000)


def test_interface_row_by_index(server: mpr.MibServer, router: Router) -> None:
    ethernet = server.if_row(3)
    assert router.last_input() == struct.pack("<II", mpr.IF_ROW, 3)
    assert ethernet == server.if_table()[1]
    assert server.if_row(7).name == "Wide Area Link \u00fc\u2260"
    with pytest.raises(mpr.MprError) as info:
        server.if_row(99)
    assert info.value.winerror == mpr.ERROR_INVALID_INDEX


def test_interface_row_index_out_of_range_is_refused_before_the_call(server: mpr.MibServer, router: Router) -> None:
    with pytest.raises((OverflowError, ValueError)):
        server.if_row(2**32)
    with pytest.raises((OverflowError, ValueError)):
        server.if_row(-1)
    assert router.counter("calls") == 0


def test_address_table_reads_addresses_in_network_byte_order(server: mpr.MibServer) -> None:
    rows = server.ip_addr_table()
    assert [(r.addr, r.index, r.mask, r.bcast_addr, r.reasm_size, int(r.type)) for r in rows] == [
        (A("10.20.30.40"), 7, A("255.255.255.255"), 0, 1500, 0x4),
        (A("127.0.0.1"), 1, A("255.0.0.0"), 1, 65535, 0x1),
        (A("192.168.1.10"), 3, A("255.255.255.0"), 1, 65535, 0x1),
    ]
    # dwBCastAddr is an address field in the SDK; routers put MIB-II's 0/1 broadcast bit in it
    # (read as an address it would be 1.0.0.0), so it decodes as the DWORD it is.
    assert rows[2].type & mpr.AddrType.PRIMARY


def test_route_table_is_decoded_field_by_field(server: mpr.MibServer) -> None:
    routes = server.ip_forward_table()
    assert routes == FIXED_ROUTES
    default = routes[0]
    assert (default.dest, default.mask, default.next_hop) == (A("0.0.0.0"), A("0.0.0.0"), A("192.168.1.1"))
    assert default.type is mpr.RouteType.INDIRECT and default.proto is mpr.RouteProto.NETMGMT
    assert (default.metric1, default.metric2, default.metric5) == (25, mpr.METRIC_UNUSED, mpr.METRIC_UNUSED)
    assert routes[1].proto is mpr.RouteProto.RIP and routes[1].next_hop_as == 65001


def test_arp_table_is_decoded(server: mpr.MibServer, router: Router) -> None:
    calls = router.counter("calls")
    rows = server.ip_net_table()
    # MS-RRASM 2.2.1.2.53 gives IP_NETTABLE an interface index: IF_TABLE, then one Get per interface (1, 3, 7).
    assert router.counter("calls") - calls == 1 + 3
    assert router.last_input() == struct.pack("<2I", mpr.IP_NETTABLE, 7)
    assert [(r.index, r.addr, r.phys_addr, r.type) for r in rows] == [
        (3, A("192.168.1.1"), bytes.fromhex("aabbccddee01"), mpr.NetType.DYNAMIC),
        (3, A("192.168.1.254"), bytes.fromhex("aabbccddeefe"), mpr.NetType.STATIC),
    ]


def test_tcp_and_udp_tables_give_host_order_ports_without_the_garbage_bits(server: mpr.MibServer) -> None:
    assert [tuple(r) for r in server.tcp_table()] == [
        (mpr.TcpState.LISTEN, A("0.0.0.0"), 135, A("0.0.0.0"), 0),
        (mpr.TcpState.ESTAB, A("192.168.1.10"), 49712, A("93.184.216.34"), 443),
    ]
    assert [tuple(r) for r in server.udp_table()] == [(A("0.0.0.0"), 53), (A("192.168.1.10"), 123)]


def test_statistics_are_decoded_field_by_field(server: mpr.MibServer) -> None:
    ip = server.ip_stats()
    assert (ip.forwarding, ip.default_ttl) == (1, 128)
    assert list(ip[2:20]) == [1000 + i for i in range(18)]
    assert (ip.num_if, ip.num_addr, ip.num_routes) == (3, 3, 4)
    icmp = server.icmp_stats()
    assert list(icmp.in_stats) == [2000 + i for i in range(13)]
    assert list(icmp.out_stats) == [3000 + i for i in range(13)]
    assert (icmp.in_stats.msgs, icmp.out_stats.addr_mask_reps) == (2000, 3012)
    tcp = server.tcp_stats()
    assert tcp[:4] == (4, 300, 120000, 0xFFFFFFFF)  # dwMaxConn: -1, no limit
    assert list(tcp[4:14]) == [4000 + i for i in range(10)] and tcp.num_conns == 2
    assert tuple(server.udp_stats()) == (5000, 5001, 5002, 5003, 2)


# -- walks -----------------------------------------------------------------------

@pytest.mark.parametrize(("var_id", "table"), [
    (mpr.IF_ROW, "if_table"), (mpr.IP_ADDRROW, "ip_addr_table"),
    (mpr.IP_FORWARDROW, "ip_forward_table"), (mpr.IP_NETROW, "ip_net_table"),
])
def test_walk_yields_the_table_row_by_row(server: mpr.MibServer, router: Router, var_id: int, table: str) -> None:
    expected = getattr(server, table)()
    calls_before = router.counter("calls")
    walked = []
    for row in server.walk(var_id):
        assert router.counter("live_buffers") == 0  # each reply freed before the row is handed out
        walked.append(row)
    assert walked == expected
    # GetFirst, one GetNext per further row, one GetNext that ends the walk with 259
    assert router.counter("calls") - calls_before == len(expected) + 1


def test_walk_of_an_empty_table_ends_cleanly(server: mpr.MibServer) -> None:
    for route in FIXED_ROUTES:
        server.delete_route(route)
    assert server.ip_forward_table() == []
    assert list(server.walk(mpr.IP_FORWARDROW)) == []


def test_walk_propagates_router_errors(server: mpr.MibServer, router: Router) -> None:
    router.fail_calls(5)
    with pytest.raises(mpr.MprError) as info:
        list(server.walk(mpr.IF_ROW))
    assert info.value.winerror == 5


# -- route writes -------------------------------------------------------------------

NEW_ROUTE = mpr.IpForwardRow(dest="172.16.0.0", mask="255.240.0.0", policy=0, next_hop="192.168.1.254", if_index=3,
                             type=mpr.RouteType.INDIRECT, proto=mpr.RouteProto.NETMGMT, metric1=40)


def test_create_route_sends_route_matching_and_the_64_byte_ip_dest_row(server: mpr.MibServer, router: Router) -> None:
    # MS-RRASM 3.1.4.27: MIB_OPAQUE_INFO {ROUTE_MATCHING, padding, MIB_IPDESTROW}.
    server.create_route(NEW_ROUTE)
    sent = router.last_input()
    assert len(sent) == 8 + 64 and struct.unpack_from("<II", sent) == (mpr.ROUTE_MATCHING, 0)
    assert sent[8:64] == NEW_ROUTE.to_bytes()
    assert sent[8:16] == bytes([172, 16, 0, 0, 255, 240, 0, 0]) and sent[20:24] == bytes([192, 168, 1, 254])
    assert struct.unpack_from("<II", sent, 64) == (0, mpr.VIEW_UNICAST | mpr.VIEW_MULTICAST)  # preference, views
    assert NEW_ROUTE in server.ip_forward_table()
    with pytest.raises(mpr.MprError) as info:
        server.create_route(NEW_ROUTE)
    assert info.value.winerror == 183


def test_create_route_with_an_ip_dest_row_sends_its_fields_and_the_server_overrides_four(
    server: mpr.MibServer, router: Router
) -> None:
    sent_route = NEW_ROUTE._replace(policy=5, metric4=4, metric5=5)
    server.create_route(mpr.IpDestRow(route=sent_route, preference=7, view_set=mpr.VIEW_UNICAST))
    assert router.last_input()[8:64] == sent_route.to_bytes()  # sent as given
    assert struct.unpack_from("<II", router.last_input(), 64) == (7, mpr.VIEW_UNICAST)
    # MS-RRASM 3.1.4.27: policy 0, metric4 and metric5 unused, preference 0x7F "irrespective of the values
    # specified"; the view set is the one sent.
    (found,) = server.route_matching(NEW_ROUTE.dest, NEW_ROUTE.mask)
    assert (found.route, found.preference, found.view_set) == (NEW_ROUTE, 0x7F, mpr.VIEW_UNICAST)


def test_set_route_replaces_the_route_with_the_same_dest_mask_interface_next_hop_and_proto(
    server: mpr.MibServer, router: Router
) -> None:
    server.create_route(NEW_ROUTE)
    changed = NEW_ROUTE._replace(metric1=99, type=mpr.RouteType.DIRECT)
    server.set_route(changed)
    assert struct.unpack_from("<I", router.last_input())[0] == mpr.ROUTE_MATCHING
    assert changed in server.ip_forward_table() and NEW_ROUTE not in server.ip_forward_table()
    with pytest.raises(mpr.MprError) as info:  # another interface names another route
        server.set_route(changed._replace(if_index=7))
    assert info.value.winerror == mpr.ERROR_INVALID_INDEX


def test_delete_route_names_dest_mask_interface_next_hop_and_proto(server: mpr.MibServer, router: Router) -> None:
    # MS-RRASM 3.1.4.28: MIB_OPAQUE_QUERY {ROUTE_MATCHING, dest, mask, if index, next hop, proto}.
    server.create_route(NEW_ROUTE)
    server.delete_route(NEW_ROUTE._replace(metric1=1, age=5))  # the other fields do not name it
    assert router.last_input() == struct.pack("<I", mpr.ROUTE_MATCHING) + bytes([172, 16, 0, 0, 255, 240, 0, 0]) + \
        struct.pack("<I", 3) + bytes([192, 168, 1, 254]) + struct.pack("<I", mpr.RouteProto.NETMGMT)
    assert NEW_ROUTE not in server.ip_forward_table()
    with pytest.raises(mpr.MprError) as info:
        server.delete_route(NEW_ROUTE)
    assert info.value.winerror == mpr.ERROR_INVALID_INDEX


def test_delete_removes_only_the_route_named_when_two_differ_in_mask_or_interface(server: mpr.MibServer) -> None:
    wider = NEW_ROUTE._replace(mask="255.255.0.0")
    other_if = NEW_ROUTE._replace(if_index=7)
    for route in (NEW_ROUTE, wider, other_if):
        server.create_route(route)
    server.delete_route(NEW_ROUTE)
    table = server.ip_forward_table()
    assert NEW_ROUTE not in table and wider in table and other_if in table


@pytest.mark.parametrize("mask", ["255.0.255.0", "0.255.255.255", "255.255.255.253"])
@pytest.mark.parametrize("method", ["create_route", "set_route", "delete_route"])
def test_route_writes_refuse_a_mask_that_is_not_contiguous_before_any_call(
    server: mpr.MibServer, router: Router, method: str, mask: str
) -> None:
    with pytest.raises(ValueError, match="not contiguous"):
        getattr(server, method)(NEW_ROUTE._replace(mask=mask))
    assert router.counter("calls") == 0


def test_forwarding_and_default_ttl_are_set_through_ip_stats(server: mpr.MibServer, router: Router) -> None:
    before = server.ip_stats()
    server.set_forwarding(False)
    sent = router.last_input()
    assert len(sent) == 8 + 92 and struct.unpack_from("<III", sent) == (mpr.IP_STATS, 0, 2)
    assert struct.unpack_from("<I", sent, 12)[0] == 0xFFFFFFFF  # the TTL left as it is
    assert (server.ip_stats().forwarding, server.ip_stats().default_ttl) == (2, before.default_ttl)
    server.set_default_ttl(64)
    assert struct.unpack_from("<II", router.last_input(), 8) == (0xFFFFFFFF, 64)
    assert (server.ip_stats().forwarding, server.ip_stats().default_ttl) == (2, 64)
    server.set_forwarding(True)
    assert server.ip_stats().forwarding == 1


@pytest.mark.parametrize(("method", "value", "error"), [
    ("set_default_ttl", 0, ValueError), ("set_default_ttl", 256, ValueError), ("set_default_ttl", "64", TypeError),
    ("set_default_ttl", True, TypeError), ("set_forwarding", 1, TypeError), ("set_forwarding", "on", TypeError),
])  # fmt: skip
def test_ip_stats_writes_refuse_bad_values_before_any_call(
    server: mpr.MibServer, router: Router, method: str, value: object, error: type[Exception]
) -> None:
    with pytest.raises(error):
        getattr(server, method)(value)
    assert router.counter("calls") == 0


@pytest.mark.parametrize("method", ["create_route", "set_route", "delete_route"])
def test_route_writes_refuse_anything_but_a_route_row(server: mpr.MibServer, router: Router, method: str) -> None:
    with pytest.raises(TypeError):
        getattr(server, method)(tuple(NEW_ROUTE))
    assert router.counter("calls") == 0


# -- malformed replies from the router ---------------------------------------------

TABLE_READERS = ["if_table", "ip_addr_table", "ip_forward_table", "ip_net_table", "tcp_table", "udp_table"]


@pytest.mark.parametrize("kind", [Malformation.COUNT_PLUS_1000, Malformation.COUNT_ALL_ONES,
                                  Malformation.LAST_ROW_10_BYTES_SHORT])
@pytest.mark.parametrize("table", TABLE_READERS)
def test_table_whose_count_exceeds_its_reply_raises_value_error(
        server: mpr.MibServer, router: Router, kind: int, table: str) -> None:
    router.set_malformed(kind)
    with pytest.raises(ValueError):
        getattr(server, table)()
    assert router.counter("live_buffers") == 0


@pytest.mark.parametrize("reader", [*TABLE_READERS, "ip_stats", "icmp_stats", "tcp_stats", "udp_stats"])
def test_reply_shorter_than_its_header_raises_value_error(server: mpr.MibServer, router: Router, reader: str) -> None:
    router.set_malformed(Malformation.CUT_TO_6_BYTES)
    with pytest.raises(ValueError):
        getattr(server, reader)()


def test_lengths_beyond_their_arrays_are_clamped(server: mpr.MibServer, router: Router) -> None:
    router.set_malformed(Malformation.LENGTHS_BEYOND_ARRAYS)
    ethernet = server.if_table()[1]
    # dwPhysAddrLen 200 and dwDescrLen 5000: clamped to bPhysAddr[8] and bDescr[256]
    assert ethernet.phys_addr == bytes.fromhex("00155d010203") + b"\0\0"
    assert ethernet.descr == "Intel(R) Ethernet Connection I219-V"
    assert all(len(row.phys_addr) == 8 for row in server.ip_net_table())
    assert server.if_row(3).index == 3


def test_strings_without_a_terminator_stop_at_their_arrays(server: mpr.MibServer, router: Router) -> None:
    router.set_malformed(Malformation.STRINGS_UNTERMINATED)
    for row in server.if_table():
        assert row.name == "A" * 256 and row.descr == "B" * 256


# -- loopback mode: this machine's own tables ------------------------------------------

def test_loopback_mode_serves_this_machines_tables(server: mpr.MibServer, router: Router) -> None:
    router.set_mode(Mode.LOOPBACK)
    interfaces = server.if_table()
    assert interfaces, "every machine has at least a loopback interface"
    assert len({row.index for row in interfaces}) == len(interfaces), "walks rely on unique indices"
    assert server.if_row(interfaces[0].index) == interfaces[0]
    server.ip_forward_table()
    server.ip_addr_table()
    server.ip_stats()
    assert [row.index for row in server.walk(mpr.IF_ROW)] == sorted(row.index for row in interfaces)


# -- the mprapi command through the real extension ---------------------------------------

def test_cli_prints_the_routes_as_columns(router: Router, capsys) -> None:
    assert main(["routes"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 1 + len(FIXED_ROUTES)
    assert "0.0.0.0/0" in lines[1] and "192.168.1.1" in lines[1] and "netmgmt" in lines[1]
    assert "10.0.0.0/8" in lines[2] and "rip" in lines[2]
    assert router.counters("connects", "disconnects") == {"connects": 1, "disconnects": 1}


def test_cli_json_lists_the_arp_table(router: Router, capsys) -> None:
    assert main(["--json", "arp"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"index": 3, "phys_addr": "aa-bb-cc-dd-ee-01", "addr": "192.168.1.1", "type": 3},
        {"index": 3, "phys_addr": "aa-bb-cc-dd-ee-fe", "addr": "192.168.1.254", "type": 4},
    ]


def test_cli_reports_a_router_error_on_stderr_and_exits_1(router: Router, capsys) -> None:
    router.fail_calls(1722)
    assert main(["--server", "edge-1", "interfaces"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "1722" in captured.err and "Traceback" not in captured.err
    assert router.last_server() == "edge-1"
