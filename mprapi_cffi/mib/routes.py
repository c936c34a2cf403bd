"""Routes: MIB_IPFORWARDROW and its enumerations."""

from __future__ import annotations

import enum

from .._fields import Address, Address6, Bool, Dword, Enumerated, Nested
from .._wire import HEADER, MibStruct, field
from ..constants import (
    BEST_IF, BEST_ROUTE, IP_FORWARDNUMBER, IP_FORWARDROW, IP_FORWARDTABLE, PID_IPV6, ROUTE_MATCHING, ROUTE_STATE,
)

__all__ = [
    "ANY_PROTO", "METRIC_UNUSED", "VIEW_ALL", "VIEW_ANY", "VIEW_MULTICAST", "VIEW_UNICAST",
    "BestIf", "Ip6RouteEntry", "IpDestRow", "IpForwardNumber", "IpForwardRow", "RouteInfo", "RouteProto",
    "RouteState", "RouteType", "best_route_reply", "route_write",
]  # fmt: skip

METRIC_UNUSED = 0xFFFFFFFF
"""The Windows convention for a route metric that is not used."""

VIEW_UNICAST = 0x1
"""RTM_VIEW_MASK_UCAST: the route is in the unicast view (``IpDestRow.view_set``)."""
VIEW_MULTICAST = 0x2
"""RTM_VIEW_MASK_MCAST: the route is in the multicast view."""
VIEW_ANY = 0x0
"""RTM_VIEW_MASK_ANY (MS-RRASM 2.2.1.2.11: "a mask for any type of route"): a lookup in every view."""
VIEW_ALL = 0xFFFFFFFF
"""RTM_VIEW_MASK_ALL: "a mask for all types of routes"."""
ANY_PROTO = 0
"""A route lookup's protocol that selects routes of every protocol."""


class RouteType(enum.IntEnum):
    """``dwForwardType`` of a route (MIB_IPROUTE_TYPE_*)."""

    OTHER = 1
    INVALID = 2
    DIRECT = 3
    INDIRECT = 4


class RouteProto(enum.IntEnum):
    """``dwForwardProto``: who installed a route (MIB_IPPROTO_*)."""

    OTHER = 1
    LOCAL = 2
    NETMGMT = 3
    ICMP = 4
    EGP = 5
    GGP = 6
    HELLO = 7
    RIP = 8
    IS_IS = 9
    ES_IS = 10
    CISCO = 11
    BBN = 12
    OSPF = 13
    BGP = 14
    NT_AUTOSTATIC = 10002
    NT_STATIC = 10006
    NT_STATIC_NON_DOD = 10007


# The walk's GetNext index (dest, proto, policy, next hop) is the row's key.  A route is written as
# MS-RRASM gives it: Create and Set carry the MIB_IPDESTROW around it (IpDestRow, 3.1.4.27 and
# 3.1.4.29); Delete names it by dest, mask, interface, next hop and proto (ROUTE_MATCHING, 3.1.4.28).
class IpForwardRow(MibStruct, sdk="MIB_IPFORWARDROW", size=56, var_id=IP_FORWARDROW, table_id=IP_FORWARDTABLE,
                   key=("dest", "proto", "policy", "next_hop"), delete_id=ROUTE_MATCHING,
                   delete_key=("dest", "mask", "if_index", "next_hop", "proto")):  # fmt: skip
    """A route: mirrors MIB_IPFORWARDROW (field names drop ``dwForward``)."""

    dest: Address = field("dwForwardDest", "destination network")
    mask: Address = field("dwForwardMask", "destination mask")
    policy: Dword = field("dwForwardPolicy", "conditions for multi-path routes; usually 0", default=0)
    next_hop: Address = field("dwForwardNextHop", "next hop address")
    if_index: Dword = field("dwForwardIfIndex", "interface index")
    type: Enumerated[RouteType] = field("dwForwardType", "route type")
    proto: Enumerated[RouteProto] = field("dwForwardProto", "the protocol that installed the route")
    age: Dword = field("dwForwardAge", "seconds since the route was added or last updated", default=0)
    next_hop_as: Dword = field("dwForwardNextHopAS", "autonomous system number of the next hop", default=0)
    metric1: Dword = field("dwForwardMetric1", "primary metric")
    metric2: Dword = field("dwForwardMetric2", "0xFFFFFFFF: unused", default=METRIC_UNUSED)
    metric3: Dword = field("dwForwardMetric3", "0xFFFFFFFF: unused", default=METRIC_UNUSED)
    metric4: Dword = field("dwForwardMetric4", "0xFFFFFFFF: unused", default=METRIC_UNUSED)
    metric5: Dword = field("dwForwardMetric5", "0xFFFFFFFF: unused", default=METRIC_UNUSED)


class IpForwardNumber(MibStruct, sdk="MIB_IPFORWARDNUMBER", size=4, var_id=IP_FORWARDNUMBER):
    """How many routes the router has: mirrors MIB_IPFORWARDNUMBER."""

    value: Dword = field("dwValue", "the number of routes")


class BestIf(MibStruct, sdk="MIB_BEST_IF", size=8, var_id=BEST_IF):
    """The interface the router would send to an address through: mirrors MIB_BEST_IF."""

    dest_addr: Address = field("dwDestAddr", "the destination asked about")
    if_index: Dword = field("dwIfIndex", "the interface")


class IpDestRow(MibStruct, sdk="MIB_IPDESTROW", size=64, write_id=ROUTE_MATCHING):
    """A route as a route lookup returns it: mirrors the SDK's MIB_IPDESTROW.

    The Windows SDK embeds a whole MIB_IPFORWARDROW, then dwForwardPreference at
    56 and dwForwardViewSet at 60: 64 bytes, which is what the router sends.
    MinGW-w64's C declaration is a 12-byte union of the route's DWORDs; it is
    wrong for the wire, so this layout is not checked against MinGW's compiler.
    """

    route: Nested[IpForwardRow] = field("ForwardRow", "the route")
    preference: Dword = field("dwForwardPreference", "the route's preference (lower wins)", default=0)
    view_set: Dword = field("dwForwardViewSet", "the views the route is in (RTM_VIEW_MASK_* bits)",
                            default=VIEW_UNICAST | VIEW_MULTICAST)


class RouteInfo(MibStruct, sdk="INTERFACE_ROUTE_INFO", size=72, var_id=BEST_ROUTE):
    """The route BEST_ROUTE answers: mirrors INTERFACE_ROUTE_INFO (MS-RRASM 2.2.1.2.11), its IPv4 arm.

    72 bytes: a 48-byte union whose IPv4 arm is the first nine fields (36
    bytes, then 12 unused), then the interface, type, protocol, preference,
    view set and ``bV4``.  Field names are IpForwardRow's where the two hold the
    same thing; forward_row() gives the route as one.
    """

    dest: Address = field("dwRtInfoDest", "destination network")
    mask: Address = field("dwRtInfoMask", "destination mask")
    policy: Dword = field("dwRtInfoPolicy", "conditions for multi-path routes; usually 0", default=0)
    next_hop: Address = field("dwRtInfoNextHop", "next hop address")
    age: Dword = field("dwRtInfoAge", "seconds since the route was added or last updated", default=0)
    next_hop_as: Dword = field("dwRtInfoNextHopAS", "autonomous system number of the next hop", default=0)
    metric1: Dword = field("dwRtInfoMetric1", "primary metric")
    metric2: Dword = field("dwRtInfoMetric2", "0xFFFFFFFF: unused", default=METRIC_UNUSED)
    metric3: Dword = field("dwRtInfoMetric3", "0xFFFFFFFF: unused", default=METRIC_UNUSED)
    if_index: Dword = field("dwRtInfoIfIndex", "interface index", skip=12)  # after the union's unused 12 bytes
    type: Enumerated[RouteType] = field("dwRtInfoType", "route type")
    proto: Enumerated[RouteProto] = field("dwRtInfoProto", "the protocol that installed the route")
    preference: Dword = field("dwRtInfoPreference", "the route's preference (lower wins)", default=0)
    view_set: Dword = field("dwRtInfoViewSet", "the views the route is in (RTM_VIEW_MASK_* bits)",
                            default=VIEW_UNICAST | VIEW_MULTICAST)
    v4: Bool = field("bV4", "an IPv4 route (the union's IPv4 arm is the one used)", default=True)

    def forward_row(self) -> IpForwardRow:
        """The route as an IpForwardRow (metric4 and metric5 unused: INTERFACE_ROUTE_INFO has neither)."""
        return IpForwardRow(dest=self.dest, mask=self.mask, policy=self.policy, next_hop=self.next_hop,
                            if_index=self.if_index, type=self.type, proto=self.proto, age=self.age,
                            next_hop_as=self.next_hop_as, metric1=self.metric1, metric2=self.metric2,
                            metric3=self.metric3)  # fmt: skip


class Ip6RouteEntry(MibStruct, sdk="INTERFACE_ROUTE_ENTRY", size=76, var_id=IP_FORWARDROW, key=("index",),
                    pid=PID_IPV6):  # fmt: skip
    """An IPv6 route: mirrors INTERFACE_ROUTE_ENTRY (MS-RRASM 2.2.1.2.181), dwIndex then INTERFACE_ROUTE_INFO.

    What IP_FORWARDROW carries under the IPv6 transport (PID_IPV6), walked by
    ``index``.  The union's IPv6 arm (48 bytes): DestinationPrefix,
    DestPrefixLength, NextHopAddress, ValidLifeTime, Flags, Metric.
    """

    index: Dword = field("dwIndex", "the route's index, which the walk goes by")  # type: ignore[assignment]
    dest: Address6 = field("DestinationPrefix", "destination prefix")
    prefix_length: Dword = field("DestPrefixLength", "destination prefix length, bits (0..128)")
    next_hop: Address6 = field("NextHopAddress", "next hop (:: for an on-link route)")
    valid_lifetime: Dword = field("ValidLifeTime", "seconds the route stays valid; 0xFFFFFFFF: infinite")
    flags: Dword = field("Flags", "reserved, 0", default=0)
    metric: Dword = field("Metric", "route metric; 0xFFFFFFFF: unused")
    if_index: Dword = field("dwRtInfoIfIndex", "interface index")
    type: Enumerated[RouteType] = field("dwRtInfoType", "route type")
    proto: Enumerated[RouteProto] = field("dwRtInfoProto", "the protocol that installed the route")
    preference: Dword = field("dwRtInfoPreference", "the route's preference (lower wins)", default=0)
    view_set: Dword = field("dwRtInfoViewSet", "the views the route is in (RTM_VIEW_MASK_* bits)",
                            default=VIEW_UNICAST | VIEW_MULTICAST)
    v4: Bool = field("bV4", "an IPv4 route (0 here: the union's IPv6 arm)", default=False)


class RouteState(MibStruct, sdk="MIB_ROUTESTATE", size=4, var_id=ROUTE_STATE):
    """Whether the router manager has set its routes into the stack: mirrors MIB_ROUTESTATE."""

    routes_set_to_stack: Bool = field("bRoutesSetToStack", "routes are set to the stack")


def route_write(row: object) -> IpDestRow:
    """The MIB_IPDESTROW a write of ``row`` carries, its mask checked first.

    An IpForwardRow goes with preference 0 and both views; an IpDestRow as it is.
    """
    if isinstance(row, IpForwardRow):
        row = IpDestRow(route=row)
    if not isinstance(row, IpDestRow):
        raise TypeError(f"expected an IpForwardRow or IpDestRow, got {type(row).__name__}")
    mask = int(row.route.mask)
    if mask and (mask | (mask - 1)) != 0xFFFFFFFF:
        raise ValueError(f"mask {row.route.mask} is not contiguous")
    return row


def best_route_reply(reply: bytes) -> RouteInfo | IpForwardRow:
    """A BEST_ROUTE reply, read by its length.

    MS-RRASM 2.2.1.2.52 gives INTERFACE_ROUTE_INFO (72 bytes); a server that
    follows the SDK's GetBestRoute sends a MIB_IPFORWARDROW (56).  A payload of
    72 bytes or more is the first (bytes past it ignored, as for every reply),
    exactly 56 the second; any other length is malformed (an INTERFACE_ROUTE_INFO
    cut short is not read as a MIB_IPFORWARDROW).
    """
    payload = len(reply) - HEADER
    if payload >= RouteInfo.layout.size:
        return RouteInfo.decode(reply)
    if payload == IpForwardRow.layout.size:
        return IpForwardRow.decode(reply)
    raise ValueError(f"malformed BEST_ROUTE reply: {max(payload, 0)} bytes of data, an INTERFACE_ROUTE_INFO "
                     "has 72 (a MIB_IPFORWARDROW 56)")
