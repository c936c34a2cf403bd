"""The stand-in router takes writes only in the form MS-RRASM gives (issue 11).

Raw bytes through MibServer.create/set/delete, so that these tests pin the
stand-in's side of the wire, independently of how the package builds its
requests (tests/test_ip_mib.py tests that):

- route Create and Set (3.1.4.27, 3.1.4.29): MIB_OPAQUE_INFO {ROUTE_MATCHING,
  pad, MIB_IPDESTROW}, 72 bytes; the route then has policy 0, metric4 and
  metric5 unused and preference 0x7F, whatever was sent;
- route Delete (3.1.4.28): MIB_OPAQUE_QUERY {ROUTE_MATCHING, dest, mask, if
  index, next hop, proto}, 24 bytes;
- IP_STATS Set: MIB_OPAQUE_INFO {IP_STATS, pad, MIB_IPSTATS}, 100 bytes, only
  dwForwarding and dwDefaultTTL written, 0xFFFFFFFF leaving either unchanged;
- anything else to those variables: 87, the older IP_FORWARDROW form included
  unless the stand-in's legacy switch is on.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Iterator

import pytest

import mprapi_cffi as mpr
from mprapi_cffi import MprError
from standin import Router

ERROR_INVALID_PARAMETER = 87
ERROR_ALREADY_EXISTS = 183
ERROR_INVALID_INDEX = 1413
UNCHANGED = 0xFFFFFFFF
UNUSED = 0xFFFFFFFF


def addr(text: str) -> int:
    """An IPv4 address as the DWORD a row holds (network byte order)."""
    return struct.unpack("<I", ipaddress.IPv4Address(text).packed)[0]


# MIB_IPFORWARDROW field order: dest, mask, policy, next hop, if index, type,
# proto, age, next hop AS, metric1..5.
def forward_row(dest: str, mask: str, next_hop: str, if_index: int, *, proto: int = 3, policy: int = 0,
                type_: int = 4, metric1: int = 10) -> tuple[int, ...]:
    return (addr(dest), addr(mask), policy, addr(next_hop), if_index, type_, proto, 0, 0, metric1,
            UNUSED, UNUSED, UNUSED, UNUSED)


def dest_row_info(row: tuple[int, ...], preference: int = 3, view_set: int = 3, *,
                  var: int = mpr.ROUTE_MATCHING) -> bytes:
    """MIB_OPAQUE_INFO {var, pad, MIB_IPDESTROW}: 8 + 56 + 4 + 4 = 72 bytes."""
    return struct.pack("<II14III", var, 0, *row, preference, view_set)


def delete_query(row: tuple[int, ...], *, var: int = mpr.ROUTE_MATCHING) -> bytes:
    """MIB_OPAQUE_QUERY {var, dest, mask, if index, next hop, proto}: 24 bytes."""
    dest, mask, _policy, next_hop, if_index, _type, proto = row[:7]
    return struct.pack("<6I", var, dest, mask, if_index, next_hop, proto)


def legacy_info(row: tuple[int, ...]) -> bytes:
    """The older Create/Set form: {IP_FORWARDROW, pad, MIB_IPFORWARDROW}, 64 bytes."""
    return struct.pack("<II14I", mpr.IP_FORWARDROW, 0, *row)


def legacy_delete(row: tuple[int, ...]) -> bytes:
    """The older Delete form: {IP_FORWARDROW, dest, proto, policy, next hop}, 20 bytes."""
    dest, _mask, policy, next_hop, _if_index, _type, proto = row[:7]
    return struct.pack("<5I", mpr.IP_FORWARDROW, dest, proto, policy, next_hop)


def ip_stats_info(forwarding: int, ttl: int, counters: int = 0x12345678) -> bytes:
    """MIB_OPAQUE_INFO {IP_STATS, pad, MIB_IPSTATS}: 8 + 92 = 100 bytes."""
    return struct.pack("<II23I", mpr.IP_STATS, 0, forwarding, ttl, *[counters] * 21)


NEW = forward_row("172.16.0.0", "255.255.0.0", "192.168.1.1", 3)


def table(server: mpr.MibServer) -> list[tuple[int, ...]]:
    """The stand-in's route table, each row as the 14 DWORDs of its MIB_IPFORWARDROW."""
    return [(addr(str(r.dest)), addr(str(r.mask)), r.policy, addr(str(r.next_hop)), r.if_index, int(r.type),
             int(r.proto), r.age, r.next_hop_as, r.metric1, r.metric2, r.metric3, r.metric4, r.metric5)
            for r in server.ip_forward_table()]


def error_of(call: object, *args: object) -> int:
    with pytest.raises(MprError) as info:
        call(mpr.PID_IP, mpr.IPRTRMGR_PID, *args)  # type: ignore[operator]
    return int(info.value.winerror)


@pytest.fixture
def server(router: Router) -> Iterator[mpr.MibServer]:
    router.set_legacy_route_writes(False)
    with mpr.connect() as server:
        yield server


# ---- the forms MS-RRASM gives -------------------------------------------------


def test_create_takes_route_matching_with_a_72_byte_dest_row(server: mpr.MibServer, router: Router) -> None:
    before = table(server)
    entry = dest_row_info(NEW)
    assert len(entry) == 72
    server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, entry)
    assert router.last_input() == entry
    after = table(server)
    assert len(after) == len(before) + 1
    assert sorted(after) == sorted([*before, NEW])
    assert server.ip_stats().num_routes == len(after)


def with_overrides(row: tuple[int, ...]) -> tuple[int, ...]:
    """``row`` as 3.1.4.27/29 have the server keep it: policy 0, metric4 and metric5 unused."""
    return (*row[:2], 0, *row[3:12], UNUSED, UNUSED)


ODD = (*forward_row("172.16.0.0", "255.255.0.0", "192.168.1.1", 3, policy=9)[:12], 4, 5)  # policy, metric4/5 set


def test_create_sets_policy_metrics_4_5_and_preference_whatever_was_sent(server: mpr.MibServer) -> None:
    """3.1.4.27: "set to these values irrespective of the values specified"; the view set is kept."""
    before = table(server)
    server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, dest_row_info(ODD, preference=42, view_set=2))
    assert sorted(table(server)) == sorted([*before, with_overrides(ODD)])
    rows = server.route_matching("172.16.0.0", "255.255.0.0")
    assert [(r.preference, r.view_set) for r in rows] == [(0x7F, 2)]
    assert [(r.preference, r.view_set) for r in server.dest_matching("172.16.0.0", "255.255.0.0")] == [(0x7F, 2)]


def test_create_of_an_existing_route_is_183_and_changes_nothing(server: mpr.MibServer) -> None:
    server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, dest_row_info(NEW))
    before = table(server)
    # Same dest, mask, if index, next hop and proto; other metric, policy and preference.
    again = (*NEW[:2], 5, *NEW[3:9], 99, *NEW[10:])
    assert error_of(server.create, dest_row_info(again, preference=1)) == ERROR_ALREADY_EXISTS
    assert table(server) == before


def test_set_replaces_the_matching_route(server: mpr.MibServer, router: Router) -> None:
    server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, dest_row_info(NEW))
    before = table(server)
    changed = (*NEW[:9], 77, *NEW[10:])
    entry = dest_row_info(changed, preference=9, view_set=1)
    server.set(mpr.PID_IP, mpr.IPRTRMGR_PID, entry)
    assert router.last_input() == entry
    after = table(server)
    assert after == [changed if row == NEW else row for row in before]
    rows = server.route_matching("172.16.0.0", "255.255.0.0")
    # 3.1.4.29: preference 0x7F whatever was sent; the view set as written.
    assert [(r.route.metric1, r.preference, r.view_set) for r in rows] == [(77, 0x7F, 1)]


def test_set_sets_policy_metrics_4_5_and_preference_whatever_was_sent(server: mpr.MibServer) -> None:
    server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, dest_row_info(NEW))
    before = table(server)
    odd = (*ODD[:9], 66, *ODD[10:])
    server.set(mpr.PID_IP, mpr.IPRTRMGR_PID, dest_row_info(odd, preference=1, view_set=3))
    assert sorted(table(server)) == sorted([with_overrides(odd) if row == NEW else row for row in before])
    rows = server.route_matching("172.16.0.0", "255.255.0.0")
    assert [(r.route.metric1, r.route.policy, r.preference) for r in rows] == [(66, 0, 0x7F)]


def test_set_of_a_missing_route_is_1413(server: mpr.MibServer) -> None:
    before = table(server)
    assert error_of(server.set, dest_row_info(NEW)) == ERROR_INVALID_INDEX
    # One field of the five off: no match either.
    server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, dest_row_info(NEW))
    other_if = (*NEW[:4], 7, *NEW[5:])
    assert error_of(server.set, dest_row_info(other_if)) == ERROR_INVALID_INDEX
    assert table(server) == sorted([*before, NEW], key=table_order)


def table_order(row: tuple[int, ...]) -> tuple[int, ...]:
    """The IP_FORWARDROW index order: dest, proto, policy, next hop (addresses in IP order)."""
    def ip(value: int) -> int:
        return int.from_bytes(struct.pack("<I", value), "big")
    return ip(row[0]), row[6], row[2], ip(row[3])


def test_delete_takes_the_24_byte_five_field_query(server: mpr.MibServer, router: Router) -> None:
    before = table(server)
    server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, dest_row_info(NEW))
    query = delete_query(NEW)
    assert len(query) == 24
    server.delete(mpr.PID_IP, mpr.IPRTRMGR_PID, query)
    assert router.last_input() == query
    assert table(server) == before


def test_delete_of_a_missing_route_is_1413(server: mpr.MibServer) -> None:
    before = table(server)
    assert error_of(server.delete, delete_query(NEW)) == ERROR_INVALID_INDEX
    assert table(server) == before


def test_the_fixed_routes_delete_by_their_five_fields(server: mpr.MibServer) -> None:
    for row in table(server):
        server.delete(mpr.PID_IP, mpr.IPRTRMGR_PID, delete_query(row))
    assert table(server) == []


@pytest.mark.parametrize("differ", ["mask", "interface"])
def test_delete_removes_exactly_the_route_it_names(server: mpr.MibServer, differ: str) -> None:
    if differ == "mask":
        other = forward_row("172.16.0.0", "255.240.0.0", "192.168.1.1", 3)
    else:
        other = forward_row("172.16.0.0", "255.255.0.0", "192.168.1.1", 7)
    before = table(server)
    server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, dest_row_info(NEW))
    server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, dest_row_info(other))
    both = table(server)
    assert sorted(both) == sorted([*before, NEW, other])
    server.delete(mpr.PID_IP, mpr.IPRTRMGR_PID, delete_query(NEW))
    assert table(server) == [row for row in both if row != NEW]
    assert error_of(server.delete, delete_query(NEW)) == ERROR_INVALID_INDEX
    server.delete(mpr.PID_IP, mpr.IPRTRMGR_PID, delete_query(other))
    assert table(server) == before


# ---- forms refused ------------------------------------------------------------


@pytest.mark.parametrize("method", ["create", "set"])
@pytest.mark.parametrize("adjust", [-4, 4])
def test_route_create_and_set_of_another_size_are_87(server: mpr.MibServer, method: str, adjust: int) -> None:
    server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, dest_row_info(NEW))
    before = table(server)
    entry = dest_row_info(NEW)
    entry = entry[:adjust] if adjust < 0 else entry + b"\0" * adjust
    assert error_of(getattr(server, method), entry) == ERROR_INVALID_PARAMETER
    assert table(server) == before


@pytest.mark.parametrize("adjust", [-4, 4])
def test_route_delete_of_another_size_is_87(server: mpr.MibServer, adjust: int) -> None:
    server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, dest_row_info(NEW))
    before = table(server)
    query = delete_query(NEW)
    query = query[:adjust] if adjust < 0 else query + b"\0" * adjust
    assert error_of(server.delete, query) == ERROR_INVALID_PARAMETER
    assert table(server) == before


@pytest.mark.parametrize("var", [mpr.ROUTE_LONGER, mpr.DEST_MATCHING, mpr.IP_FORWARDTABLE])
def test_a_route_write_under_another_id_is_refused(server: mpr.MibServer, var: int) -> None:
    """Other route ids write nothing: 50 (ERROR_NOT_SUPPORTED), as for every read-only variable."""
    before = table(server)
    assert error_of(server.create, dest_row_info(NEW, var=var)) == 50
    assert error_of(server.delete, delete_query(NEW, var=var)) == 50
    assert table(server) == before


@pytest.mark.parametrize("method", ["create", "set"])
def test_the_new_row_under_ip_forwardrow_is_87(server: mpr.MibServer, method: str) -> None:
    """The 72-byte MIB_IPDESTROW form, but dwId IP_FORWARDROW: not a form either."""
    before = table(server)
    assert error_of(getattr(server, method), dest_row_info(NEW, var=mpr.IP_FORWARDROW)) == ERROR_INVALID_PARAMETER
    assert error_of(server.delete, delete_query(NEW, var=mpr.IP_FORWARDROW)) == ERROR_INVALID_PARAMETER
    assert table(server) == before


def test_the_legacy_form_is_87_with_the_switch_off(server: mpr.MibServer) -> None:
    before = table(server)
    assert error_of(server.create, legacy_info(NEW)) == ERROR_INVALID_PARAMETER
    assert table(server) == before
    server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, dest_row_info(NEW))
    with_new = table(server)
    changed = (*NEW[:9], 77, *NEW[10:])
    assert error_of(server.set, legacy_info(changed)) == ERROR_INVALID_PARAMETER
    assert error_of(server.delete, legacy_delete(NEW)) == ERROR_INVALID_PARAMETER
    assert table(server) == with_new


def test_the_legacy_form_is_taken_with_the_switch_on(server: mpr.MibServer, router: Router) -> None:
    before = table(server)
    router.set_legacy_route_writes(True)
    server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, legacy_info(NEW))
    assert sorted(table(server)) == sorted([*before, NEW])
    assert error_of(server.create, legacy_info(NEW)) == ERROR_ALREADY_EXISTS
    changed = (*NEW[:9], 77, *NEW[10:])
    server.set(mpr.PID_IP, mpr.IPRTRMGR_PID, legacy_info(changed))
    assert sorted(table(server)) == sorted([*before, changed])
    # The specification's form still works beside it.
    assert error_of(server.create, dest_row_info(changed)) == ERROR_ALREADY_EXISTS
    server.delete(mpr.PID_IP, mpr.IPRTRMGR_PID, legacy_delete(changed))
    assert table(server) == before
    assert error_of(server.delete, legacy_delete(changed)) == ERROR_INVALID_INDEX
    router.set_legacy_route_writes(False)
    assert error_of(server.create, legacy_info(NEW)) == ERROR_INVALID_PARAMETER
    assert table(server) == before


def test_reset_turns_the_legacy_switch_back_off(router: Router) -> None:
    """router_reset restores the default: strict (the reset forgets handles, so connect after it)."""
    router.set_legacy_route_writes(True)
    router.reset()
    with mpr.connect() as server:
        assert error_of(server.create, legacy_info(NEW)) == ERROR_INVALID_PARAMETER


# ---- IP_STATS -------------------------------------------------------------------


def test_ip_stats_set_writes_forwarding_and_ttl_only(server: mpr.MibServer, router: Router) -> None:
    before = server.ip_stats()
    assert (before.forwarding, before.default_ttl) == (1, 128)
    entry = ip_stats_info(2, 64)
    assert len(entry) == 100
    server.set(mpr.PID_IP, mpr.IPRTRMGR_PID, entry)
    assert router.last_input() == entry
    after = server.ip_stats()
    assert (after.forwarding, after.default_ttl) == (2, 64)
    assert after._replace(forwarding=1, default_ttl=128) == before, "the counters are ignored"


@pytest.mark.parametrize(("forwarding", "ttl", "expected"), [
    (UNCHANGED, 32, (1, 32)),
    (2, UNCHANGED, (2, 128)),
    (UNCHANGED, UNCHANGED, (1, 128)),
    (1, 255, (1, 255)),
    (2, 1, (2, 1)),
])
def test_ip_stats_set_all_ones_leaves_a_field_unchanged(server: mpr.MibServer, forwarding: int, ttl: int,
                                                        expected: tuple[int, int]) -> None:
    server.set(mpr.PID_IP, mpr.IPRTRMGR_PID, ip_stats_info(forwarding, ttl))
    after = server.ip_stats()
    assert (after.forwarding, after.default_ttl) == expected


@pytest.mark.parametrize(("forwarding", "ttl"), [(0, UNCHANGED), (3, UNCHANGED), (UNCHANGED, 0),
                                                 (UNCHANGED, 256), (2, 0), (0, 64)])
def test_ip_stats_set_of_a_bad_value_is_87_and_changes_nothing(server: mpr.MibServer, forwarding: int,
                                                               ttl: int) -> None:
    assert error_of(server.set, ip_stats_info(forwarding, ttl)) == ERROR_INVALID_PARAMETER
    after = server.ip_stats()
    assert (after.forwarding, after.default_ttl) == (1, 128)


@pytest.mark.parametrize("adjust", [-4, 4])
def test_ip_stats_set_of_another_size_is_87(server: mpr.MibServer, adjust: int) -> None:
    entry = ip_stats_info(2, 64)
    entry = entry[:adjust] if adjust < 0 else entry + b"\0" * adjust
    assert error_of(server.set, entry) == ERROR_INVALID_PARAMETER
    assert (server.ip_stats().forwarding, server.ip_stats().default_ttl) == (1, 128)


@pytest.mark.parametrize("method", ["create", "delete"])
def test_ip_stats_takes_set_only(server: mpr.MibServer, method: str) -> None:
    assert error_of(getattr(server, method), ip_stats_info(2, 64)) == ERROR_INVALID_PARAMETER
    assert error_of(server.delete, struct.pack("<I", mpr.IP_STATS)) == ERROR_INVALID_PARAMETER
    assert (server.ip_stats().forwarding, server.ip_stats().default_ttl) == (1, 128)


def test_ip_stats_under_another_id_is_not_a_write(server: mpr.MibServer) -> None:
    entry = struct.pack("<I", mpr.IP6_STATS) + ip_stats_info(2, 64)[4:]
    assert error_of(server.set, entry) == 50
    assert (server.ip_stats().forwarding, server.ip_stats().default_ttl) == (1, 128)


def test_reset_restores_forwarding_and_ttl(router: Router) -> None:
    with mpr.connect() as server:
        server.set(mpr.PID_IP, mpr.IPRTRMGR_PID, ip_stats_info(2, 64))
    router.reset()
    with mpr.connect() as server:
        assert (server.ip_stats().forwarding, server.ip_stats().default_ttl) == (1, 128)
