"""Exceptions raised by mprapi_cffi."""

from __future__ import annotations

from typing import Any


class MprError(OSError):
    """A Router Management API call returned a non-zero DWORD.

    ``winerror`` is that DWORD, ``strerror`` its text (from
    ``MprAdminGetErrorString``, else the system's message table) and
    ``function`` the name of the API function that failed.  ``errno`` holds
    the same number as ``winerror``.
    """

    winerror: int
    function: str | None

    def __init__(self, winerror: int, strerror: str, function: str | None = None) -> None:
        super().__init__(winerror, strerror)
        self.winerror = winerror
        self.function = function

    def __str__(self) -> str:
        text = f"[WinError {self.winerror}] {self.strerror}"
        return f"{text} ({self.function})" if self.function else text

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.winerror, self.strerror, self.function))


class ApiUnavailableError(OSError):
    """The Router Management API cannot be used in this process.

    Raised when a server object is created off Windows, or on a Windows
    without a loadable Mprapi.dll.
    """
