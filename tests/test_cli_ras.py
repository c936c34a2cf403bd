"""The ``mprapi`` command's remote access verbs: server, connections, ports, disconnect, and the port
and connection writes.

Natively, ``main(argv, connect=fake)`` runs them against a fake AdminServer (columns, JSON,
arguments, the confirmation).  In the Windows lane, the real command runs against the stand-in's
remote access server (tests/router/README.md) through the compiled binding.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import pytest

from conftest import windows_lane
from mprapi_cffi import MprError
from mprapi_cffi.cli import main
from mprapi_cffi.errors import ApiUnavailableError
from mprapi_cffi.ras import (
    Connection0,
    Connection1,
    Connection2,
    Connection3,
    Connection4,
    Port0,
    Port1,
    PortCondition,
    RouterInterfaceType,
    ServerInfo0,
    ServerInfo1,
    ServerInfo2,
    ServerInfoEx,
)
from standin import Router

# ------------------------------------------------------------------ the fake server

START = datetime(2024, 5, 1, 9, 0, 0, tzinfo=timezone.utc)
SSTP, IKEV2, L2TP, PPTP = 0x10000 | 14, 0x10000 | 15, 0x10000 | 9, 0x10000 | 8
DEVICES = {SSTP: "WAN Miniport (SSTP)", IKEV2: "WAN Miniport (IKEv2)", L2TP: "WAN Miniport (L2TP)",
           PPTP: "WAN Miniport (PPTP)"}  # fmt: skip


def conn4(handle: int, user: str, domain: str, device: int, endpoint: str, client: str, duration: int,
          sent: int, received: int, kind: int = RouterInterfaceType.CLIENT) -> Connection4:  # fmt: skip
    return Connection4(
        handle=handle, interface_handle=handle + 0x1000, duration=duration, interface_type=kind, flags=1,
        interface_name=user if kind != RouterInterfaceType.CLIENT else "", user_name=user, logon_domain=domain,
        remote_computer="", guid=uuid.UUID(int=handle), quarantine_state=0, probation_time=None, start_time=START,
        bytes_sent=sent, bytes_received=received, frames_sent=7, frames_received=8, crc_errors=0, timeout_errors=0,
        alignment_errors=0, hardware_overrun_errors=0, framing_errors=0, buffer_overrun_errors=0,
        compression_ratio_in=0, compression_ratio_out=0, switch_overs=0, remote_endpoint=endpoint,
        local_endpoint="198.51.100.1", projection_type=1, ipv4_address="10.10.0.1", remote_ipv4_address=client,
        device_type=device,
    )  # fmt: skip


CONNECTIONS = [
    conn4(0x101, "alice", "CONTOSO", SSTP, "203.0.113.10", "10.10.0.2", 3723, 123456, 7890123),
    conn4(0x102, "Bob", "CONTOSO", IKEV2, "203.0.113.20", "10.10.0.3", 90061, 1, 2),
    conn4(0x103, "bob", "contoso", L2TP, "203.0.113.21", "10.10.0.4", 59, 3, 4),
    conn4(0x104, "BRANCH1", "", PPTP, "192.0.2.7", "", 600, 2**32 + 5, 2**33, RouterInterfaceType.FULL_ROUTER),
]


def port0(handle: int, connection: int, device: int, name: str) -> Port0:
    condition = PortCondition.AUTHENTICATED if connection else PortCondition.LISTENING
    return Port0(handle=handle, connection_handle=connection, condition=condition, total_calls=3, duration=60,
                 port_name=name, media_name="rastapi", device_name=DEVICES[device], device_type="vpn")  # fmt: skip


PORTS = [
    port0(1, 0x101, SSTP, "VPN2-1"),
    port0(2, 0x102, IKEV2, "VPN3-1"),
    port0(3, 0x103, L2TP, "VPN1-1"),
    port0(4, 0x104, PPTP, "VPN0-1"),
    port0(5, 0, SSTP, "VPN2-2"),
]


def port1(port: Port0) -> Port1:
    return Port1(handle=port.handle, connection_handle=port.connection_handle, hardware_condition=0,
                 line_speed=1_000_000, bytes_sent=port.handle * 100, bytes_received=port.handle * 200, frames_sent=11,
                 frames_received=12, crc_errors=1, timeout_errors=2, alignment_errors=0, hardware_overrun_errors=0,
                 framing_errors=0, buffer_overrun_errors=3, compression_ratio_in=0,
                 compression_ratio_out=0)  # fmt: skip


def at_level(row: Connection4, level: int) -> Any:
    """The same connection as RAS_CONNECTION_<level> gives it."""
    if level == 0:
        return Connection0(handle=row.handle, interface_handle=row.interface_handle, duration=row.duration,
                           interface_type=row.interface_type, flags=row.flags, interface_name=row.interface_name,
                           user_name=row.user_name, logon_domain=row.logon_domain,
                           remote_computer=row.remote_computer)  # fmt: skip
    if level == 1:
        return Connection1(handle=row.handle, interface_handle=row.interface_handle, ipv4_address=row.ipv4_address,
                           remote_ipv4_address=row.remote_ipv4_address, bytes_sent=row.bytes_sent % 2**32,
                           bytes_received=row.bytes_received % 2**32,
                           **{name: getattr(row, name) for name in STATS})  # fmt: skip
    if level == 2:
        return Connection2(handle=row.handle, user_name=row.user_name, interface_type=row.interface_type, guid=row.guid)
    if level == 3:
        return Connection3(handle=row.handle, user_name=row.user_name, interface_type=row.interface_type,
                           guid=row.guid, quarantine_state=0, probation_time=None)  # fmt: skip
    return row


STATS = ("frames_sent", "frames_received", "crc_errors", "timeout_errors", "alignment_errors",
         "hardware_overrun_errors", "framing_errors", "buffer_overrun_errors", "compression_ratio_in",
         "compression_ratio_out")

NOT_RAS = MprError(903, "The router is not running.", "MprAdminConnectionEnum")
RPC_DOWN = MprError(1722, "The RPC server is unavailable.", "MprAdminServerGetInfo")


class FakeAdmin:
    """An AdminServer with CONNECTIONS and PORTS; records every call; writes change its state."""

    def __init__(self, fail: BaseException | None = None, max_level: int = 4, ex: bool = True,
                 refuse: BaseException | None = None, enum_level_1: bool = False) -> None:  # fmt: skip
        self.fail = fail
        self.enum_level_1 = enum_level_1  # MS-RRASM 3.1.4.5: PortEnum takes level 0 only
        self.max_level = max_level
        self.ex = ex
        self.refuse = refuse
        self.connections_ = list(CONNECTIONS)
        self.ports_ = list(PORTS)
        self.calls: list[tuple[Any, ...]] = []
        self.connection_level: int | None = None

    def _call(self, *what: Any) -> None:
        self.calls.append(what)
        if self.fail is not None:
            raise self.fail

    @property
    def writes(self) -> list[tuple[Any, ...]]:
        return [c for c in self.calls if c[0] in ("disconnect_port", "reset_port", "clear_port_stats",
                                                  "clear_connection_stats")]  # fmt: skip

    def server_info(self, level: int = 0) -> Any:
        self._call("server_info", level)
        if level == 0:
            in_use = len(self.connections_)
            return ServerInfo0(lan_only_mode=False, up_time=273906, total_ports=352, ports_in_use=in_use)
        if level == 1:
            return ServerInfo1(pptp_ports=32, pptp_port_flags=3, l2tp_ports=64, l2tp_port_flags=1)
        return ServerInfo2(pptp_ports=32, pptp_port_flags=3, l2tp_ports=64, l2tp_port_flags=1, sstp_ports=128,
                           sstp_port_flags=1)  # fmt: skip

    def server_info_ex(self) -> ServerInfoEx:
        self._call("server_info_ex")
        if not self.ex:
            raise ApiUnavailableError("MprAdminServerGetInfoEx is not in this Mprapi.dll")
        return ServerInfoEx(lan_only_mode=False, up_time=273906, total_ports=352, ports_in_use=4, ikev2_ports=128,
                            ikev2_port_flags=1, pptp_ports=32, pptp_port_flags=3, l2tp_ports=64, l2tp_port_flags=1,
                            sstp_ports=128, sstp_port_flags=1, gre_ports=0, gre_port_flags=0)  # fmt: skip

    def connections(self, level: int | None = None) -> list[Any]:
        self._call("connections", level)
        if level is None:
            level = self.max_level
            self.connection_level = level
        elif level > self.max_level:
            raise MprError(50, "The request is not supported.", "MprAdminConnectionEnum")
        return [at_level(row, level) for row in self.connections_]

    def connection(self, handle: int, level: int = 4) -> Any:
        self._call("connection", handle, level)
        for row in self.connections_:
            if row.handle == handle:
                return at_level(row, level)
        raise MprError(668, "The connection was terminated.", "MprAdminConnectionGetInfo")

    def ports(self, level: int = 0, *, connection: int | None = None) -> list[Any]:
        self._call("ports", level, connection)
        if level and not self.enum_level_1:
            raise MprError(50, "The request is not supported.", "MprAdminPortEnum")
        rows = [p for p in self.ports_ if connection is None or p.connection_handle == connection]
        return rows if level == 0 else [port1(p) for p in rows]

    def port(self, handle: int, level: int = 0) -> Any:
        self._call("port", handle, level)
        for row in self.ports_:
            if row.handle == handle:
                return row if level == 0 else port1(row)
        raise MprError(615, "The port was not found.", "MprAdminPortGetInfo")

    def disconnect_port(self, port: int) -> None:
        self._call("disconnect_port", port)
        if self.refuse is not None:
            raise self.refuse
        for i, row in enumerate(self.ports_):
            if row.handle == port:
                self.connections_ = [c for c in self.connections_ if c.handle != row.connection_handle]
                self.ports_[i] = port0(row.handle, 0, SSTP, row.port_name)

    def reset_port(self, port: int) -> None:
        self._call("reset_port", port)

    def clear_port_stats(self, port: int) -> None:
        self._call("clear_port_stats", port)

    def clear_connection_stats(self, connection: int) -> None:
        self._call("clear_connection_stats", connection)


class FakeConnect:
    """Stands in for AdminServer(name): one FakeAdmin per router name (None: this machine)."""

    def __init__(self, servers: dict[str | None, FakeAdmin] | None = None) -> None:
        self.servers = servers if servers is not None else {None: FakeAdmin()}
        self.names: list[str | None] = []

    @property
    def server(self) -> FakeAdmin:
        return next(iter(self.servers.values()))

    @contextmanager
    def __call__(self, name: str | None) -> Iterator[FakeAdmin]:
        self.names.append(name)
        yield self.servers[name]


def run(argv: list[str], capsys: pytest.CaptureFixture[str], connect: FakeConnect | None = None
        ) -> tuple[int, str, str]:  # fmt: skip
    code = main(argv, connect=connect or FakeConnect())
    out, err = capsys.readouterr()
    return code, out, err


class Keyboard:
    """A stdin on a terminal that answers the prompt with ``answer``."""

    def __init__(self, answer: str, tty: bool = True) -> None:
        self.answer = answer
        self.tty = tty
        self.asked = 0

    def isatty(self) -> bool:
        return self.tty

    def readline(self) -> str:
        self.asked += 1
        return self.answer


# ------------------------------------------------------------------ reads


def test_server_prints_lan_only_mode_up_time_ports_and_ports_per_tunnel(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, out, err = run(["server"], capsys, connect)
    assert (code, err) == (0, "")
    assert out == (
        "LAN-only mode  no\n"
        "Up time        3d 04:05:06\n"
        "Ports          352 total, 4 in use\n"
        "\n"
        "Tunnel  Ports  Enabled for\n"
        "pptp       32  ras,routing\n"
        "l2tp       64  ras\n"
        "sstp      128  ras\n"
        "ikev2     128  ras\n"
        "gre         0  -\n"
    )
    assert [c[:2] for c in connect.server.calls] == [("server_info", 0), ("server_info", 2), ("server_info_ex",)]


def test_server_json_has_numbers_and_null_for_what_the_dll_lacks(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["server", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data == {
        "lan_only_mode": False, "up_time": 273906, "total_ports": 352, "ports_in_use": 4,
        "tunnels": {"pptp": {"ports": 32, "flags": 3}, "l2tp": {"ports": 64, "flags": 1},
                    "sstp": {"ports": 128, "flags": 1}, "ikev2": {"ports": 128, "flags": 1},
                    "gre": {"ports": 0, "flags": 0}},
        "server_info_ex": True,
    }  # fmt: skip
    code, out, _ = run(["server", "--json"], capsys, FakeConnect({None: FakeAdmin(ex=False)}))
    data = json.loads(out)
    assert code == 0 and data["server_info_ex"] is False
    assert data["tunnels"]["ikev2"] is None and data["tunnels"]["gre"] is None
    assert data["tunnels"]["sstp"] == {"ports": 128, "flags": 1}
    code, out, _ = run(["server"], capsys, FakeConnect({None: FakeAdmin(ex=False)}))
    assert "ikev2" not in out and "MprAdminServerGetInfoEx is not available" in out


def test_connections_print_user_tunnel_type_endpoint_client_duration_start_bytes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["connections"], capsys)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Handle  User           Tunnel  Type         Remote endpoint  "
        "Client address     Duration  Started                     Sent    Received",
        " 0x101  CONTOSO\\alice  sstp    client       203.0.113.10     "
        "10.10.0.2          01:02:03  2024-05-01T09:00:00Z      123456     7890123",
        " 0x102  CONTOSO\\Bob    ikev2   client       203.0.113.20     "
        "10.10.0.3       1d 01:01:01  2024-05-01T09:00:00Z           1           2",
        " 0x103  contoso\\bob    l2tp    client       203.0.113.21     "
        "10.10.0.4          00:00:59  2024-05-01T09:00:00Z           3           4",
        " 0x104  BRANCH1        pptp    full_router  192.0.2.7        "
        "-                  00:10:00  2024-05-01T09:00:00Z  4294967301  8589934592",
    ]


CONNECTION_KEYS = [
    "handle", "interface_handle", "user_name", "logon_domain", "tunnel", "interface_type", "interface_name",
    "remote_computer", "remote_endpoint", "local_endpoint", "ipv4_address", "remote_ipv4_address", "duration",
    "start_time", "bytes_sent", "bytes_received", "flags", "quarantine_state", "level",
]  # fmt: skip


def test_connections_json_has_the_same_keys_at_every_level_numbers_and_utc_times(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["connections", "--json"], capsys)
    assert code == 0
    rows = json.loads(out)
    assert [list(row) for row in rows] == [CONNECTION_KEYS] * 4
    assert rows[0] == {
        "handle": 0x101, "interface_handle": 0x1101, "user_name": "alice", "logon_domain": "CONTOSO",
        "tunnel": "sstp", "interface_type": 0, "interface_name": "", "remote_computer": "",
        "remote_endpoint": "203.0.113.10", "local_endpoint": "198.51.100.1", "ipv4_address": "10.10.0.1",
        "remote_ipv4_address": "10.10.0.2", "duration": 3723, "start_time": "2024-05-01T09:00:00Z",
        "bytes_sent": 123456, "bytes_received": 7890123, "flags": 1, "quarantine_state": 0, "level": 4,
    }  # fmt: skip
    assert rows[3]["bytes_sent"] == 2**32 + 5 and rows[3]["interface_type"] == 2
    for level in range(4):
        code, out, _ = run(["connections", "--json", "--level", str(level)], capsys)
        rows = json.loads(out)
        assert code == 0 and [list(row) for row in rows] == [CONNECTION_KEYS] * 4
        assert {row["level"] for row in rows} == {level}
        # Below level 4 the tunnel is the connection's port's.
        assert [row["tunnel"] for row in rows] == ["sstp", "ikev2", "l2tp", "pptp"]
        assert rows[0]["start_time"] is None and rows[0]["remote_endpoint"] is None
        assert (rows[0]["user_name"] is None) == (level == 1)
        assert (rows[0]["bytes_sent"] is None) == (level != 1)


def test_connections_level_is_forced_or_the_richest_the_server_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect({None: FakeAdmin(max_level=2)})
    code, out, _ = run(["connections"], capsys, connect)
    assert code == 0 and ("connections", None) in connect.server.calls  # the library falls back
    assert out.splitlines()[1].split() == ["0x101", "alice", "sstp", "client", "-", "-", "-", "-", "-", "-"]
    connect = FakeConnect()
    run(["connections", "--level", "1"], capsys, connect)
    assert ("connections", 1) in connect.server.calls
    code, _, err = run(["connections", "--level", "3"], capsys, FakeConnect({None: FakeAdmin(max_level=2)}))
    assert code == 1 and err.startswith("mprapi: [WinError 50] The request is not supported.")


def test_ports_print_name_tunnel_condition_user_connection_device(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["ports"], capsys)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Port  Name    Tunnel  Condition      User           Connection  Device",
        " 0x1  VPN2-1  sstp    authenticated  CONTOSO\\alice       0x101  WAN Miniport (SSTP)",
        " 0x2  VPN3-1  ikev2   authenticated  CONTOSO\\Bob         0x102  WAN Miniport (IKEv2)",
        " 0x3  VPN1-1  l2tp    authenticated  contoso\\bob         0x103  WAN Miniport (L2TP)",
        " 0x4  VPN0-1  pptp    authenticated  BRANCH1             0x104  WAN Miniport (PPTP)",
        " 0x5  VPN2-2  sstp    listening      -                       -  WAN Miniport (SSTP)",
    ]


def test_ports_of_one_connection_and_their_statistics(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, out, _ = run(["ports", "--connection", "0x102", "--json"], capsys, connect)
    assert code == 0 and ("ports", 0, 0x102) in connect.server.calls
    assert json.loads(out) == [{
        "handle": 2, "port_name": "VPN3-1", "tunnel": "ikev2", "condition": 5, "connection_handle": 258,
        "user": "CONTOSO\\Bob", "device_name": "WAN Miniport (IKEv2)", "device_type": "vpn", "media_name": "rastapi",
        "total_calls": 3, "duration": 60,
    }]  # fmt: skip
    connect = FakeConnect()
    code, out, _ = run(["ports", "--level", "1", "--json"], capsys, connect)
    rows = json.loads(out)
    assert code == 0 and len(rows) == 5
    # PortEnum refuses level 1 (as MS-RRASM says): one PortGetInfo a port.
    assert [c for c in connect.server.calls if c[0] == "port"] == [("port", h, 1) for h in range(1, 6)]
    lenient = FakeConnect({None: FakeAdmin(enum_level_1=True)})
    assert run(["ports", "--level", "1", "--json"], capsys, lenient)[1] == out
    assert [c[0] for c in lenient.server.calls] == ["ports", "ports"]
    assert rows[1]["port_name"] == "VPN3-1" and rows[1]["tunnel"] == "ikev2"
    assert rows[1]["bytes_sent"] == 200 and rows[1]["line_speed"] == 1_000_000 and rows[1]["crc_errors"] == 1
    code, out, _ = run(["ports", "--level", "1"], capsys)
    assert out.splitlines()[0] == ("Port  Name    Tunnel  Hardware     Line speed  Sent  Received  Frames sent  "
                                   "Frames received  Errors")  # fmt: skip
    assert out.splitlines()[2].split() == ["0x2", "VPN3-1", "ikev2", "operational", "1000000", "200", "400", "11", "12",
                                           "6"]  # fmt: skip


def test_port_statistics_skip_a_port_gone_since_the_enumeration(capsys: pytest.CaptureFixture[str]) -> None:
    class Racing(FakeAdmin):
        def port(self, handle: int, level: int = 0) -> Any:
            if handle == 3:
                raise MprError(615, "The port was not found.", "MprAdminPortGetInfo")
            return super().port(handle, level)

    code, out, _ = run(["ports", "--level", "1", "--json"], capsys, FakeConnect({None: Racing()}))
    assert code == 0 and [row["handle"] for row in json.loads(out)] == [1, 2, 4, 5]
    code, _, err = run(["ports", "--level", "1"], capsys, FakeConnect({None: FakeAdmin(fail=RPC_DOWN)}))
    assert code == 1 and "1722" in err


def test_an_idle_server_reads_no_connections_for_its_ports(capsys: pytest.CaptureFixture[str]) -> None:
    server = FakeAdmin()
    server.connections_, server.ports_ = [], [port0(5, 0, SSTP, "VPN2-2")]
    connect = FakeConnect({None: server})
    code, out, _ = run(["ports"], capsys, connect)
    assert code == 0 and [c[0] for c in server.calls] == ["ports"]
    code, out, _ = run(["connections"], capsys, connect)
    assert (code, out) == (0, "Handle  User  Tunnel  Type  Remote endpoint  Client address  Duration  Started  Sent"
                              "  Received\n")  # fmt: skip


def test_a_lan_only_router_gets_the_error_and_a_one_line_hint(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["connections"], capsys, FakeConnect({None: FakeAdmin(fail=NOT_RAS)}))
    assert (code, out) == (1, "")
    assert err == ("mprapi: [WinError 903] The router is not running. (MprAdminConnectionEnum)\n"
                   "mprapi: the server is not a remote access server (RRAS runs in LAN-only mode)\n")  # fmt: skip


def test_many_routers_print_each_result_or_error(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect({"vpn1": FakeAdmin(), "lan": FakeAdmin(fail=NOT_RAS), "down": FakeAdmin(fail=RPC_DOWN)})
    code, out, err = run(["--server", "vpn1", "--server", "lan", "ports", "--server", "down"], capsys, connect)
    assert code == 1
    single = run(["ports"], capsys)[1]
    assert out == (f"== vpn1 ==\n{single}\n== lan ==\nerror: [WinError 903] The router is not running. "
                   "(MprAdminConnectionEnum)\n\n== down ==\nerror: [WinError 1722] The RPC server is unavailable. "
                   "(MprAdminServerGetInfo)\n")  # fmt: skip
    assert err.splitlines() == [
        "mprapi: lan: [WinError 903] The router is not running. (MprAdminConnectionEnum)",
        "mprapi: lan: the server is not a remote access server (RRAS runs in LAN-only mode)",
        "mprapi: down: [WinError 1722] The RPC server is unavailable. (MprAdminServerGetInfo)",
    ]
    code, out, _ = run(["--json", "--server", "vpn1", "--server", "lan", "connections"], capsys, connect)
    data = json.loads(out)
    assert code == 1 and list(data) == ["vpn1", "lan"]
    assert len(data["vpn1"]) == 4 and data["vpn1"][0]["start_time"] == "2024-05-01T09:00:00Z"
    assert data["lan"] == {"error": {"winerror": 903, "message": "The router is not running."}}


def test_servers_file_and_timeout_take_the_remote_access_commands_too(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "vpn.txt"
    listing.write_text("vpn1\n# off\nvpn2\n")
    connect = FakeConnect({"vpn1": FakeAdmin(), "vpn2": FakeAdmin()})
    code, out, _ = run(["server", "--servers-file", str(listing), "--timeout", "5", "--json"], capsys, connect)
    assert code == 0 and list(json.loads(out)) == ["vpn1", "vpn2"]


# ------------------------------------------------------------------ writes


def test_disconnect_a_port_with_yes_sends_it_and_prints_what_was_done(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, out, err = run(["disconnect", "1", "--yes"], capsys, connect)
    assert (code, err) == (0, "")
    assert connect.server.writes == [("disconnect_port", 1)]
    assert out == ("Port  Name    Tunnel  Connection  User           Result\n"
                   " 0x1  VPN2-1  sstp         0x101  CONTOSO\\alice  done\n")  # fmt: skip
    assert [c[0] for c in connect.server.connections_] == [] or len(connect.server.connections_) == 3


def test_disconnect_json_says_what_was_done(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, out, _ = run(["disconnect", "0x4", "-y", "--json"], capsys, connect)
    assert code == 0
    assert json.loads(out) == [{
        "call": "MprAdminPortDisconnect", "port": 4, "port_name": "VPN0-1", "tunnel": "pptp", "connection": 260,
        "user": "BRANCH1", "answer": {"winerror": 0, "message": "done"},
    }]  # fmt: skip


@pytest.mark.parametrize("user, ports", [
    ("ALICE", [1]), ("bob", [2, 3]), ("contoso\\BOB", [2, 3]), ("CONTOSO\\alice", [1]), ("branch1", [4]),
])  # fmt: skip
def test_disconnect_user_disconnects_every_port_of_that_user_any_case(
    user: str, ports: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    connect = FakeConnect()
    code, out, err = run(["disconnect", "--user", user, "--yes", "--json"], capsys, connect)
    assert (code, err) == (0, "")
    assert connect.server.writes == [("disconnect_port", port) for port in ports]
    assert [item["port"] for item in json.loads(out)] == ports
    # Read first: the connections (level 0 has the domain) and the ports, before any write.
    assert [c[:2] for c in connect.server.calls[:2]] == [("connections", 0), ("ports", 0)]


@pytest.mark.parametrize("user", ["carol", "FABRIKAM\\bob", "alice\\CONTOSO"])
def test_disconnect_user_without_a_connection_sends_nothing(user: str, capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, out, err = run(["disconnect", "--user", user, "--yes"], capsys, connect)
    assert (code, out) == (1, "")
    assert err == f"mprapi: no connection of user {user} on this machine: nothing sent\n"
    assert connect.server.writes == []


def test_on_a_terminal_a_write_shows_what_it_will_do_and_asks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keyboard = Keyboard("y\n")
    monkeypatch.setattr(sys, "stdin", keyboard)
    connect = FakeConnect({"vpn1": FakeAdmin()})
    code, out, err = run(["--server", "vpn1", "disconnect", "--user", "bob"], capsys, connect)
    assert code == 0 and keyboard.asked == 1
    assert err == ("Port  Name    Tunnel  Connection  User\n"
                   " 0x2  VPN3-1  ikev2        0x102  CONTOSO\\Bob\n"
                   " 0x3  VPN1-1  l2tp         0x103  contoso\\bob\n"
                   "Disconnect 2 ports on vpn1? [y/N] ")  # fmt: skip
    assert connect.server.writes == [("disconnect_port", 2), ("disconnect_port", 3)]
    assert "done" in out


@pytest.mark.parametrize("answer", ["n\n", "\n", "", "yes please\n", "nope\n"])
def test_anything_but_yes_at_the_prompt_sends_nothing(
    answer: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keyboard = Keyboard(answer)
    monkeypatch.setattr(sys, "stdin", keyboard)
    connect = FakeConnect()
    code, out, err = run(["disconnect", "1"], capsys, connect)
    assert (code, out) == (1, "") and keyboard.asked == 1
    assert "Disconnect 1 port on this machine? [y/N] " in err
    assert err.endswith("mprapi: not confirmed: nothing sent\n")
    assert connect.server.writes == []


@pytest.mark.parametrize("argv", [
    ["disconnect", "1"], ["disconnect", "--user", "bob"], ["ports", "reset", "1"], ["ports", "clear-stats", "1"],
    ["connections", "clear-stats", "0x101"],
])  # fmt: skip
def test_without_a_terminal_a_write_needs_yes(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keyboard = Keyboard("y\n", tty=False)
    monkeypatch.setattr(sys, "stdin", keyboard)
    connect = FakeConnect()
    code, out, err = run(argv, capsys, connect)
    assert (code, out) == (2, "") and keyboard.asked == 0
    assert err == "mprapi: stdin is not a terminal to confirm on: give --yes to make this change\n"
    assert connect.names == []  # refused before connecting
    code, _, _ = run([*argv, "--yes"], capsys, connect)
    assert code == 0 and len(connect.server.writes) >= 1


@pytest.mark.parametrize("argv, call, write", [
    (["ports", "reset", "5"], "MprAdminPortReset", ("reset_port", 5)),
    (["ports", "clear-stats", "0x2"], "MprAdminPortClearStats", ("clear_port_stats", 2)),
    (["connections", "clear-stats", "259"], "MprAdminConnectionClearStats", ("clear_connection_stats", 259)),
])  # fmt: skip
def test_port_reset_and_clear_stats_and_connection_clear_stats(
    argv: list[str], call: str, write: tuple[Any, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    connect = FakeConnect()
    code, out, _ = run([*argv, "--yes", "--json"], capsys, connect)
    assert code == 0 and connect.server.writes == [write]
    (item,) = json.loads(out)
    assert item["call"] == call and item["answer"] == {"winerror": 0, "message": "done"}
    if argv[0] == "connections":
        assert (item["port"], item["connection"], item["user"], item["tunnel"]) == (None, 259, "contoso\\bob", "l2tp")
    else:
        assert item["port"] == write[1]


def test_the_connection_prompt_names_the_connection(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", Keyboard("n\n"))
    code, _, err = run(["connections", "clear-stats", "0x101"], capsys)
    assert code == 1
    assert err.splitlines()[:3] == ["Port  Name  Tunnel  Connection  User", "   -  -     sstp         0x101  "
                                    "CONTOSO\\alice", "Clear the statistics of 1 connection on this machine? [y/N] "
                                    "mprapi: not confirmed: nothing sent"]  # fmt: skip


@pytest.mark.parametrize("argv", [
    ["disconnect"], ["disconnect", "0"], ["disconnect", "-1"], ["disconnect", "abc"], ["disconnect", "0x"],
    ["disconnect", "1.5"], ["disconnect", "0x1_0"], ["disconnect", "1_0"], ["disconnect", " 7"],
    ["disconnect", str(2**64)], ["disconnect", "0x1" + "0" * 16], ["disconnect", "1", "--user", "bob"],
    ["disconnect", "--user", ""], ["disconnect", "--user", "a\\b\\c"], ["ports", "reset"], ["ports", "reset", "0"],
    ["connections", "clear-stats", "x"], ["ports", "--connection", "0"], ["connections", "--level", "5"],
    ["ports", "--level", "2"], ["disconnect", "1", "--level", "1"],
])  # fmt: skip
def test_bad_handles_and_arguments_are_usage_errors_before_connecting(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    connect = FakeConnect()
    code, out, _ = run([*argv, "--yes"] if argv[0] == "disconnect" else argv, capsys, connect)
    assert (code, out) == (2, "") and connect.names == []


def test_the_largest_handle_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, _, err = run(["disconnect", hex(2 ** (8 * 8) - 1 if sys.maxsize > 2**32 else 2**32 - 1), "--yes"],
                       capsys, connect)  # fmt: skip
    assert code == 1 and err.startswith("mprapi: [WinError 615]")  # the fake has no such port
    assert connect.server.writes == []


def test_writes_go_to_one_router(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    connect = FakeConnect({"a": FakeAdmin(), "b": FakeAdmin()})
    code, _, err = run(["--server", "a", "--server", "b", "disconnect", "1", "--yes"], capsys, connect)
    assert code == 2 and "one --server" in err and connect.names == []
    listing = tmp_path / "one.txt"
    listing.write_text("a\n")
    code, _, err = run(["ports", "reset", "1", "--yes", "--servers-file", str(listing)], capsys, connect)
    assert code == 2 and "one --server" in err and connect.names == []
    code, _, _ = run(["disconnect", "1", "--yes", "--server", "b"], capsys, connect)
    assert code == 0 and connect.names == ["b", "b"] and connect.servers["b"].writes == [("disconnect_port", 1)]


def test_a_refused_write_exits_1_and_goes_on_to_the_next_port(capsys: pytest.CaptureFixture[str]) -> None:
    server = FakeAdmin(refuse=MprError(5, "Access is denied.\r\n", "MprAdminPortDisconnect"))
    code, out, err = run(["disconnect", "--user", "bob", "--yes", "--json"], capsys, FakeConnect({None: server}))
    assert code == 1 and server.writes == [("disconnect_port", 2), ("disconnect_port", 3)]
    assert [item["answer"] for item in json.loads(out)] == [{"winerror": 5, "message": "Access is denied."}] * 2
    assert err.splitlines() == [
        "mprapi: the router refused MprAdminPortDisconnect for port 0x2: Access is denied. (5)",
        "mprapi: the router refused MprAdminPortDisconnect for port 0x3: Access is denied. (5)",
    ]
    code, out, _ = run(["disconnect", "1", "--yes"], capsys, FakeConnect({None: server}))
    assert out.splitlines()[1].endswith("CONTOSO\\alice  Access is denied. (5)")


def test_an_unknown_port_or_a_lan_only_router_is_an_error_before_any_write(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, out, err = run(["disconnect", "99", "--yes"], capsys, connect)
    assert (code, out) == (1, "") and connect.server.writes == []
    assert err == "mprapi: [WinError 615] The port was not found. (MprAdminPortGetInfo)\n"
    lan_only = FakeAdmin(fail=MprError(903, "The router is not running.", "MprAdminPortGetInfo"))
    code, _, err = run(["ports", "reset", "1", "--yes"], capsys, FakeConnect({None: lan_only}))
    assert code == 1 and err.splitlines()[1] == "mprapi: the server is not a remote access server (RRAS runs in " \
        "LAN-only mode)"  # fmt: skip
    assert lan_only.writes == [("reset_port", 1)][:0]


def test_a_port_without_a_connection_is_still_sent(capsys: pytest.CaptureFixture[str]) -> None:
    connect = FakeConnect()
    code, out, _ = run(["ports", "reset", "5", "--yes"], capsys, connect)
    assert code == 0 and connect.server.writes == [("reset_port", 5)]
    assert out.splitlines()[1].split() == ["0x5", "VPN2-2", "sstp", "-", "-", "done"]


@pytest.mark.parametrize("argv", [
    ["server"], ["connections"], ["connections", "--level", "2"], ["ports"], ["ports", "--level", "1"],
    ["ports", "--connection", "0x1f"], ["disconnect", "7"], ["disconnect", "--user", "CONTOSO\\alice"],
    ["ports", "reset", "7"], ["ports", "clear-stats", "7"], ["connections", "clear-stats", "0x1f"],
])  # fmt: skip
def test_each_verb_has_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*argv, "--help"], capsys)
    assert code == 0 and out.startswith("usage: mprapi ")


# ------------------------------------------------------------------ the Windows lane


def lane(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The real command: AdminServer, the compiled binding, the stand-in."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@windows_lane
def test_lane_server_and_connections_as_the_stand_in_serves_them(
    router: Router, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = lane(["server", "--json"], capsys)
    assert (code, err) == (0, "")
    server = json.loads(out)
    assert server["lan_only_mode"] is False
    assert {t: server["tunnels"][t]["ports"] for t in ("pptp", "l2tp", "sstp")} == {"pptp": 32, "l2tp": 64,
                                                                                     "sstp": 128}  # fmt: skip
    code, out, err = lane(["connections", "--json"], capsys)
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert len(rows) == 6 == server["ports_in_use"]
    assert {row["level"] for row in rows} == {4}
    assert {"pptp", "l2tp", "sstp", "ikev2"} <= {row["tunnel"] for row in rows}
    assert any(row["interface_type"] == RouterInterfaceType.FULL_ROUTER for row in rows)
    assert any(row["bytes_sent"] > 2**32 or row["bytes_received"] > 2**32 for row in rows)
    assert all(row["start_time"] is None or row["start_time"].endswith("Z") for row in rows)
    code, out, _ = lane(["ports", "--json"], capsys)
    ports = json.loads(out)
    assert code == 0 and sum(port["connection_handle"] is not None for port in ports) == 6
    code, out, _ = lane(["connections"], capsys)
    assert code == 0 and len(out.splitlines()) == 7
    # Statistics: PortEnum takes level 0 only, so one PortGetInfo a port.
    code, out, err = lane(["ports", "--level", "1", "--connection", hex(rows[0]["handle"]), "--json"], capsys)
    assert (code, err) == (0, "")
    (stats,) = json.loads(out)
    assert stats["connection_handle"] == rows[0]["handle"] and stats["tunnel"] == rows[0]["tunnel"]
    assert {"line_speed", "bytes_sent", "bytes_received", "crc_errors"} <= set(stats)


@windows_lane
def test_lane_disconnect_a_port_removes_its_connection(router: Router, capsys: pytest.CaptureFixture[str]) -> None:
    ports = json.loads(lane(["ports", "--json"], capsys)[1])
    port = next(p for p in ports if p["connection_handle"] is not None)
    code, out, err = lane(["disconnect", hex(port["handle"]), "--yes", "--json"], capsys)
    assert (code, err) == (0, "")
    (item,) = json.loads(out)
    assert (item["port"], item["connection"], item["user"]) == (port["handle"], port["connection_handle"],
                                                                port["user"])  # fmt: skip
    assert item["answer"] == {"winerror": 0, "message": "done"}
    left = json.loads(lane(["connections", "--json"], capsys)[1])
    assert len(left) == 5 and port["connection_handle"] not in {row["handle"] for row in left}


@windows_lane
def test_lane_disconnect_user_takes_every_connection_of_that_user(
    router: Router, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = json.loads(lane(["connections", "--json"], capsys)[1])
    (zoe,) = [row for row in rows if row["user_name"] == "zo\u00eb"]  # the stand-in's CORP\zoë
    code, out, err = lane(["disconnect", "--user", "corp\\ZO\u00cb", "--yes", "--json"], capsys)
    assert (code, err) == (0, "")
    assert [(item["connection"], item["user"], item["tunnel"]) for item in json.loads(out)] == [
        (zoe["handle"], "CORP\\zo\u00eb", "sstp")]  # fmt: skip
    left = json.loads(lane(["connections", "--json"], capsys)[1])
    assert [row["handle"] for row in left] == [row["handle"] for row in rows if row is not zoe]
    # Another domain's user of that name is not this one: nothing sent.
    code, _, err = lane(["disconnect", "--user", "CONTOSO\\alice", "--yes"], capsys)
    assert code == 1 and err == "mprapi: no connection of user CONTOSO\\alice on this machine: nothing sent\n"
    assert len(json.loads(lane(["connections", "--json"], capsys)[1])) == len(rows) - 1


@windows_lane
def test_lane_a_refused_confirmation_sends_nothing(
    router: Router, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = json.loads(lane(["connections", "--json"], capsys)[1])
    user = rows[0]["user_name"]
    # What the reads before the prompt cost, measured with --json's dry equivalent: the same reads.
    before = router.counter("admin_calls")
    keyboard = Keyboard("n\n")
    monkeypatch.setattr(sys, "stdin", keyboard)
    code, out, err = lane(["disconnect", "--user", user], capsys)
    assert (code, out, keyboard.asked) == (1, "", 1) and err.endswith("mprapi: not confirmed: nothing sent\n")
    reads = router.counter("admin_calls") - before
    assert json.loads(lane(["connections", "--json"], capsys)[1]) == rows  # nothing changed
    # The same with yes: exactly one more call per port, the writes.
    keyboard = Keyboard("y\n")
    monkeypatch.setattr(sys, "stdin", keyboard)
    before = router.counter("admin_calls")
    code, _, _ = lane(["disconnect", "--user", user], capsys)
    mine = [row for row in rows if (row["user_name"] or "").casefold() == user.casefold()]
    assert code == 0 and router.counter("admin_calls") - before == reads + len(mine)


@windows_lane
def test_lane_lan_only_router_gets_the_hint(router: Router, capsys: pytest.CaptureFixture[str]) -> None:
    router.admin_set_lan_only(True)
    code, out, _ = lane(["server", "--json"], capsys)
    assert code == 0 and json.loads(out)["lan_only_mode"] is True
    code, out, err = lane(["connections"], capsys)
    assert (code, out) == (1, "")
    assert err.splitlines()[0].startswith("mprapi: [WinError 903]")
    assert err.splitlines()[1] == "mprapi: the server is not a remote access server (RRAS runs in LAN-only mode)"
