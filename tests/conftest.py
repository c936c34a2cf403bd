"""One suite, two lanes.

Natively (Linux, or any Python without the compiled module) only the tests
that need no Windows run.  In the Windows lane (tools/winlane.py test), the
compiled extension is imported against the stand-in router DLL, loaded
first and driven through standin.py; MPRAPI_TEST_ROUTER names the folder
that holds it.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator

import pytest

from standin import ROUTER_DIR_VARIABLE, Router, load_router

ROUTER_DIR = os.environ.get(ROUTER_DIR_VARIABLE)

# Every misuse the stand-in router counts, and handles or buffers left
# behind after a test and a garbage collection: each must be zero.  Trap
# events: a registered event the client still holds open (a subscription
# never closed), and a registered handle the router could not signal.
MISUSE_COUNTERS = ("live_handles", "live_admin_handles", "bad_handle", "admin_bad_handle", "disconnect_in_use",
                   "double_free", "wrong_free", "live_buffers", "trap_events_open", "trap_signal_failed")


ROUTER: Router | None = None
if sys.platform == "win32" and ROUTER_DIR:
    # Before the extension is imported, so that it binds to this very DLL.
    ROUTER = load_router(ROUTER_DIR)

from mprapi_cffi import _ext  # noqa: E402  (after the router is loaded)

IN_WINDOWS_LANE = ROUTER is not None and _ext.lib is not None
if ROUTER is not None:
    # The lane exists to run the compiled binding: an extension that does not load
    # must fail the run, not skip every test that needs it.
    _ext.require()

windows_lane = pytest.mark.skipif(
    not IN_WINDOWS_LANE,
    reason="needs the compiled extension and the stand-in router (tools/winlane.py test)",
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


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what the imports and the collection made, for the run's whole length.

    The router fixture's gc.collect() after each test then looks only at what
    tests made since: a full collection over the collected suite cost about
    60 ms a test under Wine, a minute of each lane run.
    """
    gc.collect()
    gc.freeze()
