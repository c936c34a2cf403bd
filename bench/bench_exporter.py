"""The exporter's cost: a whole scrape over HTTP against the same MIB reads made directly.

    tools/winlane.py python bench/bench_exporter.py [--rounds N] [--delay-ms MS]

Runs in the Windows lane (Windows CPython, the real extension, the stand-in
router answering each call after --delay-ms, 2 ms by default, as a router
across a LAN would).  Each round, interleaved and in alternating order:

- read: connect, if_table(), ip_stats(), ip_forward_number(), close: what a
  scrape reads, made directly (mprapi_cffi.exporter.read_router);
- scrape: GET /metrics?target=ROUTER from the exporter's HTTP server in this
  process, over a kept-alive connection as Prometheus scrapes, body read
  whole (the same reads, through fleet.poll, then the text written).

Prints the median of each and ``scrape/read ratio: N.NNx``; target: at most
1.25x (the exporter's own work is small beside a router's round trips).
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.append(os.path.join(ROOT, "tests"))  # standin.py, the stand-in router's driver

from standin import load_router  # noqa: E402

TARGET = "bench-router"


def median_times(variants: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """The median of `rounds` timings of each variant, in seconds, runs interleaved."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for r in range(rounds):
        # Alternate the order so that neither always runs first.
        for name in names if r % 2 == 0 else names[::-1]:
            start = time.perf_counter()
            variants[name]()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--delay-ms", type=int, default=2, help="the stand-in's delay per MIB call (default 2)")
    args = parser.parse_args()

    router = load_router()  # before anything imports the extension, which binds to it
    import mprapi_cffi as mpr
    from mprapi_cffi import exporter
    from prometheus_client import CollectorRegistry

    router.reset()
    router.set_delay_ms(args.delay_ms)
    server = exporter.make_server(exporter.Exporter(registry=CollectorRegistry()), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # No socket timeout: with one, Python polls before each recv, which costs 2 ms a
    # response under Wine (Prometheus's Go client does not pay it).
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1])

    def read() -> object:
        with mpr.connect(TARGET) as router_server:
            return exporter.read_router(router_server)

    def scrape() -> object:
        connection.request("GET", f"/metrics?target={TARGET}", headers={"X-Prometheus-Scrape-Timeout-Seconds": "10"})
        response = connection.getresponse()
        body = response.read()
        if response.status != 200 or b"\nmprapi_up 1\n" not in body:
            raise SystemExit(f"the scrape failed: {response.status} {body[-200:]!r}")
        return body

    for warm_up in (read, scrape, read, scrape):
        warm_up()
    rows = len(read().interfaces)  # type: ignore[attr-defined]
    median = median_times({"read": read, "scrape": scrape}, args.rounds)
    connection.close()
    server.shutdown()
    server.server_close()
    router.reset()

    print(f"Windows CPython {sys.version.split()[0]} under Wine, the stand-in router answering each MIB call "
          f"in {args.delay_ms} ms ({rows} interfaces), median of {args.rounds} interleaved rounds:")
    print(f"  MIB reads made directly (connect, if_table, ip_stats, ip_forward_number, close): "
          f"{median['read'] * 1e3:7.2f} ms")
    print(f"  whole scrape over HTTP (GET /metrics?target=..., kept-alive connection):          "
          f"{median['scrape'] * 1e3:7.2f} ms")
    print(f"scrape/read ratio: {median['scrape'] / median['read']:.2f}x (target: at most 1.25x)")


if __name__ == "__main__":
    main()
