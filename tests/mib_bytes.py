"""Reply bytes as a router sends them, built with struct, for the decoding tests."""

from __future__ import annotations

import struct
from ipaddress import IPv4Address

from mprapi_cffi.mib import METRIC_UNUSED

GARBAGE = b"\xab\xcd"  # what a router may leave in the upper half of a port DWORD


def info(var_id: int, payload: bytes) -> bytes:
    """A MIB_OPAQUE_INFO: dwId, 4 bytes of padding, the payload."""
    return struct.pack("<II", var_id, 0) + payload


def table(var_id: int, rows: list[bytes], count: int | None = None, tail: bytes = b"") -> bytes:
    """A table reply: dwNumEntries (the real count unless told), rows, trailing bytes."""
    n = len(rows) if count is None else count
    return info(var_id, struct.pack("<I", n) + b"".join(rows) + tail)


def ip(text: str) -> bytes:
    """An address in wire form: the bytes a.b.c.d."""
    return IPv4Address(text).packed


def port(value: int, upper: bytes = GARBAGE) -> bytes:
    """A port DWORD: network-order port in its low two bytes, junk above."""
    return struct.pack(">H", value) + upper


def route_bytes(
    dest: bytes = ip("10.0.0.0"),
    mask: bytes = ip("255.0.0.0"),
    policy: int = 0,
    next_hop: bytes = ip("192.168.1.254"),
    if_index: int = 3,
    type: int = 4,
    proto: int = 3,
    age: int = 120,
    next_hop_as: int = 65001,
    metrics: tuple[int, int, int, int, int] = (10, 20, 30, 40, METRIC_UNUSED),
) -> bytes:
    row = struct.pack(
        "<4s4sI4s10I", dest, mask, policy, next_hop, if_index, type, proto, age, next_hop_as,
        *metrics,
    )  # fmt: skip
    assert len(row) == 56
    return row


def if_row_bytes(
    name: bytes = "Ethernet 1".encode("utf-16-le"),
    index: int = 7,
    type: int = 6,
    mtu: int = 1500,
    speed: int = 1_000_000_000,
    phys_len: int = 6,
    phys: bytes = bytes.fromhex("001122334455") + b"\xee\xff",
    admin: int = 1,
    oper: int = 5,
    counters: tuple[int, ...] = tuple(range(100, 113)),  # dwLastChange .. dwOutQLen
    descr_len: int | None = None,
    descr: bytes = b"Intel(R) PRO/1000\x00",
) -> bytes:
    if descr_len is None:
        descr_len = len(descr)
    row = (
        name.ljust(512, b"\x00")[:512]
        + struct.pack("<5I", index, type, mtu, speed, phys_len)
        + phys.ljust(8, b"\x00")[:8]
        + struct.pack("<3I", admin, oper, counters[0])
        + struct.pack("<12I", *counters[1:])
        + struct.pack("<I", descr_len)
        + descr.ljust(256, b"\x00")[:256]
    )
    assert len(row) == 860
    return row


def addr_row_bytes(
    addr: bytes = ip("192.168.1.10"),
    index: int = 7,
    mask: bytes = ip("255.255.255.0"),
    bcast: bytes = struct.pack("<I", 1),  # MIB-II's broadcast bit, as routers send it
    reasm: int = 65535,
    unused: int = 0xBEEF,
    wtype: int = 0x1 | 0x4,
) -> bytes:
    return struct.pack("<4sI4s4sIHH", addr, index, mask, bcast, reasm, unused, wtype)


def net_row_bytes(
    index: int = 7,
    phys_len: int = 6,
    phys: bytes = bytes.fromhex("aabbccddeeff") + b"\x99\x88",
    addr: bytes = ip("192.168.1.1"),
    type: int = 3,
) -> bytes:
    return struct.pack("<II8s4sI", index, phys_len, phys, addr, type)


def tcp_row_bytes(
    state: int = 5,
    local: bytes = ip("192.168.1.10"),
    local_port: bytes = port(445),
    remote: bytes = ip("10.1.2.3"),
    remote_port: bytes = port(50123),
) -> bytes:
    return struct.pack("<I", state) + local + local_port + remote + remote_port


def udp_row_bytes(local: bytes = ip("0.0.0.0"), local_port: bytes = port(53)) -> bytes:
    return local + local_port
