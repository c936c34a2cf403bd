"""Replies are data from another machine: any bytes decode or raise ValueError, never anything else."""

from __future__ import annotations

import contextlib
import random
import struct

import pytest

from mprapi_cffi import decode

DECODERS = [
    decode.if_table, decode.if_row, decode.ip_addr_table, decode.ip_addr_row,
    decode.ip_forward_table, decode.ip_forward_row, decode.ip_net_table, decode.ip_net_row,
    decode.tcp_table, decode.udp_table, decode.ip_stats, decode.icmp_stats, decode.tcp_stats,
    decode.udp_stats,
]


def read_every_field(value: object) -> None:
    """Touch every public value: lazy fields convert only when read."""
    rows = value if isinstance(value, list) else [value]
    for row in rows:
        if isinstance(row, tuple):
            list(row)
            repr(row)


@pytest.mark.parametrize("decoder", DECODERS, ids=lambda d: d.__name__)
def test_random_bytes_decode_or_raise_value_error(decoder) -> None:
    rng = random.Random(decoder.__name__)
    for _ in range(300):
        size = rng.choice([0, 3, 8, 11, 12, 13, 20, 36, 100, 872, 1500, 2000])
        reply = rng.randbytes(size)
        if size >= 12 and rng.random() < 0.5:
            # a plausible count, so that table bodies get decoded too
            reply = reply[:8] + struct.pack("<I", rng.randrange(4)) + reply[12:]
        with contextlib.suppress(ValueError):
            read_every_field(decoder(reply))


@pytest.mark.parametrize("count", [2, 10**6, 2**32 - 1])
def test_table_counts_beyond_the_reply_raise_value_error(count: int) -> None:
    reply = struct.pack("<III", 7, 0, count) + bytes(56)  # room for one route only
    assert len(decode.ip_forward_table(struct.pack("<III", 7, 0, 1) + bytes(56))) == 1
    with pytest.raises(ValueError, match="holds 1 rows but claims"):
        decode.ip_forward_table(reply)


def test_a_row_cut_short_is_not_decoded() -> None:
    with pytest.raises(ValueError):
        decode.ip_forward_table(struct.pack("<III", 7, 0, 1) + bytes(55))
