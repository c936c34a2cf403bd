"""`make bench`: the two speed ratios, each measured side by side in one run.

Runs in the Windows lane (Windows CPython, the real extension, the stand-in
router):

1. decode/floor: the stand-in builds a route table of --routes rows; its
   reply is fetched once through MibServer.get, then decode.ip_forward_table
   and a bare ``struct.iter_unpack('<14I')`` over the same rows are timed,
   interleaved, best of --repeats.  Also shown: ip_forward_table() whole
   (call, copy, free, decode).  Target: decode within 3x of the floor.
2. get/bare-cffi: the per-call cost of MibServer.get against a bare cffi
   sequence doing the same work (bench_calls.py).  Target: at most 1.25x.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from functools import partial

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(BENCH))
sys.path.insert(0, BENCH)

from bench_calls import load_router, measure_call_overhead, report_call_overhead  # noqa: E402
from timing import best_times  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--routes", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()

    router = load_router()  # before anything imports the extension, which binds to it
    import mprapi_cffi as mpr
    from bench_decode import floor, table_rows
    from mprapi_cffi import decode

    router.set_bench_routes(args.routes)
    with mpr.connect() as server:
        reply = server.get(mpr.PID_IP, mpr.IPRTRMGR_PID, struct.pack("<I", mpr.IP_FORWARDTABLE))
        rows = table_rows(reply)
        count = len(rows) // decode._IPFORWARD.size
        assert count == args.routes
        best = best_times(
            {
                "floor": partial(floor, rows),
                "decode": partial(decode.ip_forward_table, reply),
                "whole": server.ip_forward_table,
            },
            args.repeats,
        )
    router.reset()

    print(f"Windows CPython {sys.version.split()[0]}, {count:,} routes from the stand-in router, "
          f"best of {args.repeats} interleaved runs")
    labels = {"floor": "bare struct.iter_unpack (floor)", "decode": "decode.ip_forward_table(reply)",
              "whole": "MibServer.ip_forward_table()"}
    for name, seconds in best.items():
        print(f"  {labels[name]:<32} {count / seconds:>12,.0f} rows/s")
    print(f"decode/floor ratio: {best['decode'] / best['floor']:.2f}x")
    print(f"ip_forward_table()/floor ratio: {best['whole'] / best['floor']:.2f}x")
    print()
    print(f"MibServer.get against a bare cffi call sequence, best of {args.rounds} rounds of {args.calls} calls")
    report_call_overhead(measure_call_overhead(args.calls, args.rounds))


if __name__ == "__main__":
    main()
