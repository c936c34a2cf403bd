"""A Prometheus exporter for RRAS routers, with snmp_exporter's ``if_mib`` metric names.

    mprapi exporter [--listen HOST:PORT] [--server NAME ...] [--timeout SECONDS]

The multi-target pattern of snmp_exporter and blackbox_exporter:
``GET /metrics?target=ROUTER`` reads that router (one MibServer, closed
after) and answers with its metrics; ``GET /metrics`` answers with the
exporter's own (prometheus_client's default registry: process, platform,
garbage collector, and the scrapes it served).

The router's families are named, typed, labelled and described as
snmp_exporter's ``if_mib`` module renders the same MIB-II objects, so the
dashboards and alerts written for it read them unchanged.  prometheus_client's
text writer cannot write them: it renames every counter ``NAME_total``,
which snmp_exporter does not.  So they are written here, in the text format
version 0.0.4 as client_golang writes it (families sorted by name, label
names sorted, numbers in Go's shortest form), and prometheus_client serves
the exporter's own metrics.  prometheus_client is the ``exporter`` extra
(``pip install mprapi-cffi[exporter]``); this module imports without it.
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import functools
import heapq
import html
import itertools
import logging
import math
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ._ianaiftype import IANA_IF_TYPES
from .errors import MprError
from .fleet import _workers
from .server import MibServer

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

__all__ = [
    "CONTENT_TYPE",
    "Exporter",
    "Family",
    "RouterReading",
    "Sample",
    "exposition",
    "main",
    "make_server",
    "read_router",
    "router_families",
    "scrape_deadline",
]

log = logging.getLogger("mprapi_cffi.exporter")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The router's answer: Prometheus's text exposition format, version 0.0.4."""
DEFAULT_LISTEN = "127.0.0.1:9425"
DEFAULT_SCRAPE_TIMEOUT = 10.0
"""Seconds a scrape may take when Prometheus does not say (its own default scrape_timeout)."""
TIMEOUT_OFFSET = 0.25
"""Seconds kept back from Prometheus's scrape timeout to write the answer (at most a quarter of it)."""
TIMEOUT_HEADER = "X-Prometheus-Scrape-Timeout-Seconds"
TIMEOUT_HEADER_KEY = TIMEOUT_HEADER.lower().encode()
MAX_TARGET_LENGTH = 1024


def _prometheus_client() -> ModuleType:
    """prometheus_client, or an ImportError that names the extra that installs it."""
    try:
        import prometheus_client
    except ImportError as exc:
        raise ImportError(
            "the mprapi exporter needs prometheus_client: pip install mprapi-cffi[exporter]"
        ) from exc
    return prometheus_client


# ------------------------------------------------------------------ the text format


@dataclass(frozen=True)
class Sample:
    """One sample: its labels, sorted by name, and its value."""

    labels: tuple[tuple[str, str], ...]
    value: float


@dataclass
class Family:
    """A metric family: every sample has the family's name (no suffix, counters included)."""

    name: str
    type: str  # "counter" or "gauge"
    help: str
    samples: list[Sample] = field(default_factory=list)

    def add(self, value: float, labels: dict[str, str] | tuple[tuple[str, str], ...] = ()) -> None:
        """Add a sample; ``labels`` a dict, or a tuple of (name, value) already sorted by name."""
        self.samples.append(Sample(labels if isinstance(labels, tuple) else tuple(sorted(labels.items())), value))


def _go_float(value: float) -> str:
    """A number as Go's strconv.FormatFloat(value, 'g', -1, 64), as client_golang writes it.

    12 -> "12", 1000001 -> "1.000001e+06", 0.25 -> "0.25": the shortest
    digits that read back exactly, in exponent form when the exponent is
    below -4 or at least the number of digits (at least 6).
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    if isinstance(value, int) or (value.is_integer() and abs(value) < 2**53):
        # Counters and gauges are whole numbers: their digits without Decimal (the hot path).
        whole = str(abs(int(value)))
        return _go_digits("-" if value < 0 else "", whole.rstrip("0"), len(whole))
    sign, digit_tuple, exponent = Decimal(repr(float(value))).normalize().as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    return _go_digits("-" if sign else "", digits, len(digits) + exponent)


def _go_digits(minus: str, digits: str, point: int) -> str:
    """Significant ``digits`` with the decimal point ``point`` digits from the first, as Go's 'g' writes them."""
    precision = len(digits) if 6 > len(digits) >= point else 6
    if point - 1 < -4 or point - 1 >= precision:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{minus}{mantissa}e{'+' if point - 1 >= 0 else '-'}{abs(point - 1):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return minus + digits + "0" * (point - len(digits))
    return f"{minus}{digits[:point]}.{digits[point:]}"


def _label_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _help_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def exposition(families: Iterable[Family]) -> bytes:
    """The families in the text format 0.0.4, as client_golang writes them.

    Families by name, samples by their label values, label names sorted;
    counters under their own name, with no ``_total``.
    """
    lines: list[str] = []
    shown: dict[tuple[tuple[str, str], ...], str] = {}  # each interface's labels, written once
    for family in sorted(families, key=lambda f: f.name):
        lines.append(f"# HELP {family.name} {_help_value(family.help)}")
        lines.append(f"# TYPE {family.name} {family.type}")
        for sample in sorted(family.samples, key=lambda s: [value for _, value in s.labels]):
            labels = shown.get(sample.labels)
            if labels is None:
                labels = shown[sample.labels] = "{" + ",".join(
                    f'{name}="{_label_value(value)}"' for name, value in sample.labels) + "}" if sample.labels else ""
            lines.append(f"{family.name}{labels} {_go_float(sample.value)}")
    # A lone surrogate from a router's UTF-16 name cannot be UTF-8: it shows as "?".
    return ("\n".join(lines) + "\n").encode("utf-8", "replace") if lines else b""


# ------------------------------------------------------------------ the router's families

# if_mib's HELP strings are snmp.yml's (prometheus/snmp_exporter): the start of each
# object's DESCRIPTION in IF-MIB (RFC 2863), " - ", its OID.
_IF_ENTRY = "1.3.6.1.2.1.2.2.1"

# (metric, type, IfRow attribute, HELP) for the ifEntry columns that are plain numbers.
_IF_NUMBERS: tuple[tuple[str, str, str, str], ...] = (
    ("ifIndex", "gauge", "index", f"A unique value, greater than zero, for each interface - {_IF_ENTRY}.1"),
    ("ifMtu", "gauge", "mtu", "The size of the largest packet which can be sent/received on the interface, "
     f"specified in octets - {_IF_ENTRY}.4"),
    ("ifSpeed", "gauge", "speed", "An estimate of the interface's current bandwidth in bits per second - "
     f"{_IF_ENTRY}.5"),
    ("ifAdminStatus", "gauge", "admin_status", f"The desired state of the interface - {_IF_ENTRY}.7"),
    ("ifLastChange", "gauge", "last_change", "The value of sysUpTime at the time the interface entered its current "
     f"operational state - {_IF_ENTRY}.9"),
    ("ifInOctets", "counter", "in_octets", "The total number of octets received on the interface, including framing "
     f"characters - {_IF_ENTRY}.10"),
    ("ifInUcastPkts", "counter", "in_ucast_pkts", "The number of packets, delivered by this sub-layer to a higher "
     "(sub-)layer, which were not addressed to a multicast or broadcast address at this sub-layer - "
     f"{_IF_ENTRY}.11"),
    ("ifInNUcastPkts", "counter", "in_nucast_pkts", "The number of packets, delivered by this sub-layer to a higher "
     f"(sub-)layer, which were addressed to a multicast or broadcast address at this sub-layer - {_IF_ENTRY}.12"),
    ("ifInDiscards", "counter", "in_discards", "The number of inbound packets which were chosen to be discarded even "
     "though no errors had been detected to prevent their being deliverable to a higher-layer protocol - "
     f"{_IF_ENTRY}.13"),
    ("ifInErrors", "counter", "in_errors", "For packet-oriented interfaces, the number of inbound packets that "
     f"contained errors preventing them from being deliverable to a higher-layer protocol - {_IF_ENTRY}.14"),
    ("ifInUnknownProtos", "counter", "in_unknown_protos", "For packet-oriented interfaces, the number of packets "
     "received via the interface which were discarded because of an unknown or unsupported protocol - "
     f"{_IF_ENTRY}.15"),
    ("ifOutOctets", "counter", "out_octets", "The total number of octets transmitted out of the interface, including "
     f"framing characters - {_IF_ENTRY}.16"),
    ("ifOutUcastPkts", "counter", "out_ucast_pkts", "The total number of packets that higher-level protocols requested "
     "be transmitted, and which were not addressed to a multicast or broadcast address at this sub-layer, including "
     f"those that were discarded or not sent - {_IF_ENTRY}.17"),
    ("ifOutNUcastPkts", "counter", "out_nucast_pkts", "The total number of packets that higher-level protocols "
     "requested be transmitted, and which were addressed to a multicast or broadcast address at this sub-layer, "
     f"including those that were discarded or not sent - {_IF_ENTRY}.18"),
    ("ifOutDiscards", "counter", "out_discards", "The number of outbound packets which were chosen to be discarded "
     f"even though no errors had been detected to prevent their being transmitted - {_IF_ENTRY}.19"),
    ("ifOutErrors", "counter", "out_errors", "For packet-oriented interfaces, the number of outbound packets that "
     f"could not be transmitted because of errors - {_IF_ENTRY}.20"),
    ("ifOutQLen", "gauge", "out_qlen", f"The length of the output packet queue (in packets). - {_IF_ENTRY}.21"),
)  # fmt: skip
_IF_NUMBER_HELP = "The number of network interfaces (regardless of their current state) present on this system. - " \
    "1.3.6.1.2.1.2.1"
_IF_OPER_STATUS_HELP = f"The current operational state of the interface - {_IF_ENTRY}.8"
_IF_PHYS_ADDRESS_HELP = f"The interface's address at its protocol sub-layer - {_IF_ENTRY}.6"
_IF_TYPE_HELP = f"The type of interface - {_IF_ENTRY}.3 (EnumAsInfo)"

# MIB_IFROW's dwOperStatus is INTERNAL_IF_OPER_STATUS (0..5), not MIB-II's ifOperStatus
# (1 up, 2 down, 3 testing, 4 unknown, 5 dormant, ...), and dashboards test
# ifOperStatus == 1: each is given as the MIB-II state it means (RFC 2863).
_MIB2_OPER_STATUS = {
    5: 1,  # OPERATIONAL (a LAN interface) -> up
    4: 1,  # CONNECTED (a WAN link is up) -> up
    3: 5,  # CONNECTING (a demand-dial link is being set up) -> dormant: "waiting for some external event"
    2: 2,  # DISCONNECTED -> down
    1: 2,  # UNREACHABLE -> down
    0: 2,  # NON_OPERATIONAL (disabled) -> down
}
_MIB2_UNKNOWN = 4

# IP-MIB scalars (RFC 4293, first in RFC 1213) from MIB_IPSTATS: (metric, type, attribute, HELP).
# Counter32 objects are counters; ipForwarding and ipDefaultTTL (read-write INTEGERs) and
# ipReasmTimeout (seconds) are gauges.  HELP in snmp_exporter's form: its generator joins a
# DESCRIPTION's words with single spaces and keeps what comes before the first ". " (generator/
# tree.go), so a one-sentence description keeps its final period (ipReasmTimeout, as IF-MIB's
# ifOutQLen), then " - " and the OID.  The descriptions are RFC 4293's IP-MIB (the deprecated
# IPv4 scalars, first in RFC 1213), as vendored in the MIB files of SNMP agents.
_IP = "1.3.6.1.2.1.4"
_IP_SCALARS: tuple[tuple[str, str, str, str], ...] = (
    ("ipForwarding", "gauge", "forwarding", "The indication of whether this entity is acting as an IPv4 router in "
     f"respect to the forwarding of datagrams received by, but not addressed to, this entity - {_IP}.1"),
    ("ipDefaultTTL", "gauge", "default_ttl", "The default value inserted into the Time-To-Live field of the IPv4 "
     f"header of datagrams originated at this entity, whenever a TTL value is not supplied by the transport layer "
     f"protocol - {_IP}.2"),
    ("ipInReceives", "counter", "in_receives", "The total number of input datagrams received from interfaces, "
     f"including those received in error - {_IP}.3"),
    ("ipInHdrErrors", "counter", "in_hdr_errors", "The number of input datagrams discarded due to errors in their "
     "IPv4 headers, including bad checksums, version number mismatch, other format errors, time-to-live exceeded, "
     f"errors discovered in processing their IPv4 options, etc - {_IP}.4"),
    ("ipInAddrErrors", "counter", "in_addr_errors", "The number of input datagrams discarded because the IPv4 address "
     f"in their IPv4 header's destination field was not a valid address to be received at this entity - {_IP}.5"),
    ("ipForwDatagrams", "counter", "forw_datagrams", "The number of input datagrams for which this entity was not "
     "their final IPv4 destination, as a result of which an attempt was made to find a route to forward them to "
     f"that final destination - {_IP}.6"),
    ("ipInUnknownProtos", "counter", "in_unknown_protos", "The number of locally-addressed datagrams received "
     f"successfully but discarded because of an unknown or unsupported protocol - {_IP}.7"),
    ("ipInDiscards", "counter", "in_discards", "The number of input IPv4 datagrams for which no problems were "
     "encountered to prevent their continued processing, but which were discarded (e.g., for lack of buffer space) - "
     f"{_IP}.8"),
    ("ipInDelivers", "counter", "in_delivers", "The total number of input datagrams successfully delivered to IPv4 "
     f"user-protocols (including ICMP) - {_IP}.9"),
    ("ipOutRequests", "counter", "out_requests", "The total number of IPv4 datagrams which local IPv4 user protocols "
     f"(including ICMP) supplied to IPv4 in requests for transmission - {_IP}.10"),
    ("ipOutDiscards", "counter", "out_discards", "The number of output IPv4 datagrams for which no problem was "
     "encountered to prevent their transmission to their destination, but which were discarded (e.g., for lack of "
     f"buffer space) - {_IP}.11"),
    ("ipOutNoRoutes", "counter", "out_no_routes", "The number of IPv4 datagrams discarded because no route could be "
     f"found to transmit them to their destination - {_IP}.12"),
    ("ipReasmTimeout", "gauge", "reasm_timeout", "The maximum number of seconds that received fragments are held "
     f"while they are awaiting reassembly at this entity. - {_IP}.13"),
    ("ipReasmReqds", "counter", "reasm_reqds", "The number of IPv4 fragments received which needed to be reassembled "
     f"at this entity - {_IP}.14"),
    ("ipReasmOKs", "counter", "reasm_oks", f"The number of IPv4 datagrams successfully re-assembled - {_IP}.15"),
    ("ipReasmFails", "counter", "reasm_fails", "The number of failures detected by the IPv4 re-assembly algorithm "
     f"(for whatever reason: timed out, errors, etc) - {_IP}.16"),
    ("ipFragOKs", "counter", "frag_oks", "The number of IPv4 datagrams that have been successfully fragmented at "
     f"this entity - {_IP}.17"),
    ("ipFragFails", "counter", "frag_fails", "The number of IPv4 datagrams that have been discarded because they "
     "needed to be fragmented at this entity but could not be, e.g., because their Don't Fragment flag was set - "
     f"{_IP}.18"),
    ("ipFragCreates", "counter", "frag_creates", "The number of IPv4 datagram fragments that have been generated as "
     f"a result of fragmentation at this entity - {_IP}.19"),
    ("ipRoutingDiscards", "counter", "routing_discards", "The number of routing entries which were chosen to be "
     f"discarded even though they are valid - {_IP}.23"),
)  # fmt: skip
# IP-FORWARD-MIB (RFC 2096): IP_FORWARDNUMBER counts IPv4 routes, as ipCidrRouteNumber does;
# RFC 4292's inetCidrRouteNumber would count IPv6 routes too, which this router manager does not.
# Its HELP is the one snmp_exporter's generator writes from RFC 4292's IP-FORWARD-MIB (a second
# sentence, on its deprecation, follows the first there: no final period).
_ROUTE_NUMBER_HELP = "The number of current ipCidrRouteTable entries that are not invalid - 1.3.6.1.2.1.4.24.3"


@dataclass(frozen=True)
class RouterReading:
    """What one scrape reads from a router: its interface table, IP statistics and route count."""

    interfaces: Sequence[Any]  # IfRow, or anything with its attributes
    ip_stats: Any  # IpStats, or anything with its attributes
    route_count: int


def read_router(server: Any) -> RouterReading:
    """The MIB reads of one scrape: if_table(), ip_stats(), ip_forward_number(), in that order."""
    return RouterReading(server.if_table(), server.ip_stats(), server.ip_forward_number())


def _phys_address48(octets: bytes) -> str:
    # snmp_exporter's PhysAddress48: exactly six octets, upper-case hex, colons; a shorter
    # address is padded with zero octets, a longer one cut (collector.go, indexOidsAsString).
    return ":".join(f"{b:02X}" for b in bytes(octets[:6]).ljust(6, b"\0"))


def router_families(reading: RouterReading) -> list[Family]:
    """The if_mib, IP-MIB and IP-FORWARD-MIB families of a router's reading."""
    families = {name: Family(name, kind, help_text) for name, kind, _, help_text in _IF_NUMBERS}
    oper = families["ifOperStatus"] = Family("ifOperStatus", "gauge", _IF_OPER_STATUS_HELP)
    phys = families["ifPhysAddress"] = Family("ifPhysAddress", "gauge", _IF_PHYS_ADDRESS_HELP)
    info = families["ifType_info"] = Family("ifType_info", "gauge", _IF_TYPE_HELP)
    for row in reading.interfaces:
        # if_mib's lookups: ifAlias, ifDescr and ifName by ifIndex.  MIB_IFROW has no
        # alias, and a lookup that finds nothing is "" in snmp_exporter; its wszName is
        # what names the interface on the router, as ifName does.
        lookups = {"ifAlias": "", "ifDescr": row.descr, "ifIndex": str(int(row.index)), "ifName": row.name}
        labels = tuple(sorted(lookups.items()))
        for name, _, attribute, _ in _IF_NUMBERS:
            families[name].add(int(getattr(row, attribute)), labels)
        oper.add(_MIB2_OPER_STATUS.get(int(row.oper_status), _MIB2_UNKNOWN), labels)
        phys.add(1, {**lookups, "ifPhysAddress": _phys_address48(row.phys_addr)})
        info.add(1, {**lookups, "ifType": IANA_IF_TYPES.get(int(row.type), str(int(row.type)))})
    number = families["ifNumber"] = Family("ifNumber", "gauge", _IF_NUMBER_HELP)
    number.add(len(reading.interfaces))
    for name, kind, attribute, help_text in _IP_SCALARS:
        families[name] = Family(name, kind, help_text)
        families[name].add(int(getattr(reading.ip_stats, attribute)))
    routes = families["ipCidrRouteNumber"] = Family("ipCidrRouteNumber", "gauge", _ROUTE_NUMBER_HELP)
    routes.add(int(reading.route_count))
    return list(families.values())


_UP_HELP = "1 if the router answered every MIB read of this scrape in time, else 0"
_DURATION_HELP = "Seconds this scrape of the router took"


def _scrape_families(up: bool, seconds: float) -> list[Family]:
    up_family = Family("mprapi_up", "gauge", _UP_HELP)
    up_family.add(1 if up else 0)
    duration = Family("mprapi_scrape_duration_seconds", "gauge", _DURATION_HELP)
    duration.add(seconds)
    return [up_family, duration]


# ------------------------------------------------------------------ a scrape's answer, written directly

# What render_scrape writes of each family, in the order exposition() sorts them to:
# (what, the HELP and TYPE lines, metric name, attribute).  Built once: a scrape only
# writes each interface's labels once and the numbers.
_ROW, _OPER, _PHYS, _TYPE, _NUMBER, _SCALAR, _ROUTES, _UP, _DURATION = range(9)
_ROUTER_PARTS = frozenset((_ROW, _OPER, _PHYS, _TYPE, _NUMBER, _SCALAR, _ROUTES))


def _layout() -> tuple[tuple[int, str, str, str], ...]:
    entries: list[tuple[int, str, str, str, str]] = [
        *((_ROW, name, kind, help_text, attribute) for name, kind, attribute, help_text in _IF_NUMBERS),
        (_OPER, "ifOperStatus", "gauge", _IF_OPER_STATUS_HELP, ""),
        (_PHYS, "ifPhysAddress", "gauge", _IF_PHYS_ADDRESS_HELP, ""),
        (_TYPE, "ifType_info", "gauge", _IF_TYPE_HELP, ""),
        (_NUMBER, "ifNumber", "gauge", _IF_NUMBER_HELP, ""),
        *((_SCALAR, name, kind, help_text, attribute) for name, kind, attribute, help_text in _IP_SCALARS),
        (_ROUTES, "ipCidrRouteNumber", "gauge", _ROUTE_NUMBER_HELP, ""),
        (_UP, "mprapi_up", "gauge", _UP_HELP, ""),
        (_DURATION, "mprapi_scrape_duration_seconds", "gauge", _DURATION_HELP, ""),
    ]
    entries.sort(key=lambda entry: entry[1])
    return tuple(
        (what, name, f"# HELP {name} {_help_value(help_text)}\n# TYPE {name} {kind}\n", attribute)
        for what, name, kind, help_text, attribute in entries
    )


def _go_int(value: int) -> str:
    # Go writes a whole number of less than 7 digits as its digits; _go_float does the rest.
    return str(value) if -1000000 < value < 1000000 else _go_float(value)


def render_scrape(reading: RouterReading | None, up: bool, seconds: float) -> bytes:
    """A scrape's answer: exactly ``exposition([*router_families(reading), *_scrape_families(up, seconds)])``
    (no router families when ``reading`` is None), written without the Family objects."""
    out: list[str] = []
    rows: list[tuple[str, str, str, str, Any]] = []
    if reading is not None:
        for row in reading.interfaces:
            descr, index, name = row.descr, str(int(row.index)), row.name
            labels = f'ifAlias="",ifDescr="{_label_value(descr)}",ifIndex="{index}",ifName="{_label_value(name)}"'
            rows.append((descr, index, name, labels, row))
        # exposition's order: by the label values, label names sorted (ifAlias is always "").
        rows.sort(key=lambda r: (r[0], r[1], r[2]))
    for what, name, header, attribute in _LAYOUT:
        if reading is None and what in _ROUTER_PARTS:
            continue
        out.append(header)
        if what == _ROW:
            out.extend(f"{name}{{{r[3]}}} {_go_int(int(getattr(r[4], attribute)))}\n" for r in rows)
        elif what == _OPER:
            out.extend(f"ifOperStatus{{{r[3]}}} {_MIB2_OPER_STATUS.get(int(r[4].oper_status), _MIB2_UNKNOWN)}\n"
                       for r in rows)  # fmt: skip
        elif what == _PHYS:
            phys = sorted((*r[:3], _phys_address48(r[4].phys_addr), r[3]) for r in rows)
            out.extend(f'ifPhysAddress{{{p[4]},ifPhysAddress="{p[3]}"}} 1\n' for p in phys)
        elif what == _TYPE:
            types = sorted((*r[:3], IANA_IF_TYPES.get(int(r[4].type), str(int(r[4].type))), r[3]) for r in rows)
            out.extend(f'ifType_info{{{t[4]},ifType="{_label_value(t[3])}"}} 1\n' for t in types)
        elif what == _NUMBER:
            out.append(f"ifNumber {_go_int(len(rows))}\n")
        elif what == _SCALAR:
            assert reading is not None
            out.append(f"{name} {_go_int(int(getattr(reading.ip_stats, attribute)))}\n")
        elif what == _ROUTES:
            assert reading is not None
            out.append(f"ipCidrRouteNumber {_go_int(int(reading.route_count))}\n")
        elif what == _UP:
            out.append(f"mprapi_up {1 if up else 0}\n")
        else:
            out.append(f"mprapi_scrape_duration_seconds {_go_float(seconds)}\n")
    # A lone surrogate from a router's UTF-16 name cannot be UTF-8: it shows as "?", as in exposition().
    return "".join(out).encode("utf-8", "replace")


_LAYOUT = _layout()


# ------------------------------------------------------------------ the exporter


def scrape_deadline(header: str | None, cap: float | None = None) -> float:
    """Seconds a scrape may read for: Prometheus's scrape timeout less TIMEOUT_OFFSET, at most ``cap``.

    ``header`` is X-Prometheus-Scrape-Timeout-Seconds (DEFAULT_SCRAPE_TIMEOUT
    when absent or not a positive number).  The offset is at most a quarter
    of the timeout, so that a short timeout still leaves time to read.
    """
    timeout = DEFAULT_SCRAPE_TIMEOUT
    if header is not None:
        try:
            given = float(header)
        except ValueError:
            given = math.nan
        if math.isfinite(given) and given > 0:
            timeout = given
        else:
            log.debug("ignoring %s: %r", TIMEOUT_HEADER, header)
    deadline = timeout - min(TIMEOUT_OFFSET, timeout / 4)
    return min(deadline, cap) if cap is not None else deadline


class _Scrape:
    """One scrape's read, answered exactly once: by its reader, or at its deadline."""

    __slots__ = ("lock", "done", "connection", "give_up")

    def __init__(self, give_up: Callable[[], None]) -> None:
        self.lock = threading.Lock()
        self.done = False
        self.connection: Any = None
        self.give_up: Callable[[], None] | None = give_up

    def attach(self, connection: Any) -> bool:
        """Keep the router's server, for the deadline to close; False if given up already."""
        with self.lock:
            if self.done:
                return False
            self.connection = connection
            return True

    def finish(self) -> bool:
        """The reader's turn to answer: True, or False if the deadline has (and its answer is out)."""
        with self.lock:  # held by expire() while it answers: a False comes after its answer
            if self.done:
                return False
            self.done = True
            self.connection = self.give_up = None  # nothing kept while the entry waits in the heap
            return True

    def expire(self) -> None:
        """The deadline: unless the reader has answered, close its server and answer for it."""
        with self.lock:
            if self.done:
                return
            self.done = True
            connection, give_up = self.connection, self.give_up
            self.connection = self.give_up = None
            if connection is not None:
                connection.close()  # waits for no one: the binding goes when the call in flight returns
            assert give_up is not None
            try:
                give_up()
            except Exception:  # this thread keeps every other scrape's deadline: it must go on
                log.exception("answering a scrape at its deadline failed")


class _Deadlines:
    """Gives up the scrapes whose read has not returned by their deadline, from one daemon thread.

    The thread sleeps until the earliest deadline.  A scrape adds its own
    without waking it unless it comes earlier, as it seldom does (every
    scrape's deadline is about as far ahead): the reading thread hands
    nothing over and nothing wakes when a read returns in time.  Entries of
    scrapes answered in time stay until they reach the front.  A daemon
    thread, so that a call that never returns cannot keep the interpreter
    from exiting.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, _Scrape]] = []
        self._order = itertools.count()  # ties: never compare _Scrape objects
        self._wakes_at = math.inf
        self._thread: threading.Thread | None = None

    def add(self, when: float, scrape: _Scrape) -> None:
        """Give ``scrape`` up at ``when`` (time.monotonic()) unless it has finished."""
        with self._changed:
            heapq.heappush(self._heap, (when, next(self._order), scrape))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mprapi-exporter-deadlines", daemon=True)
                self._thread.start()
            elif when < self._wakes_at:
                self._changed.notify()

    def _run(self) -> None:
        heap = self._heap
        while True:
            due: list[_Scrape] = []
            with self._changed:
                now = time.monotonic()
                while heap and (heap[0][0] <= now or heap[0][2].done):
                    due.append(heapq.heappop(heap)[2])
                if not due:
                    # Drop the scrapes answered in time at once, so that the next wake is a
                    # deadline still to keep, not one per scrape.
                    live = [entry for entry in heap if not entry[2].done]
                    if len(live) < len(heap):
                        heap[:] = live
                        heapq.heapify(heap)
                    self._wakes_at = heap[0][0] if heap else math.inf
                    self._changed.wait(heap[0][0] - now if heap else None)
                    continue
            for scrape in due:
                scrape.expire()


_deadlines = _Deadlines()


class TargetError(ValueError):
    """A target the exporter will not scrape: ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class _OwnMetrics:
    scrapes: Any  # prometheus_client Counter, labelled by result
    duration: Any  # prometheus_client Histogram


_own_metrics: weakref.WeakKeyDictionary[Any, _OwnMetrics] = weakref.WeakKeyDictionary()
_own_metrics_lock = threading.Lock()


def _metrics_for(registry: Any) -> _OwnMetrics:
    """The exporter's own metrics in ``registry``, registered once however many Exporters share it."""
    client = _prometheus_client()
    with _own_metrics_lock:
        found = _own_metrics.get(registry)
        if found is None:
            found = _own_metrics[registry] = _OwnMetrics(
                client.Counter("mprapi_exporter_scrapes", "Router scrapes served, by result (up: the router answered)",
                               ["result"], registry=registry),
                client.Histogram("mprapi_exporter_scrape_duration_seconds", "Seconds each router scrape took",
                                 registry=registry),
            )  # fmt: skip
        return found


class Exporter:
    """Scrapes routers for Prometheus: what the HTTP server answers, without the HTTP.

    ``servers``: the only targets allowed (None: any).  ``timeout``: the most
    seconds a scrape may read, whatever Prometheus allows.  ``connect(name)``
    opens a router (MibServer by default) and ``read(server)`` makes a
    scrape's MIB reads (read_router by default).  ``registry``: where the
    exporter's own metrics go, and what ``/metrics`` without a target serves
    (prometheus_client's default registry by default).
    """

    def __init__(
        self,
        *,
        servers: Iterable[str] | None = None,
        timeout: float | None = None,
        connect: Callable[[str], Any] | None = None,
        read: Callable[[Any], RouterReading] = read_router,
        registry: CollectorRegistry | None = None,
    ) -> None:
        client = _prometheus_client()
        self.servers = None if servers is None else frozenset(servers)
        if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.timeout = timeout
        self.connect = connect
        self.read = read
        self.registry = client.REGISTRY if registry is None else registry
        self._metrics = _metrics_for(self.registry)
        # The counter's two children, found once rather than by label on each scrape.
        self._scraped = {up: self._metrics.scrapes.labels(result="up" if up else "down") for up in (True, False)}

    def check_target(self, target: str) -> None:
        """Raise TargetError unless ``target`` may be scraped."""
        if not target:
            raise TargetError(400, "target is empty: give a router's name, e.g. /metrics?target=edge-router-1")
        if len(target) > MAX_TARGET_LENGTH:
            raise TargetError(400, f"target is longer than {MAX_TARGET_LENGTH} characters")
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
            raise TargetError(400, "target contains a control character")
        if self.servers is not None and target not in self.servers:
            raise TargetError(403, f"target {target!r} is not one of this exporter's routers (its --server options)")

    def scrape(self, target: str, deadline: float) -> bytes:
        """One router's metrics, read within ``deadline`` seconds; ``mprapi_up 0`` if it did not answer.

        The target is checked (TargetError).  A router error, a malformed
        reply or a timeout is logged once, on this logger.  The read runs in
        one of poll()'s daemon threads, so that this returns by the deadline
        even while a call hangs (serve_scrape reads in the calling thread).
        """
        self.check_target(target)
        answered = threading.Event()
        bodies: list[bytes] = []

        def answer(body: bytes, late: bool) -> None:
            bodies.append(body)
            answered.set()

        _workers.submit(functools.partial(self._serve_logged, target, deadline, answer))
        answered.wait()  # serve_scrape answers by the deadline, from its deadline thread if need be
        return bodies[0]

    def _serve_logged(self, target: str, deadline: float, answer: Callable[[bytes, bool], None]) -> None:
        try:
            self.serve_scrape(target, deadline, answer)
        except Exception:  # answered at the deadline all the same; a worker thread has no caller to tell
            log.exception("%s: the scrape failed", target)

    def serve_scrape(self, target: str, deadline: float, answer: Callable[[bytes, bool], None]) -> bool:
        """Read ``target`` in this thread; ``answer(body, late)`` exactly once, within ``deadline`` seconds.

        When the reads return in time, ``answer(body, False)`` is called from
        this thread and this returns True.  When they have not at the
        deadline, the router is given up (its server closed, so that the
        next call stops at once) and ``answer(body, True)`` is called with
        ``mprapi_up 0`` from the deadline thread; this returns False when the
        read does.  TargetError is raised before anything is read.

        The HTTP server scrapes this way, in the thread that has the request:
        poll() would hand the read to a worker and wake this thread again
        after it, two thread handovers that cost more than the rest of the
        exporter's work under Wine.
        """
        self.check_target(target)
        start = time.monotonic()
        scrape = _Scrape(functools.partial(self._give_up, target, start, deadline, answer))
        _deadlines.add(start + deadline, scrape)
        reading: RouterReading | None = None
        error: Exception | None = None
        try:
            # Only makes a binding (it never waits for the router), as in poll().
            connection = (self.connect or MibServer)(target)
        except Exception as exc:  # a name the binding refuses: the router is down
            error = exc
        else:
            try:
                if scrape.attach(connection):
                    reading = self.read(connection)
            except Exception as exc:  # a router error or a malformed reply
                error = exc
            finally:
                connection.close()  # idempotent: the deadline may have closed it already
        if not scrape.finish():
            return False  # given up at the deadline, which has answered
        if error is not None:
            log.warning("%s: %s", target, _describe(error))
        answer(self._answer(reading, time.monotonic() - start), False)
        return True

    def _give_up(self, target: str, start: float, deadline: float, answer: Callable[[bytes, bool], None]) -> None:
        seconds = time.monotonic() - start
        log.warning("%s: %s did not answer within %g s", target, target or "the local router", deadline)
        answer(self._answer(None, seconds), True)

    def _answer(self, reading: RouterReading | None, seconds: float) -> bytes:
        up = reading is not None
        self._scraped[up].inc()
        self._metrics.duration.observe(seconds)
        return render_scrape(reading, up, seconds)

    def own_metrics(self, accept: str = "") -> tuple[bytes, str]:
        """The exporter's own metrics (its registry), and their content type.

        In the format ``accept`` (an Accept header) asks for, as
        prometheus_client's own server chooses it: OpenMetrics or the text format.
        """
        encoder, content_type = _prometheus_client().exposition.choose_encoder(accept)
        return encoder(self.registry), str(content_type)


def _describe(error: BaseException | None) -> str:
    if isinstance(error, MprError):
        return f"router error {error.winerror}: {error.strerror}"
    if isinstance(error, TimeoutError):
        return str(error)
    return f"{type(error).__name__}: {error}"


# ------------------------------------------------------------------ HTTP


class _Server(socketserver.ThreadingTCPServer):
    # Each connection in a daemon thread: a scrape of a hung router never holds up
    # another, nor the exit.
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True  # as http.server's: a restarted exporter binds its port again at once
    exporter: Exporter


MAX_HEAD = 65536
"""The most bytes of a request's line and headers (http.server's limit for one line)."""
MAX_BODY = 65536
"""The most bytes of a request body, which is read and ignored (a scrape has none)."""
_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            413: "Content Too Large", 431: "Request Header Fields Too Large", 500: "Internal Server Error",
            501: "Not Implemented", 505: "HTTP Version Not Supported"}  # fmt: skip
_TEXT = "text/plain; charset=utf-8"
_date = (0, "")  # (second, its IMF-fixdate): formatted once a second


def _http_date() -> str:
    global _date
    now = int(time.time())
    if _date[0] != now:
        _date = (now, email.utils.formatdate(now, usegmt=True))
    return _date[1]


class _Refused(Exception):
    """A request answered with an error status, after which the connection is closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Handler(socketserver.BaseRequestHandler):
    """HTTP/1.1 as Prometheus speaks it: GET and HEAD, kept-alive connections, Content-Length answers.

    Not http.server's BaseHTTPRequestHandler: its headers go through the email
    package and its answer through a file object, which under Wine cost a
    fifth of a router's three round trips.  Here a request's head is read
    whole, split on CRLF, and each answer leaves in one send, headers and body
    together (with Nagle's algorithm off: a kept-alive answer in two writes
    waited 40 ms for the client's delayed ACK).
    """

    server: _Server
    request: socket.socket

    def setup(self) -> None:
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = b""  # read past the last request's head: the next one's start (pipelining)
        self.keep_open = True

    def handle(self) -> None:
        while self.keep_open:
            try:
                head = self._read_head()
                if head is None:
                    return
                self._answer(head)
            except _Refused as exc:
                self._send(exc.status, _TEXT, f"{exc}\n".encode(), keep=False)
            except OSError:  # the client went away
                return
            except Exception:
                log.exception("answering a request failed")
                self._send(500, _TEXT, b"internal error: see the exporter's log\n", keep=False)

    def _read_head(self) -> bytes | None:
        """The next request's line and headers, without the blank line; None at the end of the connection."""
        data = self.pending.lstrip(b"\r\n")  # empty lines before a request are ignored (RFC 9112 2.2)
        searched = 0
        while (end := data.find(b"\r\n\r\n", searched)) < 0:
            if len(data) > MAX_HEAD:
                raise _Refused(431, f"the request's line and headers are longer than {MAX_HEAD} bytes")
            chunk = self.request.recv(65536)
            if not chunk:
                return None
            searched = max(0, len(data) - 3)
            data = (data + chunk).lstrip(b"\r\n") if not data else data + chunk
        if end > MAX_HEAD:
            raise _Refused(431, f"the request's line and headers are longer than {MAX_HEAD} bytes")
        self.pending = data[end + 4 :]
        return data[:end]

    def _answer(self, head: bytes) -> None:
        line, *fields = head.split(b"\r\n")
        parts = line.split(b" ")
        if len(parts) != 3 or not parts[1] or not parts[2].startswith(b"HTTP/"):
            raise _Refused(400, "not an HTTP request line")
        method, target, version = parts
        if version not in (b"HTTP/1.1", b"HTTP/1.0"):
            raise _Refused(505, "HTTP/1.1 or HTTP/1.0 only")
        headers: dict[bytes, bytes] = {}
        for field_line in fields:
            name, colon, value = field_line.partition(b":")
            if not colon or not name or b" " in name or b"\t" in name:  # a token: RFC 9110 5.1, 9112 5.1
                raise _Refused(400, "a malformed header line")
            headers[name.lower()] = value.strip()
        connection = {token.strip() for token in headers.get(b"connection", b"").lower().split(b",")}
        # HTTP/1.1 connections stay open unless the client closes them; HTTP/1.0 ones are closed.
        keep = version == b"HTTP/1.1" and b"close" not in connection
        self._skip_body(headers)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s", self.client_address[0], line.decode("latin-1"))
        if method not in (b"GET", b"HEAD"):
            self._send(405, _TEXT, b"GET or HEAD only\n", keep=keep, extra="Allow: GET, HEAD\r\n")
            return
        if not target.isascii():
            raise _Refused(400, "the request target is not ASCII")
        url = urllib.parse.urlsplit(target.decode("ascii"))
        head_only = method == b"HEAD"
        if url.path == "/metrics":
            self._metrics(url.query, headers, head_only, keep)
        elif url.path == "/":
            page = _index_page(self.server.exporter).encode()
            self._send(200, "text/html; charset=utf-8", page, keep=keep, head_only=head_only)
        else:
            self._send(404, _TEXT, b"not found: try / or /metrics?target=ROUTER\n", keep=keep, head_only=head_only)

    def _skip_body(self, headers: dict[bytes, bytes]) -> None:
        # A GET has no body, but one sent with Content-Length is read past, not taken for the next request.
        if b"transfer-encoding" in headers:
            raise _Refused(501, "a request body in chunks is not taken")
        length_text = headers.get(b"content-length")
        if length_text is None:
            return
        if not length_text.isdigit():
            raise _Refused(400, "Content-Length is not a number")
        length = int(length_text)
        if length > MAX_BODY:
            raise _Refused(413, f"a request body of more than {MAX_BODY} bytes")
        while len(self.pending) < length:
            chunk = self.request.recv(65536)
            if not chunk:
                raise OSError("the client closed the connection within the request body")
            self.pending += chunk
        self.pending = self.pending[length:]

    def _metrics(self, query: str, headers: dict[bytes, bytes], head_only: bool, keep: bool) -> None:
        exporter = self.server.exporter
        try:
            params = urllib.parse.parse_qs(query, keep_blank_values=True, errors="strict")
        except (UnicodeDecodeError, ValueError):
            self._send(400, _TEXT, b"the query is not valid UTF-8\n", keep=keep, head_only=head_only)
            return
        targets = params.get("target")
        if targets is None:
            accept = headers.get(b"accept", b"").decode("latin-1")
            body, content_type = exporter.own_metrics(accept)
            self._send(200, content_type, body, keep=keep, head_only=head_only)
            return

        def answer(body: bytes, late: bool) -> None:
            # Late: from the deadline thread, while this one still waits for the router; the
            # connection is closed after, for the next scrape to get a thread of its own.
            self._send(200, CONTENT_TYPE, body, keep=keep and not late, head_only=head_only)
            if late:
                with contextlib.suppress(OSError):
                    self.request.shutdown(socket.SHUT_WR)

        try:
            if len(targets) > 1:
                raise TargetError(400, "give one target per scrape")
            timeout = headers.get(TIMEOUT_HEADER_KEY)
            deadline = scrape_deadline(None if timeout is None else timeout.decode("latin-1"), exporter.timeout)
            if not exporter.serve_scrape(targets[0], deadline, answer):
                self.keep_open = False
        except TargetError as exc:
            self._send(exc.status, _TEXT, f"{exc}\n".encode(), keep=keep, head_only=head_only)

    def _send(self, status: int, content_type: str, body: bytes, *, keep: bool, head_only: bool = False,
              extra: str = "") -> None:
        """The answer in one send; HEAD gets GET's headers, Content-Length included, and no body."""
        head = (f"HTTP/1.1 {status} {_REASONS[status]}\r\nServer: mprapi-exporter\r\nDate: {_http_date()}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                f"{'' if keep else 'Connection: close' + chr(13) + chr(10)}{extra}\r\n").encode("latin-1")
        if not keep:
            self.keep_open = False
        try:
            self.request.sendall(head if head_only else head + body)
        except OSError:
            self.keep_open = False


def _index_page(exporter: Exporter) -> str:
    if exporter.servers is None:
        routers = ('<form action="/metrics"><label>Router: <input name="target" placeholder="edge-router-1"></label> '
                   '<button>Scrape</button></form>')  # fmt: skip
    else:
        routers = "<ul>" + "".join(
            f'<li><a href="/metrics?target={urllib.parse.quote(name)}">{html.escape(name)}</a></li>'
            for name in sorted(exporter.servers)
        ) + "</ul>"
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>mprapi exporter</title></head><body>"
        "<h1>mprapi exporter</h1><p>Metrics of RRAS routers (Router Management MIB API), named as snmp_exporter's "
        "if_mib module names them.</p>"
        f"<p><a href=\"/metrics\">The exporter's own metrics</a></p><h2>Routers</h2>{routers}</body></html>\n"
    )


def make_server(exporter: Exporter, host: str, port: int) -> socketserver.ThreadingTCPServer:
    """An HTTP server for ``exporter`` bound to host:port (port 0: any free one); call serve_forever()."""

    class Server(_Server):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = Server((host, port), _Handler)
    server.exporter = exporter
    return server


def _listen_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"not HOST:PORT: {text!r}")
    return host.removeprefix("[").removesuffix("]") or "0.0.0.0", int(port)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mprapi exporter",
        description="Serve RRAS routers' MIB to Prometheus, with snmp_exporter's if_mib names: "
        "GET /metrics?target=ROUTER reads that router on each scrape.",
    )
    parser.add_argument("--listen", type=_listen_address, default=DEFAULT_LISTEN, metavar="HOST:PORT",
                        help=f"where to serve HTTP (default {DEFAULT_LISTEN}; port 0: any free port)")
    parser.add_argument("--server", dest="servers", action="append", metavar="NAME",
                        help="a router that may be scraped (repeat for more; default: any target)")
    parser.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                        help="the most seconds a scrape may read a router (default: Prometheus's scrape timeout "
                             f"less {TIMEOUT_OFFSET:g} s, {DEFAULT_SCRAPE_TIMEOUT:g} s when it does not say)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"],
                        help="what to log on stderr (default: info; debug shows each request)")
    return parser  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``mprapi exporter``; returns the exit status (0 after Ctrl-C, 1 if it cannot start)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")  # fmt: skip
    try:
        exporter = Exporter(servers=args.servers, timeout=args.timeout)
        host, port = args.listen
        server = make_server(exporter, host, port)
    except (ImportError, OSError) as exc:
        print(f"mprapi exporter: {exc}", file=sys.stderr)
        return 1
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    try:
        log.info("listening on http://%s:%d/", shown, bound_port)
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        server.server_close()
    return 0
