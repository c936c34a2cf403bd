"""One small function per admin C call (MprAdminServer*, MprAdminConnection*, MprAdminPort*).

As _calls does for the MIB: each converts its arguments, checks the DWORD the
call returns and raises MprError.  Every buffer the server hands back (the one
that comes with ERROR_MORE_DATA and any that comes with an error too) is
decoded by the structure type the caller passes, straight from the buffer
(decoding copies every value out), and freed with MprAdminBufferFree, exactly
once.  Callers have checked their arguments; handles arrive here as ints.  The
resume-handle loop is the caller's (admin.AdminServer): one call here is one page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from ._calls import connected, dll_function, raise_error
from ._ext import ffi, lib

ERROR_MORE_DATA = 234

_INVALID_HANDLE_VALUE = ffi.cast("HANDLE", -1) if ffi is not None else None


class Page(NamedTuple):
    """One call of an enumeration: its entries, decoded, and where the server left off."""

    rows: list[Any]
    resume: int
    more: bool  # ERROR_MORE_DATA: call again with `resume`


def connect(server: str | None) -> Any:
    return connected("MprAdminServerConnect", "MPR_SERVER_HANDLE *", server)


def disconnect(handle: Any) -> None:
    lib.MprAdminServerDisconnect(handle)


def _handle(value: int) -> Any:
    """A connection or port handle (an int the caller checked) as the HANDLE C takes; 0 is NULL."""
    return ffi.cast("HANDLE", value)


def _decoded(buffer: Any, count: int, row_type: Any, name: str) -> list[Any]:
    """``count`` entries of ``row_type`` decoded straight from the server's ``buffer`` (which the caller frees).

    Decoding copies every value out, so nothing decoded refers to the buffer;
    a copy of the whole buffer first would cost as much again as decoding it
    (bench/README.md's connections/floor).
    """
    if not count:
        return []
    if not buffer:
        raise ValueError(f"{name} claims {count} entries and hands back no buffer")
    return row_type.decode_array(ffi.buffer(buffer, count * row_type.layout.size), count)  # type: ignore[no-any-return]


def _one(code: int, buffer: Any, row_type: Any, name: str) -> Any:
    """The one ``row_type`` a GetInfo call returned; its buffer freed whatever happens; MprError for a failed call."""
    try:
        if code:
            raise_error(code, name)
        return _decoded(buffer, 1, row_type, name)[0]
    finally:
        if buffer:
            lib.MprAdminBufferFree(buffer)


def server_get_info(handle: Any, level: int, row_type: Any) -> Any:
    """MprAdminServerGetInfo: MPR_SERVER_<level>, as ``row_type``."""
    out = ffi.new("LPBYTE *")
    code = lib.MprAdminServerGetInfo(handle, level, out)
    return _one(code, out[0], row_type, "MprAdminServerGetInfo")


def connection_get_info(handle: Any, level: int, connection: int, row_type: Any) -> Any:
    """MprAdminConnectionGetInfo: RAS_CONNECTION_<level> of one connection, as ``row_type``."""
    out = ffi.new("LPBYTE *")
    code = lib.MprAdminConnectionGetInfo(handle, level, _handle(connection), out)
    return _one(code, out[0], row_type, "MprAdminConnectionGetInfo")


def port_get_info(handle: Any, level: int, port: int, row_type: Any) -> Any:
    """MprAdminPortGetInfo: RAS_PORT_<level> of one port, as ``row_type``."""
    out = ffi.new("LPBYTE *")
    code = lib.MprAdminPortGetInfo(handle, level, _handle(port), out)
    return _one(code, out[0], row_type, "MprAdminPortGetInfo")


def _page(code: int, buffer: Any, read: Any, resume: Any, row_type: Any, most: int, name: str) -> Page:
    """One enumeration call's outcome: its entries decoded by ``row_type``, its buffer freed whatever happens.

    More than ``most`` entries (what the enumeration has left of its bound) is
    refused before anything is decoded.
    """
    try:
        if code not in (0, ERROR_MORE_DATA):
            raise_error(code, name)
        count = read[0]
        if count > most:
            raise ValueError(f"{name} claims {count} entries, more than the enumeration takes ({most} left)")
        return Page(_decoded(buffer, count, row_type, name), resume[0], code == ERROR_MORE_DATA)
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


def server_get_info_ex(handle: Any, row_type: Any) -> Any:
    """MprAdminServerGetInfoEx: the MPR_SERVER_EX1 the caller allocates, zeroed, with its header, as ``row_type``."""
    function = server_get_info_ex_function()
    info = ffi.new("MPR_SERVER_EX1 *")
    info.Header.revision = lib.MPRAPI_MPR_SERVER_OBJECT_REVISION_2
    info.Header.type = lib.MPRAPI_OBJECT_TYPE_MPR_SERVER_OBJECT
    info.Header.size = ffi.sizeof("MPR_SERVER_EX1")
    code = function(handle, info)
    if code:
        raise_error(code, "MprAdminServerGetInfoEx")
    return row_type.decode_array(ffi.buffer(info), 1)[0]


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
