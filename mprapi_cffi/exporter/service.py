"""``mprapi exporter service``: the exporter as the Windows service ``mprapi-exporter``.

    mprapi exporter service install [--startup auto|manual] [exporter options]
    mprapi exporter service remove | start | stop

``install`` checks the exporter's options with the exporter's own parser
(``mprapi exporter --help``), builds nothing, installs the service (started
automatically by default; ``--startup manual`` otherwise) and stores the
options, with the folder they were given from (relative file names are read
from it), as the service's ``Arguments`` parameter (JSON).  The service runs
as LocalSystem: the routers it reads see the computer's account.  It logs to
the Application event log, under the source ``mprapi-exporter``.

pywin32 is the ``service`` extra (``pip install mprapi-cffi[service]``).  This
module imports without it: win32serviceutil, win32service and servicemanager
are imported on use, through :func:`pywin32`, and the service class,
``ExporterService``, is made on first access to it, as pywin32's
pythonservice host does when it loads
``mprapi_cffi.exporter.service.ExporterService``.  A frozen ``mprapi``
executable is installed to run ``mprapi exporter service run``, which hosts
the service through servicemanager itself.

What the service does is :class:`ServiceRunner` (no pywin32): it serves in a
thread and stops within seconds, even while a scrape of a hung router is
blocked in an RPC call, as those scrapes run in daemon threads that it does
not wait for.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import command
from .httpd import ExporterServer

log = logging.getLogger("mprapi_cffi.exporter")  # the package logs under one name

__all__ = [
    "SERVICE_NAME", "EventLogHandler", "Pywin32", "ServiceRunner", "install", "main", "parse_exporter_args",
    "pywin32", "remove", "run", "service_class", "start", "stop", "stored_arguments",
]  # fmt: skip

SERVICE_NAME = "mprapi-exporter"
DISPLAY_NAME = "mprapi Prometheus exporter"
DESCRIPTION = (
    "Serves RRAS routers' MIB to Prometheus (mprapi exporter): GET /metrics?target=ROUTER reads that router. "
    "Installed by mprapi exporter service install, which stores its options."
)
CLASS_STRING = f"{__name__}.ExporterService"
"""What pywin32's pythonservice host loads: this module's ExporterService."""
ARGUMENTS_OPTION = "Arguments"
"""The service parameter (SetServiceCustomOption) that holds the exporter's options, as JSON."""
FROZEN_HOST_ARGS = "exporter service run"
"""What a frozen mprapi executable is installed to run: ``mprapi exporter service run``."""
STOP_TIMEOUT = 5.0
"""Seconds a stop waits for the server to stop serving."""
STOP_WAIT_HINT_MS = 10_000
"""Milliseconds the service manager is told a stop may take (SERVICE_STOP_PENDING)."""
POLL_INTERVAL = 0.2
"""Seconds serve_forever() waits between checks for shutdown(): how soon a stop is noticed."""

# Windows error codes the service manager's calls raise, each with what to do.
_HINTS = {
    5: "run it as an administrator",  # ERROR_ACCESS_DENIED
    1056: "it is running already",  # ERROR_SERVICE_ALREADY_RUNNING
    1060: "it is not installed: mprapi exporter service install",  # ERROR_SERVICE_DOES_NOT_EXIST
    1062: "it is not running",  # ERROR_SERVICE_NOT_ACTIVE
    1063: "the service manager runs this: mprapi exporter service start",  # ERROR_FAILED_SERVICE_CONTROLLER_CONNECT
    1072: "it is being deleted: stop it, close the Services console, and try again",  # ERROR_SERVICE_MARKED_FOR_DELETE
    1073: "it is installed already: mprapi exporter service remove first",  # ERROR_SERVICE_EXISTS
}

USAGE = """\
usage: mprapi exporter service install [--startup auto|manual] [exporter options]
       mprapi exporter service remove | start | stop"""
HELP = f"""{USAGE}

The exporter as the Windows service {SERVICE_NAME} (needs pywin32: pip install mprapi-cffi[service]).

  install  check the exporter's options (see mprapi exporter --help), install the
           service (--startup auto, the default, or manual) and store the options
  remove   remove the service
  start    start the service
  stop     stop the service
  run      what the service manager starts when mprapi is a frozen executable

The service logs to the Application event log, under the source {SERVICE_NAME}.
To change its options: stop, remove and install it again."""

Build = Callable[[argparse.Namespace], ExporterServer]


# ------------------------------------------------------------------ pywin32, imported on use


@dataclass(frozen=True)
class Pywin32:
    """pywin32's modules, as the service uses them (pywin32 has no type information: each is Any)."""

    serviceutil: Any  # win32serviceutil
    service: Any  # win32service
    manager: Any  # servicemanager


def pywin32() -> Pywin32:
    """pywin32's service modules; ImportError naming the extra without them, or on another system than Windows."""
    if sys.platform != "win32":
        raise ImportError(f"mprapi exporter service installs a Windows service: it runs on Windows only, "
                          f"not on {sys.platform}")  # fmt: skip
    try:
        return Pywin32(
            serviceutil=importlib.import_module("win32serviceutil"),
            service=importlib.import_module("win32service"),
            manager=importlib.import_module("servicemanager"),
        )
    except ImportError as exc:
        raise ImportError("mprapi exporter service needs pywin32: pip install mprapi-cffi[service]") from exc


def __getattr__(name: str) -> Any:
    """``ExporterService``, made on first access (it needs pywin32); as pythonservice loads it."""
    if name == "ExporterService":
        made = service_class()
        globals()[name] = made
        return made
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ------------------------------------------------------------------ the running service, without pywin32


def parse_exporter_args(argv: Sequence[str]) -> argparse.Namespace:
    """``argv`` parsed as ``mprapi exporter`` parses it; ValueError with argparse's message if it is refused."""
    output = io.StringIO()
    try:
        with contextlib.redirect_stderr(output), contextlib.redirect_stdout(output):
            return command.parser().parse_args(list(argv))
    except SystemExit as exc:
        if exc.code == 0:
            raise ValueError("the exporter's options ask for --help, which a service cannot show") from None
        lines = output.getvalue().strip().splitlines()
        raise ValueError(lines[-1] if lines else "the exporter's options were refused") from None


class ServiceRunner:
    """The exporter as the service runs it, without pywin32: start() serves in a thread; stop() ends it.

    ``argv``: the exporter's options, as ``mprapi exporter`` takes them.
    ``build``: makes the server from the parsed options (command.build by
    default).  Each connection is served in a daemon thread (ExporterServer),
    and stop() does not wait for them: a scrape blocked in an RPC call to a
    hung router holds up no stop.  stop() may come before start(), or while
    it builds the server; then nothing is served.
    """

    def __init__(self, argv: Sequence[str], build: Build | None = None, poll_interval: float = POLL_INTERVAL) -> None:
        self.argv = list(argv)
        self.build = build
        self.poll_interval = poll_interval
        self.server: ExporterServer | None = None
        """The server start() built (kept after stop(), closed)."""
        self._serving: ExporterServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._started = False
        self._stopping = False
        self._wake = threading.Event()  # stop() was called, or serving ended on its own
        self._stopped = threading.Event()  # the first stop() has returned

    def start(self) -> bool:
        """Parse the options, build the server and serve it in a thread; False (nothing served) after stop().

        ValueError for options the exporter refuses; what ``build`` raises
        (OSError, ValueError, ImportError) when the server cannot be built.
        A runner starts once.
        """
        with self._lock:
            if self._started:
                raise RuntimeError("a ServiceRunner starts once")
            self._started = True
            if self._stopping:
                return False
        args = parse_exporter_args(self.argv)
        server = (self.build or command.build)(args)
        thread = threading.Thread(target=self._serve, args=(server,), name="mprapi-exporter-serve", daemon=True)
        with self._lock:
            if self._stopping:  # stop() came while the server was built
                server.server_close()
                return False
            self.server = self._serving = server
            self._thread = thread
            thread.start()
        log.info("listening on %s", command.listening_url(server))
        return True

    def _serve(self, server: ExporterServer) -> None:
        try:
            server.serve_forever(poll_interval=self.poll_interval)
        except Exception:
            log.exception("the exporter stopped serving")
        finally:
            self._wake.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until stop() is called, or serving ends on its own (an error, logged); False after ``timeout``."""
        return self._wake.wait(timeout)

    def stop(self, timeout: float = STOP_TIMEOUT) -> bool:
        """Stop serving and close the listening socket; True if serving ended within ``timeout`` seconds.

        Called from any thread but the serving one.  Scrapes in flight are
        not waited for.  Harmless twice: a later call waits (at most
        ``timeout``) for the first to finish.
        """
        with self._lock:
            first = not self._stopping
            self._stopping = True
            server, thread = self._serving, self._thread
            self._serving = None
        self._wake.set()
        if not first:
            return self._stopped.wait(timeout)
        try:
            if server is None or thread is None:
                return True
            # shutdown() returns once serve_forever() has: within poll_interval, unless the serving thread is stuck.
            threading.Thread(target=server.shutdown, name="mprapi-exporter-shutdown", daemon=True).start()
            thread.join(timeout)
            ended = not thread.is_alive()
            server.server_close()  # the listening socket; scrapes in flight keep theirs, in daemon threads
            if ended:
                log.info("stopped")
            else:
                log.warning("still serving %g s after the stop: closed the listening socket", timeout)
            return ended
        finally:
            self._stopped.set()


class EventLogHandler(logging.Handler):
    """Log records to the Windows event log through servicemanager, by level.

    ERROR and worse: LogErrorMsg; WARNING: LogWarningMsg; the rest:
    LogInfoMsg.  ``manager`` is the servicemanager module.
    """

    def __init__(self, manager: Any, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self.manager = manager

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
            if record.levelno >= logging.ERROR:
                self.manager.LogErrorMsg(text)
            elif record.levelno >= logging.WARNING:
                self.manager.LogWarningMsg(text)
            else:
                self.manager.LogInfoMsg(text)
        except Exception:
            self.handleError(record)


def stored_arguments(modules: Pywin32) -> tuple[list[str], str | None]:
    """The exporter's options install stored, and the folder they were given from; ValueError if unreadable."""
    text = modules.serviceutil.GetServiceCustomOption(SERVICE_NAME, ARGUMENTS_OPTION, None)
    if text is None:
        raise ValueError(f"the service has no stored options ({ARGUMENTS_OPTION}): "
                         "remove it and install it again with mprapi exporter service install")  # fmt: skip
    try:
        stored = json.loads(text)
    except (TypeError, ValueError):
        stored = None
    arguments = stored.get("arguments") if isinstance(stored, dict) else None
    directory = stored.get("directory") if isinstance(stored, dict) else None
    if not (isinstance(arguments, list) and all(isinstance(arg, str) for arg in arguments)
            and (directory is None or isinstance(directory, str))):  # fmt: skip
        raise ValueError(f"the service's stored options ({ARGUMENTS_OPTION}) are not what install stores: "
                         "remove it and install it again")  # fmt: skip
    return list(arguments), directory


def service_class(modules: Pywin32 | None = None) -> type[Any]:
    """The service class, on pywin32's ServiceFramework (``modules``: pywin32's, by default); as ExporterService."""
    found = pywin32() if modules is None else modules
    framework: Any = found.serviceutil.ServiceFramework

    class ExporterService(framework):  # type: ignore[misc]  # pywin32 has no type information
        """The Windows service mprapi-exporter: the exporter, with the options install stored."""

        _svc_name_ = SERVICE_NAME
        _svc_display_name_ = DISPLAY_NAME
        _svc_description_ = DESCRIPTION
        pywin32 = found

        def __init__(self, args: Any) -> None:
            framework.__init__(self, args)
            self.runner: ServiceRunner | None = None
            self.stop_requested = threading.Event()

        def SvcDoRun(self) -> None:
            """Serve until SvcStop(); log to the event log.  A service that cannot serve logs why, and fails."""
            handler = EventLogHandler(found.manager)
            level = log.level
            log.addHandler(handler)
            runner: ServiceRunner | None = None
            try:
                arguments, directory = stored_arguments(found)
                log.setLevel(parse_exporter_args(arguments).log_level.upper())
                if directory is not None:
                    try:
                        os.chdir(directory)  # where install was run: relative file names are read from there
                    except OSError as exc:
                        log.warning("cannot read relative file names from %s: %s", directory, exc)
                runner = self.runner = ServiceRunner(arguments)
                if not self.stop_requested.is_set() and runner.start():  # SvcStop sets stop_requested, then stops
                    runner.wait()
            except Exception as exc:
                log.error("cannot serve: %s", exc)
                raise  # the service stops with an error, as the service manager shows it
            finally:
                if runner is not None:
                    runner.stop(STOP_TIMEOUT)
                log.removeHandler(handler)
                log.setLevel(level)

        def SvcStop(self) -> None:
            """Report SERVICE_STOP_PENDING, and stop serving (within seconds: scrapes in flight are not waited for)."""
            self.ReportServiceStatus(found.service.SERVICE_STOP_PENDING, waitHint=STOP_WAIT_HINT_MS)
            self.stop_requested.set()
            runner = self.runner
            if runner is not None:
                runner.stop(STOP_TIMEOUT)

    ExporterService.__qualname__ = "ExporterService"
    return ExporterService


# ------------------------------------------------------------------ install, remove, start, stop


def _fail(message: str) -> int:
    print(f"mprapi exporter service: {message}", file=sys.stderr)
    return 1


def _manager_failure(doing: str, exc: Exception) -> int:
    """One line on stderr for an error of the service manager's (it carries winerror), and 1; others re-raised."""
    code = getattr(exc, "winerror", None)
    if code is None and not isinstance(exc, (OSError, RuntimeError)):
        raise exc
    text = " ".join(str(getattr(exc, "strerror", None) or exc).split())
    if isinstance(code, int):
        text = f"{text.rstrip('.')} (error {code})" + (f": {_HINTS[code]}" if code in _HINTS else "")
    return _fail(f"cannot {doing} {SERVICE_NAME}: {text}")


def _modules(modules: Pywin32 | None) -> Pywin32 | None:
    if modules is not None:
        return modules
    try:
        return pywin32()
    except ImportError as exc:
        _fail(str(exc))
        return None


def _exit_status(exc: SystemExit) -> int:
    return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)


def install_parser() -> argparse.ArgumentParser:
    """The exporter's parser (command.parser), with install's own option, --startup."""
    parser = command.parser()
    parser.prog = "mprapi exporter service install"
    parser.description = (f"Install the exporter as the Windows service {SERVICE_NAME}, to run with these options "
                          "(stored with the service; relative file names are read from this folder).")  # fmt: skip
    parser.add_argument("--startup", choices=["auto", "manual"], default="auto",
                        help="start the service with Windows (auto, the default), or when asked (manual)")  # fmt: skip
    return parser


def _without_startup(argv: list[str]) -> tuple[str, list[str]]:
    """--startup's value, and the exporter's options: ``argv`` without --startup (argv has been checked)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--startup", choices=["auto", "manual"], default="auto")
    known, rest = parser.parse_known_args(argv)
    return str(known.startup), rest


def install(argv: Sequence[str], modules: Pywin32 | None = None) -> int:
    """``install [--startup auto|manual] [exporter options]``: checks the options, installs, stores them."""
    argv = list(argv)
    try:
        install_parser().parse_args(argv)  # refuses what mprapi exporter would refuse; builds nothing
    except SystemExit as exc:
        return _exit_status(exc)
    startup, arguments = _without_startup(argv)
    found = _modules(modules)
    if found is None:
        return 1
    frozen = bool(getattr(sys, "frozen", False))  # no pythonservice host: the executable hosts the service
    try:
        found.serviceutil.InstallService(
            CLASS_STRING, SERVICE_NAME, DISPLAY_NAME,
            startType=found.service.SERVICE_AUTO_START if startup == "auto" else found.service.SERVICE_DEMAND_START,
            description=DESCRIPTION,
            exeName=sys.executable if frozen else None,
            exeArgs=FROZEN_HOST_ARGS if frozen else None,
        )  # fmt: skip
    except Exception as exc:
        return _manager_failure("install", exc)
    stored = json.dumps({"arguments": arguments, "directory": os.getcwd()})
    try:
        found.serviceutil.SetServiceCustomOption(SERVICE_NAME, ARGUMENTS_OPTION, stored)
    except Exception as exc:
        with contextlib.suppress(Exception):
            found.serviceutil.RemoveService(SERVICE_NAME)  # a service without its options would not run
        return _manager_failure("store the options of", exc)
    shown = subprocess.list2cmdline(["mprapi", "exporter", *arguments])
    print(f"installed service {SERVICE_NAME} ({'automatic' if startup == 'auto' else 'manual'} start): {shown}")
    return 0


def _control(doing: str, done: str, call: Callable[[Pywin32], Any], modules: Pywin32 | None) -> int:
    found = _modules(modules)
    if found is None:
        return 1
    try:
        call(found)
    except Exception as exc:
        return _manager_failure(doing, exc)
    print(f"{done} service {SERVICE_NAME}")
    return 0


def remove(modules: Pywin32 | None = None) -> int:
    """``remove``: removes the service (a running one is deleted once it stops)."""
    return _control("remove", "removed", lambda m: m.serviceutil.RemoveService(SERVICE_NAME), modules)


def start(modules: Pywin32 | None = None) -> int:
    """``start``: asks the service manager to start the service."""
    return _control("start", "started", lambda m: m.serviceutil.StartService(SERVICE_NAME), modules)


def stop(modules: Pywin32 | None = None) -> int:
    """``stop``: asks the service manager to stop the service."""
    return _control("stop", "stopping", lambda m: m.serviceutil.StopService(SERVICE_NAME), modules)


def run(modules: Pywin32 | None = None) -> int:
    """``run``: host the service in this process, as the service manager starts a frozen mprapi executable."""
    found = _modules(modules)
    if found is None:
        return 1
    try:
        found.manager.Initialize()
        found.manager.PrepareToHostSingle(service_class(found))
        found.manager.StartServiceCtrlDispatcher()  # returns when the service has stopped
    except Exception as exc:
        return _manager_failure("run", exc)
    return 0


_ACTIONS: dict[str, Callable[[], int]] = {"remove": remove, "start": start, "stop": stop, "run": run}


def main(argv: Sequence[str]) -> int:
    """Run ``mprapi exporter service ACTION ...``; the exit status (2: no or an unknown action, or bad options)."""
    argv = list(argv)
    action = argv[0] if argv else None
    if action in ("-h", "--help"):
        print(HELP)
        return 0
    if action == "install":
        return install(argv[1:])
    if action in _ACTIONS:
        if len(argv) > 1:
            print(f"{USAGE}\nmprapi exporter service: {action} takes no options", file=sys.stderr)
            return 2
        return _ACTIONS[action]()
    problem = "give an action" if action is None else f"unknown action {action!r}"
    print(f"{USAGE}\nmprapi exporter service: {problem} (see mprapi exporter service --help)", file=sys.stderr)
    return 2
