"""Per-call cost of MibServer.get() against a bare cffi call sequence.

Run in the Windows lane (`make bench`, or `tools/winlane.py python
bench/bench_calls.py`).  Both sides do the same work per call: pass the
query (bytes, which cffi hands to C without a copy), allocate the out
pointer and size, call MprAdminMIBEntryGet on the
stand-in router, copy the reply, free it.  Rounds alternate between the
contenders and the best round of each is kept, so that the ratio is
measured side by side in one run.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import struct
import sys
from collections.abc import Callable

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.append(os.path.join(ROOT, "tests"))  # standin.py, the stand-in router's driver

from standin import load_router  # noqa: E402  (bench_router.py takes it from here)
from timing import best_times  # noqa: E402  (the bench folder is sys.path[0])


def _repeated(call: Callable[[], object], times: int) -> Callable[[], None]:
    def run() -> None:
        for _ in range(times):
            call()

    return run


def measure_call_overhead(calls: int, rounds: int) -> dict[str, float]:
    """Best seconds per call for MibServer.get, a bare cffi and a bare ctypes sequence."""
    import mprapi_cffi as mpr
    from mprapi_cffi._mprapi import ffi, lib  # the compiled module itself: the bare-cffi side

    query = struct.pack("<I", mpr.IF_NUMBER)
    server = mpr.connect()
    raw = ffi.cast("MIB_SERVER_HANDLE", server.handle)
    entry_get, buffer_free = lib.MprAdminMIBEntryGet, lib.MprAdminMIBBufferFree
    new, buffer = ffi.new, ffi.buffer
    pid, routing_pid = mpr.PID_IP, mpr.IPRTRMGR_PID

    def bare_cffi() -> bytes:
        out = new("LPVOID *")
        size = new("DWORD *")
        if entry_get(raw, pid, routing_pid, query, len(query), out, size):
            raise OSError
        try:
            return buffer(out[0], size[0])[:]  # type: ignore[no-any-return]
        finally:
            buffer_free(out[0])

    dll = ctypes.WinDLL("mprapi.dll")
    c_get, c_free = dll.MprAdminMIBEntryGet, dll.MprAdminMIBBufferFree
    c_get.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_ulong,
                      ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_ulong)]
    c_free.argtypes = [ctypes.c_void_p]
    c_handle = ctypes.c_void_p(server.handle)

    def bare_ctypes() -> bytes:
        out = ctypes.c_void_p()
        size = ctypes.c_ulong()
        if c_get(c_handle, pid, routing_pid, query, len(query), ctypes.byref(out), ctypes.byref(size)):
            raise OSError
        try:
            return ctypes.string_at(out.value, size.value)
        finally:
            c_free(out)

    def mibserver_get() -> bytes:
        return server.get(pid, routing_pid, query)

    assert bare_cffi() == bare_ctypes() == mibserver_get()
    try:
        contenders = {"bare cffi": bare_cffi, "MibServer.get": mibserver_get, "bare ctypes": bare_ctypes}
        best = best_times({name: _repeated(call, calls) for name, call in contenders.items()}, rounds)
        return {name: seconds / calls for name, seconds in best.items()}
    finally:
        server.close()


def report_call_overhead(best: dict[str, float]) -> list[str]:
    """Lines of ns per call and the ratios to the bare cffi sequence."""
    lines = [f"  {name:>14}: {seconds * 1e9:8.0f} ns/call" for name, seconds in best.items()]
    lines.append(f"  get/bare-cffi: {best['MibServer.get'] / best['bare cffi']:.2f}x")
    lines.append(f"  ctypes/bare-cffi: {best['bare ctypes'] / best['bare cffi']:.2f}x")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    load_router()  # before the extension is imported, which binds to it
    best = measure_call_overhead(args.calls, args.rounds)
    print("\n".join(report_call_overhead(best)))
    print(f"get/bare-cffi ratio: {best['MibServer.get'] / best['bare cffi']:.2f}x")


if __name__ == "__main__":
    main()
