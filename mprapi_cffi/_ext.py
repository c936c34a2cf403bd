"""The compiled module, or the reason it cannot be used here."""

from __future__ import annotations

import sys
from typing import Any

from .errors import ApiUnavailableError

ffi: Any
lib: Any
_unavailable: str | None

if sys.platform == "win32":
    try:
        from ._mprapi import ffi, lib
    except ImportError as exc:
        ffi = lib = None
        _unavailable = (
            "the Router Management API could not be loaded "
            f"(Mprapi.dll ships with Windows Server; RRAS must be installed to answer): {exc}"
        )
    else:
        _unavailable = None
else:
    ffi = lib = None
    _unavailable = (
        f"the Router Management API (Mprapi.dll) exists only on Windows, not on {sys.platform}"
    )


def require() -> None:
    """Raise ApiUnavailableError unless the compiled binding is loaded."""
    if _unavailable is not None:
        raise ApiUnavailableError(_unavailable)
