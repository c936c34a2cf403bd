"""scrape/read: a whole scrape over HTTP against the same MIB reads made directly.

    tools/winlane.py python bench/bench_exporter.py [--rounds N] [--delay-ms MS]

Runs in the Windows lane (`make bench`, or the command above: Windows
CPython, the real extension, the stand-in router answering each call to the
bench's router after --delay-ms, 2 ms by default, as a router across a LAN
would).  Each round, interleaved and in alternating order:

- read: connect, if_table(), ip_stats(), ip_forward_number(), close, one
  after another in this thread: what a scrape reads, made directly
  (mprapi_cffi.exporter.read_router on one MibServer);
- scrape: GET /metrics?target=ROUTER from the exporter's HTTP server in this
  process, over a kept-alive connection as Prometheus scrapes, with the
  headers Prometheus sends, body read whole (the same reads, then the text
  written).

Printed as the median of each and ``scrape/read ratio: N.NNx``; target: at
most 1.25x (the exporter's own work is small beside a router's round trips).

The client is a few lines over a socket, as Prometheus's Go client is cheap
beside the exporter: http.client parses each answer's headers with the email
package, which under Wine costs about as much as the exporter's whole HTTP
side, and would be counted against the exporter.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(BENCH))
sys.path.insert(0, BENCH)

from bench_calls import load_router  # noqa: E402

TARGET = 1.25
ROUTER = "bench-router"
# What Prometheus 2.x sends with each scrape (its Accept and Accept-Encoding included: the
# exporter answers them as it would answer Prometheus).
REQUEST = (
    f"GET /metrics?target={ROUTER} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Prometheus/2.42.0\r\n"
    "Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\nAccept-Encoding: gzip\r\n"
    "X-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n"
).encode()


def median_times(variants: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """The median of `rounds` timings of each variant, in seconds, runs interleaved.

    Medians, not bests: each side waits for the stand-in's Sleep, whose best
    case says little of the usual one.
    """
    times: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for r in range(rounds):
        # Alternate the order so that neither always runs first.
        for name in names if r % 2 == 0 else names[::-1]:
            start = time.perf_counter()
            variants[name]()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


class _Client:
    """One kept-alive connection; get() sends REQUEST and returns the body (Content-Length framed)."""

    def __init__(self, port: int) -> None:
        # No socket timeout: with one, Python polls before each recv, which costs 2 ms a
        # response under Wine (Prometheus's Go client does not pay it).
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = b""

    def get(self) -> bytes:
        self.sock.sendall(REQUEST)
        data = self.pending
        while (end := data.find(b"\r\n\r\n")) < 0:
            data += self._recv()
        head, data = data[:end], data[end + 4 :]
        if not head.startswith(b"HTTP/1.1 200 "):
            raise SystemExit(f"the scrape failed: {head!r}")
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))  # fmt: skip
        while len(data) < length:
            data += self._recv()
        body, self.pending = data[:length], data[length:]
        return body

    def _recv(self) -> bytes:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise SystemExit("the exporter closed the connection")
        return chunk

    def close(self) -> None:
        self.sock.close()


def measure_exporter(router: Any, rounds: int, delay_ms: int = 2) -> dict[str, float]:
    """Median seconds of the direct reads and of a whole scrape over HTTP, interleaved.

    ``router`` is the stand-in (standin.Router), loaded before the extension
    was imported.  Also returns ``interfaces``, ``delay_ms`` and ``rounds``,
    for report_exporter.
    """
    import mprapi_cffi as mpr
    from mprapi_cffi import exporter
    from prometheus_client import CollectorRegistry

    router.set_server(ROUTER, delay_ms=delay_ms)
    server = exporter.make_server(exporter.Exporter(registry=CollectorRegistry()), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = _Client(server.server_address[1])

    def read() -> object:
        with mpr.MibServer(ROUTER) as router_server:
            return exporter.read_router(router_server)

    def scrape() -> object:
        body = client.get()
        if b"\nmprapi_up 1\n" not in body:
            raise SystemExit(f"the scrape did not read the router: {body[-200:]!r}")
        return body

    try:
        for warm_up in (read, scrape, read, scrape):
            warm_up()
        interfaces = len(read().interfaces)  # type: ignore[attr-defined]
        median = median_times({"read": read, "scrape": scrape}, rounds)
    finally:
        client.close()
        server.shutdown()
        server.server_close()
        router.reset()
    return {**median, "interfaces": interfaces, "delay_ms": delay_ms, "rounds": rounds}


def report_exporter(best: dict[str, float]) -> list[str]:
    """The lines that show measure_exporter's figures; the last is the ratio."""
    return [
        f"One router answering each MIB call in {best['delay_ms']:g} ms ({best['interfaces']:g} interfaces), "
        f"median of {best['rounds']:g} interleaved rounds:",
        f"  MIB reads made directly (connect, if_table, ip_stats, ip_forward_number, close) "
        f"{best['read'] * 1e3:7.2f} ms",
        f"  whole scrape over HTTP (GET /metrics?target=..., kept-alive connection)         "
        f"{best['scrape'] * 1e3:7.2f} ms",
        f"scrape/read ratio: {best['scrape'] / best['read']:.2f}x (target: at most {TARGET:.2f}x)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--delay-ms", type=int, default=2, help="the stand-in's delay per MIB call (default 2)")
    args = parser.parse_args()
    router = load_router()  # before anything imports the extension, which binds to it
    best = measure_exporter(router, args.rounds, args.delay_ms)
    print(f"Windows CPython {sys.version.split()[0]} under Wine")
    print("\n".join(report_exporter(best)))


if __name__ == "__main__":
    main()
