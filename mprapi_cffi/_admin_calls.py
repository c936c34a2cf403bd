"""One small function per admin C call (MprAdminServer*, MprAdminConnection*, MprAdminPort*).

As _calls does for the MIB: each converts its arguments, checks the DWORD the
call returns, raises MprError, and copies and frees, with MprAdminBufferFree
and exactly once, every buffer the server hands back (the one that comes with
ERROR_MORE_DATA and any that comes with an error too).  Callers have checked
their arguments; handles arrive here as ints.  The resume-handle loop is the
caller's (admin.AdminServer): one call here is one page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from ._calls import dll_function, raise_error, server_name
from ._ext import ffi, lib

ERROR_MORE_DATA = 234

# The structure each level hands back.
SERVER_STRUCTS = {0: "MPR_SERVER_0", 1: "MPR_SERVER_1", 2: "MPR_SERVER_2"}
CONNECTION_STRUCTS = {0: "RAS_CONNECTION_0", 1: "RAS_CONNECTION_1", 2: "RAS_CONNECTION_2",
                      3: "RAS_CONNECTION_3", 4: "RAS_CONNECTION_4"}
PORT_STRUCTS = {0: "RAS_PORT_0", 1: "RAS_PORT_1"}


_INVALID_HANDLE_VALUE = ffi.cast("HANDLE", -1) if ffi is not None else None


class Page(NamedTuple):
    """One call of an enumeration: its entries, decoded, and where the server left off."""

    rows: list[Any]
    resume: int
    more: bool  # ERROR_MORE_DATA: call again with `resume`


def connect(server: str | None) -> Any:
    name = server_name(server)
    out = ffi.new("MPR_SERVER_HANDLE *")
    code = lib.MprAdminServerConnect(name, out)
    if code:
        raise_error(code, "MprAdminServerConnect")
    return out[0]


def disconnect(handle: Any) -> None:
    lib.MprAdminServerDisconnect(handle)


def _handle(value: int) -> Any:
    """A connection or port handle (an int the caller checked) as the HANDLE C takes; 0 is NULL."""
    return ffi.cast("HANDLE", value)


def _copied(code: int, buffer: Any, size: int, name: str) -> bytes:
    """`size` bytes of `buffer`, copied; the buffer freed either way; MprError for a failed call."""
    if buffer:
        try:
            if not code:
                return ffi.buffer(buffer, size)[:]  # type: ignore[no-any-return]
        finally:
            lib.MprAdminBufferFree(buffer)
    if code:
        raise_error(code, name)
    return b""  # success and no buffer: the decoder finds it short


def server_get_info(handle: Any, level: int) -> bytes:
    """MprAdminServerGetInfo: MPR_SERVER_<level>, copied."""
    out = ffi.new("LPBYTE *")
    code = lib.MprAdminServerGetInfo(handle, level, out)
    return _copied(code, out[0], ffi.sizeof(SERVER_STRUCTS[level]), "MprAdminServerGetInfo")


def connection_get_info(handle: Any, level: int, connection: int) -> bytes:
    """MprAdminConnectionGetInfo: RAS_CONNECTION_<level> of one connection, copied."""
    out = ffi.new("LPBYTE *")
    code = lib.MprAdminConnectionGetInfo(handle, level, _handle(connection), out)
    return _copied(code, out[0], ffi.sizeof(CONNECTION_STRUCTS[level]), "MprAdminConnectionGetInfo")


def port_get_info(handle: Any, level: int, port: int) -> bytes:
    """MprAdminPortGetInfo: RAS_PORT_<level> of one port, copied."""
    out = ffi.new("LPBYTE *")
    code = lib.MprAdminPortGetInfo(handle, level, _handle(port), out)
    return _copied(code, out[0], ffi.sizeof(PORT_STRUCTS[level]), "MprAdminPortGetInfo")


def _page(code: int, buffer: Any, read: Any, resume: Any, row_type: Any, most: int, name: str) -> Page:
    """One enumeration call's outcome: its entries decoded by ``row_type``, its buffer freed whatever happens.

    More than ``most`` entries (what the enumeration has left of its bound) is
    refused before anything is decoded.

    The entries are decoded straight from the router's buffer, which every
    decoded value is copied out of (a copy of the whole buffer first would
    cost as much again as decoding it: bench/README.md's connections/floor).
    """
    try:
        if code not in (0, ERROR_MORE_DATA):
            raise_error(code, name)
        count = read[0]
        size = row_type.layout.size
        if count > most:
            raise ValueError(f"{name} claims {count} entries, more than the enumeration takes ({most} left)")
        if count and not buffer:
            raise ValueError(f"{name} claims {count} entries and hands back no buffer")
        rows = row_type.decode_array(ffi.buffer(buffer, count * size), count) if count else []
        return Page(rows, resume[0], code == ERROR_MORE_DATA)
    finally:
        if buffer:
            lib.MprAdminBufferFree(buffer)


def _enum_pointers(resume: int) -> tuple[Any, Any, Any]:
    read, total, resume_handle = ffi.new("DWORD *"), ffi.new("DWORD *"), ffi.new("DWORD *", resume)
    return read, total, resume_handle


def connection_enum(handle: Any, level: int, max_length: int, resume: int, row_type: Any, most: int) -> Page:
    """MprAdminConnectionEnum: one page of RAS_CONNECTION_<level> (decoded as ``row_type``) from `resume`."""
    out = ffi.new("LPBYTE *")
    read, total, resume_handle = _enum_pointers(resume)
    code = lib.MprAdminConnectionEnum(handle, level, out, max_length, read, total, resume_handle)
    return _page(code, out[0], read, resume_handle, row_type, most, "MprAdminConnectionEnum")


def port_enum(handle: Any, level: int, connection: int | None, max_length: int, resume: int, row_type: Any,
              most: int) -> Page:
    """MprAdminPortEnum: one page of RAS_PORT_<level> (as ``row_type``) from `resume`, of one connection or all.

    Every port is hConnection INVALID_HANDLE_VALUE, as the SDK documents (NULL is not "all").
    """
    out = ffi.new("LPBYTE *")
    read, total, resume_handle = _enum_pointers(resume)
    which = _INVALID_HANDLE_VALUE if connection is None else _handle(connection)
    code = lib.MprAdminPortEnum(handle, level, which, out, max_length, read, total, resume_handle)
    return _page(code, out[0], read, resume_handle, row_type, most, "MprAdminPortEnum")


def connection_enum_ex_function() -> Any:
    """MprAdminConnectionEnumEx, looked up now: ApiUnavailableError where the DLL lacks it."""
    return dll_function("MprAdminConnectionEnumEx")


def server_get_info_ex_function() -> Any:
    """MprAdminServerGetInfoEx, looked up now: ApiUnavailableError where the DLL lacks it."""
    return dll_function("MprAdminServerGetInfoEx")


def connection_enum_ex(handle: Any, max_length: int, resume: int, row_type: Any, most: int) -> Page:
    """MprAdminConnectionEnumEx: one page of RAS_CONNECTION_EX from `resume`.

    The object header says what the caller expects: revision 1, type
    RAS_CONNECTION_OBJECT, size sizeof(RAS_CONNECTION_EX).
    """
    function = connection_enum_ex_function()
    size = ffi.sizeof("RAS_CONNECTION_EX")
    header = ffi.new("MPRAPI_OBJECT_HEADER *", {
        "revision": lib.MPRAPI_RAS_CONNECTION_OBJECT_REVISION_1,
        "type": lib.MPRAPI_OBJECT_TYPE_RAS_CONNECTION_OBJECT,
        "size": size,
    })
    out = ffi.new("PRAS_CONNECTION_EX *")
    read, total, resume_handle = _enum_pointers(resume)
    code = function(handle, header, max_length, read, total, out, resume_handle)
    return _page(code, out[0], read, resume_handle, row_type, most, "MprAdminConnectionEnumEx")


def server_get_info_ex(handle: Any) -> bytes:
    """MprAdminServerGetInfoEx: the MPR_SERVER_EX1 the caller allocates, zeroed, with its header; copied."""
    function = server_get_info_ex_function()
    info = ffi.new("MPR_SERVER_EX1 *")
    info.Header.revision = lib.MPRAPI_MPR_SERVER_OBJECT_REVISION_2
    info.Header.type = lib.MPRAPI_OBJECT_TYPE_MPR_SERVER_OBJECT
    info.Header.size = ffi.sizeof("MPR_SERVER_EX1")
    code = function(handle, info)
    if code:
        raise_error(code, "MprAdminServerGetInfoEx")
    return ffi.buffer(info)[:]  # type: ignore[no-any-return]


def _write(name: str) -> Callable[[Any, int], None]:
    function: Any = getattr(lib, name, None)  # None off Windows, where it is never called

    def call(handle: Any, target: int) -> None:
        code = function(handle, _handle(target))
        if code:
            raise_error(code, name)

    call.__name__ = name
    return call


connection_clear_stats = _write("MprAdminConnectionClearStats")
port_clear_stats = _write("MprAdminPortClearStats")
port_reset = _write("MprAdminPortReset")
port_disconnect = _write("MprAdminPortDisconnect")
