"""TCP and UDP: connections (MIB_TCPROW), listeners (MIB_UDPROW), statistics."""

from __future__ import annotations

import enum

from .._fields import Address, Dword, Enumerated, Port
from .._wire import MibStruct, field
from ..constants import TCP_ROW, TCP_STATS, TCP_TABLE, UDP_ROW, UDP_STATS, UDP_TABLE

__all__ = ["TcpRow", "TcpState", "TcpStats", "UdpRow", "UdpStats"]


class TcpState(enum.IntEnum):
    """``dwState`` of a TCP connection (MIB_TCP_STATE_*)."""

    CLOSED = 1
    LISTEN = 2
    SYN_SENT = 3
    SYN_RCVD = 4
    ESTAB = 5
    FIN_WAIT1 = 6
    FIN_WAIT2 = 7
    CLOSE_WAIT = 8
    CLOSING = 9
    LAST_ACK = 10
    TIME_WAIT = 11
    DELETE_TCB = 12


class TcpRow(MibStruct, sdk="MIB_TCPROW", size=20, var_id=TCP_ROW, table_id=TCP_TABLE,
             key=("local_addr", "local_port", "remote_addr", "remote_port")):  # fmt: skip
    """A TCP connection: mirrors MIB_TCPROW (ports are host-order ints)."""

    state: Enumerated[TcpState] = field("dwState", "connection state")
    local_addr: Address = field("dwLocalAddr", "local address")
    local_port: Port = field("dwLocalPort", "local port")
    remote_addr: Address = field("dwRemoteAddr", "remote address")
    remote_port: Port = field("dwRemotePort", "remote port")


class UdpRow(MibStruct, sdk="MIB_UDPROW", size=8, var_id=UDP_ROW, table_id=UDP_TABLE, key=("local_addr", "local_port")):
    """A UDP listener: mirrors MIB_UDPROW (the port is a host-order int)."""

    local_addr: Address = field("dwLocalAddr", "local address")
    local_port: Port = field("dwLocalPort", "local port")


class TcpStats(MibStruct, sdk="MIB_TCPSTATS", size=60, var_id=TCP_STATS):
    """TCP statistics: mirrors MIB_TCPSTATS."""

    rto_algorithm: Dword = field("dwRtoAlgorithm", "retransmission timeout algorithm")
    rto_min: Dword = field("dwRtoMin", "least retransmission timeout, ms")
    rto_max: Dword = field("dwRtoMax", "largest retransmission timeout, ms")
    max_conn: Dword = field("dwMaxConn", "most connections; -1 (0xFFFFFFFF): variable")
    active_opens: Dword = field("dwActiveOpens", "active opens")
    passive_opens: Dword = field("dwPassiveOpens", "passive opens")
    attempt_fails: Dword = field("dwAttemptFails", "failed connection attempts")
    estab_resets: Dword = field("dwEstabResets", "established connections reset")
    curr_estab: Dword = field("dwCurrEstab", "connections established now")
    in_segs: Dword = field("dwInSegs", "segments received")
    out_segs: Dword = field("dwOutSegs", "segments sent")
    retrans_segs: Dword = field("dwRetransSegs", "segments retransmitted")
    in_errs: Dword = field("dwInErrs", "segments received with errors")
    out_rsts: Dword = field("dwOutRsts", "segments sent with the reset flag")
    num_conns: Dword = field("dwNumConns", "connections")


class UdpStats(MibStruct, sdk="MIB_UDPSTATS", size=20, var_id=UDP_STATS):
    """UDP statistics: mirrors MIB_UDPSTATS."""

    in_datagrams: Dword = field("dwInDatagrams", "datagrams received")
    no_ports: Dword = field("dwNoPorts", "datagrams received for no listener")
    in_errors: Dword = field("dwInErrors", "datagrams received with errors")
    out_datagrams: Dword = field("dwOutDatagrams", "datagrams sent")
    num_addrs: Dword = field("dwNumAddrs", "listeners")
