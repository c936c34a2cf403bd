"""Field kinds: each MIB field's wire format, how its public value is made, how a user's value is checked.

Used as annotations in the declarations of mprapi_cffi/mib/ (see _wire.py and
docs/mib-structures.md): to a type checker each kind is a descriptor whose
``__get__`` gives the public type and whose ``__set__`` takes what the
constructor accepts; at run time the declaration asks the kind for its
:class:`Codec`.
"""

from __future__ import annotations

import codecs
import enum
import struct
import uuid
from datetime import datetime, timedelta, timezone
from collections.abc import Callable, Iterable
from ipaddress import AddressValueError, IPv4Address, IPv6Address
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar, overload

if TYPE_CHECKING:
    from typing_extensions import Self

AddressLike = IPv4Address | str | int
"""What a constructor accepts for an address: an ``IPv4Address``, a dotted
string, or the address as an ``int`` (its numeric value, as ``ipaddress``
reads it: ``0x0A000001`` is 10.0.0.1)."""

DWORD_MAX = 0xFFFFFFFF

_G = TypeVar("_G")
_S = TypeVar("_S", contravariant=True)
_E = TypeVar("_E", bound=enum.IntEnum)
_F = TypeVar("_F", bound=enum.IntFlag)
_M = TypeVar("_M")  # a declared structure (MibStruct, in _wire.py, which builds on this module)
_L = TypeVar("_L")  # an array's length, as a Literal: WChars[Literal[257]]


# ------------------------------------------------------------ checking input


def check_uint(name: str, value: object, top: int = DWORD_MAX) -> int:
    """``value`` as an int in 0..top, or TypeError/ValueError naming ``name``."""
    if not isinstance(value, int):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    if not 0 <= value <= top:
        raise ValueError(f"{name}: {value} is out of range 0..{top}")
    return int(value)


def _packed(name: str, value: object, kind: type[IPv4Address] | type[IPv6Address]) -> bytes:
    """The wire form (network order) of an address of ``kind`` a user passed: one, its text or its int."""
    if isinstance(value, kind):
        return value.packed
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        try:
            return kind(value).packed
        except AddressValueError as exc:
            raise AddressValueError(f"{name}: {exc}") from exc
    raise TypeError(f"{name}: expected an {kind.__name__}, str or int, got {type(value).__name__}")


def check_address(name: str, value: object) -> bytes:
    """The wire form (4 bytes, network order) of an address a user passed."""
    return _packed(name, value, IPv4Address)


def check_if_index(name: str, value: object) -> int:
    """An interface index a user passed: an int in 1..0xFFFFFFFF (0 is NET_IFINDEX_UNSPECIFIED)."""
    if isinstance(value, bool):
        raise TypeError(f"{name}: expected an int, got bool")
    index = check_uint(name, value)
    if index == 0:
        raise ValueError(f"{name}: 0 names no interface")
    return index


def check_host(name: str, value: object) -> IPv4Address:
    """An address that names one host: not 0.0.0.0, the broadcast address or a multicast group."""
    address = IPv4Address(check_address(name, value))
    if address.is_unspecified or address.is_multicast or int(address) == DWORD_MAX:
        raise ValueError(f"{name}: {address} is not a host address")
    return address


def _check_bytes(name: str, value: object, most: int) -> bytes:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"{name}: expected bytes, got {type(value).__name__}")
    value = bytes(value)
    if len(value) > most:
        raise ValueError(f"{name}: {len(value)} bytes, at most {most} fit")
    return value


def _check_str(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a str, got {type(value).__name__}")
    if "\0" in value:
        raise ValueError(f"{name}: contains a NUL character")
    return value


def _ansi_codec() -> str:
    # bDescr is in the router's ANSI code page: "mbcs" exists only on Windows.
    try:
        codecs.lookup("mbcs")
    except LookupError:
        return "latin-1"
    return "mbcs"


_ANSI = _ansi_codec()


# ---------------------------------------------------------------- field kinds


class Codec(NamedTuple):
    """What a field kind does at run time."""

    format: str  # struct format of the field's part of the structure, without byte order
    width: int  # how many values struct unpacks for it
    view: Callable[..., Any] | None  # wire value(s) -> public value; None: the same
    encode: Callable[[str, Any], tuple[Any, ...]]  # (name, user value) -> wire value(s)
    exact: bool  # wire values compare, hash and sort as the public values do
    member_offset: int = 0  # where the SDK member the field is named after starts, past a length DWORD
    element: Any = None  # for a trailing array: the structure of its elements
    align: int = 0  # in a C-layout structure: the C alignment, where the format's own (its widest code) is not it


class Field(Generic[_G, _S]):
    """A field kind: ``_G`` is what reading the field gives, ``_S`` what the constructor takes.

    Kinds are used only as annotations; type checkers read them as descriptors
    (so ``row.dest`` is an ``IPv4Address`` and ``IpForwardRow(dest="10.0.0.0",
    ...)`` type-checks); at run time the class machinery asks the kind for its
    :class:`Codec`.
    """

    if TYPE_CHECKING:

        @overload
        def __get__(self, row: None, owner: Any) -> Self: ...
        @overload
        def __get__(self, row: object, owner: Any) -> _G: ...
        def __get__(self, row: object, owner: Any) -> Any: ...
        def __set__(self, row: object, value: _S) -> None: ...

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        raise NotImplementedError


class Dword(Field[int, int]):
    """A DWORD, as an int."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        return Codec("I", 1, None, lambda name, value: (check_uint(name, value),), True)


class Address(Field[IPv4Address, AddressLike]):
    """An IPv4 address in a DWORD, network byte order: ``ipaddress.IPv4Address``."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        # "4s" keeps the wire bytes: IPv4Address(bytes) reads them as a.b.c.d.
        return Codec("4s", 1, IPv4Address, lambda name, value: (check_address(name, value),), True)


Address6Like = IPv6Address | str | int
"""What a constructor accepts for an IPv6 address: an ``IPv6Address``, its text, or its ``int``."""


def check_address6(name: str, value: object) -> bytes:
    """The wire form (16 bytes, an IN6_ADDR) of an IPv6 address a user passed."""
    return _packed(name, value, IPv6Address)


class Address6(Field[IPv6Address, Address6Like]):
    """An IN6_ADDR (16 bytes, network order): ``ipaddress.IPv6Address``."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        return Codec("16s", 1, IPv6Address, lambda name, value: (check_address6(name, value),), True)


def _port(wire: bytes) -> int:
    return (wire[0] << 8) | wire[1]


class Port(Field[int, int]):
    """A port in a DWORD, network byte order in its low two bytes: a host-order int."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        # "2s2x": the port's two network-order bytes; the upper half of the DWORD may be junk.
        return Codec("2s2x", 1, _port, lambda name, value: (check_uint(name, value, 0xFFFF).to_bytes(2, "big"),), True)


class Enumerated(Field["_E | int", int], Generic[_E]):
    """A DWORD holding an enumeration: the member when known, else the plain int."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        (enum_type,) = args
        members = {int(member): member for member in enum_type}
        lookup = members.get

        def view(value: int) -> Any:
            return lookup(value, value)

        return Codec("I", 1, view, lambda name, value: (check_uint(name, value),), True)


class WordFlags(Field[_F, int], Generic[_F]):
    """A WORD bit mask, as an ``IntFlag`` (unknown bits kept)."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        (flag_type,) = args
        return Codec("H", 1, flag_type, lambda name, value: (check_uint(name, value, 0xFFFF),), True)


def _phys_view(length: int, data: bytes) -> bytes:
    return data[: min(length, 8)]


def _phys_encode(name: str, value: object) -> tuple[int, bytes]:
    data = _check_bytes(name, value, 8)
    return len(data), data


class PhysAddr(Field[bytes, bytes]):
    """``dwPhysAddrLen`` and ``bPhysAddr[MAXLEN_PHYSADDR]``: that many bytes (clamped to 8)."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        return Codec("I8s", 2, _phys_view, _phys_encode, False, member_offset=4)


def _if_name_view(data: bytes) -> str:
    return data.decode("utf-16-le", "replace").partition("\0")[0]


def _if_name_encode(name: str, value: object) -> tuple[bytes]:
    text = _check_str(name, value)
    data = text.encode("utf-16-le", "surrogatepass")
    if len(data) > 512:  # WCHAR[MAX_INTERFACE_NAME_LEN + 1]; a name that fills it has no NUL
        raise ValueError(f"{name}: {len(data) // 2} UTF-16 units, at most 256 fit")
    return (data,)


class IfName(Field[str, str]):
    """``WCHAR wszName[MAX_INTERFACE_NAME_LEN + 1]``: the name up to its first NUL."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        return Codec("512s", 1, _if_name_view, _if_name_encode, False)


class ScopeName(Field[str, str]):
    """``SCOPE_NAME_BUFFER`` (``WCHAR[MAX_SCOPE_NAME_LEN + 1]``): the name up to its first NUL."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        return Codec("512s", 1, _if_name_view, _if_name_encode, False)


def _bool_encode(name: str, value: object) -> tuple[int]:
    if not isinstance(value, (bool, int)) or value not in (0, 1):
        raise ValueError(f"{name}: expected a bool, got {value!r}")
    return (int(value),)


class Bool(Field[bool, bool]):
    """A BOOL (a DWORD): any non-zero value the router sends reads as True."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        # Not exact: 1 and 2 both read as True.
        return Codec("I", 1, bool, _bool_encode, False)


_TRUTH_VALUES = {1: True, 2: False}


def _truth_encode(name: str, value: object) -> tuple[int]:
    if not isinstance(value, bool):
        raise TypeError(f"{name}: expected a bool, got {type(value).__name__}")
    return (1 if value else 2,)


class TruthValue(Field[bool, bool]):
    """A DWORD that is 1 for true and 2 for false (SNMP's TruthValue, MIB_IPMCAST_GLOBAL's dwEnable).

    Any other value the router sends is not a truth value: reading the field
    raises ValueError naming it (and the instance's repr and comparisons with
    it), rather than guessing.
    """

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        # Not exact: the wire's 2 (false) sorts after its 1 (true).
        return Codec("I", 1, _truth_view, _truth_encode, False)


def _truth_view(value: int) -> bool:
    try:
        return _TRUTH_VALUES[value]
    except KeyError:
        raise ValueError(f"{value} is not a truth value (1: true, 2: false)") from None


def _descr_view(length: int, data: bytes) -> str:
    return data[: min(length, 256)].partition(b"\0")[0].decode(_ANSI, "replace")


def _descr_encode(name: str, value: object) -> tuple[int, bytes]:
    data = _check_str(name, value).encode(_ANSI)
    if len(data) > 256:  # MAXLEN_IFDESCR
        raise ValueError(f"{name}: {len(data)} bytes, at most 256 fit")
    return len(data), data


class IfDescr(Field[str, str]):
    """``dwDescrLen`` and ``bDescr[MAXLEN_IFDESCR]``, in the router's ANSI code page."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        return Codec("I256s", 2, _descr_view, _descr_encode, False, member_offset=4)


class Nested(Field[_M, _M], Generic[_M]):
    """A structure embedded in another (MIBICMPSTATS in MIB_ICMP)."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        (inner,) = args
        from_wire = inner._from_wire

        def view(*values: Any) -> Any:
            return from_wire(values)

        def encode(name: str, value: object) -> tuple[Any, ...]:
            if not isinstance(value, inner):
                raise TypeError(f"{name}: expected a {inner.__name__}, got {type(value).__name__}")
            wire: tuple[Any, ...] = value._wire
            return wire

        width = sum(c.width for c in inner._codecs)
        return Codec(inner.layout.format[1:], width, view, encode, inner._exact)


class Trailing(Field["tuple[_M, ...]", "Iterable[_M]"], Generic[_M]):
    """The array after a structure's fixed part, as many as the field named by ``count`` says.

    The last field of a structure whose rows are not all one size (MIB_IPMCAST_MFE's
    ``rgmioOutInfo``, ``ulNumOutIf`` entries).  It adds nothing to the fixed layout;
    decoding reads the elements after the fixed part, checked against the reply.
    """

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        (element,) = args

        def encode(name: str, value: object) -> tuple[Any, ...]:
            if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
                raise TypeError(f"{name}: expected an iterable of {element.__name__}, got {type(value).__name__}")
            items = tuple(value)
            for item in items:
                if not isinstance(item, element):
                    raise TypeError(f"{name}: expected {element.__name__} items, got {type(item).__name__}")
            return (items,)

        return Codec("", 1, None, encode, element._exact, element=element)


# ------------------------------------------- kinds of the C API's own structures
#
# The remote access structures (mprapi_cffi/ras.py) are not MIB replies but the SDK's
# structures in the caller's memory, laid out by the C compiler (``aligned=True`` on the
# class, _wire.py).  Their kinds carry the C alignment where the struct format does not say it.

POINTER_SIZE = struct.calcsize("P")
"""The running platform's pointer size in bytes (8 on x64 and ARM64, 4 on x86)."""


class Handle(Field[int, int]):
    """A HANDLE (pointer-sized: 8 bytes on 64-bit Windows, 4 on 32-bit), as an int.

    Its format is ``P``, which the C layout (``aligned=True``) resolves to the
    platform's pointer; it cannot be used in a MIB structure.
    """

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        top = (1 << (8 * POINTER_SIZE)) - 1
        return Codec("P", 1, None, lambda name, value: (check_uint(name, value, top),), True)


class Qword(Field[int, int]):
    """A ULONGLONG (8 bytes, 8-aligned in C on x64 and x86 alike), as an int."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        return Codec("Q", 1, None, lambda name, value: (check_uint(name, value, (1 << 64) - 1),), True)


def _wchars_view(data: bytes) -> str:
    return data.decode("utf-16-le", "replace").partition("\0")[0]


class WChars(Field[str, str], Generic[_L]):
    """``WCHAR[N]``, declared ``WChars[Literal[N]]``: the text up to its first NUL, or all N if it has none.

    Decoded when read, as UTF-16-LE with ``errors="replace"`` (an unpaired
    surrogate reads as U+FFFD).  The constructor takes a ``str`` of up to N
    UTF-16 units without NUL.
    """

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        (length_type,) = args
        (length,) = getattr(length_type, "__args__", (length_type,))
        if not isinstance(length, int) or isinstance(length, bool) or length <= 0:
            raise TypeError(f"WChars takes a Literal length, got {length_type!r}")
        most = 2 * length

        def encode(name: str, value: object) -> tuple[bytes]:
            data = _check_str(name, value).encode("utf-16-le", "surrogatepass")
            if len(data) > most:
                raise ValueError(f"{name}: {len(data) // 2} UTF-16 units, at most {length} fit")
            return (data,)

        return Codec(f"{most}s", 1, _wchars_view, encode, False, align=2)


def _guid_view(data: bytes) -> uuid.UUID:
    return uuid.UUID(bytes_le=data)


def _guid_encode(name: str, value: object) -> tuple[bytes]:
    if isinstance(value, str):
        try:
            value = uuid.UUID(value)
        except ValueError:
            raise ValueError(f"{name}: {value!r} is not a GUID") from None
    if not isinstance(value, uuid.UUID):
        raise TypeError(f"{name}: expected a uuid.UUID, got {type(value).__name__}")
    return (value.bytes_le,)


class Guid(Field[uuid.UUID, "uuid.UUID | str"]):
    """A GUID (16 bytes, 4-aligned; its first three parts little-endian): ``uuid.UUID``."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        # Not exact: the wire's bytes_le do not sort as the UUIDs do.
        return Codec("16s", 1, _guid_view, _guid_encode, False, align=4)


_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)  # FILETIME counts 100 ns ticks from here
_LATEST = datetime.max.replace(tzinfo=timezone.utc)
_LATEST_TICKS = (_LATEST - _EPOCH) // timedelta(microseconds=1) * 10


def _filetime_view(ticks: int) -> datetime | None:
    if ticks == 0:
        return None
    if ticks >= _LATEST_TICKS:  # past datetime's range (the year 9999): its end, not an error
        return _LATEST
    return _EPOCH + timedelta(microseconds=ticks // 10)


def _filetime_encode(name: str, value: object) -> tuple[int]:
    if value is None:
        return (0,)
    if not isinstance(value, datetime):
        raise TypeError(f"{name}: expected a datetime or None, got {type(value).__name__}")
    if value.tzinfo is None:
        raise ValueError(f"{name}: expected an aware datetime, got a naive one")
    ticks = (value - _EPOCH) // timedelta(microseconds=1) * 10
    if ticks <= 0:
        raise ValueError(f"{name}: {value.isoformat()} is not after 1601-01-01 UTC")
    return (ticks,)


class FileTime(Field["datetime | None", "datetime | None"]):
    """A FILETIME (two DWORDs, 4-aligned): an aware UTC ``datetime``, or None when it is 0.

    FILETIME counts 100 ns ticks; the datetime keeps whole microseconds.  A value
    past the year 9999 reads as ``datetime.max`` (UTC).
    """

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        # "Q" at 4-byte alignment: the little-endian low and high DWORDs are one 64-bit count.
        # Not exact: None does not sort beside datetimes, and sub-microsecond ticks are not read.
        return Codec("Q", 1, _filetime_view, _filetime_encode, False, align=4)


class DwordFlags(Field[_F, int], Generic[_F]):
    """A DWORD bit mask, as an ``IntFlag`` (unknown bits kept)."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        (flag_type,) = args
        return Codec("I", 1, flag_type, lambda name, value: (check_uint(name, value),), True)


class EnumeratedByte(Field["_E | int", int], Generic[_E]):
    """A BYTE holding an enumeration: the member when known, else the plain int."""

    @classmethod
    def codec(cls, *args: Any) -> Codec:
        (enum_type,) = args
        lookup = {int(member): member for member in enum_type}.get

        def view(value: int) -> Any:
            return lookup(value, value)

        return Codec("B", 1, view, lambda name, value: (check_uint(name, value, 0xFF),), True)
