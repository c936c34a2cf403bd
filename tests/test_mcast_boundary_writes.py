"""Scoped multicast boundaries: MCAST_BOUNDARY Set (MS-RRASM 3.1.4.29), against the stand-in.

MIB_OPAQUE_INFO {MCAST_BOUNDARY, pad, MIB_IPMCAST_BOUNDARY}, 24 bytes: dwStatus
ROWSTATUS_CREATEANDGO (4) creates the boundary, ROWSTATUS_DESTROY (6) deletes
it.  2.2.1.2.37: "Scoped addresses MUST come from the range 239.*.*.*".  The
bytes sent are checked at the offsets the Windows SDK gives (win32metadata,
through tests/sdk_layouts.py).
"""

from __future__ import annotations

import ipaddress
import json
import os
import struct
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import mprapi_cffi as mpr
from mprapi_cffi import McastBoundary, MprError
from standin import Router

ERROR_INVALID_PARAMETER = 87
ERROR_ALREADY_EXISTS = 183
ERROR_INVALID_INDEX = 1413
MEMBERS = ["dwIfIndex", "dwGroupAddress", "dwGroupMask", "dwStatus"]
A = ipaddress.IPv4Address
FIXED = [
    McastBoundary(if_index=3, group_address="239.192.0.0", group_mask="255.252.0.0", status=1),
    McastBoundary(if_index=7, group_address="239.192.0.0", group_mask="255.252.0.0", status=1),
    McastBoundary(if_index=7, group_address="239.255.0.0", group_mask="255.255.0.0", status=2),
]
NEW = McastBoundary(if_index=3, group_address="239.255.0.0", group_mask="255.255.0.0", status=1)


@pytest.fixture(scope="module")
def sdk() -> dict[str, Any]:
    """The SDK's MIB_IPMCAST_BOUNDARY: size and member offsets."""
    if sys.platform != "win32":
        pytest.skip("the SDK's ctypes layouts are Windows ones")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sdk_layouts.py")
    request = json.dumps([{"sdk": "MIB_IPMCAST_BOUNDARY", "members": MEMBERS}])
    result = subprocess.run([sys.executable, script], input=request, capture_output=True, text=True, timeout=120,
                            check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    (layout,) = json.loads(result.stdout)
    assert "error" not in layout
    return dict(layout)


@pytest.fixture
def server(router: Router) -> Iterator[mpr.MibServer]:
    with mpr.connect() as server:
        yield server


def winerror(call: Any, *args: Any) -> int:
    with pytest.raises(MprError) as info:
        call(*args)
    return int(info.value.winerror)


def boundaries(server: mpr.MibServer) -> list[McastBoundary]:
    return list(server.walk(McastBoundary))


def entry(if_index: int, group: str, mask: str, status: int) -> bytes:
    return struct.pack("<III", mpr.MCAST_BOUNDARY, 0, if_index) + A(group).packed + A(mask).packed + \
        struct.pack("<I", status)


@pytest.mark.parametrize(("change", "status"), [("add_mcast_boundary", 4), ("remove_mcast_boundary", 6)])
def test_the_bytes_sent_are_the_sdk_layout_with_the_status(
    server: mpr.MibServer, router: Router, sdk: dict[str, Any], change: str, status: int
) -> None:
    at = {member: 8 + offset for member, offset in sdk["offsets"].items()}
    if change == "remove_mcast_boundary":
        server.add_mcast_boundary(3, "239.255.0.0", "255.255.0.0")
    getattr(server, change)(3, "239.255.0.0", "255.255.0.0")
    sent = router.last_input()
    assert len(sent) == 8 + sdk["size"] == 24
    assert struct.unpack_from("<II", sent) == (mpr.MCAST_BOUNDARY, 0)
    assert struct.unpack_from("<I", sent, at["dwIfIndex"])[0] == 3
    assert sent[at["dwGroupAddress"] : at["dwGroupAddress"] + 4] == bytes([239, 255, 0, 0])
    assert sent[at["dwGroupMask"] : at["dwGroupMask"] + 4] == bytes([255, 255, 0, 0])
    assert struct.unpack_from("<I", sent, at["dwStatus"])[0] == status


def test_add_then_remove_changes_what_a_walk_reads(server: mpr.MibServer) -> None:
    assert boundaries(server) == FIXED
    server.add_mcast_boundary(3, "239.255.0.0", "255.255.0.0")
    assert boundaries(server) == [FIXED[0], NEW, FIXED[1], FIXED[2]]  # active, in index order
    assert winerror(server.add_mcast_boundary, 3, "239.255.0.0", "255.255.0.0") == ERROR_ALREADY_EXISTS
    server.remove_mcast_boundary(7, "239.255.0.0", "255.255.0.0")  # same range, the other interface's
    assert boundaries(server) == [FIXED[0], NEW, FIXED[1]]
    assert winerror(server.remove_mcast_boundary, 7, "239.255.0.0", "255.255.0.0") == ERROR_INVALID_INDEX
    server.remove_mcast_boundary(3, "239.255.0.0", "255.255.0.0")
    assert boundaries(server) == FIXED[:2]


def test_a_boundary_on_an_interface_the_router_lacks_is_1413(server: mpr.MibServer) -> None:
    assert winerror(server.add_mcast_boundary, 99, "239.1.0.0", "255.255.0.0") == ERROR_INVALID_INDEX
    assert boundaries(server) == FIXED


@pytest.mark.parametrize(("method", "data"), [
    ("set", entry(3, "239.1.0.0", "255.255.0.0", 1)),  # ROWSTATUS_ACTIVE: not a write status
    ("set", entry(3, "239.1.0.0", "255.255.0.0", 5)),  # ROWSTATUS_CREATEANDWAIT
    ("set", entry(3, "239.192.0.0", "255.252.0.0", 2)),  # notInService, on one that exists
    ("set", entry(3, "224.1.0.0", "255.255.0.0", 4)),  # not 239.*.*.*
    ("set", entry(3, "239.0.0.0", "254.0.0.0", 4)),  # a range that leaves 239.*.*.*
    ("set", entry(3, "239.1.0.0", "255.255.0.0", 4)[:-4]),  # 20 bytes
    ("set", entry(3, "239.1.0.0", "255.255.0.0", 4) + bytes(4)),  # 28 bytes
    ("create", entry(3, "239.1.0.0", "255.255.0.0", 4)),  # 3.1.4.27 lists no MCAST_BOUNDARY
    ("delete", struct.pack("<IIII", mpr.MCAST_BOUNDARY, 3, 0x0000C0EF, 0x0000FCFF)),  # nor 3.1.4.28
])  # fmt: skip
def test_any_other_form_is_87_and_changes_nothing(server: mpr.MibServer, method: str, data: bytes) -> None:
    assert winerror(getattr(server, method), mpr.PID_IP, mpr.IPRTRMGR_PID, data) == ERROR_INVALID_PARAMETER
    assert boundaries(server) == FIXED


@pytest.mark.parametrize(("args", "error"), [
    ((3, "224.1.0.0", "255.255.0.0"), ValueError),  # 2.2.1.2.37: 239.*.*.* only
    ((3, "240.0.0.0", "255.255.0.0"), ValueError),
    ((3, "239.0.0.0", "254.0.0.0"), ValueError),  # the range would reach 238.*.*.*
    ((3, "239.0.0.0", "0.0.0.0"), ValueError),
    ((0, "239.1.0.0", "255.255.0.0"), ValueError),  # no interface has index 0
    ((2**32, "239.1.0.0", "255.255.0.0"), ValueError),
    (("3", "239.1.0.0", "255.255.0.0"), TypeError),
    ((True, "239.1.0.0", "255.255.0.0"), TypeError),
    ((3, "239.1.0.300", "255.255.0.0"), ValueError),
    ((3, "239.1.0.0", None), TypeError),
])  # fmt: skip
@pytest.mark.parametrize("change", ["add_mcast_boundary", "remove_mcast_boundary"])
def test_bad_input_is_refused_before_any_call(
    server: mpr.MibServer, router: Router, change: str, args: tuple[Any, ...], error: type[Exception]
) -> None:
    with pytest.raises(error):
        getattr(server, change)(*args)
    assert router.counter("calls") == 0
