"""``mprapi exporter``: its options, and main()."""

from __future__ import annotations

import argparse
import logging
import math
import sys
from collections.abc import Sequence

from .deadlines import DEFAULT_SCRAPE_TIMEOUT, TIMEOUT_OFFSET
from .httpd import make_server
from .scrape import Exporter

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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mprapi exporter",
        description="Serve RRAS routers' MIB to Prometheus, with snmp_exporter's if_mib names: "
        "GET /metrics?target=ROUTER reads that router on each scrape.",
    )
    parser.add_argument("--listen", type=_listen_address, default=DEFAULT_LISTEN, metavar="HOST:PORT",
                        help=f"where to serve HTTP (default {DEFAULT_LISTEN}; port 0: any free port)")
    parser.add_argument("--server", dest="servers", action="append", metavar="NAME",
                        help="a router that may be scraped (repeat for more; default: any target)")
    parser.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                        help="the most seconds a scrape may read a router (default: Prometheus's scrape timeout "
                             f"less {TIMEOUT_OFFSET:g} s, {DEFAULT_SCRAPE_TIMEOUT:g} s when it does not say)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"],
                        help="what to log on stderr (default: info; debug shows each request)")
    return parser  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``mprapi exporter``; returns the exit status (0 after Ctrl-C, 1 if it cannot start)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")  # fmt: skip
    try:
        exporter = Exporter(servers=args.servers, timeout=args.timeout)
        host, port = args.listen
        server = make_server(exporter, host, port)
    except (ImportError, OSError) as exc:
        print(f"mprapi exporter: {exc}", file=sys.stderr)
        return 1
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    try:
        log.info("listening on http://%s:%d/", shown, bound_port)
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        server.server_close()
    return 0
