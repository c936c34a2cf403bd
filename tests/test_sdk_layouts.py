"""Every declared structure against the Windows SDK's own layout (win32metadata), not MinGW-w64's.

MinGW-w64's headers are what the lane compiles against, but they are not the
truth for the wire: its MIB_IPDESTROW is a 12-byte union where the SDK (and
the router) have 64 bytes.  Microsoft's win32metadata records the SDK's
structures; the win32more packages ship them as ctypes classes, which give
sizes and offsets under Windows CPython without a Windows SDK
(tests/sdk_layouts.py reads them, in a process of its own).  Runs on Windows
(the lane installs the packages; cibuildwheel's test-requires too).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from mprapi_cffi.mib import PARTS, STRUCTS, IpDestRow, MibStruct

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="the SDK's ctypes layouts are Windows ones")

DECLARED = [*STRUCTS, *PARTS]


@pytest.fixture(scope="module")
def sdk() -> dict[str, dict[str, Any]]:
    """The SDK's layout of every declared structure, keyed by its SDK name."""
    requests = [{"sdk": t._sdk, "members": [d.sdk for d in t._declared]} for t in DECLARED]
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sdk_layouts.py")
    result = subprocess.run([sys.executable, script], input=json.dumps(requests), capture_output=True, text=True,
                            timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {t._sdk: answer for t, answer in zip(DECLARED, json.loads(result.stdout))}


@pytest.mark.parametrize("struct_type", DECLARED, ids=lambda t: t._sdk)
def test_declared_layout_is_the_sdks(sdk: dict[str, dict[str, Any]], struct_type: type[MibStruct]) -> None:
    answer = sdk[struct_type._sdk]
    assert "error" not in answer, answer.get("error")
    fixed = struct_type.layout.size
    if struct_type._trailing is not None:  # the fixed part ends where the trailing array begins
        end = answer["offsets"][struct_type._declared[-1].sdk]
        assert fixed == (answer["size"] if end is None else end)
    else:
        assert fixed == answer["size"]
    for declared in struct_type._declared:
        if struct_type._trailing is not None and declared is struct_type._declared[-1]:
            continue
        assert struct_type._offsets[declared.name] == answer["offsets"][declared.sdk], declared.name


def test_ip_dest_row_is_64_bytes_in_the_sdk_and_12_in_mingw(sdk: dict[str, dict[str, Any]]) -> None:
    from mprapi_cffi import _ext

    answer = sdk["MIB_IPDESTROW"]
    assert answer["size"] == IpDestRow.layout.size == 64
    assert (answer["offsets"]["dwForwardPreference"], answer["offsets"]["dwForwardViewSet"]) == (56, 60)
    if _ext.ffi is not None and _ext.ffi.sizeof("MIB_IPDESTROW") != 64:
        # Built with MinGW-w64 (the lane): its C declaration, a union of the route's DWORDs and
        # then the two DWORDs, is not the wire's.  With the Windows SDK (MSVC) it is 64.
        assert _ext.ffi.sizeof("MIB_IPDESTROW") == 12
        assert _ext.ffi.offsetof("MIB_IPDESTROW", "dwForwardPreference") == 4
