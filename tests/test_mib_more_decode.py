"""The rest of the IP router manager's structures: replies built with struct, decoded field by field.

Runs natively: no compiled module, no router.
"""

from __future__ import annotations

import struct
from ipaddress import IPv4Address

import pytest

from mib_bytes import info, ip, route_bytes, table
from mprapi_cffi import (
    IF_STATUS,
    MCAST_MFE,
    MCAST_SCOPE,
    BestIf,
    IfAdminStatus,
    IfNumber,
    IfStatus,
    IpDestRow,
    IpForwardRow,
    McastMfe,
    McastMfeStatsEx,
    McastOif,
    McastOifStats,
    McastScope,
    ProxyArp,
    RouteProto,
    RouteState,
)

A = IPv4Address


def test_counts_are_one_dword() -> None:
    assert IfNumber.decode(info(0, struct.pack("<I", 7))).value == 7
    with pytest.raises(ValueError, match="too short"):
        IfNumber.decode(info(0, b"\x07\x00\x00"))


def test_if_status_reads_bools_from_any_nonzero_dword() -> None:
    row = IfStatus.decode(info(IF_STATUS, struct.pack("<5I", 3, 1, 4, 2, 0)))
    assert (row.if_index, row.admin_status, row.oper_status) == (3, IfAdminStatus.UP, 4)
    assert row.mhbeat_active is True and row.mhbeat_alive is False
    assert IfStatus(if_index=3, admin_status=1, oper_status=4, mhbeat_active=True, mhbeat_alive=False) == row
    with pytest.raises(ValueError, match="mhbeat_alive"):
        IfStatus(if_index=3, admin_status=1, oper_status=4, mhbeat_active=True, mhbeat_alive=2)


def test_best_if_and_route_state_and_proxy_arp() -> None:
    best = BestIf.decode(info(20, ip("10.9.8.7") + struct.pack("<I", 12)))
    assert (best.dest_addr, best.if_index) == (A("10.9.8.7"), 12)
    assert RouteState.decode(info(34, struct.pack("<I", 1))).routes_set_to_stack is True
    (entry,) = ProxyArp.decode_table(table(22, [ip("192.168.5.0") + ip("255.255.255.0") + struct.pack("<I", 4)]))
    assert (entry.address, entry.mask, entry.if_index) == (A("192.168.5.0"), A("255.255.255.0"), 4)


def test_ip_dest_row_is_the_sdk_64_byte_layout_a_route_then_preference_and_view_set() -> None:
    # MinGW-w64's C header makes MIB_IPDESTROW a 12-byte union; the SDK and the router: 64 bytes.
    assert IpDestRow.layout.size == 64
    assert IpDestRow._offsets == {"route": 0, "preference": 56, "view_set": 60}
    payload = route_bytes(dest=ip("10.1.0.0"), proto=13) + struct.pack("<II", 110, 0b11)
    (row,) = IpDestRow.decode_table(table(31, [payload, payload], count=1))
    assert isinstance(row.route, IpForwardRow)
    assert (row.route.dest, row.route.proto, row.preference, row.view_set) == (A("10.1.0.0"), RouteProto.OSPF, 110, 3)
    assert row.to_bytes() == payload


def test_scope_name_is_utf16_up_to_its_nul_and_clamped_to_its_array() -> None:
    name = "Zone Ökö 東".encode("utf-16-le") + b"\x00\x00"
    payload = ip("239.192.0.0") + ip("255.252.0.0") + name.ljust(512, b"\xab") + struct.pack("<I", 1)
    scope = McastScope.decode(info(MCAST_SCOPE, payload))
    assert (scope.group_address, scope.group_mask, scope.name, scope.status) == (
        A("239.192.0.0"), A("255.252.0.0"), "Zone Ökö 東", 1)  # fmt: skip
    unterminated = ip("239.192.0.0") + ip("255.252.0.0") + ("x" * 256).encode("utf-16-le") + struct.pack("<I", 1)
    assert McastScope.decode(info(MCAST_SCOPE, unterminated)).name == "x" * 256  # never past the 256 WCHARs


def _mfe(group: str, out: list[tuple[int, str]]) -> bytes:
    fixed = struct.pack("<4s4s4s4sIII4s4s6I", ip(group), ip("10.0.0.5"), ip("255.255.255.255"), ip("10.0.0.254"),
                        1, 2, 3, ip("10.0.0.0"), ip("255.0.0.0"), 100, 200, 300, len(out), 0, 0)  # fmt: skip
    return fixed + b"".join(struct.pack("<I4sII", index, ip(hop), 0, 0) for index, hop in out)


def test_mfe_table_rows_carry_their_own_number_of_outgoing_interfaces() -> None:
    rows = [_mfe("239.1.1.1", []), _mfe("239.1.1.2", [(4, "10.4.0.1")]),
            _mfe("239.1.1.3", [(4, "10.4.0.1"), (5, "10.5.0.1"), (6, "10.6.0.1")])]  # fmt: skip
    reply = info(MCAST_MFE, struct.pack("<I", 3) + b"".join(rows))
    a, b, c = McastMfe.decode_table(reply)
    assert (a.group, a.num_out_if, a.out_ifs) == (A("239.1.1.1"), 0, ())
    assert b.out_ifs == (McastOif(out_if_index=4, next_hop_addr="10.4.0.1"),)
    assert [o.out_if_index for o in c.out_ifs] == [4, 5, 6] and c.out_ifs[2].next_hop_addr == A("10.6.0.1")
    assert (c.source, c.up_strm_ngbr, c.in_if_index, c.route_network, c.up_time, c.time_out) == (
        A("10.0.0.5"), A("10.0.0.254"), 1, A("10.0.0.0"), 100, 300)  # fmt: skip
    assert c.to_bytes() == rows[2]


def test_mfe_count_beyond_the_reply_raises() -> None:
    row = _mfe("239.1.1.3", [(4, "10.4.0.1"), (5, "10.5.0.1")])
    with pytest.raises(ValueError, match="num_out_if claims 2 entries, the reply holds 1"):
        McastMfe.decode_table(info(MCAST_MFE, struct.pack("<I", 1) + row[:-16]))
    with pytest.raises(ValueError, match="reply holds 1 rows but claims 2"):
        McastMfe.decode_table(info(MCAST_MFE, struct.pack("<I", 2) + row))
    with pytest.raises(ValueError, match="reply holds 0 rows but claims 1"):
        McastMfe.decode_table(info(MCAST_MFE, struct.pack("<I", 1) + row[:59]))


def test_mfe_built_by_keyword_counts_its_interfaces_and_checks_the_count() -> None:
    oifs = [McastOifStats(out_if_index=i, next_hop_addr="10.0.0.1", ttl_too_low=0, frag_needed=0, out_packets=i,
                          out_discards=0) for i in (1, 2)]  # fmt: skip
    values = {name: 0 for name in McastMfeStatsEx._fields if name not in ("num_out_if", "out_stats")}
    values.update(group="239.0.0.1", source="10.0.0.1", src_mask="255.255.255.255", up_strm_ngbr="0.0.0.0",
                  route_network="10.0.0.0", route_mask="255.0.0.0")  # fmt: skip
    row = McastMfeStatsEx(**values, out_stats=oifs)
    assert row.num_out_if == 2 and len(row.to_bytes()) == 84 + 2 * 28
    assert McastMfeStatsEx.decode(info(35, row.to_bytes())) == row
    with pytest.raises(ValueError, match="num_out_if"):
        McastMfeStatsEx(**values, out_stats=oifs, num_out_if=3)
    with pytest.raises(TypeError, match="McastOifStats"):
        McastMfeStatsEx(**values, out_stats=[McastOif(out_if_index=1, next_hop_addr="10.0.0.1")])
    assert row._replace(out_stats=oifs[:1]).num_out_if == 1
