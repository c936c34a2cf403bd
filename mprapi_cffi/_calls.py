"""One small function per C call.

Each converts its arguments, checks the DWORD the call returns, raises
MprError, and copies and frees every buffer the router hands back.  Callers
have validated what must be validated before C is reached; cffi itself
rejects a DWORD argument outside 0..2**32-1 (OverflowError) or of the wrong
type (TypeError) before the call is made.  cffi releases the GIL for the
duration of each call.
"""

from __future__ import annotations

from typing import Any, Callable, NoReturn

from ._binding import ffi, lib
from .errors import MprError

# MprAdminGetErrorString's answer for codes it has no text for.
_ERROR_MR_MID_NOT_FOUND = 317


def error_text(code: int) -> str:
    """The text for a router, RAS or Win32 error code, without trailing CR/LF."""
    out = ffi.new("LPWSTR *")
    if lib.MprAdminGetErrorString(code, out) == 0 and out[0]:
        try:
            text: str = ffi.string(out[0])
        finally:
            lib.LocalFree(out[0])
    else:
        # 317 for plain Win32 codes (5, 1722, ...): the system message table has them.
        text = ffi.getwinerror(code)[1]
    return text.rstrip("\r\n")


def raise_error(code: int, function: str) -> NoReturn:
    raise MprError(code, error_text(code), function)


def server_name(server: str | None) -> Any:
    """A WCHAR[] for a server name (kept alive by the caller), or NULL."""
    return ffi.new("WCHAR[]", server) if server else ffi.NULL


def connect(server: str | None) -> Any:
    name = server_name(server)
    out = ffi.new("MIB_SERVER_HANDLE *")
    code = lib.MprAdminMIBServerConnect(name, out)
    if code:
        raise_error(code, "MprAdminMIBServerConnect")
    return out[0]


def disconnect(handle: Any) -> None:
    lib.MprAdminMIBServerDisconnect(handle)


def is_service_running(server: str | None) -> bool:
    name = server_name(server)
    return bool(lib.MprAdminIsServiceRunning(name))


def entry_get(
    function: Callable[..., int], name: str, handle: Any, pid: int, routing_pid: int, query: Any
) -> bytes:
    """Call one of the MprAdminMIBEntryGet* functions; return a copy of its reply."""
    # from_buffer raises TypeError for anything that is not bytes-like; the
    # cdata must stay alive until the call returns, which `inbuf` ensures.
    inbuf = ffi.from_buffer(query)
    out = ffi.new("LPVOID *")
    size = ffi.new("DWORD *")
    code = function(handle, pid, routing_pid, inbuf, len(inbuf), out, size)
    reply = out[0]
    if reply:
        # The router may hand a buffer back with an error too: free it either way.
        try:
            if not code:
                return ffi.unpack(ffi.cast("char *", reply), size[0])  # type: ignore[no-any-return]
        finally:
            lib.MprAdminMIBBufferFree(reply)
    if code:
        raise_error(code, name)
    return b""


def entry_put(
    function: Callable[..., int], name: str, handle: Any, pid: int, routing_pid: int, entry: Any
) -> None:
    """Call MprAdminMIBEntrySet, Create or Delete."""
    inbuf = ffi.from_buffer(entry)
    code = function(handle, pid, routing_pid, inbuf, len(inbuf))
    if code:
        raise_error(code, name)


def handle_value(handle: Any) -> int:
    return int(ffi.cast("uintptr_t", handle))


def get(handle: Any, pid: int, routing_pid: int, query: Any) -> bytes:
    return entry_get(lib.MprAdminMIBEntryGet, "MprAdminMIBEntryGet", handle, pid, routing_pid, query)


def get_first(handle: Any, pid: int, routing_pid: int, query: Any) -> bytes:
    return entry_get(
        lib.MprAdminMIBEntryGetFirst, "MprAdminMIBEntryGetFirst", handle, pid, routing_pid, query
    )


def get_next(handle: Any, pid: int, routing_pid: int, query: Any) -> bytes:
    return entry_get(
        lib.MprAdminMIBEntryGetNext, "MprAdminMIBEntryGetNext", handle, pid, routing_pid, query
    )


def set(handle: Any, pid: int, routing_pid: int, entry: Any) -> None:  # noqa: A001
    entry_put(lib.MprAdminMIBEntrySet, "MprAdminMIBEntrySet", handle, pid, routing_pid, entry)


def create(handle: Any, pid: int, routing_pid: int, entry: Any) -> None:
    entry_put(lib.MprAdminMIBEntryCreate, "MprAdminMIBEntryCreate", handle, pid, routing_pid, entry)


def delete(handle: Any, pid: int, routing_pid: int, entry: Any) -> None:
    entry_put(lib.MprAdminMIBEntryDelete, "MprAdminMIBEntryDelete", handle, pid, routing_pid, entry)
