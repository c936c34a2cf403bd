"""The ``mprapi`` command, run in-process against a fake router.

Runs natively: ``main(argv, connect=fake)`` never touches the compiled module.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from ipaddress import IPv4Address
from typing import Any

import pytest

import mprapi_cffi
from mprapi_cffi import MprError
from mprapi_cffi.cli import main
from mprapi_cffi.mib import (
    IfStatus,
    IpDestRow,
    McastGlobal,
    McastBoundary,
    McastIfEntry,
    McastMfe,
    McastOif,
    ProxyArp,
    AddrType,
    IcmpCounters,
    IcmpStats,
    IfAdminStatus,
    IfOperStatus,
    IfRow,
    IfType,
    IpAddrRow,
    Ip6RouteEntry,
    IpForwardRow,
    RouteInfo,
    IpNetRow,
    IpStats,
    NetType,
    RouteProto,
    RouteType,
    TcpStats,
    UdpStats,
)

ROOT = Path(__file__).resolve().parents[1]

ROUTES6 = [
    Ip6RouteEntry(index=3, dest="::", prefix_length=0, next_hop="fe80::1", valid_lifetime=0xFFFFFFFF, metric=256,
                  if_index=4, type=RouteType.INDIRECT, proto=RouteProto.NETMGMT, preference=3),
    Ip6RouteEntry(index=7, dest="2001:db8:10::", prefix_length=64, next_hop="::", valid_lifetime=0xFFFFFFFF,
                  metric=16, if_index=4, type=RouteType.DIRECT, proto=RouteProto.LOCAL, preference=1),
]
ROUTES = [
    IpForwardRow(
        dest="0.0.0.0", mask="0.0.0.0", next_hop="192.168.1.1", if_index=3,
        type=RouteType.INDIRECT, proto=RouteProto.NETMGMT, metric1=25,
    ),
    IpForwardRow(
        dest="192.168.1.0", mask="255.255.255.0", next_hop="192.168.1.10", if_index=3,
        type=RouteType.DIRECT, proto=RouteProto.LOCAL, metric1=1,
    ),
    IpForwardRow(
        dest="10.1.0.0", mask="255.0.255.0", next_hop="192.168.1.254", if_index=12,
        type=99, proto=20000, metric1=100,
    ),
]  # fmt: skip



def if_row(
    name: str, index: int, type: int, mtu: int, speed: int, phys: bytes, admin: int, oper: int,
    descr: str,
) -> IfRow:  # fmt: skip
    """An IfRow whose 13 counters are 0..12."""
    return IfRow._make([name, index, type, mtu, speed, phys, admin, oper, *range(13), descr])


INTERFACES = [
    if_row("Ethernet", 3, IfType.ETHERNET_CSMACD, 1500, 1_000_000_000,
           bytes.fromhex("001122334455"), IfAdminStatus.UP, IfOperStatus.OPERATIONAL, "Intel NIC"),
    if_row("Loopback", 1, IfType.SOFTWARE_LOOPBACK, 65535, 0, b"", IfAdminStatus.UP, 77, ""),
]  # fmt: skip

ADDRESSES = [
    IpAddrRow(addr="192.168.1.10", index=3, mask="255.255.255.0", bcast_addr=1, reasm_size=65535,
              type=AddrType.PRIMARY | AddrType.DYNAMIC),
    IpAddrRow(addr="127.0.0.1", index=1, mask="255.0.0.0", bcast_addr=0, reasm_size=65535, type=0x8001),
]  # fmt: skip

ARP = [
    IpNetRow(index=3, phys_addr=bytes.fromhex("aabbccddeeff"), addr="192.168.1.1", type=NetType.DYNAMIC),
    IpNetRow(index=3, phys_addr=b"", addr="192.168.1.2", type=9),
]

IP_STATS = IpStats._make(range(1, 24))
ICMP_STATS = IcmpStats(in_stats=IcmpCounters._make(range(13)), out_stats=IcmpCounters._make(range(100, 113)))
TCP_STATS = TcpStats._make(range(15))
UDP_STATS = UdpStats._make(range(5))


IP6_STATS = IpStats._make(range(100, 123))
TCP6_STATS = TcpStats._make(range(200, 215))
PROXY_ARP = [ProxyArp(address="192.168.5.0", mask="255.255.255.0", if_index=4)]
IF_STATUS = [IfStatus(if_index=3, admin_status=IfAdminStatus.UP, oper_status=5, mhbeat_active=True,
                      mhbeat_alive=False)]  # fmt: skip
MCAST_IFS = [McastIfEntry(if_index=3, ttl=1, protocol=2, rate_limit=0, in_mcast_octets=10, out_mcast_octets=20)]
BOUNDARIES = [McastBoundary(if_index=3, group_address="239.192.0.0", group_mask="255.252.0.0", status=1)]
MFES = [McastMfe(group="239.1.1.1", source="10.0.0.5", src_mask="255.255.255.255", up_strm_ngbr="10.0.0.254",
                 in_if_index=1, in_if_protocol=2, route_protocol=3, route_network="10.0.0.0", route_mask="255.0.0.0",
                 up_time=1, expiry_time=2, time_out=3,
                 out_ifs=[McastOif(out_if_index=4, next_hop_addr="10.4.0.1")])]  # fmt: skip


class FakeServer:
    def __init__(self, fail: BaseException | None = None) -> None:
        self.fail = fail
        self.asked: list[tuple[Any, ...]] = []

    def _give(self, value: Any) -> Any:
        if self.fail is not None:
            raise self.fail
        return value

    def if_table(self) -> list[IfRow]:
        return self._give(INTERFACES)  # type: ignore[no-any-return]

    def ip_addr_table(self) -> list[IpAddrRow]:
        return self._give(ADDRESSES)  # type: ignore[no-any-return]

    def ip_forward_table(self) -> list[IpForwardRow]:
        return self._give(ROUTES)  # type: ignore[no-any-return]

    def ip_net_table(self) -> list[IpNetRow]:
        return self._give(ARP)  # type: ignore[no-any-return]

    def ip_stats(self) -> IpStats:
        return self._give(IP_STATS)  # type: ignore[no-any-return]

    def icmp_stats(self) -> IcmpStats:
        return self._give(ICMP_STATS)  # type: ignore[no-any-return]

    def tcp_stats(self) -> TcpStats:
        return self._give(TCP_STATS)  # type: ignore[no-any-return]

    def udp_stats(self) -> UdpStats:
        return self._give(UDP_STATS)  # type: ignore[no-any-return]

    def ip6_stats(self) -> IpStats:
        return self._give(IP6_STATS)  # type: ignore[no-any-return]

    def tcp6_stats(self) -> TcpStats:
        return self._give(TCP6_STATS)  # type: ignore[no-any-return]

    def udp6_stats(self) -> UdpStats:
        raise MprError(87, "The parameter is incorrect.", "MprAdminMIBEntryGet")  # a router without it

    def best_route(self, dest: IPv4Address) -> RouteInfo:
        self.asked.append(("best_route", dest))
        route = ROUTES[1]
        return self._give(RouteInfo(  # type: ignore[no-any-return]
            dest=route.dest, mask=route.mask, next_hop=route.next_hop, if_index=route.if_index, type=route.type,
            proto=route.proto, metric1=route.metric1, preference=1, view_set=3,
        ))

    def ip6_forward_table(self) -> list[Ip6RouteEntry]:
        return self._give(ROUTES6)  # type: ignore[no-any-return]

    def best_interface(self, dest: IPv4Address) -> int:
        self.asked.append(("best_interface", dest))
        return self._give(3)  # type: ignore[no-any-return]

    def proxy_arp_table(self) -> list[ProxyArp]:
        return self._give(PROXY_ARP)  # type: ignore[no-any-return]

    def walk(self, what: type) -> Iterator[Any]:
        return iter(self._give({IfStatus: IF_STATUS, McastIfEntry: MCAST_IFS, McastBoundary: BOUNDARIES}[what]))

    def mcast_global(self) -> McastGlobal:
        return self._give(McastGlobal(enable=True))  # type: ignore[no-any-return]

    def mfe_table(self) -> list[McastMfe]:
        return self._give(MFES)  # type: ignore[no-any-return]

    def _wrote(self, *what: Any) -> None:
        self.asked.append(what)
        if self.fail is not None:
            raise self.fail

    def create_route(self, row: IpDestRow) -> None:
        self._wrote("create_route", row)

    def set_route(self, row: IpDestRow) -> None:
        self._wrote("set_route", row)

    def delete_route(self, row: IpForwardRow) -> None:
        self._wrote("delete_route", row)

    def set_forwarding(self, enabled: bool) -> None:
        self._wrote("set_forwarding", enabled)

    def set_default_ttl(self, ttl: int) -> None:
        self._wrote("set_default_ttl", ttl)

    def create_arp_entry(self, row: IpNetRow) -> None:
        self._wrote("create_arp_entry", row)

    def set_arp_entry(self, row: IpNetRow) -> None:
        self._wrote("set_arp_entry", row)

    def delete_arp_entry(self, if_index: int, addr: IPv4Address) -> None:
        self._wrote("delete_arp_entry", if_index, addr)

    def set_if_admin_status(self, if_index: int, status: IfAdminStatus) -> None:
        self._wrote("set_if_admin_status", if_index, status)

    def add_mcast_boundary(self, if_index: int, group: IPv4Address, mask: IPv4Address) -> None:
        self._wrote("add_mcast_boundary", if_index, group, mask)

    def remove_mcast_boundary(self, if_index: int, group: IPv4Address, mask: IPv4Address) -> None:
        self._wrote("remove_mcast_boundary", if_index, group, mask)


class FakeConnect:
    """Stands in for ``mprapi_cffi.connect``; records what it was asked."""

    def __init__(
        self, server: FakeServer | None = None, fail: BaseException | None = None
    ) -> None:
        self.server = server or FakeServer()
        self.fail = fail
        self.names: list[str | None] = []
        self.closed = 0

    @contextmanager
    def __call__(self, name: str | None) -> Iterator[FakeServer]:
        self.names.append(name)
        if self.fail is not None:
            raise self.fail
        try:
            yield self.server
        finally:
            self.closed += 1


def run(
    argv: list[str], capsys: pytest.CaptureFixture[str], connect: FakeConnect | None = None
) -> tuple[int, str, str]:
    code = main(argv, connect=connect or FakeConnect())
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ text


def test_routes_print_prefix_next_hop_if_metric_protocol_type_aligned(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["routes"], capsys)
    assert (code, err) == (0, "")
    assert out == (
        "Destination           Next hop       If  Metric  Protocol  Type\n"
        "0.0.0.0/0             192.168.1.1     3      25  netmgmt   indirect\n"
        "192.168.1.0/24        192.168.1.10    3       1  local     direct\n"
        "10.1.0.0/255.0.255.0  192.168.1.254  12     100  20000     99\n"
    )


def test_interfaces_print_index_description_type_mtu_speed_status_mac_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["interfaces"], capsys)
    assert code == 0
    assert out == (
        "Idx  Description  Type                 MTU       Speed  Admin  Oper         MAC                Name\n"
        "  3  Intel NIC    ethernet_csmacd     1500  1000000000  up     operational  00-11-22-33-44-55  Ethernet\n"
        "  1  -            software_loopback  65535           0  up     77           -                  Loopback\n"
    )


def test_addresses_print_prefix_index_broadcast_reasm_flags(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["addresses"], capsys)
    assert code == 0
    assert out == (
        "Address          If  Broadcast      Reasm size  Type\n"
        "192.168.1.10/24   3  192.168.1.255       65535  primary,dynamic\n"
        "127.0.0.1/8       1  127.0.0.0           65535  primary,0x8000\n"  # broadcast bit 0: host bits zeros
    )


def test_arp_prints_interface_address_dashed_mac_type(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["arp"], capsys)
    assert code == 0
    assert out == (
        "Interface  Internet address  Physical address   Type\n"
        "        3  192.168.1.1       aa-bb-cc-dd-ee-ff  dynamic\n"
        "        3  192.168.1.2       -                  9\n"
    )


def test_stats_print_every_counter_by_section(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["stats"], capsys)
    assert code == 0
    lines = out.splitlines()
    for title in ("IP", "ICMP", "TCP", "UDP", "IPv6", "TCP over IPv6", "UDP over IPv6"):
        assert title in lines
    assert "  num_routes         23" in lines
    assert "                  in  out" in lines
    assert "  addr_mask_reps  12  112" in lines
    assert "  num_conns      14" in lines
    assert "  num_addrs      4" in lines
    assert "  num_routes         122" in lines  # IPv6
    assert "  num_conns      214" in lines
    assert lines[lines.index("UDP over IPv6") + 1] == "  (the router does not report it)"
    counted = sum(len(s) for s in (IP_STATS, TCP_STATS, UDP_STATS, IP6_STATS, TCP6_STATS)) + len(ICMP_STATS.in_stats)
    assert len([line for line in lines if line.startswith("  ") and line.strip()]) == counted + 2


def test_empty_table_prints_only_the_header(capsys: pytest.CaptureFixture[str]) -> None:
    server = FakeServer()
    server.ip_forward_table = list  # type: ignore[method-assign]
    code, out, _ = run(["routes"], capsys, FakeConnect(server))
    assert code == 0
    assert out == "Destination  Next hop  If  Metric  Protocol  Type\n"


# ------------------------------------------------------------------ json


def test_routes_json_has_field_names_string_addresses_int_enums(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["--json", "routes"], capsys)
    assert code == 0
    data = json.loads(out)
    assert [list(d) for d in data] == [list(IpForwardRow._fields)] * 3
    assert data[0]["dest"] == "0.0.0.0" and data[0]["next_hop"] == "192.168.1.1"
    assert data[1]["mask"] == "255.255.255.0"
    assert (data[0]["type"], data[0]["proto"], data[0]["metric1"]) == (4, 3, 25)
    assert (data[2]["type"], data[2]["proto"]) == (99, 20000)
    assert data[0]["metric5"] == 0xFFFFFFFF


def test_interfaces_json_has_dashed_phys_addr_and_int_enums(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["--json", "interfaces"], capsys)
    assert code == 0
    first, second = json.loads(out)
    assert list(first) == list(IfRow._fields)
    assert first["phys_addr"] == "00-11-22-33-44-55"
    assert (first["type"], first["admin_status"], first["oper_status"]) == (6, 1, 5)
    assert (first["name"], first["descr"], first["out_qlen"]) == ("Ethernet", "Intel NIC", 12)
    assert (second["phys_addr"], second["oper_status"]) == ("", 77)


def test_addresses_and_arp_json(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["--json", "addresses"], capsys)
    assert json.loads(out)[0] == {
        "addr": "192.168.1.10", "index": 3, "mask": "255.255.255.0",
        "bcast_addr": 1, "reasm_size": 65535, "type": 5,
    }  # fmt: skip
    _, out, _ = run(["--json", "arp"], capsys)
    assert json.loads(out) == [
        {"index": 3, "phys_addr": "aa-bb-cc-dd-ee-ff", "addr": "192.168.1.1", "type": 3},
        {"index": 3, "phys_addr": "", "addr": "192.168.1.2", "type": 9},
    ]


def test_stats_json_is_one_object_keyed_ip_icmp_tcp_udp_and_the_ipv6_halves(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--json", "stats"], capsys)
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["ip", "icmp", "tcp", "udp", "ip6", "tcp6", "udp6"]
    assert data["ip6"] == IP6_STATS._asdict() and data["tcp6"] == TCP6_STATS._asdict()
    assert data["udp6"] is None
    assert data["ip"] == IP_STATS._asdict()
    assert data["icmp"] == {
        "in_stats": ICMP_STATS.in_stats._asdict(),
        "out_stats": ICMP_STATS.out_stats._asdict(),
    }
    assert data["tcp"] == TCP_STATS._asdict()
    assert data["udp"] == UDP_STATS._asdict()


# ------------------------------------------------------------ connecting


def test_options_also_work_after_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, out, _ = run(["routes", "--json", "--server", "RTR2"], capsys, connect)
    assert code == 0
    assert json.loads(out)[0]["dest"] == "0.0.0.0"
    assert connect.names == ["RTR2"]
    code, out, _ = run(["--server", "RTR3", "--json", "arp"], capsys, connect)
    assert json.loads(out)[0]["addr"] == "192.168.1.1"
    assert connect.names == ["RTR2", "RTR3"]


def test_server_option_names_the_router_and_default_is_local(
    capsys: pytest.CaptureFixture[str],
) -> None:
    connect = FakeConnect()
    run(["--server", "RTR1", "routes"], capsys, connect)
    run(["routes"], capsys, connect)
    assert connect.names == ["RTR1", None]
    assert connect.closed == 2


def test_router_error_exits_1_with_one_line_message_and_no_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    error = mprapi_cffi.MprError(1722, "The RPC server is unavailable.\r\n", "MprAdminMIBEntryGet")
    connect = FakeConnect(FakeServer(fail=error))
    code, out, err = run(["--server", "far", "routes"], capsys, connect)
    assert code == 1
    assert out == ""
    assert err == "mprapi: [WinError 1722] The RPC server is unavailable. (MprAdminMIBEntryGet)\n"
    assert "Traceback" not in err
    assert connect.closed == 1  # the handle was still closed


def test_connect_oserror_such_as_windows_only_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect(fail=OSError("mprapi_cffi needs Windows: Mprapi.dll\nwas not found"))
    code, out, err = run(["stats"], capsys, connect)
    assert (code, out) == (1, "")
    assert err == "mprapi: mprapi_cffi needs Windows: Mprapi.dll was not found\n"


def test_malformed_reply_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    error = ValueError("malformed MIB_IPFORWARDTABLE reply: reply holds 2 rows but claims 9")
    code, _, err = run(["--json", "routes"], capsys, FakeConnect(FakeServer(fail=error)))
    assert code == 1
    assert err.count("\n") == 1 and "claims 9" in err


# ---------------------------------------------------------------- usage


@pytest.mark.parametrize(
    "argv", [[], ["nonsense"], ["--bogus", "routes"], ["routes", "extra"], ["--server"]]
)
def test_bad_usage_exits_2_without_connecting(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    connect = FakeConnect()
    code, _, err = run(argv, capsys, connect)
    assert code == 2
    assert "usage: mprapi" in err
    assert connect.names == []


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, out, _ = run(["--version"], capsys, connect)
    assert code == 0
    assert out == f"mprapi {mprapi_cffi.__version__}\n"
    assert connect.names == []


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for command in ("interfaces", "addresses", "routes", "arp", "stats"):
        assert command in out


def test_python_dash_m_runs_the_command() -> None:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path)
    usage = subprocess.run(
        [sys.executable, "-m", "mprapi_cffi"],
        check=False, capture_output=True, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    assert usage.returncode == 2
    assert "usage: mprapi" in usage.stderr
    version = subprocess.run(
        [sys.executable, "-m", "mprapi_cffi", "--version"],
        check=False, capture_output=True, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    assert version.returncode == 0
    assert version.stdout.startswith("mprapi ")


# ------------------------------------------------------- the rest of the MIB


def test_best_route_prints_the_route_for_the_address_asked(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, out, _ = run(["best-route", "10.9.8.7"], capsys, connect)
    assert code == 0
    assert connect.server.asked == [("best_route", IPv4Address("10.9.8.7"))]
    assert out.splitlines()[1].split() == ["192.168.1.0/24", "192.168.1.10", "3", "1", "local", "direct"]
    assert out.splitlines()[2] == "preference 1, view set 0x3"
    code, out, _ = run(["--json", "best-route", "10.9.8.7"], capsys, connect)
    assert connect.server.asked[-1] == ("best_route", IPv4Address("10.9.8.7"))
    assert json.loads(out)["dest"] == "192.168.1.0"
    assert json.loads(out)["preference"] == 1
    # MS-RRASM 2.2.1.2.53: BEST_ROUTE's second index MUST be 0, so there is no source to give.
    code, _, err = run(["best-route", "10.9.8.7", "--source", "192.168.1.10"], capsys, connect)
    assert code == 2 and "--source" in err


def test_routes_6_prints_the_ipv6_route_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["routes", "-6"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["Destination", "Next", "hop", "If", "Metric", "Protocol", "Type"]
    assert lines[1].split() == ["::/0", "fe80::1", "4", "256", "netmgmt", "indirect"]
    assert lines[2].split() == ["2001:db8:10::/64", "::", "4", "16", "local", "direct"]
    code, out, _ = run(["routes", "-6", "--json"], capsys)
    rows = json.loads(out)
    assert [r["dest"] for r in rows] == ["::", "2001:db8:10::"]
    assert rows[0]["next_hop"] == "fe80::1" and rows[0]["prefix_length"] == 0 and rows[0]["index"] == 3


def test_best_interface_prints_the_interface_index(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["best-interface", "10.9.8.7"], capsys)
    assert (code, out) == (0, "10.9.8.7 -> interface 3\n")
    code, out, _ = run(["--json", "best-interface", "10.9.8.7"], capsys)
    assert json.loads(out) == {"dest": "10.9.8.7", "if_index": 3}


@pytest.mark.parametrize("argv", [["best-route", "10.9.8"], ["best-interface"], ["best-route", "fe80::1"]])
def test_a_bad_address_is_a_usage_error_before_connecting(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, _, err = run(argv, capsys, connect)
    assert code == 2 and connect.names == []
    assert "usage:" in err


def test_proxy_arp_if_status_and_multicast(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["proxy-arp"], capsys)
    assert (code, out.splitlines()) == (0, ["Address         Interface", "192.168.5.0/24          4"])
    code, out, _ = run(["if-status"], capsys)
    assert out.splitlines()[1].split() == ["3", "up", "5", "yes", "no"]
    code, out, _ = run(["multicast"], capsys)
    assert code == 0 and out.startswith("Multicast forwarding: on\n")
    assert "239.1.1.1  10.0.0.5/32  10.0.0.254   1  4/10.4.0.1" in out
    assert out.splitlines()[-1].split() == ["3", "239.192.0.0/14", "1"]  # under "Scope boundaries"
    code, out, _ = run(["--json", "multicast"], capsys)
    data = json.loads(out)
    assert data["global"] == {"enable": True}
    assert data["interfaces"][0]["ttl"] == 1
    assert data["boundaries"] == [{"if_index": 3, "group_address": "239.192.0.0", "group_mask": "255.252.0.0",
                                   "status": 1}]  # fmt: skip
    assert data["mfes"][0]["out_ifs"] == [{"out_if_index": 4, "next_hop_addr": "10.4.0.1", "reserved": 0,
                                           "reserved1": 0}]  # fmt: skip
    code, out, _ = run(["--json", "if-status"], capsys)
    assert json.loads(out) == [{"if_index": 3, "admin_status": 1, "oper_status": 5, "mhbeat_active": True,
                                "mhbeat_alive": False}]  # fmt: skip


# ---------------------------------------------------------------- writes


def test_route_add_sends_route_matching_with_the_ip_dest_row(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, out, _ = run(["route", "add", "10.1.0.0/16", "192.168.1.254", "--if", "3", "--metric", "10"], capsys,
                       connect)  # fmt: skip
    assert code == 0
    ((what, row),) = connect.server.asked
    assert what == "create_route" and isinstance(row, IpDestRow)
    assert (row.route.dest, row.route.mask, row.route.next_hop, row.route.if_index, row.route.metric1) == (
        IPv4Address("10.1.0.0"), IPv4Address("255.255.0.0"), IPv4Address("192.168.1.254"), 3, 10)  # fmt: skip
    # No --preference: the server sets 0x7F whatever is sent (MS-RRASM 3.1.4.27); the row's default goes.
    assert (row.route.proto, row.route.type, row.preference) == (RouteProto.NETMGMT, RouteType.INDIRECT, 0)
    first, second = out.splitlines()
    assert first.startswith("MprAdminMIBEntryCreate: 1f000000 00000000 0a010000 ffff0000 ")
    assert second == "router: done"


def test_route_set_and_delete_json_say_what_was_sent_and_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, out, _ = run(["--json", "route", "delete", "10.1.0.0/16", "192.168.1.254", "--if", "3"], capsys, connect)
    data = json.loads(out)
    assert code == 0 and data["answer"] == {"winerror": 0, "message": "done"}
    assert data["sent"]["call"] == "MprAdminMIBEntryDelete"
    assert bytes.fromhex(data["sent"]["request"]) == bytes.fromhex(
        "1f000000" "0a010000" "ffff0000" "03000000" "c0a801fe" "03000000")  # fmt: skip
    assert data["sent"]["names"] == {"dest": "10.1.0.0", "mask": "255.255.0.0", "if_index": 3,
                                     "next_hop": "192.168.1.254", "proto": 3}  # fmt: skip
    code, out, _ = run(["--json", "route", "set", "10.1.0.0/16", "192.168.1.254", "--if", "3", "--metric", "5",
                        "--proto", "nt_static"], capsys, connect)  # fmt: skip
    assert json.loads(out)["sent"]["row"]["route"]["metric1"] == 5
    assert connect.server.asked[-1][0] == "set_route"


def test_a_refused_write_exits_1_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    error = MprError(183, "Cannot create a file when that file already exists.", "MprAdminMIBEntryCreate")
    connect = FakeConnect(FakeServer(fail=error))
    code, out, err = run(["--json", "route", "add", "10.1.0.0/16", "192.168.1.254", "--if", "3"], capsys, connect)
    assert code == 1
    message = "Cannot create a file when that file already exists."
    assert json.loads(out)["answer"] == {"winerror": 183, "message": message}
    assert "refused" in err and "183" in err


def test_set_forwarding_and_ttl(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    assert run(["set", "forwarding", "off"], capsys, connect)[0] == 0
    assert run(["set", "ttl", "64"], capsys, connect)[0] == 0
    assert connect.server.asked == [("set_forwarding", False), ("set_default_ttl", 64)]
    code, _, err = run(["set", "ttl", "300"], capsys, connect)
    assert code == 1 and "1..255" in err and len(connect.server.asked) == 2


def test_arp_add_sends_ip_netrow_with_the_whole_row(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, out, _ = run(["arp", "add", "192.168.1.77", "02-00-5e-10-20-30", "--if", "3"], capsys, connect)
    assert code == 0
    ((what, row),) = connect.server.asked
    assert what == "create_arp_entry" and isinstance(row, IpNetRow)
    assert (row.index, row.phys_addr, row.addr, row.type) == (
        3, bytes.fromhex("02005e102030"), IPv4Address("192.168.1.77"), NetType.STATIC)  # fmt: skip
    first, second = out.splitlines()
    # {IP_NETROW, pad, dwIndex, dwPhysAddrLen, bPhysAddr[8], dwAddr, dwType}
    assert first == "MprAdminMIBEntryCreate: 0a000000 00000000 03000000 06000000 02005e10 20300000 c0a8014d 04000000"
    assert second == "router: done"


def test_arp_set_and_delete_json_say_what_was_sent(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, out, _ = run(["--json", "arp", "set", "192.168.1.77", "02:00:5e:10:20:31", "--if", "3", "--type",
                        "dynamic"], capsys, connect)  # fmt: skip
    data = json.loads(out)
    assert code == 0 and data["sent"]["call"] == "MprAdminMIBEntrySet"
    assert data["sent"]["row"] == {"index": 3, "phys_addr": "02-00-5e-10-20-31", "addr": "192.168.1.77", "type": 3}
    code, out, _ = run(["--json", "arp", "delete", "192.168.1.77", "--if", "3"], capsys, connect)
    data = json.loads(out)
    assert code == 0 and data["sent"]["call"] == "MprAdminMIBEntryDelete"
    assert bytes.fromhex(data["sent"]["request"]) == bytes.fromhex("09000000" "03000000" "c0a8014d")  # IP_NETTABLE
    assert data["sent"]["names"] == {"if_index": 3, "addr": "192.168.1.77"}
    assert [a[0] for a in connect.server.asked] == ["set_arp_entry", "delete_arp_entry"]
    assert connect.server.asked[-1] == ("delete_arp_entry", 3, IPv4Address("192.168.1.77"))


@pytest.mark.parametrize(("action", "status", "called"), [("add", 4, "add_mcast_boundary"),
                                                         ("remove", 6, "remove_mcast_boundary")])
def test_multicast_boundary_sends_mcast_boundary_set_with_its_status(
    capsys: pytest.CaptureFixture[str], action: str, status: int, called: str
) -> None:
    connect = FakeConnect()
    code, out, _ = run(["--json", "multicast", "boundary", action, "239.192.0.0/14", "--if", "7"], capsys, connect)
    data = json.loads(out)
    assert code == 0 and data["answer"] == {"winerror": 0, "message": "done"}
    assert data["sent"]["call"] == "MprAdminMIBEntrySet"
    # {MCAST_BOUNDARY, pad, dwIfIndex, dwGroupAddress, dwGroupMask, dwStatus}
    assert bytes.fromhex(data["sent"]["request"]) == bytes.fromhex(
        "1a000000" "00000000" "07000000" "efc00000" "fffc0000") + bytes([status, 0, 0, 0])  # fmt: skip
    assert data["sent"]["row"] == {"if_index": 7, "group_address": "239.192.0.0", "group_mask": "255.252.0.0",
                                   "status": status}  # fmt: skip
    assert connect.server.asked == [(called, 7, IPv4Address("239.192.0.0"), IPv4Address("255.252.0.0"))]


def test_multicast_alone_still_prints_and_boundary_text_says_the_request(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["multicast"], capsys)
    assert code == 0 and out.startswith("Multicast forwarding:")
    code, out, _ = run(["multicast", "boundary", "add", "239.255.0.0/16", "--if", "3"], capsys)
    assert (code, out.splitlines()) == (0, ["MprAdminMIBEntrySet: 1a000000 00000000 03000000 efff0000 ffff0000 "
                                            "04000000", "router: done"])  # fmt: skip


def test_arp_alone_still_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["arp"], capsys)
    assert code == 0 and out.splitlines()[0].split()[:2] == ["Interface", "Internet"]


def test_set_if_admin_sends_if_row_with_index_and_status(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, out, _ = run(["--json", "set", "if-admin", "3", "down"], capsys, connect)
    data = json.loads(out)
    assert code == 0 and connect.server.asked == [("set_if_admin_status", 3, IfAdminStatus.DOWN)]
    request = bytes.fromhex(data["sent"]["request"])
    assert len(request) == 8 + 860 and request[:8] == bytes.fromhex("02000000" "00000000")
    assert request[8 + 512 : 8 + 516] == bytes.fromhex("03000000")  # dwIndex
    assert request[8 + 540 : 8 + 544] == bytes.fromhex("02000000")  # dwAdminStatus, after bPhysAddr[8] at 532
    assert request.count(0) == len(request) - 3
    assert (data["sent"]["if_index"], data["sent"]["admin_status"]) == (3, 2)


def test_a_refused_arp_write_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    error = MprError(1413, "Invalid index.", "MprAdminMIBEntryDelete")
    connect = FakeConnect(FakeServer(fail=error))
    code, _, err = run(["arp", "delete", "192.168.1.77", "--if", "3"], capsys, connect)
    assert code == 1 and "refused" in err and "1413" in err


@pytest.mark.parametrize("argv", [["arp", "add", "224.0.0.1", "02-00-00-00-00-01", "--if", "3"],
                                  ["arp", "delete", "192.168.1.77", "--if", "0"],
                                  ["set", "if-admin", "0", "up"],
                                  ["multicast", "boundary", "add", "224.1.0.0/16", "--if", "3"],  # not 239/8
                                  ["multicast", "boundary", "add", "238.0.0.0/7", "--if", "3"],  # leaves 239/8
                                  ["multicast", "boundary", "remove", "239.1.0.0/16", "--if", "0"]])  # fmt: skip
def test_bad_arp_and_admin_values_exit_1_before_any_write(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, _, err = run(argv, capsys, connect)
    assert code == 1 and err.startswith("mprapi: ") and connect.server.asked == []


@pytest.mark.parametrize("argv", [
    ["arp", "add", "192.168.1.77", "02-00-5e-10-20", "--if"],  # no interface index
    ["arp", "add", "192.168.1.77", "02-00-5e-10-20-30-40-50-60", "--if", "3"],  # 9 bytes
    ["arp", "add", "192.168.1.77", "02-00-5e-1-20-30", "--if", "3"],
    ["arp", "add", "192.168.1.77", "--if", "3"],  # no MAC
    ["arp", "set", "192.168.1.77", "02-00-5e-10-20-30", "--if", "3", "--type", "sticky"],
    ["arp", "delete", "fe80::1", "--if", "3"],
    ["set", "if-admin", "3", "testing"],
    ["set", "if-admin", "three", "up"],
    ["multicast", "boundary", "add", "239.1.0.1/16", "--if", "3"],  # host bits set
    ["multicast", "boundary", "add", "239.1.0.0/16"],  # no interface
    ["multicast", "boundary", "enable", "239.1.0.0/16", "--if", "3"],
    ["multicast", "boundary"],  # no action
])  # fmt: skip
def test_bad_arp_and_admin_arguments_are_usage_errors_before_connecting(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    connect = FakeConnect()
    assert run(argv, capsys, connect)[0] == 2 and connect.names == []


@pytest.mark.parametrize("argv", [
    ["route", "add", "10.1.0.1/16", "192.168.1.254", "--if", "3"],  # host bits set
    ["route", "add", "10.1.0.0/16", "192.168.1.254"],  # no interface
    ["route", "add", "10.1.0.0/16", "192.168.1.254", "--if", "3", "--proto", "nonsense"],
    ["route", "delete", "10.1.0.0/16", "fe80::1", "--if", "3"],
    ["set", "forwarding", "maybe"],
    ["route", "add", "10.1.0.0/16", "192.168.1.254", "--if", "3", "--preference", "5"],  # removed: the server sets it
])  # fmt: skip
def test_bad_write_arguments_are_usage_errors_before_connecting(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    connect = FakeConnect()
    assert run(argv, capsys, connect)[0] == 2 and connect.names == []


# ------------------------------------------------------------- many routers


class FleetConnect:
    """One FakeServer per router name."""

    def __init__(self, servers: dict[str, FakeServer]) -> None:
        self.servers = servers
        self.names: list[str | None] = []
        self.closed: list[str | None] = []
        self.lock = threading.Lock()

    @contextmanager
    def __call__(self, name: str | None) -> Iterator[FakeServer]:
        with self.lock:
            self.names.append(name)
        try:
            yield self.servers[str(name)]
        finally:
            with self.lock:
                self.closed.append(name)


RPC_DOWN = MprError(1722, "The RPC server is unavailable.\r\n", "MprAdminMIBEntryGet")


def test_several_servers_print_one_section_per_router_in_the_order_given(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FleetConnect({"B": FakeServer(), "A": FakeServer()})
    code, out, err = run(["--server", "B", "routes", "--server", "A"], capsys, connect)  # type: ignore[arg-type]
    assert (code, err) == (0, "")
    single = run(["routes"], capsys)[1]
    assert out == f"== B ==\n{single}\n== A ==\n{single}"
    assert sorted(connect.names) == ["A", "B"] and sorted(connect.closed) == ["A", "B"]  # type: ignore[type-var]


def test_several_servers_json_is_an_object_keyed_by_router_with_rows_or_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    connect = FleetConnect({"up": FakeServer(), "down": FakeServer(fail=RPC_DOWN)})
    code, out, err = run(["--json", "--server", "up", "--server", "down", "arp"], capsys, connect)  # type: ignore[arg-type]
    assert code == 1
    data = json.loads(out)
    assert list(data) == ["up", "down"]
    assert data["up"][0]["addr"] == "192.168.1.1" and len(data["up"]) == 2
    assert data["down"] == {"error": {"winerror": 1722, "message": "The RPC server is unavailable."}}
    assert err == "mprapi: down: [WinError 1722] The RPC server is unavailable. (MprAdminMIBEntryGet)\n"


def test_a_failed_router_gets_an_error_section_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FleetConnect({"up": FakeServer(), "down": FakeServer(fail=RPC_DOWN)})
    code, out, err = run(["--server", "down", "--server", "up", "stats"], capsys, connect)  # type: ignore[arg-type]
    assert code == 1
    assert out.startswith("== down ==\nerror: [WinError 1722] The RPC server is unavailable.")
    assert "== up ==\nIP\n" in out
    assert err.count("\n") == 1 and err.startswith("mprapi: down: ")


def test_servers_file_names_one_router_a_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = tmp_path / "routers.txt"
    listing.write_text("# the branch routers\nR1\n\n  R2  # second floor\nR1\n")
    connect = FleetConnect({"R1": FakeServer(), "R2": FakeServer(), "R0": FakeServer()})
    code, out, _ = run(["--server", "R0", "--servers-file", str(listing), "--json", "routes"], capsys, connect)  # type: ignore[arg-type]
    assert code == 0
    assert list(json.loads(out)) == ["R0", "R1", "R2"]  # each once, in order
    # One name in a file is still a fleet: the output is keyed by router.
    listing.write_text("R2\n")
    code, out, _ = run(["--servers-file", str(listing), "--json", "routes"], capsys, connect)  # type: ignore[arg-type]
    assert list(json.loads(out)) == ["R2"]


def test_an_empty_or_missing_servers_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nobody\n\n")
    connect = FleetConnect({})
    code, _, err = run(["--servers-file", str(empty), "routes"], capsys, connect)  # type: ignore[arg-type]
    assert code == 2 and "names no router" in err
    code, _, err = run(["--servers-file", str(tmp_path / "missing.txt"), "routes"], capsys, connect)  # type: ignore[arg-type]
    assert code == 1 and "missing.txt" in err
    assert connect.names == []


def test_a_router_past_the_timeout_is_an_error_1460_and_the_others_still_print(
    capsys: pytest.CaptureFixture[str],
) -> None:
    release = threading.Event()

    class HungServer(FakeServer):
        def ip_forward_table(self) -> list[IpForwardRow]:
            release.wait()
            return super().ip_forward_table()

    connect = FleetConnect({"slow": HungServer(), "ok": FakeServer()})
    try:
        start = time.monotonic()
        code, out, err = run(["--timeout", "0.3", "--json", "--server", "slow", "--server", "ok", "routes"],
                             capsys, connect)  # type: ignore[arg-type]  # fmt: skip
        assert time.monotonic() - start < 10
    finally:
        release.set()
    assert code == 1
    data = json.loads(out)
    assert data["slow"]["error"]["winerror"] == 1460 and "0.3 s" in data["slow"]["error"]["message"]
    assert data["ok"][0]["dest"] == "0.0.0.0"
    assert err.startswith("mprapi: slow: ")


def test_writes_take_one_router(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FleetConnect({"A": FakeServer(), "B": FakeServer()})
    code, _, err = run(["--server", "A", "--server", "B", "set", "forwarding", "on"], capsys, connect)  # type: ignore[arg-type]
    assert code == 2 and "one --server" in err and connect.names == []


def test_the_timeout_counts_for_one_router_too(capsys: pytest.CaptureFixture[str]) -> None:
    release = threading.Event()

    class HungServer(FakeServer):
        def ip_forward_table(self) -> list[IpForwardRow]:
            release.wait(6)  # without the timeout, the command would wait this long, then succeed
            return super().ip_forward_table()

    connect = FleetConnect({"slow": HungServer()})
    try:
        start = time.monotonic()
        code, out, err = run(["--timeout", "0.3", "--server", "slow", "routes"], capsys, connect)  # type: ignore[arg-type]
        assert time.monotonic() - start < 3
    finally:
        release.set()
    assert (code, out) == (1, "")
    assert err == "mprapi: slow did not answer within 0.3 s\n"
    deadline = time.monotonic() + 5
    while connect.closed != ["slow"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert connect.closed == ["slow"]  # closed once, when the read returned


@pytest.mark.parametrize("timeout", ["0", "-1", "nan", "inf", "soon", "1e300"])
def test_a_bad_timeout_is_a_usage_error(timeout: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--timeout", timeout, "routes"], capsys)
    assert code == 2 and "seconds" in err


class Terminal:
    """A stderr that says it is a terminal and keeps what is written to it."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_a_long_poll_shows_a_progress_bar_on_a_terminal_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("tqdm")
    names = [f"R{i}" for i in range(5)]

    class SlowServer(FakeServer):
        def ip_forward_table(self) -> list[IpForwardRow]:
            time.sleep(0.8)  # longer than the bar's 0.5 s delay
            return super().ip_forward_table()

    connect = FleetConnect({name: SlowServer() for name in names})
    argv = [arg for name in names for arg in ("--server", name)] + ["routes"]
    code, _, err = run(argv, capsys, connect)  # type: ignore[arg-type]
    assert (code, err) == (0, "")  # not a terminal: nothing on stderr
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(argv, connect=connect) == 0  # type: ignore[arg-type]
    assert "/5 [" in terminal.text and "router/s" in terminal.text


class AnsiStdout(io.TextIOWrapper):
    """stdout as Windows gives it to a pipe or a file: the ANSI code page."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="cp1252", newline="")

    def text(self) -> str:
        self.flush()
        return self.buffer.getvalue().decode("cp1252")  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize("fleet", [False, True])
def test_a_name_the_stdout_encoding_lacks_is_escaped_not_fatal(fleet: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [if_row("Ethernet \u2260 WAN", 3, IfType.ETHERNET_CSMACD, 1500, 0, b"", IfAdminStatus.UP,
                   IfOperStatus.OPERATIONAL, "caf\u00e9")]  # fmt: skip

    class LocalizedServer(FakeServer):
        def if_table(self) -> list[IfRow]:
            return rows

    stdout = AnsiStdout()
    monkeypatch.setattr(sys, "stdout", stdout)
    servers = ["--server", "A", "--server", "B"] if fleet else []
    connect = FleetConnect({"A": LocalizedServer(), "B": LocalizedServer(), "None": LocalizedServer()})
    assert main([*servers, "interfaces"], connect=connect) == 0  # type: ignore[arg-type]
    out = stdout.text()
    assert "Ethernet \\u2260 WAN" in out and "caf\u00e9" in out  # é is in cp1252, U+2260 is not
