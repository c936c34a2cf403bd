"""The binding in the Windows lane: the real extension against the stand-in router."""

from __future__ import annotations

import gc
import os
import pickle
import struct
import subprocess
import sys
import threading
import time

import pytest

import mprapi_cffi as mpr
from mprapi_cffi import _calls, _ext, _wire

from conftest import Router, windows_lane

pytestmark = windows_lane

IF_NUMBER_QUERY = struct.pack("<I", mpr.IF_NUMBER)
# A route as MIB_OPAQUE_INFO (for Create/Set) and its index as MIB_OPAQUE_QUERY
# (for Delete), built by hand so the raw API is tested apart from the package's encoders.
# A route write as MS-RRASM gives it (3.1.4.27..29): {ROUTE_MATCHING, pad, MIB_IPDESTROW}, and
# Delete by {ROUTE_MATCHING, dest, mask, if index, next hop, proto}.
ROUTE_INFO = struct.pack("<II14I2I", mpr.ROUTE_MATCHING, 0, 0x0000140A, 0x00FFFFFF, 0, 0x0101A8C0,
                         3, 4, 3, 0, 0, 7, 0, 0, 0, 0, 3, 3)
ROUTE_INDEX = struct.pack("<6I", mpr.ROUTE_MATCHING, 0x0000140A, 0x00FFFFFF, 3, 0x0101A8C0, 3)


def get_if_number(server: mpr.MibServer, query: object = IF_NUMBER_QUERY) -> bytes:
    return server.get(mpr.PID_IP, mpr.IPRTRMGR_PID, query)


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.005)


def raw_disconnect(handle: int) -> None:
    _ext.lib.MprAdminMIBServerDisconnect(_ext.ffi.cast("MIB_SERVER_HANDLE", handle))


# -- constants and layouts ---------------------------------------------------

def test_python_constants_equal_the_sdk_values() -> None:
    for name in mpr.constants.SDK_CONSTANTS:
        assert getattr(mpr, name) == getattr(_ext.lib, name), name


def test_opaque_structs_have_the_sdk_layout() -> None:
    ffi = _ext.ffi
    assert ffi.sizeof("MIB_OPAQUE_QUERY") == 8
    assert ffi.offsetof("MIB_OPAQUE_INFO", "rgbyData") == _wire.HEADER == 8  # where replies' payloads start
    assert ffi.sizeof("DWORD") == 4
    assert ffi.sizeof("WCHAR") == 2


# -- 1. exactly one disconnect per connect -----------------------------------

def test_close_disconnects_once_and_is_idempotent(router: Router) -> None:
    server = mpr.connect()
    assert router.counter("live_handles") == 1
    server.close()
    server.close()
    assert server.closed and server.handle == 0
    assert router.counters("connects", "disconnects", "live_handles") == {
        "connects": 1, "disconnects": 1, "live_handles": 0}


def test_with_block_disconnects_on_exit(router: Router) -> None:
    with mpr.MibServer() as server:
        assert get_if_number(server)
        assert router.counter("disconnects") == 0
    assert server.closed
    assert router.counter("disconnects") == 1


def test_with_block_disconnects_when_an_exception_leaves_it(router: Router) -> None:
    with pytest.raises(KeyError):
        with mpr.MibServer():
            raise KeyError("boom")
    assert router.counter("disconnects") == 1


def test_garbage_collection_disconnects(router: Router) -> None:
    server = mpr.connect()
    del server
    gc.collect()
    assert router.counters("disconnects", "live_handles") == {"disconnects": 1, "live_handles": 0}


def test_reference_cycle_is_collected_and_disconnects(router: Router) -> None:
    cycle: list[object] = [mpr.connect()]
    cycle.append(cycle)
    del cycle
    assert router.counter("disconnects") == 0
    gc.collect()
    assert router.counters("disconnects", "live_handles") == {"disconnects": 1, "live_handles": 0}


def run_python(script: str, *args: str) -> str:
    """`script` in a new interpreter started in the folder above tests/; its stdout."""
    result = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def reporting_at_exit(counters: str, body: str) -> str:
    """A script that runs `body`, then prints the router's `counters` once the
    interpreter's exit handlers, the MibServer finalizers among them, have run."""
    return f"""
import atexit, ctypes, os, sys, threading, time
dll = ctypes.CDLL(os.path.join(os.environ["MPRAPI_TEST_ROUTER"], "mprapi.dll"))
dll.router_counter.restype = ctypes.c_longlong
def report():
    print(" ".join("%s=%d" % (n, dll.router_counter(n.encode())) for n in {counters.split()!r}), flush=True)
atexit.register(report)  # before any weakref.finalize exists, so it runs after them
import mprapi_cffi
{body}
"""


def test_interpreter_exit_disconnects_live_servers(router: Router) -> None:
    script = reporting_at_exit("connects disconnects bad_handle live_handles", """
server = mprapi_cffi.connect(sys.argv[1])
cycle = [mprapi_cffi.connect("in-a-cycle")]
cycle.append(cycle)
""")
    assert run_python(script, "edge-1").split() == [
        "connects=2", "disconnects=2", "bad_handle=0", "live_handles=0"]


def test_detach_hands_over_the_handle_and_never_disconnects(router: Router) -> None:
    server = mpr.connect()
    raw = server.handle
    assert raw != 0
    assert server.detach() == raw
    assert server.closed and server.handle == 0
    server.close()
    del server
    gc.collect()
    assert router.counter("disconnects") == 0
    raw_disconnect(raw)  # the new owner's duty
    assert router.counters("disconnects", "bad_handle") == {"disconnects": 1, "bad_handle": 0}


def test_failed_connect_leaves_nothing_to_disconnect(router: Router) -> None:
    router.fail_connect(1722)
    with pytest.raises(mpr.MprError) as info:
        mpr.MibServer("router1")
    assert info.value.winerror == 1722
    gc.collect()
    assert router.counters("connects", "disconnects") == {"connects": 0, "disconnects": 0}


# -- 2. close() while calls are in flight ------------------------------------

def test_close_during_a_call_defers_the_disconnect_until_it_returns(router: Router) -> None:
    server = mpr.connect()
    router.set_delay_ms(400)
    results: list[bytes] = []
    worker = threading.Thread(target=lambda: results.append(get_if_number(server)))
    worker.start()
    wait_for(lambda: router.counter("in_flight") == 1)
    server.close()
    assert server.closed
    assert router.counter("disconnects") == 0, "disconnected under a call in flight"
    with pytest.raises(ValueError):
        get_if_number(server)  # calls after close() fail at once
    worker.join()
    assert len(results) == 1 and results[0][:4] == struct.pack("<I", mpr.IF_NUMBER)
    assert router.counters("disconnects", "disconnect_in_use", "calls") == {
        "disconnects": 1, "disconnect_in_use": 0, "calls": 1}


def test_interpreter_exit_during_a_call_leaves_the_handle_to_the_call(router: Router) -> None:
    # A daemon thread is inside a call when the interpreter exits: the
    # finalizer must not disconnect the handle under it.
    script = reporting_at_exit("in_flight disconnects disconnect_in_use bad_handle", r"""
server = mprapi_cffi.connect()
dll.router_set_delay_ms(5000)
threading.Thread(target=mprapi_cffi.MibServer.get, daemon=True,
                 args=(server, mprapi_cffi.PID_IP, mprapi_cffi.IPRTRMGR_PID, b"\0\0\0\0")).start()
while dll.router_counter(b"in_flight") != 1:
    time.sleep(0.005)
""")
    assert run_python(script).split() == [
        "in_flight=1", "disconnects=0", "disconnect_in_use=0", "bad_handle=0"]


def test_many_threads_share_one_server_and_calls_overlap(router: Router) -> None:
    router.set_delay_ms(20)
    errors: list[BaseException] = []
    with mpr.connect() as server:
        def work() -> None:
            try:
                for _ in range(10):
                    assert struct.unpack_from("<I", get_if_number(server), 8)[0] == 3
            except BaseException as exc:
                errors.append(exc)
        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    # Overlapping calls prove the GIL is released during them.
    assert router.counter("max_in_flight") > 1
    assert router.counters("calls", "disconnects") == {"calls": 80, "disconnects": 1}


def test_close_from_another_thread_while_many_calls_are_in_flight(router: Router) -> None:
    router.set_delay_ms(200)
    server = mpr.connect()
    outcomes: list[str] = []
    def work() -> None:
        try:
            get_if_number(server)
            outcomes.append("ok")
        except ValueError:
            outcomes.append("closed")
    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    wait_for(lambda: router.counter("in_flight") >= 3)
    closer = threading.Thread(target=server.close)
    closer.start()
    closer.join()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 6 and outcomes.count("ok") >= 3
    assert router.counters("disconnects", "disconnect_in_use") == {"disconnects": 1, "disconnect_in_use": 0}


def test_detach_while_a_call_is_in_flight_is_refused(router: Router) -> None:
    router.set_delay_ms(300)
    server = mpr.connect()
    worker = threading.Thread(target=lambda: get_if_number(server))
    worker.start()
    wait_for(lambda: router.counter("in_flight") == 1)
    with pytest.raises(RuntimeError):
        server.detach()
    worker.join()
    server.close()
    assert router.counter("disconnects") == 1


# -- 3. closed objects raise ValueError --------------------------------------

@pytest.mark.parametrize("method", ["get", "get_first", "get_next", "set", "create", "delete"])
def test_every_operation_on_a_closed_server_raises_value_error(router: Router, method: str) -> None:
    server = mpr.connect()
    server.close()
    with pytest.raises(ValueError):
        getattr(server, method)(mpr.PID_IP, mpr.IPRTRMGR_PID, IF_NUMBER_QUERY)
    assert router.counter("calls") == 0


def test_detach_of_a_closed_server_raises_value_error(router: Router) -> None:
    server = mpr.connect()
    server.close()
    with pytest.raises(ValueError):
        server.detach()


def test_closed_server_reports_its_state(router: Router) -> None:
    server = mpr.connect("edge-router")
    assert server and not server.closed and server.handle != 0
    assert repr(server) == "<MibServer server='edge-router' open>"
    server.close()
    assert not server and server.handle == 0
    assert repr(server) == "<MibServer server='edge-router' closed>"


# -- 4. reply buffers are copied, then freed with MprAdminMIBBufferFree -------

def test_reply_is_copied_exactly_and_freed(router: Router) -> None:
    with mpr.connect() as server:
        reply = get_if_number(server)
    assert type(reply) is bytes
    assert reply == struct.pack("<III", mpr.IF_NUMBER, 0, 3)
    assert router.counters("buffers_allocated", "live_buffers") == {"buffers_allocated": 1, "live_buffers": 0}


def test_reply_buffer_is_freed_on_the_error_path(router: Router) -> None:
    router.fail_calls_with_buffer(1722)
    with mpr.connect() as server:
        with pytest.raises(mpr.MprError):
            get_if_number(server)
    assert router.counters("buffers_allocated", "live_buffers") == {"buffers_allocated": 1, "live_buffers": 0}


def test_a_failed_call_that_leaves_the_out_pointer_alone_frees_nothing(router: Router) -> None:
    # Out pointers are reused between calls; a router that fails without
    # writing them must not make the client free the previous reply again.
    router.set_out_untouched_on_error(True)
    with mpr.connect() as server:
        assert get_if_number(server)
        router.fail_calls(1722)
        for _ in range(3):
            with pytest.raises(mpr.MprError):
                get_if_number(server)
    assert router.counters("double_free", "buffers_allocated", "live_buffers") == {
        "double_free": 0, "buffers_allocated": 1, "live_buffers": 0}


@pytest.mark.parametrize(("method", "index"), [("get", 3), ("get_first", 1), ("get_next", 7)])
def test_each_get_variant_calls_its_own_function_and_frees_the_reply(
    router: Router, method: str, index: int
) -> None:
    # The fixed MIB has interfaces 1, 3 and 7: asked about 3, Get answers 3,
    # GetFirst 1 and GetNext 7.
    query = struct.pack("<II", mpr.IF_ROW, 3)
    with mpr.connect() as server:
        reply = getattr(server, method)(mpr.PID_IP, mpr.IPRTRMGR_PID, query)
    assert struct.unpack_from("<I", reply)[0] == mpr.IF_ROW
    assert len(reply) == 8 + 860
    assert struct.unpack_from("<I", reply, 8 + 512)[0] == index  # dwIndex
    assert router.counters("buffers_allocated", "live_buffers") == {"buffers_allocated": 1, "live_buffers": 0}


def test_bytes_like_queries_are_accepted(router: Router) -> None:
    import array
    with mpr.connect() as server:
        for query in (bytearray(IF_NUMBER_QUERY), memoryview(IF_NUMBER_QUERY), array.array("I", [0])):
            assert get_if_number(server, query)[8:] == struct.pack("<I", 3)


# -- 5. errors ---------------------------------------------------------------

class CountingLib:
    """Delegates to the real lib and counts LocalFree calls."""

    def __init__(self, lib: object) -> None:
        self._lib = lib
        self.local_frees = 0

    def LocalFree(self, pointer: object) -> object:
        self.local_frees += 1
        return self._lib.LocalFree(pointer)

    def __getattr__(self, name: str) -> object:
        return getattr(self._lib, name)


def test_router_error_carries_code_and_text_and_frees_the_string(router: Router, monkeypatch) -> None:
    counting = CountingLib(_ext.lib)
    monkeypatch.setattr(_calls, "lib", counting)
    with mpr.connect() as server:
        with pytest.raises(mpr.MprError) as info:
            server.get(mpr.PID_IPX, mpr.IPRTRMGR_PID, IF_NUMBER_QUERY)
    error = info.value
    assert isinstance(error, OSError)
    assert error.winerror == 902
    assert error.strerror == "No router manager is installed for this protocol."
    assert error.function == "MprAdminMIBEntryGet"
    assert str(error) == "[WinError 902] No router manager is installed for this protocol. (MprAdminMIBEntryGet)"
    assert router.counter("error_strings") == 1
    assert counting.local_frees == 1


@pytest.mark.parametrize("code", [5, 1722, 1003])
def test_win32_codes_fall_back_to_the_system_message(router: Router, code: int) -> None:
    router.fail_calls(code)
    with mpr.connect() as server:
        with pytest.raises(mpr.MprError) as info:
            get_if_number(server)
    text = info.value.strerror
    assert info.value.winerror == code
    assert text and text == _ext.ffi.getwinerror(code)[1].rstrip("\r\n")
    assert not text.endswith(("\r", "\n"))
    assert router.counter("error_strings") == 0


def test_router_message_loses_its_trailing_newline(router: Router) -> None:
    router.fail_calls(950)
    with mpr.connect() as server:
        with pytest.raises(mpr.MprError) as info:
            get_if_number(server)
    assert info.value.strerror == "Router error 950."


def test_lazy_binding_errors_appear_on_the_first_call(router: Router) -> None:
    server = mpr.connect("unreachable")  # binding does not contact the router
    with pytest.raises(mpr.MprError) as info:
        get_if_number(server)
    assert info.value.winerror == 1722
    server.close()


# -- 6. bad input is refused before any C call -------------------------------

@pytest.mark.parametrize("pid", [-1, 2**32, 2**64])
def test_pid_out_of_range_is_refused_before_the_call(router: Router, pid: int) -> None:
    with mpr.connect() as server:
        with pytest.raises((OverflowError, ValueError)):
            server.get(pid, mpr.IPRTRMGR_PID, IF_NUMBER_QUERY)
        with pytest.raises((OverflowError, ValueError)):
            server.set(mpr.PID_IP, pid, IF_NUMBER_QUERY)
    assert router.counter("calls") == 0


@pytest.mark.parametrize("pid", ["33", 33.0, None])
def test_pid_of_the_wrong_type_is_refused(router: Router, pid: object) -> None:
    with mpr.connect() as server:
        with pytest.raises(TypeError):
            server.get(pid, mpr.IPRTRMGR_PID, IF_NUMBER_QUERY)  # type: ignore[arg-type]
    assert router.counter("calls") == 0


@pytest.mark.parametrize("query", ["IF_NUMBER", None, 0, [0]])
def test_query_that_is_not_bytes_like_is_refused(router: Router, query: object) -> None:
    with mpr.connect() as server:
        for method in (server.get, server.get_first, server.get_next, server.set, server.create, server.delete):
            with pytest.raises(TypeError):
                method(mpr.PID_IP, mpr.IPRTRMGR_PID, query)
    assert router.counter("calls") == 0


@pytest.mark.parametrize("server", [b"router", 5, ["router"]])
def test_server_of_the_wrong_type_is_refused_before_connecting(router: Router, server: object) -> None:
    with pytest.raises(TypeError):
        mpr.MibServer(server)  # type: ignore[arg-type]
    assert router.counter("connects") == 0


def test_server_with_a_nul_is_refused_before_connecting(router: Router) -> None:
    with pytest.raises(ValueError):
        mpr.MibServer("rtr\0evil")
    assert router.counter("connects") == 0


@pytest.mark.parametrize("name", ["edge-1", "r\u00fcter-\u2260", "rtr-\U0001d4e1", "x" * 300])
def test_server_name_reaches_the_router_unchanged(router: Router, name: str) -> None:
    with mpr.MibServer(name) as server:
        assert server.server == name
    assert router.last_server() == name


@pytest.mark.parametrize("name", [None, ""])
def test_no_name_binds_the_local_router(router: Router, name: str | None) -> None:
    with mpr.MibServer(name) as server:
        assert server.server == name
    assert router.last_server() is None


# -- the rest of the raw API --------------------------------------------------

def test_is_service_running_asks_the_router(router: Router) -> None:
    assert mpr.is_service_running() is True
    router.set_service_running(False)
    assert mpr.is_service_running("edge-1") is False


def test_is_service_running_validates_the_name(router: Router) -> None:
    with pytest.raises(TypeError):
        mpr.is_service_running(7)  # type: ignore[arg-type]


def test_set_create_delete_send_the_entry_unchanged(router: Router) -> None:
    with mpr.connect() as server:
        server.create(mpr.PID_IP, mpr.IPRTRMGR_PID, ROUTE_INFO)
        assert router.last_input() == ROUTE_INFO
        server.set(mpr.PID_IP, mpr.IPRTRMGR_PID, bytearray(ROUTE_INFO))
        assert router.last_input() == ROUTE_INFO
        server.delete(mpr.PID_IP, mpr.IPRTRMGR_PID, ROUTE_INDEX)
        assert router.last_input() == ROUTE_INDEX
        with pytest.raises(mpr.MprError) as info_missing:
            server.delete(mpr.PID_IP, mpr.IPRTRMGR_PID, ROUTE_INDEX)
    assert info_missing.value.winerror == mpr.ERROR_INVALID_INDEX


def test_server_objects_compare_by_identity_and_do_not_pickle(router: Router) -> None:
    with mpr.connect() as first, mpr.connect() as second:
        assert first == first and first != second
        assert len({first, second}) == 2
        with pytest.raises(TypeError):
            pickle.dumps(first)


def hammer(server: mpr.MibServer, stop: threading.Event) -> None:
    """Call until told to stop or until the server is closed under us."""
    while not stop.is_set():
        try:
            get_if_number(server)
        except ValueError:
            return


def test_racing_close_against_busy_threads_disconnects_exactly_once(router: Router) -> None:
    rounds = 25
    for round_number in range(rounds):
        server = mpr.connect()
        stop = threading.Event()

        threads = [threading.Thread(target=hammer, args=(server, stop)) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(0.001 * (round_number % 5))
        server.close()
        stop.set()
        for thread in threads:
            thread.join()
        assert router.counter("disconnects") == round_number + 1
    assert router.counters("disconnect_in_use", "bad_handle", "live_handles") == {
        "disconnect_in_use": 0, "bad_handle": 0, "live_handles": 0}



UNLOADABLE_EXTENSION_SCRIPT = r"""
import sys
# What Python does when the extension cannot load (Mprapi.dll absent): ImportError.
sys.modules["mprapi_cffi._mprapi"] = None
import mprapi_cffi
print("imported; PID_IP =", mprapi_cffi.PID_IP)
try:
    mprapi_cffi.connect()
except mprapi_cffi.ApiUnavailableError as error:
    print("unavailable:", error)
"""


def test_an_extension_that_cannot_load_gives_a_clear_error_not_an_import_error() -> None:
    imported, unavailable = run_python(UNLOADABLE_EXTENSION_SCRIPT).splitlines()
    assert imported == "imported; PID_IP = 33"
    assert unavailable.startswith("unavailable: the Router Management API could not be loaded")


def test_raw_calls_take_the_contract_keyword_names(router: Router) -> None:
    first_if = struct.pack("<II", mpr.IF_ROW, 0)  # MS-RRASM 2.2.1.2.53: IF_ROW's index, GetFirst's too
    with mpr.connect(server="edge-1") as server:
        assert server.get(pid=mpr.PID_IP, routing_pid=mpr.IPRTRMGR_PID, query=IF_NUMBER_QUERY)
        assert server.get_first(pid=mpr.PID_IP, routing_pid=mpr.IPRTRMGR_PID, query=first_if)
        assert server.get_next(pid=mpr.PID_IP, routing_pid=mpr.IPRTRMGR_PID, query=first_if[:4] + b"\1\0\0\0")
        server.create(pid=mpr.PID_IP, routing_pid=mpr.IPRTRMGR_PID, entry=ROUTE_INFO)
        server.set(pid=mpr.PID_IP, routing_pid=mpr.IPRTRMGR_PID, entry=ROUTE_INFO)
        server.delete(pid=mpr.PID_IP, routing_pid=mpr.IPRTRMGR_PID, entry=ROUTE_INDEX)
    assert router.counter("calls") == 6
    assert mpr.is_service_running(server=None)


def test_many_calls_and_errors_leave_no_memory_behind(router: Router) -> None:
    import tracemalloc

    def churn(server: mpr.MibServer) -> None:
        for _ in range(500):
            get_if_number(server)
            with pytest.raises(mpr.MprError):
                server.get(mpr.PID_IPX, mpr.IPRTRMGR_PID, IF_NUMBER_QUERY)
            with pytest.raises(TypeError):
                server.get(mpr.PID_IP, mpr.IPRTRMGR_PID, "not bytes")

    with mpr.connect() as server:
        churn(server)  # warm up caches and free lists
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            churn(server)
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    assert grown < 16 * 1024, f"{grown} bytes still held after 1,500 calls"
    assert router.counter("live_buffers") == 0
