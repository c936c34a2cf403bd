"""Interfaces: MIB_IFROW and its enumerations."""

from __future__ import annotations

import enum

from typing import Any

from .._fields import Bool, Dword, Enumerated, IfDescr, IfName, PhysAddr, check_if_index
from .._wire import MibStruct, field
from ..constants import IF_NUMBER, IF_ROW, IF_STATUS, IF_TABLE

__all__ = ["IfAdminStatus", "IfNumber", "IfOperStatus", "IfRow", "IfStatus", "IfType"]


class IfType(enum.IntEnum):
    """``dwType`` of an interface: the common IF_TYPE_* values (ipifcons.h)."""

    OTHER = 1
    ETHERNET_CSMACD = 6
    ISO88025_TOKENRING = 9
    PPP = 23
    SOFTWARE_LOOPBACK = 24
    ATM = 37
    IEEE80211 = 71
    TUNNEL = 131
    IEEE1394 = 144


class IfAdminStatus(enum.IntEnum):
    """``dwAdminStatus`` of an interface (MIB_IF_ADMIN_STATUS_*)."""

    UP = 1
    DOWN = 2
    TESTING = 3


class IfOperStatus(enum.IntEnum):
    """``dwOperStatus`` of an interface (INTERNAL_IF_OPER_STATUS)."""

    NON_OPERATIONAL = 0
    UNREACHABLE = 1
    DISCONNECTED = 2
    CONNECTING = 3
    CONNECTED = 4
    OPERATIONAL = 5


class IfRow(MibStruct, sdk="MIB_IFROW", size=860, var_id=IF_ROW, table_id=IF_TABLE, key=("index",)):
    """An interface: mirrors MIB_IFROW (length fields folded into their values)."""

    name: IfName = field("wszName", "interface name, up to its first NUL")
    index: Dword = field("dwIndex", "interface index")  # type: ignore[assignment]  # the SDK name hides .index()
    type: Enumerated[IfType] = field("dwType", "interface type")
    mtu: Dword = field("dwMtu", "largest datagram, in bytes")
    speed: Dword = field("dwSpeed", "bits per second")
    phys_addr: PhysAddr = field("bPhysAddr", "physical address, dwPhysAddrLen bytes of it")
    admin_status: Enumerated[IfAdminStatus] = field("dwAdminStatus", "administrative status")
    oper_status: Enumerated[IfOperStatus] = field("dwOperStatus", "operational status")
    last_change: Dword = field("dwLastChange", "when the operational status last changed")
    in_octets: Dword = field("dwInOctets", "octets received")
    in_ucast_pkts: Dword = field("dwInUcastPkts", "unicast packets received")
    in_nucast_pkts: Dword = field("dwInNUcastPkts", "non-unicast packets received")
    in_discards: Dword = field("dwInDiscards", "received packets discarded")
    in_errors: Dword = field("dwInErrors", "received packets with errors")
    in_unknown_protos: Dword = field("dwInUnknownProtos", "received packets of unknown protocols")
    out_octets: Dword = field("dwOutOctets", "octets sent")
    out_ucast_pkts: Dword = field("dwOutUcastPkts", "unicast packets sent")
    out_nucast_pkts: Dword = field("dwOutNUcastPkts", "non-unicast packets sent")
    out_discards: Dword = field("dwOutDiscards", "outgoing packets discarded")
    out_errors: Dword = field("dwOutErrors", "outgoing packets with errors")
    out_qlen: Dword = field("dwOutQLen", "output queue length")
    descr: IfDescr = field("bDescr", "description, dwDescrLen bytes up to the first NUL, ANSI code page")


class IfNumber(MibStruct, sdk="MIB_IFNUMBER", size=4, var_id=IF_NUMBER):
    """How many interfaces the router has: mirrors MIB_IFNUMBER."""

    value: Dword = field("dwValue", "the number of interfaces")


class IfStatus(MibStruct, sdk="MIB_IFSTATUS", size=20, var_id=IF_STATUS, key=("if_index",)):
    """An interface's status as the router manager sees it, with its multicast heartbeat: MIB_IFSTATUS."""

    if_index: Dword = field("dwIfIndex", "interface index")
    admin_status: Enumerated[IfAdminStatus] = field("dwAdminStatus", "administrative status")
    oper_status: Dword = field("dwOperationalStatus", "operational status (the router manager's own values)")
    mhbeat_active: Bool = field("bMHbeatActive", "multicast heartbeat detection is on")
    mhbeat_alive: Bool = field("bMHbeatAlive", "the heartbeat was heard in time")


def admin_status_write(if_index: object, status: object) -> IfRow:
    """The MIB_IFROW a Set of an interface's admin status carries: dwIndex and dwAdminStatus, the rest 0."""
    index = check_if_index("if_index", if_index)
    if isinstance(status, bool) or not isinstance(status, int):
        raise TypeError(f"status must be an IfAdminStatus, not {type(status).__name__}")
    if status not in (IfAdminStatus.UP, IfAdminStatus.DOWN):  # MS-RRASM 3.1.4.29: up or down only
        raise ValueError(f"status must be IfAdminStatus.UP or IfAdminStatus.DOWN, not {status!r}")
    values: dict[str, Any] = dict.fromkeys(IfRow._fields, 0)
    values.update(name="", phys_addr=b"", descr="", index=index, admin_status=IfAdminStatus(status))
    return IfRow(**values)
