"""``mprapi exporter service``: the runner, the event-log handler, the commands and the service class.

Natively, without pywin32: the pywin32 modules are fakes (a ServiceFramework
base that records the statuses reported, a win32serviceutil that records its
calls), so the real service manager is not exercised here.  The servers are
real, on 127.0.0.1; the tests that serve need prometheus_client (the exporter
extra) and skip without it.
"""

from __future__ import annotations

import http.client
import importlib
import importlib.util
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from mprapi_cffi.cli import main as mprapi

from mprapi_cffi.exporter import command, httpd, scrape, service
from mprapi_cffi.mib import IpStats

HAVE_PROMETHEUS_CLIENT = importlib.util.find_spec("prometheus_client") is not None
needs_client = pytest.mark.skipif(not HAVE_PROMETHEUS_CLIENT, reason="needs prometheus_client (the exporter extra)")

SERVICE_STOP_PENDING = 3  # win32service's value
SERVICE_AUTO_START = 2
SERVICE_DEMAND_START = 3


# ------------------------------------------------------------------ fakes of pywin32


class WinError(Exception):
    """pywintypes.error as the service manager's calls raise it: winerror, funcname, strerror."""

    def __init__(self, winerror: int, funcname: str, strerror: str) -> None:
        super().__init__(winerror, funcname, strerror)
        self.winerror = winerror
        self.funcname = funcname
        self.strerror = strerror


class FakeFramework:
    """win32serviceutil.ServiceFramework: keeps the args and the statuses reported."""

    def __init__(self, args: Any) -> None:
        self.args = args
        self.statuses: list[tuple[int, int]] = []

    def ReportServiceStatus(self, status: int, waitHint: int = 5000, win32ExitCode: int = 0,
                            svcExitCode: int = 0) -> None:  # fmt: skip
        self.statuses.append((status, waitHint))


class FakeServiceUtil:
    """win32serviceutil: records each call (``fail[name]`` raises from it); keeps options as the registry would."""

    ServiceFramework = FakeFramework

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.fail: dict[str, Exception] = {}
        self.options: dict[tuple[str, str], str] = {}

    def _call(self, name: str, *args: Any, **kwargs: Any) -> None:
        self.calls.append((name, args, kwargs))
        if name in self.fail:
            raise self.fail[name]

    def InstallService(self, *args: Any, **kwargs: Any) -> None:
        self._call("InstallService", *args, **kwargs)

    def SetServiceCustomOption(self, name: str, option: str, value: str) -> None:
        self._call("SetServiceCustomOption", name, option, value)
        self.options[(name, option)] = value

    def GetServiceCustomOption(self, name: str, option: str, default: Any = None) -> Any:
        return self.options.get((name, option), default)

    def RemoveService(self, name: str) -> None:
        self._call("RemoveService", name)

    def StartService(self, name: str, args: Any = None) -> None:
        self._call("StartService", name)

    def StopService(self, name: str) -> None:
        self._call("StopService", name)

    def names(self) -> list[str]:
        return [name for name, _, _ in self.calls]


class FakeManager:
    """servicemanager: the event log as a list of (kind, text); the hosting calls recorded."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.hosting: list[tuple[str, tuple[Any, ...]]] = []
        self.fail: dict[str, Exception] = {}

    def LogInfoMsg(self, text: str) -> None:
        self.events.append(("info", text))

    def LogWarningMsg(self, text: str) -> None:
        self.events.append(("warning", text))

    def LogErrorMsg(self, text: str) -> None:
        self.events.append(("error", text))

    def _host(self, name: str, *args: Any) -> None:
        self.hosting.append((name, args))
        if name in self.fail:
            raise self.fail[name]

    def Initialize(self, *args: Any) -> None:
        self._host("Initialize", *args)

    def PrepareToHostSingle(self, *args: Any) -> None:
        self._host("PrepareToHostSingle", *args)

    def StartServiceCtrlDispatcher(self) -> None:
        self._host("StartServiceCtrlDispatcher")


def _fake_pywin32() -> service.Pywin32:
    return service.Pywin32(
        serviceutil=FakeServiceUtil(),
        service=SimpleNamespace(SERVICE_AUTO_START=SERVICE_AUTO_START, SERVICE_DEMAND_START=SERVICE_DEMAND_START,
                                SERVICE_STOP_PENDING=SERVICE_STOP_PENDING),
        manager=FakeManager(),
    )  # fmt: skip


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> service.Pywin32:
    """Fake pywin32 modules, which service.pywin32() gives."""
    found = _fake_pywin32()
    monkeypatch.setattr(service, "pywin32", lambda: found)
    return found


def _get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 10) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=10).close()
    except ConnectionRefusedError:
        return True
    return False


def _port(runner: service.ServiceRunner) -> int:
    assert runner.server is not None
    return int(runner.server.server_address[1])


# ------------------------------------------------------------------ importing without pywin32


def test_the_module_imports_afresh_without_pywin32() -> None:
    import mprapi_cffi

    code = (
        "import sys; [sys.modules.__setitem__(n, None) for n in ('win32serviceutil', 'win32service', "
        "'servicemanager')]; import mprapi_cffi.exporter.service as s; print(s.SERVICE_NAME, s.ServiceRunner)"
    )
    root = str(Path(mprapi_cffi.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("mprapi-exporter <class 'mprapi_cffi.exporter.service.ServiceRunner'>")


def test_asking_for_pywin32_without_it_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    for name in ("win32serviceutil", "win32service", "servicemanager"):
        monkeypatch.setitem(sys.modules, name, None)  # import NAME raises ImportError
    with pytest.raises(ImportError, match=r"needs pywin32: pip install mprapi-cffi\[service\]"):
        service.pywin32()
    with pytest.raises(ImportError, match=r"mprapi-cffi\[service\]"):
        service.ExporterService  # noqa: B018  (made on first access, which needs pywin32)


def test_on_another_system_than_windows_pywin32_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    with pytest.raises(ImportError, match="runs on Windows only, not on linux"):
        service.pywin32()


def test_an_action_without_pywin32_is_one_line_naming_the_extra_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "win32serviceutil", None)
    assert service.main(["start"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == ["mprapi exporter service: mprapi exporter service needs pywin32: "
                                "pip install mprapi-cffi[service]"]  # fmt: skip


def test_exporter_service_is_made_on_first_access_where_pythonservice_looks_for_it(fakes: service.Pywin32) -> None:
    try:
        module_name, _, class_name = service.CLASS_STRING.rpartition(".")
        assert (module_name, class_name) == ("mprapi_cffi.exporter.service", "ExporterService")
        made = getattr(importlib.import_module(module_name), class_name)  # as pythonservice loads it
        assert made is service.ExporterService  # made once
        assert issubclass(made, FakeFramework)
        assert (made.__name__, made.__qualname__, made.__module__) == (class_name, class_name, module_name)
        assert (made._svc_name_, made._svc_display_name_) == ("mprapi-exporter", service.DISPLAY_NAME)
        assert "Prometheus" in made._svc_description_
        with pytest.raises(AttributeError, match="no attribute 'Other'"):
            service.Other  # noqa: B018
    finally:
        vars(service).pop("ExporterService", None)  # made against fakes: not kept for other tests


# ------------------------------------------------------------------ ServiceRunner


class HungRouter:
    """A router whose first read never returns (until ``release``): an RPC call to a hung router."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def if_table(self) -> list[Any]:
        self.entered.set()
        self.release.wait(120)
        return []

    def ip_stats(self) -> IpStats:
        return IpStats(**dict.fromkeys(IpStats._fields, 0))

    def ip_forward_number(self) -> int:
        return 0

    def close(self) -> None:
        pass


@needs_client
def test_runner_serves_metrics_with_the_exporters_own_build_and_stop_closes_the_port(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runner = service.ServiceRunner(["--listen", "127.0.0.1:0", "--server", "edge"])
    with caplog.at_level(logging.INFO, logger="mprapi_cffi.exporter"):
        assert runner.start() is True
        port = _port(runner)
        try:
            status, body = _get(port, "/metrics")
            assert status == 200
            assert b"mprapi_exporter_reads_in_flight" in body  # the exporter's own metrics
        finally:
            assert runner.stop() is True
    messages = [r.getMessage() for r in caplog.records if r.name == "mprapi_cffi.exporter"]
    assert messages == ["targets: edge", f"listening on http://127.0.0.1:{port}/", "stopped"]
    assert _refuses_connections(port)
    assert runner.wait(0) is True


@needs_client
def test_stop_returns_within_2_s_while_a_scrape_is_blocked_in_a_read_that_never_returns() -> None:
    from prometheus_client import CollectorRegistry

    hung = HungRouter()
    built: list[scrape.Exporter] = []

    def build(args: Any) -> httpd.ExporterServer:
        exporter = scrape.Exporter(servers=args.servers, connect=lambda name: hung, registry=CollectorRegistry())
        built.append(exporter)
        return httpd.make_server(exporter, *args.listen)

    runner = service.ServiceRunner(["--listen", "127.0.0.1:0", "--server", "hung"], build=build)
    answered: list[object] = []

    def scrape_hung() -> None:
        try:  # Prometheus allows it 120 s: the connection's thread waits in the scrape
            answered.append(_get(port, "/metrics?target=hung", {scrape.TIMEOUT_HEADER: "120"}, timeout=60))
        except OSError as exc:
            answered.append(exc)

    try:
        assert runner.start()
        port = _port(runner)
        client = threading.Thread(target=scrape_hung, daemon=True)
        client.start()
        assert hung.entered.wait(10), "the scrape never reached the router"
        time.sleep(0.2)
        start = time.monotonic()
        stopped = runner.stop()
        seconds = time.monotonic() - start
        assert stopped is True
        assert seconds < 2.0, f"stop took {seconds:.2f} s"
        assert _refuses_connections(port)
        assert client.is_alive() and answered == []  # the scrape still waits: stop did not wait for it
        assert built[0].reads_in_flight == 1
    finally:
        hung.release.set()


@needs_client
def test_stop_twice_is_harmless_and_a_stop_before_start_serves_nothing() -> None:
    runner = service.ServiceRunner(["--listen", "127.0.0.1:0"])
    assert runner.start()
    port = _port(runner)
    assert runner.stop() is True
    start = time.monotonic()
    assert runner.stop() is True
    assert time.monotonic() - start < 0.5
    assert _refuses_connections(port)
    with pytest.raises(RuntimeError, match="starts once"):
        runner.start()

    early = service.ServiceRunner(["--listen", "127.0.0.1:0"])
    assert early.stop() is True
    assert early.start() is False
    assert early.server is None
    assert early.wait(0) is True


@needs_client
def test_a_second_stop_during_the_first_returns_once_the_first_has_closed_the_server() -> None:
    # As SvcDoRun's stop (after wait()) may come while SvcStop's is still stopping.
    def build(args: Any) -> httpd.ExporterServer:
        server = command.build(args)
        shutdown = server.shutdown

        def slow_shutdown() -> None:
            time.sleep(0.5)
            shutdown()

        server.shutdown = slow_shutdown  # type: ignore[method-assign]
        return server

    runner = service.ServiceRunner(["--listen", "127.0.0.1:0"], build=build)
    assert runner.start()
    assert runner.server is not None
    first = threading.Thread(target=runner.stop)
    first.start()
    time.sleep(0.1)
    assert runner.server.socket.fileno() != -1  # the first stop is still on its way
    assert runner.stop(5) is True
    assert runner.server.socket.fileno() == -1  # closed by the first, before the second returned
    first.join(5)


@needs_client
def test_a_stop_that_comes_while_the_server_is_built_closes_it_and_serves_nothing() -> None:
    made: list[httpd.ExporterServer] = []

    def build(args: Any) -> httpd.ExporterServer:
        server = command.build(args)
        made.append(server)
        runner.stop()  # as SvcStop would, from the control handler's thread, while SvcDoRun builds
        return server

    runner = service.ServiceRunner(["--listen", "127.0.0.1:0"], build=build)
    assert runner.start() is False
    assert runner.server is None
    assert made[0].socket.fileno() == -1  # closed


def test_the_runner_refuses_options_the_exporter_refuses_with_argparses_message() -> None:
    runner = service.ServiceRunner(["--timeout", "0"], build=lambda args: pytest.fail("built"))
    with pytest.raises(ValueError, match=r"argument --timeout: not a positive number of seconds: '0'"):
        runner.start()


@needs_client
def test_wait_returns_once_stop_is_called_from_another_thread() -> None:
    runner = service.ServiceRunner(["--listen", "127.0.0.1:0"])
    assert runner.start()
    assert runner.wait(0.2) is False
    threading.Timer(0.2, runner.stop).start()
    assert runner.wait(5) is True
    assert runner.stop(5) is True


# ------------------------------------------------------------------ the event log


def test_the_event_log_handler_sends_each_level_to_its_servicemanager_function() -> None:
    manager = FakeManager()
    logger = logging.getLogger("mprapi_cffi.exporter.test_service_handler")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    handler = service.EventLogHandler(manager)
    logger.addHandler(handler)
    try:
        logger.debug("d %s", 1)
        logger.info("i")
        logger.warning("w")
        logger.error("e")
        logger.critical("c")
        try:
            raise OSError("gone")
        except OSError:
            logger.exception("x")
    finally:
        logger.removeHandler(handler)
    assert manager.events[:5] == [("info", "d 1"), ("info", "i"), ("warning", "w"), ("error", "e"), ("error", "c")]
    kind, text = manager.events[5]
    assert kind == "error" and text.startswith("x\nTraceback") and text.endswith("OSError: gone")


# ------------------------------------------------------------------ install, remove, start, stop


def test_install_records_the_class_the_name_the_start_type_and_the_stored_options(
    fakes: service.Pywin32, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    util = fakes.serviceutil
    assert service.main(["install", "--server", "edge-*", "--startup", "manual", "--timeout", "5"]) == 0
    (name, args, kwargs), (option_call, option_args, _) = util.calls
    assert name == "InstallService" and option_call == "SetServiceCustomOption"
    assert args == ("mprapi_cffi.exporter.service.ExporterService", "mprapi-exporter", service.DISPLAY_NAME)
    assert kwargs["startType"] == SERVICE_DEMAND_START
    assert "Prometheus" in kwargs["description"]
    assert (kwargs["exeName"], kwargs["exeArgs"]) == (None, None)  # pythonservice hosts it
    assert option_args[:2] == ("mprapi-exporter", "Arguments")
    assert json.loads(option_args[2]) == {"arguments": ["--server", "edge-*", "--timeout", "5"],
                                          "directory": str(tmp_path)}  # fmt: skip
    assert capsys.readouterr().out == ("installed service mprapi-exporter (manual start): "
                                       "mprapi exporter --server edge-* --timeout 5\n")  # fmt: skip

    util.calls.clear()
    assert service.main(["install", "--startup=auto", "--listen", "0.0.0.0:9425"]) == 0
    (_, _, kwargs), (_, option_args, _) = util.calls
    assert kwargs["startType"] == SERVICE_AUTO_START
    assert json.loads(option_args[2])["arguments"] == ["--listen", "0.0.0.0:9425"]
    util.calls.clear()
    assert service.main(["install"]) == 0  # automatic start by default
    assert util.calls[0][2]["startType"] == SERVICE_AUTO_START


@pytest.mark.parametrize("argv", [["--timeout", "-1"], ["--bogus"], ["--startup", "sometimes"],
                                  ["--listen", "nowhere"], ["--server"]])  # fmt: skip
def test_install_refuses_bad_exporter_options_before_touching_the_service_manager(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(service, "pywin32", lambda: pytest.fail("the service manager was reached"))
    assert service.main(["install", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: mprapi exporter service install")
    assert "error: " in err.splitlines()[-1]


def test_install_as_a_frozen_executable_installs_it_to_run_the_service_itself(
    fakes: service.Pywin32, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert service.install(["--server", "edge"]) == 0
    kwargs = fakes.serviceutil.calls[0][2]
    assert (kwargs["exeName"], kwargs["exeArgs"]) == (sys.executable, "exporter service run")


def test_install_that_cannot_store_the_options_removes_the_service_again(
    fakes: service.Pywin32, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes.serviceutil.fail["SetServiceCustomOption"] = WinError(5, "RegCreateKey", "Access is denied.")
    assert service.main(["install", "--server", "edge"]) == 1
    assert fakes.serviceutil.names() == ["InstallService", "SetServiceCustomOption", "RemoveService"]
    assert capsys.readouterr().err.splitlines() == [
        "mprapi exporter service: cannot store the options of mprapi-exporter: Access is denied (error 5): "
        "run it as an administrator"
    ]


@pytest.mark.parametrize(("action", "function", "said"), [("remove", "RemoveService", "removed"),
                                                          ("start", "StartService", "started"),
                                                          ("stop", "StopService", "stopping")])  # fmt: skip
def test_remove_start_and_stop_call_the_service_manager_for_the_service(
    action: str, function: str, said: str, fakes: service.Pywin32, capsys: pytest.CaptureFixture[str]
) -> None:
    assert service.main([action]) == 0
    assert fakes.serviceutil.calls == [(function, ("mprapi-exporter",), {})]
    assert capsys.readouterr().out == f"{said} service mprapi-exporter\n"


@pytest.mark.parametrize(("argv", "function"), [(["install"], "InstallService"), (["remove"], "RemoveService"),
                                                (["start"], "StartService"), (["stop"], "StopService")])  # fmt: skip
def test_service_manager_errors_are_one_line_on_stderr_and_exit_1(
    argv: list[str], function: str, fakes: service.Pywin32, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes.serviceutil.fail[function] = WinError(5, "OpenSCManager", "Access is denied.")
    assert service.main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"mprapi exporter service: cannot {argv[0]} mprapi-exporter: Access is denied (error 5): "
        "run it as an administrator"
    ]


def test_a_service_that_is_not_installed_says_so_in_one_line(
    fakes: service.Pywin32, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes.serviceutil.fail["StopService"] = WinError(
        1060, "OpenService", "The specified service does not exist as an installed service."
    )
    assert service.main(["stop"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "mprapi exporter service: cannot stop mprapi-exporter: The specified service does not exist as an installed "
        "service (error 1060): it is not installed: mprapi exporter service install"
    ]


def test_an_error_that_is_not_the_service_managers_is_not_hidden(fakes: service.Pywin32) -> None:
    fakes.serviceutil.fail["StartService"] = TypeError("a bug")
    with pytest.raises(TypeError, match="a bug"):
        service.main(["start"])


@pytest.mark.parametrize("argv", [[], ["bogus"], ["start", "--now"]])
def test_service_with_no_or_an_unknown_action_exits_2_with_usage(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "pywin32", lambda: pytest.fail("the service manager was reached"))
    assert mprapi(["exporter", "service", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(service.USAGE + "\n")
    assert len(err.splitlines()) == 3


def test_service_help_shows_the_actions(capsys: pytest.CaptureFixture[str]) -> None:
    assert mprapi(["exporter", "service", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(service.USAGE) and "pip install mprapi-cffi[service]" in out


def test_run_hosts_the_service_through_servicemanager(
    fakes: service.Pywin32, capsys: pytest.CaptureFixture[str]
) -> None:
    manager = fakes.manager
    assert service.main(["run"]) == 0
    assert [name for name, _ in manager.hosting] == ["Initialize", "PrepareToHostSingle", "StartServiceCtrlDispatcher"]
    hosted = manager.hosting[1][1][0]
    assert issubclass(hosted, FakeFramework) and hosted.__name__ == "ExporterService"

    manager.hosting.clear()
    manager.fail["StartServiceCtrlDispatcher"] = WinError(
        1063, "StartServiceCtrlDispatcher", "The service process could not connect to the service controller."
    )
    assert service.main(["run"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "mprapi exporter service: cannot run mprapi-exporter: The service process could not connect to the service "
        "controller (error 1063): the service manager runs this: mprapi exporter service start"
    ]


# ------------------------------------------------------------------ the service class


def _service(fakes: service.Pywin32) -> Any:
    return service.service_class(fakes)(("mprapi-exporter",))


@pytest.fixture
def install_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder install runs from, with a servers file; the test runs from another."""
    folder = tmp_path / "installed-from"
    folder.mkdir()
    (folder / "targets.txt").write_text("edge  # the one router\n")
    monkeypatch.chdir(folder)  # restored after the test, whatever SvcDoRun changes it to
    yield folder


@needs_client
def test_svcdorun_serves_the_stored_options_until_svcstop_which_reports_stop_pending(
    fakes: service.Pywin32, install_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert service.install(["--listen", "127.0.0.1:0", "--servers-file", "targets.txt"], fakes) == 0
    monkeypatch.chdir(install_dir.parent)  # the service starts elsewhere: the relative file is still found
    svc = _service(fakes)
    assert svc.args == ("mprapi-exporter",)
    running = threading.Thread(target=svc.SvcDoRun, daemon=True)
    running.start()
    deadline = time.monotonic() + 10
    while (svc.runner is None or svc.runner.server is None) and time.monotonic() < deadline:
        time.sleep(0.02)
    port = _port(svc.runner)
    assert _get(port, "/metrics")[0] == 200
    assert svc.statuses == []
    start = time.monotonic()
    svc.SvcStop()
    assert svc.statuses == [(SERVICE_STOP_PENDING, service.STOP_WAIT_HINT_MS)]
    running.join(2)
    assert not running.is_alive(), "SvcDoRun did not return after SvcStop"
    assert time.monotonic() - start < 2
    assert _refuses_connections(port)
    assert fakes.manager.events == [("info", "targets: edge"), ("info", f"listening on http://127.0.0.1:{port}/"),
                                    ("info", "stopped")]  # fmt: skip
    assert not any(isinstance(h, service.EventLogHandler) for h in service.log.handlers)  # taken off again


@needs_client
def test_svcstop_before_svcdorun_serves_nothing(fakes: service.Pywin32, install_dir: Path) -> None:
    assert service.install(["--listen", "127.0.0.1:0"], fakes) == 0
    svc = _service(fakes)
    svc.SvcStop()
    assert svc.statuses == [(SERVICE_STOP_PENDING, service.STOP_WAIT_HINT_MS)]
    running = threading.Thread(target=svc.SvcDoRun, daemon=True)
    running.start()
    running.join(5)
    assert not running.is_alive()
    assert svc.runner is not None and svc.runner.server is None


def test_a_service_without_its_stored_options_logs_why_and_fails(fakes: service.Pywin32) -> None:
    svc = _service(fakes)
    with pytest.raises(ValueError, match="no stored options"):
        svc.SvcDoRun()
    [(kind, text)] = fakes.manager.events
    assert kind == "error" and text.startswith("cannot serve: the service has no stored options (Arguments)")


def test_a_service_whose_stored_options_are_refused_logs_why_and_fails(fakes: service.Pywin32) -> None:
    fakes.serviceutil.options[("mprapi-exporter", "Arguments")] = json.dumps({"arguments": ["--max-reads", "0"]})
    svc = _service(fakes)
    with pytest.raises(ValueError, match="--max-reads"):
        svc.SvcDoRun()
    [(kind, text)] = fakes.manager.events
    assert kind == "error" and "argument --max-reads: not a whole number from 1 to 100000: '0'" in text
