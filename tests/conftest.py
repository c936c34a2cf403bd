"""One suite, two lanes.

Natively (Linux, or any Python without the compiled module) only the tests
that need no Windows run.  In the Windows lane (tools/winlane.sh test), the
compiled extension is imported against the stand-in router DLL, whose
control exports are reached through ctypes; MPRAPI_TEST_ROUTER names the
folder that holds it.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
from collections.abc import Iterator

import pytest

ROUTER_DIR = os.environ.get("MPRAPI_TEST_ROUTER")

# Every misuse the stand-in router counts, and handles or buffers left
# behind after a test and a garbage collection: each must be zero.
MISUSE_COUNTERS = ("live_handles", "bad_handle", "disconnect_in_use", "double_free", "wrong_free", "live_buffers")


class Router:
    """The stand-in router's control exports (tests/router/README.md)."""

    def __init__(self, dll: ctypes.CDLL) -> None:
        self.dll = dll
        dll.router_counter.restype = ctypes.c_longlong
        dll.router_counter.argtypes = [ctypes.c_char_p]
        for name in ("router_fail_connect", "router_fail_calls", "router_fail_calls_with_buffer",
                     "router_set_delay_ms"):
            getattr(dll, name).argtypes = [ctypes.c_ulong]
            getattr(dll, name).restype = None
        for name in ("router_set_service_running", "router_set_mode", "router_set_malformed",
                     "router_set_out_untouched_on_error"):
            getattr(dll, name).argtypes = [ctypes.c_int]
            getattr(dll, name).restype = None
        dll.router_last_server.argtypes = [ctypes.c_wchar_p, ctypes.c_int]
        dll.router_last_input.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        dll.router_last_input.restype = ctypes.c_ulong

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

    def set_service_running(self, running: bool) -> None:
        self.dll.router_set_service_running(int(running))

    def set_mode(self, mode: int) -> None:
        self.dll.router_set_mode(mode)

    def set_malformed(self, kind: int) -> None:
        self.dll.router_set_malformed(kind)

    def last_server(self) -> str | None:
        buf = ctypes.create_unicode_buffer(1024)
        length = self.dll.router_last_server(buf, len(buf))
        return None if length < 0 else buf.value

    def last_input(self) -> bytes:
        buf = ctypes.create_string_buffer(1 << 16)
        size = self.dll.router_last_input(buf, len(buf))
        return buf.raw[: min(size, len(buf))]


ROUTER: Router | None = None
if sys.platform == "win32" and ROUTER_DIR:
    # Load the stand-in by full path before the extension is imported, so
    # that the extension's import of "mprapi.dll" binds to this very module.
    _dll_directory = os.add_dll_directory(ROUTER_DIR)
    ROUTER = Router(ctypes.CDLL(os.path.join(ROUTER_DIR, "mprapi.dll")))

from mprapi_cffi import _binding  # noqa: E402  (after the router is loaded)

IN_WINDOWS_LANE = ROUTER is not None and _binding.lib is not None

windows_lane = pytest.mark.skipif(
    not IN_WINDOWS_LANE,
    reason="needs the compiled extension and the stand-in router (tools/winlane.sh test)",
)


@pytest.fixture
def router() -> Iterator[Router]:
    """The stand-in router, reset; after the test, no misuse may have been counted."""
    if ROUTER is None or not IN_WINDOWS_LANE:
        pytest.skip("needs the Windows lane")
    ROUTER.reset()
    yield ROUTER
    gc.collect()
    assert ROUTER.counters(*MISUSE_COUNTERS) == dict.fromkeys(MISUSE_COUNTERS, 0)
    ROUTER.reset()


def pytest_report_header(config: pytest.Config) -> list[str]:
    import mprapi_cffi

    return [f"mprapi_cffi {mprapi_cffi.__version__} from {os.path.dirname(mprapi_cffi.__file__)}"]
