"""The ``mprapi`` command: read a router's MIB tables and print them.

    mprapi [--server NAME] [--json] {interfaces,addresses,routes,arp,stats,proxy-arp,if-status,multicast}
    mprapi [--server NAME] [--json] best-route ADDRESS [--source ADDRESS]
    mprapi [--server NAME] [--json] best-interface ADDRESS
    mprapi exporter [--listen HOST:PORT] [--server NAME ...] [--timeout SECONDS]
    mprapi --version

Tables print as aligned columns, the way ``route print`` and ``netsh`` do;
``--json`` prints a JSON list of objects keyed by the row field names (for
``stats``: one object with keys ``ip``, ``icmp``, ``tcp``, ``udp``), with
addresses as strings, ``phys_addr`` as ``aa-bb-cc-dd-ee-ff`` and enumerations
as their int value.

Exit status: 0 on success; 1 when the router cannot be read (``MprError``, an
``OSError`` such as "only on Windows", or a malformed reply), with a one-line
message on stderr; 2 on a usage error.
"""

from __future__ import annotations

import argparse
import enum
import json
import sys
import textwrap
from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import AbstractContextManager
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from . import __version__, _wire
from .errors import MprError
from .mib import AddrType, IfStatus, IpDestRow, IpForwardRow, McastIfEntry, RouteProto, RouteType, route_write
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
    return _columns(
        ("Destination", "Next hop", "If", "Metric", "Protocol", "Type"),
        (
            (
                _prefix(r.dest, r.mask),
                str(r.next_hop),
                str(r.if_index),
                str(r.metric1),
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
    return _routes_text([route])


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
    return "\n".join(lines)


def _json_value(value: Any) -> Any:
    """Row values for JSON: addresses as strings, bytes as aa-bb-.., enums as ints."""
    if isinstance(value, IPv4Address):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return _mac(bytes(value))
    if isinstance(value, (enum.IntEnum, enum.IntFlag)):
        return int(value)
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
    }


def _address_arg(text: str) -> IPv4Address:
    try:
        return IPv4Address(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an IPv4 address: {text!r}") from None


def _add_address(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("address", type=_address_arg, metavar="ADDRESS", help="the destination")


def _add_best_route_args(parser: argparse.ArgumentParser) -> None:
    _add_address(parser)
    parser.add_argument("--source", type=_address_arg, default=IPv4Address("0.0.0.0"), metavar="ADDRESS",
                        help="the source address (default: any)")  # fmt: skip


_COMMANDS: dict[str, tuple[str, Callable[..., Any], Callable[[Any], str]]] = {
    # name: (help, fetch(server, args), render as text)
    "interfaces": (
        "the interface table (MIB_IFTABLE)", lambda s: s.if_table(), _interfaces_text
    ),
    "addresses": (
        "the address table (MIB_IPADDRTABLE)", lambda s: s.ip_addr_table(), _addresses_text
    ),
    "routes": (
        "the route table (MIB_IPFORWARDTABLE)", lambda s: s.ip_forward_table(), _routes_text
    ),
    "arp": ("the ARP table (MIB_IPNETTABLE)", lambda s: s.ip_net_table(), _arp_text),
    "stats": ("IP, ICMP, TCP and UDP statistics, IPv4 and IPv6", _stats, _stats_text),
    "best-route": (
        "the route the router would use to reach ADDRESS (BEST_ROUTE)",
        lambda s, a: s.best_route(a.address, a.source), _best_route_text,
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
}

_ARGUMENTS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "best-route": _add_best_route_args,
    "best-interface": _add_address,
}


def _add_common(parser: argparse.ArgumentParser, top: bool) -> None:
    # --server and --json are accepted before or after the command; after it,
    # they only override what was given before (hence SUPPRESS, not a default).
    parser.add_argument(
        "--server", metavar="NAME", default=None if top else argparse.SUPPRESS,
        help="the router to ask (default: this machine)",
    )  # fmt: skip
    parser.add_argument(
        "--json", action="store_true", default=False if top else argparse.SUPPRESS,
        help="print JSON instead of columns",
    )  # fmt: skip


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mprapi",
        description="Read a Windows router's MIB tables (Router Management MIB API).",
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
        _add_common(command, top=False)
    _add_writes(sub)
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
            p.add_argument("--preference", type=int, default=0, help="the route's preference (default: 0)")
        _add_common(p, top=False)
    settings = sub.add_parser("set", help="set IP forwarding or the default TTL",
                              description="Set IP forwarding or the default TTL (IP_STATS).")  # fmt: skip
    what = settings.add_subparsers(dest="setting", metavar="SETTING", required=True)
    forwarding = what.add_parser("forwarding", help="turn IP forwarding on or off")
    forwarding.add_argument("state", choices=["on", "off"])
    _add_common(forwarding, top=False)
    ttl = what.add_parser("ttl", help="the default time to live, 1..255")
    ttl.add_argument("ttl", type=int)
    _add_common(ttl, top=False)


def _write(srv: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Make the write ``args`` ask for; what was sent (checked before any call) and the answer."""
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
            row = route_write(IpDestRow(route=IpForwardRow(**common, type=args.type, metric1=args.metric),
                                        preference=args.preference))  # fmt: skip
            call = "MprAdminMIBEntryCreate" if args.action == "add" else "MprAdminMIBEntrySet"
            sent = {"call": call, "request": _wire.opaque_info(row).hex(), "row": row}
            apply = (lambda: srv.create_route(row)) if args.action == "add" else (lambda: srv.set_route(row))
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


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def main(argv: Sequence[str] | None = None, *, connect: Connect | None = None) -> int:
    """Run the ``mprapi`` command; returns the exit status.

    ``connect`` (for tests) replaces ``mprapi_cffi.connect``.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["exporter"]:  # a server with options of its own: mprapi_cffi.exporter parses them
        from .exporter import main as exporter_main

        return exporter_main(argv[1:])
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors (2)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)

    writing = args.command in ("route", "set")
    try:
        with (connect or _package_connect)(args.server) as srv:
            if writing:
                data = _write(srv, args)
                text: Callable[[Any], str] = _write_text
            else:
                _, fetch, text = _COMMANDS[args.command]
                data = fetch(srv, args) if args.command in _ARGUMENTS else fetch(srv)
        output = _json_text(data) if args.json else text(data)
        sys.stdout.write(output)
        sys.stdout.flush()
    except (OSError, ValueError, TypeError) as exc:  # MprError is an OSError; bad values are refused
        print(f"mprapi: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    if writing and data["answer"]["winerror"]:
        print(f"mprapi: the router refused: {data['answer']['message']} ({data['answer']['winerror']})",
              file=sys.stderr)  # fmt: skip
        return 1
    return 0
