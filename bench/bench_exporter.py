"""scrape/rtt: a whole scrape over HTTPS with basic auth against one round trip to the router.

    tools/winlane.py python bench/bench_exporter.py [--rounds N] [--delay-ms MS]

Runs in the Windows lane (`make bench`, or the command above: Windows
CPython, the real extension, the stand-in router answering each call to the
bench's router after --delay-ms, 50 ms by default, as a router across a WAN
would).  Each round, interleaved and in alternating order:

- rtt: one MIB call (ip_forward_number()) on a MibServer bound once: one
  round trip to the router, the least a scrape can cost;
- scrape: GET /metrics?target=ROUTER from the exporter's server in this
  process, over HTTPS (tests/certs' certificate) with basic auth
  (--web.config.file's form), on a kept-alive connection as Prometheus
  scrapes, with the headers Prometheus sends, body read whole: a new binding,
  the scrape's six reads (three MIB, three admin, made together), the text written.

Printed as the median of each and ``scrape/rtt ratio: N.NNx``; target: at
most 1.5x (a scrape's reads go to the router together: one round trip, not
three).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import ssl
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, ROOT)
sys.path.insert(0, BENCH)

from bench_calls import load_router  # noqa: E402

TARGET = 1.5
ROUTER = "bench-router"
CERTS = os.path.join(ROOT, "tests", "certs")
USER, PASSWORD = "prometheus", "bench-password"
# What Prometheus 2.x sends with each scrape (the exporter answers them as it would answer Prometheus).
HEADERS = {
    "User-Agent": "Prometheus/2.42.0",
    "Accept": "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
              "text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    "X-Prometheus-Scrape-Timeout-Seconds": "10",
    "Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
}


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


def _web_config(folder: str) -> str:
    """A web config file with the tests' certificate and one bcrypt user (cost 10, as htpasswd -B makes)."""
    import bcrypt

    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(10)).decode()
    path = os.path.join(folder, "web.yml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"tls_server_config:\n  cert_file: {os.path.join(CERTS, 'localhost.pem')}\n"
                f"  key_file: {os.path.join(CERTS, 'localhost-key.pem')}\n"
                f"basic_auth_users:\n  {USER}: {hashed}\n")  # fmt: skip
    return path


def measure_exporter(router: Any, rounds: int, delay_ms: int = 50) -> dict[str, float]:
    """Median seconds of one round trip and of a whole scrape over HTTPS with basic auth, interleaved.

    ``router`` is the stand-in (standin.Router), loaded before the extension
    was imported.  Also returns ``interfaces``, ``delay_ms`` and ``rounds``,
    for report_exporter.
    """
    import mprapi_cffi as mpr
    from mprapi_cffi import exporter
    from prometheus_client import CollectorRegistry

    router.set_server(ROUTER, delay_ms=delay_ms)
    with tempfile.TemporaryDirectory() as folder:
        web = exporter.load_web_config(_web_config(folder))
    ex = exporter.Exporter(registry=CollectorRegistry(), servers=[ROUTER])
    server = exporter.make_server(ex, "127.0.0.1", 0, web_config=web)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = ssl.create_default_context(cafile=os.path.join(CERTS, "localhost.pem"))
    client = http.client.HTTPSConnection("127.0.0.1", server.server_address[1], context=context)
    bound = mpr.MibServer(ROUTER)

    def rtt() -> object:
        return bound.ip_forward_number()

    def scrape() -> object:
        client.request("GET", f"/metrics?target={ROUTER}", headers=HEADERS)
        response = client.getresponse()
        body = response.read()
        if response.status != 200 or b"\nmprapi_up 1\n" not in body:
            raise SystemExit(f"the scrape did not read the router: {response.status} {body[-200:]!r}")
        return body

    try:
        for warm_up in (rtt, scrape, rtt, scrape):
            warm_up()
        interfaces = len(bound.if_table())
        median = median_times({"rtt": rtt, "scrape": scrape}, rounds)
    finally:
        client.close()
        bound.close()
        server.shutdown()
        server.server_close()
        router.reset()
    return {**median, "interfaces": interfaces, "delay_ms": delay_ms, "rounds": rounds}


def report_exporter(best: dict[str, float]) -> list[str]:
    """The lines that show measure_exporter's figures; the last is the ratio."""
    return [
        f"One router answering each MIB call in {best['delay_ms']:g} ms ({best['interfaces']:g} interfaces), "
        f"median of {best['rounds']:g} interleaved rounds:",
        f"  one round trip (ip_forward_number on a bound MibServer)                          "
        f"{best['rtt'] * 1e3:7.2f} ms",
        f"  whole scrape over HTTPS with basic auth (connect, six reads at once, the text) "
        f"{best['scrape'] * 1e3:7.2f} ms",
        f"scrape/rtt ratio: {best['scrape'] / best['rtt']:.2f}x (target: at most {TARGET:.2f}x)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--delay-ms", type=int, default=50, help="the stand-in's delay per MIB call (default 50)")
    args = parser.parse_args()
    router = load_router()  # before anything imports the extension, which binds to it
    best = measure_exporter(router, args.rounds, args.delay_ms)
    print(f"Windows CPython {sys.version.split()[0]} under Wine")
    print("\n".join(report_exporter(best)))


if __name__ == "__main__":
    main()
