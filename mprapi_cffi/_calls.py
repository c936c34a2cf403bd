"""One small function per C call.

Each converts its arguments, checks the DWORD the call returns, raises
MprError, and copies and frees every buffer the router hands back.  Callers
have validated what must be validated before C is reached; cffi itself
rejects a DWORD argument outside 0..2**32-1 (OverflowError) or of the wrong
type (TypeError) before the call is made.  cffi releases the GIL for the
duration of each call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from ._ext import ffi, lib
from .errors import ApiUnavailableError, MprError


def error_text(code: int) -> str:
    """The text for a router, RAS or Win32 error code, without trailing CR/LF."""
    out = ffi.new("LPWSTR *")
    if lib.MprAdminGetErrorString(code, out) == 0 and out[0]:
        try:
            text: str = ffi.string(out[0])
        finally:
            lib.LocalFree(out[0])
    else:
        # MprAdminGetErrorString answers 317 (ERROR_MR_MID_NOT_FOUND) for plain
        # Win32 codes such as 5 or 1722: the system message table has those.
        text = ffi.getwinerror(code)[1]
    return text.rstrip("\r\n")


def raise_error(code: int, function: str) -> NoReturn:
    raise MprError(code, error_text(code), function)


def server_name(server: str | None) -> Any:
    """A WCHAR[] for a server name (kept alive by the caller), or NULL."""
    return ffi.new("WCHAR[]", server) if server else ffi.NULL


def connected(function_name: str, handle_type: str, server: str | None) -> Any:
    """The handle ``function_name`` (a *ServerConnect) makes for ``server``; MprError if it fails."""
    out = ffi.new(handle_type)
    code = getattr(lib, function_name)(server_name(server), out)
    if code:
        raise_error(code, function_name)
    return out[0]


def connect(server: str | None) -> Any:
    return connected("MprAdminMIBServerConnect", "MIB_SERVER_HANDLE *", server)


def disconnect(handle: Any) -> None:
    lib.MprAdminMIBServerDisconnect(handle)


def is_service_running(server: str | None) -> bool:
    name = server_name(server)
    return bool(lib.MprAdminIsServiceRunning(name))


# Out-pointer pairs (LPVOID *, DWORD *) not in use by any call.  Reusing them
# saves two allocations per call; popping one makes it the call's own, so
# concurrent or re-entrant calls (a signal handler) never share a pair.
_spare_out_pairs: list[tuple[Any, Any]] = []


def _entry_get(name: str) -> Callable[[Any, int, int, Any], bytes]:
    """Wrap one of the MprAdminMIBEntryGet* functions: return a copy of its reply."""
    function: Any = getattr(lib, name, None)  # None off Windows, where it is never called

    def call(handle: Any, pid: int, routing_pid: int, query: Any) -> bytes:
        # cffi passes bytes as a pointer to their data; any other bytes-like
        # object goes through from_buffer (TypeError for what is not one).
        # Either object stays alive, through `query`/`inbuf`, until the call returns.
        inbuf = query if type(query) is bytes else ffi.from_buffer(query)
        try:
            out, size = _spare_out_pairs.pop()
        except IndexError:
            out, size = ffi.new("LPVOID *"), ffi.new("DWORD *")
        try:
            out[0] = ffi.NULL
            code = function(handle, pid, routing_pid, inbuf, len(inbuf), out, size)
            return _copied_reply(code, out, size, name)
        finally:
            _spare_out_pairs.append((out, size))

    call.__name__ = name
    return call


def _entry_put(name: str) -> Callable[[Any, int, int, Any], None]:
    """Wrap MprAdminMIBEntrySet, Create or Delete."""
    function: Any = getattr(lib, name, None)

    def call(handle: Any, pid: int, routing_pid: int, entry: Any) -> None:
        inbuf = entry if type(entry) is bytes else ffi.from_buffer(entry)
        code = function(handle, pid, routing_pid, inbuf, len(inbuf))
        if code:
            raise_error(code, name)

    call.__name__ = name
    return call


entry_get = _entry_get("MprAdminMIBEntryGet")
entry_get_first = _entry_get("MprAdminMIBEntryGetFirst")
entry_get_next = _entry_get("MprAdminMIBEntryGetNext")
entry_set = _entry_put("MprAdminMIBEntrySet")
entry_create = _entry_put("MprAdminMIBEntryCreate")
entry_delete = _entry_put("MprAdminMIBEntryDelete")


def handle_value(handle: Any) -> int:
    return int(ffi.cast("uintptr_t", handle))


# -- functions bound at run time ----------------------------------------------
#
# MprAdminMIBGetTrapInfo, MprAdminMIBSetTrapInfo, MprAdminConnectionEnumEx and
# MprAdminServerGetInfoEx are declared in mprapi.h but missing from MinGW-w64's
# import library (and the first two from Wine): each is looked up on first use
# in the Mprapi.dll the extension's own imports loaded, and cast to its pointer
# type (build_mprapi.py), so that a DLL without it fails only the calls that need it.

_TRAP_TYPES = {
    "MprAdminMIBGetTrapInfo": "MPRAPI_GET_TRAP_INFO",
    "MprAdminMIBSetTrapInfo": "MPRAPI_SET_TRAP_INFO",
}
_RUNTIME_TYPES = {
    **_TRAP_TYPES,
    "MprAdminConnectionEnumEx": "MPRAPI_CONNECTION_ENUM_EX",
    "MprAdminServerGetInfoEx": "MPRAPI_SERVER_GET_INFO_EX",
}
_runtime_functions: dict[str, Any] = {}


def dll_function(name: str) -> Any:
    """The function `name` of the loaded Mprapi.dll; ApiUnavailableError if it has none.

    `name` is one of _RUNTIME_TYPES; a function found is remembered, one not
    found is looked up again on the next call.
    """
    function = _runtime_functions.get(name)
    if function is None:
        module = lib.GetModuleHandleW("mprapi.dll")
        address = lib.GetProcAddress(module, name.encode("ascii")) if module else ffi.NULL
        if not address:
            raise ApiUnavailableError(f"{name} is not available: this system's Mprapi.dll does not export it")
        function = _runtime_functions[name] = ffi.cast(_RUNTIME_TYPES[name], address)
    return function



def _in_data(data: Any) -> Any:
    """Input for a trap call, never NULL: Mprapi.dll refuses a NULL lpInData with 87."""
    inbuf = data if type(data) is bytes else ffi.from_buffer(data)
    return inbuf if len(inbuf) else b""


def _copied_reply(code: int, out: Any, size: Any, name: str) -> bytes:
    """The reply the call left in out/size, copied; freed either way; MprError for a failed call."""
    reply = out[0]
    if reply:
        try:
            if not code:
                return ffi.buffer(reply, size[0])[:]  # type: ignore[no-any-return]
        finally:
            lib.MprAdminMIBBufferFree(reply)
    if code:
        raise_error(code, name)
    return b""


def _trap_call(name: str, data: Any, *leading: Any) -> bytes:
    """Call trap function `name` with `leading` arguments, then the input and the out pointers."""
    function = dll_function(name)
    inbuf = _in_data(data)
    out, size = ffi.new("LPVOID *"), ffi.new("DWORD *")
    code = function(*leading, inbuf, len(inbuf), out, size)
    return _copied_reply(code, out, size, name)


def get_trap_info(handle: Any, pid: int, routing_pid: int, query: Any) -> bytes:
    """MprAdminMIBGetTrapInfo: the trap information the router module hands back, copied."""
    return _trap_call("MprAdminMIBGetTrapInfo", query, handle, pid, routing_pid)


def set_trap_info(pid: int, routing_pid: int, event: Any, data: Any) -> bytes:
    """MprAdminMIBSetTrapInfo: register `event` with the local router; its reply, copied."""
    return _trap_call("MprAdminMIBSetTrapInfo", data, pid, routing_pid, event)


def _win32_error(function: str) -> OSError:
    code, text = ffi.getwinerror()  # GetLastError, as cffi saved it after the call
    return OSError(0, f"{text} ({function})", None, code)


def create_event() -> Any:
    """A new unnamed auto-reset event, not signaled."""
    event = lib.CreateEventW(ffi.NULL, False, False, ffi.NULL)
    if not event:
        raise _win32_error("CreateEventW")
    return event


def close_handle(handle: Any) -> None:
    # Like winreg's HKEY: a close that fails (it cannot, for a handle we own) is not reported.
    lib.CloseHandle(handle)


def set_event(event: Any) -> None:
    if not lib.SetEvent(event):
        raise _win32_error("SetEvent")


def wait(event: Any, milliseconds: int) -> bool:
    """WaitForSingleObject: True if `event` was signaled, False after `milliseconds`."""
    code = lib.WaitForSingleObject(event, milliseconds)
    if code == lib.WAIT_OBJECT_0:
        return True
    if code == lib.WAIT_TIMEOUT:
        return False
    raise _win32_error("WaitForSingleObject")

