"""The ``mprapi`` command: read a router's MIB tables and print them.

    mprapi [--server NAME] [--json] {interfaces,addresses,routes,arp,stats,proxy-arp,if-status,multicast}
    mprapi [--server NAME] [--json] best-route ADDRESS
    mprapi [--server NAME] [--json] best-interface ADDRESS
    mprapi [--server NAME] [--json] route {add,set,delete} PREFIX NEXT_HOP --if INDEX ...
    mprapi [--server NAME] [--json] arp {add,set} ADDRESS MAC --if INDEX [--type TYPE]
    mprapi [--server NAME] [--json] arp delete ADDRESS --if INDEX
    mprapi [--server NAME] [--json] multicast boundary {add,remove} PREFIX --if INDEX
    mprapi [--server NAME] [--json] set {forwarding on|off, ttl N, if-admin INDEX up|down}
    mprapi [--server NAME] [--json] {server,connections [--level N],ports [--level N] [--connection HANDLE]}
    mprapi [--server NAME] [--json] disconnect {PORT|--user [DOMAIN\\]NAME} [--yes]
    mprapi [--server NAME] [--json] {ports reset PORT,ports clear-stats PORT,connections clear-stats HANDLE} [--yes]
    mprapi --server A --server B ... [--servers-file FILE] [--timeout SECONDS] [--json] COMMAND
    mprapi exporter [--listen HOST:PORT] [--server NAME ...] [--timeout SECONDS]
    mprapi --version

Tables print as aligned columns, the way ``route print`` and ``netsh`` do;
``--json`` prints a JSON list of objects keyed by the row field names (for
``stats``: one object with keys ``ip``, ``icmp``, ``tcp``, ``udp``), with
addresses as strings, ``phys_addr`` as ``aa-bb-cc-dd-ee-ff`` and enumerations
as their int value.

More than one ``--server``, or ``--servers-file``, asks every router at once
(mprapi_cffi.poll): the columns print one ``== NAME ==`` section per router,
in the order given, and ``--json`` prints an object keyed by router name whose
values are what one router gives, or ``{"error": {"winerror": N, "message":
"..."}}`` (winerror 1460, ERROR_TIMEOUT, for a router that did not answer
within ``--timeout``).  On a terminal, a long poll shows a progress bar on
stderr (with the optional ``tqdm``: ``pip install mprapi-cffi[progress]``).

``server``, ``connections`` and ``ports`` read a remote access (VPN) server through the admin
handle (AdminServer): their ``--json`` has the same keys at every level (null where the level
lacks the field), numbers as numbers, tunnels as ``pptp``/``l2tp``/``sstp``/``ikev2``/``other`` and
times as ISO 8601 in UTC.  The remote access writes (``disconnect``, ``ports reset|clear-stats``,
``connections clear-stats``) read first, then on a terminal show what they will touch (port,
tunnel, user) and ask; ``--yes`` skips the question, and without a terminal it is required
(exit 2 otherwise).  A LAN-only router's 903 gets a one-line hint.

Exit status: 0 on success; 1 when a router cannot be read (``MprError``, an
``OSError`` such as "only on Windows", a timeout, or a malformed reply), with
a one-line message per router on stderr; 2 on a usage error.
"""

from __future__ import annotations

import argparse
import enum
import importlib
import json
import math
import struct
import sys
import textwrap
import threading
import uuid
from datetime import datetime, timezone
from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import AbstractContextManager
from ipaddress import IPv4Address, IPv4Network, IPv6Address
from typing import Any

from . import __version__, _wire
from .errors import ApiUnavailableError, MprError
from .fleet import PollResult, poll, read_within
from .mib import (
    AddrType,
    IfAdminStatus,
    IfStatus,
    Ip6RouteEntry,
    IpForwardRow,
    IpNetRow,
    McastBoundary,
    McastIfEntry,
    NetType,
    RouteInfo,
    RouteProto,
    RouteType,
    route_write,
)
from .mib.interfaces import admin_status_write
from .mib.ip import arp_delete_query, arp_write
from .mib.multicast import ROWSTATUS_CREATEANDGO, ROWSTATUS_DESTROY, boundary_write
from .server import connect as _package_connect

__all__ = ["main"]

Connect = Callable[[str | None], AbstractContextManager[Any]]
"""What ``main`` calls to reach a router: ``connect(server_name_or_None)``,
returning a context manager that gives the server object."""


# ------------------------------------------------------------------ formatting


def _name(value: int) -> str:
    """An enum member's name in lower case, or the number the router sent."""
    if isinstance(value, enum.Enum):
        return str(value.name).lower()
    return str(value)


def _mac(phys_addr: bytes) -> str:
    return "-".join(f"{b:02x}" for b in phys_addr)


def _prefix(addr: IPv4Address, mask: IPv4Address) -> str:
    """``addr/len`` for a contiguous mask, ``addr/dotted-mask`` otherwise."""
    host_bits = int(mask) ^ 0xFFFFFFFF
    if host_bits & (host_bits + 1) == 0:
        return f"{addr}/{32 - host_bits.bit_length()}"
    return f"{addr}/{mask}"


def _broadcast(addr: IPv4Address, mask: IPv4Address, low_bit: int) -> str:
    """The directed broadcast dwBCastAddr's low bit implies: host bits all ones (1) or all zeros (0)."""
    network = int(addr) & int(mask)
    return str(IPv4Address(network | (~int(mask) & 0xFFFFFFFF) if low_bit & 1 else network))


def _flags(value: int) -> str:
    """An address type mask as ``primary,dynamic``; unknown bits in hex."""
    names = [str(flag.name).lower() for flag in AddrType if value & flag]
    unknown = int(value) & ~sum(AddrType)
    if unknown:
        names.append(f"{unknown:#x}")
    return ",".join(names) or "-"


def _columns(
    headers: Sequence[str] | None, rows: Iterable[Sequence[str]], right: Collection[int] = ()
) -> str:
    """Aligned text columns, two spaces apart; the columns in ``right`` align right."""
    table = [list(row) for row in rows]
    if headers is not None:
        table.insert(0, list(headers))
    if not table:
        return ""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = []
    for row in table:
        cells = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def _interfaces_text(rows: Sequence[Any]) -> str:
    return _columns(
        # The description first: routers name interfaces by GUID paths.
        ("Idx", "Description", "Type", "MTU", "Speed", "Admin", "Oper", "MAC", "Name"),
        (
            (
                str(r.index),
                r.descr or "-",
                _name(r.type),
                str(r.mtu),
                str(r.speed),
                _name(r.admin_status),
                _name(r.oper_status),
                _mac(r.phys_addr) or "-",
                r.name,
            )
            for r in rows
        ),
        right=(0, 3, 4),
    )


def _addresses_text(rows: Sequence[Any]) -> str:
    return _columns(
        ("Address", "If", "Broadcast", "Reasm size", "Type"),
        (
            (
                _prefix(r.addr, r.mask),
                str(r.index),
                _broadcast(r.addr, r.mask, r.bcast_addr),
                str(r.reasm_size),
                _flags(r.type),
            )
            for r in rows
        ),
        right=(1, 3),
    )


def _routes_text(rows: Sequence[Any]) -> str:
    """IPv4 routes (IpForwardRow, RouteInfo) or IPv6 routes (Ip6RouteEntry), one a line."""
    def prefix(r: Any) -> str:
        return f"{r.dest}/{r.prefix_length}" if isinstance(r, Ip6RouteEntry) else _prefix(r.dest, r.mask)

    return _columns(
        ("Destination", "Next hop", "If", "Metric", "Protocol", "Type"),
        (
            (
                prefix(r),
                str(r.next_hop),
                str(r.if_index),
                str(r.metric if isinstance(r, Ip6RouteEntry) else r.metric1),
                _name(r.proto),
                _name(r.type),
            )
            for r in rows
        ),
        right=(2, 3),
    )


def _arp_text(rows: Sequence[Any]) -> str:
    return _columns(
        ("Interface", "Internet address", "Physical address", "Type"),
        ((str(r.index), str(r.addr), _mac(r.phys_addr) or "-", _name(r.type)) for r in rows),
        right=(0,),
    )


def _stats_text(stats: dict[str, Any]) -> str:
    sections = []
    titles = (("IP", "ip"), ("ICMP", "icmp"), ("TCP", "tcp"), ("UDP", "udp"),
              ("IPv6", "ip6"), ("TCP over IPv6", "tcp6"), ("UDP over IPv6", "udp6"))  # fmt: skip
    for title, key in titles:
        value = stats.get(key)
        if value is None:
            if key in stats:
                sections.append(f"{title}\n  (the router does not report it)\n")
            continue
        if key == "icmp":
            pairs = zip(value.in_stats._fields, value.in_stats, value.out_stats)
            icmp_rows = [(name, str(i), str(o)) for name, i, o in pairs]
            table = _columns(("", "in", "out"), icmp_rows, right=(1, 2))
        else:
            rows = [(name, str(v)) for name, v in value._asdict().items()]
            table = _columns(None, rows, right=(1,))
        sections.append(f"{title}\n{textwrap.indent(table, '  ')}")
    return "\n".join(sections)


def _best_route_text(route: Any) -> str:
    text = _routes_text([route])
    if isinstance(route, RouteInfo):
        text += f"preference {route.preference}, view set {route.view_set:#x}\n"
    return text


def _best_interface_text(answer: dict[str, Any]) -> str:
    return f"{answer['dest']} -> interface {answer['if_index']}\n"


def _proxy_arp_text(rows: Sequence[Any]) -> str:
    return _columns(
        ("Address", "Interface"), ((_prefix(r.address, r.mask), str(r.if_index)) for r in rows), right=(1,)
    )


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _if_status_text(rows: Sequence[Any]) -> str:
    return _columns(
        ("If", "Admin", "Oper", "Heartbeat", "Alive"),
        ((str(r.if_index), _name(r.admin_status), str(r.oper_status), _yes(r.mhbeat_active), _yes(r.mhbeat_alive))
         for r in rows),
        right=(0, 2),
    )  # fmt: skip


def _multicast_text(data: dict[str, Any]) -> str:
    enabled = data["global"]
    lines = [f"Multicast forwarding: {'on' if enabled is not None and enabled.enable else 'off'}", ""]
    lines.append("Interfaces")
    lines.append(textwrap.indent(_columns(
        ("If", "TTL", "Protocol", "Rate limit", "In octets", "Out octets"),
        ((str(r.if_index), str(r.ttl), str(r.protocol), str(r.rate_limit), str(r.in_mcast_octets),
          str(r.out_mcast_octets)) for r in data["interfaces"]),
        right=(0, 1, 2, 3, 4, 5),
    ), "  ") or "  (none)\n")  # fmt: skip
    lines.append("Forwarding entries")
    lines.append(textwrap.indent(_columns(
        ("Group", "Source", "Upstream", "In", "Out (interface/next hop)"),
        ((str(r.group), _prefix(r.source, r.src_mask), str(r.up_strm_ngbr), str(r.in_if_index),
          " ".join(f"{o.out_if_index}/{o.next_hop_addr}" for o in r.out_ifs) or "-") for r in data["mfes"]),
        right=(3,),
    ), "  ") or "  (none)\n")  # fmt: skip
    lines.append("Scope boundaries")
    lines.append(textwrap.indent(_columns(
        ("If", "Range", "Status"),
        ((str(r.if_index), _prefix(r.group_address, r.group_mask), str(r.status)) for r in data["boundaries"]),
        right=(0, 2),
    ), "  ") or "  (none)\n")  # fmt: skip
    return "\n".join(lines)


def _json_value(value: Any) -> Any:
    """Row values for JSON: addresses as strings, bytes as aa-bb-.., enums as ints."""
    if isinstance(value, (IPv4Address, IPv6Address)):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return _mac(bytes(value))
    if isinstance(value, (enum.IntEnum, enum.IntFlag)):
        return int(value)
    if isinstance(value, enum.Enum):  # a str enum such as Tunnel: its value
        return value.value
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "_asdict"):
        return {k: _json_value(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


def _json_text(data: Any) -> str:
    return json.dumps(_json_value(data), indent=2) + "\n"


# -------------------------------------------------------------------- commands


def _optional(read: Callable[[], Any]) -> Any:
    """What ``read`` gives, or None where the router answers that it has none (IPv6 off)."""
    try:
        return read()
    except MprError:
        return None


def _stats(srv: Any) -> dict[str, Any]:
    return {
        "ip": srv.ip_stats(),
        "icmp": srv.icmp_stats(),
        "tcp": srv.tcp_stats(),
        "udp": srv.udp_stats(),
        "ip6": _optional(srv.ip6_stats),
        "tcp6": _optional(srv.tcp6_stats),
        "udp6": _optional(srv.udp6_stats),
    }


def _multicast(srv: Any) -> dict[str, Any]:
    return {
        "global": _optional(srv.mcast_global),
        "interfaces": _optional(lambda: list(srv.walk(McastIfEntry))) or [],
        "mfes": _optional(srv.mfe_table) or [],
        "boundaries": _optional(lambda: list(srv.walk(McastBoundary))) or [],
    }


def _address_arg(text: str) -> IPv4Address:
    try:
        return IPv4Address(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an IPv4 address: {text!r}") from None


def _add_address(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("address", type=_address_arg, metavar="ADDRESS", help="the destination")


def _add_routes_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-6", dest="ipv6", action="store_true", default=False,
                        help="the IPv6 route table (IP_FORWARDROW under PID_IPV6, walked)")  # fmt: skip


# --------------------------------------------------------------- remote access
#
# The admin half of the API (mprapi_cffi.admin.AdminServer): who is connected, over which tunnel,
# which ports are free.  Each read gives plain dicts with the same keys whatever level the server
# answered at (None where that level lacks the field), so the columns, --json and a fleet's output
# are made from one shape.

ERROR_DDM_NOT_RUNNING = 903
"""What connection and port calls answer on a LAN-only router (RRAS without remote access)."""

NOT_RAS_HINT = "the server is not a remote access server (RRAS runs in LAN-only mode)"

_EX_MISSING = frozenset({1, 50, 120, 127})
"""Answers of MprAdminServerGetInfoEx that mean "not here": ERROR_INVALID_FUNCTION,
ERROR_NOT_SUPPORTED, ERROR_CALL_NOT_IMPLEMENTED, ERROR_PROC_NOT_FOUND."""

_TUNNELS = ("pptp", "l2tp", "sstp", "ikev2", "gre")
_PORT_FLAGS = ((0x1, "ras"), (0x2, "routing"))  # MPR_ENABLE_RAS_ON_DEVICE, MPR_ENABLE_ROUTING_ON_DEVICE
_CONNECTION_KEYS = (
    "handle", "interface_handle", "user_name", "logon_domain", "tunnel", "interface_type", "interface_name",
    "remote_computer", "remote_endpoint", "local_endpoint", "ipv4_address", "remote_ipv4_address", "duration",
    "start_time", "bytes_sent", "bytes_received", "flags", "quarantine_state",
)  # fmt: skip
_PORT_ERRORS = ("crc_errors", "timeout_errors", "alignment_errors", "hardware_overrun_errors", "framing_errors",
                "buffer_overrun_errors")  # fmt: skip


def _admin_connect(name: str | None) -> AbstractContextManager[Any]:
    """The default ``connect`` of the remote access commands: an AdminServer (it connects on its first call)."""
    from .admin import AdminServer

    return AdminServer(name)


def _hint(error: BaseException) -> str | None:
    if isinstance(error, MprError) and error.winerror == ERROR_DDM_NOT_RUNNING:
        return NOT_RAS_HINT
    return None


def _duration(seconds: int | None) -> str:
    """``3d 04:05:06``, ``04:05:06``; ``-`` for none."""
    if seconds is None:
        return "-"
    days, rest = divmod(int(seconds), 86400)
    clock = f"{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}"
    return f"{days}d {clock}" if days else clock


def _utc(value: datetime) -> str:
    """ISO 8601 in UTC, with ``Z``."""
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _cell(value: Any) -> str:
    """A table cell: ``-`` for none or empty, enum names in lower case, times in ISO 8601 UTC."""
    if value is None or value == "":
        return "-"
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, enum.Enum) and not isinstance(value, enum.IntFlag):
        return str(value.value) if isinstance(value, str) else str(value.name).lower()
    return str(value)


def _handle_cell(value: int | None) -> str:
    """A port or connection handle in hex, as servers make them (0x80000008); ``-`` for none."""
    return f"{value:#x}" if value else "-"


def _user(name: str | None, domain: str | None) -> str | None:
    """``DOMAIN\\user``, or ``user`` alone; None without a user."""
    if not name:
        return None
    return f"{domain}\\{name}" if domain else name


def _port_flags(flags: int) -> str:
    names = [name for bit, name in _PORT_FLAGS if flags & bit]
    unknown = int(flags) & ~0x3
    if unknown:
        names.append(f"{unknown:#x}")
    return ",".join(names) or "-"


def _server_ex(srv: Any) -> Any:
    """MprAdminServerGetInfoEx's answer, or None where the DLL or the server lacks it."""
    try:
        return srv.server_info_ex()
    except ApiUnavailableError:
        return None
    except MprError as error:
        if error.winerror in _EX_MISSING:
            return None
        raise


def _server(srv: Any) -> dict[str, Any]:
    """MPR_SERVER_0, MPR_SERVER_2 (1 on a server without it) and MPR_SERVER_EX1 where available, as one dict."""
    info0 = srv.server_info(0)
    try:
        info2 = srv.server_info(2)
    except MprError as error:
        if error.winerror != 50:  # ERROR_NOT_SUPPORTED: a server before SSTP
            raise
        info2 = srv.server_info(1)
    ex = _server_ex(srv)
    tunnels: dict[str, dict[str, int] | None] = {}
    for tunnel in _TUNNELS:
        source = info2 if tunnel in ("pptp", "l2tp", "sstp") else ex
        ports = getattr(source, f"{tunnel}_ports", None) if source is not None else None
        if ports is None and ex is not None:
            ports = getattr(ex, f"{tunnel}_ports", None)
            source = ex
        tunnels[tunnel] = None if ports is None else {"ports": ports, "flags": getattr(source, f"{tunnel}_port_flags")}
    return {
        "lan_only_mode": bool(info0.lan_only_mode),
        "up_time": info0.up_time,
        "total_ports": info0.total_ports,
        "ports_in_use": info0.ports_in_use,
        "tunnels": tunnels,
        "server_info_ex": ex is not None,
    }


def _server_text(data: dict[str, Any]) -> str:
    lan_only = "yes (not a remote access server)" if data["lan_only_mode"] else "no"
    head = _columns(None, (
        ("LAN-only mode", lan_only),
        ("Up time", _duration(data["up_time"])),
        ("Ports", f"{data['total_ports']} total, {data['ports_in_use']} in use"),
    ))  # fmt: skip
    rows = [(tunnel, str(value["ports"]), _port_flags(value["flags"]))
            for tunnel, value in data["tunnels"].items() if value is not None]  # fmt: skip
    text = head + "\n" + _columns(("Tunnel", "Ports", "Enabled for"), rows, right=(1,))
    if not data["server_info_ex"]:
        text += "(IKEv2 and GRE ports: MprAdminServerGetInfoEx is not available)\n"
    return text


def _tunnels_by_connection(srv: Any, connection: int | None = None) -> dict[int, Any]:
    """Each connection's tunnel, from its first port's device (RAS_PORT_0)."""
    tunnels: dict[int, Any] = {}
    for port in srv.ports(0, connection=connection):
        if port.connection_handle:
            tunnels.setdefault(port.connection_handle, port.tunnel)
    return tunnels


def _connections(srv: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    """The connections at ``--level`` (default: the richest the server accepts), each with every key."""
    rows = srv.connections() if args.level is None else srv.connections(args.level)
    level = args.level if args.level is not None else getattr(srv, "connection_level", None)
    tunnels: dict[int, Any] = {}
    if rows and not hasattr(rows[0], "tunnel"):  # below level 4: the tunnel is its port's
        tunnels = _tunnels_by_connection(srv)
    result = []
    for row in rows:
        item = {key: getattr(row, key, None) for key in _CONNECTION_KEYS}
        if not hasattr(row, "tunnel"):
            item["tunnel"] = tunnels.get(row.handle)
        else:
            item["tunnel"] = row.tunnel
        item["level"] = level
        result.append(item)
    return result


def _connections_text(rows: Sequence[dict[str, Any]]) -> str:
    return _columns(
        ("Handle", "User", "Tunnel", "Type", "Remote endpoint", "Client address", "Duration", "Started", "Sent",
         "Received"),
        ((_handle_cell(r["handle"]), _cell(_user(r["user_name"], r["logon_domain"])), _cell(r["tunnel"]),
          _cell(r["interface_type"]), _cell(r["remote_endpoint"]), _cell(r["remote_ipv4_address"]),
          _duration(r["duration"]), _cell(r["start_time"]), _cell(r["bytes_sent"]), _cell(r["bytes_received"]))
         for r in rows),
        right=(0, 6, 8, 9),
    )  # fmt: skip


def _ports(srv: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    """The ports (RAS_PORT_0), each with its connection's user; ``--level 1``: their statistics (RAS_PORT_1)."""
    ports = srv.ports(0, connection=args.connection)
    if args.level == 1:
        named = {port.handle: port for port in ports}
        result = []
        for row in _port_statistics(srv, ports, args.connection):
            port = named.get(row.handle)
            item = {"handle": row.handle, "connection_handle": row.connection_handle,
                    "port_name": None if port is None else port.port_name,
                    "tunnel": None if port is None else port.tunnel}  # fmt: skip
            item.update((key, value) for key, value in row._asdict().items() if key not in item)
            result.append(item)
        return result
    users = {}
    if any(port.connection_handle for port in ports):
        users = {c.handle: _user(c.user_name, c.logon_domain) for c in srv.connections(0)}
    return [
        {"handle": port.handle, "port_name": port.port_name, "tunnel": port.tunnel, "condition": port.condition,
         "connection_handle": port.connection_handle or None, "user": users.get(port.connection_handle),
         "device_name": port.device_name, "device_type": port.device_type, "media_name": port.media_name,
         "total_calls": port.total_calls, "duration": port.duration}
        for port in ports
    ]  # fmt: skip


_GONE = frozenset({601, 615})  # ERROR_INVALID_PORT_HANDLE, ERROR_PORT_NOT_FOUND


def _port_statistics(srv: Any, ports: Sequence[Any], connection: int | None) -> list[Any]:
    """RAS_PORT_1 of ``ports``: one MprAdminPortEnum where the server enumerates level 1, else (MS-RRASM
    3.1.4.5: PortEnum takes level 0 only) one MprAdminPortGetInfo a port, skipping a port gone since."""
    try:
        return list(srv.ports(1, connection=connection))
    except MprError as error:
        if error.winerror not in (50, 124):  # ERROR_NOT_SUPPORTED, ERROR_INVALID_LEVEL
            raise
    rows = []
    for port in ports:
        try:
            rows.append(srv.port(port.handle, 1))
        except MprError as error:
            if error.winerror not in _GONE:
                raise
    return rows


def _ports_text(rows: Sequence[dict[str, Any]]) -> str:
    if rows and "line_speed" in rows[0]:  # --level 1
        return _columns(
            ("Port", "Name", "Tunnel", "Hardware", "Line speed", "Sent", "Received", "Frames sent",
             "Frames received", "Errors"),
            ((_handle_cell(r["handle"]), _cell(r["port_name"]), _cell(r["tunnel"]), _cell(r["hardware_condition"]),
              _cell(r["line_speed"]), _cell(r["bytes_sent"]), _cell(r["bytes_received"]), _cell(r["frames_sent"]),
              _cell(r["frames_received"]), str(sum(r[key] for key in _PORT_ERRORS))) for r in rows),
            right=(0, 4, 5, 6, 7, 8, 9),
        )  # fmt: skip
    return _columns(
        ("Port", "Name", "Tunnel", "Condition", "User", "Connection", "Device"),
        ((_handle_cell(r["handle"]), _cell(r["port_name"]), _cell(r["tunnel"]), _cell(r["condition"]),
          _cell(r["user"]), _handle_cell(r["connection_handle"]), _cell(r["device_name"])) for r in rows),
        right=(0, 5),
    )  # fmt: skip


def _add_connections_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--level", type=int, choices=range(5), default=None, metavar="N",
                        help="read RAS_CONNECTION_N, 0..4 (default: the richest the server accepts)")  # fmt: skip


def _add_ports_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--level", type=int, choices=range(2), default=0, metavar="N",
                        help="0: names, conditions, users (default); 1: statistics (RAS_PORT_1, a call "
                             "a port where the server enumerates level 0 only)")  # fmt: skip
    parser.add_argument("--connection", type=_handle_arg, default=None, metavar="HANDLE",
                        help="only the ports of this connection")  # fmt: skip


_COMMANDS: dict[str, tuple[str, Callable[..., Any], Callable[[Any], str]]] = {
    # name: (help, fetch(server, args), render as text)
    "interfaces": (
        "the interface table (MIB_IFTABLE)", lambda s: s.if_table(), _interfaces_text
    ),
    "addresses": (
        "the address table (MIB_IPADDRTABLE)", lambda s: s.ip_addr_table(), _addresses_text
    ),
    "routes": (
        "the route table (MIB_IPFORWARDTABLE; -6: the IPv6 one)",
        lambda s, a: s.ip6_forward_table() if a.ipv6 else s.ip_forward_table(), _routes_text,
    ),
    "arp": ("the ARP table (MIB_IPNETTABLE)", lambda s: s.ip_net_table(), _arp_text),
    "stats": ("IP, ICMP, TCP and UDP statistics, IPv4 and IPv6", _stats, _stats_text),
    "best-route": (
        "the route the router would use to reach ADDRESS (BEST_ROUTE)",
        lambda s, a: s.best_route(a.address), _best_route_text,
    ),
    "best-interface": (
        "the interface the router would send to ADDRESS through (BEST_IF)",
        lambda s, a: {"dest": a.address, "if_index": s.best_interface(a.address)}, _best_interface_text,
    ),
    "proxy-arp": ("the addresses the router answers ARP for (PROXY_ARP)", lambda s: s.proxy_arp_table(),
                  _proxy_arp_text),
    "if-status": ("each interface's status and multicast heartbeat (IF_STATUS)", lambda s: list(s.walk(IfStatus)),
                  _if_status_text),
    "multicast": ("multicast forwarding: the switch, interfaces, forwarding entries", _multicast, _multicast_text),
    "server": ("the remote access server: LAN-only mode, up time, ports by tunnel type (MPR_SERVER_0, 2, EX1)",
               _server, _server_text),
    "connections": ("the remote access connections: user, tunnel, endpoints, duration, bytes (RAS_CONNECTION_*)",
                    _connections, _connections_text),
    "ports": ("the remote access ports: name, tunnel, condition, user (RAS_PORT_0; --level 1: RAS_PORT_1)",
              _ports, _ports_text),
}

_REMOTE_ACCESS = frozenset({"server", "connections", "ports", "disconnect"})
"""The commands that read or write through the admin handle (AdminServer), not the MIB one."""

_ARGUMENTS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "routes": _add_routes_args,
    "best-route": _add_address,
    "best-interface": _add_address,
    "connections": _add_connections_args,
    "ports": _add_ports_args,
}


def _add_common(parser: argparse.ArgumentParser, top: bool) -> None:
    # --server, --servers-file, --timeout and --json are accepted before or after the command.
    # After it they add to (--server) or override (the others) what was given before: hence
    # SUPPRESS, not a default, and a list of its own for the servers named after the command.
    parser.add_argument(
        "--server", metavar="NAME", action="append", dest="servers" if top else "more_servers",
        default=[] if top else argparse.SUPPRESS,
        help="a router to ask (default: this machine); repeat it to ask several at once",
    )  # fmt: skip
    parser.add_argument(
        "--servers-file", metavar="FILE", default=None if top else argparse.SUPPRESS,
        help="read router names from FILE, one a line (# starts a comment); all are asked at once",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", metavar="SECONDS", type=_seconds_arg, default=None if top else argparse.SUPPRESS,
        help="give a router up after SECONDS (default: when RPC gives up)",
    )  # fmt: skip
    parser.add_argument(
        "--json", action="store_true", default=False if top else argparse.SUPPRESS,
        help="print JSON instead of columns",
    )  # fmt: skip


def _seconds_arg(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= threading.TIMEOUT_MAX:
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {text!r}")
    return seconds


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mprapi",
        description="Read a Windows router's MIB tables and remote access connections (Mprapi.dll).",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}",
        help="print the version and exit",
    )  # fmt: skip
    _add_common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (help_text, _, _) in _COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=f"Print {help_text}.")
        if name in _ARGUMENTS:
            _ARGUMENTS[name](command)
        if name == "arp":
            _add_arp_writes(command)
        if name == "multicast":
            _add_boundary_writes(command)
        if name in ("ports", "connections"):
            _add_remote_access_writes(command, name)
        _add_common(command, top=False)
    _add_writes(sub)
    _add_disconnect(sub)
    return parser


# ---------------------------------------------------------------------- writes


def _prefix_arg(text: str) -> IPv4Network:
    try:
        return IPv4Network(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a network prefix ({exc}): {text!r}") from None


def _enum_arg(enum_type: type[enum.IntEnum]) -> Callable[[str], enum.IntEnum]:
    def parse(text: str) -> enum.IntEnum:
        try:
            return enum_type[text.upper()]
        except KeyError:
            names = ", ".join(m.name.lower() for m in enum_type)
            raise argparse.ArgumentTypeError(f"{text!r} is none of {names}") from None

    return parse


def _mac_arg(text: str) -> bytes:
    """A physical address as ``aa-bb-cc-dd-ee-ff`` or ``aa:bb:...``: 1 to 8 bytes."""
    parts = text.replace(":", "-").split("-")
    try:
        data = bytes(int(part, 16) for part in parts if len(part) == 2)
    except ValueError:
        data = b""
    if len(data) != len(parts) or not 1 <= len(data) <= 8:
        raise argparse.ArgumentTypeError(f"not a physical address of 1 to 8 bytes (aa-bb-cc-dd-ee-ff): {text!r}")
    return data


def _add_arp_writes(arp: argparse.ArgumentParser) -> None:
    """``mprapi arp add|set|delete``; ``mprapi arp`` alone still prints the table."""
    actions = arp.add_subparsers(dest="action", metavar="ACTION", required=False)
    for action, what in (("add", "add an ARP entry"), ("set", "change an ARP entry"),
                         ("delete", "delete an ARP entry")):  # fmt: skip
        p = actions.add_parser(action, help=what, description=f"{what.capitalize()}.")
        p.add_argument("addr", type=_address_arg, metavar="ADDRESS", help="the IPv4 address")
        if action != "delete":
            p.add_argument("phys_addr", type=_mac_arg, metavar="MAC", help="the physical address, aa-bb-cc-dd-ee-ff")
            p.add_argument("--type", type=_enum_arg(NetType), default=NetType.STATIC,
                           help="static, dynamic, invalid or other (default: static)")  # fmt: skip
        p.add_argument("--if", dest="if_index", type=int, required=True, metavar="INDEX", help="interface index")
        _add_common(p, top=False)


def _add_boundary_writes(multicast: argparse.ArgumentParser) -> None:
    """``mprapi multicast boundary add|remove``; ``mprapi multicast`` alone still prints."""
    areas = multicast.add_subparsers(dest="area", metavar="AREA", required=False)
    boundary = areas.add_parser("boundary", help="add or remove a scoped boundary (MCAST_BOUNDARY)",
                                description="Add or remove an administratively scoped boundary (MCAST_BOUNDARY).")
    actions = boundary.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, what in (("add", "stop the range at an interface"), ("remove", "remove the boundary")):
        p = actions.add_parser(action, help=what, description=f"{what.capitalize()} (ROWSTATUS_"
                               f"{'CREATEANDGO' if action == 'add' else 'DESTROY'}).")  # fmt: skip
        p.add_argument("prefix", type=_prefix_arg, metavar="PREFIX", help="the scoped range, in 239.0.0.0/8, "
                       "e.g. 239.192.0.0/14")  # fmt: skip
        p.add_argument("--if", dest="if_index", type=int, required=True, metavar="INDEX", help="interface index")
        _add_common(p, top=False)


def _add_writes(sub: Any) -> None:
    route = sub.add_parser("route", help="add, change or delete a route", description="Add, change or delete a route.")
    actions = route.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, what in (("add", "add a route"), ("set", "change a route"), ("delete", "delete a route")):
        p = actions.add_parser(action, help=what, description=f"{what.capitalize()} (MS-RRASM's ROUTE_MATCHING).")
        p.add_argument("prefix", type=_prefix_arg, metavar="PREFIX", help="the destination, e.g. 10.1.0.0/16")
        p.add_argument("next_hop", type=_address_arg, metavar="NEXT_HOP", help="the next hop address")
        p.add_argument("--if", dest="if_index", type=int, required=True, metavar="INDEX", help="interface index")
        p.add_argument("--proto", type=_enum_arg(RouteProto), default=RouteProto.NETMGMT,
                       help="who owns the route (default: netmgmt)")  # fmt: skip
        if action != "delete":
            p.add_argument("--metric", type=int, default=1, help="the primary metric (default: 1)")
            p.add_argument("--type", type=_enum_arg(RouteType), default=RouteType.INDIRECT,
                           help="direct or indirect (default: indirect)")  # fmt: skip
        _add_common(p, top=False)
    settings = sub.add_parser("set", help="set IP forwarding, the default TTL or an interface's admin status",
                              description="Set IP forwarding or the default TTL (IP_STATS), or an "
                                          "interface's admin status (IF_ROW).")  # fmt: skip
    what = settings.add_subparsers(dest="setting", metavar="SETTING", required=True)
    forwarding = what.add_parser("forwarding", help="turn IP forwarding on or off")
    forwarding.add_argument("state", choices=["on", "off"])
    _add_common(forwarding, top=False)
    ttl = what.add_parser("ttl", help="the default time to live, 1..255")
    ttl.add_argument("ttl", type=int)
    _add_common(ttl, top=False)
    admin = what.add_parser("if-admin", help="bring an interface administratively up or down",
                            description="Bring an interface administratively up or down (IF_ROW).")  # fmt: skip
    admin.add_argument("if_index", type=int, metavar="INDEX", help="interface index")
    admin.add_argument("status", choices=["up", "down"])
    _add_common(admin, top=False)
    # Listed here for --help; main() hands "mprapi exporter ..." to the exporter's own parser
    # before this one parses anything, so this entry only parses when options come before it.
    sub.add_parser("exporter", add_help=False, help="serve Prometheus metrics; see mprapi exporter --help")


def _write(srv: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Make the write ``args`` ask for; what was sent (checked before any call) and the answer."""
    sent: dict[str, Any]
    if args.command == "route":
        net = args.prefix
        common = {"dest": net.network_address, "mask": net.netmask, "next_hop": args.next_hop,
                  "if_index": args.if_index, "proto": args.proto}  # fmt: skip
        if args.action == "delete":
            route = IpForwardRow(**common, type=RouteType.INDIRECT, metric1=1)  # type and metric are not sent
            sent = {"call": "MprAdminMIBEntryDelete", "request": _wire.delete_query(route).hex(),
                    "names": {name: getattr(route, name) for name in IpForwardRow._delete_key}}  # fmt: skip
            apply: Callable[[], None] = lambda: srv.delete_route(route)  # noqa: E731
        else:
            # No preference: MS-RRASM 3.1.4.27/29 has the server set it to 0x7F whatever is sent.
            row = route_write(IpForwardRow(**common, type=args.type, metric1=args.metric))
            call = "MprAdminMIBEntryCreate" if args.action == "add" else "MprAdminMIBEntrySet"
            sent = {"call": call, "request": _wire.opaque_info(row).hex(), "row": row}
            apply = (lambda: srv.create_route(row)) if args.action == "add" else (lambda: srv.set_route(row))
    elif args.command == "arp":
        if args.action == "delete":
            query = arp_delete_query(args.if_index, args.addr)
            sent = {"call": "MprAdminMIBEntryDelete", "request": query.hex(),
                    "names": {"if_index": args.if_index, "addr": args.addr}}  # fmt: skip
            apply = lambda: srv.delete_arp_entry(args.if_index, args.addr)  # noqa: E731
        else:
            entry = arp_write(IpNetRow(index=args.if_index, phys_addr=args.phys_addr, addr=args.addr, type=args.type))
            call = "MprAdminMIBEntryCreate" if args.action == "add" else "MprAdminMIBEntrySet"
            sent = {"call": call, "request": _wire.opaque_info(entry).hex(), "row": entry}
            write = srv.create_arp_entry if args.action == "add" else srv.set_arp_entry
            apply = lambda: write(entry)  # noqa: E731
    elif args.command == "multicast":
        net = args.prefix
        status = ROWSTATUS_CREATEANDGO if args.action == "add" else ROWSTATUS_DESTROY
        boundary = boundary_write(args.if_index, net.network_address, net.netmask, status)
        sent = {"call": "MprAdminMIBEntrySet", "request": _wire.opaque_info(boundary).hex(), "row": boundary}
        change = srv.add_mcast_boundary if args.action == "add" else srv.remove_mcast_boundary
        apply = lambda: change(args.if_index, net.network_address, net.netmask)  # noqa: E731
    elif args.setting == "if-admin":
        status = IfAdminStatus.UP if args.status == "up" else IfAdminStatus.DOWN
        if_row = admin_status_write(args.if_index, status)
        sent = {"call": "MprAdminMIBEntrySet", "request": _wire.opaque_info(if_row).hex(),
                "if_index": args.if_index, "admin_status": status}  # fmt: skip
        apply = lambda: srv.set_if_admin_status(args.if_index, status)  # noqa: E731
    elif args.setting == "forwarding":
        sent = {"call": "MprAdminMIBEntrySet", "forwarding": args.state}
        apply = lambda: srv.set_forwarding(args.state == "on")  # noqa: E731
    else:
        if not 1 <= args.ttl <= 255:
            raise ValueError(f"ttl must be in 1..255, not {args.ttl}")
        sent = {"call": "MprAdminMIBEntrySet", "default_ttl": args.ttl}
        apply = lambda: srv.set_default_ttl(args.ttl)  # noqa: E731
    try:
        apply()
    except MprError as error:
        return {"sent": sent, "answer": {"winerror": error.winerror, "message": error.strerror}}
    return {"sent": sent, "answer": {"winerror": 0, "message": "done"}}


def _write_text(result: dict[str, Any]) -> str:
    sent, answer = result["sent"], result["answer"]
    request = bytes.fromhex(sent.get("request", ""))
    lines = [f"{sent['call']}: {request.hex(' ', 4)}".rstrip()]
    lines.append(f"router: {answer['message']}" + (f" ({answer['winerror']})" if answer["winerror"] else ""))
    return "\n".join(lines) + "\n"


# ------------------------------------------------------ remote access writes

_HANDLE_MAX = 2 ** (struct.calcsize("P") * 8) - 1
"""The largest handle a HANDLE of this Python's size holds."""

_WRITE_CALLS = {
    # (command, action): (the API function, the AdminServer method, what it does, for the prompt)
    ("disconnect", None): ("MprAdminPortDisconnect", "disconnect_port", "disconnect"),
    ("ports", "reset"): ("MprAdminPortReset", "reset_port", "reset"),
    ("ports", "clear-stats"): ("MprAdminPortClearStats", "clear_port_stats", "clear the statistics of"),
    ("connections", "clear-stats"): ("MprAdminConnectionClearStats", "clear_connection_stats",
                                     "clear the statistics of"),
}  # fmt: skip


def _handle_arg(text: str) -> int:
    """A port or connection handle as a read shows it: decimal or 0x hex, 1 .. the pointer size's maximum."""
    digits = text[2:] if text[:2].lower() == "0x" else text
    base = 16 if digits is not text else 10
    valid = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
    value = int(digits, base) if digits and all(c in valid for c in digits) else 0
    if not 0 < value <= _HANDLE_MAX:
        raise argparse.ArgumentTypeError(f"not a handle (decimal or 0x hex, 1 to {_HANDLE_MAX:#x}): {text!r}")
    return value


def _user_arg(text: str) -> str:
    if not text.strip() or "\0" in text or text.count("\\") > 1:
        raise argparse.ArgumentTypeError(f"not a user name (NAME or DOMAIN\\NAME): {text!r}")
    return text


def _add_yes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-y", "--yes", action="store_true", default=False,
                        help="do it without asking (needed when stdin is not a terminal)")  # fmt: skip


def _add_remote_access_writes(parser: argparse.ArgumentParser, name: str) -> None:
    """``mprapi ports reset|clear-stats PORT``, ``mprapi connections clear-stats HANDLE``; alone, they still print."""
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=False)
    what: tuple[tuple[str, str], ...]
    if name == "ports":
        what = (("reset", "reset a port (MprAdminPortReset)"),
                ("clear-stats", "clear a port's statistics (MprAdminPortClearStats)"))  # fmt: skip
    else:
        what = (("clear-stats", "clear a connection's statistics (MprAdminConnectionClearStats)"),)
    for action, help_text in what:
        p = actions.add_parser(action, help=help_text, description=f"{help_text[0].upper()}{help_text[1:]}.")
        if name == "ports":
            p.add_argument("port", type=_handle_arg, metavar="PORT",
                           help="the port's handle, as `mprapi ports` shows it")  # fmt: skip
        else:
            p.add_argument("connection", type=_handle_arg, metavar="HANDLE",
                           help="the connection's handle, as `mprapi connections` shows it")  # fmt: skip
        _add_yes(p)
        _add_common(p, top=False)


def _add_disconnect(sub: Any) -> None:
    p = sub.add_parser(
        "disconnect", help="disconnect a remote access port, or every port of a user (MprAdminPortDisconnect)",
        description="Disconnect a port, or every port of every connection of a user (MprAdminPortDisconnect).",
    )  # fmt: skip
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("port", type=_handle_arg, nargs="?", metavar="PORT",
                       help="the port's handle, as `mprapi ports` shows it (decimal or 0x hex)")  # fmt: skip
    which.add_argument("--user", type=_user_arg, metavar="NAME",
                       help="every connection of this user: NAME or DOMAIN\\NAME, any case")  # fmt: skip
    _add_yes(p)
    _add_common(p, top=False)


def _is_write(args: argparse.Namespace) -> bool:
    return args.command == "disconnect" or (args.command in ("ports", "connections") and args.action is not None)


def _user_matches(wanted: str, name: str | None, domain: str | None) -> bool:
    """``user`` matches that user in any domain; ``DOMAIN\\user`` only there; any case."""
    if not name:
        return False
    wanted = wanted.casefold()
    return wanted in (name.casefold(), f"{domain or ''}\\{name}".casefold())


def _connection_user(srv: Any, handle: int) -> str | None:
    """The user of a connection (RAS_CONNECTION_0), or None when it has none or is gone."""
    try:
        row = srv.connection(handle, 0)
    except MprError:
        return None
    return _user(row.user_name, row.logon_domain)


def _plan(srv: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    """What the write ``args`` asks for will touch, one dict a port (or the connection), read before any write."""
    call = _WRITE_CALLS[args.command, getattr(args, "action", None)][0]
    if args.command == "connections":
        ports = srv.ports(0, connection=args.connection)
        return [{"call": call, "port": None, "port_name": None,
                 "tunnel": ports[0].tunnel if ports else None, "connection": args.connection,
                 "user": _connection_user(srv, args.connection)}]  # fmt: skip
    if args.command == "disconnect" and args.user is not None:
        users = {c.handle: _user(c.user_name, c.logon_domain)
                 for c in srv.connections(0) if _user_matches(args.user, c.user_name, c.logon_domain)}  # fmt: skip
        if not users:
            return []
        ports = [port for port in srv.ports(0) if port.connection_handle in users]
    else:
        ports = [srv.port(args.port, 0)]
        users = {}
        if ports[0].connection_handle:
            users[ports[0].connection_handle] = _connection_user(srv, ports[0].connection_handle)
    return [{"call": call, "port": port.handle, "port_name": port.port_name, "tunnel": port.tunnel,
             "connection": port.connection_handle or None, "user": users.get(port.connection_handle)}
            for port in ports]  # fmt: skip


def _apply(srv: Any, args: argparse.Namespace, plan: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Make each write of ``plan``, on to the next whatever the server answers; each with its answer."""
    method = getattr(srv, _WRITE_CALLS[args.command, getattr(args, "action", None)][1])
    done = []
    for item in plan:
        try:
            method(item["connection"] if item["port"] is None else item["port"])
        except MprError as error:
            answer = {"winerror": error.winerror, "message": " ".join(str(error.strerror).split())}
        else:
            answer = {"winerror": 0, "message": "done"}
        done.append({**item, "answer": answer})
    return done


def _plan_text(plan: Sequence[dict[str, Any]]) -> str:
    done = bool(plan) and "answer" in plan[0]
    headers = ("Port", "Name", "Tunnel", "Connection", "User") + (("Result",) if done else ())
    rows = []
    for item in plan:
        row: tuple[str, ...] = (_handle_cell(item["port"]), _cell(item["port_name"]), _cell(item["tunnel"]),
                                _handle_cell(item["connection"]), _cell(item["user"]))  # fmt: skip
        if done:
            answer = item["answer"]
            row += (answer["message"] + (f" ({answer['winerror']})" if answer["winerror"] else ""),)
        rows.append(row)
    return _columns(headers, rows, right=(0, 3))


def _can_ask() -> bool:
    stdin = sys.stdin
    return stdin is not None and stdin.isatty()


def _confirm(args: argparse.Namespace, plan: Sequence[dict[str, Any]], server: str) -> bool:
    """Show ``plan`` on stderr and ask; True for an answer of y or yes."""
    what = _WRITE_CALLS[args.command, getattr(args, "action", None)][2]
    ports = sum(item["port"] is not None for item in plan)
    target = f"{ports} port{'s' if ports != 1 else ''}" if ports else "1 connection"
    sys.stderr.write(_plan_text(plan))
    sys.stderr.write(f"{what.capitalize()} {target} on {server}? [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):  # end of input: say so on its own line
        sys.stderr.write("\n")
    return answer.strip().lower() in ("y", "yes")


def _remote_access_write(args: argparse.Namespace, names: list[str], connect: Connect) -> int:
    """``mprapi disconnect ...``, ``ports reset|clear-stats``, ``connections clear-stats``: read, ask, write."""
    if not args.yes and not _can_ask():
        print("mprapi: stdin is not a terminal to confirm on: give --yes to make this change", file=sys.stderr)
        return 2
    server = names[0] if names else ""
    opened = lambda name: _Opened(connect, name or None)  # noqa: E731
    try:
        plan = read_within(server, lambda o: _plan(o.server, args), timeout=args.timeout, connect=opened).result()
        if not plan:
            who = f"user {args.user}" if getattr(args, "user", None) else "that"
            print(f"mprapi: no connection of {who} on {server or 'this machine'}: nothing sent", file=sys.stderr)
            return 1
        if not args.yes and not _confirm(args, plan, server or "this machine"):
            print("mprapi: not confirmed: nothing sent", file=sys.stderr)
            return 1
        done = read_within(server, lambda o: _apply(o.server, args, plan), timeout=args.timeout,
                           connect=opened).result()  # fmt: skip
    except (OSError, ValueError, TypeError) as exc:
        _report(exc)
        return 1
    except KeyboardInterrupt:
        return 130
    _emit(_json_text(done) if args.json else _plan_text(done))
    refused = [item for item in done if item["answer"]["winerror"]]
    for item in refused:
        answer = item["answer"]
        what = f"port {item['port']:#x}" if item["port"] is not None else f"connection {item['connection']:#x}"
        print(f"mprapi: the router refused {item['call']} for {what}: {answer['message']} ({answer['winerror']})",
              file=sys.stderr)  # fmt: skip
    return 1 if refused else 0


def _report(exc: BaseException, server: str | None = None) -> None:
    """The one-line message for a router's error on stderr, and the hint, if any, on the next."""
    prefix = f"mprapi: {server}: " if server else "mprapi: "
    print(prefix + _one_line(exc), file=sys.stderr)
    hint = _hint(exc)
    if hint is not None:
        print(prefix + hint, file=sys.stderr)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def main(argv: Sequence[str] | None = None, *, connect: Connect | None = None) -> int:
    """Run the ``mprapi`` command; returns the exit status.

    ``connect`` (for tests) replaces ``mprapi_cffi.connect``.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:2] == ["exporter", "service"]:  # the exporter as a Windows service: its own actions
        from .exporter.service import main as service_main

        return service_main(argv[2:])
    if argv[:1] == ["exporter"]:  # a server with options of its own: mprapi_cffi.exporter parses them
        from .exporter import main as exporter_main

        return exporter_main(argv[1:])
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors (2)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)

    if args.command == "exporter":  # mprapi --json exporter ...: the exporter has options of its own
        print("mprapi: give the exporter's options after it: mprapi exporter [--listen HOST:PORT] ...; "
              "see mprapi exporter --help", file=sys.stderr)
        return 2
    remote_write = args.command in _REMOTE_ACCESS and _is_write(args)
    writing = remote_write or args.command in ("route", "set") or getattr(args, "action", None) is not None
    connect = connect or (_admin_connect if args.command in _REMOTE_ACCESS else _package_connect)
    try:
        names, many = _server_names(args)
    except _UsageError as exc:
        print(f"mprapi: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"mprapi: {_one_line(exc)}", file=sys.stderr)
        return 1
    if many:
        if writing:
            print("mprapi: writes go to one router at a time: give one --server", file=sys.stderr)
            return 2
        return _ask_many(names, args, connect)
    if remote_write:
        return _remote_access_write(args, names, connect)
    # One router goes through the same engine as many (fleet.read_within): --timeout counts for it too.
    job: Callable[[Any], Any] = (lambda opened: _write(opened.server, args)) if writing else \
        (lambda opened: _fetch(opened.server, args))
    text: Callable[[Any], str] = _write_text if writing else _COMMANDS[args.command][2]
    try:
        result = read_within(names[0] if names else "", job, timeout=args.timeout,
                             connect=lambda name: _Opened(connect, name or None))  # fmt: skip
        data = result.result()
        output = _json_text(data) if args.json else text(data)
        _emit(output)
    except (OSError, ValueError, TypeError) as exc:  # MprError is an OSError; bad values are refused
        _report(exc)
        return 1
    except KeyboardInterrupt:
        return 130
    if writing and data["answer"]["winerror"]:
        print(f"mprapi: the router refused: {data['answer']['message']} ({data['answer']['winerror']})",
              file=sys.stderr)  # fmt: skip
        return 1
    return 0


def _emit(text: str) -> None:
    """Write ``text`` to stdout; what its encoding cannot hold is written as escapes (\\u2260).

    Piped or redirected on Windows, stdout has the ANSI code page, which lacks
    most of what an interface's name may hold: a table must not fail for that.
    """
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        text = text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:  # an encoding Python does not know: let the stream decide
        pass
    sys.stdout.write(text)
    sys.stdout.flush()


def _fetch(srv: Any, args: argparse.Namespace) -> Any:
    """What the read command ``args`` names gives for ``srv``."""
    fetch = _COMMANDS[args.command][1]
    return fetch(srv, args) if args.command in _ARGUMENTS else fetch(srv)


# ------------------------------------------------------------- many routers

ERROR_TIMEOUT = 1460
"""The winerror the JSON output gives a router that did not answer within --timeout."""


class _UsageError(Exception):
    pass


def _server_names(args: argparse.Namespace) -> tuple[list[str], bool]:
    """The routers asked, in order, once each; and whether they are asked as a fleet."""
    names = [*args.servers, *getattr(args, "more_servers", [])]
    if args.servers_file is not None:
        with open(args.servers_file, encoding="utf-8") as f:
            listed = [line.split("#", 1)[0].strip() for line in f]
        listed = [name for name in listed if name]
        if not listed:
            raise _UsageError(f"{args.servers_file} names no router")
        names += listed
    for name in names:
        if "\0" in name:
            raise _UsageError("a router name contains a NUL character")
    names = list(dict.fromkeys(names))
    return names, len(names) > 1 or args.servers_file is not None


class _Opened:
    """A router opened through a ``connect`` context manager, for poll(), which closes it once."""

    def __init__(self, connect: Connect, name: str | None) -> None:
        self._context = connect(name)
        self.server = self._context.__enter__()

    def close(self) -> None:
        self._context.__exit__(None, None, None)


def _progress(total: int) -> Any:
    """A progress bar on stderr for a poll of ``total`` routers; None off a terminal or without tqdm."""
    if total < 2 or not sys.stderr.isatty():
        return None
    try:
        tqdm = importlib.import_module("tqdm").tqdm  # untyped
    except ImportError:  # the optional "progress" extra
        return None
    # delay: a poll that ends at once shows no bar at all.
    return tqdm(total=total, file=sys.stderr, unit="router", delay=0.5, leave=False)


def _error_json(error: BaseException) -> dict[str, Any]:
    if isinstance(error, TimeoutError):
        return {"winerror": ERROR_TIMEOUT, "message": str(error)}
    if isinstance(error, MprError):
        return {"winerror": error.winerror, "message": " ".join(str(error.strerror).split())}
    return {"winerror": getattr(error, "winerror", None), "message": _one_line(error)}


def _ask_many(names: list[str], args: argparse.Namespace, connect: Connect) -> int:
    """Ask every router at once; print a section (or a JSON member) per router, in the order given."""
    results: dict[str, PollResult[Any]] = {}
    bar = _progress(len(names))
    try:
        polled = poll(names, lambda opened: _fetch(opened.server, args), timeout=args.timeout,
                      connect=lambda name: _Opened(connect, name))  # fmt: skip
        for result in polled:
            results[result.server] = result
            if bar is not None:
                bar.update()
    except KeyboardInterrupt:
        return 130
    finally:
        if bar is not None:
            bar.close()
    for result in results.values():
        if not result.ok and not isinstance(result.error, (OSError, ValueError, TypeError)):
            raise result.error  # type: ignore[misc]  # a bug, not a router's answer
    ordered = [results[name] for name in names]
    if args.json:
        data = {r.server: _json_value(r.value) if r.ok else {"error": _error_json(r.error)}  # type: ignore[arg-type]
                for r in ordered}  # fmt: skip
        _emit(json.dumps(data, indent=2) + "\n")
    else:
        render = _COMMANDS[args.command][2]
        _emit("\n".join(
            f"== {r.server} ==\n" + (render(r.value) if r.ok else f"error: {_one_line(r.error)}\n")  # type: ignore[arg-type]
            for r in ordered
        ))  # fmt: skip
    for r in ordered:
        if not r.ok:
            _report(r.error, r.server)  # type: ignore[arg-type]
    return 0 if all(r.ok for r in ordered) else 1
