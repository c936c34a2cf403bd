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
    IcmpStats, IfRow, IpAddrRow, IpForwardRow, IpNetRow, IpStats, TcpRow, TcpStats, UdpRow, UdpStats,
)

DECODERS = [
    IfRow.decode_table, IfRow.decode, IpAddrRow.decode_table, IpAddrRow.decode,
    IpForwardRow.decode_table, IpForwardRow.decode, IpNetRow.decode_table, IpNetRow.decode,
    TcpRow.decode_table, UdpRow.decode_table, IpStats.decode, IcmpStats.decode, TcpStats.decode,
    UdpStats.decode,
]


def decoder_name(decoder) -> str:
    return f"{decoder.__self__.__name__}.{decoder.__name__}"


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
