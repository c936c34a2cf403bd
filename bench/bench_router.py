"""`make bench`: the speed ratios, each measured side by side in one run.

Runs in the Windows lane (Windows CPython, the real extension, the stand-in
router):

1. decode/floor: the stand-in builds a route table of --routes rows; its
   reply is fetched once through MibServer.get, then
   IpForwardRow.decode_table and a bare ``struct.iter_unpack('<14I')`` over
   the same rows are timed, interleaved, best of --repeats, with the
   alternatives of bench_decode.py and ip_forward_table() whole (call, copy,
   free, decode).  Target: at most 1.5x.
2. get/bare-cffi: the per-call cost of MibServer.get against a bare cffi
   sequence doing the same work (bench_calls.py).  Target: at most 1.5x (a guard).
3. fleet/rtt: poll() of 256 simulated routers answering in 50 ms, one
   if_table() each, against one round trip (bench_fleet.py).  Target: at
   most 2x.
4. scrape/rtt: a whole exporter scrape over HTTPS with basic auth of a
   router answering in 50 ms per call, against one round trip to it
   (bench_exporter.py).  Target: at most 1.5x.

``--record FILE`` writes the figures into FILE (bench/README.md) between its
``<!-- figures -->`` markers: the one place the project's speed figures live.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import struct
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(BENCH))
sys.path.insert(0, BENCH)

from bench_calls import load_router, measure_call_overhead, report_call_overhead  # noqa: E402
from bench_exporter import measure_exporter, report_exporter  # noqa: E402
from bench_fleet import measure_fleet, report_fleet  # noqa: E402

MARKERS = re.compile(r"(<!-- figures -->\n).*?(<!-- /figures -->)", re.DOTALL)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--routes", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--fleet", type=int, default=256, help="simulated routers for fleet/rtt")
    parser.add_argument("--fleet-rounds", type=int, default=7)
    parser.add_argument("--scrape-rounds", type=int, default=40)
    parser.add_argument("--record", metavar="FILE", help="write the figures into FILE's figures block")
    args = parser.parse_args()

    router = load_router()  # before anything imports the extension, which binds to it
    import mprapi_cffi as mpr
    from bench_decode import measure_decode, measure_decode_and_read, report, table_rows

    router.set_bench_routes(args.routes)
    with mpr.connect() as server:
        reply = server.get(mpr.PID_IP, mpr.IPRTRMGR_PID, struct.pack("<I", mpr.IP_FORWARDTABLE))
        count = len(table_rows(reply)) // mpr.IpForwardRow.layout.size
        assert count == args.routes
        best = measure_decode(reply, args.repeats, extra={"whole": server.ip_forward_table})
        read = measure_decode_and_read(reply, max(3, args.repeats // 3))
    router.reset()
    calls = measure_call_overhead(args.calls, args.rounds)
    fleet = measure_fleet(args.fleet, 50, args.fleet_rounds)
    fleet_lines = report_fleet(fleet, args.fleet, 50)
    scrape_lines = report_exporter(measure_exporter(router, args.scrape_rounds))
    router.reset()

    lines = [
        f"Windows CPython {sys.version.split()[0]} under Wine, {count:,} routes from the stand-in router, "
        f"best of {args.repeats} interleaved runs:",
        "",
        *report("decode, time over the floor's:", best, best["floor"], count),
        *report("decode, then read dest, next_hop, type of every row:", read, best["floor"], count),
        "",
        f"MibServer.get against a bare cffi call sequence, best of {args.rounds} rounds of {args.calls} calls:",
        *report_call_overhead(calls),
        "",
        *fleet_lines[:-1],
        "",
        *scrape_lines[:-1],
        "",
        f"decode/floor ratio: {best['decode'] / best['floor']:.2f}x (target: at most 1.50x)",
        f"get/bare-cffi ratio: {calls['MibServer.get'] / calls['bare cffi']:.2f}x (target: at most 1.50x)",
        fleet_lines[-1],
        scrape_lines[-1],
    ]
    print("\n".join(lines))
    if args.record:
        with open(args.record, encoding="utf-8") as f:
            text = f.read()
        stamp = datetime.date.today().isoformat()
        block = "```\n" + f"make bench, {stamp}\n" + "\n".join(lines) + "\n```\n"
        new, found = MARKERS.subn(lambda m: m.group(1) + block + m.group(2), text)
        if not found:
            raise SystemExit(f"{args.record} has no <!-- figures --> block")
        with open(args.record, "w", encoding="utf-8", newline="\n") as f:
            f.write(new)
        print(f"recorded in {args.record}")


if __name__ == "__main__":
    main()
