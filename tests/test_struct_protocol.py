"""Every operation a user can reach on a MIB structure sees its public values, or raises.

Walked for every declared structure, on a decoded one (wire values as
``struct`` unpacked them) and on one built by keyword.  Runs natively.
"""

from __future__ import annotations

import copy
import pickle
import struct
from ipaddress import IPv4Address
from typing import Any

import pytest

from mib_bytes import addr_row_bytes, if_row_bytes, info, ip, net_row_bytes, port, route_bytes, tcp_row_bytes
from mprapi_cffi.mib import (
    PARTS,
    SPEC_ONLY,
    STRUCTS,
    McastGlobal,
    RouteState,
    IcmpCounters,
    IcmpStats,
    IfRow,
    IpAddrRow,
    IpForwardRow,
    IpNetRow,
    MibStruct,
    TcpRow,
    UdpRow,
)


def _dwords(struct_type: type[MibStruct], start: int) -> bytes:
    return struct.pack(f"<{struct_type.layout.size // 4}I", *range(start, start + struct_type.layout.size // 4))


# Two different replies' payloads for each structure: (first, second), first < second.
PAYLOADS: dict[type[MibStruct], tuple[bytes, bytes]] = {
    IfRow: (if_row_bytes(index=3, phys=bytes.fromhex("001122334455") + b"jk"),
            if_row_bytes(name="Ethernet 2".encode("utf-16-le"), index=4)),
    IpAddrRow: (addr_row_bytes(), addr_row_bytes(addr=ip("192.168.2.10"))),
    IpNetRow: (net_row_bytes(index=1), net_row_bytes(index=2)),
    IpForwardRow: (route_bytes(), route_bytes(dest=ip("172.16.0.0"))),
    TcpRow: (tcp_row_bytes(), tcp_row_bytes(local_port=port(446))),
    UdpRow: (ip("0.0.0.0") + port(53), ip("192.168.1.10") + port(53)),
}
PAYLOADS[RouteState] = (struct.pack("<I", 0), struct.pack("<I", 1))  # one BOOL: false, then true
PAYLOADS[McastGlobal] = (struct.pack("<I", 2), struct.pack("<I", 1))  # 2: not enabled (False), 1: enabled


def _with_trailing(struct_type: type[MibStruct], start: int, count: int) -> bytes:
    """DWORDs counting up, the count field set to ``count``, then that many elements."""
    assert struct_type._trailing is not None
    count_index, element = struct_type._trailing
    values = list(range(start, start + struct_type.layout.size // 4))
    values[count_index] = count
    return struct.pack(f"<{len(values)}I", *values) + b"".join(
        _dwords(element, start + 100 * (i + 1)) for i in range(count)
    )


for _struct in (*STRUCTS, *PARTS, *SPEC_ONLY):
    if _struct in PAYLOADS:
        continue
    if _struct._trailing is not None:
        PAYLOADS[_struct] = (_with_trailing(_struct, 1, 2), _with_trailing(_struct, 2, 1))
    else:
        PAYLOADS[_struct] = (_dwords(_struct, 1), _dwords(_struct, 2))

ALL = sorted(PAYLOADS, key=lambda t: t.__name__)


def decoded(struct_type: type[MibStruct], which: int = 0) -> Any:
    return struct_type.decode(info(0, PAYLOADS[struct_type][which]))


def built(struct_type: type[MibStruct], which: int = 0) -> Any:
    """The same structure, built by keyword from the decoded one's public values."""
    return struct_type(**decoded(struct_type, which)._asdict())


def public(row: Any) -> tuple[Any, ...]:
    """The public values, read field by field as attributes."""
    return tuple(getattr(row, name) for name in type(row)._fields)


@pytest.fixture(params=ALL, ids=lambda t: t.__name__)
def struct_type(request: pytest.FixtureRequest) -> type[MibStruct]:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(params=["decoded", "built"])
def row(request: pytest.FixtureRequest, struct_type: type[MibStruct]) -> Any:
    return decoded(struct_type) if request.param == "decoded" else built(struct_type)


def test_the_payloads_are_different_structures(struct_type: type[MibStruct]) -> None:
    assert public(decoded(struct_type, 0)) != public(decoded(struct_type, 1))


def test_decoded_and_built_are_equal(struct_type: type[MibStruct]) -> None:
    assert decoded(struct_type) == built(struct_type)
    assert hash(decoded(struct_type)) == hash(built(struct_type))
    # Encoding gives back the same structure (padding and unused bytes become zeros).
    assert struct_type.decode(info(0, decoded(struct_type).to_bytes())) == decoded(struct_type)
    assert len(decoded(struct_type).to_bytes()) == len(PAYLOADS[struct_type][0])


def test_indexing_gives_each_fields_public_value(row: Any) -> None:
    values = public(row)
    assert len(row) == len(values) == len(type(row)._fields)
    for i, value in enumerate(values):
        assert row[i] == value and type(row[i]) is type(value)
        assert row[i - len(values)] == value
    with pytest.raises(IndexError):
        row[len(values)]
    with pytest.raises(TypeError, match="indices must be integers"):
        row[type(row)._fields[0]]


def test_slicing_gives_a_tuple_of_public_values(row: Any) -> None:
    values = public(row)
    assert row[:] == values and type(row[:]) is tuple
    assert row[1:3] == values[1:3]
    assert row[::-1] == values[::-1]


def test_iteration_and_unpacking_give_public_values(row: Any) -> None:
    values = public(row)
    assert tuple(row) == values
    assert list(iter(row)) == list(values)
    first, *rest = row
    assert (first, *rest) == values


def test_in_and_count_look_at_public_values(row: Any) -> None:
    for value in public(row):
        assert value in row
        assert row.count(value) == public(row).count(value)
    assert object() not in row
    one_wire_value_each = len(row._wire) == len(type(row)._fields)
    for name, wire in zip(type(row)._fields, row._wire if one_wire_value_each else ()):
        if isinstance(wire, bytes) and not isinstance(getattr(row, name), bytes):
            assert wire not in row, name  # an address's or port's wire bytes are not a value
            assert row.count(wire) == 0


def test_index_method_finds_public_values_or_is_the_sdk_field(row: Any) -> None:
    if "index" in type(row)._fields:
        assert row.index == public(row)[type(row)._fields.index("index")]
        return
    values = public(row)
    for value in values:
        assert row.index(value) == values.index(value)
    with pytest.raises(ValueError):
        row.index(object())
    wires = [w for w in row._wire if isinstance(w, bytes)]
    for wire in wires:
        with pytest.raises(ValueError):
            row.index(wire)


def test_percent_formatting_formats_the_public_repr_or_raises(row: Any) -> None:
    assert "%r" % (row,) == repr(row)  # noqa: UP031
    assert "%s" % (row,) == repr(row)  # noqa: UP031
    assert "%r" % row == repr(row)  # noqa: UP031  (one value: the structure itself, not its fields)
    with pytest.raises(TypeError):
        "%r %r" % row  # noqa: UP031  (not a tuple: it is not spread over the format)


def test_equality_with_a_plain_tuple_of_public_values(row: Any) -> None:
    values = public(row)
    assert row == values and values == row
    assert (row != values) is False  # __ne__ agrees
    assert row != tuple(row._wire) or row._wire == values
    assert row != list(values)
    assert row != values[:-1]


def test_hash_is_the_hash_of_the_public_tuple(row: Any) -> None:
    assert hash(row) == hash(public(row))
    assert {public(row): "found"}[row] == "found"


def test_ordering_follows_the_public_values(struct_type: type[MibStruct]) -> None:
    first, second = decoded(struct_type, 0), decoded(struct_type, 1)
    assert public(first) < public(second)
    assert first < second and second > first and first <= second and second >= first
    assert first <= built(struct_type) and first >= built(struct_type)
    assert first < public(second) and public(first) < second
    assert sorted([second, first]) == [first, second]
    with pytest.raises(TypeError):
        first < 1  # noqa: B015
    other = IpForwardRow if struct_type is not IpForwardRow else UdpRow
    with pytest.raises(TypeError):
        first < decoded(other)  # noqa: B015
    assert first != decoded(other)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickling_round_trips_the_public_values(row: Any, protocol: int) -> None:
    data = pickle.dumps(row, protocol)
    back = pickle.loads(data)
    assert type(back) is type(row) and back == row and public(back) == public(row)
    if any(isinstance(value, IPv4Address) for value in public(row)):
        assert b"IPv4Address" in data  # the public values were pickled, not the wire bytes
    assert copy.copy(row) == row and copy.deepcopy(row) == row


def test_repr_names_each_field_with_its_public_value(row: Any) -> None:
    body = ", ".join(f"{name}={value!r}" for name, value in zip(type(row)._fields, public(row)))
    assert repr(row) == f"{type(row).__name__}({body})"
    assert "b'\\x" not in repr(row) or any(isinstance(v, bytes) for v in public(row))


def test_asdict_maps_field_names_to_public_values(row: Any) -> None:
    assert row._asdict() == dict(zip(type(row)._fields, public(row)))
    assert list(row._asdict()) == list(type(row)._fields)


def test_replace_changes_one_field_and_checks_it(row: Any) -> None:
    struct_type = type(row)
    assert row._replace() == row
    other = decoded(struct_type, 1)
    counted = struct_type._fields[struct_type._trailing[0]] if struct_type._trailing else None
    for name in struct_type._fields:
        if name == counted:  # the count must stay the array's length
            with pytest.raises(ValueError, match=name):
                row._replace(**{name: len(row[-1]) + 1})
            continue
        changed = row._replace(**{name: getattr(other, name)})
        assert getattr(changed, name) == getattr(other, name)
        untouched = [f for f in struct_type._fields if f != name and not (counted and name == struct_type._fields[-1]
                                                                           and f == counted)]
        assert [getattr(changed, f) for f in untouched] == [getattr(row, f) for f in untouched]
    with pytest.raises(ValueError):
        row._replace(not_a_field=1)
    with pytest.raises((TypeError, ValueError)):
        row._replace(**{struct_type._fields[-1]: object()})


def test_match_binds_public_values_positionally_and_by_keyword(row: Any) -> None:
    struct_type = type(row)
    values = public(row)
    assert struct_type.__match_args__ == struct_type._fields
    match row:
        case IfRow(name, index):
            assert (name, index) == values[:2]
        case IpForwardRow(dest, mask, proto=proto):
            assert (dest, mask, proto) == (values[0], values[1], row.proto)
        case UdpRow(addr, port_number):
            assert (addr, port_number) == values
        case IcmpStats(in_stats=IcmpCounters(msgs=msgs)):
            assert msgs == values[0].msgs
        case _:
            first_name = struct_type._fields[0]
            assert getattr(row, first_name) == values[0]


@pytest.mark.parametrize("struct_type", ALL, ids=lambda t: t.__name__)
def test_positional_match_of_every_field(struct_type: type[MibStruct]) -> None:
    row = decoded(struct_type)
    n = len(struct_type._fields)
    # A class pattern with every field positionally, built for this type's arity.
    namespace: dict[str, Any] = {"cls": struct_type}
    names = ", ".join(f"v{i}" for i in range(n))
    exec(f"def bind(row):\n    match row:\n        case cls({names}):\n            return ({names},)\n", namespace)
    assert namespace["bind"](row) == public(row)


def test_immutable(row: Any) -> None:
    for name in type(row)._fields:
        with pytest.raises(AttributeError):
            setattr(row, name, getattr(row, name))
    with pytest.raises(AttributeError):
        row.not_a_field = 1


def test_construction_is_by_keyword_with_every_field_required_or_defaulted(struct_type: type[MibStruct]) -> None:
    values = decoded(struct_type)._asdict()
    with pytest.raises(TypeError, match="keyword"):
        struct_type(*values.values())
    counted = struct_type._fields[struct_type._trailing[0]] if struct_type._trailing else None
    required = [d.name for d in struct_type._declared if d.default is _no_default() and d.name != counted]
    for name in required:
        with pytest.raises(TypeError, match=f"missing .*'{name}'"):
            struct_type(**{k: v for k, v in values.items() if k != name})


def _no_default() -> Any:
    from mprapi_cffi import _wire

    return _wire._NO_DEFAULT


def test_addresses_and_ports_read_as_their_public_types() -> None:
    route = decoded(IpForwardRow)
    assert isinstance(route.dest, IPv4Address) and route.dest == IPv4Address("10.0.0.0")
    tcp = decoded(TcpRow)
    assert tcp.local_port == 445 and isinstance(tcp.local_port, int)
