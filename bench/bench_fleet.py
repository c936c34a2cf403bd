"""fleet/rtt: poll() of many simulated routers against one round trip.

Run in the Windows lane (`make bench`, or `tools/winlane.py python
bench/bench_fleet.py`).  The stand-in router answers every call to a server
named ``sim-*`` after --rtt-ms.  Interleaved, best of --rounds each:

- rtt: one ``if_table()`` from one router (connect, call, copy, free, decode,
  disconnect): the floor, what a poll of the whole fleet would take if every
  router were asked at the same instant at no cost;
- poll: ``poll()`` of --routers routers, one ``if_table()`` each, with a
  worker per router.

Printed as ``fleet/rtt ratio`` (target: at most 2x), with the time the same
reads take one router after another (measured once: it is long).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(BENCH))
sys.path.insert(0, BENCH)

from bench_calls import load_router  # noqa: E402
from timing import best_times  # noqa: E402

TARGET = 2.0


def measure_fleet(routers: int, rtt_ms: int, rounds: int, sequential: bool = True) -> dict[str, float]:
    """Best seconds for one round trip and for a poll of `routers`; once for one after another."""
    router = load_router()  # before anything imports the extension, which binds to it
    import mprapi_cffi as mpr

    router.set_server("sim-*", delay_ms=rtt_ms)
    names = [f"sim-{i}" for i in range(routers)]

    def one_round_trip() -> object:
        with mpr.MibServer("sim-0") as server:
            return server.if_table()

    def fleet() -> object:
        results = list(mpr.poll(names, mpr.MibServer.if_table, max_workers=routers))
        assert len(results) == routers and all(r.ok for r in results), [r.error for r in results if not r.ok][:1]
        return results

    fleet()  # warm: the workers are started once, as in a poller that runs every scrape interval
    best = best_times({"rtt": one_round_trip, "poll": fleet}, rounds)
    if sequential:
        start = time.perf_counter()
        for name in names:
            with mpr.MibServer(name) as server:
                server.if_table()
        best["one after another"] = time.perf_counter() - start
    router.reset()
    return best


def report_fleet(best: dict[str, float], routers: int, rtt_ms: int) -> list[str]:
    lines = [
        f"{routers} simulated routers answering in {rtt_ms} ms, one if_table() each:",
        f"  one round trip (the floor)          {best['rtt'] * 1000:9.1f} ms",
        f"  poll(), a worker per router         {best['poll'] * 1000:9.1f} ms",
    ]
    if "one after another" in best:
        lines.append(f"  one router after another            {best['one after another'] * 1000:9.1f} ms"
                     f"  ({best['one after another'] / best['rtt']:.0f}x the floor)")  # fmt: skip
    lines.append(f"fleet/rtt ratio: {best['poll'] / best['rtt']:.2f}x (target: at most {TARGET:.2f}x)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--routers", type=int, default=256)
    parser.add_argument("--rtt-ms", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    best = measure_fleet(args.routers, args.rtt_ms, args.rounds)
    print("\n".join(report_fleet(best, args.routers, args.rtt_ms)))


if __name__ == "__main__":
    main()
