"""The Exporter: a router read within its scrape's deadline, shared and bounded; the exporter's own metrics.

What the HTTP server answers, without the HTTP.  Each read goes through
fleet.read_within (poll()'s engine: the deadline, giving a router up, the
binding closed exactly once), and:

- a scrape of a target whose read is still in flight shares that read: it
  waits for its answer until its own deadline, and never starts another, so
  scrapes of a hung router hold no more than the one read;
- at most ``max_reads`` targets are read at once; past that, a scrape answers
  ``mprapi_up 0`` at once, with ``mprapi_down_reason{reason="read_cap"}``;
- with ``ras`` (the default), the remote access reads go with the MIB reads,
  on an admin handle of the router's own, in the same round trip; their
  failure (a LAN-only router: 903) is ``mprapi_ras_up 0`` and takes nothing
  from the MIB's metrics.  Each target's byte counters by tunnel are kept
  from one reading to the next (metrics.RasByteCounters).

prometheus_client (the ``exporter`` extra) is imported on use, so that this
module imports without it.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..admin import AdminServer
from ..errors import MprError
from ..fleet import PollResult, read_within
from ..server import MibServer
from .metrics import (
    RasByteCounters,
    RouterConnection,
    RouterReading,
    ras_reason,
    read_router,
    router_families,
    scrape_families,
)
from .targets import TargetError, TargetPolicy
from .text import exposition

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

log = logging.getLogger("mprapi_cffi.exporter")  # the package logs under one name

__all__ = [
    "DEFAULT_MAX_READS", "DEFAULT_RAS_CONNECTIONS_LIMIT", "DEFAULT_SCRAPE_TIMEOUT", "TIMEOUT_HEADER", "Exporter",
    "TargetError", "connect_router", "scrape_deadline",
]

DEFAULT_SCRAPE_TIMEOUT = 10.0
"""Seconds a scrape may take when Prometheus does not say (its own default scrape_timeout)."""
MAX_SCRAPE_TIMEOUT = 300.0
"""The most seconds a scrape may take, whatever a client's header says."""
TIMEOUT_OFFSET = 0.25
"""Seconds kept back from Prometheus's scrape timeout to write the answer (at most a quarter of it)."""
TIMEOUT_HEADER = "X-Prometheus-Scrape-Timeout-Seconds"
DEFAULT_MAX_READS = 32
"""Targets read at once when ``max_reads`` is not given (--max-reads)."""
MAX_HEADER_NUMBER = 32
"""The most characters of a number a header may give (a timeout); longer is ignored."""
DEFAULT_RAS_CONNECTIONS_LIMIT = 1000
"""The most connections of a router shown in the per-connection series (--ras-connections-limit)."""
MAX_COUNTED_TARGETS = 4096
"""The most targets whose remote access byte counters are kept; past it, the least recently scraped is forgotten
(its counters start again from its connections' counts, which Prometheus takes for a reset)."""


def _prometheus_client() -> ModuleType:
    """prometheus_client, or an ImportError that names the extra that installs it."""
    try:
        import prometheus_client
    except ImportError as exc:
        raise ImportError(
            "the mprapi exporter needs prometheus_client: pip install mprapi-cffi[exporter]"
        ) from exc
    return prometheus_client


def scrape_deadline(header: str | None, cap: float | None = None) -> float:
    """Seconds a scrape may read for: Prometheus's scrape timeout less TIMEOUT_OFFSET, at most ``cap``.

    ``header`` is X-Prometheus-Scrape-Timeout-Seconds: DEFAULT_SCRAPE_TIMEOUT
    when absent or not a positive, finite number of at most 32 characters,
    and never more than MAX_SCRAPE_TIMEOUT.  The offset is at most a quarter
    of the timeout, so that a short timeout still leaves time to read.
    """
    timeout = DEFAULT_SCRAPE_TIMEOUT
    # ASCII only: float() also reads other scripts' digits and underscores, which Prometheus never sends.
    if header is not None and len(header) <= MAX_HEADER_NUMBER and header.isascii() and "_" not in header:
        try:
            given = float(header)
        except ValueError:
            given = math.nan
        if math.isfinite(given) and given > 0:
            timeout = min(given, MAX_SCRAPE_TIMEOUT)
    deadline = timeout - min(TIMEOUT_OFFSET, timeout / 4)
    return min(deadline, cap) if cap is not None else deadline


def connect_router(name: str) -> RouterConnection:
    """A scrape's connection to router ``name``: a MibServer and an AdminServer (neither contacts it yet)."""
    mib = MibServer(name)
    try:
        return RouterConnection(mib, AdminServer(name))
    except BaseException:
        mib.close()
        raise


@dataclass
class _Read:
    """One target's read in flight, which every scrape of that target shares."""

    target: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    answered: threading.Event = field(default_factory=threading.Event)
    result: PollResult[RouterReading] | None = None
    started: bool = False  # read() was entered: it releases the slot when it returns
    abandoned: bool = False  # given up before read() was entered: it never will be


class _Abandoned(Exception):
    """A read whose scrape gave up before it began: it does not begin."""


@dataclass
class _OwnMetrics:
    scrapes: Any  # prometheus_client Counter, labelled by result
    duration: Any  # prometheus_client Histogram
    reads: Any  # prometheus_client Gauge: reads in flight, summed over the exporters sharing a registry


_own_metrics: weakref.WeakKeyDictionary[Any, _OwnMetrics] = weakref.WeakKeyDictionary()
_own_metrics_lock = threading.Lock()


def _metrics_for(registry: Any) -> _OwnMetrics:
    """The exporter's own metrics in ``registry``, registered once however many Exporters share it."""
    client = _prometheus_client()
    with _own_metrics_lock:
        found = _own_metrics.get(registry)
        if found is None:
            found = _own_metrics[registry] = _OwnMetrics(
                client.Counter("mprapi_exporter_scrapes", "Router scrapes served, by result (up, or the reason "
                               "it was down)", ["result"], registry=registry),
                client.Histogram("mprapi_exporter_scrape_duration_seconds", "Seconds each router scrape took",
                                 registry=registry),
                client.Gauge("mprapi_exporter_reads_in_flight", "Router reads in flight, hung ones included",
                             registry=registry),
            )  # fmt: skip
        return found


class Exporter:
    """Scrapes routers for Prometheus: what the HTTP server answers, without the HTTP.

    ``servers``: the names and patterns of the targets that may be scraped
    (TargetPolicy; none by default), or every target with ``allow_any_target``.
    ``timeout``: the most seconds a scrape may read, whatever Prometheus allows.
    ``max_reads``: the most targets read at once.  ``connect(name)`` opens a
    router (by default connect_router: a MibServer and an AdminServer, or
    with ``ras=False`` the MibServer alone; neither contacts the router
    before its first call) and ``read(server)`` makes a scrape's reads
    (read_router by default: the MIB's, and the remote access server's
    when the connection has an admin handle).  ``ras_connections_detail``:
    the per-connection series (user, tunnel, duration, bytes), for at most
    ``ras_connections_limit`` connections of a router.
    ``registry``: where the exporter's own metrics go, and what ``/metrics``
    without a target serves (prometheus_client's default registry by default).
    """

    def __init__(
        self,
        *,
        servers: Iterable[str] | None = None,
        allow_any_target: bool = False,
        timeout: float | None = None,
        max_reads: int = DEFAULT_MAX_READS,
        connect: Callable[[str], Any] | None = None,
        read: Callable[[Any], RouterReading] = read_router,
        registry: CollectorRegistry | None = None,
        ras: bool = True,
        ras_connections_detail: bool = False,
        ras_connections_limit: int = DEFAULT_RAS_CONNECTIONS_LIMIT,
    ) -> None:
        client = _prometheus_client()
        if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        if isinstance(max_reads, bool) or not isinstance(max_reads, int) or max_reads < 1:
            raise ValueError(f"max_reads must be a positive int, not {max_reads!r}")
        if isinstance(ras_connections_limit, bool) or not isinstance(ras_connections_limit, int) \
                or ras_connections_limit < 0:
            raise ValueError(f"ras_connections_limit must be an int of at least 0, not {ras_connections_limit!r}")
        self.targets = TargetPolicy(servers or (), allow_any=allow_any_target)
        self.timeout = timeout
        self.max_reads = max_reads
        self.ras = ras
        self.connect = connect or (connect_router if ras else MibServer)
        self.read = read
        self.ras_detail_limit = ras_connections_limit if ras_connections_detail else None
        self._ras_counters: OrderedDict[str, RasByteCounters] = OrderedDict()  # by target, case-folded
        self._ras_counters_lock = threading.Lock()
        self.registry = client.REGISTRY if registry is None else registry
        self._metrics = _metrics_for(self.registry)
        self._reads: dict[str, _Read] = {}  # by target, case-folded
        self._reads_lock = threading.Lock()

    @property
    def reads_in_flight(self) -> int:
        """Targets whose read has not returned (hung ones included)."""
        with self._reads_lock:
            return len(self._reads)

    def check_target(self, target: str) -> None:
        """Raise TargetError unless ``target`` may be scraped."""
        self.targets.check(target)

    def scrape(self, target: str, deadline: float) -> bytes:
        """One router's metrics in the text format, answered within ``deadline`` seconds.

        TargetError before anything else for a target that may not be scraped;
        ``deadline`` is at most MAX_SCRAPE_TIMEOUT (more is taken as that).
        ``mprapi_up 0`` (with the reason) when the router did not answer in
        time, answered with an error, or the exporter reads its most routers
        already.  A failed read is logged once, by the scrape that led it.
        """
        self.check_target(target)
        if isinstance(deadline, bool) or not isinstance(deadline, (int, float)) or not deadline > 0:
            raise ValueError(f"deadline must be a positive number of seconds, not {deadline!r}")
        deadline = min(deadline, MAX_SCRAPE_TIMEOUT)  # what scrape_deadline allows an HTTP scrape
        start = time.monotonic()
        read, leads = self._join(target)
        result: PollResult[RouterReading] | None
        if read is None:  # counted in mprapi_exporter_scrapes_total{result="read_cap"}; a flood logs no flood
            log.debug("%s: not read: %d reads are in flight already (--max-reads)", target, self.max_reads)
            return self._answer(None, "read_cap", start)
        if leads:
            result = read_within(target, self._reading(read), timeout=deadline, connect=self.connect)
            self._finish(read, result)
        elif read.answered.wait(deadline):
            result = read.result
        else:
            result = None  # the shared read did not answer by this scrape's deadline
        if result is not None and result.ok:
            assert result.value is not None
            self._log_ras(target, result.value, leads)
            return self._answer(result.value, None, start, target)
        error = result.error if result is not None else TimeoutError()
        reason = _reason(error)
        # The scrape that led the read logs its failure; those that shared it add nothing new.
        level = logging.WARNING if leads else logging.DEBUG
        if reason == "timeout":
            log.log(level, "%s: no answer within %g s", target, deadline)
        else:
            log.log(level, "%s: %s", target, _describe(error))
        return self._answer(None, reason, start)

    def _join(self, target: str) -> tuple[_Read | None, bool]:
        """The read in flight for ``target`` (False: another scrape leads it), a new one (True), or None: at the cap."""
        key = target.casefold()
        with self._reads_lock:
            found = self._reads.get(key)
            if found is not None:
                return found, False
            if len(self._reads) >= self.max_reads:
                return None, False
            read = self._reads[key] = _Read(key)
            self._metrics.reads.inc()
            return read, True

    def _release(self, read: _Read) -> None:
        with self._reads_lock:
            if self._reads.get(read.target) is read:
                del self._reads[read.target]
                self._metrics.reads.dec()

    def _reading(self, read: _Read) -> Callable[[Any], RouterReading]:
        """``self.read``, which frees the target's slot when it returns, however late."""

        def reading(server: Any) -> RouterReading:
            with read.lock:
                if read.abandoned:
                    raise _Abandoned
                read.started = True
            try:
                return self.read(server)
            finally:
                self._release(read)

        return reading

    def _finish(self, read: _Read, result: PollResult[RouterReading]) -> None:
        with read.lock:
            if not read.started:  # the connect failed, or the deadline came before the read began
                read.abandoned = True
                self._release(read)
        read.result = result
        read.answered.set()

    def _answer(self, reading: RouterReading | None, reason: str | None, start: float, target: str = "") -> bytes:
        seconds = time.monotonic() - start
        self._metrics.scrapes.labels(result=reason or "up").inc()
        self._metrics.duration.observe(seconds)
        families = scrape_families(reason, seconds)
        if reading is not None:
            counters = self._counters(target) if reading.ras is not None else None
            families += router_families(reading, ras_counters=counters, ras_detail_limit=self.ras_detail_limit)
        return exposition(families)

    def _counters(self, target: str) -> RasByteCounters:
        """``target``'s remote access byte counters, kept for at most MAX_COUNTED_TARGETS targets."""
        key = target.casefold()
        with self._ras_counters_lock:
            found = self._ras_counters.get(key)
            if found is None:
                found = self._ras_counters[key] = RasByteCounters()
                while len(self._ras_counters) > MAX_COUNTED_TARGETS:
                    self._ras_counters.popitem(last=False)
            else:
                self._ras_counters.move_to_end(key)
            return found

    @staticmethod
    def _log_ras(target: str, reading: RouterReading, leads: bool) -> None:
        """Log a remote access read's failure: by the scrape that led the read; a LAN-only router (903) at debug."""
        ras = reading.ras
        if ras is None or ras.ok:
            return
        reason = ras_reason(ras.error)
        level = logging.WARNING if leads and reason != "not_remote_access" else logging.DEBUG
        log.log(level, "%s: remote access not read (mprapi_ras_up 0, %s): %s", target, reason, _describe(ras.error))

    def own_metrics(self, accept: str = "") -> tuple[bytes, str]:
        """The exporter's own metrics (its registry), and their content type.

        In the format ``accept`` (an Accept header) asks for, as
        prometheus_client's own server chooses it: OpenMetrics or the text format.
        """
        encoder, content_type = _prometheus_client().exposition.choose_encoder(accept[:4096])
        return encoder(self.registry), str(content_type)


def _reason(error: BaseException | None) -> str:
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, MprError):
        return "router_error"
    return "malformed_reply" if isinstance(error, ValueError) else "router_error"


def _describe(error: BaseException | None) -> str:
    if isinstance(error, MprError):
        return f"router error {error.winerror}: {error.strerror}"
    return f"{type(error).__name__}: {error}"

