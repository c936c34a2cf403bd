"""standin.py against the stand-in router it drives: router.c's values natively, its behaviour in the Windows lane."""

from __future__ import annotations

import os
import re
import struct
import sys
from unittest import mock

import pytest

import mprapi_cffi as mpr
from mprapi_cffi.errors import MprError

from conftest import ROUTER, Router, windows_lane
from standin import Malformation, Mode, load_router

ROUTER_FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "router")


def read(name: str) -> str:
    with open(os.path.join(ROUTER_FOLDER, name), encoding="utf-8") as f:
        return f.read()


def c_function_body(source: str, name: str) -> str:
    match = re.search(rf"\b{name}\([^)]*\)\s*\{{(.*?)\n\}}", source, re.S)
    assert match, f"router.c has no function {name}"
    return match.group(1)


# -- the values are router.c's (native) --------------------------------------------

def test_modes_are_router_c_mode_enum() -> None:
    (body,) = re.findall(r"enum\s*\{([^}]*\bMODE_\w+[^}]*)\}", read("router.c"))
    modes, value = {}, -1
    for item in body.split(","):
        name, _, given = item.partition("=")
        value = int(given, 0) if given.strip() else value + 1
        modes[name.strip()] = value
    assert modes == {f"MODE_{mode.name}": mode.value for mode in Mode}


def test_router_set_mode_accepts_exactly_the_modes() -> None:
    body = c_function_body(read("router.c"), "router_set_mode")
    assert set(re.findall(r"mode == (MODE_\w+)", body)) == {f"MODE_{mode.name}" for mode in Mode}


def test_malformations_are_the_kinds_router_c_accepts_and_applies() -> None:
    source = read("router.c")
    accepted = re.findall(r"kind >= (\d+) && kind <= (\d+)", c_function_body(source, "router_set_malformed"))
    low, high = map(int, accepted[0])
    assert set(range(low, high + 1)) == set(Malformation)
    applied = {int(kind) for kind in re.findall(r"kind == (\d+)", c_function_body(source, "reply_damage"))}
    assert applied == set(Malformation) - {Malformation.NONE}


def test_the_router_readme_names_each_member_with_its_value() -> None:
    readme = read("README.md")
    kinds = dict(re.findall(r"^\| (\d+) \| `Malformation\.(\w+)` \|", readme, re.M))
    assert {int(value): name for value, name in kinds.items()} == {m.value: m.name for m in Malformation if m}
    modes = dict(re.findall(r"(\d+), `Mode\.(\w+)`", readme))
    assert {int(value): name for value, name in modes.items()} == {m.value: m.name for m in Mode}


# -- what Router hands the DLL (native, on a stand-in for the DLL) --------------------

@pytest.fixture
def fake() -> Router:
    return Router(mock.MagicMock())


@pytest.mark.parametrize("mode", [*Mode, 0, 1])
def test_set_mode_passes_a_mode_as_its_int(fake: Router, mode: int) -> None:
    fake.set_mode(mode)  # type: ignore[arg-type]
    fake.dll.router_set_mode.assert_called_once_with(int(mode))
    assert type(fake.dll.router_set_mode.call_args.args[0]) is int


@pytest.mark.parametrize("kind", [*Malformation, 6, 9])
def test_set_malformed_passes_a_kind_as_its_int(fake: Router, kind: int) -> None:
    fake.set_malformed(kind)  # type: ignore[arg-type]
    fake.dll.router_set_malformed.assert_called_once_with(int(kind))


@pytest.mark.parametrize(("on", "passed"), [(True, 1), (False, 0)])
def test_set_legacy_route_writes_passes_an_int(fake: Router, on: bool, passed: int) -> None:
    fake.set_legacy_route_writes(on)
    fake.dll.router_set_legacy_route_writes.assert_called_once_with(passed)
    assert type(fake.dll.router_set_legacy_route_writes.call_args.args[0]) is int


@pytest.mark.parametrize(("on", "passed"), [(True, 1), (False, 0)])
def test_set_unlisted_writes_passes_an_int(fake: Router, on: bool, passed: int) -> None:
    fake.set_unlisted_writes(on)
    fake.dll.router_set_unlisted_writes.assert_called_once_with(passed)
    assert type(fake.dll.router_set_unlisted_writes.call_args.args[0]) is int


@pytest.mark.parametrize("method", ["set_sdk_forms", "set_mcast_enabled"])
@pytest.mark.parametrize(("on", "passed"), [(True, 1), (False, 0)])
def test_the_reply_form_switches_pass_an_int(fake: Router, method: str, on: bool, passed: int) -> None:
    getattr(fake, method)(on)
    export = getattr(fake.dll, f"router_{method}")
    export.assert_called_once_with(passed)
    assert type(export.call_args.args[0]) is int


def test_router_def_lists_every_control_export() -> None:
    exported = set(re.findall(r"EXPORT [^(]*?\b(router_\w+)\(", read("router.c") + read("admin.c")))
    listed = set(re.findall(r"^\s+(router_\w+)\s*$", read("router.def"), re.M))
    assert "router_set_legacy_route_writes" in exported
    assert "router_set_unlisted_writes" in exported
    assert {"router_set_sdk_forms", "router_set_mcast_enabled"} <= exported
    assert exported == listed


@pytest.mark.parametrize(("method", "value"), [
    ("set_mode", 2), ("set_mode", -1),
    ("set_malformed", 10), ("set_malformed", -1), ("set_malformed", 1 << 40),
])
def test_values_that_are_not_members_are_refused_before_the_dll(fake: Router, method: str, value: int) -> None:
    with pytest.raises(ValueError, match="is not a"):
        getattr(fake, method)(value)
    getattr(fake.dll, f"router_{method}").assert_not_called()


@pytest.mark.parametrize("value", [True, 1.0, "1", None])
def test_values_that_are_not_ints_are_refused(fake: Router, value: object) -> None:
    with pytest.raises(TypeError):
        fake.set_mode(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fake.set_malformed(value)  # type: ignore[arg-type]
    fake.dll.router_set_mode.assert_not_called()
    fake.dll.router_set_malformed.assert_not_called()


def test_members_of_the_other_enum_are_refused(fake: Router) -> None:
    with pytest.raises(TypeError, match="expected a Mode"):
        fake.set_mode(Malformation.COUNT_PLUS_1000)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected a Malformation"):
        fake.set_malformed(Mode.LOOPBACK)  # type: ignore[arg-type]
    fake.dll.router_set_mode.assert_not_called()
    fake.dll.router_set_malformed.assert_not_called()


@pytest.mark.skipif(sys.platform == "win32", reason="elsewhere than Windows")
def test_load_router_refuses_outside_windows() -> None:
    with pytest.raises(RuntimeError, match="Windows DLL"):
        load_router("anywhere")


def test_load_router_needs_a_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MPRAPI_TEST_ROUTER", raising=False)
    with pytest.raises(RuntimeError, match="MPRAPI_TEST_ROUTER is not set"):
        load_router()


# -- what each member makes the router do (Windows lane) ------------------------------

IF_ROW_SIZE = struct.calcsize("<512s5I8s16I256s")  # MIB_IFROW
IF_PHYS_ADDR_LEN = struct.calcsize("<512s4I")
IF_DESCR_LEN = struct.calcsize("<512s5I8s15I")
NET_ROW_SIZE = struct.calcsize("<2I8s2I")  # MIB_IPNETROW
NET_PHYS_ADDR_LEN = 4
QUERIES = {
    "IF_TABLE": struct.pack("<I", mpr.IF_TABLE),
    "IF_ROW": struct.pack("<2I", mpr.IF_ROW, 3),
    "IP_NETTABLE": struct.pack("<2I", mpr.IP_NETTABLE, 3),  # MS-RRASM 2.2.1.2.53: {if index}, never none
    "IP_FORWARDTABLE": struct.pack("<I", mpr.IP_FORWARDTABLE),
    "IP_STATS": struct.pack("<I", mpr.IP_STATS),
}


# These damage only the MFE and scope replies (tests/test_ip_mib_more.py checks them).
NEW_LAYOUT_KINDS = {Malformation.MFE_OUT_IF_COUNT_BEYOND_REPLY, Malformation.MFE_CUT_MID_ROW,
                    Malformation.SCOPE_NAME_UNTERMINATED}


def damaged(kind: Malformation, var: str, whole: bytes) -> bytes:
    """`whole`, the reply to `var`, damaged as tests/router/README.md says `kind` damages it."""
    if kind is Malformation.CUT_TO_6_BYTES:
        return whole[:6]
    if var == "IP_STATS" or kind in NEW_LAYOUT_KINDS:
        return whole
    reply = bytearray(whole)
    table = var.endswith("TABLE")
    rows_at = 12 if table else 8
    # The rows dwNumEntries counts: strict, the forward and ARP tables have reserved[8] after them.
    count = struct.unpack_from("<I", whole, 8)[0] if table else 1
    if table and kind is Malformation.COUNT_PLUS_1000:
        struct.pack_into("<I", reply, 8, count + 1000)
    if table and kind is Malformation.COUNT_ALL_ONES:
        struct.pack_into("<I", reply, 8, 0xFFFFFFFF)
    if var.startswith("IF_"):
        for row in range(rows_at, rows_at + count * IF_ROW_SIZE, IF_ROW_SIZE):
            if kind is Malformation.LENGTHS_BEYOND_ARRAYS:
                struct.pack_into("<I", reply, row + IF_PHYS_ADDR_LEN, 200)
                struct.pack_into("<I", reply, row + IF_DESCR_LEN, 5000)
            if kind is Malformation.STRINGS_UNTERMINATED:
                reply[row:row + 512] = ("A" * 256).encode("utf-16-le")
                struct.pack_into("<I256s", reply, row + IF_DESCR_LEN, 256, b"B" * 256)
    if var == "IP_NETTABLE" and kind is Malformation.LENGTHS_BEYOND_ARRAYS:
        for row in range(rows_at, rows_at + count * NET_ROW_SIZE, NET_ROW_SIZE):
            struct.pack_into("<I", reply, row + NET_PHYS_ADDR_LEN, 200)
    if kind is Malformation.LAST_ROW_10_BYTES_SHORT:
        del reply[-10:]
    return bytes(reply)


@windows_lane
def test_load_router_again_gives_the_router_the_suite_loaded() -> None:
    assert load_router() is ROUTER


# The replies' sizes whole: strict, the forward and ARP tables end in MS-RRASM's reserved[8].
WHOLE_SIZES = {
    False: {"IF_TABLE": 12 + 3 * IF_ROW_SIZE, "IF_ROW": 8 + IF_ROW_SIZE, "IP_NETTABLE": 12 + 2 * NET_ROW_SIZE + 8,
            "IP_FORWARDTABLE": 12 + 4 * 56 + 8, "IP_STATS": 8 + 92},
    True: {"IF_TABLE": 12 + 3 * IF_ROW_SIZE, "IF_ROW": 8 + IF_ROW_SIZE, "IP_NETTABLE": 12 + 2 * NET_ROW_SIZE,
           "IP_FORWARDTABLE": 12 + 4 * 56, "IP_STATS": 8 + 92},
}


@windows_lane
@pytest.mark.parametrize("sdk_forms", [False, True], ids=["strict", "sdk"])
@pytest.mark.parametrize("kind", list(Malformation))
def test_each_malformation_damages_replies_as_its_name_says(router: Router, kind: Malformation,
                                                            sdk_forms: bool) -> None:
    router.set_sdk_forms(sdk_forms)
    with mpr.connect() as server:
        whole = {var: server.get(mpr.PID_IP, mpr.IPRTRMGR_PID, query) for var, query in QUERIES.items()}
        router.set_malformed(kind)
        got = {var: server.get(mpr.PID_IP, mpr.IPRTRMGR_PID, query) for var, query in QUERIES.items()}
    assert {var: len(reply) for var, reply in whole.items()} == WHOLE_SIZES[sdk_forms]
    assert got == {var: damaged(kind, var, reply) for var, reply in whole.items()}


def route_entry(dest: int) -> bytes:
    """MIB_OPAQUE_INFO holding a MIB_IPDESTROW, as Create takes it (MS-RRASM 3.1.4.27)."""
    return struct.pack("<2I14I2I", mpr.ROUTE_MATCHING, 0, dest, 0xFFFFFFFF, 0, 0x0101A8C0, 3, 4, 3,
                       0, 0, 1, *[0xFFFFFFFF] * 4, 3, 3)


@windows_lane
def test_each_mode_serves_what_its_name_says(router: Router) -> None:
    if_table = struct.pack("<I", mpr.IF_TABLE)
    with mpr.connect() as server:
        router.set_mode(Mode.LOOPBACK)
        with pytest.raises(MprError) as info:
            server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, route_entry(0x0100A8C0))
        assert info.value.winerror == 5, "loopback mode never modifies the host"
        router.set_mode(Mode.FIXED)
        server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, route_entry(0x0100A8C0))
        reply = server.get(mpr.PID_IP, mpr.IPRTRMGR_PID, if_table)
    count = struct.unpack_from("<I", reply, 8)[0]
    indices = [struct.unpack_from("<I", reply, 12 + i * IF_ROW_SIZE + 512)[0] for i in range(count)]
    assert indices == [1, 3, 7], "the fixed MIB's interfaces"
