"""``mprapi exporter``: its options, and main()."""

from __future__ import annotations

import argparse
import logging
import math
import sys
from collections.abc import Sequence

from .httpd import DEFAULT_MAX_CONNECTIONS, ExporterServer, make_server
from .scrape import DEFAULT_MAX_READS, DEFAULT_RAS_CONNECTIONS_LIMIT, DEFAULT_SCRAPE_TIMEOUT, TIMEOUT_OFFSET, Exporter
from .targets import read_servers_file
from .webconfig import load_web_config

log = logging.getLogger("mprapi_cffi.exporter")  # the package logs under one name

DEFAULT_LISTEN = "127.0.0.1:9425"


def _listen_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"not HOST:PORT: {text!r}")
    return host.removeprefix("[").removesuffix("]") or "0.0.0.0", int(port)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {text!r}")
    return value


def _count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        raise argparse.ArgumentTypeError(f"not a whole number from 1 to 100000: {text!r}")
    return int(text)


def _limit(text: str) -> int:
    if not text.isdigit() or int(text) > 1_000_000:
        raise argparse.ArgumentTypeError(f"not a whole number from 0 to 1000000: {text!r}")
    return int(text)


def parser() -> argparse.ArgumentParser:
    """The exporter's options (``mprapi exporter --help``)."""
    parser = argparse.ArgumentParser(
        prog="mprapi exporter",
        description="Serve RRAS routers' MIB to Prometheus, with snmp_exporter's if_mib names, and their remote "
        "access (VPN) connections and ports as mprapi_ras_*: GET /metrics?target=ROUTER reads that router on each "
        "scrape. "
        "As a Windows service: mprapi exporter service install|remove|start|stop [OPTIONS].",
    )
    parser.add_argument("--listen", type=_listen_address, default=DEFAULT_LISTEN, metavar="HOST:PORT",
                        help=f"where to serve HTTP (default {DEFAULT_LISTEN}; port 0: any free port)")
    parser.add_argument("--server", dest="servers", action="append", default=[], metavar="NAME",
                        help="a router that may be scraped, or a pattern of them (edge-*); repeat for more")
    parser.add_argument("--servers-file", metavar="FILE",
                        help="more routers or patterns that may be scraped, one a line (# starts a comment)")
    parser.add_argument("--allow-any-target", action="store_true",
                        help="let a scrape name any router (then any client that reaches the exporter chooses "
                             "the hosts it connects to with its Windows credentials)")
    parser.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                        help="the most seconds a scrape may read a router (default: Prometheus's scrape timeout "
                             f"less {TIMEOUT_OFFSET:g} s, {DEFAULT_SCRAPE_TIMEOUT:g} s when it does not say)")
    parser.add_argument("--max-reads", type=_count, default=DEFAULT_MAX_READS, metavar="N",
                        help=f"the most routers read at once, hung ones included (default {DEFAULT_MAX_READS}); "
                             "a scrape past it answers mprapi_up 0 at once")
    parser.add_argument("--max-connections", type=_count, default=DEFAULT_MAX_CONNECTIONS, metavar="N",
                        help=f"the most HTTP connections served at once (default {DEFAULT_MAX_CONNECTIONS})")
    parser.add_argument("--no-ras", dest="ras", action="store_false",
                        help="read the MIB only: no remote access reads, no mprapi_ras_* metrics (for routers that "
                             "are not remote access servers)")
    parser.add_argument("--ras-connections-detail", action="store_true",
                        help="also one series per remote access connection (user, tunnel, duration, bytes): as many "
                             "series per metric as there are connections")
    parser.add_argument("--ras-connections-limit", type=_limit, default=DEFAULT_RAS_CONNECTIONS_LIMIT, metavar="N",
                        help="the most connections of a router --ras-connections-detail shows (default "
                             f"{DEFAULT_RAS_CONNECTIONS_LIMIT}; the oldest first; "
                             "mprapi_ras_connection_series_dropped counts the others)")
    parser.add_argument("--web.config.file", dest="web_config", metavar="FILE",
                        help="TLS and basic authentication, in exporter-toolkit's format (as node_exporter's)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"],
                        help="what to log (default: info; debug shows each request)")
    return parser  # fmt: skip


def build(args: argparse.Namespace) -> ExporterServer:
    """The server the options ask for; OSError, ValueError or ImportError if it cannot be built."""
    servers = list(args.servers)
    if args.servers_file:
        servers += read_servers_file(args.servers_file)
    exporter = Exporter(servers=servers, allow_any_target=args.allow_any_target, timeout=args.timeout,
                        max_reads=args.max_reads, ras=args.ras, ras_connections_detail=args.ras_connections_detail,
                        ras_connections_limit=args.ras_connections_limit)  # fmt: skip
    web = load_web_config(args.web_config) if args.web_config else None
    host, port = args.listen
    server = make_server(exporter, host, port, web_config=web, max_connections=args.max_connections)
    if args.allow_any_target:
        log.warning("any target may be scraped (--allow-any-target): every client that reaches this exporter "
                    "chooses which hosts it connects to, with its Windows credentials")  # fmt: skip
    elif exporter.targets.allows_nothing:
        log.warning("no target may be scraped: give --server NAME (or a pattern, or --servers-file)")
    else:
        log.info("targets: %s", exporter.targets.describe())
    if server.web.ssl_context is None and not server.web.users and host not in ("127.0.0.1", "::1", "localhost"):
        log.warning("serving plain HTTP with no authentication on %s: see --web.config.file", host)
    return server


def listening_url(server: ExporterServer) -> str:
    """Where ``server`` listens, as a URL."""
    host, port = str(server.server_address[0]), int(server.server_address[1])
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if server.web.ssl_context is not None else 'http'}://{shown}:{port}/"


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``mprapi exporter``; returns the exit status (0 after Ctrl-C, 1 if it cannot start)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")  # fmt: skip
    try:
        server = build(args)
    except (ImportError, OSError, ValueError) as exc:
        print(f"mprapi exporter: {exc}", file=sys.stderr)
        return 1
    try:
        log.info("listening on %s", listening_url(server))
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        server.server_close()
    return 0
