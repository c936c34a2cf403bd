"""ARP entry writes and an interface's admin status (issue 11), against the stand-in.

- Delete of an ARP entry, as MS-RRASM 3.1.4.28 gives it: MIB_OPAQUE_QUERY
  {IP_NETTABLE, dwIfIndex, dwAddr}, 12 bytes;
- Set of an interface's admin status, as 3.1.4.29 gives it: MIB_OPAQUE_INFO
  {IF_ROW, pad, MIB_IFROW}, 868 bytes, "Only dwAdminStatus can be set", up or down;
- Create and Set of an ARP entry: MIB_OPAQUE_INFO {IP_NETROW, pad, MIB_IPNETROW},
  32 bytes.  MS-RRASM 3.1.4.27/29 list no IP_NETROW row; this is the SDK's
  CreateIpNetEntry/SetIpNetEntry form (the whole MIB_IPNETROW).  The stand-in,
  as a server that follows the specification, answers it 87; the tests of the
  SDK's form turn on its unlisted-writes switch (the ``sdk_form`` fixture), and
  prove that form only, not that a real router takes it.

The bytes sent are checked at the offsets the Windows SDK gives (win32metadata,
through tests/sdk_layouts.py), not at offsets the package computes itself.
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
from mprapi_cffi import IfAdminStatus, IpNetRow, MprError, NetType
from standin import Router

ERROR_INVALID_PARAMETER = 87
ERROR_ALREADY_EXISTS = 183
ERROR_INVALID_INDEX = 1413

NEW = IpNetRow(index=3, phys_addr=bytes.fromhex("02005e102030"), addr="192.168.1.77", type=NetType.STATIC)
NET_MEMBERS = ["dwIndex", "dwPhysAddrLen", "bPhysAddr", "dwAddr", "dwType"]
IF_MEMBERS = ["wszName", "dwIndex", "dwMtu", "dwAdminStatus", "bDescr"]


@pytest.fixture(scope="module")
def sdk() -> dict[str, dict[str, Any]]:
    """The SDK's MIB_IPNETROW and MIB_IFROW: size and member offsets."""
    if sys.platform != "win32":
        pytest.skip("the SDK's ctypes layouts are Windows ones")
    requests = [{"sdk": "MIB_IPNETROW", "members": NET_MEMBERS}, {"sdk": "MIB_IFROW", "members": IF_MEMBERS}]
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sdk_layouts.py")
    result = subprocess.run([sys.executable, script], input=json.dumps(requests), capture_output=True, text=True,
                            timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    net, if_row = json.loads(result.stdout)
    assert "error" not in net and "error" not in if_row
    return {"MIB_IPNETROW": net, "MIB_IFROW": if_row}


@pytest.fixture
def server(router: Router) -> Iterator[mpr.MibServer]:
    with mpr.connect() as server:
        yield server


@pytest.fixture
def sdk_form(router: Router) -> None:
    """The stand-in also takes the writes MS-RRASM does not list (IP_NETROW Create/Set).

    A test using this proves the SDK's form only: a server that follows the
    specification answers 87 (test_unlisted_writes_are_87_by_default).
    """
    router.set_unlisted_writes(True)


def dword(data: bytes, offset: int) -> int:
    return int(struct.unpack_from("<I", data, offset)[0])


def winerror(call: Any, *args: Any) -> int:
    with pytest.raises(MprError) as info:
        call(*args)
    return int(info.value.winerror)


def arp_table(server: mpr.MibServer) -> list[tuple[int, bytes, str, int]]:
    return sorted((r.index, r.phys_addr, str(r.addr), int(r.type)) for r in server.ip_net_table())


def as_tuple(row: IpNetRow) -> tuple[int, bytes, str, int]:
    return (row.index, row.phys_addr, str(row.addr), int(row.type))


# ---- ARP entries: Create and Set (IP_NETROW, the SDK's form) ------------------------------


def test_create_arp_entry_sends_ip_netrow_and_the_whole_row(
    server: mpr.MibServer, router: Router, sdk: dict[str, Any], sdk_form: None
) -> None:
    layout = sdk["MIB_IPNETROW"]
    at = {member: 8 + offset for member, offset in layout["offsets"].items()}
    before = arp_table(server)
    server.create_arp_entry(NEW)
    sent = router.last_input()
    assert len(sent) == 8 + layout["size"] == 32
    assert struct.unpack_from("<II", sent) == (mpr.IP_NETROW, 0)
    assert dword(sent, at["dwIndex"]) == 3
    assert dword(sent, at["dwPhysAddrLen"]) == 6
    assert sent[at["bPhysAddr"] : at["bPhysAddr"] + 8] == bytes.fromhex("02005e1020300000")
    assert sent[at["dwAddr"] : at["dwAddr"] + 4] == ipaddress.IPv4Address("192.168.1.77").packed
    assert dword(sent, at["dwType"]) == NetType.STATIC
    assert arp_table(server) == sorted([*before, as_tuple(NEW)])
    assert server.ip_net_row(3, "192.168.1.77") == NEW


def test_a_second_create_of_the_same_entry_is_183_and_changes_nothing(server: mpr.MibServer, sdk_form: None) -> None:
    server.create_arp_entry(NEW)
    before = arp_table(server)
    assert winerror(server.create_arp_entry, NEW._replace(phys_addr=b"\x02\0\0\0\0\x09")) == ERROR_ALREADY_EXISTS
    assert arp_table(server) == before


def test_create_on_an_interface_the_router_lacks_is_1413(server: mpr.MibServer, sdk_form: None) -> None:
    before = arp_table(server)
    assert winerror(server.create_arp_entry, NEW._replace(index=99)) == ERROR_INVALID_INDEX
    assert arp_table(server) == before


def test_set_arp_entry_replaces_the_physical_address_and_type(
    server: mpr.MibServer, router: Router, sdk_form: None
) -> None:
    server.create_arp_entry(NEW)
    changed = NEW._replace(phys_addr=bytes.fromhex("02005e102031"), type=NetType.DYNAMIC)
    server.set_arp_entry(changed)
    assert router.last_input() == struct.pack("<II", mpr.IP_NETROW, 0) + changed.to_bytes()
    assert server.ip_net_row(3, "192.168.1.77") == changed
    assert as_tuple(NEW) not in arp_table(server)


def test_set_of_an_entry_the_router_lacks_is_1413(server: mpr.MibServer, sdk_form: None) -> None:
    before = arp_table(server)
    assert winerror(server.set_arp_entry, NEW) == ERROR_INVALID_INDEX
    assert arp_table(server) == before


# ---- ARP entries: Delete (IP_NETTABLE, MS-RRASM 3.1.4.28) -----------------------------


def test_delete_arp_entry_sends_ip_nettable_with_if_index_and_address(
    server: mpr.MibServer, router: Router
) -> None:
    # A fixed entry, the unlisted writes off: Delete is the listed form (3.1.4.28).
    before = arp_table(server)
    fixed = server.ip_net_row(3, "192.168.1.254")
    server.delete_arp_entry(3, "192.168.1.254")
    assert router.last_input() == struct.pack("<II", mpr.IP_NETTABLE, 3) + bytes([192, 168, 1, 254])
    assert arp_table(server) == [row for row in before if row != as_tuple(fixed)]
    assert winerror(server.delete_arp_entry, 3, "192.168.1.254") == ERROR_INVALID_INDEX
    assert winerror(server.ip_net_row, 3, "192.168.1.254") == ERROR_INVALID_INDEX


def test_delete_takes_only_the_entry_on_the_interface_named(server: mpr.MibServer, sdk_form: None) -> None:
    same_address_elsewhere = NEW._replace(index=1)
    server.create_arp_entry(NEW)
    server.create_arp_entry(same_address_elsewhere)
    server.delete_arp_entry(1, NEW.addr)
    table = arp_table(server)
    assert as_tuple(NEW) in table and as_tuple(same_address_elsewhere) not in table


# ---- writes MS-RRASM does not list: 87 from a server that follows it -----------------------


def test_unlisted_writes_are_87_by_default(server: mpr.MibServer, router: Router) -> None:
    """IP_NETROW Create/Set, PROXY_ARP Create/Delete: 87, each table unchanged (switch off, as after reset)."""
    arp_before, proxy_before = arp_table(server), server.proxy_arp_table()
    fixed = server.ip_net_row(3, "192.168.1.254")  # Set of an entry that exists: 87, not 1413
    proxy = proxy_before[0]  # Delete of an entry that exists: 87, not done
    writes = [
        (server.create_arp_entry, NEW),
        (server.set_arp_entry, fixed._replace(phys_addr=bytes.fromhex("02005e102031"))),
        (server.create_proxy_arp, mpr.ProxyArp(address="192.168.1.99", mask="255.255.255.255", if_index=3)),
        (server.delete_proxy_arp, proxy),
    ]
    for write, row in writes:
        assert winerror(write, row) == ERROR_INVALID_PARAMETER, write.__name__
    assert arp_table(server) == arp_before
    assert server.proxy_arp_table() == proxy_before
    assert server.ip_net_row(3, "192.168.1.254") == fixed


# ---- an interface's admin status (IF_ROW Set, MS-RRASM 3.1.4.29) ------------------------


def test_set_if_admin_status_sends_if_row_with_index_and_status_only(
    server: mpr.MibServer, router: Router, sdk: dict[str, Any]
) -> None:
    layout = sdk["MIB_IFROW"]
    at = {member: 8 + offset for member, offset in layout["offsets"].items()}
    before = server.if_row(3)
    assert before.admin_status == IfAdminStatus.UP
    server.set_if_admin_status(3, IfAdminStatus.DOWN)
    sent = router.last_input()
    assert len(sent) == 8 + layout["size"] == 868
    assert struct.unpack_from("<II", sent) == (mpr.IF_ROW, 0)
    assert dword(sent, at["dwIndex"]) == 3
    assert dword(sent, at["dwAdminStatus"]) == IfAdminStatus.DOWN
    assert sent.count(0) == len(sent) - 3  # id, index and status: every other byte 0
    after = server.if_row(3)
    assert after.admin_status == IfAdminStatus.DOWN
    assert after._replace(admin_status=IfAdminStatus.UP) == before  # nothing else changed
    assert server.if_status(3).admin_status == IfAdminStatus.DOWN
    server.set_if_admin_status(3, IfAdminStatus.UP)
    assert server.if_row(3) == before


def test_admin_status_of_an_interface_the_router_lacks_is_1413(server: mpr.MibServer) -> None:
    assert winerror(server.set_if_admin_status, 99, IfAdminStatus.DOWN) == ERROR_INVALID_INDEX


# ---- the stand-in takes nothing else: 87 --------------------------------------------------


def info(var_id: int, payload: bytes) -> bytes:
    return struct.pack("<II", var_id, 0) + payload


ADDR_77 = bytes([192, 168, 1, 77])


@pytest.mark.parametrize(("method", "entry"), [
    ("create", info(mpr.IP_NETROW, NEW.to_bytes()[:-4])),  # 28 bytes
    ("create", info(mpr.IP_NETROW, NEW.to_bytes() + bytes(4))),  # 36 bytes
    ("set", info(mpr.IP_NETROW, NEW.to_bytes()[:-4])),
    ("create", info(mpr.IP_NETROW, NEW._replace(phys_addr=b"").to_bytes())),  # no physical address
    ("create", info(mpr.IP_NETROW, NEW.to_bytes()[:-4] + struct.pack("<I", 5))),  # no such type
    ("create", info(mpr.IP_NETROW, NEW._replace(addr="224.0.0.1").to_bytes())),  # not a host
    ("delete", struct.pack("<III", mpr.IP_NETROW, 3, 0) + ADDR_77),  # not the form 3.1.4.28 gives
    ("delete", struct.pack("<II", mpr.IP_NETROW, 3) + ADDR_77),  # IP_NETROW's own key: not a delete form
    ("delete", struct.pack("<I", mpr.IP_NETTABLE) + ADDR_77),  # 8 bytes
    ("delete", struct.pack("<II", mpr.IP_NETTABLE, 3) + ADDR_77 + bytes(4)),  # 16 bytes
    ("create", struct.pack("<II", mpr.IP_NETTABLE, 0) + NEW.to_bytes()),  # IP_NETTABLE is delete only
    ("set", struct.pack("<II", mpr.IP_NETTABLE, 0) + NEW.to_bytes()),
])  # fmt: skip
def test_arp_writes_in_another_form_are_87(
    server: mpr.MibServer, method: str, entry: bytes, sdk_form: None
) -> None:
    server.create_arp_entry(NEW)
    before = arp_table(server)
    assert winerror(getattr(server, method), mpr.PID_IP, mpr.IPRTRMGR_PID, entry) == ERROR_INVALID_PARAMETER
    assert arp_table(server) == before


def if_row_entry(index: int, status: int, extra: int = 0) -> bytes:
    row = bytearray(860)
    struct.pack_into("<I", row, 512, index)
    struct.pack_into("<I", row, 540, status)
    return info(mpr.IF_ROW, bytes(row) + bytes(extra))


@pytest.mark.parametrize(("method", "entry"), [
    ("set", if_row_entry(3, IfAdminStatus.DOWN)[:-4]),  # 864 bytes
    ("set", if_row_entry(3, IfAdminStatus.DOWN, extra=4)),  # 872 bytes
    ("set", if_row_entry(3, IfAdminStatus.TESTING)),  # 3.1.4.29: up or down only
    ("set", if_row_entry(3, 0)),
    ("create", if_row_entry(3, IfAdminStatus.DOWN)),
    ("delete", struct.pack("<II", mpr.IF_ROW, 3)),
])  # fmt: skip
def test_if_row_writes_in_another_form_are_87(server: mpr.MibServer, method: str, entry: bytes) -> None:
    before = server.if_table()
    assert winerror(getattr(server, method), mpr.PID_IP, mpr.IPRTRMGR_PID, entry) == ERROR_INVALID_PARAMETER
    assert server.if_table() == before


# ---- bad input refused before any call -------------------------------------------------


@pytest.mark.parametrize(("method", "args", "error"), [
    ("create_arp_entry", (tuple(NEW),), TypeError),
    ("create_arp_entry", (NEW._replace(type=9),), ValueError),
    ("create_arp_entry", (NEW._replace(phys_addr=b""),), ValueError),
    ("create_arp_entry", (NEW._replace(index=0),), ValueError),
    ("create_arp_entry", (NEW._replace(addr="224.0.0.251"),), ValueError),
    ("create_arp_entry", (NEW._replace(addr="0.0.0.0"),), ValueError),
    ("set_arp_entry", (NEW._replace(addr="255.255.255.255"),), ValueError),
    ("set_arp_entry", (NEW._replace(type=0),), ValueError),
    ("set_arp_entry", (None,), TypeError),
    ("delete_arp_entry", ("3", "192.168.1.77"), TypeError),
    ("delete_arp_entry", (True, "192.168.1.77"), TypeError),
    ("delete_arp_entry", (0, "192.168.1.77"), ValueError),
    ("delete_arp_entry", (2**32, "192.168.1.77"), ValueError),
    ("delete_arp_entry", (3, "192.168.1.300"), ValueError),
    ("delete_arp_entry", (3, "224.0.0.1"), ValueError),
    ("delete_arp_entry", (3, b"\xc0\xa8\x01\x4d"), TypeError),
    ("set_if_admin_status", (3, IfAdminStatus.TESTING), ValueError),
    ("set_if_admin_status", (3, 7), ValueError),
    ("set_if_admin_status", (3, "down"), TypeError),
    ("set_if_admin_status", (3, True), TypeError),
    ("set_if_admin_status", (0, IfAdminStatus.DOWN), ValueError),
    ("set_if_admin_status", (-1, IfAdminStatus.DOWN), ValueError),
    ("set_if_admin_status", (3.0, IfAdminStatus.DOWN), TypeError),
])  # fmt: skip
def test_bad_input_is_refused_before_any_call(
    server: mpr.MibServer, router: Router, method: str, args: tuple[Any, ...], error: type[Exception]
) -> None:
    with pytest.raises(error):
        getattr(server, method)(*args)
    assert router.counter("calls") == 0


def test_a_decoded_row_whose_length_exceeds_its_array_is_not_written(server: mpr.MibServer, router: Router) -> None:
    # A row decoded from a router may claim dwPhysAddrLen 9 (the view clamps it to 8); it is not sent back.
    reply = struct.pack("<II", mpr.IP_NETROW, 0) + struct.pack("<II8s4sI", 3, 9, bytes(8), ADDR_77, 4)
    row = IpNetRow.decode(reply)
    with pytest.raises(ValueError, match="phys_addr"):
        server.create_arp_entry(row)
    assert router.counter("calls") == 0
