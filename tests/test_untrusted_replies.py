"""Replies are data from another machine: any bytes decode or raise ValueError, never anything else.

The exact bounds checks (counts beyond the reply, rows cut short, short
headers) are in test_rows_decode.py, for every table.
"""

from __future__ import annotations

import contextlib
import random
import struct

import pytest

from mprapi_cffi.mib import (
    PARTS, SPEC_ONLY, STRUCTS, IcmpStats, IfRow, IpAddrRow, IpDestRow, IpForwardRow, IpNetRow, IpStats, McastMfe,
    McastMfeStats, McastMfeStatsEx, ProxyArp, TcpRow, TcpStats, UdpRow, UdpStats,
)
from mprapi_cffi.mib.routes import best_route_reply

DECODERS = [
    IfRow.decode_table, IfRow.decode, IpAddrRow.decode_table, IpAddrRow.decode,
    IpForwardRow.decode_table, IpForwardRow.decode, IpNetRow.decode_table, IpNetRow.decode,
    TcpRow.decode_table, UdpRow.decode_table, IpStats.decode, IcmpStats.decode, TcpStats.decode,
    UdpStats.decode,
    # (rows with a trailing array: test_mfe_counts_... below, where counts are plausible)
    *(t.decode for t in (*STRUCTS, *PARTS, *SPEC_ONLY) if t._trailing is None and t not in (
        IfRow, IpAddrRow, IpForwardRow, IpNetRow, IpStats, IcmpStats, TcpStats, UdpStats)),
    *(t.decode_table for t in STRUCTS if t._table_id is not None and t not in (IfRow, IpAddrRow, IpForwardRow,
                                                                                 IpNetRow, TcpRow, UdpRow)),
    IpDestRow.decode_table,
    # Read by their length: MS-RRASM's form or the SDK's.
    best_route_reply, ProxyArp.decode_rows,
    *(t.decode_rows for t in (McastMfe, McastMfeStats, McastMfeStatsEx)),
]


def test_mfe_counts_beyond_the_reply_raise_and_nothing_is_read_past_it() -> None:
    rng = random.Random("mfe")
    tables_decoded = 0
    for struct_type in (McastMfe, McastMfeStats, McastMfeStatsEx):
        assert struct_type._trailing is not None
        count_index, element = struct_type._trailing
        for _ in range(300):
            rows, body, claimed_rows = rng.randrange(4), b"", None
            for _ in range(rows):
                held = rng.randrange(4)
                fixed = list(struct.unpack(f"<{struct_type.layout.size // 4}I", rng.randbytes(struct_type.layout.size)))
                fixed[count_index] = rng.choice([held, held + 1, 0xFFFFFFFF, held])
                body += struct.pack(f"<{len(fixed)}I", *fixed) + rng.randbytes(held * element.layout.size)
            claimed_rows = rng.choice([rows, rows, rows + 1, 0xFFFFFFFF])
            reply = struct.pack("<III", 18, 0, claimed_rows) + body
            cut = reply[: rng.randrange(len(reply) + 1)] if rng.random() < 0.3 else reply
            single = cut[:8] + cut[12:]  # the first row alone, as a Get of one entry would carry it
            with contextlib.suppress(ValueError):
                row = struct_type.decode(single)
                assert 8 + struct_type.layout.size + len(row[-1]) * element.layout.size <= len(single)
            try:
                decoded = struct_type.decode_table(cut)
            except ValueError:
                continue
            tables_decoded += bool(decoded)
            # What decoded fits in what was given: every row and element came from inside the reply.
            size = sum(struct_type.layout.size + len(r[-1]) * element.layout.size for r in decoded)
            assert 12 + size <= len(cut)
            assert all(len(r[-1]) == r[count_index] for r in decoded)
    assert tables_decoded > 50, "almost every input was refused: the decoding paths went untested"


def decoder_name(decoder) -> str:
    owner = getattr(decoder, "__self__", None)
    return f"{owner.__name__}.{decoder.__name__}" if owner is not None else decoder.__name__


def read_every_field(value: object) -> None:
    """Touch every public value: lazy fields convert only when read."""
    rows = value if isinstance(value, list) else [value]
    for row in rows:
        list(row)
        repr(row)


@pytest.mark.parametrize("decoder", DECODERS, ids=decoder_name)
def test_random_bytes_decode_or_raise_value_error(decoder) -> None:
    rng = random.Random(decoder_name(decoder))
    decoded = 0
    for _ in range(300):
        size = rng.choice([0, 3, 8, 11, 12, 13, 20, 36, 100, 872, 1500, 2000])
        reply = rng.randbytes(size)
        if size >= 12 and rng.random() < 0.5:
            # a plausible count, so that table bodies get decoded too
            reply = reply[:8] + struct.pack("<I", rng.randrange(4)) + reply[12:]
        with contextlib.suppress(ValueError):
            read_every_field(decoder(reply))
            decoded += 1
    assert decoded > 0, "every input was refused: the decoding paths went untested"
