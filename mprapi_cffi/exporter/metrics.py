"""What a router becomes: the if_mib, IP-MIB and IP-FORWARD-MIB families of one scrape, and its remote access.

The MIB's families are named, typed, labelled and described as
snmp_exporter's ``if_mib`` module renders the same MIB-II objects; the remote
access server's (``mprapi_ras_*``, from the admin calls: MprAdminServerGetInfo,
MprAdminPortEnum, MprAdminConnectionEnum) are this exporter's own.
router_families() builds them as Family objects, scrape_families() the
scrape's own (up, duration, the reason it is down); text.exposition() writes
them.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import MprError
from ..fleet import gather
from .iftypes import IANA_IF_TYPES
from .text import Family

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
# IF-MIB's ifXTable (RFC 2863): ifHighSpeed, the speed in units of 1,000,000 bits per second, "somewhere in
# the range of `n-500,000' to `n+499,999'" of the speed: computed from MIB_IFROW's dwSpeed, rounded.
_IF_HIGH_SPEED_HELP = "An estimate of the interface's current bandwidth in units of 1,000,000 bits per second - " \
    "1.3.6.1.2.1.31.1.1.1.15"
# MIB_IFROW's octet counters are 32 bits (MIB-II's ifInOctets; the router has no ifHCInOctets): at line
# rate they wrap every 2**32 * 8 / speed seconds (34 s at 1 Gb/s).  rate() over scrapes further apart
# than that is wrong; an alert can compare this with the scrape interval.
_WRAP_HELP = "Seconds a 32-bit octet counter (ifInOctets, ifOutOctets) takes to wrap at the interface's speed " \
    "(ifSpeed); scrape more often than that for rate() to hold"
_OCTET_WRAP_BITS = (1 << 32) * 8


@dataclass(frozen=True)
class RasReading:
    """What one scrape reads of a router's remote access server: each read's answer, or None and the first error.

    ``server`` is MprAdminServerGetInfo's MPR_SERVER_0 (ServerInfo0),
    ``ports`` MprAdminPortEnum's RAS_PORT_0 rows (Port0), ``connections``
    MprAdminConnectionEnum's rows at the richest level the server gave
    (Connection4 .. Connection0); anything with their attributes will do.
    ``read_at`` (time.monotonic()) orders readings, so that a late scrape
    never takes an older reading for a newer one.
    """

    server: Any | None
    ports: Sequence[Any] | None
    connections: Sequence[Any] | None
    error: BaseException | None = None
    read_at: float = 0.0
    level: int | None = None  # the connections' level (AdminServer.connection_level), None when not known

    @property
    def ok(self) -> bool:
        """True when every remote access read answered."""
        return self.error is None and None not in (self.server, self.ports, self.connections)


@dataclass(frozen=True)
class RouterReading:
    """What one scrape reads from a router: its interface table, IP statistics and route count, and its remote access.

    ``ras`` is None when the remote access reads were not made (``--no-ras``,
    or a connection without an admin handle).
    """

    interfaces: Sequence[Any]  # IfRow, or anything with its attributes
    ip_stats: Any  # IpStats, or anything with its attributes
    route_count: int
    ras: RasReading | None = None


class RouterConnection:
    """A scrape's connection to one router: its MIB binding and its admin handle, closed together, once each.

    ``mib`` is a MibServer (or anything with its reads), ``admin`` an
    AdminServer (or anything with server_info(), ports() and connections()),
    or None for the MIB alone.  Neither contacts the router until its first
    call.
    """

    def __init__(self, mib: Any, admin: Any = None) -> None:
        self.mib = mib
        self.admin = admin

    def close(self) -> None:
        """Close both (each defers its disconnect while a call of it is in flight)."""
        try:
            if self.admin is not None:
                self.admin.close()
        finally:
            self.mib.close()


def _answer_or_error(call: Callable[[], Any]) -> Callable[[], tuple[Any, Exception | None]]:
    """``call``, returning (its value, None) or (None, what it raised): one remote access read that may fail alone."""

    def made() -> tuple[Any, Exception | None]:
        try:
            return call(), None
        except Exception as exc:  # the MIB's metrics do not depend on it: kept, and shown as mprapi_ras_up 0
            return None, exc

    return made


def read_router(server: Any, admin: Any = None) -> RouterReading:
    """The reads of one scrape, made at once: if_table(), ip_stats() and ip_forward_number(), and the admin's three.

    ``server`` is a MibServer, or a RouterConnection (its ``mib`` and
    ``admin``); with an ``admin``, its server_info(), ports() and
    connections() are made too.  They all go to the router together
    (fleet.gather: the MIB binding and the admin handle may each be shared
    by threads), so a scrape takes one round trip, not three or six.  A MIB
    read's error is raised; a remote access read's is kept in the reading
    (RasReading.error), so a router that is not a remote access server (903)
    still gives its MIB.
    """
    if isinstance(server, RouterConnection):
        server, admin = server.mib, server.admin
    if admin is None:
        interfaces, ip_stats, route_count = gather(server.if_table, server.ip_stats, server.ip_forward_number)
        return RouterReading(interfaces, ip_stats, route_count)
    interfaces, ip_stats, route_count, *answers = gather(
        server.if_table, server.ip_stats, server.ip_forward_number,
        _answer_or_error(admin.server_info), _answer_or_error(admin.ports), _answer_or_error(admin.connections),
    )  # fmt: skip
    (info, info_error), (ports, ports_error), (connections, connections_error) = answers
    error = info_error or ports_error or connections_error
    ras = RasReading(info, ports, connections, error, time.monotonic(), getattr(admin, "connection_level", None))
    return RouterReading(interfaces, ip_stats, route_count, ras)


def _phys_address48(octets: bytes) -> str:
    # snmp_exporter's PhysAddress48: exactly six octets, upper-case hex, colons; a shorter
    # address is padded with zero octets, a longer one cut (collector.go, indexOidsAsString).
    return ":".join(f"{b:02X}" for b in bytes(octets[:6]).ljust(6, b"\0"))


def _lookups(row: Any) -> tuple[tuple[str, str], ...]:
    """An interface's labels, sorted: if_mib's ifIndex and its lookups ifAlias, ifDescr and ifName.

    MIB_IFROW has no alias, and a lookup that finds nothing is "" in snmp_exporter;
    its wszName is what names the interface on the router, as ifName does.
    """
    return tuple(sorted({"ifAlias": "", "ifDescr": row.descr, "ifIndex": str(int(row.index)), "ifName": row.name}
                        .items()))  # fmt: skip


def router_families(reading: RouterReading, *, ras_counters: RasByteCounters | None = None,
                    ras_detail_limit: int | None = None) -> list[Family]:
    """The if_mib, IP-MIB and IP-FORWARD-MIB families of a router's reading, and its remote access families.

    The remote access families (ras_families) come when ``reading.ras`` is
    not None; ``ras_counters`` carries the byte counters from one reading
    of the router to the next (a fresh one when None), and
    ``ras_detail_limit`` asks for the per-connection series (at most that
    many connections; None: none).
    """
    families = {name: Family(name, kind, help_text) for name, kind, _, help_text in _IF_NUMBERS}
    oper = families["ifOperStatus"] = Family("ifOperStatus", "gauge", _IF_OPER_STATUS_HELP)
    phys = families["ifPhysAddress"] = Family("ifPhysAddress", "gauge", _IF_PHYS_ADDRESS_HELP)
    info = families["ifType_info"] = Family("ifType_info", "gauge", _IF_TYPE_HELP)
    high_speed = families["ifHighSpeed"] = Family("ifHighSpeed", "gauge", _IF_HIGH_SPEED_HELP)
    wrap = families["mprapi_if_octets_wrap_seconds"] = Family("mprapi_if_octets_wrap_seconds", "gauge", _WRAP_HELP)
    for row in reading.interfaces:
        labels = _lookups(row)
        lookups = dict(labels)
        for name, _, attribute, _ in _IF_NUMBERS:
            families[name].add(int(getattr(row, attribute)), labels)
        oper.add(_MIB2_OPER_STATUS.get(int(row.oper_status), _MIB2_UNKNOWN), labels)
        phys.add(1, {**lookups, "ifPhysAddress": _phys_address48(row.phys_addr)})
        info.add(1, {**lookups, "ifType": IANA_IF_TYPES.get(int(row.type), str(int(row.type)))})
        speed = int(row.speed)
        high_speed.add((speed + 500_000) // 1_000_000, labels)
        if speed:  # no speed, no wrap period
            wrap.add(_OCTET_WRAP_BITS / speed, labels)
    number = families["ifNumber"] = Family("ifNumber", "gauge", _IF_NUMBER_HELP)
    number.add(len(reading.interfaces))
    for name, kind, attribute, help_text in _IP_SCALARS:
        families[name] = Family(name, kind, help_text)
        families[name].add(int(getattr(reading.ip_stats, attribute)))
    routes = families["ipCidrRouteNumber"] = Family("ipCidrRouteNumber", "gauge", _ROUTE_NUMBER_HELP)
    routes.add(int(reading.route_count))
    ras = [] if reading.ras is None else ras_families(reading.ras, counters=ras_counters, detail_limit=ras_detail_limit)
    return [*families.values(), *ras]


_UP_HELP = "1 if the router answered every MIB read of this scrape in time, else 0"
_DURATION_HELP = "Seconds this scrape of the router took"
_DOWN_HELP = "Why mprapi_up is 0: 1 for the reason (timeout, router_error, malformed_reply, read_cap)"

DOWN_REASONS = ("timeout", "router_error", "malformed_reply", "read_cap")
"""The reasons a scrape answers mprapi_up 0: the router did not answer by the deadline (or a read of it
was still in flight), answered with an error, answered something that is not what it must be, or the
exporter had its most reads in flight already (--max-reads)."""


def scrape_families(reason: str | None, seconds: float) -> list[Family]:
    """The scrape's own families: mprapi_up (0 when ``reason`` says why), its duration, and the reason."""
    up_family = Family("mprapi_up", "gauge", _UP_HELP)
    up_family.add(0 if reason else 1)
    duration = Family("mprapi_scrape_duration_seconds", "gauge", _DURATION_HELP)
    duration.add(seconds)
    families = [up_family, duration]
    if reason:
        down = Family("mprapi_down_reason", "gauge", _DOWN_HELP)
        down.add(1, {"reason": reason})
        families.append(down)
    return families


# ------------------------------------------------------------------ remote access (the admin calls)

TUNNELS = ("pptp", "l2tp", "sstp", "ikev2")
"""The tunnel types every tunnel-labelled family shows, at 0 when the server has none (ras.Tunnel's values);
``other`` (a port that is none of them) shows when there is one."""
INTERFACE_TYPES = ("client", "site_to_site")
"""The interface types mprapi_ras_connections always shows, at 0 when none."""
# ROUTER_INTERFACE_TYPE (mprapi.h; ras.RouterInterfaceType) as a label: a remote access user's connection is a
# CLIENT; a site-to-site connection is a demand-dial interface, FULL_ROUTER (or HOME_ROUTER).
_INTERFACE_TYPE_NAMES = {0: "client", 1: "site_to_site", 2: "site_to_site", 3: "dedicated", 4: "internal",
                         5: "loopback", 6: "tunnel1", 7: "dialout"}  # fmt: skip
_NO_INTERFACE_TYPE = "unknown"  # RAS_CONNECTION_1, the one level without dwInterfaceType
# RAS_PORT_0's port conditions (ras.PortCondition) of a port busy with a call that has no connection yet.
_CALLING_BACK, _AUTHENTICATING, _AUTHENTICATED = 2, 4, 5
_BUSY_CONDITIONS = frozenset((_CALLING_BACK, _AUTHENTICATING, _AUTHENTICATED))
# The connection levels that count bytes (RAS_CONNECTION_1 and _4), for a reading with no connection to look at;
# None (a level not known) is taken to count them, so that byte counters do not vanish when the last user leaves.
_BYTES_LEVELS = (None, 1, 4)
ERROR_DDM_NOT_RUNNING = 903
"""The admin calls' answer where the router's remote access (demand-dial manager) does not run: a LAN-only router."""

RAS_DOWN_REASONS = ("not_remote_access", "router_error", "malformed_reply")
"""The reasons a scrape answers mprapi_ras_up 0 while mprapi_up is 1: the router is not a remote access
server (error 903: LAN-only, or its remote access is not running), an admin read failed, or answered
something that is not what it must be."""

_RAS_UP_HELP = "1 if the router answered this scrape's remote access reads (server, ports, connections), else 0"
_RAS_DOWN_HELP = ("Why mprapi_ras_up is 0: 1 for the reason (not_remote_access: error 903, a LAN-only router or "
                  "its remote access not running; router_error; malformed_reply)")
_RAS_UPTIME_HELP = "Seconds the router's remote access server has been running (MPR_SERVER_0 dwUpTime)"
_RAS_LAN_ONLY_HELP = ("1 if the router is in LAN-only mode: it routes, but takes no remote access or demand-dial "
                      "connection (MPR_SERVER_0 fLanOnlyMode), else 0")
_RAS_PORTS_HELP = "Remote access ports (WAN Miniport devices), by tunnel type"
_RAS_PORTS_IN_USE_HELP = ("Remote access ports with a connection, or a call being set up (authenticating, calling "
                          "back), by tunnel type")
_RAS_CONNECTIONS_HELP = ("Remote access connections, by tunnel type and interface type (client: a remote access "
                         "user; site_to_site: a demand-dial router)")
_RAS_BYTES_HELP = ("Bytes the router {verb} its remote access connections, by tunnel type: the connections' own "
                   "counters while they last, and for each connection that ended, its count at the last scrape "
                   "that saw it, so it never goes down while the exporter runs (the bytes a connection moves after "
                   "the last scrape that saw it, and connections shorter than a scrape interval, are not counted)")
_RAS_SENT_HELP = _RAS_BYTES_HELP.format(verb="sent over")
_RAS_RECEIVED_HELP = _RAS_BYTES_HELP.format(verb="received over")
_CONN_DURATION_HELP = "Seconds the remote access connection has been up; one series per connection"
_CONN_SENT_HELP = ("Bytes the router sent over the remote access connection (its own counter, which cleared "
                   "statistics start again); one series per connection")
_CONN_RECEIVED_HELP = ("Bytes the router received over the remote access connection (its own counter, which "
                       "cleared statistics start again); one series per connection")
_CONN_DROPPED_HELP = ("Remote access connections left out of the per-connection series, past "
                      "--ras-connections-limit (the newest are left out)")


def ras_reason(error: BaseException | None) -> str:
    """The mprapi_ras_down_reason of a remote access read's error."""
    if isinstance(error, MprError):
        return "not_remote_access" if error.winerror == ERROR_DDM_NOT_RUNNING else "router_error"
    return "malformed_reply" if isinstance(error, ValueError) else "router_error"


def _tunnel(value: Any) -> str:
    """A ras.Tunnel (a str enum) as its label value."""
    return str(getattr(value, "value", value))


def _interface_type(connection: Any) -> str:
    value = getattr(connection, "interface_type", None)
    if value is None:
        return _NO_INTERFACE_TYPE
    return _INTERFACE_TYPE_NAMES.get(int(value), str(int(value)))


def connection_tunnels(ras: RasReading) -> list[tuple[Any, str]]:
    """Each connection with its tunnel type: its own at level 4, else the one of the port it holds ("other": none)."""
    port_tunnels = {int(port.connection_handle): _tunnel(port.tunnel)
                    for port in ras.ports or () if port.connection_handle}  # fmt: skip
    found: list[tuple[Any, str]] = []
    for connection in ras.connections or ():
        tunnel = getattr(connection, "tunnel", None)
        found.append((connection, _tunnel(tunnel) if tunnel is not None else
                      port_tunnels.get(int(getattr(connection, "handle", 0) or 0), "other")))  # fmt: skip
    return found


def _has_bytes(connection: Any) -> bool:
    return hasattr(connection, "bytes_sent") and hasattr(connection, "bytes_received")


_ConnectionKey = tuple[int, str | None, Any]


class RasByteCounters:
    """One router's bytes sent and received by tunnel type, as counters that never go down.

    A sum of the live connections' byte counters drops whenever a
    connection ends, and Prometheus takes any drop for a reset: rate() would
    then count the other connections' bytes again, all of them, at every
    disconnect.  So each router's counters are kept from one reading to the
    next: a connection that is gone leaves its last count behind, and so
    does one whose counter went down (its statistics cleared, or a 32-bit
    counter wrapped).  The loss is bounded: what a connection moved after
    the last reading that saw it.  A reading older than the last one taken
    (a slow scrape answering late) changes nothing.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_read = -math.inf
        self._live: dict[_ConnectionKey, tuple[str, int, int]] = {}  # by connection: tunnel, sent, received
        self._ended: dict[str, list[int]] = {}  # by tunnel: [sent, received] left by connections
        self._totals: dict[str, tuple[int, int]] = {}

    def update(self, ras: RasReading, tunnels: Sequence[tuple[Any, str]]) -> dict[str, tuple[int, int]]:
        """The totals by tunnel, (sent, received), with ``ras``'s connections (``tunnels``: connection_tunnels)."""
        with self._lock:
            if ras.read_at <= self._last_read:  # this reading again (scrapes sharing it), or an older one
                return dict(self._totals)
            self._last_read = ras.read_at
            live: dict[_ConnectionKey, tuple[str, int, int]] = {}
            for connection, tunnel in tunnels:
                if not _has_bytes(connection):
                    continue
                key = (int(getattr(connection, "handle", 0) or 0), getattr(connection, "user_name", None),
                       getattr(connection, "start_time", None))  # fmt: skip
                sent, received = int(connection.bytes_sent), int(connection.bytes_received)
                before = self._live.pop(key, None)
                if before is not None:
                    ended = self._ended.setdefault(before[0], [0, 0])
                    ended[0] += before[1] if sent < before[1] else 0  # cleared, or wrapped: its count stays
                    ended[1] += before[2] if received < before[2] else 0
                if key in live:  # the same connection twice in one reading: counted once
                    continue
                live[key] = (tunnel, sent, received)
            for tunnel, sent, received in self._live.values():  # connections that ended since the last reading
                ended = self._ended.setdefault(tunnel, [0, 0])
                ended[0] += sent
                ended[1] += received
            self._live = live
            totals = {tunnel: (sent, received) for tunnel, (sent, received) in self._ended.items()}
            for tunnel, sent, received in live.values():
                before_sent, before_received = totals.get(tunnel, (0, 0))
                totals[tunnel] = (before_sent + sent, before_received + received)
            self._totals = totals
            return dict(totals)


def _detail_labels(connection: Any, tunnel: str) -> dict[str, str]:
    return {
        "connection": str(int(getattr(connection, "handle", 0) or 0)),
        "user": str(getattr(connection, "user_name", "") or ""),
        "domain": str(getattr(connection, "logon_domain", "") or ""),
        "interface": str(getattr(connection, "interface_name", "") or ""),
        "interface_type": _interface_type(connection),
        "tunnel": tunnel,
        "address": str(getattr(connection, "remote_ipv4_address", "") or ""),
    }


def _detail_families(tunnels: list[tuple[Any, str]], limit: int) -> list[Family]:
    """The per-connection series of at most ``limit`` connections, the oldest first, and how many were left out."""
    duration = Family("mprapi_ras_connection_duration_seconds", "gauge", _CONN_DURATION_HELP)
    sent = Family("mprapi_ras_connection_sent_bytes_total", "counter", _CONN_SENT_HELP)
    received = Family("mprapi_ras_connection_received_bytes_total", "counter", _CONN_RECEIVED_HELP)
    dropped = Family("mprapi_ras_connection_series_dropped", "gauge", _CONN_DROPPED_HELP)
    # The oldest first, so that the connections shown stay the same from one scrape to the next.
    ordered = sorted(tunnels, key=lambda pair: (-int(getattr(pair[0], "duration", 0) or 0),
                                                int(getattr(pair[0], "handle", 0) or 0)))  # fmt: skip
    shown = ordered[:limit]
    for connection, tunnel in shown:
        labels = tuple(sorted(_detail_labels(connection, tunnel).items()))
        if getattr(connection, "duration", None) is not None:
            duration.add(int(connection.duration), labels)
        if _has_bytes(connection):
            sent.add(int(connection.bytes_sent), labels)
            received.add(int(connection.bytes_received), labels)
    dropped.add(len(ordered) - len(shown))
    return [family for family in (duration, sent, received) if family.samples] + [dropped]


def ras_families(ras: RasReading, *, counters: RasByteCounters | None = None,
                 detail_limit: int | None = None) -> list[Family]:
    """The remote access families of one reading (mprapi_ras_*).

    Always mprapi_ras_up (and mprapi_ras_down_reason when it is 0); the
    server's up time and LAN-only mode when MprAdminServerGetInfo answered;
    ports, connections and bytes by tunnel type when every read answered.
    Every tunnel of TUNNELS shows, at 0 when the server has none; bytes
    need a level with byte counters (4 or 1).  ``detail_limit``: the
    per-connection series too, for at most that many connections.
    """
    up = Family("mprapi_ras_up", "gauge", _RAS_UP_HELP)
    up.add(1 if ras.ok else 0)
    families = [up]
    if not ras.ok:
        down = Family("mprapi_ras_down_reason", "gauge", _RAS_DOWN_HELP)
        down.add(1, {"reason": ras_reason(ras.error)})
        families.append(down)
    if ras.server is not None:
        uptime = Family("mprapi_ras_server_uptime_seconds", "gauge", _RAS_UPTIME_HELP)
        uptime.add(int(ras.server.up_time))
        lan_only = Family("mprapi_ras_lan_only_mode", "gauge", _RAS_LAN_ONLY_HELP)
        lan_only.add(1 if ras.server.lan_only_mode else 0)
        families += [uptime, lan_only]
    if not ras.ok:
        return families
    ports: dict[str, int] = dict.fromkeys(TUNNELS, 0)
    in_use: dict[str, int] = dict.fromkeys(TUNNELS, 0)
    for port in ras.ports or ():
        tunnel = _tunnel(port.tunnel)
        ports[tunnel] = ports.get(tunnel, 0) + 1
        busy = bool(port.connection_handle) or int(port.condition) in _BUSY_CONDITIONS
        in_use[tunnel] = in_use.get(tunnel, 0) + busy
    tunnels = connection_tunnels(ras)
    connections = {(tunnel, kind): 0 for tunnel in ports for kind in INTERFACE_TYPES}
    for connection, tunnel in tunnels:
        key = (tunnel, _interface_type(connection))
        connections[key] = connections.get(key, 0) + 1
    ports_family = Family("mprapi_ras_ports", "gauge", _RAS_PORTS_HELP)
    in_use_family = Family("mprapi_ras_ports_in_use", "gauge", _RAS_PORTS_IN_USE_HELP)
    for tunnel, count in ports.items():
        ports_family.add(count, (("tunnel", tunnel),))
        in_use_family.add(in_use.get(tunnel, 0), (("tunnel", tunnel),))
    connections_family = Family("mprapi_ras_connections", "gauge", _RAS_CONNECTIONS_HELP)
    for (tunnel, kind), count in connections.items():
        connections_family.add(count, (("interface_type", kind), ("tunnel", tunnel)))
    families += [ports_family, in_use_family, connections_family]
    if all(_has_bytes(connection) for connection, _ in tunnels) if tunnels else ras.level in _BYTES_LEVELS:
        totals = (counters or RasByteCounters()).update(ras, tunnels)
        sent = Family("mprapi_ras_sent_bytes_total", "counter", _RAS_SENT_HELP)
        received = Family("mprapi_ras_received_bytes_total", "counter", _RAS_RECEIVED_HELP)
        for tunnel in {**dict.fromkeys(ports), **dict.fromkeys(totals)}:
            total_sent, total_received = totals.get(tunnel, (0, 0))
            sent.add(total_sent, (("tunnel", tunnel),))
            received.add(total_received, (("tunnel", tunnel),))
        families += [sent, received]
    if detail_limit is not None:
        families += _detail_families(tunnels, detail_limit)
    return families
