"""AdminServer: the admin handle's ownership, every read field by field, the writes, bad input, errors.

In the Windows lane against the stand-in's admin half (tests/router/admin.c):
its default server has 352 ports (PPTP 32, L2TP 64, SSTP 128, IKEv2 128) and
the six connections in CONNECTIONS below; it counts admin handles
(admin_connects, admin_disconnects, live_admin_handles), admin calls
(admin_calls), calls on a bad handle (admin_bad_handle) and every buffer
(buffers_allocated, live_buffers, double_free, wrong_free).  Natively, only
what needs no Windows: the API is there, and unavailable.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import mprapi_cffi as mpr
from mprapi_cffi import admin as admin_module
from mprapi_cffi.ras import (
    Connection0,
    Connection1,
    Connection2,
    Connection3,
    Connection4,
    ConnectionEx,
    ConnectionFlags,
    HardwareCondition,
    Port0,
    Port1,
    PortCondition,
    ProjectionType,
    QuarantineState,
    RouterInterfaceType,
    ServerInfo0,
    ServerInfo1,
    ServerInfo2,
    Tunnel,
)

from conftest import IN_WINDOWS_LANE, ROUTER_DIR, Router, windows_lane
from standin import AdminMalformation

TESTS = os.path.dirname(os.path.abspath(__file__))

# -- the stand-in's admin half -------------------------------------------------

ADMIN_COUNTERS = ("admin_connects", "admin_disconnects", "live_admin_handles", "admin_calls", "admin_bad_handle")


class AdminControls:
    """The stand-in's admin controls (Router.admin_set_*), shorter, and its counters."""

    def __init__(self, router: Router) -> None:
        self.router = router

    def ports(self, pptp: int, l2tp: int, sstp: int, ikev2: int) -> None:
        self.router.admin_set_ports(pptp, l2tp, sstp, ikev2)

    def connections(self, n: int) -> None:
        self.router.admin_set_connections(n)

    def page_limit(self, entries: int) -> None:
        self.router.admin_set_page_limit(entries)

    def max_level(self, level: int) -> None:
        self.router.admin_set_max_level(level)

    def lan_only(self, on: bool) -> None:
        self.router.admin_set_lan_only(on)

    def malformed(self, kind: AdminMalformation) -> None:
        self.router.admin_set_malformed(kind)

    def ex_available(self, on: bool) -> None:
        self.router.admin_set_ex_available(on)

    def lenient_levels(self, on: bool) -> None:
        self.router.admin_set_lenient_levels(on)

    def counters(self, *names: str) -> dict[str, int]:
        return self.router.counters(*names)

    def calls(self) -> int:
        return self.router.counter("admin_calls")


@pytest.fixture
def admin(router: Router) -> Iterator[AdminControls]:
    """The stand-in's admin half, reset; afterwards no admin handle may be left or misused."""
    controls = AdminControls(router)
    yield controls
    gc.collect()
    assert router.counters("admin_bad_handle", "live_admin_handles") == {"admin_bad_handle": 0,
                                                                         "live_admin_handles": 0}
    assert router.counter("admin_connects") == router.counter("admin_disconnects")


# -- what the stand-in serves by default (admin.c's g_default_conns) ---------------

_TUNNEL_INDEX = {Tunnel.PPTP: 0, Tunnel.L2TP: 1, Tunnel.SSTP: 2, Tunnel.IKEV2: 3}
_DEVICE_TYPE = {Tunnel.PPTP: 0x10008, Tunnel.L2TP: 0x10009, Tunnel.SSTP: 0x1000E, Tunnel.IKEV2: 0x1000F}
PPP, IKE = ConnectionFlags.PPP, ConnectionFlags.IKEV2


def filetime(ticks: int) -> datetime | None:
    return None if ticks == 0 else datetime(1601, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=ticks // 10)


def _conn(id: int, user: str, domain: str, computer: str, tunnel: Tunnel, if_type: RouterInterfaceType,
          flags: int, quarantine: QuarantineState, duration: int, local: str, remote: str, remote_ep: str,
          local_ep: str, sent: int, received: int, start: int, probation: int, frames: tuple[int, int],
          crc: int, timeouts: int, switch_overs: int) -> dict[str, Any]:
    return {
        "id": id, "handle": 0x80000000 | id << 3, "interface_handle": 0x40000000 | id << 3,
        "user_name": user, "logon_domain": domain, "interface_name": user, "remote_computer": computer,
        "tunnel": tunnel, "interface_type": if_type, "flags": ConnectionFlags(flags), "quarantine_state": quarantine,
        "duration": duration, "ipv4_address": local, "remote_ipv4_address": remote, "remote_endpoint": remote_ep,
        "local_endpoint": local_ep, "bytes_sent": sent, "bytes_received": received, "start_time": filetime(start),
        "probation_time": filetime(probation), "frames_sent": frames[0], "frames_received": frames[1],
        "crc_errors": crc, "timeout_errors": timeouts, "switch_overs": switch_overs,
        "guid": uuid.UUID(f"{0x5EC0A000 + id:08x}-2024-{0x4000 | _TUNNEL_INDEX[tunnel]:04x}-8000-{id:012x}"),
    }


CLIENT, FULL_ROUTER = RouterInterfaceType.CLIENT, RouterInterfaceType.FULL_ROUTER
NORMAL = QuarantineState.NORMAL
CONNECTIONS = [
    _conn(1, "alice", "CORP", "ALICE-LAPTOP", Tunnel.SSTP, CLIENT, PPP, NORMAL, 3600, "10.10.0.1", "10.10.0.11",
          "203.0.113.11", "198.51.100.1", 1234567, 7654321, 133590240000000000, 0, (10000, 20000), 0, 0, 0),
    _conn(2, "bob", "CORP", "BOB-PC", Tunnel.IKEV2, CLIENT, IKE, NORMAL, 7200, "10.10.0.1", "10.10.0.12",
          "203.0.113.12", "198.51.100.1", 5000000000, 6442450944, 133590285300000000, 0, (4000000, 5000000),
          0, 0, 2),
    _conn(3, "carol", "CORP", "CAROL-PC", Tunnel.L2TP, CLIENT, PPP | ConnectionFlags.QUARANTINE_PRESENT,
          QuarantineState.PROBATION, 600, "10.10.0.1", "10.10.0.13", "203.0.113.13", "198.51.100.1", 52000, 98000,
          133591095000000000, 133591320000000000, (400, 700), 1, 2, 0),
    _conn(4, "dave", "CONTOSO", "DAVE-WS", Tunnel.PPTP, CLIENT, PPP, NORMAL, 45, "10.10.0.1", "10.10.0.14",
          "192.0.2.14", "198.51.100.1", 0, 0, 133591248000000000, 0, (0, 0), 0, 0, 0),
    _conn(5, "BRANCH-OFFICE-1", "", "", Tunnel.IKEV2, FULL_ROUTER, IKE, NORMAL, 432000, "10.20.0.1", "10.20.0.2",
          "192.0.2.200", "198.51.100.1", 987654321, 123456789, 133587360000000000, 0, (900000, 800000), 0, 0, 1),
    _conn(6, "zo\u00eb", "CORP", "ZOE-TABLET", Tunnel.SSTP, CLIENT, PPP | ConnectionFlags.DORMANT, NORMAL, 1800,
          "10.10.0.1", "10.10.0.16", "2001:db8::16", "2001:db8::1", 4294967295, 4294967296, 133591302050000000, 0,
          (65536, 65537), 0, 0, 0),
]
BY_USER = {c["user_name"]: c for c in CONNECTIONS}
ERRORS_ZERO = dict.fromkeys(("alignment_errors", "hardware_overrun_errors", "framing_errors", "buffer_overrun_errors",
                             "compression_ratio_in", "compression_ratio_out"), 0)
# The ports: (tunnel, name prefix, media, device), in handle order; each connection takes its tunnel's next port.
PORT_TYPES = [(Tunnel.PPTP, "VPN1-", "rastapi", "WAN Miniport (PPTP)", 32),
              (Tunnel.L2TP, "VPN2-", "rastapi", "WAN Miniport (L2TP)", 64),
              (Tunnel.SSTP, "SSTP-", "rassstp", "WAN Miniport (SSTP)", 128),
              (Tunnel.IKEV2, "IKEv2-", "rastapi", "WAN Miniport (IKEv2)", 128)]
UP_TIME = 273661
PORT_FLAGS = 3  # MPR_ENABLE_RAS_ON_DEVICE | MPR_ENABLE_ROUTING_ON_DEVICE


def expected_connection(level: int, c: dict[str, Any]) -> dict[str, Any]:
    """What RAS_CONNECTION_<level> holds of connection `c`, as the row's _asdict() gives it."""
    low32 = {"bytes_sent": c["bytes_sent"] & 0xFFFFFFFF, "bytes_received": c["bytes_received"] & 0xFFFFFFFF}
    counters = {k: c[k] for k in ("frames_sent", "frames_received", "crc_errors", "timeout_errors")}
    if level == 0:
        return {k: c[k] for k in ("handle", "interface_handle", "duration", "interface_type", "flags",
                                  "interface_name", "user_name", "logon_domain", "remote_computer")}
    if level == 1:
        return {"handle": c["handle"], "interface_handle": c["interface_handle"], "ipv4_address": c["ipv4_address"],
                "remote_ipv4_address": c["remote_ipv4_address"], **low32, **counters, **ERRORS_ZERO}
    if level == 2:
        return {k: c[k] for k in ("handle", "user_name", "interface_type", "guid")}
    if level == 3:
        return {k: c[k] for k in ("handle", "user_name", "interface_type", "guid", "quarantine_state",
                                  "probation_time")}
    common = {k: c[k] for k in ("duration", "interface_type", "flags", "interface_name", "user_name",
                                "logon_domain", "remote_computer", "guid", "quarantine_state", "probation_time",
                                "switch_overs", "remote_endpoint", "local_endpoint", "ipv4_address",
                                "remote_ipv4_address", "handle", "interface_handle")}
    projection = ProjectionType.IKEV2 if c["tunnel"] is Tunnel.IKEV2 else ProjectionType.PPP
    if level == 4:
        return {**common, **counters, **ERRORS_ZERO, "start_time": c["start_time"], "bytes_sent": c["bytes_sent"],
                "bytes_received": c["bytes_received"], "projection_type": projection,
                "device_type": _DEVICE_TYPE[c["tunnel"]]}
    assert level == "ex"
    return {**common, **counters, **ERRORS_ZERO, **low32, "projection_type": projection}


def expected_ports() -> list[dict[str, Any]]:
    """Every RAS_PORT_0, in the order PortEnum gives them."""
    used: dict[Tunnel, list[dict[str, Any]]] = {t: [] for t, *_ in PORT_TYPES}
    for c in CONNECTIONS:
        used[c["tunnel"]].append(c)
    ports = []
    for t_index, (tunnel, prefix, media, device, count) in enumerate(PORT_TYPES):
        for i in range(count):
            c = used[tunnel][i] if i < len(used[tunnel]) else None
            ports.append({"handle": (t_index + 1) << 24 | (i + 1) << 2, "connection_handle": c["handle"] if c else 0,
                          "condition": PortCondition.AUTHENTICATED if c else PortCondition.LISTENING,
                          "total_calls": 1 if c else 0, "duration": c["duration"] if c else 0,
                          "port_name": f"{prefix}{i}", "media_name": media, "device_name": device,
                          "device_type": "vpn"})
    return ports


def port_of(user: str) -> dict[str, Any]:
    handle = BY_USER[user]["handle"]
    return next(p for p in expected_ports() if p["connection_handle"] == handle)


# -- natively ------------------------------------------------------------------

def test_the_admin_api_is_exported() -> None:
    for name in ("AdminServer", "RemoteAccessSnapshot", "Connection4", "Port0", "ServerInfoEx", "Tunnel"):
        assert name in mpr.__all__ and hasattr(mpr, name)
    assert mpr.AdminServer is admin_module.AdminServer
    assert admin_module.MAX_PREFERRED_LENGTH == 0xFFFFFFFF
    assert admin_module.MAX_ENUM_ENTRIES == 100_000


@pytest.mark.skipif(IN_WINDOWS_LANE, reason="the API is available here")
def test_without_the_api_an_admin_server_is_unavailable_as_a_mib_server_is() -> None:
    with pytest.raises(mpr.ApiUnavailableError) as admin_error:
        mpr.AdminServer("vpn1")
    with pytest.raises(mpr.ApiUnavailableError) as mib_error:
        mpr.MibServer("vpn1")
    assert str(admin_error.value) == str(mib_error.value)


@pytest.mark.parametrize(("server", "error"), [(b"vpn1", TypeError), (1, TypeError), ("a\0b", ValueError)])
def test_a_bad_server_name_is_refused_first(server: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        mpr.AdminServer(server)  # type: ignore[arg-type]


# -- 1. ownership ----------------------------------------------------------------

@windows_lane
def test_building_one_calls_nothing_and_closing_it_unused_disconnects_nothing(admin: AdminControls) -> None:
    server = mpr.AdminServer("vpn1")
    assert repr(server) == "<AdminServer server='vpn1' not connected yet>"
    assert server.handle == 0 and not server.closed and server
    assert admin.counters("admin_connects", "admin_calls") == {"admin_connects": 0, "admin_calls": 0}
    server.close()
    assert repr(server) == "<AdminServer server='vpn1' closed>"
    assert admin.counters("admin_connects", "admin_disconnects") == {"admin_connects": 0, "admin_disconnects": 0}


@windows_lane
def test_the_first_call_connects_once_and_close_disconnects_once(admin: AdminControls) -> None:
    server = mpr.AdminServer("vpn1")
    server.server_info()
    assert admin.router.last_server() == "vpn1"
    assert repr(server) == "<AdminServer server='vpn1' open>" and server.handle != 0
    server.ports()
    server.connections()
    assert admin.counters("admin_connects", "live_admin_handles") == {"admin_connects": 1, "live_admin_handles": 1}
    server.close()
    server.close()
    assert server.closed and server.handle == 0 and not server
    assert admin.counters("admin_connects", "admin_disconnects", "live_admin_handles") == {
        "admin_connects": 1, "admin_disconnects": 1, "live_admin_handles": 0}


@windows_lane
def test_two_threads_first_calls_connect_once(admin: AdminControls) -> None:
    admin.router.set_delay_ms(200)  # the calls overlap
    server = mpr.AdminServer()
    barrier = threading.Barrier(8)
    results: list[object] = []

    def first_call() -> None:
        barrier.wait()
        results.append(server.server_info())

    threads = [threading.Thread(target=first_call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and admin.router.counter("max_in_flight") > 1
    assert admin.counters("admin_connects", "admin_calls") == {"admin_connects": 1, "admin_calls": 8}
    server.close()
    assert admin.router.counter("admin_disconnects") == 1


@windows_lane
def test_with_block_disconnects_once_even_when_an_exception_leaves_it(admin: AdminControls) -> None:
    with mpr.AdminServer() as server:
        server.server_info()
    assert server.closed and admin.router.counter("admin_disconnects") == 1
    with pytest.raises(KeyError):
        with mpr.AdminServer() as server:
            server.ports()
            raise KeyError("boom")
    assert admin.counters("admin_connects", "admin_disconnects") == {"admin_connects": 2, "admin_disconnects": 2}


@windows_lane
def test_garbage_collection_disconnects_once(admin: AdminControls) -> None:
    server = mpr.AdminServer()
    server.server_info()
    del server
    gc.collect()
    cycle: list[object] = [mpr.AdminServer("in-a-cycle")]
    cycle[0].connections()  # type: ignore[attr-defined]
    cycle.append(cycle)
    del cycle
    assert admin.router.counter("admin_disconnects") == 1
    gc.collect()
    assert admin.counters("admin_disconnects", "live_admin_handles") == {"admin_disconnects": 2,
                                                                         "live_admin_handles": 0}


def run_python(script: str, *args: str) -> str:
    result = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120,
                            cwd=os.path.dirname(TESTS))
    assert result.returncode == 0, result.stderr
    return result.stdout


def reporting_at_exit(counters: str, body: str, router_dir: str | None = None) -> str:
    """A script that runs `body`, then prints the stand-in's `counters` after the exit handlers have run."""
    folder = repr(router_dir) if router_dir else 'os.environ["MPRAPI_TEST_ROUTER"]'
    return f"""
import atexit, ctypes, os, sys, threading, time
sys.path[:0] = [{TESTS!r}]
from standin import load_router
router = load_router({folder})
dll = router.dll
def report():
    print(" ".join("%s=%d" % (n, dll.router_counter(n.encode())) for n in {counters.split()!r}), flush=True)
atexit.register(report)  # before any weakref.finalize exists, so it runs after them
import mprapi_cffi
{body}
"""


@windows_lane
def test_interpreter_exit_disconnects_live_admin_servers_once(admin: AdminControls) -> None:
    script = reporting_at_exit("admin_connects admin_disconnects admin_bad_handle live_admin_handles", """
server = mprapi_cffi.AdminServer(sys.argv[1])
server.server_info()
cycle = [mprapi_cffi.AdminServer("in-a-cycle")]
cycle[0].ports()
cycle.append(cycle)
never_used = mprapi_cffi.AdminServer("idle")
""")
    assert run_python(script, "vpn-1").split() == [
        "admin_connects=2", "admin_disconnects=2", "admin_bad_handle=0", "live_admin_handles=0"]


def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.005)


@windows_lane
def test_close_during_a_call_defers_the_disconnect_until_it_returns(admin: AdminControls) -> None:
    server = mpr.AdminServer()
    server.server_info()
    admin.router.set_delay_ms(400)
    results: list[object] = []
    worker = threading.Thread(target=lambda: results.append(server.connections()))
    worker.start()
    wait_for(lambda: admin.router.counter("in_flight") == 1)
    server.close()
    assert server.closed
    assert admin.router.counter("admin_disconnects") == 0, "disconnected under a call in flight"
    with pytest.raises(ValueError, match="closed AdminServer"):
        server.ports()
    worker.join()
    assert len(results) == 1 and len(results[0]) == 6  # type: ignore[arg-type]
    assert admin.counters("admin_disconnects", "admin_calls") == {"admin_disconnects": 1, "admin_calls": 2}
    assert admin.router.counter("disconnect_in_use") == 0


@windows_lane
def test_close_while_the_first_call_connects_disconnects_once_when_it_returns(admin: AdminControls) -> None:
    server = mpr.AdminServer("slow")
    admin.router.set_server("slow", delay_ms=400)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            server.ports()
        except BaseException as error:
            errors.append(error)

    worker = threading.Thread(target=call)
    worker.start()
    wait_for(lambda: admin.router.counter("in_flight") == 1)  # connected, the first call in flight
    server.close()
    worker.join()
    assert errors == []  # the call that was in flight finishes
    assert admin.counters("admin_connects", "admin_disconnects") == {"admin_connects": 1, "admin_disconnects": 1}


@windows_lane
def test_detach_connects_first_hands_over_the_handle_and_never_disconnects(admin: AdminControls) -> None:
    from mprapi_cffi import _ext

    server = mpr.AdminServer()
    raw = server.detach()  # never used: connects first
    assert raw != 0 and server.closed and server.handle == 0
    assert admin.counters("admin_connects", "admin_calls") == {"admin_connects": 1, "admin_calls": 0}
    with pytest.raises(ValueError):
        server.detach()
    server.close()
    del server
    gc.collect()
    assert admin.router.counter("admin_disconnects") == 0
    _ext.lib.MprAdminServerDisconnect(_ext.ffi.cast("MPR_SERVER_HANDLE", raw))  # the new owner's duty
    assert admin.counters("admin_disconnects", "admin_bad_handle") == {"admin_disconnects": 1,
                                                                        "admin_bad_handle": 0}


@windows_lane
def test_detach_of_a_connected_server_returns_its_handle(admin: AdminControls) -> None:
    from mprapi_cffi import _ext

    server = mpr.AdminServer()
    server.server_info()
    handle = server.handle
    assert server.detach() == handle
    assert admin.router.counter("admin_connects") == 1
    _ext.lib.MprAdminServerDisconnect(_ext.ffi.cast("MPR_SERVER_HANDLE", handle))


@windows_lane
@pytest.mark.parametrize("call", [
    lambda s: s.server_info(), lambda s: s.server_info_ex(), lambda s: s.connections(), lambda s: s.connections_ex(),
    lambda s: s.connection(0x80000008), lambda s: s.ports(), lambda s: s.port(0x1000004),
    lambda s: s.disconnect_port(0x1000004), lambda s: s.reset_port(0x1000004),
    lambda s: s.clear_port_stats(0x1000004), lambda s: s.clear_connection_stats(0x80000008), lambda s: s.snapshot(),
], ids=["server_info", "server_info_ex", "connections", "connections_ex", "connection", "ports", "port",
        "disconnect_port", "reset_port", "clear_port_stats", "clear_connection_stats", "snapshot"])
def test_every_call_on_a_closed_server_raises_value_error(admin: AdminControls, call: Any) -> None:
    server = mpr.AdminServer()
    server.close()
    with pytest.raises(ValueError, match="closed AdminServer"):
        call(server)
    assert admin.counters("admin_connects", "admin_calls") == {"admin_connects": 0, "admin_calls": 0}


@windows_lane
def test_a_failed_connect_leaves_nothing_and_the_next_call_connects(admin: AdminControls) -> None:
    server = mpr.AdminServer("vpn1")
    admin.router.fail_connect(1722)
    with pytest.raises(mpr.MprError) as info:
        server.server_info()
    assert info.value.winerror == 1722 and info.value.function == "MprAdminServerConnect"
    assert not server.closed and server.handle == 0
    admin.router.fail_connect(0)
    assert server.server_info().total_ports == 352
    server.close()
    assert admin.counters("admin_connects", "admin_disconnects") == {"admin_connects": 1, "admin_disconnects": 1}


@windows_lane
def test_an_admin_server_is_not_picklable(admin: AdminControls) -> None:
    import pickle

    with mpr.AdminServer() as server, pytest.raises(TypeError):
        pickle.dumps(server)


# -- 2. every buffer freed once, with MprAdminBufferFree ------------------------------

@windows_lane
@pytest.mark.parametrize(("read", "buffers"), [
    (lambda s: s.server_info(0), 1), (lambda s: s.server_info(2), 1), (lambda s: s.connections(), 1),
    (lambda s: s.connections(0), 1), (lambda s: s.ports(), 1), (lambda s: s.port(0x1000004, 1), 1),
    (lambda s: s.connection(0x80000008), 1), (lambda s: s.connections_ex(), 1), (lambda s: s.server_info_ex(), 0),
    (lambda s: s.ports(connection=0x80000008), 1),
], ids=["server_info0", "server_info2", "connections", "connections0", "ports", "port1", "connection",
        "connections_ex", "server_info_ex", "ports_of_a_connection"])
def test_every_reply_buffer_is_freed_exactly_once(admin: AdminControls, read: Any, buffers: int) -> None:
    with mpr.AdminServer() as server:
        read(server)
    assert admin.counters("buffers_allocated", "live_buffers", "double_free", "wrong_free") == {
        "buffers_allocated": buffers, "live_buffers": 0, "double_free": 0, "wrong_free": 0}


@windows_lane
def test_every_page_buffer_is_freed_exactly_once(admin: AdminControls) -> None:
    admin.page_limit(5)
    with mpr.AdminServer() as server:
        assert len(server.ports()) == 352
        assert len(server.connections()) == 6
    pages = -(-352 // 5) + 2
    assert admin.counters("buffers_allocated", "live_buffers", "double_free", "wrong_free", "admin_calls") == {
        "buffers_allocated": pages, "live_buffers": 0, "double_free": 0, "wrong_free": 0, "admin_calls": pages}


@windows_lane
def test_a_buffer_that_comes_with_an_error_is_freed(admin: AdminControls) -> None:
    admin.malformed(AdminMalformation.ERROR_WITH_BUFFER)  # every reply goes out with 1003 and its buffer
    with mpr.AdminServer() as server:
        for read in (server.server_info, server.connections, server.ports, lambda: server.port(0x1000004),
                     lambda: server.connection(0x80000008, 0)):
            with pytest.raises(mpr.MprError) as info:
                read()
            assert info.value.winerror == 1003
    assert admin.counters("buffers_allocated", "live_buffers", "double_free", "wrong_free") == {
        "buffers_allocated": 5, "live_buffers": 0, "double_free": 0, "wrong_free": 0}


# -- 3. the reads, field by field --------------------------------------------------

@windows_lane
def test_server_info_levels(admin: AdminControls) -> None:
    with mpr.AdminServer() as server:
        assert server.server_info() == ServerInfo0(lan_only_mode=False, up_time=UP_TIME, total_ports=352,
                                                   ports_in_use=6)
        assert server.server_info(1) == ServerInfo1(pptp_ports=32, pptp_port_flags=PORT_FLAGS, l2tp_ports=64,
                                                    l2tp_port_flags=PORT_FLAGS)
        assert server.server_info(2) == ServerInfo2(pptp_ports=32, pptp_port_flags=PORT_FLAGS, l2tp_ports=64,
                                                    l2tp_port_flags=PORT_FLAGS, sstp_ports=128,
                                                    sstp_port_flags=PORT_FLAGS)
        assert type(server.server_info(0)) is ServerInfo0


@windows_lane
def test_server_info_ex(admin: AdminControls) -> None:
    with mpr.AdminServer() as server:
        assert server.server_info_ex()._asdict() == {
            "lan_only_mode": False, "up_time": UP_TIME, "total_ports": 352, "ports_in_use": 6,
            "ikev2_ports": 128, "ikev2_port_flags": PORT_FLAGS, "pptp_ports": 32, "pptp_port_flags": PORT_FLAGS,
            "l2tp_ports": 64, "l2tp_port_flags": PORT_FLAGS, "sstp_ports": 128, "sstp_port_flags": PORT_FLAGS,
            "gre_ports": 0, "gre_port_flags": 0}


@windows_lane
def test_server_info_follows_the_ports(admin: AdminControls) -> None:
    admin.ports(2, 3, 4, 5)
    with mpr.AdminServer() as server:
        # Each tunnel type has its base count or one port per connection, if more (SSTP and IKEv2 have 2).
        assert server.server_info() == ServerInfo0(lan_only_mode=False, up_time=UP_TIME, total_ports=14,
                                                   ports_in_use=6)
        info = server.server_info_ex()
        assert (info.pptp_ports, info.l2tp_ports, info.sstp_ports, info.ikev2_ports) == (2, 3, 4, 5)
        assert len(server.ports()) == 14


@windows_lane
@pytest.mark.parametrize("level", [0, 1, 2, 3, 4])
def test_connections_at_each_level_field_by_field(admin: AdminControls, level: int) -> None:
    row_type = [Connection0, Connection1, Connection2, Connection3, Connection4][level]
    with mpr.AdminServer() as server:
        rows = server.connections(level)
        assert server.connection_level is None  # an explicit level is not remembered
    assert [type(row) for row in rows] == [row_type] * 6
    for row, expected in zip(rows, CONNECTIONS):
        assert row._asdict() == expected_connection(level, expected), expected["user_name"]


@windows_lane
def test_level_4_gives_the_tunnel_and_64_bit_counters(admin: AdminControls) -> None:
    with mpr.AdminServer() as server:
        rows = server.connections()
    assert server.connection_level == 4
    assert [row.tunnel for row in rows] == [c["tunnel"] for c in CONNECTIONS]  # type: ignore[union-attr]
    bob = rows[1]
    assert isinstance(bob, Connection4) and bob.bytes_sent == 5000000000 > 2**32
    assert rows[5].user_name == "zo\u00eb" and rows[4].interface_type is RouterInterfaceType.FULL_ROUTER


@windows_lane
def test_connections_ex_field_by_field(admin: AdminControls) -> None:
    with mpr.AdminServer() as server:
        rows = server.connections_ex()
    assert [type(row) for row in rows] == [ConnectionEx] * 6
    for row, expected in zip(rows, CONNECTIONS):
        assert row._asdict() == expected_connection("ex", expected), expected["user_name"]  # type: ignore[arg-type]


@windows_lane
@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_connection_by_handle_at_each_level(admin: AdminControls, level: int) -> None:
    with mpr.AdminServer() as server:
        for expected in CONNECTIONS:
            row = server.connection(expected["handle"], level)
            assert row._asdict() == expected_connection(level, expected)


@windows_lane
def test_connection_by_handle_takes_the_richest_level_the_server_gives(admin: AdminControls) -> None:
    # MS-RRASM 3.1.4.3 lists levels 0..3 for GetInfo: the stand-in refuses 4 with 50.
    carol = BY_USER["carol"]
    with mpr.AdminServer() as server:
        assert server.connection(carol["handle"])._asdict() == expected_connection(3, carol)
        assert admin.calls() == 2  # 4 refused, 3
        assert server.connection(carol["handle"])._asdict() == expected_connection(3, carol)
        assert admin.calls() == 3  # remembered
        with pytest.raises(mpr.MprError) as info:
            server.connection(carol["handle"], 4)
        assert info.value.winerror == 50
    admin.lenient_levels(True)
    with mpr.AdminServer() as server:
        row = server.connection(carol["handle"])
        assert isinstance(row, Connection4) and row._asdict() == expected_connection(4, carol)


@windows_lane
def test_ports_field_by_field(admin: AdminControls) -> None:
    with mpr.AdminServer() as server:
        ports = server.ports()
    expected = expected_ports()
    assert len(ports) == 352 and [type(p) for p in ports] == [Port0] * 352
    assert [p._asdict() for p in ports] == expected
    assert {t: sum(p.tunnel is t for p in ports) for t, *_ in PORT_TYPES} == {
        Tunnel.PPTP: 32, Tunnel.L2TP: 64, Tunnel.SSTP: 128, Tunnel.IKEV2: 128}
    in_use = [p for p in ports if p.connection_handle]
    assert sorted(p.connection_handle for p in in_use) == sorted(c["handle"] for c in CONNECTIONS)


@windows_lane
def test_ports_of_each_connection(admin: AdminControls) -> None:
    with mpr.AdminServer() as server:
        for c in CONNECTIONS:
            ports = server.ports(connection=c["handle"])
            assert [p._asdict() for p in ports] == [port_of(c["user_name"])]
            assert ports[0].tunnel is c["tunnel"]


@windows_lane
def test_port_by_handle_at_both_levels(admin: AdminControls) -> None:
    bob = BY_USER["bob"]
    expected = port_of("bob")
    with mpr.AdminServer() as server:
        assert server.port(expected["handle"])._asdict() == expected
        assert server.port(expected["handle"], 1) == Port1(
            handle=expected["handle"], connection_handle=bob["handle"],
            hardware_condition=HardwareCondition.OPERATIONAL, line_speed=100_000_000,
            bytes_sent=bob["bytes_sent"] & 0xFFFFFFFF, bytes_received=bob["bytes_received"] & 0xFFFFFFFF,
            frames_sent=bob["frames_sent"],
            frames_received=bob["frames_received"], crc_errors=0, timeout_errors=0, alignment_errors=0,
            hardware_overrun_errors=0, framing_errors=0, buffer_overrun_errors=0, compression_ratio_in=0,
            compression_ratio_out=0)
        listening = server.port(0x1000000 | 32 << 2)  # VPN1-31: no connection
        assert listening.connection_handle == 0 and listening.condition is PortCondition.LISTENING


@windows_lane
def test_port_enum_at_level_1_is_refused_as_ms_rrasm_gives_it_and_served_by_a_lenient_server(
        admin: AdminControls) -> None:
    with mpr.AdminServer() as server:
        with pytest.raises(mpr.MprError) as info:
            server.ports(1)
        assert info.value.winerror == 50
        admin.lenient_levels(True)
        ports = server.ports(1)
    assert len(ports) == 352 and all(type(p) is Port1 and p.line_speed == 100_000_000 for p in ports)


@windows_lane
def test_unknown_handles_get_the_servers_errors(admin: AdminControls) -> None:
    with mpr.AdminServer() as server:
        for call, code in [(lambda: server.connection(0x12345678, 0), 906), (lambda: server.port(0x12345678), 601),
                           (lambda: server.ports(connection=0x12345678), 906)]:
            with pytest.raises(mpr.MprError) as info:
                call()
            assert info.value.winerror == code


# -- 4. the writes -------------------------------------------------------------------

@windows_lane
def test_disconnect_port_ends_its_connection(admin: AdminControls) -> None:
    carol = BY_USER["carol"]
    port = port_of("carol")
    with mpr.AdminServer() as server:
        server.disconnect_port(port["handle"])
        assert [c.user_name for c in server.connections()] == ["alice", "bob", "dave", "BRANCH-OFFICE-1", "zo\u00eb"]
        after = server.port(port["handle"])
        assert after.connection_handle == 0 and after.condition is PortCondition.LISTENING
        assert server.server_info().ports_in_use == 5
        with pytest.raises(mpr.MprError) as info:
            server.connection(carol["handle"], 0)
        assert info.value.winerror == 906
        with pytest.raises(mpr.MprError) as info:
            server.disconnect_port(port["handle"])  # no connection on it now
        assert info.value.winerror == 87


@windows_lane
def test_clear_connection_stats_zeroes_its_counters_and_its_ports(admin: AdminControls) -> None:
    bob = BY_USER["bob"]
    with mpr.AdminServer() as server:
        server.clear_connection_stats(bob["handle"])
        rows = {row.user_name: row for row in server.connections(4)}
        assert (rows["bob"].bytes_sent, rows["bob"].bytes_received, rows["bob"].frames_sent) == (0, 0, 0)
        assert rows["alice"].bytes_sent == BY_USER["alice"]["bytes_sent"]  # the others untouched
        port = server.port(port_of("bob")["handle"], 1)
        assert (port.bytes_sent, port.frames_received) == (0, 0)
        with pytest.raises(mpr.MprError) as info:
            server.clear_connection_stats(0x12345678)
        assert info.value.winerror == 87


@windows_lane
def test_clear_port_stats_zeroes_the_port_and_its_connection(admin: AdminControls) -> None:
    port = port_of("alice")
    with mpr.AdminServer() as server:
        server.clear_port_stats(port["handle"])
        assert server.port(port["handle"], 1).bytes_sent == 0
        alice = server.connections(1)[0]
        assert (alice.bytes_sent, alice.frames_sent) == (0, 0)
        with pytest.raises(mpr.MprError) as info:
            server.clear_port_stats(0x12345678)
        assert info.value.winerror == 601


@windows_lane
def test_reset_port_is_made_and_changes_nothing(admin: AdminControls) -> None:
    # MS-RRASM 3.1.4.8: the server "performs no action and always returns ERROR_SUCCESS".
    port = port_of("dave")
    with mpr.AdminServer() as server:
        before = server.ports()
        calls = admin.calls()
        server.reset_port(port["handle"])
        assert admin.calls() == calls + 1
        assert server.ports() == before


# -- 5. bad input, before any call -------------------------------------------------

BIG = sys.maxsize * 2 + 2  # one past the largest pointer


class IntLike(int):
    pass


BAD_CALLS = [
    (lambda s: s.server_info(3), ValueError), (lambda s: s.server_info(-1), ValueError),
    (lambda s: s.server_info(True), TypeError), (lambda s: s.server_info("0"), TypeError),
    (lambda s: s.server_info(0.0), TypeError), (lambda s: s.connections(5), ValueError),
    (lambda s: s.connections(-1), ValueError), (lambda s: s.connections(False), TypeError),
    (lambda s: s.connections("4"), TypeError), (lambda s: s.connections(max_length=0), ValueError),
    (lambda s: s.connections(max_length=2**32), ValueError), (lambda s: s.connections(max_length=-5), ValueError),
    (lambda s: s.connections(max_length=True), TypeError), (lambda s: s.connections(max_length=1.5), TypeError),
    (lambda s: s.connections(max_length=None), TypeError), (lambda s: s.connections_ex(max_length=0), ValueError),
    (lambda s: s.connections_ex(max_length="x"), TypeError), (lambda s: s.connection(0), ValueError),
    (lambda s: s.connection(-8), ValueError), (lambda s: s.connection(BIG), ValueError),
    (lambda s: s.connection(True), TypeError), (lambda s: s.connection(None), TypeError),
    (lambda s: s.connection(8.0), TypeError), (lambda s: s.connection("8"), TypeError),
    (lambda s: s.connection(0x80000008, 5), ValueError), (lambda s: s.connection(0x80000008, True), TypeError),
    (lambda s: s.ports(1.0), TypeError), (lambda s: s.ports(2), ValueError),
    (lambda s: s.ports(connection=0), ValueError), (lambda s: s.ports(connection=True), TypeError),
    (lambda s: s.ports(connection=BIG), ValueError), (lambda s: s.ports(max_length=0), ValueError),
    (lambda s: s.port(0), ValueError), (lambda s: s.port(0x1000004, 2), ValueError),
    (lambda s: s.port(b"\x04"), TypeError), (lambda s: s.disconnect_port(0), ValueError),
    (lambda s: s.disconnect_port(True), TypeError), (lambda s: s.disconnect_port(BIG), ValueError),
    (lambda s: s.reset_port(-1), ValueError), (lambda s: s.reset_port(None), TypeError),
    (lambda s: s.clear_port_stats(0), ValueError), (lambda s: s.clear_port_stats("1"), TypeError),
    (lambda s: s.clear_connection_stats(0), ValueError), (lambda s: s.clear_connection_stats(False), TypeError),
]


@windows_lane
@pytest.mark.parametrize(("call", "error"), BAD_CALLS)
def test_bad_input_is_refused_before_any_call(admin: AdminControls, call: Any, error: type[Exception]) -> None:
    server = mpr.AdminServer()
    with pytest.raises(error):
        call(server)
    assert admin.counters("admin_connects", "admin_calls") == {"admin_connects": 0, "admin_calls": 0}
    server.close()


@windows_lane
def test_int_subclasses_and_the_largest_handle_are_taken(admin: AdminControls) -> None:
    with mpr.AdminServer() as server:
        assert server.connection(IntLike(BY_USER["alice"]["handle"]), 0).user_name == "alice"
        with pytest.raises(mpr.MprError):
            server.port(BIG - 1)  # a valid pointer value the server does not know: its error, 601
        assert server.connections(max_length=1)[0].user_name == "alice"  # one entry a call: all arrive
        assert len(server.connections(max_length=0xFFFFFFFF)) == 6


# -- 6. errors, LAN-only, malformed replies ------------------------------------------

@windows_lane
def test_a_lan_only_router_says_so_and_refuses_the_connection_and_port_calls_with_903(admin: AdminControls) -> None:
    admin.lan_only(True)
    with mpr.AdminServer() as server:
        assert server.server_info().lan_only_mode is True
        assert server.server_info_ex().lan_only_mode is True
        for call in (server.connections, server.ports, server.connections_ex, lambda: server.connection(0x80000008),
                     lambda: server.port(0x1000004), lambda: server.disconnect_port(0x1000004),
                     lambda: server.clear_connection_stats(0x80000008)):
            with pytest.raises(mpr.MprError) as info:
                call()
            assert info.value.winerror == 903
        assert server.connection_level is None  # 903 is not a refused level: no fallback
        snapshot = server.snapshot()
    assert snapshot.server.lan_only_mode and snapshot.ports == [] and snapshot.connections == []


@windows_lane
@pytest.mark.parametrize("code", [5, 1722, 1717])
def test_a_failing_server_raises_its_error_and_is_disconnected_once(admin: AdminControls, code: int) -> None:
    admin.router.set_server("vpn-bad", fail=code)
    with mpr.AdminServer("vpn-bad") as server:
        for call in (server.server_info, server.connections, server.ports, lambda: server.disconnect_port(4)):
            with pytest.raises(mpr.MprError) as info:
                call()
            assert info.value.winerror == code
        assert server.connection_level is None
    assert admin.counters("admin_connects", "admin_disconnects", "live_buffers") == {
        "admin_connects": 1, "admin_disconnects": 1, "live_buffers": 0}


@windows_lane
def test_an_unreachable_server_fails_its_first_call_not_the_constructor(admin: AdminControls) -> None:
    server = mpr.AdminServer("unreachable")
    with pytest.raises(mpr.MprError) as info:
        server.connections()
    assert info.value.winerror == 1722 and info.value.function == "MprAdminConnectionEnum"
    server.close()
    assert admin.router.counter("admin_disconnects") == 1


@windows_lane
def test_an_error_with_the_out_pointers_left_untouched(admin: AdminControls) -> None:
    admin.router.set_out_untouched_on_error(True)
    admin.router.fail_calls(5)
    with mpr.AdminServer() as server:
        for call in (server.server_info, server.connections, server.ports, lambda: server.port(4)):
            with pytest.raises(mpr.MprError):
                call()
    assert admin.router.counter("live_buffers") == 0


@windows_lane
@pytest.mark.parametrize("read", [lambda s: s.connections(), lambda s: s.ports(), lambda s: s.connections_ex()],
                         ids=["connections", "ports", "connections_ex"])
def test_entries_read_beyond_max_enum_entries_is_refused_before_reading(admin: AdminControls, read: Any) -> None:
    admin.malformed(AdminMalformation.ENTRIES_READ_HUGE)  # dwEntriesRead 0x7FFFFFFF on a reply of a few entries
    with mpr.AdminServer() as server, pytest.raises(ValueError, match="claims 2147483647 entries, more than"):
        read(server)
    assert admin.counters("buffers_allocated", "live_buffers") == {"buffers_allocated": 1, "live_buffers": 0}


@windows_lane
@pytest.mark.parametrize("read", [lambda s: s.connections(), lambda s: s.ports(), lambda s: s.connections_ex()],
                         ids=["connections", "ports", "connections_ex"])
def test_more_data_with_no_entries_is_refused(admin: AdminControls, read: Any) -> None:
    admin.malformed(AdminMalformation.MORE_DATA_EMPTY)  # ERROR_MORE_DATA, no entries, the same resume handle again
    with mpr.AdminServer() as server, pytest.raises(ValueError, match="does not advance"):
        read(server)
    assert admin.calls() == 1 and admin.router.counter("live_buffers") == 0


@windows_lane
def test_names_without_a_nul_are_read_whole(admin: AdminControls) -> None:
    admin.malformed(AdminMalformation.NAMES_UNTERMINATED)
    with mpr.AdminServer() as server:
        row = server.connections()[0]
        assert (row.user_name, row.interface_name) == ("U" * 257, "I" * 257)
        assert server.connections(0)[0].user_name == "U" * 257
        assert server.connections_ex()[0].user_name == "U" * 257
        port = server.ports()[0]
        assert (port.port_name, port.device_name) == ("P" * 17, "D" * 129)
        assert port.tunnel is Tunnel.OTHER


@windows_lane
def test_unknown_enumeration_values_read_as_plain_ints(admin: AdminControls) -> None:
    admin.malformed(AdminMalformation.ENUMS_OUT_OF_RANGE)
    with mpr.AdminServer() as server:
        row = server.connections()[0]
        assert (row.interface_type, row.quarantine_state) == (99, 55)
        assert type(row.interface_type) is int
        assert server.ports()[0].condition == 77
        assert server.port(0x1000004, 1).hardware_condition == 77


# -- 7. the functions bound at run time -----------------------------------------------

@windows_lane
def test_the_ex_functions_are_found_in_the_loaded_mprapi_dll(admin: AdminControls) -> None:
    from mprapi_cffi import _calls, _ext

    for name, ctype in [("MprAdminConnectionEnumEx", "MPRAPI_CONNECTION_ENUM_EX"),
                        ("MprAdminServerGetInfoEx", "MPRAPI_SERVER_GET_INFO_EX")]:
        function = _calls.dll_function(name)
        assert function is _calls.dll_function(name)  # looked up once
        assert _ext.ffi.typeof(function) is _ext.ffi.typeof(ctype)


@windows_lane
def test_a_server_whose_ex_functions_fail_raises_their_error(admin: AdminControls) -> None:
    admin.ex_available(False)  # they answer 127
    with mpr.AdminServer() as server:
        for call in (server.connections_ex, server.server_info_ex):
            with pytest.raises(mpr.MprError) as info:
                call()
            assert info.value.winerror == 127
        assert len(server.connections()) == 6


NO_EX = os.path.join(ROUTER_DIR or "", "notraps")


@windows_lane
@pytest.mark.skipif(not os.path.isfile(os.path.join(NO_EX, "mprapi.dll")),
                    reason="no stand-in router without the Ex functions (tools/winlane.py build makes one)")
def test_a_dll_without_the_ex_functions_fails_only_their_calls_before_any_call() -> None:
    script = reporting_at_exit("admin_connects admin_disconnects admin_calls live_buffers", """
server = mprapi_cffi.AdminServer()
for name in ("connections_ex", "server_info_ex"):
    try:
        getattr(server, name)()
    except mprapi_cffi.ApiUnavailableError as error:
        print(name + ":", error)
print("before", dll.router_counter(b"admin_connects"), dll.router_counter(b"admin_calls"))
print("connections", len(server.connections()))
server.close()
""", NO_EX)
    lines = run_python(script).splitlines()
    assert lines[0].startswith("connections_ex: MprAdminConnectionEnumEx is not available")
    assert lines[1].startswith("server_info_ex: MprAdminServerGetInfoEx is not available")
    assert lines[2] == "before 0 0"  # refused before connecting
    assert lines[3] == "connections 6"
    assert lines[4].split() == ["admin_connects=1", "admin_disconnects=1", "admin_calls=1", "live_buffers=0"]


# -- 8. the snapshot -------------------------------------------------------------------

@windows_lane
def test_snapshot_reads_the_three_at_once(admin: AdminControls) -> None:
    admin.router.set_delay_ms(300)
    with mpr.AdminServer() as server:
        started = time.monotonic()
        snapshot = server.snapshot()
        seconds = time.monotonic() - started
    assert isinstance(snapshot, mpr.RemoteAccessSnapshot)
    assert snapshot.server == ServerInfo0(lan_only_mode=False, up_time=UP_TIME, total_ports=352, ports_in_use=6)
    assert [p._asdict() for p in snapshot.ports] == expected_ports()
    assert [c._asdict() for c in snapshot.connections] == [expected_connection(4, c) for c in CONNECTIONS]
    assert snapshot.level == 4
    assert admin.router.counter("max_in_flight") == 3  # the three went together
    assert admin.counters("admin_connects", "admin_calls") == {"admin_connects": 1, "admin_calls": 3}
    assert seconds < 0.9, seconds
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.level = 3  # type: ignore[misc]


@windows_lane
def test_snapshot_of_an_older_server_gives_its_level(admin: AdminControls) -> None:
    admin.max_level(2)
    with mpr.AdminServer() as server:
        snapshot = server.snapshot()
    assert snapshot.level == 2 and [type(c) for c in snapshot.connections] == [Connection2] * 6


@windows_lane
def test_snapshot_raises_the_error_of_a_failing_read(admin: AdminControls) -> None:
    admin.router.set_server("vpn-bad", fail=5)
    with mpr.AdminServer("vpn-bad") as server, pytest.raises(mpr.MprError) as info:
        server.snapshot()
    assert info.value.winerror == 5
