"""Protocol ids and MIB variable ids (mprapi.h, iprtrmib.h).

Defined here so that they exist on every OS; the Windows test lane checks
each value against the one the compiler took from the SDK headers.
"""

from __future__ import annotations

from typing import Final

PID_IP: Final = 0x21
PID_IPX: Final = 0x2B
PID_IPV6: Final = 0x57  # MS-RRASM 3.1.4.30; not in MinGW-w64's headers
IPRTRMGR_PID: Final = 10000

IF_NUMBER: Final = 0
IF_TABLE: Final = 1
IF_ROW: Final = 2
IP_STATS: Final = 3
IP_ADDRTABLE: Final = 4
IP_ADDRROW: Final = 5
IP_FORWARDNUMBER: Final = 6
IP_FORWARDTABLE: Final = 7
IP_FORWARDROW: Final = 8
IP_NETTABLE: Final = 9
IP_NETROW: Final = 10
ICMP_STATS: Final = 11
TCP_STATS: Final = 12
TCP_TABLE: Final = 13
TCP_ROW: Final = 14
UDP_STATS: Final = 15
UDP_TABLE: Final = 16
UDP_ROW: Final = 17
MCAST_MFE: Final = 18
MCAST_MFE_STATS: Final = 19
BEST_IF: Final = 20
BEST_ROUTE: Final = 21
PROXY_ARP: Final = 22
MCAST_IF_ENTRY: Final = 23
MCAST_GLOBAL: Final = 24
IF_STATUS: Final = 25
MCAST_BOUNDARY: Final = 26
MCAST_SCOPE: Final = 27
DEST_MATCHING: Final = 28
DEST_LONGER: Final = 29
DEST_SHORTER: Final = 30
ROUTE_MATCHING: Final = 31
ROUTE_LONGER: Final = 32
ROUTE_SHORTER: Final = 33
ROUTE_STATE: Final = 34
MCAST_MFE_STATS_EX: Final = 35
IP6_STATS: Final = 36
UDP6_STATS: Final = 37
TCP6_STATS: Final = 38

# Win32 codes that end a walk or report a missing row (winerror.h).
ERROR_INVALID_PARAMETER: Final = 87
ERROR_NO_DATA: Final = 232
ERROR_NO_MORE_ITEMS: Final = 259
ERROR_INVALID_INDEX: Final = 1413


__all__ = [
    "PID_IP", "PID_IPX", "IPRTRMGR_PID",
    "IF_NUMBER", "IF_TABLE", "IF_ROW", "IP_STATS", "IP_ADDRTABLE", "IP_ADDRROW",
    "IP_FORWARDNUMBER", "IP_FORWARDTABLE", "IP_FORWARDROW", "IP_NETTABLE",
    "IP_NETROW", "ICMP_STATS", "TCP_STATS", "TCP_TABLE", "TCP_ROW", "UDP_STATS",
    "UDP_TABLE", "UDP_ROW", "MCAST_MFE", "MCAST_MFE_STATS", "BEST_IF",
    "BEST_ROUTE", "PROXY_ARP", "MCAST_IF_ENTRY", "MCAST_GLOBAL", "IF_STATUS",
    "MCAST_BOUNDARY", "MCAST_SCOPE", "DEST_MATCHING", "DEST_LONGER",
    "DEST_SHORTER", "ROUTE_MATCHING", "ROUTE_LONGER", "ROUTE_SHORTER",
    "ROUTE_STATE", "MCAST_MFE_STATS_EX", "IP6_STATS", "UDP6_STATS", "TCP6_STATS",
    "ERROR_INVALID_PARAMETER", "ERROR_NO_DATA", "ERROR_NO_MORE_ITEMS", "ERROR_INVALID_INDEX", "PID_IPV6",
]

#: The constants the cdef also declares; the Windows lane compares their values.
SDK_CONSTANTS: Final = tuple(name for name in __all__ if not name.startswith("ERROR_") and name != "PID_IPV6")
