"""Every remote access structure against the Windows SDK's layout (win32metadata), on x64 and x86.

These are the SDK's structures in the caller's memory, laid out by the C compiler, so
their layout depends on the platform: HANDLEs are 8 bytes on x64 and 4 on x86, and the
padding moves with them.  Our declarations (mprapi_cffi/ras.py, ``aligned=True``) give
both layouts (``mprapi_cffi._wire.c_layout(struct, pointer_size)``), computed with MSVC's
rules: each member at a multiple of its alignment, pointers 4 bytes aligned 4 on x86 and
8 on x64, a ULONGLONG 8-aligned on both, the end padded to the structure's alignment.

The SDK's side comes from win32more's ctypes classes (tests/ras_layouts.py, in a process
of its own).  x64: the classes as they are, under 64-bit Windows CPython.  x86: the same
classes rebuilt with each pointer-sized member (HANDLE, pointers, POINTER(...)) replaced
by a 4-byte unsigned int, keeping ``_pack_``, unions, arrays and nesting; ctypes lays them
out as MSVC does, so that is the x86 compiler's layout.  Runs on Windows (the lane).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from mprapi_cffi._wire import MibStruct, c_layout
from mprapi_cffi.ras import STRUCTS

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="win32metadata's ctypes classes are Windows ones")

PLATFORMS = {"x64": 8, "x86": 4}


@pytest.fixture(scope="module")
def sdk() -> dict[str, dict[str, Any]]:
    """The SDK's layouts of every declared structure, keyed by its SDK name."""
    requests = [{"sdk": t._sdk, "members": [d.sdk for d in t._declared]} for t in STRUCTS]
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ras_layouts.py")
    result = subprocess.run([sys.executable, script], input=json.dumps(requests), capture_output=True, text=True,
                            timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {t._sdk: answer for t, answer in zip(STRUCTS, json.loads(result.stdout))}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("struct_type", STRUCTS, ids=lambda t: t._sdk)
def test_declared_layout_is_the_sdks(sdk: dict[str, dict[str, Any]], struct_type: type[MibStruct],
                                     platform: str) -> None:  # fmt: skip
    answer = sdk[struct_type._sdk]
    assert "error" not in answer, answer.get("error")
    theirs = answer[platform]
    ours = c_layout(struct_type, PLATFORMS[platform])
    assert ours.size == theirs["size"] == struct_type._sizes[0 if platform == "x64" else 1]
    for declared, offset in zip(struct_type._declared, ours.offsets):
        assert offset == theirs["offsets"][declared.sdk], declared.name


def test_the_running_layout_is_the_platforms() -> None:
    pointer = 8 if sys.maxsize > 2**32 else 4
    for struct_type in STRUCTS:
        ours = c_layout(struct_type, pointer)
        assert struct_type.layout.size == ours.size
        assert tuple(struct_type._offsets.values()) == ours.offsets


def test_sizes_are_the_contracts(sdk: dict[str, dict[str, Any]]) -> None:
    x64 = {name: answer["x64"]["size"] for name, answer in sdk.items()}
    assert x64 == {"MPR_SERVER_0": 16, "MPR_SERVER_1": 16, "MPR_SERVER_2": 24, "MPR_SERVER_EX1": 248,
                   "RAS_CONNECTION_0": 1128, "RAS_CONNECTION_1": 296, "RAS_CONNECTION_2": 848,
                   "RAS_CONNECTION_3": 792, "RAS_CONNECTION_4": 1696, "RAS_CONNECTION_EX": 1672,
                   "RAS_PORT_0": 392, "RAS_PORT_1": 72}  # fmt: skip


# -- the compiler's layout: the cdef's structures (MinGW-w64's header, and SOURCE's own
# declarations of what it lacks: RAS_CONNECTION_4, PROJECTION_INFO2, MPR_SERVER_EX1)


@pytest.mark.parametrize("struct_type", STRUCTS, ids=lambda t: t._sdk)
def test_every_declared_field_sits_where_the_compiler_puts_its_member(struct_type: type[MibStruct]) -> None:
    from mprapi_cffi import _ext

    if _ext.ffi is None:
        pytest.skip("needs the compiled extension")
    offsets = {d.name: _ext.ffi.offsetof(struct_type._sdk, *d.sdk.split(".")) for d in struct_type._declared}
    assert offsets == struct_type._offsets
    assert struct_type.layout.size == _ext.ffi.sizeof(struct_type._sdk)
