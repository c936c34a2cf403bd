"""Checked by mypy --strict (make typecheck), never run: type checkers see every field's type."""

from __future__ import annotations

from ipaddress import IPv4Address
from typing import assert_type

import mprapi_cffi as mpr


def fields_have_their_public_types(route: mpr.IpForwardRow, interface: mpr.IfRow, icmp: mpr.IcmpStats) -> None:
    assert_type(route.dest, IPv4Address)
    assert_type(route.metric1, int)
    assert_type(route.type, mpr.RouteType | int)
    assert_type(interface.phys_addr, bytes)
    assert_type(interface.descr, str)
    assert_type(interface.index, int)
    assert_type(icmp.in_stats, mpr.IcmpCounters)
    assert_type(icmp.in_stats.echos, int)
    assert_type(mpr.IpForwardRow.decode_table(b""), list[mpr.IpForwardRow])
    assert_type(mpr.UdpStats.decode(b""), mpr.UdpStats)
    assert_type(route._replace(metric1=3), mpr.IpForwardRow)


def keyword_construction_takes_what_the_wire_accepts() -> mpr.IpForwardRow:
    return mpr.IpForwardRow(
        dest="10.0.0.0", mask=0xFF000000, next_hop=IPv4Address("192.168.1.1"), if_index=3,
        type=mpr.RouteType.INDIRECT, proto=3, metric1=1,
    )  # fmt: skip


def walks_are_typed_by_the_structure(server: mpr.MibServer) -> None:
    for route in server.walk(mpr.IpForwardRow):
        assert_type(route, mpr.IpForwardRow)
    assert_type(server.ip_stats(), mpr.IpStats)


def mistakes_are_type_errors() -> None:
    mpr.IpForwardRow(dest=1.5, mask="0.0.0.0", next_hop="0.0.0.0", if_index=1, type=3, proto=3, metric1=1)  # type: ignore[arg-type]
    mpr.UdpRow(local_addr="0.0.0.0")  # type: ignore[call-arg]
    mpr.UdpRow("0.0.0.0", 53)  # type: ignore[call-arg]
    route: mpr.IpForwardRow = mpr.IpForwardRow.decode(b"")
    route.dest = IPv4Address("1.2.3.4")  # type: ignore[misc]
