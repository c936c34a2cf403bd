"""Print the Windows SDK's layout of MIB structures as JSON (run by tests/test_sdk_layouts.py).

    python tests/sdk_layouts.py < requests.json > layouts.json

A request is {"sdk": "MIB_IPDESTROW", "members": ["ForwardRow", "dwForwardPreference", ...]};
the answer for it is {"class": the SDK class found, "size": sizeof, "offsets": {member: offset}},
or {"error": "..."}.  It runs in a process of its own because importing the SDK's
thousands of ctypes classes makes every later garbage collection of the test
process slow.
"""

from __future__ import annotations

import ctypes
import json
import sys
from typing import Any

# The SDK names the current form of some structures with a version suffix.
SDK_NAMES = {"MIB_IPMCAST_OIF": "MIB_IPMCAST_OIF_XP", "MIB_IPMCAST_OIF_STATS": "MIB_IPMCAST_OIF_STATS_LH",
             "MIB_IPSTATS": "MIB_IPSTATS_LH", "MIB_IPMCAST_MFE_STATS_EX": "MIB_IPMCAST_MFE_STATS_EX_XP"}  # fmt: skip


def sdk_class(ip_helper: Any, name: str) -> Any:
    candidates = [SDK_NAMES[name]] if name in SDK_NAMES else [name, f"{name}_LH", f"{name}_XP"]
    for candidate in candidates:
        found = getattr(ip_helper, candidate, None)
        if found is not None:
            return found
    raise LookupError(f"win32metadata has none of {candidates}")


def member_offset(cls: Any, path: str) -> int:
    """The offset of a member, through nested structures ("stats.icmpInStats") and anonymous unions."""
    offset = 0
    for name in path.split("."):
        offset_in, cls = _find(cls, name)
        offset += offset_in
    return offset


def _find(cls: Any, name: str) -> tuple[int, Any]:
    for field_name, field_type, *_ in cls._fields_:
        if field_name == name:
            return getattr(cls, field_name).offset, field_type
    for field_name, field_type, *_ in cls._fields_:  # the SDK's unions (dwForwardType beside its enum)
        if field_name.startswith("Anonymous") and hasattr(field_type, "_fields_"):
            try:
                inner, found = _find(field_type, name)
            except LookupError:
                continue
            return getattr(cls, field_name).offset + inner, found
    raise LookupError(f"{cls.__name__} has no member {name}")


def layout(ip_helper: Any, request: dict[str, Any]) -> dict[str, Any]:
    try:
        cls = sdk_class(ip_helper, request["sdk"])
        offsets = {}
        for member in request["members"]:
            try:
                offsets[member] = member_offset(cls, member)
            except LookupError:
                offsets[member] = None
        return {"class": cls.__name__, "size": ctypes.sizeof(cls), "offsets": offsets}
    except LookupError as exc:
        return {"error": str(exc)}


def main() -> None:
    from win32more.Windows.Win32.NetworkManagement import IpHelper

    requests = json.load(sys.stdin)
    json.dump([layout(IpHelper, request) for request in requests], sys.stdout)


if __name__ == "__main__":
    main()
