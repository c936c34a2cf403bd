"""How fast a route table decodes, next to the cost of unpacking its bytes.

    python bench/bench_decode.py [--rows N] [--repeats R]

Builds one IP_FORWARDTABLE reply of N routes (100,000 by default) with struct
and times, interleaved in one run and best of R repeats:

- ``floor``: ``list(struct.iter_unpack('<14I', rows))``, the bare unpacking of
  the same bytes into plain tuples of ints;
- ``decode``: ``mprapi_cffi.decode.ip_forward_table(reply)``, the shipped
  decoder (header and count checks included);
- the alternatives it was chosen over (see ``ALTERNATIVES``).

Each prints as rows/s and as ``decode/floor ratio: N.NNx`` (time over the
floor's time).  A second block times decoding and then reading every row's
``dest``, ``next_hop`` and ``type``, for the designs where that differs.

``table_rows`` and ``floor`` are shared with bench_router.py, which times the
same floor against replies from the stand-in router in the Windows lane.
"""

from __future__ import annotations

import argparse
import dataclasses
import collections
import itertools
import struct
import sys
from collections.abc import Callable
from functools import partial
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mprapi_cffi import decode
from mprapi_cffi.constants import IP_FORWARDTABLE
from mprapi_cffi.rows import _ROUTE_PROTO, _ROUTE_TYPE, IpForwardRow
from timing import best_times

_FLOOR_FORMAT = "<14I"
_ROUTE = decode._IPFORWARD  # the shipped decoder's MIB_IPFORWARDROW layout
_WIRE_FORMAT = _ROUTE.format


def build_reply(rows: int) -> bytes:
    """An IP_FORWARDTABLE reply (MIB_OPAQUE_INFO) holding ``rows`` varied routes."""
    parts = [struct.pack("<III", IP_FORWARDTABLE, 0, rows)]
    for i in range(rows):
        dest = (10 << 24 | i << 8).to_bytes(4, "big")
        parts.append(
            _ROUTE.pack(
                dest, b"\xff\xff\xff\x00", 0, b"\xc0\xa8\x01\xfe", 1 + i % 8,
                3 + i % 2, (3, 2, 8, 13, 10002)[i % 5], i % 3600, 0,
                1 + i % 50, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF,
            )
        )  # fmt: skip
    return b"".join(parts)


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


# Plain NamedTuples with the row's field names: one with IPv4Address and enum
# members built while decoding, one of wire values built with its own _make.
_EagerRoute = collections.namedtuple("_EagerRoute", IpForwardRow._fields)
_WireNamedTuple = collections.namedtuple("_WireNamedTuple", IpForwardRow._fields)


_make_route = decode._make_route


def table_rows(reply: bytes) -> memoryview:
    """The declared rows of an IP_FORWARDTABLE reply, bounds-checked as decode does."""
    return decode._table(reply, _ROUTE, "MIB_IPFORWARDTABLE")


def floor(rows: memoryview) -> list[Any]:
    """The floor: the rows unpacked into plain tuples of ints, nothing more."""
    return list(struct.iter_unpack(_FLOOR_FORMAT, rows))


def _decode(reply: bytes) -> list[Any]:
    return decode.ip_forward_table(reply)


def _dataclass_lazy(rows: memoryview) -> list[Any]:
    return list(itertools.starmap(_LazyDataclassRoute, struct.iter_unpack(_WIRE_FORMAT, rows)))


def _namedtuple_eager(rows: memoryview) -> list[Any]:
    ip, rt, rp = IPv4Address, _ROUTE_TYPE, _ROUTE_PROTO
    return [
        _EagerRoute(ip(d), ip(m), p, ip(nh), i, rt.get(t, t), rp.get(pr, pr), *rest)
        for d, m, p, nh, i, t, pr, *rest in struct.iter_unpack(_WIRE_FORMAT, rows)
    ]


def _namedtuple_wire_make(rows: memoryview) -> list[Any]:
    return list(map(_WireNamedTuple._make, struct.iter_unpack(_WIRE_FORMAT, rows)))


def _wire_eager_enums(rows: memoryview) -> list[Any]:
    rt, rp = _ROUTE_TYPE, _ROUTE_PROTO
    return [
        _make_route((d, m, p, nh, i, rt.get(t, t), rp.get(pr, pr), *rest))
        for d, m, p, nh, i, t, pr, *rest in struct.iter_unpack(_WIRE_FORMAT, rows)
    ]


def _wire_int_addresses(rows: memoryview) -> list[Any]:
    # The chosen design, but addresses unpacked as "I" (the wire DWORD as an int).
    return list(map(_make_route, struct.iter_unpack(_FLOOR_FORMAT, rows)))


ALTERNATIVES: dict[str, tuple[str, Callable[[memoryview], list[Any]]]] = {
    "dataclass_lazy": ("slotted frozen dataclass, lazy address", _dataclass_lazy),
    "namedtuple_eager": ("NamedTuple, eager IPv4Address + enums", _namedtuple_eager),
    "namedtuple_wire_make": ("NamedTuple of wire values via its _make", _namedtuple_wire_make),
    "wire_eager_enums": ("chosen tuple, enums looked up eagerly", _wire_eager_enums),
    "wire_int_addresses": ("chosen tuple, addresses as 'I' ints", _wire_int_addresses),
}


def _read_all(rows: list[Any]) -> None:
    for row in rows:
        _ = (row.dest, row.next_hop, row.type)


def measure_decode(reply: bytes, repeats: int) -> dict[str, float]:
    """Rows per second for ``floor``, ``decode`` and each of ``ALTERNATIVES``.

    ``reply`` is a whole IP_FORWARDTABLE reply (MIB_OPAQUE_INFO included);
    every variant works on the same bytes; best of ``repeats`` interleaved
    runs.
    """
    rows = table_rows(reply)
    count = len(rows) // _ROUTE.size
    variants: dict[str, Callable[[], object]] = {
        "floor": partial(floor, rows),
        "decode": partial(_decode, reply),
    }
    for name, (_, fn) in ALTERNATIVES.items():
        variants[name] = partial(fn, rows)
    best = best_times(variants, repeats)
    return {name: count / seconds for name, seconds in best.items()}


def measure_decode_and_read(reply: bytes, repeats: int) -> dict[str, float]:
    """Rows per second to decode and then read dest, next_hop and type of every row."""
    rows = table_rows(reply)
    count = len(rows) // _ROUTE.size
    variants: dict[str, Callable[[], object]] = {
        "decode": lambda: _read_all(_decode(reply)),
        "dataclass_lazy": lambda: _read_all(_dataclass_lazy(rows)),
        "namedtuple_eager": lambda: _read_all(_namedtuple_eager(rows)),
    }
    best = best_times(variants, repeats)
    return {name: count / seconds for name, seconds in best.items()}


def _report(title: str, rates: dict[str, float], floor: float) -> None:
    print(title)
    labels = {
        "floor": "bare struct.iter_unpack('<14I') floor",
        "decode": "decode.ip_forward_table",
    }
    labels.update({name: label for name, (label, _) in ALTERNATIVES.items()})
    width = max(len(labels[name]) for name in rates)
    for name, rate in rates.items():
        print(
            f"  {labels[name]:<{width}}  {rate:>12,.0f} rows/s"
            f"  decode/floor ratio: {floor / rate:.2f}x"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000, help="routes in the reply")
    parser.add_argument("--repeats", type=int, default=15, help="best of this many runs")
    args = parser.parse_args(argv)
    reply = build_reply(args.rows)
    print(
        f"{args.rows:,} routes, best of {args.repeats} interleaved runs, "
        f"Python {sys.version.split()[0]} on {sys.platform}"
    )
    rates = measure_decode(reply, args.repeats)
    _report("decode:", rates, rates["floor"])
    read = measure_decode_and_read(reply, max(3, args.repeats // 3))
    _report("decode, then read dest, next_hop, type of every row:", read, rates["floor"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
