"""The IP router manager's MIB structures, each declared once (see mprapi_cffi._wire)."""

from .._fields import AddressLike
from .._wire import MibStruct
from .interfaces import IfAdminStatus, IfOperStatus, IfRow, IfType
from .ip import AddrType, IcmpCounters, IcmpStats, IpAddrRow, IpNetRow, IpStats, NetType
from .routes import METRIC_UNUSED, IpForwardRow, RouteProto, RouteType
from .transport import TcpRow, TcpState, TcpStats, UdpRow, UdpStats

__all__ = [
    "METRIC_UNUSED",
    "AddrType",
    "AddressLike",
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
]

#: Every structure declared here, for lookups by variable id.
STRUCTS: tuple[type[MibStruct], ...] = (
    IfRow, IpAddrRow, IpNetRow, IpForwardRow, IpStats, IcmpStats, TcpRow, UdpRow, TcpStats, UdpStats,
)  # fmt: skip
