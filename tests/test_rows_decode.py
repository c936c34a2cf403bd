"""The MIB structure declarations: replies built with struct, decoded and checked field by field.

Runs natively: no compiled module, no router.
"""

from __future__ import annotations

import copy
import pickle
import struct
from ipaddress import AddressValueError, IPv4Address
from typing import Any

import pytest

from mib_bytes import (
    addr_row_bytes,
    if_row_bytes,
    info,
    ip,
    net_row_bytes,
    port,
    route_bytes,
    table,
    tcp_row_bytes,
    udp_row_bytes,
)
from mprapi_cffi import _wire
from mprapi_cffi.constants import (
    ROUTE_MATCHING,
    IF_NUMBER,
    ROUTE_STATE,
    TCP_ROW,
    UDP_ROW,
    ICMP_STATS,
    IF_ROW,
    IF_TABLE,
    IP_ADDRROW,
    IP_ADDRTABLE,
    IP_FORWARDROW,
    IP_FORWARDTABLE,
    IP_NETROW,
    IP_NETTABLE,
    IP_STATS,
    TCP_STATS,
    TCP_TABLE,
    UDP_STATS,
    UDP_TABLE,
)
from mprapi_cffi.mib import (
    STRUCTS,
    IpDestRow,
    METRIC_UNUSED,
    AddrType,
    IcmpCounters,
    IcmpStats,
    IfAdminStatus,
    IfOperStatus,
    IfRow,
    IfType,
    IpAddrRow,
    IpForwardRow,
    IpNetRow,
    IpStats,
    NetType,
    RouteProto,
    RouteType,
    TcpRow,
    TcpState,
    TcpStats,
    UdpRow,
    UdpStats,
)




# ------------------------------------------------------------------ builders


def user_route(**changes: Any) -> IpForwardRow:
    values: dict[str, Any] = dict(
        dest="10.0.0.0", mask="255.0.0.0", policy=0, next_hop="192.168.1.254", if_index=3,
        type=RouteType.INDIRECT, proto=RouteProto.NETMGMT, age=120, next_hop_as=65001,
        metric1=10, metric2=20, metric3=30, metric4=40, metric5=METRIC_UNUSED,
    )  # fmt: skip
    values.update(changes)
    return IpForwardRow(**values)


# ---------------------------------------------------------------- routes


def test_route_table_decodes_every_field_in_wire_byte_order() -> None:
    reply = table(IP_FORWARDTABLE, [route_bytes(), route_bytes(dest=ip("172.16.0.0"), type=3)])
    rows = IpForwardRow.decode_table(reply)
    assert len(rows) == 2
    r = rows[0]
    assert r.dest == IPv4Address("10.0.0.0")
    assert r.mask == IPv4Address("255.0.0.0")
    assert r.policy == 0
    assert r.next_hop == IPv4Address("192.168.1.254")
    assert r.if_index == 3
    assert r.type is RouteType.INDIRECT
    assert r.proto is RouteProto.NETMGMT
    assert r.age == 120
    assert r.next_hop_as == 65001
    metrics = (r.metric1, r.metric2, r.metric3, r.metric4, r.metric5)
    assert metrics == (10, 20, 30, 40, METRIC_UNUSED)
    assert rows[1].dest == IPv4Address("172.16.0.0")
    assert rows[1].type is RouteType.DIRECT


def test_address_bytes_c0_a8_01_0a_are_192_168_1_10() -> None:
    reply = table(IP_FORWARDTABLE, [route_bytes(dest=b"\xc0\xa8\x01\x0a")])
    assert IpForwardRow.decode_table(reply)[0].dest == IPv4Address("192.168.1.10")


def test_route_enum_fields_are_members_when_known() -> None:
    (known,) = IpForwardRow.decode_table(table(IP_FORWARDTABLE, [route_bytes()]))
    assert known.type is RouteType.INDIRECT
    assert known.proto is RouteProto.NETMGMT


def test_route_proto_values_match_iprtrmib_h() -> None:
    assert (RouteProto.OTHER, RouteProto.RIP, RouteProto.OSPF, RouteProto.BGP) == (1, 8, 13, 14)
    nt = (RouteProto.NT_AUTOSTATIC, RouteProto.NT_STATIC, RouteProto.NT_STATIC_NON_DOD)
    assert [int(m) for m in nt] == [10002, 10006, 10007]
    assert [m.value for m in RouteType] == [1, 2, 3, 4]


# ------------------------------------------------------------- interfaces


def test_if_table_decodes_every_field() -> None:
    (r,) = IfRow.decode_table(table(IF_TABLE, [if_row_bytes()]))
    assert isinstance(r, IfRow)
    assert r.name == "Ethernet 1"
    assert r.index == 7
    assert r.type is IfType.ETHERNET_CSMACD
    assert r.mtu == 1500
    assert r.speed == 1_000_000_000
    assert r.phys_addr == bytes.fromhex("001122334455")
    assert r.admin_status is IfAdminStatus.UP
    assert r.oper_status is IfOperStatus.OPERATIONAL
    counters = (
        r.last_change, r.in_octets, r.in_ucast_pkts, r.in_nucast_pkts, r.in_discards,
        r.in_errors, r.in_unknown_protos, r.out_octets, r.out_ucast_pkts, r.out_nucast_pkts,
        r.out_discards, r.out_errors, r.out_qlen,
    )  # fmt: skip
    assert counters == tuple(range(100, 113))
    assert r.descr == "Intel(R) PRO/1000"


def test_if_name_without_nul_keeps_all_256_chars() -> None:
    name = ("ab" * 128).encode("utf-16-le")
    assert len(name) == 512
    (r,) = IfRow.decode_table(table(IF_TABLE, [if_row_bytes(name=name, index=9)]))
    assert r.name == "ab" * 128
    assert r.index == 9  # the name did not run into dwIndex


def test_if_name_stops_at_first_nul_and_replaces_bad_utf16() -> None:
    name = "eth".encode("utf-16-le") + b"\x00\xd8" + "x\x00junk".encode("utf-16-le")
    (r,) = IfRow.decode_table(table(IF_TABLE, [if_row_bytes(name=name)]))
    assert r.name == "eth\ufffdx"


def test_if_phys_addr_length_over_8_is_clamped_to_the_array() -> None:
    (r,) = IfRow.decode_table(table(IF_TABLE, [if_row_bytes(phys_len=0xFFFFFFFF)]))
    assert r.phys_addr == bytes.fromhex("001122334455eeff")
    assert r.admin_status is IfAdminStatus.UP  # read from its own offset, not the overrun


def test_if_descr_length_over_256_is_clamped_and_stops_at_nul() -> None:
    descr = b"A" * 256
    (r,) = IfRow.decode_table(table(IF_TABLE, [if_row_bytes(descr=descr, descr_len=100_000)]))
    assert r.descr == "A" * 256
    (r,) = IfRow.decode_table(table(IF_TABLE, [if_row_bytes(descr=b"abc\x00def", descr_len=7)]))
    assert r.descr == "abc"


def test_if_descr_uses_only_descr_len_bytes() -> None:
    (r,) = IfRow.decode_table(table(IF_TABLE, [if_row_bytes(descr=b"Realtek NIC", descr_len=7)]))
    assert r.descr == "Realtek"


# -------------------------------------------------------- addresses, arp


def test_ip_addr_table_decodes_every_field() -> None:
    (r,) = IpAddrRow.decode_table(table(IP_ADDRTABLE, [addr_row_bytes()]))
    assert r.addr == IPv4Address("192.168.1.10")
    assert r.index == 7
    assert r.mask == IPv4Address("255.255.255.0")
    assert r.bcast_addr == 1 and type(r.bcast_addr) is int  # the broadcast bit, not an address
    assert r.reasm_size == 65535
    assert r.type == AddrType.PRIMARY | AddrType.DYNAMIC  # unused1 (0xBEEF) skipped
    assert len(r) == 6


def test_ip_addr_type_keeps_unknown_bits() -> None:
    (r,) = IpAddrRow.decode_table(table(IP_ADDRTABLE, [addr_row_bytes(wtype=0x8001)]))
    assert int(r.type) == 0x8001
    assert AddrType.PRIMARY in r.type


def test_ip_net_table_decodes_every_field() -> None:
    (r,) = IpNetRow.decode_table(table(IP_NETTABLE, [net_row_bytes()]))
    assert r.index == 7
    assert r.phys_addr == bytes.fromhex("aabbccddeeff")
    assert r.addr == IPv4Address("192.168.1.1")
    assert r.type is NetType.DYNAMIC


def test_ip_net_phys_addr_length_over_8_is_clamped() -> None:
    (r,) = IpNetRow.decode_table(table(IP_NETTABLE, [net_row_bytes(phys_len=0x10000)]))
    assert r.phys_addr == bytes.fromhex("aabbccddeeff9988")
    assert r.addr == IPv4Address("192.168.1.1")


# -------------------------------------------------------------- tcp, udp


def test_tcp_table_ports_ignore_the_upper_16_bits() -> None:
    rows = [
        tcp_row_bytes(),
        tcp_row_bytes(state=2, local_port=port(80, b"\xff\xff"), remote_port=port(0, b"\x12\x34")),
    ]
    a, b = TcpRow.decode_table(table(TCP_TABLE, rows))
    assert a.state is TcpState.ESTAB
    assert a.local_addr == IPv4Address("192.168.1.10")
    assert a.local_port == 445
    assert a.remote_addr == IPv4Address("10.1.2.3")
    assert a.remote_port == 50123
    assert (b.state, b.local_port, b.remote_port) == (TcpState.LISTEN, 80, 0)
    assert a == TcpRow(state=TcpState.ESTAB, local_addr="192.168.1.10", local_port=445, remote_addr="10.1.2.3",
                       remote_port=50123)


def test_udp_table_ports_ignore_the_upper_16_bits() -> None:
    rows = [udp_row_bytes(), udp_row_bytes(ip("192.168.1.10"), port(0x1234, b"\xff\xff"))]
    a, b = UdpRow.decode_table(table(UDP_TABLE, rows))
    assert (a.local_addr, a.local_port) == (IPv4Address("0.0.0.0"), 53)
    assert (b.local_addr, b.local_port) == (IPv4Address("192.168.1.10"), 0x1234)


# -------------------------------------------------------------- statistics


def test_ip_stats_decodes_23_dwords_in_order() -> None:
    s = IpStats.decode(info(IP_STATS, struct.pack("<23I", *range(1, 24))))
    assert isinstance(s, IpStats)
    assert s == tuple(range(1, 24))
    assert (s.forwarding, s.default_ttl, s.in_receives, s.forw_datagrams) == (1, 2, 3, 6)
    assert (s.reasm_timeout, s.frag_creates, s.num_if, s.num_addr, s.num_routes) == (
        14, 20, 21, 22, 23,
    )  # fmt: skip


def test_icmp_stats_splits_in_and_out_counters() -> None:
    s = IcmpStats.decode(info(ICMP_STATS, struct.pack("<26I", *range(1, 27))))
    assert isinstance(s, IcmpStats)
    assert s.in_stats == IcmpCounters._make(range(1, 14))
    assert s.out_stats == IcmpCounters._make(range(14, 27))
    assert (s.in_stats.msgs, s.in_stats.addr_mask_reps, s.out_stats.msgs) == (1, 13, 14)
    assert s.out_stats.echo_reps == 22


def test_tcp_stats_decodes_15_dwords_in_order() -> None:
    s = TcpStats.decode(info(TCP_STATS, struct.pack("<15I", *range(1, 16))))
    assert isinstance(s, TcpStats)
    assert (s.rto_algorithm, s.max_conn, s.curr_estab, s.num_conns) == (1, 4, 9, 15)


def test_udp_stats_decodes_5_dwords_in_order() -> None:
    s = UdpStats.decode(info(UDP_STATS, struct.pack("<5I", 10, 20, 30, 40, 50)))
    assert s == UdpStats(in_datagrams=10, no_ports=20, in_errors=30, out_datagrams=40, num_addrs=50)


# ------------------------------------------- single rows, unknown enum values


@pytest.mark.parametrize(("row_fn", "row_id", "table_fn", "table_id", "build"), [
    (IfRow.decode, IF_ROW, IfRow.decode_table, IF_TABLE, if_row_bytes),
    (IpAddrRow.decode, IP_ADDRROW, IpAddrRow.decode_table, IP_ADDRTABLE, addr_row_bytes),
    (IpForwardRow.decode, IP_FORWARDROW, IpForwardRow.decode_table, IP_FORWARDTABLE, route_bytes),
    (IpNetRow.decode, IP_NETROW, IpNetRow.decode_table, IP_NETTABLE, net_row_bytes),
], ids=lambda v: getattr(v, "__name__", None))  # fmt: skip
def test_single_row_reply_decodes_as_the_same_row_in_a_table(
    row_fn: Any, row_id: int, table_fn: Any, table_id: int, build: Any
) -> None:
    # The table decoders are checked field by field above.
    assert row_fn(info(row_id, build())) == table_fn(table(table_id, [build()]))[0]


@pytest.mark.parametrize(("table_fn", "table_id", "row", "fields"), [
    (IpForwardRow.decode_table, IP_FORWARDTABLE, route_bytes(type=99, proto=20000),
     {"type": 99, "proto": 20000}),
    (IfRow.decode_table, IF_TABLE, if_row_bytes(type=999, admin=7, oper=42),
     {"type": 999, "admin_status": 7, "oper_status": 42}),
    (IpNetRow.decode_table, IP_NETTABLE, net_row_bytes(type=9), {"type": 9}),
    (TcpRow.decode_table, TCP_TABLE, tcp_row_bytes(state=77), {"state": 77}),
], ids=["route", "interface", "arp", "tcp"])  # fmt: skip
def test_unknown_enum_values_stay_plain_ints(
    table_fn: Any, table_id: int, row: bytes, fields: dict[str, int]
) -> None:
    (decoded,) = table_fn(table(table_id, [row]))
    for name, value in fields.items():
        got = getattr(decoded, name)
        assert got == value and type(got) is int, name


# ------------------------------------------------------- untrusted replies

TABLE_DECODERS = [
    (IfRow.decode_table, IF_TABLE, if_row_bytes),
    (IpAddrRow.decode_table, IP_ADDRTABLE, addr_row_bytes),
    (IpForwardRow.decode_table, IP_FORWARDTABLE, route_bytes),
    (IpNetRow.decode_table, IP_NETTABLE, net_row_bytes),
    (TcpRow.decode_table, TCP_TABLE, tcp_row_bytes),
    (UdpRow.decode_table, UDP_TABLE, udp_row_bytes),
]
TABLE_IDS = [fn.__self__.__name__ for fn, _, _ in TABLE_DECODERS]

SINGLE_DECODERS = [
    (IfRow.decode, IF_ROW, if_row_bytes()),
    (IpAddrRow.decode, IP_ADDRROW, addr_row_bytes()),
    (IpForwardRow.decode, IP_FORWARDROW, route_bytes()),
    (IpNetRow.decode, IP_NETROW, net_row_bytes()),
    (IpStats.decode, IP_STATS, bytes(92)),
    (IcmpStats.decode, ICMP_STATS, bytes(104)),
    (TcpStats.decode, TCP_STATS, bytes(60)),
    (UdpStats.decode, UDP_STATS, bytes(20)),
]
SINGLE_IDS = [fn.__self__.__name__ for fn, _, _ in SINGLE_DECODERS]


@pytest.mark.parametrize(("fn", "var_id", "build"), TABLE_DECODERS, ids=TABLE_IDS)
def test_table_count_larger_than_reply_raises(fn: Any, var_id: int, build: Any) -> None:
    reply = table(var_id, [build(), build()], count=3)
    with pytest.raises(ValueError, match="reply holds 2 rows but claims 3"):
        fn(reply)


@pytest.mark.parametrize(("fn", "var_id", "build"), TABLE_DECODERS, ids=TABLE_IDS)
def test_table_huge_count_raises(fn: Any, var_id: int, build: Any) -> None:
    with pytest.raises(ValueError, match="claims 4294967295"):
        fn(table(var_id, [build()], count=0xFFFFFFFF))


@pytest.mark.parametrize(("fn", "var_id", "build"), TABLE_DECODERS, ids=TABLE_IDS)
def test_table_cut_mid_row_raises(fn: Any, var_id: int, build: Any) -> None:
    reply = table(var_id, [build(), build()])
    with pytest.raises(ValueError, match="reply holds 1 rows but claims 2"):
        fn(reply[:-1])


@pytest.mark.parametrize(("fn", "var_id", "build"), TABLE_DECODERS, ids=TABLE_IDS)
def test_table_shorter_than_its_header_raises(fn: Any, var_id: int, build: Any) -> None:
    for size in (0, 4, 8, 11):
        with pytest.raises(ValueError, match="too short"):
            fn(table(var_id, [])[:size])


@pytest.mark.parametrize(("fn", "var_id", "build"), TABLE_DECODERS, ids=TABLE_IDS)
def test_table_ignores_bytes_beyond_the_declared_rows(fn: Any, var_id: int, build: Any) -> None:
    reply = table(var_id, [build(), build()], count=1, tail=b"\xff" * 7)
    assert len(fn(reply)) == 1
    assert fn(table(var_id, [], tail=b"\xff" * 3)) == []


@pytest.mark.parametrize(("fn", "var_id", "payload"), SINGLE_DECODERS, ids=SINGLE_IDS)
def test_single_reply_shorter_than_its_struct_raises(fn: Any, var_id: int, payload: bytes) -> None:
    fn(info(var_id, payload))  # the whole struct decodes
    with pytest.raises(ValueError, match="too short"):
        fn(info(var_id, payload)[:-1])
    with pytest.raises(ValueError, match="too short"):
        fn(b"\x00" * 7)


def test_walked_struct_maps_the_four_row_ids() -> None:
    assert _wire.walked_struct(IF_ROW, STRUCTS) is IfRow
    assert _wire.walked_struct(IP_ADDRROW, STRUCTS) is IpAddrRow
    assert _wire.walked_struct(IP_NETROW, STRUCTS) is IpNetRow
    assert _wire.walked_struct(IP_FORWARDROW, STRUCTS) is IpForwardRow
    assert _wire.walked_struct(TCP_ROW, STRUCTS) is TcpRow
    assert _wire.walked_struct(UDP_ROW, STRUCTS) is UdpRow
    for other in (IF_TABLE, IP_FORWARDTABLE, IP_STATS, IF_NUMBER, ROUTE_STATE, -1, 1 << 40, "8", 8.0, True):
        with pytest.raises(ValueError):
            _wire.walked_struct(other, STRUCTS)


# -------------------------------------------------------------- requests


def test_query_packs_var_id_and_index_dwords_little_endian() -> None:
    assert _wire.query(IP_FORWARDTABLE) == b"\x07\x00\x00\x00"
    assert _wire.query(IF_ROW, 0x01020304) == struct.pack("<II", 2, 0x01020304)
    assert _wire.query(IP_NETROW, 5, IPv4Address("192.168.1.10")) == (
        struct.pack("<II", IP_NETROW, 5) + b"\xc0\xa8\x01\x0a"
    )


@pytest.mark.parametrize("bad", [-1, 2**32, 2**64])
def test_query_rejects_indices_outside_a_dword(bad: int) -> None:
    with pytest.raises((ValueError, OverflowError)):
        _wire.query(IF_ROW, bad)
    with pytest.raises((ValueError, OverflowError)):
        _wire.query(bad)


def test_next_query_slices_each_rows_index_from_the_reply() -> None:
    reply = info(IF_ROW, if_row_bytes(index=0x11223344))
    assert _wire.next_query(IfRow, reply) == struct.pack("<II", IF_ROW, 0x11223344)
    reply = info(IP_ADDRROW, addr_row_bytes())
    expected = struct.pack("<I", IP_ADDRROW) + ip("192.168.1.10")
    assert _wire.next_query(IpAddrRow, reply) == expected
    reply = info(IP_NETROW, net_row_bytes(index=9))
    expected = struct.pack("<II", IP_NETROW, 9) + ip("192.168.1.1")
    assert _wire.next_query(IpNetRow, reply) == expected
    reply = info(IP_FORWARDROW, route_bytes(policy=7, proto=13))
    assert _wire.next_query(IpForwardRow, reply) == (
        struct.pack("<I", IP_FORWARDROW) + ip("10.0.0.0") + struct.pack("<II", 13, 7)
        + ip("192.168.1.254")
    )  # fmt: skip


def test_next_query_rejects_short_replies_and_other_ids() -> None:
    with pytest.raises(ValueError, match="too short"):
        _wire.next_query(IpForwardRow, info(IP_FORWARDROW, route_bytes())[:-1])
    with pytest.raises(ValueError):
        _wire.next_query(IpStats, info(IP_FORWARDROW, route_bytes()))


def test_route_write_is_route_matching_and_the_64_byte_ip_dest_row() -> None:
    wire = route_bytes()
    decoded = IpForwardRow.decode(info(IP_FORWARDROW, wire))
    written = _wire.opaque_info(IpDestRow(route=decoded, preference=5, view_set=1))
    assert written == struct.pack("<II", ROUTE_MATCHING, 0) + wire + struct.pack("<II", 5, 1)
    assert len(written) == 72
    assert _wire.opaque_info(IpDestRow(route=user_route())) == info(ROUTE_MATCHING, wire + struct.pack("<II", 0, 3))


def test_route_write_round_trips_through_the_decoder() -> None:
    row = IpDestRow(route=user_route(dest="192.168.7.0", mask="255.255.255.0", type=99, proto=20000))
    assert IpDestRow.decode(_wire.opaque_info(row)) == row


def test_route_delete_names_dest_mask_interface_next_hop_proto() -> None:
    row = user_route(policy=7, proto=RouteProto.OSPF)
    q = _wire.delete_query(row)
    assert q == struct.pack("<I4s4sI4sI", ROUTE_MATCHING, ip("10.0.0.0"), ip("255.0.0.0"), 3, ip("192.168.1.254"), 13)
    assert len(q) == 24
    assert _wire.delete_query(row._replace(metric1=1, age=9, policy=0)) == q  # the other fields do not name it


def test_route_walk_index_names_dest_proto_policy_next_hop() -> None:
    row = user_route(policy=7, proto=RouteProto.OSPF)
    q = _wire.key_query(row)
    assert len(q) == 20
    assert q == struct.pack("<I4sII4s", IP_FORWARDROW, ip("10.0.0.0"), 13, 7, ip("192.168.1.254"))
    assert q == _wire.next_query(IpForwardRow, info(IP_FORWARDROW, row.to_bytes()))


def test_request_encoders_reject_what_is_not_a_declared_struct() -> None:
    with pytest.raises(TypeError):
        _wire.opaque_info(tuple(user_route()))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _wire.key_query(tuple(user_route()))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _wire.delete_query(tuple(user_route()))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        _wire.key_query(IpStats._make(range(23)))  # no key: cannot be named


# ------------------------------------------------------------ user-built rows


def test_user_route_accepts_str_int_and_ipv4address_alike() -> None:
    by_str = user_route()
    by_int = user_route(dest=0x0A000000, mask=0xFF000000, next_hop=0xC0A801FE)
    by_obj = user_route(
        dest=IPv4Address("10.0.0.0"), mask=IPv4Address("255.0.0.0"),
        next_hop=IPv4Address("192.168.1.254"),
    )  # fmt: skip
    assert by_str == by_int == by_obj
    assert hash(by_str) == hash(by_int) == hash(by_obj)
    assert by_int.dest == IPv4Address("10.0.0.0")


def test_user_route_defaults_policy_age_as_and_unused_metrics() -> None:
    row = IpForwardRow(
        dest="10.0.0.0", mask="255.0.0.0", next_hop="192.168.1.254", if_index=3,
        type=RouteType.INDIRECT, proto=RouteProto.NETMGMT, metric1=10,
    )  # fmt: skip
    assert (row.policy, row.age, row.next_hop_as) == (0, 0, 0)
    assert (row.metric2, row.metric3, row.metric4, row.metric5) == (METRIC_UNUSED,) * 4


def test_user_rows_are_built_by_keyword_and_make_takes_field_order() -> None:
    with pytest.raises(TypeError, match="keyword"):
        IpForwardRow("10.0.0.0", "255.0.0.0", 0, "192.168.1.254", 3, 4, 3, 120, 65001, 10, 20, 30, 40)  # type: ignore[misc]
    row = IpForwardRow._make(["10.0.0.0", "255.0.0.0", 0, "192.168.1.254", 3, 4, 3, 120, 65001, 10, 20, 30, 40,
                              METRIC_UNUSED])  # fmt: skip
    assert row == user_route()
    assert IpForwardRow._make(user_route()) == user_route()
    with pytest.raises(TypeError, match="14 values"):
        IpForwardRow._make(list(user_route())[:-1])
    with pytest.raises(TypeError, match="unexpected"):
        user_route(nonsense=1)


def test_user_route_missing_required_field_raises_type_error() -> None:
    with pytest.raises(TypeError, match="next_hop"):
        IpForwardRow(  # type: ignore[call-overload]
            dest="10.0.0.0", mask="255.0.0.0", if_index=3, type=3, proto=3, metric1=1
        )


@pytest.mark.parametrize(
    "field", ["policy", "if_index", "type", "proto", "age", "next_hop_as", "metric1", "metric5"]
)
@pytest.mark.parametrize("bad", [-1, 2**32])
def test_user_route_rejects_dwords_out_of_range(field: str, bad: int) -> None:
    with pytest.raises((ValueError, OverflowError), match=field):
        user_route(**{field: bad})


@pytest.mark.parametrize("bad", ["10.0.0", "10.0.0.256", "fe80::1", "", "route"])
def test_user_route_rejects_bad_address_strings(bad: str) -> None:
    with pytest.raises(ValueError, match="next_hop"):
        user_route(next_hop=bad)


def test_user_route_rejects_out_of_range_int_addresses_and_other_types() -> None:
    with pytest.raises(AddressValueError):
        user_route(dest=2**32)
    with pytest.raises(TypeError):
        user_route(dest=1.5)
    with pytest.raises(TypeError):
        user_route(metric1="10")


def test_other_user_rows_validate_their_fields() -> None:
    with pytest.raises(ValueError):
        UdpRow(local_addr="1.2.3.4", local_port=65536)
    with pytest.raises(ValueError):
        TcpRow(state=5, local_addr="1.2.3.4", local_port=-1, remote_addr="5.6.7.8", remote_port=80)
    with pytest.raises(ValueError):
        IpNetRow(index=1, phys_addr=b"\x00" * 9, addr="1.2.3.4", type=3)
    with pytest.raises(ValueError):
        IpAddrRow(addr="1.2.3.4", index=1, mask="255.0.0.0", bcast_addr=1, reasm_size=0, type=0x10000)
    with pytest.raises(ValueError):
        IpAddrRow(addr="1.2.3.4", index=1, mask="255.0.0.300", bcast_addr=1, reasm_size=0, type=1)


# ------------------------------------------------------------- public view


def decoded_route() -> IpForwardRow:
    return IpForwardRow.decode_table(table(IP_FORWARDTABLE, [route_bytes()]))[0]


PUBLIC = (
    IPv4Address("10.0.0.0"), IPv4Address("255.0.0.0"), 0, IPv4Address("192.168.1.254"), 3,
    RouteType.INDIRECT, RouteProto.NETMGMT, 120, 65001, 10, 20, 30, 40, METRIC_UNUSED,
)  # fmt: skip


def test_indexing_and_slicing_present_public_values() -> None:
    row = decoded_route()
    assert row[0] == IPv4Address("10.0.0.0") and isinstance(row[0], IPv4Address)
    assert row[3] == IPv4Address("192.168.1.254")
    assert row[5] is RouteType.INDIRECT
    assert row[-1] == METRIC_UNUSED
    assert row[:2] == (IPv4Address("10.0.0.0"), IPv4Address("255.0.0.0"))
    with pytest.raises(IndexError):
        row[14]


def test_iteration_and_unpacking_present_public_values() -> None:
    row = decoded_route()
    assert tuple(row) == PUBLIC
    assert list(row) == list(PUBLIC)
    dest, mask, *_ = row
    assert (dest, mask) == PUBLIC[:2]
    assert len(row) == 14
    assert IPv4Address("192.168.1.254") in row
    assert ip("192.168.1.254") not in row
    assert row.count(IPv4Address("10.0.0.0")) == 1


def test_asdict_and_repr_present_public_values() -> None:
    row = decoded_route()
    assert row._asdict() == dict(zip(IpForwardRow._fields, PUBLIC))
    assert list(row._asdict()) == list(IpForwardRow._fields)
    text = repr(row)
    assert text.startswith("IpForwardRow(dest=IPv4Address('10.0.0.0'), mask=IPv4Address(")
    assert "type=<RouteType.INDIRECT: 4>" in text
    assert "b'" not in text


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trips_with_public_values(protocol: int) -> None:
    row = decoded_route()
    back = pickle.loads(pickle.dumps(row, protocol))
    assert back == row and type(back) is IpForwardRow
    assert back.dest == IPv4Address("10.0.0.0") and tuple(back) == PUBLIC
    others = (
        UdpRow(local_addr="1.2.3.4", local_port=53),
        TcpRow(state=5, local_addr="1.2.3.4", local_port=1, remote_addr="5.6.7.8", remote_port=2),
        IpNetRow(index=1, phys_addr=b"\x01\x02", addr="1.2.3.4", type=3),
        IpAddrRow(addr="1.2.3.4", index=1, mask="255.0.0.0", bcast_addr=1, reasm_size=0, type=1),
    )
    for other in others:
        assert pickle.loads(pickle.dumps(other, protocol)) == other


def test_copy_keeps_the_row() -> None:
    row = decoded_route()
    assert copy.copy(row) == row
    assert copy.deepcopy(row) == row


def test_decoded_and_user_built_rows_are_equal_and_hash_alike() -> None:
    decoded, built = decoded_route(), user_route()
    assert decoded == built
    assert hash(decoded) == hash(built)
    assert {decoded: 1}[built] == 1
    assert decoded != user_route(metric1=11)


def test_rows_sort_by_address_value() -> None:
    dests = ["10.0.0.0", "9.255.0.0", "192.168.0.0", "10.0.0.128"]
    rows = sorted(user_route(dest=d, mask="255.255.255.255") for d in dests)
    assert [str(r.dest) for r in rows] == sorted(dests, key=IPv4Address)


def test_replace_and_make_validate_like_the_constructor() -> None:
    row = decoded_route()
    assert row._replace(metric1=5).metric1 == 5
    assert row._replace(dest="172.16.0.0").dest == IPv4Address("172.16.0.0")
    with pytest.raises(ValueError):
        row._replace(metric1=-1)
    with pytest.raises(ValueError):
        row._replace(nonsense=1)
    assert IpForwardRow._make(PUBLIC) == row


def test_rows_are_immutable() -> None:
    row = decoded_route()
    with pytest.raises(AttributeError):
        row.dest = IPv4Address("1.2.3.4")  # type: ignore[misc]
    with pytest.raises(AttributeError):
        row.extra = 1  # type: ignore[attr-defined]


def test_match_statement_binds_public_values() -> None:
    match decoded_route():
        case IpForwardRow(dest, mask, next_hop=hop):
            assert (dest, mask, hop) == (PUBLIC[0], PUBLIC[1], PUBLIC[3])
        case _:
            pytest.fail("no match")


def test_every_row_type_has_a_docstring_naming_its_struct() -> None:
    structs = {
        IfRow: "MIB_IFROW", IpAddrRow: "MIB_IPADDRROW", IpForwardRow: "MIB_IPFORWARDROW",
        IpNetRow: "MIB_IPNETROW", IpStats: "MIB_IPSTATS", IcmpStats: "MIB_ICMP",
        IcmpCounters: "MIBICMPSTATS", TcpStats: "MIB_TCPSTATS", UdpStats: "MIB_UDPSTATS",
        TcpRow: "MIB_TCPROW", UdpRow: "MIB_UDPROW",
    }  # fmt: skip
    for cls, name in structs.items():
        assert name in (cls.__doc__ or ""), cls
