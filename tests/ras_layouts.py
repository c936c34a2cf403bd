"""Print the SDK's x64 and x86 layouts of the remote access structures as JSON (run by tests/test_ras_layouts.py).

    python tests/ras_layouts.py < requests.json > layouts.json

A request is {"sdk": "RAS_CONNECTION_4", "members": ["dwConnectDuration", "ProjectionInfo.projectionInfoType"]};
the answer is {"x64": {"size": sizeof, "offsets": {member: offset}}, "x86": {...}}, or {"error": "..."}.

x64 is win32metadata's ctypes class as win32more builds it under 64-bit Windows CPython.
x86 is that class rebuilt with every pointer-sized member (HANDLE, PWSTR, POINTER(...),
function pointers) replaced by a 4-byte unsigned int, and everything else kept: nesting,
unions (``_anonymous_``), arrays, ``_pack_``.  ctypes lays structures out as MSVC does on
Windows, where a ULONGLONG is 8-aligned on x86 as on x64, so the rebuilt class has the
x86 compiler's layout.  In a process of its own, as tests/sdk_layouts.py, for the same reason.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sdk_layouts import member_offset

_POINTERS = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_wchar_p, ctypes._Pointer, ctypes._CFuncPtr)  # type: ignore[attr-defined]


def narrowed(t: Any, cache: dict[Any, Any]) -> Any:
    """``t`` with every pointer-sized member 4 bytes, as on x86."""
    if t in cache:
        return cache[t]
    if isinstance(t, type) and issubclass(t, _POINTERS):
        result: Any = ctypes.c_uint32
    elif isinstance(t, type) and issubclass(t, ctypes.Array):
        result = narrowed(t._type_, cache) * t._length_
    elif isinstance(t, type) and issubclass(t, (ctypes.Structure, ctypes.Union)):
        namespace: dict[str, Any] = {}
        for attribute in ("_pack_", "_anonymous_"):
            value = getattr(t, attribute, None)
            if value is not None:
                namespace[attribute] = value
        namespace["_fields_"] = [(name, narrowed(kind, cache), *rest) for name, kind, *rest in t._fields_]
        base = ctypes.Structure if issubclass(t, ctypes.Structure) else ctypes.Union
        result = type(t.__name__, (base,), namespace)
    else:
        wide = ctypes.sizeof(t) == 8 and ctypes.alignment(t) == 8
        if wide and t not in (ctypes.c_uint64, ctypes.c_int64, ctypes.c_double):
            raise LookupError(f"{t!r}: cannot tell whether it is pointer-sized")
        result = t
    cache[t] = result
    return result


def measure(cls: Any, members: list[str]) -> dict[str, Any]:
    offsets: dict[str, int | None] = {}
    for member in members:
        try:
            offsets[member] = member_offset(cls, member)
        except LookupError:
            offsets[member] = None
    return {"size": ctypes.sizeof(cls), "offsets": offsets}


def layout(rras: Any, request: dict[str, Any], cache: dict[Any, Any]) -> dict[str, Any]:
    try:
        cls = getattr(rras, request["sdk"], None)
        if cls is None:
            raise LookupError(f"win32metadata has no {request['sdk']}")
        return {"x64": measure(cls, request["members"]), "x86": measure(narrowed(cls, cache), request["members"])}
    except LookupError as exc:
        return {"error": str(exc)}


def main() -> None:
    from win32more.Windows.Win32.NetworkManagement import Rras

    assert ctypes.sizeof(ctypes.c_void_p) == 8, "run under 64-bit Windows CPython"
    assert ctypes.alignment(ctypes.c_uint64) == 8  # MSVC's rule, x86 too
    requests = json.load(sys.stdin)
    cache: dict[Any, Any] = {}
    json.dump([layout(Rras, request, cache) for request in requests], sys.stdout)


if __name__ == "__main__":
    main()
