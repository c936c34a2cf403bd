"""The IP router manager's MIB structures, each declared once (see mprapi_cffi._wire)."""

from .._fields import AddressLike
from .._wire import MibStruct
from .interfaces import IfAdminStatus, IfNumber, IfOperStatus, IfRow, IfStatus, IfType
from .ip import AddrType, IcmpCounters, IcmpStats, IpAddrRow, IpNetRow, IpStats, NetType, ProxyArp
from .multicast import (
    McastBoundary,
    McastGlobal,
    McastIfEntry,
    McastMfe,
    McastMfeStats,
    McastMfeStatsEx,
    McastOif,
    McastOifStats,
    McastScope,
)
from .routes import (
    ANY_PROTO,
    METRIC_UNUSED,
    VIEW_ALL,
    VIEW_ANY,
    VIEW_MULTICAST,
    VIEW_UNICAST,
    BestIf,
    Ip6RouteEntry,
    IpDestRow,
    IpForwardNumber,
    IpForwardRow,
    RouteInfo,
    RouteProto,
    RouteState,
    RouteType,
    route_write,
)
from .transport import TcpRow, TcpState, TcpStats, UdpRow, UdpStats

__all__ = [
    "ANY_PROTO",
    "METRIC_UNUSED",
    "VIEW_ALL",
    "VIEW_ANY",
    "VIEW_MULTICAST",
    "VIEW_UNICAST",
    "AddrType",
    "AddressLike",
    "BestIf",
    "IfNumber",
    "IfStatus",
    "Ip6RouteEntry",
    "IpDestRow",
    "IpForwardNumber",
    "McastBoundary",
    "McastGlobal",
    "McastIfEntry",
    "McastMfe",
    "McastMfeStats",
    "McastMfeStatsEx",
    "McastOif",
    "McastOifStats",
    "McastScope",
    "ProxyArp",
    "RouteInfo",
    "RouteState",
    "IcmpCounters",
    "IcmpStats",
    "IfAdminStatus",
    "IfOperStatus",
    "IfRow",
    "IfType",
    "IpAddrRow",
    "IpForwardRow",
    "IpNetRow",
    "IpStats",
    "MibStruct",
    "NetType",
    "RouteProto",
    "RouteType",
    "TcpRow",
    "TcpState",
    "TcpStats",
    "UdpRow",
    "UdpStats",
    "route_write",
]

#: Every structure declared here, for lookups by variable id.
STRUCTS: tuple[type[MibStruct], ...] = (
    IfNumber, IfRow, IfStatus, IpAddrRow, IpNetRow, IpForwardNumber, IpForwardRow, BestIf, RouteState, ProxyArp,
    IpStats, IcmpStats, TcpRow, UdpRow, TcpStats, UdpStats,
    McastGlobal, McastIfEntry, McastBoundary, McastScope, McastMfe, McastMfeStats, McastMfeStatsEx,
)  # fmt: skip

#: Structures that only appear inside others (or in replies of several variables).
PARTS: tuple[type[MibStruct], ...] = (IcmpCounters, IpDestRow, McastOif, McastOifStats)

#: Structures of the IPv6 transport (PID_IPV6).
IPV6_STRUCTS: tuple[type[MibStruct], ...] = (Ip6RouteEntry,)

#: Structures MS-RRASM declares that neither the Windows SDK's metadata nor MinGW-w64 has
#: (2.2.1.2.11, 2.2.1.2.181): their layouts are held against the specification's declarations.
SPEC_ONLY: tuple[type[MibStruct], ...] = (RouteInfo, Ip6RouteEntry)
