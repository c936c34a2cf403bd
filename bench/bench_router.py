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
5. connections/floor: the stand-in serves --connections remote access
   connections (router_admin_set_connections); AdminServer.connections(4)
   enumerates them whole (the calls, decode into Connection4, free), against
   the struct floor for the same bytes: the same calls made bare with cffi,
   each page unpacked by ``struct.iter_unpack`` from the router's buffer and
   freed; interleaved, best of --repeats; with the decode alone against
   unpacking alone, from bytes.  Target: at most 1.5x.

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
from collections.abc import Callable
from typing import Any

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(BENCH))
sys.path.insert(0, BENCH)

from bench_calls import load_router, measure_call_overhead, report_call_overhead  # noqa: E402
from bench_exporter import measure_exporter, report_exporter  # noqa: E402
from bench_fleet import measure_fleet, report_fleet  # noqa: E402

MARKERS = re.compile(r"(<!-- figures -->\n).*?(<!-- /figures -->)", re.DOTALL)
CONNECTIONS_TARGET = 1.5
CONNECTION_LABELS = {
    "floor": "bare cffi MprAdminConnectionEnum, struct.iter_unpack of its buffer, free (floor)",
    "enumerate": "AdminServer.connections(4) (calls, decode, free)",
    "unpack": "struct.iter_unpack of the same bytes, copied (no call)",
    "decode": "Connection4.decode_array of the same bytes (no call)",
}


def admin_control(router: Any, name: str, *args: int) -> None:
    """The stand-in's router_admin_NAME control export, through standin.Router's method when it has one."""
    method = getattr(router, f"admin_{name}", None)
    if method is not None:
        method(*args)
    else:
        getattr(router.dll, f"router_admin_{name}")(*args)


def measure_connections(router: Any, count: int, repeats: int) -> dict[str, float]:
    """Best seconds to enumerate ``count`` connections at level 4 and decode them, and the floor for their bytes.

    The floor makes the same calls bare (no checks, no objects) and unpacks
    each page with struct from the router's buffer before freeing it: what any
    binding must do.  The stand-in's own cost (building and freeing 17 MB of
    rows) is in both, as a real router's would be.
    """
    import mprapi_cffi as mpr
    from mprapi_cffi._ext import ffi, lib
    from mprapi_cffi.admin import MAX_PREFERRED_LENGTH
    from mprapi_cffi.ras import Connection4
    from timing import best_times

    admin_control(router, "set_connections", count)
    layout = Connection4.layout
    with mpr.AdminServer() as admin:
        admin.server_info()  # connected before timing
        handle = admin._owned.owned[0]
        out, read, total, resume = ffi.new("LPBYTE *"), ffi.new("DWORD *"), ffi.new("DWORD *"), ffi.new("DWORD *")

        def floor() -> list[Any]:
            rows: list[Any] = []
            resume[0] = 0
            while True:
                code = lib.MprAdminConnectionEnum(handle, 4, out, MAX_PREFERRED_LENGTH, read, total, resume)
                rows += layout.iter_unpack(ffi.buffer(out[0], read[0] * layout.size))
                lib.MprAdminBufferFree(out[0])
                if code != 234:
                    assert code == 0, code
                    return rows

        data = b"".join(layout.pack(*row) for row in floor())
        assert len(data) == count * layout.size and len(admin.connections(4)) == count
        variants: dict[str, Callable[[], object]] = {
            "floor": floor,
            "enumerate": lambda: admin.connections(4),
            "unpack": lambda: list(layout.iter_unpack(data)),
            "decode": lambda: Connection4.decode_array(data, count),
        }
        best = best_times(variants, repeats)
    return {**best, "count": count, "repeats": repeats, "size": layout.size}


def report_connections(best: dict[str, float]) -> list[str]:
    """The lines that show measure_connections's figures; the last is the ratio."""
    count, floor = int(best["count"]), best["floor"]
    lines = [f"{count:,} remote access connections at level 4 (RAS_CONNECTION_4, {int(best['size']):,} bytes each) "
             f"from the stand-in, best of {int(best['repeats'])} interleaved runs:"]  # fmt: skip
    width = max(map(len, CONNECTION_LABELS.values()))
    for name, label in CONNECTION_LABELS.items():
        lines.append(f"  {label:<{width}}  {count / best[name]:>12,.0f} rows/s  {best[name] / floor:.2f}x floor")
    ratio = best["enumerate"] / floor
    lines.append(f"connections/floor ratio: {ratio:.2f}x (target: at most {CONNECTIONS_TARGET:.2f}x)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--routes", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--fleet", type=int, default=256, help="simulated routers for fleet/rtt")
    parser.add_argument("--fleet-rounds", type=int, default=7)
    parser.add_argument("--scrape-rounds", type=int, default=40)
    parser.add_argument("--connections", type=int, default=10_000, help="remote access connections for "
                        "connections/floor")
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
    connection_lines = report_connections(measure_connections(router, args.connections, args.repeats))
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
        *connection_lines[:-1],
        "",
        f"decode/floor ratio: {best['decode'] / best['floor']:.2f}x (target: at most 1.50x)",
        f"get/bare-cffi ratio: {calls['MibServer.get'] / calls['bare cffi']:.2f}x (target: at most 1.50x)",
        fleet_lines[-1],
        scrape_lines[-1],
        connection_lines[-1],
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
