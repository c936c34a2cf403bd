"""Every declared structure against the Windows SDK's own layout (win32metadata), not MinGW-w64's.

MinGW-w64's headers are what the lane compiles against, but they are not the
truth for the wire: its MIB_IPDESTROW is a 12-byte union where the SDK (and
the router) have 64 bytes.  Microsoft's win32metadata records the SDK's
structures; the win32more packages ship them as ctypes classes, which give
sizes and offsets under Windows CPython without a Windows SDK.  Runs on
Windows (the lane installs the packages; cibuildwheel's test-requires too).
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

import pytest

from mprapi_cffi.mib import PARTS, STRUCTS, MibStruct

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="the SDK's ctypes layouts are Windows ones")

# The SDK names the current form of some structures with a version suffix.
SDK_NAMES = {"MIB_IPMCAST_OIF": "MIB_IPMCAST_OIF_XP", "MIB_IPMCAST_OIF_STATS": "MIB_IPMCAST_OIF_STATS_LH",
             "MIB_IPSTATS": "MIB_IPSTATS_LH", "MIB_IPMCAST_MFE_STATS_EX": "MIB_IPMCAST_MFE_STATS_EX_XP"}  # fmt: skip


def sdk_class(struct_type: type[MibStruct]) -> Any:
    from win32more.Windows.Win32.NetworkManagement import IpHelper

    name = struct_type._sdk
    candidates = [SDK_NAMES[name]] if name in SDK_NAMES else [name, f"{name}_LH", f"{name}_XP"]
    for candidate in candidates:
        found = getattr(IpHelper, candidate, None)
        if found is not None:
            return found
    raise AssertionError(f"win32metadata has none of {candidates}")


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


@pytest.mark.parametrize("struct_type", [*STRUCTS, *PARTS], ids=lambda t: t._sdk)
def test_declared_layout_is_the_sdks(struct_type: type[MibStruct]) -> None:
    sdk = sdk_class(struct_type)
    fixed = struct_type.layout.size
    if struct_type._trailing is not None:  # the fixed part ends where the trailing array begins
        trailing_member = struct_type._declared[-1].sdk
        names = [f[0] for f in sdk._fields_]
        end = member_offset(sdk, trailing_member) if trailing_member in names else ctypes.sizeof(sdk)
        assert fixed == end
    else:
        assert fixed == ctypes.sizeof(sdk)
    for declared in struct_type._declared:
        if struct_type._trailing is not None and declared is struct_type._declared[-1]:
            continue
        assert struct_type._offsets[declared.name] == member_offset(sdk, declared.sdk), declared.name


def test_ip_dest_row_is_64_bytes_in_the_sdk_and_12_in_mingw() -> None:
    from mprapi_cffi import _ext
    from mprapi_cffi.mib import IpDestRow

    sdk = sdk_class(IpDestRow)
    assert ctypes.sizeof(sdk) == IpDestRow.layout.size == 64
    assert (member_offset(sdk, "dwForwardPreference"), member_offset(sdk, "dwForwardViewSet")) == (56, 60)
    if _ext.ffi is not None and _ext.ffi.sizeof("MIB_IPDESTROW") != 64:
        # Built with MinGW-w64 (the lane): its C declaration, a union of the route's DWORDs and
        # then the two DWORDs, is not the wire's.  With the Windows SDK (MSVC) it is 64.
        assert _ext.ffi.sizeof("MIB_IPDESTROW") == 12
        assert _ext.ffi.offsetof("MIB_IPDESTROW", "dwForwardPreference") == 4
