"""The stand-in router (tests/router/router.c), driven from Python.

The tests (through conftest), the demo (tools/demo.py) and the bench
(bench/) load it with load_router() before anything imports the extension,
so that the extension's import of "mprapi.dll" binds to this very DLL, and
reach its `router_*` control exports through Router.  Mode and Malformation
name the values router_set_mode and router_set_malformed take; the README
next to router.c describes each.

Scripts outside tests/ put this folder on sys.path to import it; it has no
dependency on the package, so it imports before the extension does.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
from enum import IntEnum
from typing import Any, TypeVar

# The folder that holds the stand-in's mprapi.dll (tools/winlane.py and
# tools/test_wheel.py set it).
ROUTER_DIR_VARIABLE = "MPRAPI_TEST_ROUTER"

# How many server patterns set_server keeps: router.c's SERVER_RULES_MAX.
SERVER_RULES_MAX = 4096


class Mode(IntEnum):
    """What answers the MIB calls: router.c's MODE_* values, for router_set_mode."""

    FIXED = 0
    """The fixed MIB, whose values the tests check field by field (the default)."""
    LOOPBACK = 1
    """This machine's own IP stack through iphlpapi; Create, Set and Delete give 5."""


class Malformation(IntEnum):
    """How every later table or row reply is damaged in fixed mode: router_set_malformed's kinds."""

    NONE = 0
    """Replies are whole (the default)."""
    COUNT_PLUS_1000 = 1
    """A table's dwNumEntries is the real count + 1000; the reply holds only the real rows."""
    COUNT_ALL_ONES = 2
    """A table's dwNumEntries is 0xFFFFFFFF."""
    LENGTHS_BEYOND_ARRAYS = 3
    """MIB_IFROW and MIB_IPNETROW dwPhysAddrLen 200 (bPhysAddr holds 8); MIB_IFROW dwDescrLen 5000 (of 256)."""
    CUT_TO_6_BYTES = 4
    """Every reply, statistics included, is 6 bytes, shorter than the MIB_OPAQUE_INFO header."""
    LAST_ROW_10_BYTES_SHORT = 5
    """Table and row replies end 10 bytes before their last row does; empty tables stay whole."""
    STRINGS_UNTERMINATED = 6
    """MIB_IFROW wszName is 256 'A' and bDescr 256 'B', with no NUL, and dwDescrLen 256."""
    MFE_OUT_IF_COUNT_BEYOND_REPLY = 7
    """The last MFE of an MCAST_MFE* reply claims one more outgoing interface (ulNumOutIf) than the reply holds."""
    MFE_CUT_MID_ROW = 8
    """An MCAST_MFE* reply ends halfway through its last MFE."""
    SCOPE_NAME_UNTERMINATED = 9
    """Every MIB_IPMCAST_SCOPE's snNameBuffer is 256 U+00E9, with no NUL."""


class AdminMalformation(IntEnum):
    """How later admin replies are damaged: router_admin_set_malformed's kinds (admin.c)."""

    NONE = 0
    """Replies are whole (the default)."""
    ENTRIES_READ_HUGE = 1
    """An enumeration's entries read is 0x7FFFFFFF; the buffer holds only the real entries."""
    MORE_DATA_EMPTY = 2
    """An enumeration with entries left answers ERROR_MORE_DATA, no entries, NULL, and the same resume handle again."""
    NAMES_UNTERMINATED = 3
    """Every user and interface name (port and device name for ports) fills its array with no NUL."""
    ENUMS_OUT_OF_RANGE = 4
    """Interface type 99, quarantine state 55, port condition 77 (hardware condition 77)."""
    ERROR_WITH_BUFFER = 5
    """Every reply that has a buffer comes back with ERROR_CAN_NOT_COMPLETE (1003) and the buffer, to be freed."""


ADMIN_DEFAULT_PORTS = (32, 64, 128, 128)
"""router_admin_set_ports' defaults: PPTP, L2TP, SSTP, IKEv2."""

_E = TypeVar("_E", bound=IntEnum)


def _member(kind: type[_E], value: object) -> _E:
    """`value` as a member of `kind`: a member, or an int equal to one (ValueError otherwise)."""
    # A bool, a float or another enum's member (Mode for Malformation) is a mix-up, not a value.
    if isinstance(value, bool) or not isinstance(value, int) or (isinstance(value, IntEnum)
                                                                 and not isinstance(value, kind)):
        raise TypeError(f"expected a {kind.__name__}, got {type(value).__name__} {value!r}")
    try:
        return kind(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a {kind.__name__}: the stand-in router knows "
            + ", ".join(f"{m.name} ({m.value})" for m in kind)
        ) from None


class Router:
    """The stand-in router's control exports (tests/router/README.md)."""

    def __init__(self, dll: Any) -> None:
        self.dll = dll
        dll.router_counter.restype = ctypes.c_longlong
        dll.router_counter.argtypes = [ctypes.c_char_p]
        for name in ("router_fail_connect", "router_fail_calls", "router_fail_calls_with_buffer",
                     "router_set_delay_ms", "router_set_bench_routes"):
            getattr(dll, name).argtypes = [ctypes.c_ulong]
            getattr(dll, name).restype = None
        for name in ("router_set_service_running", "router_set_mode", "router_set_malformed",
                     "router_set_out_untouched_on_error", "router_set_legacy_route_writes",
                     "router_set_unlisted_writes", "router_set_sdk_forms", "router_set_mcast_enabled"):
            getattr(dll, name).argtypes = [ctypes.c_int]
            getattr(dll, name).restype = None
        dll.router_last_server.argtypes = [ctypes.c_wchar_p, ctypes.c_int]
        dll.router_last_input.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        dll.router_last_input.restype = ctypes.c_ulong
        dll.router_inject_trap.argtypes = [ctypes.c_char_p, ctypes.c_ulong]
        dll.router_inject_trap.restype = ctypes.c_int
        dll.router_trap_event.argtypes = [ctypes.c_ulong]
        dll.router_trap_event.restype = ctypes.c_void_p
        dll.router_set_server.argtypes = [ctypes.c_wchar_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_int]
        dll.router_set_server.restype = ctypes.c_int
        dll.router_release_hangs.argtypes = []
        dll.router_release_hangs.restype = None
        dll.router_admin_set_ports.argtypes = [ctypes.c_ulong] * 4
        dll.router_admin_set_ports.restype = ctypes.c_int
        dll.router_admin_set_connections.argtypes = [ctypes.c_ulong]
        dll.router_admin_set_connections.restype = ctypes.c_int
        for name in ("router_admin_set_page_limit", "router_admin_set_max_level"):
            getattr(dll, name).argtypes = [ctypes.c_ulong]
            getattr(dll, name).restype = None
        for name in ("router_admin_set_lan_only", "router_admin_set_malformed",
                     "router_admin_set_ex_available", "router_admin_set_lenient_levels"):
            getattr(dll, name).argtypes = [ctypes.c_int]
            getattr(dll, name).restype = None

    def reset(self) -> None:
        self.dll.router_reset()

    def counter(self, name: str) -> int:
        value = int(self.dll.router_counter(name.encode()))
        assert value >= 0, f"the stand-in router has no counter {name!r}"
        return value

    def counters(self, *names: str) -> dict[str, int]:
        return {name: self.counter(name) for name in names}

    def fail_connect(self, code: int) -> None:
        self.dll.router_fail_connect(code)

    def fail_calls(self, code: int) -> None:
        self.dll.router_fail_calls(code)

    def fail_calls_with_buffer(self, code: int) -> None:
        self.dll.router_fail_calls_with_buffer(code)

    def set_out_untouched_on_error(self, untouched: bool) -> None:
        self.dll.router_set_out_untouched_on_error(int(untouched))

    def set_delay_ms(self, ms: int) -> None:
        self.dll.router_set_delay_ms(ms)

    def set_server(self, pattern: str, *, delay_ms: int = 0, fail: int = 0, hang: bool = False) -> None:
        """Give the calls on handles connected to `pattern`'s servers their own behaviour.

        `pattern` is a server name, or a prefix followed by "*" ("sim-*"); ""
        is the local router.  A matching call first waits, with `hang`, for
        release_hangs() (or reset); then sleeps `delay_ms` on top of
        set_delay_ms's; then, if `fail` is not 0, fails with that code.  The
        last pattern set that matches wins; setting a pattern again replaces it.
        """
        if self.dll.router_set_server(pattern, delay_ms, fail, int(hang)) != 0:
            raise RuntimeError(
                f"the stand-in router refused server pattern {pattern!r} (it keeps at most {SERVER_RULES_MAX})")

    def release_hangs(self) -> None:
        """Wake every call set_server(hang=True) holds; later ones hang until the next release."""
        self.dll.router_release_hangs()

    def wait_idle(self, timeout: float) -> None:
        """Wait until no MIB call is in flight (AssertionError after `timeout` seconds).

        A test that leaves hung calls releases them and waits here before the
        router fixture reads the misuse counters.
        """
        deadline = time.monotonic() + timeout
        while (in_flight := self.counter("in_flight")) != 0:
            if time.monotonic() > deadline:
                raise AssertionError(f"{in_flight} call(s) still in flight at the stand-in router after {timeout} s")
            time.sleep(0.01)

    def set_service_running(self, running: bool) -> None:
        self.dll.router_set_service_running(int(running))

    def set_bench_routes(self, count: int) -> None:
        self.dll.router_set_bench_routes(count)

    def set_legacy_route_writes(self, on: bool) -> None:
        """Also take route writes in the older form MS-RRASM does not give (dwId IP_FORWARDROW).

        Off, the stand-in takes route writes only as ROUTE_MATCHING with a
        MIB_IPDESTROW (Create, Set) or the five-field query (Delete), and
        answers 87 to the older form. No test of the package's own writes
        turns this on; router_reset restores the default.
        """
        self.dll.router_set_legacy_route_writes(int(on))

    def set_unlisted_writes(self, on: bool) -> None:
        """Also take the writes MS-RRASM 3.1.4.27..29 do not list, in the SDK's form.

        Those are IP_NETROW Create and Set (CreateIpNetEntry, SetIpNetEntry) and
        PROXY_ARP Create and Delete (CreateProxyArpEntry, DeleteProxyArpEntry).
        Off (the default, and after reset) the stand-in answers them 87, as a
        server that follows the specification does.  A test that turns this on
        proves the SDK's form only, not that a real router takes it.
        """
        self.dll.router_set_unlisted_writes(int(on))

    def set_sdk_forms(self, on: bool) -> None:
        """Serve the SDK's reply forms instead of MS-RRASM's (2.2.1.2.52).

        On: BEST_ROUTE answers a 56-byte MIB_IPFORWARDROW (not the 72-byte
        INTERFACE_ROUTE_INFO), PROXY_ARP's GetFirst and its Get with no index
        the whole MIB_PROXYARPTABLE, MCAST_SCOPE 524-byte rows (not 1016), the
        MFEs 16-byte MIB_IPMCAST_OIF and 28-byte MIB_IPMCAST_OIF_STATS entries
        after a 60 or 64-byte fixed part and MCAST_MFE_STATS_EX 84-byte rows,
        and IP6_STATS, UDP6_STATS and TCP6_STATS are served (87 otherwise).
        It changes replies only: the query index rules stay MS-RRASM's
        2.2.1.2.53 either way (but for PROXY_ARP's Get with no index).  Off
        (the default, and after reset) the stand-in answers as a server that
        follows the specification.
        """
        self.dll.router_set_sdk_forms(int(on))

    def set_mcast_enabled(self, on: bool) -> None:
        """Turn multicast forwarding on or off: MCAST_GLOBAL's dwEnable is 1 or 2.

        MS-RRASM 2.2.1.2.39 gives dwEnable 1 when IP multicast is enabled and
        2 when it is not.  On by default, and again after reset.
        """
        self.dll.router_set_mcast_enabled(int(on))

    def set_mode(self, mode: Mode) -> None:
        """Switch what answers; a value that is not a Mode raises ValueError (the DLL would ignore it)."""
        self.dll.router_set_mode(int(_member(Mode, mode)))

    def set_malformed(self, kind: Malformation) -> None:
        """Damage later replies; a value that is not a Malformation raises ValueError (the DLL would turn it off)."""
        self.dll.router_set_malformed(int(_member(Malformation, kind)))

    def last_server(self) -> str | None:
        buf = ctypes.create_unicode_buffer(1024)
        length = self.dll.router_last_server(buf, len(buf))
        return None if length < 0 else buf.value

    def last_input(self) -> bytes:
        buf = ctypes.create_string_buffer(1 << 16)
        size = self.dll.router_last_input(buf, len(buf))
        return buf.raw[: min(size, len(buf))]

    def inject_trap(self, data: bytes = b"") -> int:
        """Raise a trap: signal every registered event; GetTrapInfo then serves `data`.

        Returns how many events were signaled.
        """
        signaled = int(self.dll.router_inject_trap(bytes(data), len(data)))
        assert signaled >= 0, "the stand-in router could not copy the trap"
        return signaled

    def trap_event(self, index: int = 0) -> int | None:
        """The event handle value the index-th MprAdminMIBSetTrapInfo since the reset registered."""
        value = self.dll.router_trap_event(index)
        return None if value is None else int(value)

    # The admin half (admin.c): a remote access server's ports and connections.

    def admin_set_ports(self, pptp: int, l2tp: int, sstp: int, ikev2: int) -> None:
        """The base number of ports of each tunnel type (default 32, 64, 128, 128).

        A type with more connections than that has one port per connection.
        """
        if self.dll.router_admin_set_ports(pptp, l2tp, sstp, ikev2) != 0:
            raise MemoryError("the stand-in router could not lay out that many ports")

    def admin_set_connections(self, count: int | None) -> None:
        """`count` generated connections (tests/router/README.md); None: the default six again."""
        if self.dll.router_admin_set_connections(0xFFFFFFFF if count is None else count) != 0:
            raise MemoryError(f"the stand-in router could not make {count} connections")

    def admin_set_page_limit(self, entries: int) -> None:
        """At most `entries` entries per enumeration call, whatever dwPrefMaxLen says (0: no limit)."""
        self.dll.router_admin_set_page_limit(entries)

    def admin_set_max_level(self, level: int) -> None:
        """ConnectionEnum and ConnectionGetInfo levels above `level` get 50 (default 4)."""
        self.dll.router_admin_set_max_level(level)

    def admin_set_lan_only(self, on: bool) -> None:
        """A LAN-only router: fLanOnlyMode TRUE, and 903 from every connection and port call."""
        self.dll.router_admin_set_lan_only(int(on))

    def admin_set_malformed(self, kind: AdminMalformation) -> None:
        """Damage later admin replies; a value that is not an AdminMalformation raises ValueError."""
        self.dll.router_admin_set_malformed(int(_member(AdminMalformation, kind)))

    def admin_set_ex_available(self, on: bool) -> None:
        """Whether MprAdminConnectionEnumEx and MprAdminServerGetInfoEx answer (else 127)."""
        self.dll.router_admin_set_ex_available(int(on))

    def admin_set_lenient_levels(self, on: bool) -> None:
        """Also serve ConnectionGetInfo level 4 and PortEnum level 1, which MS-RRASM does not list.

        Off (the default, and after reset): 50 to them, as MS-RRASM 3.1.4.3
        (levels 0..3) and 3.1.4.5 (level 0) give.
        """
        self.dll.router_admin_set_lenient_levels(int(on))


# Folder (normalized) -> its Router and the os.add_dll_directory handle,
# which must stay alive: closing it takes the folder off the DLL search path.
_loaded: dict[str, tuple[Router, object]] = {}


def _extension_imported() -> bool:
    return any(
        name.startswith("mprapi_cffi.") and str(getattr(module, "__file__", "")).lower().endswith(".pyd")
        for name, module in list(sys.modules.items())
    )


def load_router(router_dir: str | None = None) -> Router:
    """Load the stand-in's mprapi.dll from `router_dir` (by default $MPRAPI_TEST_ROUTER).

    Call it before anything imports the extension: the DLL is loaded by full
    path and its folder added to the DLL search path, so that the extension's
    own import of "mprapi.dll" binds to this module and not to the system's.
    Loading the same folder again returns the same Router.
    """
    if router_dir is None:
        router_dir = os.environ.get(ROUTER_DIR_VARIABLE)
        if not router_dir:
            raise RuntimeError(
                f"{ROUTER_DIR_VARIABLE} is not set: it names the folder that holds the stand-in "
                "router's mprapi.dll (tools/winlane.py sets it)"
            )
    if sys.platform != "win32":
        raise RuntimeError(f"the stand-in router is a Windows DLL; this is {sys.platform}")
    folder = os.path.abspath(router_dir)
    key = os.path.normcase(folder)
    if key in _loaded:
        return _loaded[key][0]
    if _extension_imported():
        raise RuntimeError(
            "load the stand-in router before importing mprapi_cffi's extension, "
            "which has already bound to whichever mprapi.dll Windows found"
        )
    path = os.path.join(folder, "mprapi.dll")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no stand-in router at {path} (tools/winlane.py build makes it)")
    dll_directory = os.add_dll_directory(folder)
    router = Router(ctypes.CDLL(path))
    _loaded[key] = (router, dll_directory)
    return router
