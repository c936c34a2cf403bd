"""What a router's MIB becomes: the if_mib, IP-MIB and IP-FORWARD-MIB families of one scrape.

The families are named, typed, labelled and described as snmp_exporter's
``if_mib`` module renders the same MIB-II objects.  router_families() builds
them as Family objects, scrape_families() the scrape's own (up, duration, the
reason it is down); text.exposition() writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
class RouterReading:
    """What one scrape reads from a router: its interface table, IP statistics and route count."""

    interfaces: Sequence[Any]  # IfRow, or anything with its attributes
    ip_stats: Any  # IpStats, or anything with its attributes
    route_count: int


def read_router(server: Any) -> RouterReading:
    """The MIB reads of one scrape: if_table(), ip_stats() and ip_forward_number(), made at once.

    They go to the router together on its one binding (fleet.gather), so a
    scrape takes one round trip, not three.
    """
    interfaces, ip_stats, route_count = gather(server.if_table, server.ip_stats, server.ip_forward_number)
    return RouterReading(interfaces, ip_stats, route_count)


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


def router_families(reading: RouterReading) -> list[Family]:
    """The if_mib, IP-MIB and IP-FORWARD-MIB families of a router's reading."""
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
    return list(families.values())


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
