"""The exporter's remote access (VPN) metrics: mprapi_ras_*, from the admin calls, in the scrape's one round trip.

The exposition tests run anywhere (fake admin handles with the attributes of
ras.py's rows); the scrape tests need prometheus_client (the exporter extra)
and skip without it; the tests marked windows_lane read the stand-in's remote
access server through the real extension and the real exporter.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from conftest import windows_lane
from mprapi_cffi import MprError, exporter
from mprapi_cffi.exporter import command, metrics, scrape
from test_exporter import FakeRouter, ParsedFamily, _ip_stats, _rows, parse

HAVE_PROMETHEUS_CLIENT = importlib.util.find_spec("prometheus_client") is not None
needs_client = pytest.mark.skipif(not HAVE_PROMETHEUS_CLIENT, reason="needs prometheus_client (the exporter extra)")
README = Path(__file__).resolve().parent.parent / "README.md"

TUNNELS = ["ikev2", "l2tp", "pptp", "sstp"]
# Every family the exporter writes for a remote access server, with its type and its labels.
RAS_FAMILIES = {
    "mprapi_ras_up": ("gauge", set()),
    "mprapi_ras_server_uptime_seconds": ("gauge", set()),
    "mprapi_ras_lan_only_mode": ("gauge", set()),
    "mprapi_ras_ports": ("gauge", {"tunnel"}),
    "mprapi_ras_ports_in_use": ("gauge", {"tunnel"}),
    "mprapi_ras_connections": ("gauge", {"interface_type", "tunnel"}),
    "mprapi_ras_sent_bytes_total": ("counter", {"tunnel"}),
    "mprapi_ras_received_bytes_total": ("counter", {"tunnel"}),
}
DETAIL_LABELS = {"address", "connection", "domain", "interface", "interface_type", "tunnel", "user"}
DETAIL_FAMILIES = {
    "mprapi_ras_connection_duration_seconds": "gauge",
    "mprapi_ras_connection_sent_bytes_total": "counter",
    "mprapi_ras_connection_received_bytes_total": "counter",
}


# ------------------------------------------------------------------ fakes with the attributes of ras.py's rows


@dataclass(frozen=True)
class Server0:  # MPR_SERVER_0
    lan_only_mode: bool = False
    up_time: int = 86400
    total_ports: int = 0
    ports_in_use: int = 0


@dataclass(frozen=True)
class Port0:  # RAS_PORT_0, with its tunnel property as a plain attribute
    handle: int
    connection_handle: int
    tunnel: str
    condition: int = 3  # LISTENING
    device_name: str = ""


@dataclass(frozen=True)
class Connection4:  # RAS_CONNECTION_4's attributes the exporter reads
    handle: int
    user_name: str
    tunnel: str
    duration: int = 60
    interface_type: int = 0  # CLIENT
    logon_domain: str = "CORP"
    interface_name: str = ""
    remote_ipv4_address: str = ""
    bytes_sent: int = 0
    bytes_received: int = 0
    start_time: datetime | None = None


@dataclass(frozen=True)
class Connection2:  # RAS_CONNECTION_2: no tunnel, no bytes, no duration
    handle: int
    user_name: str
    interface_type: int = 0


def _ports(connections: list[Any], free: dict[str, int]) -> list[Port0]:
    """A port per connection (of its tunnel), and ``free`` listening ports by tunnel."""
    ports = [Port0(1000 + i, c.handle, c.tunnel, condition=5) for i, c in enumerate(connections)]
    for tunnel, count in free.items():
        ports += [Port0(2000 + len(ports) + i, 0, tunnel) for i in range(count)]
    return ports


def _connections() -> list[Connection4]:
    return [
        Connection4(11, "alice", "sstp", duration=3600, remote_ipv4_address="10.8.0.2", bytes_sent=1000,
                    bytes_received=2000, start_time=datetime(2026, 1, 1, tzinfo=timezone.utc)),
        Connection4(12, "bob", "ikev2", duration=120, remote_ipv4_address="10.8.0.3", bytes_sent=5 * 2**32,
                    bytes_received=7),
        Connection4(13, "bob", "ikev2", duration=30, remote_ipv4_address="10.8.0.4", bytes_sent=1,
                    bytes_received=1),  # the same user twice: one series each
        Connection4(14, "branch-2", "l2tp", interface_type=2, interface_name="branch-2", duration=999999,
                    logon_domain="", bytes_sent=300, bytes_received=400),
    ]  # fmt: skip


class FakeAdmin:
    """What the exporter reads a remote access server through: server_info, ports, connections, close."""

    def __init__(self, connections: list[Any] | None = None, ports: list[Any] | None = None,
                 server: Server0 | None = None, errors: dict[str, BaseException] | None = None,
                 before_read: Callable[[], None] | None = None, level: int = 4) -> None:
        self.connection_list = _connections() if connections is None else connections
        self.port_list = _ports(self.connection_list, {"pptp": 2, "sstp": 3}) if ports is None else ports
        self.server = server or Server0(total_ports=len(self.port_list))
        self.errors = errors or {}
        self.before_read = before_read
        self.connection_level = level
        self.calls: list[str] = []
        self.closes = 0

    def _call(self, name: str, value: Any) -> Any:
        self.calls.append(name)
        if self.before_read:
            self.before_read()
        if name in self.errors:
            raise self.errors[name]
        return value

    def server_info(self) -> Server0:
        return self._call("server_info", self.server)  # type: ignore[no-any-return]

    def ports(self) -> list[Any]:
        return self._call("ports", self.port_list)  # type: ignore[no-any-return]

    def connections(self) -> list[Any]:
        return self._call("connections", self.connection_list)  # type: ignore[no-any-return]

    def close(self) -> None:
        self.closes += 1


def _reading(admin: FakeAdmin) -> exporter.RouterReading:
    return exporter.read_router(FakeRouter("edge", _rows()), admin)


def _families(reading: exporter.RouterReading, **kwargs: Any) -> dict[str, ParsedFamily]:
    return parse(exporter.exposition(exporter.router_families(reading, **kwargs)).decode("utf-8"))


def _by(family: ParsedFamily, *names: str) -> dict[tuple[str, ...], float]:
    return {tuple(labels[name] for name in names): value for labels, value in family.samples}


# ------------------------------------------------------------------ the exposition


def test_every_remote_access_family_is_named_typed_described_and_labelled() -> None:
    families = _families(_reading(FakeAdmin()))
    ras = {name: family for name, family in families.items() if name.startswith("mprapi_ras_")}
    assert set(ras) == set(RAS_FAMILIES)
    for name, (kind, labels) in RAS_FAMILIES.items():
        assert ras[name].type == kind, name
        assert ras[name].help and "\n" not in ras[name].help, name
        assert all(set(sample) == labels for sample, _ in ras[name].samples), name
        if kind == "counter":
            assert name.endswith("_total"), name
    assert "never goes down" in ras["mprapi_ras_sent_bytes_total"].help
    assert families["mprapi_ras_up"].samples == [({}, 1.0)]
    assert "ifInOctets" in families  # the MIB's families are there too


def test_ports_in_use_and_connections_by_tunnel_and_interface_type_every_tunnel_shown() -> None:
    families = _families(_reading(FakeAdmin()))
    # Every tunnel type shows, at 0 when the server has none of it.
    assert _by(families["mprapi_ras_ports"], "tunnel") == {("ikev2",): 2, ("l2tp",): 1, ("pptp",): 2, ("sstp",): 4}
    assert _by(families["mprapi_ras_ports_in_use"], "tunnel") == {("ikev2",): 2, ("l2tp",): 1, ("pptp",): 0,
                                                                  ("sstp",): 1}  # fmt: skip
    connections = _by(families["mprapi_ras_connections"], "tunnel", "interface_type")
    assert connections == {**{(t, k): 0 for t in TUNNELS for k in ("client", "site_to_site")},
                           ("sstp", "client"): 1, ("ikev2", "client"): 2, ("l2tp", "site_to_site"): 1}  # fmt: skip
    assert families["mprapi_ras_server_uptime_seconds"].samples == [({}, 86400.0)]
    assert families["mprapi_ras_lan_only_mode"].samples == [({}, 0.0)]


def test_a_port_busy_with_a_call_but_no_connection_yet_is_in_use_and_other_tunnels_show_when_there() -> None:
    ports = [Port0(1, 0, "sstp", condition=4), Port0(2, 0, "sstp", condition=2), Port0(3, 0, "sstp", condition=0),
             Port0(4, 0, "other", condition=3)]  # authenticating, calling back, non-operational; a listening "other"
    families = _families(_reading(FakeAdmin(connections=[], ports=ports)))
    assert _by(families["mprapi_ras_ports_in_use"], "tunnel") == {("ikev2",): 0, ("l2tp",): 0, ("other",): 0,
                                                                  ("pptp",): 0, ("sstp",): 2}  # fmt: skip
    assert _by(families["mprapi_ras_ports"], "tunnel")[("other",)] == 1
    assert set(_by(families["mprapi_ras_connections"], "tunnel")) == {(t,) for t in [*TUNNELS, "other"]}


def test_below_level_4_a_connection_takes_its_ports_tunnel_and_there_are_no_byte_counters() -> None:
    connections = [Connection2(21, "carol"), Connection2(22, "dave", interface_type=2), Connection2(23, "eve")]
    ports = [Port0(1, 21, "pptp", 5), Port0(2, 22, "sstp", 5), Port0(3, 0, "ikev2")]  # eve holds no port
    families = _families(_reading(FakeAdmin(connections=connections, ports=ports, level=2)))
    connections_by = _by(families["mprapi_ras_connections"], "tunnel", "interface_type")
    assert {key: value for key, value in connections_by.items() if value} == {
        ("pptp", "client"): 1, ("sstp", "site_to_site"): 1, ("other", "client"): 1}
    assert "mprapi_ras_sent_bytes_total" not in families and "mprapi_ras_received_bytes_total" not in families
    # And with no connection at all, the level says whether there are byte counters.
    assert "mprapi_ras_sent_bytes_total" not in _families(_reading(FakeAdmin(connections=[], ports=ports, level=2)))
    assert "mprapi_ras_sent_bytes_total" in _families(_reading(FakeAdmin(connections=[], ports=ports, level=4)))


def test_bytes_by_tunnel_are_the_connections_counters_summed_64_bit() -> None:
    families = _families(_reading(FakeAdmin()))
    assert _by(families["mprapi_ras_sent_bytes_total"], "tunnel") == {
        ("ikev2",): 5 * 2**32 + 1, ("l2tp",): 300, ("pptp",): 0, ("sstp",): 1000}
    assert _by(families["mprapi_ras_received_bytes_total"], "tunnel") == {
        ("ikev2",): 8, ("l2tp",): 400, ("pptp",): 0, ("sstp",): 2000}
    text = exporter.exposition(exporter.router_families(_reading(FakeAdmin()))).decode()
    assert 'mprapi_ras_sent_bytes_total{tunnel="ikev2"} 2.1474836481e+10\n' in text


def _ras(connections: list[Any], read_at: float) -> metrics.RasReading:
    return metrics.RasReading(Server0(), _ports(connections, {}), connections, None, read_at, 4)


def _totals(counters: metrics.RasByteCounters, reading: metrics.RasReading) -> dict[str, tuple[int, int]]:
    return counters.update(reading, metrics.connection_tunnels(reading))


def test_byte_counters_never_go_down_when_connections_end_or_are_cleared() -> None:
    alice = Connection4(1, "alice", "sstp", bytes_sent=100, bytes_received=10)
    bob = Connection4(2, "bob", "sstp", bytes_sent=50, bytes_received=5)
    counters = metrics.RasByteCounters()
    assert _totals(counters, _ras([alice, bob], 1.0)) == {"sstp": (150, 15)}
    grown = dataclasses.replace(alice, bytes_sent=130)
    assert _totals(counters, _ras([grown, bob], 2.0)) == {"sstp": (180, 15)}
    # bob leaves: his last count stays (a plain sum would drop to 130, and rate() would count 130 again).
    assert _totals(counters, _ras([grown], 3.0)) == {"sstp": (180, 15)}
    # alice's statistics are cleared: her count so far stays, and she counts from 0 again.
    cleared = dataclasses.replace(alice, bytes_sent=4, bytes_received=1)
    assert _totals(counters, _ras([cleared], 4.0)) == {"sstp": (184, 16)}
    # A new connection with the same handle but another user is another connection.
    carol = Connection4(1, "carol", "ikev2", bytes_sent=7, bytes_received=7)
    assert _totals(counters, _ras([carol], 5.0)) == {"sstp": (184, 16), "ikev2": (7, 7)}
    # Everyone gone: nothing goes down.
    assert _totals(counters, _ras([], 6.0)) == {"sstp": (184, 16), "ikev2": (7, 7)}


def test_a_reading_is_counted_once_however_many_scrapes_share_it_and_an_older_one_changes_nothing() -> None:
    alice = Connection4(1, "alice", "sstp", bytes_sent=100, bytes_received=10)
    counters = metrics.RasByteCounters()
    newer = _ras([dataclasses.replace(alice, bytes_sent=200)], 2.0)
    assert _totals(counters, newer) == {"sstp": (200, 10)}
    assert _totals(counters, newer) == {"sstp": (200, 10)}  # the same reading again
    assert _totals(counters, _ras([], 1.0)) == {"sstp": (200, 10)}  # an older reading, answered late
    assert _totals(counters, _ras([dataclasses.replace(alice, bytes_sent=250)], 3.0)) == {"sstp": (250, 10)}


def test_the_per_connection_series_are_off_by_default() -> None:
    families = _families(_reading(FakeAdmin()))
    assert not [name for name in families if name.startswith("mprapi_ras_connection_")]


def test_the_per_connection_series_one_per_connection_labelled_by_user_and_tunnel() -> None:
    families = _families(_reading(FakeAdmin()), ras_detail_limit=100)
    for name, kind in DETAIL_FAMILIES.items():
        assert families[name].type == kind, name
        assert "one series per connection" in families[name].help, name
        assert len(families[name].samples) == 4, name
        assert all(set(labels) == DETAIL_LABELS for labels, _ in families[name].samples), name
    durations = _by(families["mprapi_ras_connection_duration_seconds"], "user", "tunnel", "connection", "address")
    # bob twice: two series, told apart by the connection (and his address).
    assert durations == {("alice", "sstp", "11", "10.8.0.2"): 3600, ("bob", "ikev2", "12", "10.8.0.3"): 120,
                         ("bob", "ikev2", "13", "10.8.0.4"): 30, ("branch-2", "l2tp", "14", ""): 999999}
    site = [labels for labels, _ in families["mprapi_ras_connection_sent_bytes_total"].samples
            if labels["connection"] == "14"]  # fmt: skip
    assert site == [{"address": "", "connection": "14", "domain": "", "interface": "branch-2",
                     "interface_type": "site_to_site", "tunnel": "l2tp", "user": "branch-2"}]
    assert families["mprapi_ras_connection_series_dropped"].samples == [({}, 0.0)]


def test_the_per_connection_series_are_capped_oldest_first_and_say_how_many_were_left_out() -> None:
    families = _families(_reading(FakeAdmin()), ras_detail_limit=2)
    shown = {labels["connection"] for labels, _ in families["mprapi_ras_connection_duration_seconds"].samples}
    assert shown == {"14", "11"}  # the two oldest: the set shown stays the same while newer ones come and go
    assert families["mprapi_ras_connection_series_dropped"].samples == [({}, 2.0)]
    for name in DETAIL_FAMILIES:
        assert len(families[name].samples) == 2, name
    zero = _families(_reading(FakeAdmin()), ras_detail_limit=0)
    assert zero["mprapi_ras_connection_series_dropped"].samples == [({}, 4.0)]
    assert "mprapi_ras_connection_duration_seconds" not in zero
    # The aggregates do not depend on the cap.
    assert zero["mprapi_ras_connections"].samples == _families(_reading(FakeAdmin()))["mprapi_ras_connections"].samples


def test_10000_connections_with_the_cap_give_a_bounded_answer() -> None:
    connections = [Connection4(100 + i, f"user{i}", TUNNELS[i % 4], duration=i, bytes_sent=i, bytes_received=i)
                   for i in range(10_000)]  # fmt: skip
    admin = FakeAdmin(connections=connections, ports=_ports(connections, {}))
    text = exporter.exposition(exporter.router_families(_reading(admin), ras_detail_limit=1000)).decode()
    assert text.count("\nmprapi_ras_connection_duration_seconds{") == 1000
    assert "\nmprapi_ras_connection_series_dropped 9000\n" in text
    assert len(text) < 1_000_000


@pytest.mark.parametrize(("error", "reason"), [
    (MprError(903, "The Demand Dial Manager is not running", "MprAdminPortEnum"), "not_remote_access"),
    (MprError(5, "Access is denied", "MprAdminPortEnum"), "router_error"),
    (ValueError("a reply shorter than its entries"), "malformed_reply"),
])  # fmt: skip
def test_a_remote_access_read_that_fails_is_mprapi_ras_up_0_with_its_reason_and_the_mib_stays(
        error: Exception, reason: str) -> None:
    admin = FakeAdmin(server=Server0(lan_only_mode=True, up_time=77), errors={"ports": error, "connections": error})
    reading = _reading(admin)
    assert reading.ras is not None and reading.ras.error is error
    families = _families(reading)
    assert families["mprapi_ras_up"].samples == [({}, 0.0)]
    assert families["mprapi_ras_down_reason"].samples == [({"reason": reason}, 1.0)]
    assert families["mprapi_ras_down_reason"].help.startswith("Why mprapi_ras_up is 0")
    # The server's answer stays: a LAN-only router says so.
    assert families["mprapi_ras_lan_only_mode"].samples == [({}, 1.0)]
    assert families["mprapi_ras_server_uptime_seconds"].samples == [({}, 77.0)]
    assert not {"mprapi_ras_ports", "mprapi_ras_connections", "mprapi_ras_sent_bytes_total"} & set(families)
    assert "ifInOctets" in families and "ipCidrRouteNumber" in families


def test_no_server_answer_no_server_families() -> None:
    error = MprError(1722, "RPC server unavailable", "MprAdminServerGetInfo")
    families = _families(_reading(FakeAdmin(errors={"server_info": error})))
    assert families["mprapi_ras_down_reason"].samples == [({"reason": "router_error"}, 1.0)]
    assert "mprapi_ras_server_uptime_seconds" not in families and "mprapi_ras_ports" not in families


def test_the_six_reads_go_to_the_router_at_once() -> None:
    # One round trip: the three MIB reads and the three admin reads all wait on one barrier.
    barrier = threading.Barrier(6, timeout=10)
    router = FakeRouter("edge", _rows())
    router.ip_stats = lambda: (barrier.wait(), _ip_stats())[1]  # type: ignore[method-assign]
    router.ip_forward_number = lambda: (barrier.wait(), 17)[1]  # type: ignore[method-assign]
    router.before_read = barrier.wait
    admin = FakeAdmin(before_read=barrier.wait)
    reading = exporter.read_router(exporter.RouterConnection(router, admin))
    assert reading.ras is not None and reading.ras.ok and reading.route_count == 17
    assert sorted(admin.calls) == ["connections", "ports", "server_info"]


def test_without_an_admin_handle_there_are_no_remote_access_reads_nor_families() -> None:
    reading = exporter.read_router(FakeRouter("edge", _rows()))
    assert reading.ras is None
    assert not [name for name in _families(reading) if name.startswith("mprapi_ras")]
    reading = exporter.read_router(exporter.RouterConnection(FakeRouter("edge", _rows())))
    assert reading.ras is None


def test_a_router_connection_closes_both_even_when_the_first_close_raises() -> None:
    router = FakeRouter("edge", _rows())

    class Failing(FakeAdmin):
        def close(self) -> None:
            super().close()
            raise OSError("boom")

    admin = Failing()
    with pytest.raises(OSError):
        exporter.RouterConnection(router, admin).close()
    assert admin.closes == 1 and router.closed.is_set()


def test_the_remote_access_text_passes_promtools_metric_lint() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("needs promtool (Debian's prometheus package)")
    reading = _reading(FakeAdmin())
    ras = [f for f in exporter.router_families(reading, ras_detail_limit=10) if f.name.startswith("mprapi_ras")]
    text = exporter.exposition(ras)
    done = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, (done.stdout + done.stderr).decode()


# ------------------------------------------------------------------ the scrape, the options


def _exporter(admins: dict[str, FakeAdmin], **kwargs: Any) -> exporter.Exporter:
    from prometheus_client import CollectorRegistry

    def connect(name: str) -> exporter.RouterConnection:
        return exporter.RouterConnection(FakeRouter(name, _rows()), admins[name.lower()])

    return exporter.Exporter(registry=CollectorRegistry(), servers=list(admins), connect=connect, **kwargs)


@needs_client
def test_a_scrape_gives_the_remote_access_families_and_closes_the_admin_handle_once() -> None:
    admin = FakeAdmin()
    families = parse(_exporter({"vpn1": admin}).scrape("vpn1", 5).decode())
    assert families["mprapi_up"].samples == [({}, 1.0)]
    assert families["mprapi_ras_up"].samples == [({}, 1.0)]
    assert set(RAS_FAMILIES) <= set(families)
    deadline = time.monotonic() + 10
    while admin.closes == 0 and time.monotonic() < deadline:  # closed by the poll once the read answered
        time.sleep(0.01)
    assert admin.closes == 1


@needs_client
def test_a_lan_only_router_gives_its_mib_and_mprapi_ras_up_0_logged_at_debug_only(
        caplog: pytest.LogCaptureFixture) -> None:
    error = MprError(903, "The Demand Dial Manager is not running", "MprAdminConnectionEnum")
    admin = FakeAdmin(server=Server0(lan_only_mode=True), errors={"ports": error, "connections": error})
    with caplog.at_level(logging.DEBUG, logger="mprapi_cffi.exporter"):
        families = parse(_exporter({"lan": admin}).scrape("lan", 5).decode())
    assert families["mprapi_up"].samples == [({}, 1.0)]
    assert families["mprapi_ras_up"].samples == [({}, 0.0)]
    assert families["mprapi_ras_down_reason"].samples == [({"reason": "not_remote_access"}, 1.0)]
    assert families["mprapi_ras_lan_only_mode"].samples == [({}, 1.0)]
    assert len(families["ifInOctets"].samples) == 3
    said = [(r.levelno, r.getMessage()) for r in caplog.records if "remote access" in r.getMessage()]
    assert said == [(logging.DEBUG, "lan: remote access not read (mprapi_ras_up 0, not_remote_access): "
                                    "router error 903: The Demand Dial Manager is not running")]


@needs_client
def test_another_remote_access_failure_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    admin = FakeAdmin(errors={"connections": MprError(5, "Access is denied", "MprAdminConnectionEnum")})
    with caplog.at_level(logging.WARNING, logger="mprapi_cffi.exporter"):
        families = parse(_exporter({"vpn1": admin}).scrape("vpn1", 5).decode())
    assert families["mprapi_ras_down_reason"].samples == [({"reason": "router_error"}, 1.0)]
    assert [r.getMessage() for r in caplog.records] == [
        "vpn1: remote access not read (mprapi_ras_up 0, router_error): router error 5: Access is denied"]


@needs_client
def test_a_router_whose_mib_fails_gives_no_remote_access_families() -> None:
    from prometheus_client import CollectorRegistry

    class Failing(FakeRouter):
        def if_table(self) -> list[Any]:
            raise MprError(1722, "RPC server unavailable", "MprAdminMIBEntryGet")

    ex = exporter.Exporter(registry=CollectorRegistry(), servers=["vpn1"],
                           connect=lambda name: exporter.RouterConnection(Failing(name, []), FakeAdmin()))
    families = parse(ex.scrape("vpn1", 5).decode())
    assert families["mprapi_up"].samples == [({}, 0.0)]
    assert not [name for name in families if name.startswith("mprapi_ras")]


@needs_client
def test_byte_counters_are_kept_per_target_across_scrapes() -> None:
    alice = Connection4(1, "alice", "sstp", bytes_sent=100, bytes_received=10)
    bob = Connection4(2, "bob", "sstp", bytes_sent=50, bytes_received=5)
    admin = FakeAdmin(connections=[alice, bob])
    other = FakeAdmin(connections=[dataclasses.replace(alice, bytes_sent=1)])
    ex = _exporter({"vpn1": admin, "vpn2": other})

    def sent(target: str) -> float:
        return _by(parse(ex.scrape(target, 5).decode())["mprapi_ras_sent_bytes_total"], "tunnel")[("sstp",)]

    assert sent("vpn1") == 150
    admin.connection_list = [dataclasses.replace(alice, bytes_sent=120)]
    admin.port_list = _ports(admin.connection_list, {})
    assert sent("VPN1") == 170  # bob's 50 stays; the target's case does not matter
    assert sent("vpn2") == 1


@needs_client
def test_the_counters_of_at_most_max_counted_targets_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scrape, "MAX_COUNTED_TARGETS", 2)
    ex = _exporter({name: FakeAdmin() for name in ("a", "b", "c")})
    for name in ("a", "b", "a", "c"):
        ex.scrape(name, 5)
    assert list(ex._ras_counters) == ["a", "c"]  # b, the least recently scraped, forgotten


@needs_client
def test_ras_off_reads_the_mib_alone_with_a_plain_binding() -> None:
    from prometheus_client import CollectorRegistry

    from mprapi_cffi.server import MibServer

    off = exporter.Exporter(registry=CollectorRegistry(), servers=["r"], ras=False)
    assert off.connect is MibServer
    on = exporter.Exporter(registry=CollectorRegistry(), servers=["r"])
    assert on.connect is scrape.connect_router and on.ras and on.ras_detail_limit is None
    ex = exporter.Exporter(registry=CollectorRegistry(), servers=["r"], ras=False,
                           connect=lambda name: FakeRouter(name, _rows()))
    families = parse(ex.scrape("r", 5).decode())
    assert families["mprapi_up"].samples == [({}, 1.0)]
    assert not [name for name in families if name.startswith("mprapi_ras")]


@needs_client
def test_the_options_reach_the_exporter() -> None:
    def built(*argv: str) -> exporter.Exporter:
        server = command.build(command.parser().parse_args(["--listen", "127.0.0.1:0", "--server", "r", *argv]))
        server.server_close()
        return server.exporter  # type: ignore[no-any-return]

    default = built()
    assert default.ras and default.ras_detail_limit is None
    assert not built("--no-ras").ras
    assert built("--ras-connections-detail").ras_detail_limit == scrape.DEFAULT_RAS_CONNECTIONS_LIMIT == 1000
    assert built("--ras-connections-detail", "--ras-connections-limit", "50").ras_detail_limit == 50
    assert built("--ras-connections-limit", "50").ras_detail_limit is None  # the limit alone asks for nothing


@needs_client
@pytest.mark.parametrize("value", ["-1", "x", "1000001", "1.5"])
def test_a_bad_connections_limit_is_a_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert exporter.main(["--listen", "127.0.0.1:0", "--ras-connections-limit", value]) == 2
    assert "--ras-connections-limit" in capsys.readouterr().err


@needs_client
@pytest.mark.parametrize("value", [-1, True, 1.5, "10"])
def test_a_bad_connections_limit_is_refused_by_the_exporter(value: Any) -> None:
    from prometheus_client import CollectorRegistry

    with pytest.raises(ValueError, match="ras_connections_limit"):
        exporter.Exporter(registry=CollectorRegistry(), ras_connections_limit=value)


# ------------------------------------------------------------------ the README


def _readme() -> str:
    if not README.is_file():  # the installed-wheel runs copy the tests alone
        pytest.skip("no README.md beside the tests")
    return README.read_text(encoding="utf-8")


def _readme_rules() -> str:
    text = _readme()
    section = text[text.index("\n## Remote access (VPN) servers\n"):]
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", section, re.DOTALL) if "RRASPortsNearlyExhausted" in b]
    assert len(blocks) == 1, "the README's remote access section has no rule RRASPortsNearlyExhausted"
    return str(blocks[0])


def test_the_readmes_alert_rules_pass_promtool(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("needs promtool (Debian's prometheus package)")
    path = tmp_path / "rules.yml"
    path.write_text(_readme_rules())
    done = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, (done.stdout + done.stderr).decode()


def test_the_readmes_metric_table_names_every_remote_access_family_with_its_help() -> None:
    text = _readme()
    section = text[text.index("\n## Remote access (VPN) servers\n"):]
    families = _families(_reading(FakeAdmin()), ras_detail_limit=10)
    down = _families(_reading(FakeAdmin(errors={"ports": MprError(903, "x")})))
    for name, family in {**families, **down}.items():
        if name.startswith("mprapi_ras_"):
            assert f"`{name}" in section, name
            assert family.help.replace("|", "\\|") in section, name


# ------------------------------------------------------------------ the stand-in router


def _control(router: Any, name: str, *args: int) -> None:
    """The stand-in's router_admin_NAME control export, through standin.Router's method when it has one."""
    method = getattr(router, f"admin_{name}", None)
    if method is not None:
        method(*args)
    else:
        getattr(router.dll, f"router_admin_{name}")(*args)


@contextmanager
def _lane_exporter(**kwargs: Any) -> Iterator[exporter.Exporter]:
    from prometheus_client import CollectorRegistry

    yield exporter.Exporter(registry=CollectorRegistry(), servers=["vpn-1", "edge-router-1"], **kwargs)


def _admin_reads(name: str) -> tuple[Any, list[Any], list[Any]]:
    from mprapi_cffi.admin import AdminServer

    with AdminServer(name) as admin:
        return admin.server_info(0), admin.ports(0), admin.connections()


def _admin_idle(router: Any) -> None:
    deadline = time.monotonic() + 20
    while router.counter("live_admin_handles") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert router.counter("live_admin_handles") == 0


@windows_lane
def test_the_exporter_serves_the_stand_ins_default_connections(router: Any) -> None:
    server, ports, connections = _admin_reads("vpn-1")
    with _lane_exporter() as ex:
        families = parse(ex.scrape("vpn-1", 10).decode())
    assert families["mprapi_up"].samples == [({}, 1.0)]
    assert families["mprapi_ras_up"].samples == [({}, 1.0)]
    assert families["mprapi_ras_server_uptime_seconds"].samples == [({}, float(server.up_time))]
    assert families["mprapi_ras_lan_only_mode"].samples == [({}, 0.0)]
    # The stand-in's defaults: 32 PPTP, 64 L2TP, 128 SSTP and 128 IKEv2 ports; six connections, at least one
    # per tunnel type, one site to site, one past 2**32 bytes, each on a port of its own.
    assert _by(families["mprapi_ras_ports"], "tunnel") == {("pptp",): 32, ("l2tp",): 64, ("sstp",): 128,
                                                           ("ikev2",): 128}  # fmt: skip
    assert len(connections) == 6
    by_tunnel: dict[str, int] = {}
    for connection in connections:
        tunnel = str(connection.tunnel.value)
        by_tunnel[tunnel] = by_tunnel.get(tunnel, 0) + 1
    in_use = _by(families["mprapi_ras_ports_in_use"], "tunnel")
    assert {key[0]: value for key, value in in_use.items() if value} == by_tunnel
    got = _by(families["mprapi_ras_connections"], "tunnel", "interface_type")
    assert sum(got.values()) == 6 and all(got[(t, "client")] + got[(t, "site_to_site")] >= 1 for t in TUNNELS)
    assert sum(got[(t, "site_to_site")] for t in TUNNELS) >= 1
    sent = _by(families["mprapi_ras_sent_bytes_total"], "tunnel")
    for tunnel in TUNNELS:
        assert sent[(tunnel,)] == sum(c.bytes_sent for c in connections if c.tunnel.value == tunnel), tunnel
    assert max(sent.values()) > 2**32
    received = _by(families["mprapi_ras_received_bytes_total"], "tunnel")
    assert sum(received.values()) == sum(c.bytes_received for c in connections)
    assert sum(value for _, value in families["mprapi_ras_ports"].samples) == len(ports)
    _admin_idle(router)


@windows_lane
def test_the_stand_ins_connections_one_series_each_with_the_option(router: Any) -> None:
    _, _, connections = _admin_reads("vpn-1")
    with _lane_exporter(ras_connections_detail=True, ras_connections_limit=4) as ex:
        families = parse(ex.scrape("vpn-1", 10).decode())
    shown = families["mprapi_ras_connection_duration_seconds"].samples
    assert len(shown) == 4 and families["mprapi_ras_connection_series_dropped"].samples == [({}, 2.0)]
    users = {c.user_name for c in connections}
    assert {labels["user"] for labels, _ in shown} <= users
    oldest = sorted((c.duration for c in connections), reverse=True)[:4]
    assert sorted((value for _, value in shown), reverse=True) == [float(d) for d in oldest]
    _admin_idle(router)


@windows_lane
def test_10000_stand_in_connections_scrape_whole_and_capped(router: Any) -> None:
    _control(router, "set_connections", 10_000)
    _control(router, "set_page_limit", 1000)  # the server pages: resume handles
    with _lane_exporter(ras_connections_detail=True) as ex:
        families = parse(ex.scrape("vpn-1", 60).decode())
    assert sum(value for _, value in families["mprapi_ras_connections"].samples) == 10_000
    assert len(families["mprapi_ras_connection_duration_seconds"].samples) == 1000
    assert families["mprapi_ras_connection_series_dropped"].samples == [({}, 9000.0)]
    _admin_idle(router)


@windows_lane
def test_a_lan_only_stand_in_gives_its_mib_and_mprapi_ras_up_0(router: Any) -> None:
    _control(router, "set_lan_only", 1)
    with _lane_exporter() as ex:
        families = parse(ex.scrape("edge-router-1", 10).decode())
    assert families["mprapi_up"].samples == [({}, 1.0)]
    assert len(families["ifInOctets"].samples) == 3
    assert families["mprapi_ras_up"].samples == [({}, 0.0)]
    assert families["mprapi_ras_down_reason"].samples == [({"reason": "not_remote_access"}, 1.0)]
    assert families["mprapi_ras_lan_only_mode"].samples == [({}, 1.0)]
    _admin_idle(router)


@windows_lane
def test_with_ras_off_no_admin_handle_is_opened(router: Any) -> None:
    with _lane_exporter(ras=False) as ex:
        families = parse(ex.scrape("vpn-1", 10).decode())
    assert families["mprapi_up"].samples == [({}, 1.0)]
    assert not [name for name in families if name.startswith("mprapi_ras")]
    assert router.counter("admin_connects") == 0 and router.counter("admin_calls") == 0


@windows_lane
def test_a_scrape_with_remote_access_takes_one_round_trip(router: Any) -> None:
    router.set_server("slow-vpn", delay_ms=400)
    with _lane_exporter() as ex:
        ex.targets = exporter.TargetPolicy(["slow-vpn"])
        ex.scrape("slow-vpn", 10)  # warm: the workers are started
        start = time.monotonic()
        families = parse(ex.scrape("slow-vpn", 10).decode())
        seconds = time.monotonic() - start
    assert families["mprapi_ras_up"].samples == [({}, 1.0)]
    assert seconds < 0.4 * 2, f"{seconds:.2f} s: more than one round trip of 0.4 s"
    _admin_idle(router)


def test_user_names_the_router_sends_are_label_values_whatever_they_hold() -> None:
    hostile = ['a"b', "back\\slash", "new\nline", '} mprapi_ras_up{x="1', "zo\u00eb\ufffd", ""]
    connections = [Connection4(500 + i, name, "sstp", interface_name=name, logon_domain=name)
                   for i, name in enumerate(hostile)]  # fmt: skip
    families = _families(_reading(FakeAdmin(connections=connections)), ras_detail_limit=10)
    samples = families["mprapi_ras_connection_duration_seconds"].samples
    assert sorted(labels["user"] for labels, _ in samples) == sorted(hostile)
    assert all(labels["domain"] == labels["user"] == labels["interface"] for labels, _ in samples)
    assert families["mprapi_ras_up"].samples == [({}, 1.0)]  # nothing a name holds adds a sample
