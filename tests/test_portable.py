"""What holds on every OS, with or without the compiled module."""

from __future__ import annotations

import os
import pickle
import sys

import pytest

import mprapi_cffi as mpr
from mprapi_cffi import _ext

off_windows = pytest.mark.skipif(sys.platform == "win32", reason="tests the non-Windows install")


def test_constants_have_the_sdk_values() -> None:
    # Values from mprapi.h and iprtrmib.h; the Windows lane also checks them
    # against the compiler's.
    assert (mpr.PID_IP, mpr.PID_IPX, mpr.IPRTRMGR_PID) == (0x21, 0x2B, 10000)
    ids = [getattr(mpr, name) for name in mpr.constants.SDK_CONSTANTS[3:]]
    assert ids == list(range(39))
    assert (mpr.IF_ROW, mpr.IP_FORWARDROW, mpr.BEST_ROUTE, mpr.IF_STATUS, mpr.ROUTE_MATCHING) == (2, 8, 21, 25, 31)


def test_public_names_are_exported() -> None:
    for name in ("connect", "MibServer", "MprError", "is_service_running", "TCP6_STATS"):
        assert name in mpr.__all__ and hasattr(mpr, name)


def test_mpr_error_is_an_os_error_with_the_code_and_text() -> None:
    error = mpr.MprError(1722, "The RPC server is unavailable.", "MprAdminMIBEntryGet")
    assert isinstance(error, OSError)
    assert error.winerror == 1722 and error.errno == 1722
    assert error.strerror == "The RPC server is unavailable."
    assert str(error) == "[WinError 1722] The RPC server is unavailable. (MprAdminMIBEntryGet)"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.winerror, copy.strerror, copy.function) == (1722, error.strerror, error.function)


@pytest.mark.parametrize("server", [b"router", 5, 1.5, ["r"], object()])
def test_server_of_the_wrong_type_raises_type_error(server: object) -> None:
    with pytest.raises(TypeError, match="server must be str or None"):
        mpr.MibServer(server)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mpr.is_service_running(server)  # type: ignore[arg-type]


def test_server_with_an_embedded_nul_raises_value_error() -> None:
    with pytest.raises(ValueError, match="NUL"):
        mpr.connect("edge\0router")


@off_windows
def test_import_works_off_windows_without_the_extension() -> None:
    assert _ext.lib is None


@off_windows
@pytest.mark.parametrize("make", [mpr.MibServer, mpr.connect, lambda: mpr.MibServer("edge-1"),
                                  mpr.is_service_running])
def test_using_the_api_off_windows_says_it_is_windows_only(make) -> None:
    with pytest.raises(mpr.ApiUnavailableError, match="only on Windows") as info:
        make()
    assert isinstance(info.value, OSError)


@pytest.mark.skipif(not os.environ.get("MPRAPI_EXPECT_INSTALLED"), reason="only when testing an installed wheel")
def test_the_installed_package_is_tested_not_the_checkout() -> None:
    assert mpr.__version__ != "0+unknown", "no installed metadata: the source tree was imported"
    installed_beside = os.listdir(os.path.dirname(os.path.dirname(mpr.__file__)))
    assert any(name.startswith("mprapi_cffi-") and name.endswith(".dist-info") for name in installed_beside)


def test_repr_of_a_server_whose_constructor_never_ran_does_not_raise() -> None:
    assert repr(mpr.MibServer.__new__(mpr.MibServer)) == "<MibServer server=None unconnected>"
