"""The wire: how a MIB structure is declared, and everything that follows from it.

A structure is declared once, as a class whose annotated fields are in the
SDK's order::

    class UdpRow(MibStruct, sdk="MIB_UDPROW", size=8, var_id=UDP_ROW, table_id=UDP_TABLE):
        local_addr: Address = field("dwLocalAddr", "local address")
        local_port: Port = field("dwLocalPort", "local port")

Each field's kind (``Address``, ``Dword``, ``Enumerated[TcpState]``..., in
_fields.py) says its wire format, how the public value is made from the wire value, and how a
user's value is checked and encoded.  From the fields follow the struct
layout (checked against ``size``), ``_fields`` and ``__match_args__``, the
read-only accessors, the keyword constructor and its checks, the encoder for
writes and the bulk decoder.

A reply is the router's whole MIB_OPAQUE_INFO: ``DWORD dwId``, 4 bytes of
padding, the payload at offset 8.  A table payload is ``DWORD dwNumEntries``
and the rows, so rows start at offset 12.  DWORDs are little-endian; IPv4
addresses are DWORDs in network byte order (the bytes in memory are a.b.c.d).

The router is another machine, so nothing it says is trusted: a reply shorter
than what it must hold, or a table whose ``dwNumEntries`` claims more rows than
the reply holds, raises ``ValueError``; bytes after the declared rows are
ignored; ``dwPhysAddrLen`` and ``dwDescrLen`` are clamped to their arrays.
Nothing is read outside the reply.  ``dwId`` is not checked: the payload's
size is what decoding relies on.

A structure object keeps the values ``struct`` unpacked (addresses as their 4
wire bytes, ports as their 2 network-order bytes) and makes the public value
when a field is read, so decoding a table costs about what unpacking it costs
(bench/README.md has the figures).  It is not a tuple: every way of reading it
(attributes, indexing, slicing, iteration, ``in``, ``count``, ``==`` with a
plain tuple, hashing, ordering, pickling, ``repr``, ``_asdict``) sees the public
values.
"""

from __future__ import annotations

import inspect
import operator
import re
import struct
import sys
from collections.abc import Callable, Iterable, Iterator
from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, SupportsIndex, TypeVar, overload

from ._fields import POINTER_SIZE, Codec, Field, check_uint
from .constants import PID_IP

if TYPE_CHECKING:
    from typing_extensions import Self, dataclass_transform
else:  # typing.dataclass_transform arrives in Python 3.11; it only informs type checkers

    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda cls: cls


__all__ = ["CLayout", "MibStruct", "c_layout", "field"]

HEADER = 8  # MIB_OPAQUE_INFO: dwId, padding; the payload starts here
ROWS = HEADER + 4  # after a table's dwNumEntries
_U32 = struct.Struct("<I")
_INFO_HEADER = struct.Struct("<II")  # MIB_OPAQUE_INFO before the payload

_N = TypeVar("_N", bound="MibStruct")


# ------------------------------------------------------- the declaration


Skip = int | tuple[int, int]
"""Bytes of unread members: the same on every platform, or ``(64-bit, 32-bit)`` in a C-layout structure."""


class _Declared(NamedTuple):
    name: str
    sdk: str
    doc: str
    default: Any
    skip: Skip  # padding bytes before the field (an unused member)
    counted_by: str  # for a trailing array: the field that says how many elements follow


_NO_DEFAULT: Any = object()


def field(sdk: str, doc: str, *, default: Any = _NO_DEFAULT, skip: Skip = 0, count: str = "") -> Any:
    """One field of a MIB structure: its SDK member name, what it is, its default if any.

    ``skip`` is the number of bytes of an unused member just before the field
    (in a C-layout structure, ``(64-bit, 32-bit)`` where they differ);
    ``count`` names the field that counts a trailing array's elements.
    """
    return _Declared("", sdk, doc, default, skip, count)


# -------------------------------------------------- the C layout (aligned=True)

_CODE = re.compile(r"(\d*)([a-zA-Z?])")


class CLayout(NamedTuple):
    """A C-layout structure's layout on one platform (see :func:`c_layout`)."""

    format: str  # the struct format, "<" with explicit padding
    offsets: tuple[int, ...]  # each field's offset
    sizes: tuple[int, ...]  # each field's size in bytes
    size: int  # sizeof, the tail padded to the structure's alignment
    align: int  # the structure's alignment (its widest field's)


def _on(skip: Skip, pointer: int) -> int:
    return skip if isinstance(skip, int) else skip[0 if pointer == 8 else 1]


def _c_items(codecs: Iterable[Codec], skips: Iterable[Skip], tail: Skip, pointer: int) -> CLayout:
    pointer_code = "Q" if pointer == 8 else "I"
    parts = ["<"]
    offsets: list[int] = []
    sizes: list[int] = []
    position = widest = 0
    for c, skip in zip(codecs, skips):
        fmt = c.format.replace("P", pointer_code)
        align = c.align or max(1 if code in "sxp" else struct.calcsize(code) for _, code in _CODE.findall(fmt))
        widest = max(widest, align)
        start = -(-(position + _on(skip, pointer)) // align) * align
        if start != position:  # the unread members, then the padding C puts before this one
            parts.append(f"{start - position}x")
        size = struct.calcsize("<" + fmt)
        parts.append(fmt)
        offsets.append(start + c.member_offset)
        sizes.append(size - c.member_offset)
        position = start + size
    end = position + _on(tail, pointer)
    total = -(-end // widest) * widest if widest else end
    if total != position:
        parts.append(f"{total - position}x")
    return CLayout("".join(parts), tuple(offsets), tuple(sizes), total, widest)


def c_layout(struct_type: type[MibStruct], pointer_size: int) -> CLayout:
    """A C-layout structure's layout with ``pointer_size``-byte pointers (8: x64, ARM64; 4: x86).

    The C rules MSVC follows: each member at a multiple of its alignment (its
    size for integers, whatever the platform: a ULONGLONG is 8-aligned on x86
    too; 2 for WCHAR arrays, 4 for GUID and FILETIME, the pointer's size for a
    HANDLE), unread members (``skip``, ``tail``) as the bytes they take, and the
    end padded to the structure's alignment.
    """
    if not struct_type._aligned:
        raise TypeError(f"{struct_type.__name__} is a MIB structure, laid out without padding")
    skips = (d.skip for d in struct_type._declared)
    return _c_items(struct_type._codecs, skips, struct_type._tail, pointer_size)


def _resolve_kind(annotation: object, namespace: dict[str, Any]) -> Codec:
    kind = eval(annotation, namespace) if isinstance(annotation, str) else annotation
    origin = getattr(kind, "__origin__", kind)
    args = getattr(kind, "__args__", ())
    if not (isinstance(origin, type) and issubclass(origin, Field)):
        raise TypeError(f"{annotation!r} is not a field kind")
    return origin.codec(*args)


def _same(value: Any) -> Any:
    return value


def _accessor(index: int, width: int, view: Callable[..., Any] | None) -> Callable[[Any], Any]:
    if width == 1 and view is None:
        return lambda row: row._wire[index]
    if width == 1:
        assert view is not None
        return lambda row: view(row._wire[index])
    assert view is not None
    end = index + width
    return lambda row: view(*row._wire[index:end])


def _apply(view: Callable[[Any], Any], value: Any) -> Any:
    return view(value)


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(field,))
class _MibStructType(type):
    """Builds a MIB structure class from its annotated fields (see the module docstring)."""

    def __new__(
        mcs,
        name: str,
        bases: tuple[type, ...],
        namespace: dict[str, Any],
        *,
        sdk: str = "",
        size: int | tuple[int, int] = 0,
        aligned: bool = False,
        tail: Skip = 0,
        var_id: int | None = None,
        table_id: int | None = None,
        key: tuple[str, ...] = (),
        write_id: int | None = None,
        delete_id: int | None = None,
        delete_key: tuple[str, ...] = (),
        pid: int = PID_IP,
        index_tail: tuple[int, ...] = (),
        reply_table: bool = False,
        **kwargs: Any,
    ) -> _MibStructType:
        namespace.setdefault("__slots__", ())
        if not sdk:  # the base class itself
            return super().__new__(mcs, name, bases, namespace, **kwargs)
        module_globals = sys.modules[namespace["__module__"]].__dict__
        names: list[str] = []
        declared: list[_Declared] = []
        field_codecs: list[Codec] = []
        for field_name, annotation in namespace.get("__annotations__", {}).items():
            if "ClassVar" in str(annotation):
                continue
            value = namespace.pop(field_name, _NO_DEFAULT)
            decl = value if isinstance(value, _Declared) else _Declared("", "", "", value, 0, "")
            names.append(field_name)
            declared.append(decl._replace(name=field_name))
            codec = _resolve_kind(annotation, {**module_globals, **namespace})
            if aligned:
                field_codecs.append(codec)  # c_layout places the skip and the padding
            elif not isinstance(decl.skip, int) or "P" in codec.format:
                raise TypeError(f"{name}.{field_name}: per-platform skips and handles need aligned=True")
            else:
                field_codecs.append(codec._replace(format=f"{decl.skip}x{codec.format}") if decl.skip else codec)
        if aligned:
            if not (isinstance(size, tuple) and len(size) == 2):
                raise TypeError(f"{name}: aligned=True takes size=(64-bit size, 32-bit size)")
            for pointer, expected in zip((8, 4), size):
                made = _c_items(field_codecs, (d.skip for d in declared), tail, pointer).size
                if made != expected:
                    raise TypeError(f"{name}: the fields make {made} bytes on {pointer * 8}-bit, {sdk} has {expected}")
            mine = _c_items(field_codecs, (d.skip for d in declared), tail, POINTER_SIZE)
            layout = struct.Struct(mine.format)
            assert layout.size == mine.size, (name, mine)
            extents = {n: (o, z) for n, o, z in zip(names, mine.offsets, mine.sizes)}
        else:
            layout = struct.Struct("<" + "".join(c.format for c in field_codecs))
            if layout.size != size:
                raise TypeError(f"{name}: the fields make {layout.size} bytes, {sdk} has {size}")
            extents = {n: _offset(field_codecs, declared, names, n) for n in names}
        trailing: tuple[int, Any] | None = None
        for i, (decl, c) in enumerate(zip(declared, field_codecs)):
            if c.element is None:
                continue
            if i != len(declared) - 1 or decl.counted_by not in names or c.element._trailing is not None:
                raise TypeError(f"{name}.{decl.name}: a trailing array is the last field and names its count")
            trailing = (names.index(decl.counted_by), c.element)
        starts: list[int] = []
        position = 0
        for c in field_codecs:
            starts.append(position)
            position += c.width
        for decl, start, c in zip(declared, starts, field_codecs):
            doc = f"{decl.doc} ({decl.sdk})" if decl.sdk else decl.doc
            namespace[decl.name] = property(_accessor(start, c.width, c.view), doc=doc or None)
        namespace["_fields"] = namespace["__match_args__"] = tuple(names)
        namespace.update(
            _sdk=sdk,
            layout=layout,
            _declared=tuple(declared),
            _codecs=tuple(field_codecs),
            _exact=all(c.exact for c in field_codecs),
            _var_id=var_id,
            _table_id=table_id,
            _key_offsets=tuple(_offset(field_codecs, declared, names, k) for k in key),
            _key_fields=tuple(key),
            _offsets={n: extent[0] for n, extent in extents.items()},
            _extents=extents,
            _aligned=aligned,
            _tail=tail,
            _sizes=size if aligned else (size, size),
            _write_id=write_id,
            _delete_id=delete_id,
            _delete_key=tuple(delete_key),
            _pid=pid,
            _index_tail=b"".join(_U32.pack(v) for v in index_tail),
            _reply_table=reply_table,
            _trailing=trailing,
            _views=tuple(c.view or _same for c in field_codecs) if all(c.width == 1 for c in field_codecs) else None,
            _getters=tuple(_accessor(s, c.width, c.view) for s, c in zip(starts, field_codecs)),
            __signature__=inspect.Signature(
                [inspect.Parameter(d.name, inspect.Parameter.KEYWORD_ONLY,
                                   default=inspect.Parameter.empty if d.default is _NO_DEFAULT else d.default)
                 for d in declared]
            ),
        )  # fmt: skip
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        type.__setattr__(cls, "_from_wire", _wire_maker(cls))
        return cls


def _offset(field_codecs: list[Codec], declared: list[_Declared], names: list[str], key: str) -> tuple[int, int]:
    """(offset, size) in bytes of the field named ``key`` within the structure."""
    index = names.index(key)
    end = struct.calcsize("<" + "".join(c.format for c in field_codecs[: index + 1]))
    start = struct.calcsize("<" + "".join(c.format for c in field_codecs[:index]))
    skip = declared[index].skip
    assert isinstance(skip, int)  # per-platform skips are refused in MIB structures
    start += skip + field_codecs[index].member_offset
    return start, end - start


def _wire_maker(cls: Any) -> Callable[[tuple[Any, ...]], Any]:
    """The bulk constructor: wraps the values ``struct`` unpacked, with no per-field work."""
    # Defaults, not closure cells: the fastest names to load, once per row.
    def from_wire(wire: tuple[Any, ...], new: Callable[[type], Any] = object.__new__, cls: type = cls) -> Any:
        row = new(cls)
        row._wire = wire
        return row

    return from_wire


class MibStruct(metaclass=_MibStructType):
    """One decoded MIB structure: immutable, with the SDK's fields as attributes.

    Built by decoding a reply, or by keyword (``IpForwardRow(dest=..., ...)``),
    each value checked as it would be put on the wire.  Equal to another of its
    type, or to a plain tuple, with the same public values; hashes as that
    tuple does; orders by its values in field order.
    """

    # The values struct unpacked.  Not annotated here: type checkers would take it for a field.
    __slots__ = ("_wire",)
    _fields: ClassVar[tuple[str, ...]]
    _sdk: ClassVar[str]
    layout: ClassVar[struct.Struct]  # the SDK structure, little-endian, as struct packs it
    _declared: ClassVar[tuple[_Declared, ...]]
    _codecs: ClassVar[tuple[Codec, ...]]
    _exact: ClassVar[bool]
    _var_id: ClassVar[int | None] = None  # the variable whose reply is one of these
    _table_id: ClassVar[int | None] = None  # the variable whose reply is a table of these
    _key_offsets: ClassVar[tuple[tuple[int, int], ...]] = ()  # (offset, size) of the walk's index
    _key_fields: ClassVar[tuple[str, ...]] = ()  # the fields that index a row, in query order
    _offsets: ClassVar[dict[str, int]]  # each field's SDK member: its offset in the structure
    _extents: ClassVar[dict[str, tuple[int, int]]]  # each field's SDK member: (offset, size)
    _write_id: ClassVar[int | None] = None  # the dwId a Create or Set of one carries, if not var_id
    _delete_id: ClassVar[int | None] = None  # the dwVarId a Delete naming one carries, if not var_id
    _delete_key: ClassVar[tuple[str, ...]] = ()  # the fields a Delete names it by, if not the key
    _pid: ClassVar[int] = PID_IP  # the transport whose variable it is (PID_IPV6 for IPv6 routes)
    _index_tail: ClassVar[bytes] = b""  # index DWORDs MS-RRASM fixes after the key (an MFE's source mask)
    _reply_table: ClassVar[bool] = False  # Get, GetFirst and GetNext of its variable answer a table of them
    _trailing: ClassVar[tuple[int, Any] | None] = None  # (the count field's index, the element type)
    _aligned: ClassVar[bool] = False  # laid out as C lays it out in the caller's memory (c_layout), not the MIB's way
    _tail: ClassVar[Skip] = 0  # bytes of unread members after the last field (aligned only)
    _sizes: ClassVar[tuple[int, int]]  # sizeof on 64-bit and on 32-bit Windows
    _views: ClassVar[tuple[Callable[[Any], Any], ...] | None]
    _getters: ClassVar[tuple[Callable[[Any], Any], ...]]
    _from_wire: ClassVar[Callable[[tuple[Any, ...]], Any]]

    def __init__(self, *args: Any, **values: Any) -> None:
        cls = type(self)
        if cls is MibStruct:
            raise TypeError("MibStruct is the base of the declared structures; build one of those")
        if args:
            raise TypeError(f"{cls.__name__}() takes keyword arguments only ({', '.join(cls._fields)})")
        unknown = [name for name in values if name not in cls._fields]
        if unknown:
            raise TypeError(f"{cls.__name__}() got unexpected keyword argument(s): {', '.join(map(repr, unknown))}")
        counted = cls._trailing is not None and cls._fields[cls._trailing[0]]
        missing = [d.name for d in cls._declared
                   if d.name not in values and d.default is _NO_DEFAULT and d.name != counted]
        if missing:
            raise TypeError(f"{cls.__name__}() missing required keyword argument(s): {', '.join(map(repr, missing))}")
        trailing = cls._trailing
        if trailing is not None:
            values = _counted(cls, trailing[0], values)
        wire: list[Any] = []
        for d, c in zip(cls._declared, cls._codecs):
            wire.extend(c.encode(d.name, values.get(d.name, d.default)))
        self._wire: tuple[Any, ...] = tuple(wire)

    # -- what the wire says

    @classmethod
    def decode(cls, reply: bytes) -> Self:
        """The structure at the payload of a MIB_OPAQUE_INFO reply (the router's answer)."""
        if cls._trailing is not None:
            need(reply, HEADER + cls.layout.size, f"a {cls._sdk}")
            return _decode_sized(declared_form(cls), reply, HEADER)[0]  # type: ignore[no-any-return]
        return cls._from_wire(single(reply, cls.layout, cls._sdk))  # type: ignore[no-any-return]

    @classmethod
    def decode_array(cls, buffer: Any, count: int) -> list[Self]:
        """``count`` structures laid end to end at the start of ``buffer`` (an array the C API returned).

        ``buffer`` is anything with the buffer protocol (``bytes``, a cffi
        buffer); nothing decoded refers to it afterwards, so it can be freed at
        once.  ValueError, naming the structure, if it holds fewer than
        ``count`` of them or ``count`` is negative; bytes after them are ignored.
        """
        if cls._trailing is not None:
            raise TypeError(f"{cls.__name__} rows are not all one size")
        if isinstance(count, bool):
            raise TypeError("count: expected an int, got bool")
        count = operator.index(count)
        if count < 0:
            raise ValueError(f"{cls._sdk}: count {count} is negative")
        layout = cls.layout
        view = memoryview(buffer).cast("B")
        needed = count * layout.size
        if view.nbytes < needed:
            held = view.nbytes // layout.size
            raise ValueError(f"{cls._sdk}: the buffer holds {held} entries ({view.nbytes} bytes), not {count}")
        return list(map(cls._from_wire, layout.iter_unpack(view[:needed])))

    @classmethod
    def decode_table(cls, reply: bytes) -> list[Self]:
        """Every row of a table reply (MIB_OPAQUE_INFO, dwNumEntries, the rows)."""
        if cls._trailing is not None:  # bytes after the declared rows are ignored, as for every table
            return _form_rows(declared_form(cls), reply)[0]
        rows = table_rows(reply, cls.layout.size, cls._sdk)
        return list(map(cls._from_wire, cls.layout.iter_unpack(rows)))

    @classmethod
    def decode_rows(cls, reply: bytes) -> list[Self]:
        """The rows one Get, GetFirst or GetNext reply of its row variable holds.

        One row, or, for a variable whose reply MS-RRASM gives as a table (the
        MFEs), the table's rows: none where the reply holds no data (2.2.1.2.52:
        rgbyData "SHOULD be specified as NULL" for an MFE that is not found).
        """
        if cls.single_row_reply(reply):
            return [cls.decode(reply)]
        # No data at all, or MIB_OPAQUE_INFO's dwId (and its padding) with nothing after it.
        return cls.decode_table(reply) if len(reply) not in (0, 4, HEADER) else []

    @classmethod
    def single_row_reply(cls, reply: bytes) -> bool:
        """Whether ``reply`` (of its row variable) holds one row at the payload, not a table."""
        return not cls._reply_table

    def to_bytes(self) -> bytes:
        """The structure as the SDK lays it out (what a write sends after MIB_OPAQUE_INFO's header)."""
        if self._trailing is not None:
            *fixed, items = self._wire
            return self.layout.pack(*fixed) + b"".join(item.to_bytes() for item in items)
        return self.layout.pack(*self._wire)

    # -- reading it as a sequence of public values

    def _values(self) -> tuple[Any, ...]:
        views = self._views
        if views is not None:
            return tuple(map(_apply, views, self._wire))  # every field one wire value: all in C
        return tuple(getter(self) for getter in self._getters)

    def __len__(self) -> int:
        return len(self._fields)

    @overload
    def __getitem__(self, key: SupportsIndex) -> Any: ...
    @overload
    def __getitem__(self, key: slice) -> tuple[Any, ...]: ...
    def __getitem__(self, key: SupportsIndex | slice) -> Any:
        if isinstance(key, slice):
            return self._values()[key]
        try:
            getter = self._getters[key]
        except IndexError:
            raise IndexError(f"{type(self).__name__} index out of range") from None
        except TypeError:
            kind = type(key).__name__
            raise TypeError(f"{type(self).__name__} indices must be integers or slices, not {kind}") from None
        return getter(self)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values())

    def __contains__(self, value: object) -> bool:
        return value in self._values()

    def count(self, value: Any) -> int:
        """How many fields hold ``value``."""
        return self._values().count(value)

    def index(self, value: Any, start: SupportsIndex = 0, stop: SupportsIndex = sys.maxsize) -> int:
        """The position of the first field holding ``value`` (ValueError if none does).

        On the structures with an SDK field named ``index`` (IfRow, IpAddrRow,
        IpNetRow), ``.index`` is that field.
        """
        return self._values().index(value, start, stop)

    def __repr__(self) -> str:
        body = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self._values()))
        return f"{type(self).__name__}({body})"

    def _asdict(self) -> dict[str, Any]:
        """A new dict mapping field names to their values."""
        return dict(zip(self._fields, self._values()))

    @classmethod
    def _make(cls, iterable: Iterable[Any]) -> Self:
        """Build one from its values in field order, checked as by the constructor."""
        values = tuple(iterable)
        if len(values) != len(cls._fields):
            raise TypeError(f"{cls.__name__}._make() takes {len(cls._fields)} values, got {len(values)}")
        return cls(**dict(zip(cls._fields, values)))

    def _replace(self, **changes: Any) -> Self:
        """A new one with the named fields replaced (checked as by the constructor)."""
        unknown = set(changes) - set(self._fields)
        if unknown:
            raise ValueError(f"got unexpected field names: {sorted(unknown)!r}")
        values = self._asdict()
        trailing = self._trailing
        if trailing is not None and self._fields[-1] in changes and self._fields[trailing[0]] not in changes:
            del values[self._fields[trailing[0]]]  # a new array brings its own count
        return type(self)(**{**values, **changes})

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickled as its public values; unpickling checks them as the constructor does.
        return (_rebuild, (type(self), self._asdict()))

    # -- comparing

    def _comparands(self, other: object) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
        if type(other) is type(self):
            assert isinstance(other, MibStruct)
            if self._exact:
                return self._wire, other._wire
            return self._values(), other._values()
        if type(other) is tuple:
            return self._values(), other
        return None

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):
            assert isinstance(other, MibStruct)
            if self._wire == other._wire:
                return True
            return not self._exact and self._values() == other._values()
        if type(other) is tuple:
            return self._values() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __lt__(self, other: object) -> bool:
        pair = self._comparands(other)
        return NotImplemented if pair is None else pair[0] < pair[1]

    def __le__(self, other: object) -> bool:
        pair = self._comparands(other)
        return NotImplemented if pair is None else pair[0] <= pair[1]

    def __gt__(self, other: object) -> bool:
        pair = self._comparands(other)
        return NotImplemented if pair is None else pair[0] > pair[1]

    def __ge__(self, other: object) -> bool:
        pair = self._comparands(other)
        return NotImplemented if pair is None else pair[0] >= pair[1]


def _rebuild(cls: type[_N], values: dict[str, Any]) -> _N:
    return cls(**values)


def _counted(cls: type[MibStruct], count_index: int, values: dict[str, Any]) -> dict[str, Any]:
    """The constructor's values with the trailing array's count filled in, or checked."""
    count_name, array_name = cls._fields[count_index], cls._fields[-1]
    if array_name not in values:
        return values
    items = values[array_name]
    if isinstance(items, (str, bytes)) or not hasattr(items, "__len__"):
        return values  # the array's own check names the error
    if count_name not in values:
        return {**values, count_name: len(items)}
    if values[count_name] != len(items):
        raise ValueError(f"{count_name}: {values[count_name]!r}, but {array_name} has {len(items)} items")
    return values


class SizedForm(NamedTuple):
    """One way rows with trailing arrays can be laid out (MFEs: the SDK's, or MS-RRASM's on x64).

    ``row`` is the row type whose fixed part starts each row; its array starts
    ``start`` bytes into the row (past any alignment padding); each element is
    ``element`` bytes, which ``convert`` turns into the values of the row's
    element type (None: they are its values as they are); a table's first row
    starts at ``first_row`` in the reply.
    """

    row: Any  # type[MibStruct]
    start: int
    element: struct.Struct
    convert: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None
    first_row: int = ROWS  # where the first row starts in the reply (8-aligned tables: 4 bytes later)


def declared_form(cls: type[MibStruct]) -> SizedForm:
    """The layout a row type with a trailing array declares: the array right after the fixed part."""
    assert cls._trailing is not None
    return SizedForm(cls, cls.layout.size, cls._trailing[1].layout)


def _decode_sized(form: SizedForm, reply: bytes, offset: int) -> tuple[Any, int]:
    """The row at ``offset`` read in ``form`` (its fixed part known to fit), and where it ends."""
    cls = form.row
    count_index, element = cls._trailing
    fixed = cls.layout.unpack_from(reply, offset)
    count = fixed[count_index]
    start = offset + form.start
    held = max(0, len(reply) - start) // form.element.size
    if count > held:
        raise ValueError(
            f"malformed {cls._sdk}: {cls._fields[count_index]} claims {count} entries, the reply holds {held}"
        )
    end = start + count * form.element.size
    values = form.element.iter_unpack(memoryview(reply)[start:end])
    if form.convert is not None:
        values = map(form.convert, values)
    return cls._from_wire((*fixed, tuple(map(element._from_wire, values)))), end


def _form_rows(form: SizedForm, reply: bytes) -> tuple[list[Any], int]:
    """The rows of a table reply read in ``form``, and where they end; ValueError if they do not fit.

    Rows are not all one size: each row's extent comes from its own count.
    """
    cls = form.row
    need(reply, ROWS, f"the {cls._sdk} table header and its dwNumEntries")
    (claimed,) = _U32.unpack_from(reply, HEADER)
    rows = []
    offset = form.first_row if claimed else ROWS
    for held in range(claimed):
        if len(reply) - offset < form.start:
            raise ValueError(f"malformed {cls._sdk} table reply: reply holds {held} rows but claims {claimed}")
        row, offset = _decode_sized(form, reply, offset)
        rows.append(row)
    return rows, offset


def decode_sized_forms(reply: bytes, forms: Iterable[SizedForm]) -> list[Any]:
    """A table of rows with trailing arrays whose layout only the reply's length tells.

    The first form whose rows end exactly where the reply does is the answer:
    callers list MS-RRASM's forms first, since where the length fits several,
    the specification is followed.  None that fits is a ValueError.
    """
    errors: list[str] = []
    for form in forms:
        try:
            rows, end = _form_rows(form, reply)
        except ValueError as error:
            errors.append(str(error))
            continue
        if end == len(reply):
            return rows
        errors.append(f"{form.row._sdk} rows with {form.element.size}-byte entries end {len(reply) - end} "
                      "bytes before the reply does")
    raise ValueError("malformed MFE table reply: no layout fits it (" + "; ".join(errors) + ")")


# ------------------------------------------------------------- bounds checks


def need(reply: bytes, size: int, what: str) -> None:
    """ValueError unless ``reply`` holds at least ``size`` bytes."""
    if len(reply) < size:
        raise ValueError(f"malformed reply: {len(reply)} bytes, too short for {what} ({size} bytes)")


def table_rows(reply: bytes, row_size: int, what: str) -> memoryview:
    """The declared rows of a table reply, checked against the reply's size."""
    need(reply, ROWS, f"the {what} table header and its dwNumEntries")
    (claimed,) = _U32.unpack_from(reply, HEADER)
    held = (len(reply) - ROWS) // row_size
    if claimed > held:
        raise ValueError(f"malformed {what} table reply: reply holds {held} rows but claims {claimed}")
    return memoryview(reply)[ROWS : ROWS + claimed * row_size]


def single(reply: bytes, layout: struct.Struct, what: str) -> tuple[Any, ...]:
    """The one structure at the payload of a reply, unpacked."""
    need(reply, HEADER + layout.size, f"a {what}")
    return layout.unpack_from(reply, HEADER)


# ------------------------------------------------------------------ requests


def query(var_id: int, *indices: int | IPv4Address) -> bytes:
    """A MIB_OPAQUE_QUERY: the variable id, then the index DWORDs.

    An ``int`` index is a DWORD as it sits in memory (little-endian); an
    ``IPv4Address`` index is put in wire form (network byte order), which is
    how rows index by address.
    """
    parts = [_U32.pack(check_uint("var_id", var_id))]
    for i, index in enumerate(indices):
        if isinstance(index, IPv4Address):
            parts.append(index.packed)
        elif isinstance(index, bool):
            raise TypeError(f"index {i}: expected an int or IPv4Address, got bool")
        else:
            parts.append(_U32.pack(check_uint(f"index {i}", index)))
    return b"".join(parts)


def next_query(struct_type: type[MibStruct], reply: bytes) -> bytes:
    """The GetNext query that follows the row in ``reply``: its key fields, sliced from the reply."""
    var_id = struct_type._var_id
    if var_id is None or not struct_type._key_offsets:
        raise ValueError(f"{struct_type.__name__} is not walked")
    need(reply, HEADER + struct_type.layout.size, f"a {struct_type._sdk}")
    parts = [_U32.pack(var_id)]
    parts.extend(bytes(reply[HEADER + offset : HEADER + offset + size]) for offset, size in struct_type._key_offsets)
    parts.append(struct_type._index_tail)
    return b"".join(parts)


def first_query(struct_type: type[MibStruct]) -> bytes:
    """The GetFirst query of a walk: the row variable with an index of the size MS-RRASM gives, all zeros.

    2.2.1.2.53 gives each row variable one index form for every method; GetFirst
    does not look at the values, so zeros (and the fixed tail) fill it.
    """
    var_id = struct_type._var_id
    if var_id is None or not struct_type._key_offsets:
        raise ValueError(f"{struct_type.__name__} is not walked")
    return _U32.pack(var_id) + bytes(sum(size for _, size in struct_type._key_offsets)) + struct_type._index_tail


def _check_struct(row: object) -> MibStruct:
    if not isinstance(row, MibStruct):
        raise TypeError(f"expected a MIB structure, got {type(row).__name__}")
    return row


def key_query(row: MibStruct, var_id: int | None = None) -> bytes:
    """The MIB_OPAQUE_QUERY naming ``row`` by its key fields, in their wire form (its own variable's, or ``var_id``)."""
    if var_id is None:
        var_id = type(_check_struct(row))._var_id
    if var_id is None or not row._key_offsets:
        raise ValueError(f"{type(row).__name__} has no key")
    data = row.to_bytes()
    key = b"".join(data[offset : offset + size] for offset, size in row._key_offsets)
    return _U32.pack(var_id) + key + row._index_tail


def delete_query(row: MibStruct) -> bytes:
    """The MIB_OPAQUE_QUERY a Delete of ``row`` sends: its delete id and fields if declared, else its key."""
    struct_type = type(_check_struct(row))
    if not struct_type._delete_key:
        return key_query(row)
    var_id = struct_type._delete_id if struct_type._delete_id is not None else struct_type._var_id
    assert var_id is not None
    data = row.to_bytes()
    extents = (struct_type._extents[name] for name in struct_type._delete_key)
    return _U32.pack(var_id) + b"".join(data[offset : offset + size] for offset, size in extents)


def opaque_info(row: MibStruct) -> bytes:
    """The MIB_OPAQUE_INFO that writes ``row`` (create or set): header, then the structure."""
    struct_type = type(_check_struct(row))
    var_id = struct_type._write_id if struct_type._write_id is not None else struct_type._var_id
    if var_id is None:
        raise ValueError(f"{struct_type.__name__} cannot be written")
    return _INFO_HEADER.pack(var_id, 0) + row.to_bytes()


def row_query(struct_type: type[MibStruct], **key: Any) -> bytes:
    """The MIB_OPAQUE_QUERY for one row by its key fields, each checked as the constructor checks it."""
    if struct_type._var_id is None or not struct_type._key_fields:
        raise ValueError(f"{struct_type.__name__} has no rows to name")
    if set(key) != set(struct_type._key_fields):
        raise TypeError(f"{struct_type.__name__} rows are named by {', '.join(struct_type._key_fields)}")
    parts = [_U32.pack(struct_type._var_id)]
    for name in struct_type._key_fields:
        c = struct_type._codecs[struct_type._fields.index(name)]
        parts.append(struct.pack("<" + c.format, *c.encode(name, key[name])))
    parts.append(struct_type._index_tail)
    return b"".join(parts)


def read_query(struct_type: type[MibStruct]) -> bytes:
    """The MIB_OPAQUE_QUERY for the variable whose reply is one ``struct_type`` (no index)."""
    if struct_type._var_id is None:
        raise ValueError(f"{struct_type.__name__} is not read by a variable of its own")
    return query(struct_type._var_id)


def table_query(struct_type: type[MibStruct]) -> bytes:
    """The MIB_OPAQUE_QUERY for the table of ``struct_type`` rows."""
    if struct_type._table_id is None:
        raise ValueError(f"{struct_type.__name__} has no table")
    return query(struct_type._table_id)


def walked_struct(what: object, known: Iterable[type[MibStruct]]) -> type[MibStruct]:
    """The structure a walk of ``what`` (a structure type with a key, or its row id) reads."""
    for struct_type in known:
        if struct_type._key_offsets and (what is struct_type or (type(what) is int and what == struct_type._var_id)):
            return struct_type
    raise ValueError(f"no walk for {getattr(what, '__name__', what)!r}")
