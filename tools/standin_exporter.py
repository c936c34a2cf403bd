"""`mprapi exporter` on the stand-in router, for tools/prometheus_check.py (Windows CPython, Windows lane).

    python tools/standin_exporter.py EXPECTED_JSON STOP_FILE ROUTER -- EXPORTER_ARGS...

Loads the stand-in router, writes what it serves for ROUTER (read directly
through the extension: the interface table, the IP statistics and the route
count) to EXPECTED_JSON, then runs the exporter's command with
EXPORTER_ARGS until STOP_FILE appears, which stops it as Ctrl-C does.
"""

from __future__ import annotations

import _thread
import json
import os
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, ROOT)

from standin import load_router  # noqa: E402


def main() -> int:
    expected_path, stop_file, name, separator, *exporter_args = sys.argv[1:]
    assert separator == "--", "usage: standin_exporter.py EXPECTED_JSON STOP_FILE ROUTER -- EXPORTER_ARGS..."
    load_router()  # before the extension is imported, so that it binds to the stand-in
    import mprapi_cffi as mpr
    from mprapi_cffi import exporter

    with mpr.connect(name) as server:
        rows, stats, routes = server.if_table(), server.ip_stats(), server.ip_forward_number()
    expected = {
        "interfaces": [{"index": row.index, "descr": row.descr, "name": row.name, "in_octets": row.in_octets,
                        "oper_status": int(row.oper_status)} for row in rows],
        "ip_stats": {field: int(getattr(stats, field)) for field in stats._fields},
        "routes": routes,
    }  # fmt: skip
    with open(expected_path, "w", encoding="utf-8") as f:
        json.dump(expected, f)

    def stop_when_asked() -> None:
        while not os.path.exists(stop_file):
            time.sleep(0.1)
        _thread.interrupt_main()  # what Ctrl-C does

    threading.Thread(target=stop_when_asked, daemon=True).start()
    return exporter.main(exporter_args)


if __name__ == "__main__":
    sys.exit(main())
