"""The Prometheus exporter: snmp_exporter's if_mib rendering, HTTP, deadlines.

The exposition tests run anywhere (fake routers, real row types); the HTTP
tests need prometheus_client (the exporter extra) and skip without it; the
tests marked windows_lane read the stand-in router through the real extension.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import windows_lane
from mprapi_cffi import MprError, exporter
from mprapi_cffi.exporter import command, metrics
from mprapi_cffi.mib import IfRow, IpStats

HAVE_PROMETHEUS_CLIENT = importlib.util.find_spec("prometheus_client") is not None
needs_client = pytest.mark.skipif(not HAVE_PROMETHEUS_CLIENT, reason="needs prometheus_client (the exporter extra)")

# snmp_exporter's if_mib module for ifNumber and ifTable, as its generated snmp.yml gives it
# (repository prometheus/snmp_exporter, snmp.yml at the root, commit f16dc2334f4d, module
# if_mib): name, type, help.  Every ifTable metric has index ifIndex and the lookups ifAlias,
# ifDescr and ifName (DisplayString) by ifIndex.  ifSpecific (OctetString) and sysUpTime are
# in the module too; MIB_IFROW has neither.
IF_MIB = [
    ("ifNumber", "gauge", "The number of network interfaces (regardless of their current state) present on this "
                          "system. - 1.3.6.1.2.1.2.1"),
    ("ifIndex", "gauge", "A unique value, greater than zero, for each interface - 1.3.6.1.2.1.2.2.1.1"),
    ("ifType", "EnumAsInfo", "The type of interface - 1.3.6.1.2.1.2.2.1.3"),
    ("ifMtu", "gauge", "The size of the largest packet which can be sent/received on the interface, specified in "
                       "octets - 1.3.6.1.2.1.2.2.1.4"),
    ("ifSpeed", "gauge", "An estimate of the interface's current bandwidth in bits per second - 1.3.6.1.2.1.2.2.1.5"),
    ("ifPhysAddress", "PhysAddress48", "The interface's address at its protocol sub-layer - 1.3.6.1.2.1.2.2.1.6"),
    ("ifAdminStatus", "gauge", "The desired state of the interface - 1.3.6.1.2.1.2.2.1.7"),
    ("ifOperStatus", "gauge", "The current operational state of the interface - 1.3.6.1.2.1.2.2.1.8"),
    ("ifLastChange", "gauge", "The value of sysUpTime at the time the interface entered its current operational "
                              "state - 1.3.6.1.2.1.2.2.1.9"),
    ("ifInOctets", "counter", "The total number of octets received on the interface, including framing characters "
                              "- 1.3.6.1.2.1.2.2.1.10"),
    ("ifInUcastPkts", "counter", "The number of packets, delivered by this sub-layer to a higher (sub-)layer, which "
                                 "were not addressed to a multicast or broadcast address at this sub-layer - "
                                 "1.3.6.1.2.1.2.2.1.11"),
    ("ifInNUcastPkts", "counter", "The number of packets, delivered by this sub-layer to a higher (sub-)layer, which "
                                  "were addressed to a multicast or broadcast address at this sub-layer - "
                                  "1.3.6.1.2.1.2.2.1.12"),
    ("ifInDiscards", "counter", "The number of inbound packets which were chosen to be discarded even though no "
                                "errors had been detected to prevent their being deliverable to a higher-layer "
                                "protocol - 1.3.6.1.2.1.2.2.1.13"),
    ("ifInErrors", "counter", "For packet-oriented interfaces, the number of inbound packets that contained errors "
                              "preventing them from being deliverable to a higher-layer protocol - "
                              "1.3.6.1.2.1.2.2.1.14"),
    ("ifInUnknownProtos", "counter", "For packet-oriented interfaces, the number of packets received via the "
                                     "interface which were discarded because of an unknown or unsupported protocol "
                                     "- 1.3.6.1.2.1.2.2.1.15"),
    ("ifOutOctets", "counter", "The total number of octets transmitted out of the interface, including framing "
                               "characters - 1.3.6.1.2.1.2.2.1.16"),
    ("ifOutUcastPkts", "counter", "The total number of packets that higher-level protocols requested be "
                                  "transmitted, and which were not addressed to a multicast or broadcast address at "
                                  "this sub-layer, including those that were discarded or not sent - "
                                  "1.3.6.1.2.1.2.2.1.17"),
    ("ifOutNUcastPkts", "counter", "The total number of packets that higher-level protocols requested be "
                                   "transmitted, and which were addressed to a multicast or broadcast address at "
                                   "this sub-layer, including those that were discarded or not sent - "
                                   "1.3.6.1.2.1.2.2.1.18"),
    ("ifOutDiscards", "counter", "The number of outbound packets which were chosen to be discarded even though no "
                                 "errors had been detected to prevent their being transmitted - "
                                 "1.3.6.1.2.1.2.2.1.19"),
    ("ifOutErrors", "counter", "For packet-oriented interfaces, the number of outbound packets that could not be "
                               "transmitted because of errors - 1.3.6.1.2.1.2.2.1.20"),
    ("ifOutQLen", "gauge", "The length of the output packet queue (in packets). - 1.3.6.1.2.1.2.2.1.21"),
]  # fmt: skip
LOOKUPS = {"ifAlias", "ifDescr", "ifIndex", "ifName"}
# The IfRow attribute each numeric ifTable column comes from (MIB_IFROW is MIB-II's ifEntry).
COLUMN = {"ifIndex": "index", "ifMtu": "mtu", "ifSpeed": "speed", "ifAdminStatus": "admin_status",
          "ifLastChange": "last_change", "ifInOctets": "in_octets", "ifInUcastPkts": "in_ucast_pkts",
          "ifInNUcastPkts": "in_nucast_pkts", "ifInDiscards": "in_discards", "ifInErrors": "in_errors",
          "ifInUnknownProtos": "in_unknown_protos", "ifOutOctets": "out_octets", "ifOutUcastPkts": "out_ucast_pkts",
          "ifOutNUcastPkts": "out_nucast_pkts", "ifOutDiscards": "out_discards", "ifOutErrors": "out_errors",
          "ifOutQLen": "out_qlen"}  # fmt: skip
# INTERNAL_IF_OPER_STATUS -> MIB-II ifOperStatus (1 up, 2 down, 4 unknown, 5 dormant), as the README gives it.
MIB2_OPER = {5: 1, 4: 1, 3: 5, 2: 2, 1: 2, 0: 2, 9: 4}
# IP-MIB (RFC 4293) scalars: (metric, SMI type as a Prometheus type, IpStats attribute).
IP_MIB = [
    ("ipForwarding", "gauge", "forwarding"), ("ipDefaultTTL", "gauge", "default_ttl"),
    ("ipInReceives", "counter", "in_receives"), ("ipInHdrErrors", "counter", "in_hdr_errors"),
    ("ipInAddrErrors", "counter", "in_addr_errors"), ("ipForwDatagrams", "counter", "forw_datagrams"),
    ("ipInUnknownProtos", "counter", "in_unknown_protos"), ("ipInDiscards", "counter", "in_discards"),
    ("ipInDelivers", "counter", "in_delivers"), ("ipOutRequests", "counter", "out_requests"),
    ("ipOutDiscards", "counter", "out_discards"), ("ipOutNoRoutes", "counter", "out_no_routes"),
    ("ipReasmTimeout", "gauge", "reasm_timeout"), ("ipReasmReqds", "counter", "reasm_reqds"),
    ("ipReasmOKs", "counter", "reasm_oks"), ("ipReasmFails", "counter", "reasm_fails"),
    ("ipFragOKs", "counter", "frag_oks"), ("ipFragFails", "counter", "frag_fails"),
    ("ipFragCreates", "counter", "frag_creates"), ("ipRoutingDiscards", "counter", "routing_discards"),
]  # fmt: skip

# The HELP snmp_exporter's generator would write for each (generator/tree.go: the DESCRIPTION's
# words joined by single spaces, cut before the first ". "), from RFC 4293's IP-MIB text.
IP_MIB_HELP = {
    "ipForwarding": "The indication of whether this entity is acting as an IPv4 router in respect to the "
                    "forwarding of datagrams received by, but not addressed to, this entity",
    "ipDefaultTTL": "The default value inserted into the Time-To-Live field of the IPv4 header of datagrams "
                    "originated at this entity, whenever a TTL value is not supplied by the transport layer protocol",
    "ipInReceives": "The total number of input datagrams received from interfaces, including those received in error",
    "ipInHdrErrors": "The number of input datagrams discarded due to errors in their IPv4 headers, including bad "
                     "checksums, version number mismatch, other format errors, time-to-live exceeded, errors "
                     "discovered in processing their IPv4 options, etc",
    "ipInAddrErrors": "The number of input datagrams discarded because the IPv4 address in their IPv4 header's "
                      "destination field was not a valid address to be received at this entity",
    "ipForwDatagrams": "The number of input datagrams for which this entity was not their final IPv4 destination, as "
                       "a result of which an attempt was made to find a route to forward them to that final "
                       "destination",
    "ipInUnknownProtos": "The number of locally-addressed datagrams received successfully but discarded because of "
                         "an unknown or unsupported protocol",
    "ipInDiscards": "The number of input IPv4 datagrams for which no problems were encountered to prevent their "
                    "continued processing, but which were discarded (e.g., for lack of buffer space)",
    "ipInDelivers": "The total number of input datagrams successfully delivered to IPv4 user-protocols (including "
                    "ICMP)",
    "ipOutRequests": "The total number of IPv4 datagrams which local IPv4 user protocols (including ICMP) supplied to "
                     "IPv4 in requests for transmission",
    "ipOutDiscards": "The number of output IPv4 datagrams for which no problem was encountered to prevent their "
                     "transmission to their destination, but which were discarded (e.g., for lack of buffer space)",
    "ipOutNoRoutes": "The number of IPv4 datagrams discarded because no route could be found to transmit them to "
                     "their destination",
    "ipReasmTimeout": "The maximum number of seconds that received fragments are held while they are awaiting "
                      "reassembly at this entity.",
    "ipReasmReqds": "The number of IPv4 fragments received which needed to be reassembled at this entity",
    "ipReasmOKs": "The number of IPv4 datagrams successfully re-assembled",
    "ipReasmFails": "The number of failures detected by the IPv4 re-assembly algorithm (for whatever reason: timed "
                    "out, errors, etc)",
    "ipFragOKs": "The number of IPv4 datagrams that have been successfully fragmented at this entity",
    "ipFragFails": "The number of IPv4 datagrams that have been discarded because they needed to be fragmented at "
                   "this entity but could not be, e.g., because their Don't Fragment flag was set",
    "ipFragCreates": "The number of IPv4 datagram fragments that have been generated as a result of fragmentation "
                     "at this entity",
    "ipRoutingDiscards": "The number of routing entries which were chosen to be discarded even though they are valid",
}  # fmt: skip


# ------------------------------------------------------------------ reading the text format


@dataclass
class ParsedFamily:
    type: str
    help: str
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)


_SAMPLE = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def parse(text: str) -> dict[str, ParsedFamily]:
    """The text format 0.0.4, strictly: HELP, then TYPE, then samples named exactly as the family."""
    families: dict[str, ParsedFamily] = {}
    current: str | None = None
    help_text: dict[str, str] = {}
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name, _, rest = line[7:].partition(" ")
            help_text[name] = rest.replace("\\n", "\n").replace("\\\\", "\\")
        elif line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            assert name not in families, f"family {name} twice"
            families[name] = ParsedFamily(kind, help_text.pop(name))
            current = name
        else:
            match = _SAMPLE.fullmatch(line)
            assert match, f"not a sample line: {line!r}"
            assert match.group(1) == current, f"sample {match.group(1)} under family {current}"
            labels: dict[str, str] = {}
            rest = match.group(2) or ""
            while rest:
                label = _LABEL.match(rest)
                assert label, f"bad labels in {line!r}"
                labels[label.group(1)] = _unescape(label.group(2))
                rest = rest[label.end():]
            families[current].samples.append((labels, float(match.group(3))))
    return families


# ------------------------------------------------------------------ a fake router

_ZERO_COUNTERS = dict.fromkeys(("in_ucast_pkts", "in_nucast_pkts", "in_discards", "in_errors", "in_unknown_protos",
                                "out_ucast_pkts", "out_nucast_pkts", "out_discards", "out_errors", "out_qlen"), 0)


def _rows() -> list[IfRow]:
    ethernet = {**_ZERO_COUNTERS, "in_ucast_pkts": 2001, "in_errors": 5, "out_errors": 11, "out_qlen": 12}
    return [
        IfRow(name="Loopback Pseudo-Interface 1", index=1, type=24, mtu=1500, speed=1073741824, phys_addr=b"",
              admin_status=1, oper_status=5, last_change=100, in_octets=0, out_octets=0,
              descr="Software Loopback Interface 1", **_ZERO_COUNTERS),
        IfRow(name="Ethernet", index=3, type=6, mtu=1500, speed=1000000000, phys_addr=bytes.fromhex("00155d0102a3"),
              admin_status=1, oper_status=4, last_change=12345, in_octets=1000001, out_octets=7000007,
              descr='Intel(R) "I219-V" \\ 2', **ethernet),
        IfRow(name="Wide Area Link \u00fc\u2260", index=10, type=999, mtu=1400, speed=56000,
              phys_addr=bytes.fromhex("0102030405060708"), admin_status=2, oper_status=3, last_change=7,
              in_octets=4294967295, out_octets=1, descr="WAN Miniport (PPTP)\nline 2", **_ZERO_COUNTERS),
    ]  # fmt: skip


def _ip_stats() -> IpStats:
    return IpStats(**{name: 100 + i for i, name in enumerate(IpStats._fields)})


class FakeRouter:
    """What the exporter reads through: if_table, ip_stats, ip_forward_number, close."""

    def __init__(self, name: str, rows: list[IfRow], before_read: Callable[[], None] | None = None) -> None:
        self.name = name
        self.rows = rows
        self.before_read = before_read
        self.closed = threading.Event()

    def if_table(self) -> list[IfRow]:
        if self.before_read:
            self.before_read()
        return self.rows

    def ip_stats(self) -> IpStats:
        return _ip_stats()

    def ip_forward_number(self) -> int:
        return 17

    def close(self) -> None:
        self.closed.set()


def _families(rows: list[IfRow] | None = None) -> dict[str, ParsedFamily]:
    reading = exporter.RouterReading(_rows() if rows is None else rows, _ip_stats(), 17)
    return parse(exporter.exposition(exporter.router_families(reading)).decode("utf-8"))


# ------------------------------------------------------------------ the exposition


def test_every_if_mib_metric_is_named_typed_described_and_labelled_as_snmp_exporter_does() -> None:
    rows = _rows()
    families = _families(rows)
    for name, snmp_type, help_text in IF_MIB:
        # snmp_exporter: counter and gauge as they are; EnumAsInfo as NAME_info, a gauge of 1 with
        # the enum's name as label NAME; other types (PhysAddress48) a gauge of 1 with the value as label NAME.
        shown = f"{name}_info" if snmp_type == "EnumAsInfo" else name
        assert shown in families, f"no {shown}"
        family = families[shown]
        assert family.type == (snmp_type if snmp_type in ("counter", "gauge") else "gauge"), name
        assert family.help == help_text + (" (EnumAsInfo)" if snmp_type == "EnumAsInfo" else ""), name
        if name == "ifNumber":
            assert family.samples == [({}, float(len(rows)))]
            continue
        extra = {name} if snmp_type in ("EnumAsInfo", "PhysAddress48") else set()
        assert len(family.samples) == len(rows), name
        for labels, _ in family.samples:
            assert set(labels) == LOOKUPS | extra, name
        by_index = {labels["ifIndex"]: (labels, value) for labels, value in family.samples}
        for row in rows:
            labels, value = by_index[str(row.index)]
            # The lookups: MIB_IFROW has no ifAlias (snmp_exporter gives "" for a lookup with
            # no value), bDescr is ifDescr, wszName ifName.
            assert (labels["ifAlias"], labels["ifDescr"], labels["ifName"]) == ("", row.descr, row.name)
            if name in COLUMN:
                assert value == int(getattr(row, COLUMN[name])), (name, row.index)


def test_counters_keep_their_mib_names_as_snmp_exporter_writes_them() -> None:
    text = exporter.exposition(exporter.router_families(exporter.RouterReading(_rows(), _ip_stats(), 17))).decode()
    assert "_total" not in text
    assert "# TYPE ifInOctets counter\n" in text
    # client_golang's text: label names sorted, values escaped, numbers in Go's shortest form.
    assert 'ifInOctets{ifAlias="",ifDescr="Intel(R) \\"I219-V\\" \\\\ 2",ifIndex="3",ifName="Ethernet"} ' \
           "1.000001e+06\n" in text
    assert 'ifInOctets{ifAlias="",ifDescr="WAN Miniport (PPTP)\\nline 2",ifIndex="10",' \
           'ifName="Wide Area Link \u00fc\u2260"} 4.294967295e+09\n' in text
    assert 'ifMtu{ifAlias="",ifDescr="Software Loopback Interface 1",ifIndex="1",' \
           'ifName="Loopback Pseudo-Interface 1"} 1500\n' in text
    # Families by name, samples by their label values (as strings, as client_golang sorts them).
    names = re.findall(r"^# TYPE (\S+)", text, re.M)
    assert names == sorted(names)
    assert re.findall(r'^ifMtu\{.*ifIndex="(\d+)"', text, re.M) == ["3", "1", "10"]  # by ifDescr first


def test_phys_address_is_six_octets_upper_case_and_type_is_its_iana_name() -> None:
    families = _families()
    phys = {labels["ifIndex"]: (labels["ifPhysAddress"], value) for labels, value in families["ifPhysAddress"].samples}
    # snmp_exporter's PhysAddress48: no address is six zero octets, a longer one is cut to six.
    assert phys == {"1": ("00:00:00:00:00:00", 1), "3": ("00:15:5D:01:02:A3", 1), "10": ("01:02:03:04:05:06", 1)}
    kinds = {labels["ifIndex"]: (labels["ifType"], value) for labels, value in families["ifType_info"].samples}
    # IANAifType names; a type without one is its number.
    assert kinds == {"1": ("softwareLoopback", 1), "3": ("ethernetCsmacd", 1), "10": ("999", 1)}


def test_oper_status_is_mib2s_from_mib_ifrows_internal_status() -> None:
    rows = [row._replace(index=20 + raw, oper_status=raw) for raw, row in zip(MIB2_OPER, _rows() * 3)]
    got = {labels["ifIndex"]: value for labels, value in _families(rows)["ifOperStatus"].samples}
    assert got == {str(20 + raw): float(mib2) for raw, mib2 in MIB2_OPER.items()}


def test_ip_mib_scalars_and_the_route_count() -> None:
    families = _families()
    stats = _ip_stats()
    for name, kind, attribute in IP_MIB:
        assert families[name].type == kind, name
        assert families[name].samples == [({}, float(getattr(stats, attribute)))], name
        # ip 1 to ip 19 in IP_MIB's order, then ipRoutingDiscards (ip 23).
        oid = 23 if name == "ipRoutingDiscards" else 1 + [n for n, _, _ in IP_MIB].index(name)
        assert families[name].help == f"{IP_MIB_HELP[name]} - 1.3.6.1.2.1.4.{oid}", name
    assert families["ipCidrRouteNumber"].type == "gauge"
    assert families["ipCidrRouteNumber"].samples == [({}, 17.0)]
    assert families["ipCidrRouteNumber"].help.endswith(" - 1.3.6.1.2.1.4.24.3")
    if_mib = {f"{name}_info" if kind == "EnumAsInfo" else name for name, kind, _ in IF_MIB}
    assert set(families) == if_mib | {name for name, _, _ in IP_MIB} | {
        "ipCidrRouteNumber", "ifHighSpeed", "mprapi_if_octets_wrap_seconds"}


def test_if_high_speed_is_mb_per_s_and_each_interface_gives_its_32_bit_wrap_period() -> None:
    ethernet = _rows()[1]
    rows = [*_rows(), ethernet._replace(index=11, name="down", speed=0),
            ethernet._replace(index=12, name="fast", speed=4294967295)]
    families = _families(rows)
    assert families["ifHighSpeed"].type == "gauge"
    assert families["ifHighSpeed"].help == ("An estimate of the interface's current bandwidth in units of "
                                            "1,000,000 bits per second - 1.3.6.1.2.1.31.1.1.1.15")
    speeds = {labels["ifIndex"]: value for labels, value in families["ifHighSpeed"].samples}
    # RFC 2863: n means n-500,000 to n+499,999 bits per second.
    assert speeds == {"1": 1074.0, "3": 1000.0, "10": 0.0, "11": 0.0, "12": 4295.0}
    wraps = {labels["ifIndex"]: value for labels, value in families["mprapi_if_octets_wrap_seconds"].samples}
    assert wraps["3"] == pytest.approx(34.36, abs=0.01)  # 2**32 octets at 1 Gb/s
    assert wraps["10"] == pytest.approx(2**35 / 56000)
    assert "11" not in wraps  # no speed, no wrap period
    assert wraps["12"] == pytest.approx(8.0, abs=0.01)


def test_a_scrape_answer_down_names_its_reason() -> None:
    down = exporter.exposition(metrics.scrape_families("timeout", 0.75))
    assert b"\nmprapi_scrape_duration_seconds 0.75\n" in down and b"\nmprapi_up 0\n" in down
    assert b'\nmprapi_down_reason{reason="timeout"} 1\n' in down
    assert b"mprapi_down_reason" not in exporter.exposition(metrics.scrape_families(None, 0.1))


@pytest.mark.parametrize(("value", "shown"), [
    # What Go's strconv.FormatFloat(v, 'g', -1, 64) gives, as client_golang writes samples.
    (0, "0"), (12, "12"), (100000, "100000"), (123456.7, "123456.7"), (1000000, "1e+06"),
    (1000001, "1.000001e+06"), (4294967295, "4.294967295e+09"), (0.25, "0.25"), (0.0001, "0.0001"),
    (0.00001, "1e-05"), (-3.5, "-3.5"), (float("inf"), "+Inf"), (float("nan"), "NaN"),
])  # fmt: skip
def test_numbers_are_written_as_go_writes_them(value: float, shown: str) -> None:
    family = exporter.Family("x", "gauge", "h")
    family.add(value)
    assert exporter.exposition([family]) == f"# HELP x h\n# TYPE x gauge\nx {shown}\n".encode()


@pytest.mark.parametrize(("header", "cap", "deadline"), [
    (None, None, 9.75), ("10", None, 9.75), ("1", None, 0.75), ("0.2", None, 0.15), ("abc", None, 9.75),
    ("-1", None, 9.75), ("nan", None, 9.75), ("30", 5.0, 5.0), ("1", 5.0, 0.75),
    # Hostile values: clamped to 300 s, or ignored; never a number a wait cannot take.
    ("5000000", None, 299.75), ("1e300", None, 299.75), ("inf", None, 9.75), ("1" * 400, None, 9.75),
    ("0", None, 9.75), ("\u0661\u0662", None, 9.75), ("1_0", None, 9.75),
])  # fmt: skip
def test_the_scrape_deadline_is_prometheus_timeout_less_an_offset(header: str | None, cap: float | None,
                                                                 deadline: float) -> None:
    assert exporter.scrape_deadline(header, cap) == pytest.approx(deadline)


def test_the_module_imports_without_prometheus_client_and_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "prometheus_client", None)  # import prometheus_client raises ImportError
    spec = importlib.util.find_spec("mprapi_cffi.exporter")
    assert spec is not None and spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)  # no ImportError: prometheus_client is imported on use
    with pytest.raises(ImportError, match=re.escape("pip install mprapi-cffi[exporter]")):
        fresh.Exporter()
    assert fresh.main(["--listen", "127.0.0.1:0"]) == 1
    assert "pip install mprapi-cffi[exporter]" in capsys.readouterr().err


def test_every_module_of_the_exporter_imports_afresh_without_prometheus_client() -> None:
    # The test above runs the package's __init__ again over modules imported already; here
    # each module is imported for the first time, in an interpreter without prometheus_client.
    import mprapi_cffi

    code = ("import pkgutil, sys; sys.modules['prometheus_client'] = None; import mprapi_cffi.exporter as e; "
            "[__import__(m.name) for m in pkgutil.iter_modules(e.__path__, 'mprapi_cffi.exporter.')]; "
            "print(sorted(m for m in sys.modules if m.startswith('mprapi_cffi.exporter.')))")
    root = str(Path(mprapi_cffi.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert "'mprapi_cffi.exporter.scrape'" in out.stdout and "'mprapi_cffi.exporter.command'" in out.stdout, out


def test_mprapi_exporter_is_dispatched_to_the_exporters_own_options(capsys: pytest.CaptureFixture[str]) -> None:
    from mprapi_cffi.cli import main as mprapi

    assert mprapi(["exporter", "--help"]) == 0
    assert "usage: mprapi exporter" in capsys.readouterr().out
    assert mprapi(["exporter", "--listen", "nowhere"]) == 2
    assert "not HOST:PORT" in capsys.readouterr().err


def test_mprapi_help_lists_the_exporter(capsys: pytest.CaptureFixture[str]) -> None:
    from mprapi_cffi.cli import main as mprapi

    assert mprapi(["--help"]) == 0
    assert re.search(r"^\s+exporter\s+serve Prometheus metrics; see mprapi exporter --help$",
                     capsys.readouterr().out, re.M)  # fmt: skip
    # Options before it are mprapi's, not the exporter's: refused, with where its own go.
    assert mprapi(["--json", "exporter"]) == 2
    assert "mprapi exporter --help" in capsys.readouterr().err


# ------------------------------------------------------------------ HTTP


@contextmanager
def running(ex: exporter.Exporter, **options: Any) -> Iterator[exporter.ExporterServer]:
    """The exporter's server on a free port of 127.0.0.1, serving in a thread until the block ends."""
    server = exporter.make_server(ex, "127.0.0.1", 0, **options)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serving(ex: exporter.Exporter, **options: Any) -> Iterator[Callable[..., tuple[int, dict[str, str], bytes]]]:
    """The exporter on a free port; yields get(path, headers) -> (status, headers, body)."""
    with running(ex, **options) as server:
        port = server.server_address[1]

        def get(path: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, dict[str, str],
                                                                                                bytes]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request(method, path, headers=headers or {})
                response = connection.getresponse()
                return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
            finally:
                connection.close()

        yield get


def _fake_exporter(routers: dict[str, FakeRouter], **kwargs: Any) -> exporter.Exporter:
    from prometheus_client import CollectorRegistry

    def connect(name: str) -> FakeRouter:
        return routers[name]

    kwargs.setdefault("servers", list(routers) or None)
    return exporter.Exporter(connect=connect, registry=CollectorRegistry(), **kwargs)


def _hung(name: str = "hung") -> tuple[FakeRouter, threading.Event]:
    release = threading.Event()
    return FakeRouter(name, _rows(), before_read=lambda: release.wait(120)), release


@needs_client
def test_metrics_with_a_target_read_that_router_and_without_one_report_the_exporter() -> None:
    edge = FakeRouter("edge", _rows())
    with serving(_fake_exporter({"edge": edge})) as get:
        status, headers, body = get("/metrics?target=edge")
        assert status == 200
        assert headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
        families = parse(body.decode())
        assert families["mprapi_up"].samples == [({}, 1.0)]
        assert "mprapi_down_reason" not in families
        assert families["mprapi_scrape_duration_seconds"].type == "gauge"
        assert families["ifInOctets"].samples[0][1] == 1000001
        assert edge.closed.is_set()  # one server per scrape, closed after
        status, headers, body = get("/metrics")
        assert status == 200
        assert headers["content-type"].startswith("text/plain")
        assert 'mprapi_exporter_scrapes_total{result="up"} 1.0' in body.decode()
        assert "ifInOctets" not in body.decode()
        status, headers, body = get("/")
        assert (status, headers["content-type"]) == (200, "text/html; charset=utf-8")
        assert b'href="/metrics"' in body
        assert get("/nothing")[0] == 404
        status, headers, body = get("/metrics?target=edge", method="HEAD")
        assert (status, body) == (200, b"") and int(headers["content-length"]) > 1000
        assert get("/metrics", method="POST")[0] == 501


@needs_client
def test_a_scrapes_reads_go_to_the_router_together_in_one_round_trip() -> None:
    # Each read waits for the other two to have begun: made one after another, none could end.
    together = threading.Barrier(3, timeout=5)

    class Router(FakeRouter):
        def if_table(self) -> list[IfRow]:
            together.wait()
            return super().if_table()

        def ip_stats(self) -> IpStats:
            together.wait()
            return super().ip_stats()

        def ip_forward_number(self) -> int:
            together.wait()
            return super().ip_forward_number()

    body = _fake_exporter({"edge": Router("edge", _rows())}).scrape("edge", 10)
    assert b"\nmprapi_up 1\n" in body and not together.broken


@needs_client
def test_a_scrape_deadline_past_what_a_wait_takes_is_clamped_and_a_bad_one_refused_before_any_call() -> None:
    edge = FakeRouter("edge", _rows())
    ex = _fake_exporter({"edge": edge})
    assert b"\nmprapi_up 1\n" in ex.scrape("edge", 1e300)  # 300 s at most: no OverflowError in the wait
    edge.closed.clear()
    for bad in (float("nan"), 0, -1, "5"):
        with pytest.raises(ValueError, match="deadline"):
            ex.scrape("edge", bad)  # type: ignore[arg-type]
    assert not edge.closed.is_set()


@needs_client
def test_two_content_lengths_or_a_body_are_refused() -> None:
    with running(_fake_exporter({})) as server:
        for extra in (b"Content-Length: 0\r\nContent-Length: 5\r\n", b"Content-Length: 2\r\n",
                      b"Transfer-Encoding: chunked\r\n"):
            with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as sock:
                sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + extra + b"\r\n{}")
                answer = sock.recv(1 << 16)
                assert answer.startswith(b"HTTP/1.1 400 "), answer[:60]
                assert b"\r\nConnection: close\r\n" in answer


@needs_client
@pytest.mark.parametrize("target", [
    "\\\\fileserver\\share", "edge\u202eexe", "edge\u0085x", "a%00b", "a/b", "a b", "-edge", "edge..core",
    "x" * 254, "edge:135", "[::1]",
])  # fmt: skip
def test_a_target_that_is_not_a_host_name_or_an_address_is_refused_before_any_call(target: str) -> None:
    ex = _fake_exporter({}, allow_any_target=True)
    with pytest.raises(exporter.TargetError) as raised:
        ex.scrape(target, 1)
    assert raised.value.status == 400
    assert ex.reads_in_flight == 0


@needs_client
def test_a_bad_target_in_a_url_is_400() -> None:
    with serving(_fake_exporter({}, allow_any_target=True)) as get:
        for query in ("target=", "target=a%00b", "target=a&target=b", "target=%ff", "target=" + "x" * 2000,
                      "target=%5C%5Cfs%5Cshare", "target=edge%E2%80%AE",
                      "target=edge&" + "&".join(f"x{i}=1" for i in range(100))):  # fmt: skip
            assert get(f"/metrics?{query}")[0] == 400, query


@needs_client
def test_only_the_servers_and_patterns_allowed_may_be_scraped_and_each_refusal_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    routers = {name: FakeRouter(name, _rows()) for name in ("edge-1", "EDGE-2", "core", "10.0.0.1")}
    with serving(_fake_exporter(routers, servers=["edge-*", "10.0.0.1"])) as get:
        with caplog.at_level(logging.WARNING, logger="mprapi_cffi.exporter"):
            for _ in range(3):
                status, _, body = get("/metrics?target=core")
                assert status == 403 and "'core' is not one this exporter may scrape" in body.decode()
        assert not routers["core"].closed.is_set()  # never reached
        assert get("/metrics?target=edge-1")[0] == 200
        assert get("/metrics?target=EDGE-2")[0] == 200  # host names are case-insensitive
        assert get("/metrics?target=10.0.0.1")[0] == 200
    refusals = [r.getMessage() for r in caplog.records if "refused target" in r.getMessage()]
    assert refusals == ["refused target 'core': not allowed (--server, --servers-file)"]


@needs_client
def test_nothing_may_be_scraped_unless_allowed() -> None:
    from prometheus_client import CollectorRegistry

    reached: list[str] = []
    ex = exporter.Exporter(connect=lambda name: reached.append(name), registry=CollectorRegistry())
    with serving(ex) as get:
        assert get("/metrics?target=dc01.corp.example")[0] == 403
        assert get("/metrics")[0] == 200
    assert reached == []


@needs_client
def test_a_router_error_gives_up_0_with_its_reason_and_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    def refuse() -> None:
        raise MprError(1722, "The RPC server is unavailable.", "MprAdminMIBEntryGet")

    with serving(_fake_exporter({"dead": FakeRouter("dead", _rows(), before_read=refuse)})) as get:
        with caplog.at_level(logging.WARNING, logger="mprapi_cffi.exporter"):
            status, _, body = get("/metrics?target=dead")
    families = parse(body.decode())
    assert status == 200
    assert families["mprapi_up"].samples == [({}, 0.0)]
    assert families["mprapi_down_reason"].samples == [({"reason": "router_error"}, 1.0)]
    assert "ifInOctets" not in families
    warnings = [r.getMessage() for r in caplog.records if r.name == "mprapi_cffi.exporter"]
    assert warnings == ["dead: router error 1722: The RPC server is unavailable."]


@needs_client
def test_a_router_that_does_not_answer_gives_up_0_within_the_scrape_timeout(caplog: pytest.LogCaptureFixture) -> None:
    hung, release = _hung()
    edge = FakeRouter("edge", _rows())
    try:
        with serving(_fake_exporter({"hung": hung, "edge": edge})) as get:
            answers: dict[str, tuple[float, bytes]] = {}

            def scrape_hung() -> None:
                start = time.monotonic()
                _, _, body = get("/metrics?target=hung", {"X-Prometheus-Scrape-Timeout-Seconds": "1"})
                answers["hung"] = (time.monotonic() - start, body)

            waiting = threading.Thread(target=scrape_hung)
            with caplog.at_level(logging.WARNING, logger="mprapi_cffi.exporter"):
                waiting.start()
                time.sleep(0.2)
                start = time.monotonic()
                status, _, body = get("/metrics?target=edge", {"X-Prometheus-Scrape-Timeout-Seconds": "10"})
                edge_seconds = time.monotonic() - start
                waiting.join(30)
        seconds, hung_body = answers["hung"]
        assert 0.7 <= seconds < 3.0  # the deadline is 0.75 s (1 s less the offset)
        families = parse(hung_body.decode())
        assert families["mprapi_up"].samples == [({}, 0.0)]
        assert families["mprapi_down_reason"].samples == [({"reason": "timeout"}, 1.0)]
        assert "ifInOctets" not in families
        assert hung.closed.is_set()  # given up: closed without waiting for the read
        assert status == 200 and b"mprapi_up 1\n" in body and edge_seconds < 3.0
        warnings = [r.getMessage() for r in caplog.records if r.name == "mprapi_cffi.exporter"]
        assert warnings == ["hung: no answer within 0.75 s"]  # the name once
    finally:
        release.set()


@needs_client
def test_a_huge_timeout_header_does_not_end_deadline_enforcement() -> None:
    hung, release = _hung()
    try:
        with serving(_fake_exporter({"hung": hung})) as get:
            done = threading.Event()

            def huge() -> None:
                with contextlib.suppress(Exception):
                    get("/metrics?target=hung", {"X-Prometheus-Scrape-Timeout-Seconds": "1e300"})
                done.set()

            threading.Thread(target=huge, daemon=True).start()
            time.sleep(0.3)
            # Later scrapes of the same hung router still answer at their own deadlines.
            for _ in range(2):
                start = time.monotonic()
                _, _, body = get("/metrics?target=hung", {"X-Prometheus-Scrape-Timeout-Seconds": "1"})
                assert time.monotonic() - start < 3.0 and b"\nmprapi_up 0\n" in body
            assert not done.is_set()  # the first waits for its own (clamped) deadline, in its own thread
    finally:
        release.set()


@needs_client
def test_scrapes_of_a_target_whose_read_is_in_flight_share_it_and_start_no_other() -> None:
    started = threading.Semaphore(0)
    release = threading.Event()
    connects: list[str] = []

    def slow() -> None:
        started.release()
        release.wait(30)

    router = FakeRouter("edge", _rows(), before_read=slow)
    ex = _fake_exporter({"edge": router})
    ex.connect = lambda name: connects.append(name) or router
    bodies: list[bytes] = []
    threads = [threading.Thread(target=lambda: bodies.append(ex.scrape("edge", 10))) for _ in range(5)]
    for thread in threads:
        thread.start()
    assert started.acquire(timeout=10)
    time.sleep(0.3)
    assert ex.reads_in_flight == 1 and connects == ["edge"]
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(bodies) == 5 and all(b"\nmprapi_up 1\n" in body for body in bodies)
    assert connects == ["edge"] and not started.acquire(timeout=0.1)  # one read served all five
    assert ex.reads_in_flight == 0


@needs_client
def test_scrapes_sharing_a_hung_read_log_its_failure_once(caplog: pytest.LogCaptureFixture) -> None:
    hung, release = _hung()
    ex = _fake_exporter({"hung": hung})
    try:
        with caplog.at_level(logging.WARNING, logger="mprapi_cffi.exporter"):
            threads = [threading.Thread(target=ex.scrape, args=("hung", 0.5)) for _ in range(5)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(10)
            ex.scrape("hung", 0.2)  # the read still hangs: shared again, nothing new to say
    finally:
        release.set()
    assert [r.getMessage() for r in caplog.records] == ["hung: no answer within 0.5 s"]


@needs_client
def test_past_max_reads_a_scrape_answers_up_0_at_once_with_its_reason() -> None:
    routers = {}
    releases = []
    for i in range(3):
        routers[f"hung{i}"], release = _hung(f"hung{i}")
        releases.append(release)
    ex = _fake_exporter(routers, max_reads=2)
    try:
        for name in ("hung0", "hung1"):
            assert b"\nmprapi_up 0\n" in ex.scrape(name, 0.2)
        assert ex.reads_in_flight == 2  # both reads still hang
        start = time.monotonic()
        families = parse(ex.scrape("hung2", 5).decode())
        assert time.monotonic() - start < 1.0
        assert families["mprapi_down_reason"].samples == [({"reason": "read_cap"}, 1.0)]
        assert not routers["hung2"].closed.is_set()  # never connected
        releases[0].set()
        deadline = time.monotonic() + 10
        while ex.reads_in_flight > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ex.reads_in_flight == 1  # the returned read frees its slot
    finally:
        for release in releases:
            release.set()


@needs_client
def test_hundreds_of_scrapes_of_hung_routers_hold_bounded_threads_and_each_answers_by_its_deadline() -> None:
    hung, release = _hung()
    ex = _fake_exporter({"hung": hung})
    before = threading.active_count()
    peak = [0]
    seconds: list[float] = []
    lock = threading.Lock()

    def scrape() -> None:
        start = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", "/metrics?target=hung", headers={"X-Prometheus-Scrape-Timeout-Seconds": "2"})
            body = connection.getresponse().read()
        finally:
            connection.close()
        with lock:
            seconds.append(time.monotonic() - start)
        assert b"\nmprapi_up 0\n" in body

    try:
        with running(ex, max_connections=64) as server:
            port = server.server_address[1]
            for _ in range(5):  # 300 scrapes in waves of 60, as many as the connections allow
                clients = [threading.Thread(target=scrape) for _ in range(60)]
                for client in clients:
                    client.start()
                time.sleep(0.5)
                peak[0] = max(peak[0], threading.active_count() - before - len(clients))
                for client in clients:
                    client.join(30)
            assert ex.reads_in_flight == 1  # the one read of the hung router, whatever the scrapes
        assert len(seconds) == 300 and max(seconds) < 2 + 2.0
        # One thread per open connection (64 at most), and the one hung read's three.
        assert peak[0] <= 64 + 3 + 2, peak[0]
    finally:
        release.set()


@needs_client
def test_connections_past_max_connections_are_refused_at_once() -> None:
    hung, release = _hung()
    try:
        with running(_fake_exporter({"hung": hung}), max_connections=2) as server:
            address = ("127.0.0.1", server.server_address[1])
            held = [socket.create_connection(address, timeout=10) for _ in range(2)]
            for sock in held:
                sock.sendall(b"GET /metrics?target=hung HTTP/1.1\r\nHost: x\r\nX-Prometheus-Scrape-Timeout-Seconds: "
                             b"20\r\n\r\n")
            time.sleep(0.3)
            with socket.create_connection(address, timeout=10) as third:
                start = time.monotonic()
                assert third.recv(1 << 16).startswith(b"HTTP/1.1 503 ")
                assert time.monotonic() - start < 2
            for sock in held:
                sock.close()
    finally:
        release.set()


@needs_client
def test_a_client_that_reads_nothing_does_not_delay_another_clients_answer() -> None:
    hung, release = _hung()
    try:
        with running(_fake_exporter({"hung": hung, "edge": FakeRouter("edge", _rows())})) as server:
            address = ("127.0.0.1", server.server_address[1])
            greedy = socket.create_connection(address, timeout=10)
            greedy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            request = b"GET /metrics?target=edge HTTP/1.1\r\nHost: x\r\n\r\n"
            with contextlib.suppress(OSError):
                greedy.sendall(request * 77)  # pipelined, and never read
            time.sleep(0.3)
            connection = http.client.HTTPConnection(*address, timeout=30)
            start = time.monotonic()
            connection.request("GET", "/metrics?target=hung", headers={"X-Prometheus-Scrape-Timeout-Seconds": "1"})
            assert b"\nmprapi_up 0\n" in connection.getresponse().read()
            assert time.monotonic() - start < 3.0  # due at 0.75 s
            connection.close()
            greedy.close()
    finally:
        release.set()


@needs_client
def test_a_client_that_leaves_before_its_answer_costs_no_traceback(capsys: pytest.CaptureFixture[str],
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    import struct as struct_module

    hung, release = _hung()
    try:
        with running(_fake_exporter({"hung": hung})) as server, \
                caplog.at_level(logging.WARNING, logger="mprapi_cffi.exporter"):
            sock = socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10)
            sock.sendall(b"GET /metrics?target=hung HTTP/1.1\r\nHost: x\r\nX-Prometheus-Scrape-Timeout-Seconds: 1"
                         b"\r\n\r\n")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct_module.pack("ii", 1, 0))
            sock.close()  # a reset: the answer, due at 0.75 s, has nowhere to go
            time.sleep(1.5)
    finally:
        release.set()
    assert "Traceback" not in capsys.readouterr().err
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@needs_client
def test_fifty_simultaneous_connections_are_accepted_without_waiting_for_the_backlog() -> None:
    with running(_fake_exporter({"edge": FakeRouter("edge", _rows())})) as server:
        address = ("127.0.0.1", server.server_address[1])
        start = time.monotonic()
        sockets = [socket.create_connection(address, timeout=10) for _ in range(50)]
        assert time.monotonic() - start < 2.0
        for sock in sockets:
            sock.close()


@needs_client
def test_a_connection_left_quiet_is_closed_after_its_idle_timeout() -> None:
    with running(_fake_exporter({}), idle_timeout=0.4) as server:
        for sent in (b"", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\n"):
            with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as sock:
                sock.sendall(sent)
                start = time.monotonic()
                sock.settimeout(10)
                while sock.recv(1 << 16):
                    pass
                assert 0.3 <= time.monotonic() - start < 5


@needs_client
def test_own_metrics_are_openmetrics_when_asked_and_a_scrape_is_always_the_text_format() -> None:
    edge = FakeRouter("edge", _rows())
    with serving(_fake_exporter({"edge": edge})) as get:
        accept = {"Accept": "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"}
        status, headers, body = get("/metrics", accept)
        assert status == 200 and headers["content-type"].startswith("application/openmetrics-text")
        assert body.endswith(b"# EOF\n")
        assert b"mprapi_exporter_reads_in_flight 0.0" in body
        status, headers, body = get("/metrics?target=edge", accept)
        assert (status, headers["content-type"]) == (200, exporter.CONTENT_TYPE)
        assert b"# EOF" not in body and b"ifInOctets{" in body
        assert get("/metrics", {"Accept": "x" * 60000})[0] == 200


@needs_client
def test_metrics_without_a_target_serve_prometheus_clients_default_registry() -> None:
    ex = exporter.Exporter(connect=lambda name: FakeRouter(name, _rows()), servers=["edge"])
    with serving(ex) as get:
        assert get("/metrics?target=edge")[0] == 200
        status, _, body = get("/metrics")
    assert status == 200
    assert b"python_info{" in body  # prometheus_client's platform collector
    assert b"mprapi_exporter_scrapes_total" in body


needs_tls = pytest.mark.skipif(importlib.util.find_spec("yaml") is None or importlib.util.find_spec("bcrypt") is None
                               or not shutil.which("openssl"), reason="needs PyYAML, bcrypt and openssl")


def _web_config(folder: Path, users: dict[str, str]) -> Path:
    import bcrypt

    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(folder / "key.pem"),
                    "-out", str(folder / "cert.pem"), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)  # fmt: skip
    lines = ["tls_server_config:", "  cert_file: cert.pem", "  key_file: key.pem", "basic_auth_users:"]
    lines += [f"  {user}: {bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()}" for user, password in
              users.items()]  # fmt: skip
    path = folder / "web.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


@needs_client
@needs_tls
def test_tls_and_basic_auth_from_a_web_config_file(tmp_path: Path) -> None:
    import base64
    import ssl

    web = exporter.load_web_config(_web_config(tmp_path, {"prometheus": "s3cret"}))
    with running(_fake_exporter({"edge": FakeRouter("edge", _rows())}), web_config=web) as server:
        port = server.server_address[1]
        context = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))

        def get(authorization: str | None) -> tuple[int, dict[str, str], bytes]:
            connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context)
            try:
                connection.request("GET", "/metrics?target=edge",
                                   headers={"Authorization": authorization} if authorization else {})
                response = connection.getresponse()
                return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
            finally:
                connection.close()

        good = "Basic " + base64.b64encode(b"prometheus:s3cret").decode()
        status, _, body = get(good)
        assert status == 200 and b"\nmprapi_up 1\n" in body
        status, headers, _ = get(None)
        assert status == 401 and headers["www-authenticate"] == "Basic"
        assert get("Basic " + base64.b64encode(b"prometheus:wrong").decode())[0] == 401
        assert get("Basic !!!")[0] == 401
        # Plain HTTP to the TLS port: no answer, and the server goes on.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            with contextlib.suppress(ConnectionResetError):
                assert not sock.recv(1 << 16).startswith(b"HTTP/1.1 200")
        assert get(good)[0] == 200


@needs_client
def test_a_stalled_tls_handshake_holds_only_its_own_connection(tmp_path: Path) -> None:
    if importlib.util.find_spec("yaml") is None or importlib.util.find_spec("bcrypt") is None \
            or not shutil.which("openssl"):
        pytest.skip("needs PyYAML, bcrypt and openssl")
    import ssl

    web = exporter.load_web_config(_web_config(tmp_path, {}))
    with running(_fake_exporter({"edge": FakeRouter("edge", _rows())}), web_config=web) as server:
        port = server.server_address[1]
        stalled = socket.create_connection(("127.0.0.1", port), timeout=10)  # says nothing
        context = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
        start = time.monotonic()
        connection.request("GET", "/metrics?target=edge")
        assert connection.getresponse().status == 200
        assert time.monotonic() - start < 3.0
        connection.close()
        stalled.close()


@needs_client
def test_ctrl_c_stops_the_exporter_cleanly(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import _thread

    started = threading.Event()
    make_server = command.make_server

    def make_and_tell(*args: Any, **kwargs: Any) -> Any:
        server = make_server(*args, **kwargs)
        started.set()
        return server

    monkeypatch.setattr(command, "make_server", make_and_tell)  # where build() looks it up

    def interrupt() -> None:
        if started.wait(30):
            time.sleep(0.3)  # inside serve_forever
            _thread.interrupt_main()

    threading.Thread(target=interrupt, daemon=True).start()
    with caplog.at_level(logging.INFO, logger="mprapi_cffi.exporter"):
        assert exporter.main(["--listen", "127.0.0.1:0", "--server", "edge"]) == 0
    assert [r.getMessage() for r in caplog.records][-1] == "stopped"


@needs_client
@pytest.mark.parametrize(("argv", "said"), [
    (["--server", "\\\\fs\\share"], "not a host name"),
    (["--servers-file", "/nonexistent/servers.txt"], "No such file"),
    (["--web.config.file", "/nonexistent/web.yml"], "web.yml"),
    (["--max-reads", "0"], "not a whole number"),
])  # fmt: skip
def test_bad_options_fail_at_startup_with_what_is_wrong(argv: list[str], said: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert exporter.main(["--listen", "127.0.0.1:0", *argv]) in (1, 2)
    assert said in capsys.readouterr().err


@needs_client
def test_startup_logs_what_the_safety_defaults_allow(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="mprapi_cffi.exporter"):
        for argv in ([], ["--allow-any-target"], ["--server", "edge-*", "--server", "core"]):
            command.build(command.parser().parse_args(["--listen", "127.0.0.1:0", *argv])).server_close()
        plain = [r.getMessage() for r in caplog.records if "plain HTTP" in r.getMessage()]
        command.build(command.parser().parse_args(["--listen", "0.0.0.0:0", "--server", "edge"])).server_close()
    messages = [r.getMessage() for r in caplog.records]
    assert plain == []  # on 127.0.0.1, plain HTTP is not worth a warning
    assert "serving plain HTTP with no authentication on 0.0.0.0: see --web.config.file" in messages
    assert any(m.startswith("no target may be scraped") for m in messages)
    assert any(m.startswith("any target may be scraped (--allow-any-target)") for m in messages)
    assert "targets: core, edge-*" in messages


# ------------------------------------------------------------------ the stand-in router


@windows_lane
def test_the_exporter_serves_what_the_stand_in_router_serves(router: Any, caplog: pytest.LogCaptureFixture) -> None:
    import mprapi_cffi as mpr
    from prometheus_client import CollectorRegistry

    with mpr.connect("edge-router-1") as server:
        rows, stats, routes = server.if_table(), server.ip_stats(), server.ip_forward_number()
    with serving(exporter.Exporter(registry=CollectorRegistry(), servers=["edge-router-1", "unreachable"])) as get:
        status, _, body = get("/metrics?target=edge-router-1")
        with caplog.at_level(logging.WARNING, logger="mprapi_cffi.exporter"):
            dead_status, _, dead_body = get("/metrics?target=unreachable")
    assert (status, dead_status) == (200, 200)
    families = parse(body.decode())
    assert families["mprapi_up"].samples == [({}, 1.0)]
    assert len(rows) == 3
    for name, column in COLUMN.items():
        got = {labels["ifIndex"]: value for labels, value in families[name].samples}
        assert got == {str(row.index): float(getattr(row, column)) for row in rows}, name
    names = {labels["ifIndex"]: (labels["ifDescr"], labels["ifName"]) for labels, _ in families["ifInOctets"].samples}
    assert names == {str(row.index): (row.descr, row.name) for row in rows}
    oper = {labels["ifIndex"]: value for labels, value in families["ifOperStatus"].samples}
    assert oper == {str(row.index): float(MIB2_OPER[int(row.oper_status)]) for row in rows}
    for name, _, attribute in IP_MIB:
        assert families[name].samples == [({}, float(getattr(stats, attribute)))], name
    assert families["ipCidrRouteNumber"].samples == [({}, float(routes))]
    dead = parse(dead_body.decode())
    assert dead["mprapi_up"].samples == [({}, 0.0)]
    assert set(dead) == {"mprapi_up", "mprapi_scrape_duration_seconds", "mprapi_down_reason"}
    assert dead["mprapi_down_reason"].samples == [({"reason": "router_error"}, 1.0)]
    warnings = [r.getMessage() for r in caplog.records if r.name == "mprapi_cffi.exporter"]
    assert len(warnings) == 1 and warnings[0].startswith("unreachable: router error 1722: "), warnings


@windows_lane
def test_a_slow_stand_in_router_gives_up_0_in_time_and_is_disconnected_after(router: Any) -> None:
    from prometheus_client import CollectorRegistry

    router.set_delay_ms(3000)
    with serving(exporter.Exporter(registry=CollectorRegistry(), servers=["slow"])) as get:
        start = time.monotonic()
        status, _, body = get("/metrics?target=slow", {"X-Prometheus-Scrape-Timeout-Seconds": "1"})
        seconds = time.monotonic() - start
    assert status == 200
    assert parse(body.decode())["mprapi_up"].samples == [({}, 0.0)]
    assert seconds < 2.5  # the deadline is 0.75 s; the router answers after 3 s
    # The call in flight returns after its 3 s; the binding is disconnected then.
    deadline = time.monotonic() + 20
    while router.counter("live_handles") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert router.counter("live_handles") == 0


@windows_lane
def test_the_interpreter_exits_while_a_scrape_of_a_hung_router_is_blocked(router: Any) -> None:
    from test_binding import reporting_at_exit, run_python

    script = reporting_at_exit("hung in_flight disconnect_in_use bad_handle", r"""
import http.client
from mprapi_cffi import exporter
from prometheus_client import CollectorRegistry
dll.router_set_server.argtypes = [ctypes.c_wchar_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_int]
dll.router_set_server("hung", 0, 0, 1)
server = exporter.make_server(exporter.Exporter(registry=CollectorRegistry(), servers=["hung"]), "127.0.0.1", 0)
threading.Thread(target=server.serve_forever, daemon=True).start()
connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
connection.request("GET", "/metrics?target=hung", headers={"X-Prometheus-Scrape-Timeout-Seconds": "1"})
response = connection.getresponse()
print(response.getheader("Connection", "keep-alive"), [line for line in response.read().decode().splitlines()
                                         if line.startswith("mprapi_up ")][0].replace(" ", "="), flush=True)
server.shutdown()
server.server_close()
""")
    start = time.monotonic()
    out = run_python(script).split()
    assert time.monotonic() - start < 60
    # Answered at the deadline; the call is still blocked at exit, its binding left to it.
    # Its six reads (three MIB, three admin, made at once) are blocked at the router; their bindings are left to them.
    assert out == ["keep-alive", "mprapi_up=0", "hung=6", "in_flight=6", "disconnect_in_use=0", "bad_handle=0"]


@windows_lane
def test_two_hundred_scrapes_of_a_hung_stand_in_router_hold_one_read_and_answer_in_time(router: Any) -> None:
    from prometheus_client import CollectorRegistry

    router.set_server("hung", hang=True)
    ex = exporter.Exporter(registry=CollectorRegistry(), servers=["hung"])
    seconds: list[float] = []
    lock = threading.Lock()
    try:
        with running(ex, max_connections=64) as server:
            port = server.server_address[1]

            def scrape() -> None:
                start = time.monotonic()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                try:
                    connection.request("GET", "/metrics?target=hung",
                                       headers={"X-Prometheus-Scrape-Timeout-Seconds": "3"})
                    body = connection.getresponse().read()
                finally:
                    connection.close()
                assert b"\nmprapi_up 0\n" in body
                with lock:
                    seconds.append(time.monotonic() - start)

            for _ in range(4):  # 200 scrapes in waves of 50
                clients = [threading.Thread(target=scrape) for _ in range(50)]
                for client in clients:
                    client.start()
                for client in clients:
                    client.join(60)
            # One read of the hung router, its three calls blocked at the router, whatever the scrapes.
            assert ex.reads_in_flight == 1
            assert router.counter("in_flight") == 6  # one read: three MIB calls and three admin calls
        assert len(seconds) == 200 and max(seconds) < 3 + 5.0  # due at 2.75 s; slack for Wine
    finally:
        router.release_hangs()
        router.wait_idle(30)
