"""Every read in MS-RRASM's form: the query each method sends (2.2.1.2.53) and the replies it reads (2.2.1.2.52).

Runs natively: a scripted router answers instead of the DLL and records what
it was sent.  The same reads against the strict stand-in router are in
test_spec_reads_lane.py.
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Iterator
from ipaddress import IPv4Address, IPv6Address
from typing import Any

import pytest

import mprapi_cffi as mpr
from mprapi_cffi import _wire
from mib_bytes import if_row_bytes, info, ip, net_row_bytes, route_bytes, table
from mprapi_cffi.mib import (
    Ip6RouteEntry, IpForwardRow, McastGlobal, McastMfe, McastMfeStats, McastMfeStatsEx, McastOif, McastOifStats,
    ProxyArp, RouteInfo,
)
from mprapi_cffi.mib.routes import best_route_reply

ONES = 0xFFFFFFFF


class ScriptedServer(mpr.MibServer):
    """Answers Get, GetFirst and GetNext from a script; records (call, pid, query). Never connects."""

    def __init__(self, replies: list[bytes | int]) -> None:  # no super(): nothing to bind
        self.script: Iterator[bytes | int] = iter(replies)
        self.sent: list[tuple[str, int, bytes]] = []

    def _answer(self, call: str, pid: int, routing_pid: int, query: Any) -> bytes:
        assert routing_pid == mpr.IPRTRMGR_PID
        self.sent.append((call, pid, bytes(query)))
        answer = next(self.script)
        if isinstance(answer, int):
            raise mpr.MprError(answer, "scripted", f"MprAdminMIBEntry{call}")
        return answer

    def get(self, pid: int, routing_pid: int, query: Any) -> bytes:
        return self._answer("Get", pid, routing_pid, query)

    def get_first(self, pid: int, routing_pid: int, query: Any) -> bytes:
        return self._answer("GetFirst", pid, routing_pid, query)

    def get_next(self, pid: int, routing_pid: int, query: Any) -> bytes:
        return self._answer("GetNext", pid, routing_pid, query)

    @property
    def queries(self) -> list[tuple[str, bytes]]:
        return [(call, query) for call, _, query in self.sent]


def q(*dwords: int | bytes) -> bytes:
    """A MIB_OPAQUE_QUERY: ints are DWORDs, bytes (addresses) go as they are."""
    return b"".join(d if isinstance(d, bytes) else struct.pack("<I", d) for d in dwords)


def route_info_bytes(dest: str = "10.0.0.0", mask: str = "255.0.0.0", next_hop: str = "192.168.1.254",
                     if_index: int = 3, preference: int = 3, view_set: int = 1) -> bytes:
    ipv4_arm = struct.pack("<4s4sI4s5I", ip(dest), ip(mask), 0, ip(next_hop), 120, 65001, 10, 20, 30)
    return ipv4_arm + bytes(12) + struct.pack("<6I", if_index, 4, 3, preference, view_set, 1)


def route6_bytes(index: int, dest: str = "2001:db8:10::", length: int = 64, next_hop: str = "fe80::1") -> bytes:
    arm = struct.pack("<16sI16sIII", IPv6Address(dest).packed, length, IPv6Address(next_hop).packed, ONES, 0, 256)
    return struct.pack("<I", index) + arm + struct.pack("<6I", 4, 4, 3, 3, 3, 0)


def mfe_bytes(group: str, source: str, oifs: int, *, w2k: bool = False) -> bytes:
    fixed = struct.pack("<4s4s4s4s5I4I2I", ip(group), ip(source), ip("255.255.255.255"), ip("10.0.0.1"),
                        2, 3, 13, 0, 0, 100, 200, 300, oifs, 0, 0)
    assert len(fixed) == 60
    if w2k:  # MS-RRASM's MIB_IPMCAST_OIF with its PVOID, as a 64-bit compiler lays it out: array at 64
        return fixed + bytes(4) + b"".join(struct.pack("<I4sQI4x", 5 + i, ip("10.0.5.1"), 0, 0) for i in range(oifs))
    return fixed + b"".join(struct.pack("<I4sII", 5 + i, ip("10.0.5.1"), 0, 0) for i in range(oifs))


def mfe_stats_bytes(group: str, source: str, oifs: int, *, w2k: bool = False, ex: bool = False) -> bytes:
    fixed = struct.pack("<4s4s4s4s5I7I", ip(group), ip(source), ip("255.255.255.255"), ip("10.0.0.1"),
                        2, 3, 13, 0, 0, 100, 200, oifs, 1000, 2000, 3, 4)
    assert len(fixed) == 64
    if ex:
        fixed += struct.pack("<5I", 5, 6, 7, 8, 9)
    entry = "<I4sQIIII" if w2k else "<I4sIIIII"
    return fixed + b"".join(struct.pack(entry, 5 + i, ip("10.0.5.1"), 0, 11, 12, 13, 14) for i in range(oifs))


def mfe_table(var: int, rows: list[bytes], *, w2k: bool = False) -> bytes:
    """MIB_MFE_TABLE or MIB_MFE_STATS_TABLE; with the PVOID forms the rows are 8-aligned: 4 pad bytes first."""
    return info(var, struct.pack("<I", len(rows)) + (bytes(4) if w2k and rows else b"") + b"".join(rows))


# ---------------------------------------------------------------- the queries


def test_best_route_sends_dest_and_a_zero_and_reads_interface_route_info() -> None:
    server = ScriptedServer([info(mpr.BEST_ROUTE, route_info_bytes(preference=7, view_set=2))])
    route = server.best_route("10.1.2.3")
    assert server.sent == [("Get", mpr.PID_IP, q(mpr.BEST_ROUTE, ip("10.1.2.3"), 0))]
    assert isinstance(route, RouteInfo)
    assert (route.dest, route.next_hop, route.if_index, route.preference, route.view_set, route.v4) == (
        IPv4Address("10.0.0.0"), IPv4Address("192.168.1.254"), 3, 7, 2, True)
    assert (route.metric1, route.metric2, route.metric3, route.age, route.next_hop_as) == (10, 20, 30, 120, 65001)
    assert route.forward_row() == IpForwardRow(dest="10.0.0.0", mask="255.0.0.0", next_hop="192.168.1.254",
                                               if_index=3, type=4, proto=3, age=120, next_hop_as=65001,
                                               metric1=10, metric2=20, metric3=30)


def test_best_route_reads_the_sdks_56_byte_row_too() -> None:
    route = best_route_reply(info(mpr.BEST_ROUTE, route_bytes()))
    assert isinstance(route, IpForwardRow)
    assert (route.dest, route.if_index, route.metric4) == (IPv4Address("10.0.0.0"), 3, 40)


@pytest.mark.parametrize("size", [0, 4, 55, 57, 62, 71])
def test_best_route_refuses_a_reply_of_neither_length(size: int) -> None:
    with pytest.raises(ValueError, match="malformed BEST_ROUTE reply"):
        best_route_reply(info(mpr.BEST_ROUTE, bytes(size)))


@pytest.mark.parametrize("method, var", [
    ("dest_matching", mpr.DEST_MATCHING), ("dest_longer", mpr.DEST_LONGER), ("dest_shorter", mpr.DEST_SHORTER),
    ("route_matching", mpr.ROUTE_MATCHING), ("route_longer", mpr.ROUTE_LONGER),
    ("route_shorter", mpr.ROUTE_SHORTER),
])  # fmt: skip
def test_route_lookups_send_dest_mask_view_set_and_proto(method: str, var: int) -> None:
    server = ScriptedServer([table(var, []), table(var, [])])
    assert getattr(server, method)("10.0.0.0", "255.0.0.0") == []
    getattr(server, method)("10.0.0.0", "255.0.0.0", view_set=mpr.VIEW_UNICAST, proto=mpr.RouteProto.NETMGMT)
    assert server.queries == [
        ("Get", q(var, ip("10.0.0.0"), ip("255.0.0.0"), mpr.VIEW_ANY, mpr.ANY_PROTO)),
        ("Get", q(var, ip("10.0.0.0"), ip("255.0.0.0"), 1, 3)),
    ]


@pytest.mark.parametrize("bad", [{"view_set": -1}, {"proto": 2**32}, {"proto": "3"}])
def test_route_lookups_refuse_bad_view_sets_and_protos_before_any_call(bad: dict[str, Any]) -> None:
    server = ScriptedServer([])
    with pytest.raises((TypeError, ValueError)):
        server.route_matching("10.0.0.0", "255.0.0.0", **bad)
    assert server.sent == []


@pytest.mark.parametrize("struct_type, first", [
    (mpr.IfRow, q(mpr.IF_ROW, 0)), (mpr.IpAddrRow, q(mpr.IP_ADDRROW, 0)),
    (mpr.IpForwardRow, q(mpr.IP_FORWARDROW, 0, 0, 0, 0)), (mpr.IpNetRow, q(mpr.IP_NETROW, 0, 0)),
    (mpr.TcpRow, q(mpr.TCP_ROW, 0, 0, 0, 0)), (mpr.UdpRow, q(mpr.UDP_ROW, 0, 0)),
    (mpr.IfStatus, q(mpr.IF_STATUS, 0)), (mpr.McastIfEntry, q(mpr.MCAST_IF_ENTRY, 0)),
    (mpr.McastBoundary, q(mpr.MCAST_BOUNDARY, 0, 0, 0)), (mpr.McastScope, q(mpr.MCAST_SCOPE, 0, 0)),
    (McastMfe, q(mpr.MCAST_MFE, 0, 0, ONES)), (McastMfeStats, q(mpr.MCAST_MFE_STATS, 0, 0, ONES)),
    (McastMfeStatsEx, q(mpr.MCAST_MFE_STATS_EX, 0, 0, ONES)), (ProxyArp, q(mpr.PROXY_ARP, 0, 0, 0)),
    (Ip6RouteEntry, q(mpr.IP_FORWARDROW, 0)),
])  # fmt: skip
def test_walks_start_with_an_index_of_the_specified_size(struct_type: type[Any], first: bytes) -> None:
    server = ScriptedServer([mpr.ERROR_NO_DATA])
    assert list(server.walk(struct_type)) == []
    pid = mpr.PID_IPV6 if struct_type is Ip6RouteEntry else mpr.PID_IP
    assert server.sent == [("GetFirst", pid, first)]


def test_mfe_walk_reads_tables_names_the_last_entry_with_a_mask_of_all_ones_and_ends_at_null_data() -> None:
    first = table(mpr.MCAST_MFE, [mfe_bytes("239.1.1.1", "10.0.0.5", 1), mfe_bytes("239.1.1.2", "10.0.0.6", 0)])
    second = table(mpr.MCAST_MFE, [mfe_bytes("239.2.2.2", "0.0.0.0", 2)])
    server = ScriptedServer([first, second, b""])
    rows = server.mfe_table()
    assert [(str(r.group), len(r.out_ifs)) for r in rows] == [("239.1.1.1", 1), ("239.1.1.2", 0), ("239.2.2.2", 2)]
    assert server.queries == [
        ("GetFirst", q(mpr.MCAST_MFE, 0, 0, ONES)),
        ("GetNext", q(mpr.MCAST_MFE, ip("239.1.1.2"), ip("10.0.0.6"), ONES)),
        ("GetNext", q(mpr.MCAST_MFE, ip("239.2.2.2"), ip("0.0.0.0"), ONES)),
    ]


@pytest.mark.parametrize("end", [b"", table(mpr.MCAST_MFE, []), mpr.ERROR_NO_MORE_ITEMS])
def test_mfe_walk_ends_cleanly_however_the_router_says_there_are_no_more(end: bytes | int) -> None:
    server = ScriptedServer([table(mpr.MCAST_MFE, [mfe_bytes("239.1.1.1", "10.0.0.5", 0)]), end])
    assert len(server.mfe_table()) == 1


def test_a_missing_mfe_is_none_and_a_found_one_is_its_row() -> None:
    server = ScriptedServer([b"", table(mpr.MCAST_MFE_STATS, [mfe_stats_bytes("239.1.1.1", "10.0.0.5", 1)])])
    assert server.mfe("239.9.9.9", "10.0.0.9") is None
    stats = server.mfe_stats("239.1.1.1", "10.0.0.5")
    assert stats is not None and stats.in_pkts == 1000 and stats.out_stats[0].out_packets == 13
    assert server.queries == [("Get", q(mpr.MCAST_MFE, ip("239.9.9.9"), ip("10.0.0.9"), ONES)),
                              ("Get", q(mpr.MCAST_MFE_STATS, ip("239.1.1.1"), ip("10.0.0.5"), ONES))]


def test_ip_net_table_of_one_interface_sends_its_index() -> None:
    server = ScriptedServer([table(mpr.IP_NETTABLE, [net_row_bytes(index=4)])])
    assert [r.index for r in server.ip_net_table(4)] == [4]
    assert server.queries == [("Get", q(mpr.IP_NETTABLE, 4))]


def test_ip_net_table_of_every_interface_asks_each_interface_the_if_table_names() -> None:
    ifs = table(mpr.IF_TABLE, [if_row_bytes(index=1), if_row_bytes(index=4), if_row_bytes(index=9)])
    server = ScriptedServer([ifs, table(mpr.IP_NETTABLE, [net_row_bytes(index=1)]), mpr.ERROR_INVALID_INDEX,
                             table(mpr.IP_NETTABLE, [net_row_bytes(index=9), net_row_bytes(index=9)])])
    assert [r.index for r in server.ip_net_table()] == [1, 9, 9]
    assert server.queries == [("Get", q(mpr.IF_TABLE)), ("Get", q(mpr.IP_NETTABLE, 1)),
                              ("Get", q(mpr.IP_NETTABLE, 4)), ("Get", q(mpr.IP_NETTABLE, 9))]


def test_ip_net_table_passes_other_errors_on_and_refuses_index_zero_before_any_call() -> None:
    ifs = table(mpr.IF_TABLE, [if_row_bytes(index=1)])
    with pytest.raises(mpr.MprError):
        ScriptedServer([ifs, 1722]).ip_net_table()
    server = ScriptedServer([])
    with pytest.raises(ValueError):
        server.ip_net_table(0)
    assert server.sent == []


def test_ipv6_routes_are_walked_by_their_index_under_pid_ipv6() -> None:
    server = ScriptedServer([info(mpr.IP_FORWARDROW, route6_bytes(3, "::", 0)),
                             info(mpr.IP_FORWARDROW, route6_bytes(7)), mpr.ERROR_NO_MORE_ITEMS])
    rows = server.ip6_forward_table()
    assert server.sent == [("GetFirst", mpr.PID_IPV6, q(mpr.IP_FORWARDROW, 0)),
                           ("GetNext", mpr.PID_IPV6, q(mpr.IP_FORWARDROW, 3)),
                           ("GetNext", mpr.PID_IPV6, q(mpr.IP_FORWARDROW, 7))]
    assert [(r.index, r.dest, r.prefix_length, r.next_hop) for r in rows] == [
        (3, IPv6Address("::"), 0, IPv6Address("fe80::1")),
        (7, IPv6Address("2001:db8:10::"), 64, IPv6Address("fe80::1")),
    ]
    last = rows[1]
    assert (last.valid_lifetime, last.metric, last.if_index, last.type, last.proto) == (ONES, 256, 4, 4, 3)
    assert (rows[1].preference, rows[1].view_set, rows[1].v4) == (3, 3, False)


def test_one_ipv6_route_is_a_get_by_its_index_under_pid_ipv6() -> None:
    server = ScriptedServer([info(mpr.IP_FORWARDROW, route6_bytes(7))])
    assert server.ip6_forward_row(7).index == 7
    assert server.sent == [("Get", mpr.PID_IPV6, q(mpr.IP_FORWARDROW, 7))]
    with pytest.raises(ValueError):
        server.ip6_forward_row(-1)


def test_ipv6_interfaces_are_if_table_under_pid_ipv6() -> None:
    server = ScriptedServer([table(mpr.IF_TABLE, [if_row_bytes(index=4)])])
    assert [r.index for r in server.ip6_if_table()] == [4]
    assert server.sent == [("Get", mpr.PID_IPV6, q(mpr.IF_TABLE))]


@pytest.mark.parametrize("method, name", [("ip6_stats", "IP6_STATS"), ("udp6_stats", "UDP6_STATS"),
                                          ("tcp6_stats", "TCP6_STATS")])
def test_a_refused_ipv6_statistic_says_the_specification_does_not_list_it(method: str, name: str) -> None:
    with pytest.raises(mpr.MprError) as raised:
        getattr(ScriptedServer([87]), method)()
    assert raised.value.winerror == 87 and f"does not serve {name}" in str(raised.value)
    with pytest.raises(mpr.MprError) as other:
        getattr(ScriptedServer([1722]), method)()
    assert other.value.strerror == "scripted"


def test_a_short_ipv6_statistic_is_a_value_error_not_a_wrong_decode() -> None:
    with pytest.raises(ValueError, match="too short"):
        ScriptedServer([info(mpr.IP6_STATS, bytes(20))]).ip6_stats()


# ----------------------------------------------------------------- the replies


@pytest.mark.parametrize("wire, enabled", [(1, True), (2, False)])
def test_mcast_global_reads_1_as_enabled_and_2_as_not(wire: int, enabled: bool) -> None:
    row = McastGlobal.decode(info(mpr.MCAST_GLOBAL, struct.pack("<I", wire)))
    assert row.enable is enabled
    assert McastGlobal(enable=enabled).to_bytes() == struct.pack("<I", wire)


@pytest.mark.parametrize("wire", [0, 3, ONES])
def test_mcast_global_refuses_any_other_value_naming_the_field(wire: int) -> None:
    with pytest.raises(ValueError, match="dwEnable is"):
        McastGlobal.decode(info(mpr.MCAST_GLOBAL, struct.pack("<I", wire)))


def test_proxy_arp_reads_one_row_or_a_table_by_length() -> None:
    row = struct.pack("<4s4sI", ip("10.0.0.7"), ip("255.255.255.255"), 3)
    one = [(IPv4Address("10.0.0.7"), IPv4Address("255.255.255.255"), 3)]
    assert ProxyArp.decode_rows(info(mpr.PROXY_ARP, row)) == one
    two = ProxyArp.decode_rows(table(mpr.PROXY_ARP, [row, row]))
    assert len(two) == 2 and two[1].if_index == 3
    assert ProxyArp.decode_rows(table(mpr.PROXY_ARP, [])) == []
    for size in (0, 3, 8, 13, 20):
        with pytest.raises(ValueError, match="malformed PROXY_ARP reply"):
            ProxyArp.decode_rows(info(mpr.PROXY_ARP, bytes(size)))


def test_walks_name_the_last_row_with_its_index_as_the_router_sent_it() -> None:
    from mib_bytes import port, udp_row_bytes

    row = udp_row_bytes(ip("10.0.0.1"), port(53, b"\xcd\xab"))
    server = ScriptedServer([info(mpr.UDP_ROW, row), mpr.ERROR_NO_MORE_ITEMS])
    assert len(list(server.walk(mpr.UdpRow))) == 1
    assert server.queries[1] == ("GetNext", q(mpr.UDP_ROW) + row)  # the port DWORD's upper half as it came


def test_an_mfe_stats_ex_walk_stays_on_its_variable_when_the_rows_are_mfe_stats() -> None:
    rows = mfe_table(mpr.MCAST_MFE_STATS_EX, [mfe_stats_bytes("239.1.1.1", "10.0.0.5", 1)])
    server = ScriptedServer([rows, b""])
    assert [type(r) for r in server.mfe_stats_ex_table()] == [McastMfeStats]
    assert server.queries[1] == ("GetNext", q(mpr.MCAST_MFE_STATS_EX, ip("239.1.1.1"), ip("10.0.0.5"), ONES))


def test_proxy_arp_walk_goes_on_after_a_table_reply() -> None:
    row = struct.pack("<4s4sI", ip("10.0.0.7"), ip("255.255.255.255"), 3)
    row2 = struct.pack("<4s4sI", ip("10.0.0.9"), ip("255.255.255.0"), 4)
    server = ScriptedServer([table(mpr.PROXY_ARP, [row, row2]), mpr.ERROR_NO_MORE_ITEMS])
    assert [r.if_index for r in server.proxy_arp_table()] == [3, 4]
    assert server.queries[1] == ("GetNext", q(mpr.PROXY_ARP, ip("10.0.0.9"), ip("255.255.255.0"), 4))


@pytest.mark.parametrize("w2k", [False, True], ids=["sdk-16", "spec-24"])
def test_mfe_tables_read_either_outgoing_interface_form(w2k: bool) -> None:
    rows = [mfe_bytes("239.1.1.1", "10.0.0.5", 2, w2k=w2k), mfe_bytes("239.1.1.2", "0.0.0.0", 1, w2k=w2k)]
    reply = mfe_table(mpr.MCAST_MFE, rows, w2k=w2k)
    rows = McastMfe.decode_table(reply)
    assert [len(r.out_ifs) for r in rows] == [2, 1]
    assert rows[0].out_ifs == (McastOif(out_if_index=5, next_hop_addr="10.0.5.1"),
                               McastOif(out_if_index=6, next_hop_addr="10.0.5.1"))
    assert rows[1].time_out == 300


@pytest.mark.parametrize("w2k", [False, True], ids=["sdk-28", "spec-32"])
def test_mfe_stats_tables_read_either_outgoing_interface_form(w2k: bool) -> None:
    reply = mfe_table(mpr.MCAST_MFE_STATS, [mfe_stats_bytes("239.1.1.1", "10.0.0.5", 2, w2k=w2k)], w2k=w2k)
    rows = McastMfeStats.decode_table(reply)
    assert rows[0].out_stats[1] == McastOifStats(out_if_index=6, next_hop_addr="10.0.5.1", ttl_too_low=11,
                                                 frag_needed=12, out_packets=13, out_discards=14)


@pytest.mark.parametrize("w2k, ex", [(False, True), (False, False), (True, False)],
                         ids=["sdk-84-byte-rows", "spec-64-byte-rows", "spec-64-byte-rows-32-byte-entries"])
def test_mfe_stats_ex_reads_the_sdks_rows_or_the_specifications(w2k: bool, ex: bool) -> None:
    reply = mfe_table(mpr.MCAST_MFE_STATS_EX, [mfe_stats_bytes("239.1.1.1", "10.0.0.5", 1, w2k=w2k, ex=ex),
                                               mfe_stats_bytes("239.1.1.2", "10.0.0.5", 2, w2k=w2k, ex=ex)], w2k=w2k)
    rows = McastMfeStatsEx.decode_table(reply)
    assert [type(r) for r in rows] == [McastMfeStatsEx if ex else McastMfeStats] * 2
    assert [len(r.out_stats) for r in rows] == [1, 2] and rows[1].out_stats[1].out_discards == 14
    if ex:
        assert (rows[0].uninit_mfe, rows[0].total_out_packets) == (5, 9)


def test_an_mfe_table_that_fits_no_layout_is_refused() -> None:
    good = table(mpr.MCAST_MFE, [mfe_bytes("239.1.1.1", "10.0.0.5", 1)])
    for reply in (good + b"\0" * 4, good[:-4], good + b"\0" * 8):
        with pytest.raises(ValueError, match="malformed MFE table reply"):
            McastMfe.decode_table(reply)


def test_where_the_length_fits_two_forms_that_disagree_the_first_the_specifications_wins() -> None:
    reply = table(mpr.MCAST_MFE, [mfe_bytes("239.1.1.1", "10.0.0.5", 1)])
    swapped = _wire.SizedForm(McastMfe, 60, McastOif.layout, lambda v: (v[0] + 1, *v[1:]))
    plain = _wire.SizedForm(McastMfe, 60, McastOif.layout)
    assert _wire.decode_sized_forms(reply, [swapped, plain])[0].out_ifs[0].out_if_index == 6
    assert _wire.decode_sized_forms(reply, [plain, swapped])[0].out_ifs[0].out_if_index == 5


@pytest.mark.parametrize("empty", [b"", struct.pack("<I", mpr.MCAST_MFE), struct.pack("<II", mpr.MCAST_MFE, 0)])
def test_an_mfe_reply_without_data_is_no_rows(empty: bytes) -> None:
    assert McastMfe.decode_rows(empty) == []


@pytest.mark.parametrize("reply", [b"", b"\0" * 6, struct.pack("<II", mpr.IF_ROW, 0)])
def test_other_replies_without_data_are_errors(reply: bytes) -> None:
    with pytest.raises(ValueError):
        mpr.IfRow.decode_rows(reply)
    if len(reply) == 6:
        with pytest.raises(ValueError):
            McastMfe.decode_rows(reply)


def test_ipv6_route_entry_is_76_bytes_with_the_ipv6_arm() -> None:
    row = Ip6RouteEntry.decode(info(mpr.IP_FORWARDROW, route6_bytes(12, "2001:db8:20::", 48, "fe80::2")))
    assert (row.index, str(row.dest), row.prefix_length, str(row.next_hop)) == (12, "2001:db8:20::", 48, "fe80::2")
    assert row.to_bytes() == route6_bytes(12, "2001:db8:20::", 48, "fe80::2")
    with pytest.raises(ValueError, match="too short"):
        Ip6RouteEntry.decode(info(mpr.IP_FORWARDROW, route6_bytes(1)[:-1]))


# ------------------------------------------------- layouts MS-RRASM alone declares


def _spec_route_info() -> type[ctypes.Structure]:
    """INTERFACE_ROUTE_INFO as MS-RRASM 2.2.1.2.11 declares it, laid out by ctypes (the C compiler's rules)."""
    in6_addr = ctypes.c_ubyte * 16

    class V4(ctypes.Structure):
        _fields_ = [(name, ctypes.c_uint32) for name in (
            "dwRtInfoDest", "dwRtInfoMask", "dwRtInfoPolicy", "dwRtInfoNextHop", "dwRtInfoAge", "dwRtInfoNextHopAS",
            "dwRtInfoMetric1", "dwRtInfoMetric2", "dwRtInfoMetric3")]  # fmt: skip

    class V6(ctypes.Structure):
        _fields_ = [("DestinationPrefix", in6_addr), ("DestPrefixLength", ctypes.c_uint32),
                    ("NextHopAddress", in6_addr), ("ValidLifeTime", ctypes.c_uint32), ("Flags", ctypes.c_uint32),
                    ("Metric", ctypes.c_uint32)]  # fmt: skip

    class Arms(ctypes.Union):
        _anonymous_ = ("v4", "v6")
        _fields_ = [("v4", V4), ("v6", V6)]

    class InterfaceRouteInfo(ctypes.Structure):
        _anonymous_ = ("arms",)
        _fields_ = [("arms", Arms), *((name, ctypes.c_uint32) for name in (
            "dwRtInfoIfIndex", "dwRtInfoType", "dwRtInfoProto", "dwRtInfoPreference", "dwRtInfoViewSet", "bV4"))]

    return InterfaceRouteInfo


def test_route_info_is_laid_out_as_ms_rrasm_declares_interface_route_info() -> None:
    spec = _spec_route_info()
    assert ctypes.sizeof(spec) == RouteInfo.layout.size == 72
    for declared in RouteInfo._declared:
        assert RouteInfo._offsets[declared.name] == getattr(spec, declared.sdk).offset, declared.name


def test_ipv6_route_entry_is_laid_out_as_ms_rrasm_declares_interface_route_entry() -> None:
    class InterfaceRouteEntry(ctypes.Structure):  # 2.2.1.2.181
        _fields_ = [("dwIndex", ctypes.c_uint32), ("routeInfo", _spec_route_info())]

    info_offset = InterfaceRouteEntry.routeInfo.offset
    inner = _spec_route_info()
    assert ctypes.sizeof(InterfaceRouteEntry) == Ip6RouteEntry.layout.size == 76
    assert Ip6RouteEntry._offsets["index"] == InterfaceRouteEntry.dwIndex.offset == 0
    for declared in Ip6RouteEntry._declared[1:]:
        assert Ip6RouteEntry._offsets[declared.name] == info_offset + getattr(inner, declared.sdk).offset, declared.name
