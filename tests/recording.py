"""RecordingLib: the compiled module's lib with its event calls recorded.

tests/test_traps.py puts one in place of mprapi_cffi._calls.lib, in the test
process and in the scripts it runs in new interpreters: it sees every
CreateEventW, CloseHandle and WaitForSingleObject the package makes.  No
dependency on conftest, so a script can import it after loading whichever
stand-in router it needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class RecordingLib:
    """`lib`, with every CreateEventW, CloseHandle and WaitForSingleObject recorded.

    `after_wait`, if set, is called in the waiting thread after each real
    WaitForSingleObject returns, with its result: a test can hold a wait
    there, still inside the package's wait, for as long as it likes.
    """

    def __init__(self, lib: Any, ffi: Any) -> None:
        self._lib = lib
        self._ffi = ffi
        self.lock = threading.Lock()
        self.created: list[int] = []
        self.closed: list[int] = []
        self.waits = 0
        self.waiting: dict[int, int] = {}  # handle value -> waits on it in progress
        self.closed_during_wait = 0
        self.after_wait: Callable[[int], None] | None = None

    def value(self, handle: Any) -> int:
        return int(self._ffi.cast("uintptr_t", handle))

    def CreateEventW(self, *args: Any) -> Any:
        event = self._lib.CreateEventW(*args)
        self.created.append(self.value(event))
        return event

    def CloseHandle(self, handle: Any) -> Any:
        key = self.value(handle)
        with self.lock:
            if self.waiting.get(key):
                self.closed_during_wait += 1
            self.closed.append(key)
        return self._lib.CloseHandle(handle)

    def WaitForSingleObject(self, handle: Any, milliseconds: int) -> int:
        key = self.value(handle)
        with self.lock:
            self.waits += 1
            self.waiting[key] = self.waiting.get(key, 0) + 1
        try:
            code: int = self._lib.WaitForSingleObject(handle, milliseconds)
            if self.after_wait is not None:
                self.after_wait(code)
            return code
        finally:
            with self.lock:
                self.waiting[key] -= 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lib, name)
