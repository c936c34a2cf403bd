"""How fast a route table decodes, next to the cost of unpacking its bytes.

    python bench/bench_decode.py [--rows N] [--repeats R]

Builds one IP_FORWARDTABLE reply of N routes (100,000 by default) with struct
and times, interleaved in one run and best of R repeats:

- ``floor``: ``list(struct.iter_unpack('<14I', rows))``, the bare unpacking of
  the same bytes into plain tuples of ints;
- ``decode``: ``IpForwardRow.decode_table(reply)``, the shipped decoder
  (header and count checks included);
- the alternatives it was chosen over (see ``ALTERNATIVES``).

Each prints as rows/s and as a ratio to the floor's time.  A second block
times decoding and then reading every row's ``dest``, ``next_hop`` and
``type``.  ``make bench`` runs this under Windows CPython with
bench_router.py and records the figures in bench/README.md.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import functools
import itertools
import struct
import sys
from collections.abc import Callable
from functools import partial
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mprapi_cffi import IP_FORWARDTABLE, IpForwardRow, RouteProto, RouteType
from timing import best_times

FLOOR_FORMAT = "<14I"
ROUTE = IpForwardRow.layout  # the declaration's MIB_IPFORWARDROW layout
_ROUTE_TYPE = {int(m): m for m in RouteType}
_ROUTE_PROTO = {int(m): m for m in RouteProto}


def build_reply(rows: int) -> bytes:
    """An IP_FORWARDTABLE reply (MIB_OPAQUE_INFO) holding ``rows`` varied routes."""
    parts = [struct.pack("<III", IP_FORWARDTABLE, 0, rows)]
    for i in range(rows):
        dest = (10 << 24 | i << 8).to_bytes(4, "big")
        parts.append(
            ROUTE.pack(
                dest, b"\xff\xff\xff\x00", 0, b"\xc0\xa8\x01\xfe", 1 + i % 8,
                3 + i % 2, (3, 2, 8, 13, 10002)[i % 5], i % 3600, 0,
                1 + i % 50, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF,
            )
        )  # fmt: skip
    return b"".join(parts)


def table_rows(reply: bytes) -> memoryview:
    """The rows of a table reply, as many as its dwNumEntries says (the reply is ours)."""
    (count,) = struct.unpack_from("<I", reply, 8)
    return memoryview(reply)[12 : 12 + count * ROUTE.size]


def floor(rows: memoryview) -> list[Any]:
    """The floor: the rows unpacked into plain tuples of ints, nothing more."""
    return list(struct.iter_unpack(FLOOR_FORMAT, rows))


# ------------------------------------------------------------- alternatives


@dataclasses.dataclass(frozen=True, slots=True)
class _LazyDataclassRoute:
    """Slotted frozen dataclass; addresses kept as wire bytes, converted on read."""

    dest_wire: bytes
    mask_wire: bytes
    policy: int
    next_hop_wire: bytes
    if_index: int
    type_value: int
    proto_value: int
    age: int
    next_hop_as: int
    metric1: int
    metric2: int
    metric3: int
    metric4: int
    metric5: int

    @property
    def dest(self) -> IPv4Address:
        return IPv4Address(self.dest_wire)

    @property
    def next_hop(self) -> IPv4Address:
        return IPv4Address(self.next_hop_wire)

    @property
    def type(self) -> int:
        return _ROUTE_TYPE.get(self.type_value, self.type_value)


class _WireTuple(tuple[Any, ...]):
    """The earlier design: a tuple subclass storing wire values, converting on read."""

    __slots__ = ()

    @property
    def dest(self) -> IPv4Address:
        return IPv4Address(tuple.__getitem__(self, 0))

    @property
    def next_hop(self) -> IPv4Address:
        return IPv4Address(tuple.__getitem__(self, 3))

    @property
    def type(self) -> int:
        value: int = tuple.__getitem__(self, 5)
        return _ROUTE_TYPE.get(value, value)


_make_wire_tuple = functools.partial(tuple.__new__, _WireTuple)

# Plain NamedTuples with the row's field names: one with IPv4Address and enum
# members built while decoding, one of wire values built with its own _make.
_EagerRoute = collections.namedtuple("_EagerRoute", IpForwardRow._fields)
_WireNamedTuple = collections.namedtuple("_WireNamedTuple", IpForwardRow._fields)


def _decode(reply: bytes) -> list[Any]:
    return IpForwardRow.decode_table(reply)


def _dataclass_lazy(rows: memoryview) -> list[Any]:
    return list(itertools.starmap(_LazyDataclassRoute, ROUTE.iter_unpack(rows)))


def _namedtuple_eager(rows: memoryview) -> list[Any]:
    ip, rt, rp = IPv4Address, _ROUTE_TYPE, _ROUTE_PROTO
    return [
        _EagerRoute(ip(d), ip(m), p, ip(nh), i, rt.get(t, t), rp.get(pr, pr), *rest)
        for d, m, p, nh, i, t, pr, *rest in ROUTE.iter_unpack(rows)
    ]


def _namedtuple_wire_make(rows: memoryview) -> list[Any]:
    return list(map(_WireNamedTuple._make, ROUTE.iter_unpack(rows)))


def _wire_tuple(rows: memoryview) -> list[Any]:
    return list(map(_make_wire_tuple, ROUTE.iter_unpack(rows)))


ALTERNATIVES: dict[str, tuple[str, Callable[[memoryview], list[Any]]]] = {
    "wire_tuple": ("tuple subclass of wire values (earlier)", _wire_tuple),
    "namedtuple_wire_make": ("NamedTuple of wire values via its _make", _namedtuple_wire_make),
    "dataclass_lazy": ("slotted frozen dataclass, lazy address", _dataclass_lazy),
    "namedtuple_eager": ("NamedTuple, eager IPv4Address + enums", _namedtuple_eager),
}

LABELS = {
    "floor": "bare struct.iter_unpack('<14I') floor",
    "decode": "IpForwardRow.decode_table",
    "whole": "MibServer.ip_forward_table() (call, copy, free, decode)",
    **{name: label for name, (label, _) in ALTERNATIVES.items()},
}


def _read_all(rows: list[Any]) -> None:
    for row in rows:
        _ = (row.dest, row.next_hop, row.type)


def measure_decode(
    reply: bytes, repeats: int, extra: dict[str, Callable[[], object]] | None = None
) -> dict[str, float]:
    """Best seconds for ``floor``, ``decode``, each of ``ALTERNATIVES`` and ``extra`` on one reply."""
    rows = table_rows(reply)
    variants: dict[str, Callable[[], object]] = {
        "floor": partial(floor, rows),
        "decode": partial(_decode, reply),
        **(extra or {}),
    }
    for name, (_, fn) in ALTERNATIVES.items():
        variants[name] = partial(fn, rows)
    return best_times(variants, repeats)


def measure_decode_and_read(reply: bytes, repeats: int) -> dict[str, float]:
    """Best seconds to decode and then read dest, next_hop and type of every row."""
    rows = table_rows(reply)
    variants: dict[str, Callable[[], object]] = {
        "decode": lambda: _read_all(_decode(reply)),
        "wire_tuple": lambda: _read_all(_wire_tuple(rows)),
        "dataclass_lazy": lambda: _read_all(_dataclass_lazy(rows)),
        "namedtuple_eager": lambda: _read_all(_namedtuple_eager(rows)),
    }
    return best_times(variants, repeats)


def report(title: str, best: dict[str, float], floor_seconds: float, count: int) -> list[str]:
    """Lines of rows/s and ratio to the floor, one per variant."""
    lines = [title]
    width = max(len(LABELS[name]) for name in best)
    for name, seconds in best.items():
        rate, ratio = count / seconds, seconds / floor_seconds
        lines.append(f"  {LABELS[name]:<{width}}  {rate:>12,.0f} rows/s  {ratio:.2f}x floor")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000, help="routes in the reply")
    parser.add_argument("--repeats", type=int, default=15, help="best of this many runs")
    args = parser.parse_args(argv)
    reply = build_reply(args.rows)
    python = f"Python {sys.version.split()[0]} on {sys.platform}"
    print(f"{args.rows:,} routes, best of {args.repeats} interleaved runs, {python}")
    best = measure_decode(reply, args.repeats)
    print("\n".join(report("decode:", best, best["floor"], args.rows)))
    read = measure_decode_and_read(reply, max(3, args.repeats // 3))
    print("\n".join(report("decode, then read dest, next_hop, type of every row:", read, best["floor"], args.rows)))
    print(f"decode/floor ratio: {best['decode'] / best['floor']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
