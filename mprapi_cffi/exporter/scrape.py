"""The Exporter: which targets may be scraped, a router read within its deadline, the exporter's own metrics.

What the HTTP server answers, without the HTTP.  prometheus_client (the
``exporter`` extra) is imported on use, so that this module imports without it.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..errors import MprError
from ..server import MibServer
from .deadlines import _deadlines, _Scrape
from .metrics import RouterReading, read_router, render_scrape

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

log = logging.getLogger("mprapi_cffi.exporter")  # the package logs under one name

MAX_TARGET_LENGTH = 1024


def _prometheus_client() -> ModuleType:
    """prometheus_client, or an ImportError that names the extra that installs it."""
    try:
        import prometheus_client
    except ImportError as exc:
        raise ImportError(
            "the mprapi exporter needs prometheus_client: pip install mprapi-cffi[exporter]"
        ) from exc
    return prometheus_client


class TargetError(ValueError):
    """A target the exporter will not scrape: ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class _OwnMetrics:
    scrapes: Any  # prometheus_client Counter, labelled by result
    duration: Any  # prometheus_client Histogram


_own_metrics: weakref.WeakKeyDictionary[Any, _OwnMetrics] = weakref.WeakKeyDictionary()
_own_metrics_lock = threading.Lock()


def _metrics_for(registry: Any) -> _OwnMetrics:
    """The exporter's own metrics in ``registry``, registered once however many Exporters share it."""
    client = _prometheus_client()
    with _own_metrics_lock:
        found = _own_metrics.get(registry)
        if found is None:
            found = _own_metrics[registry] = _OwnMetrics(
                client.Counter("mprapi_exporter_scrapes", "Router scrapes served, by result (up: the router answered)",
                               ["result"], registry=registry),
                client.Histogram("mprapi_exporter_scrape_duration_seconds", "Seconds each router scrape took",
                                 registry=registry),
            )  # fmt: skip
        return found


class Exporter:
    """Scrapes routers for Prometheus: what the HTTP server answers, without the HTTP.

    ``servers``: the only targets allowed (None: any).  ``timeout``: the most
    seconds a scrape may read, whatever Prometheus allows.  ``connect(name)``
    opens a router (MibServer by default) and ``read(server)`` makes a
    scrape's MIB reads (read_router by default).  ``registry``: where the
    exporter's own metrics go, and what ``/metrics`` without a target serves
    (prometheus_client's default registry by default).
    """

    def __init__(
        self,
        *,
        servers: Iterable[str] | None = None,
        timeout: float | None = None,
        connect: Callable[[str], Any] | None = None,
        read: Callable[[Any], RouterReading] = read_router,
        registry: CollectorRegistry | None = None,
    ) -> None:
        client = _prometheus_client()
        self.servers = None if servers is None else frozenset(servers)
        if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.timeout = timeout
        self.connect = connect
        self.read = read
        self.registry = client.REGISTRY if registry is None else registry
        self._metrics = _metrics_for(self.registry)
        # The counter's two children, found once rather than by label on each scrape.
        self._scraped = {up: self._metrics.scrapes.labels(result="up" if up else "down") for up in (True, False)}

    def check_target(self, target: str) -> None:
        """Raise TargetError unless ``target`` may be scraped."""
        if not target:
            raise TargetError(400, "target is empty: give a router's name, e.g. /metrics?target=edge-router-1")
        if len(target) > MAX_TARGET_LENGTH:
            raise TargetError(400, f"target is longer than {MAX_TARGET_LENGTH} characters")
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
            raise TargetError(400, "target contains a control character")
        if self.servers is not None and target not in self.servers:
            raise TargetError(403, f"target {target!r} is not one of this exporter's routers (its --server options)")

    def scrape(self, target: str, deadline: float) -> bytes:
        """One router's metrics, read within ``deadline`` seconds; ``mprapi_up 0`` if it did not answer.

        The target is checked (TargetError).  A router error, a malformed
        reply or a timeout is logged once, on this logger.  The read runs in
        a daemon thread of its own, so that this returns by the deadline even
        while a call hangs (serve_scrape reads in the calling thread).
        """
        self.check_target(target)
        answered = threading.Event()
        bodies: list[bytes] = []

        def answer(body: bytes, late: bool) -> None:
            bodies.append(body)
            answered.set()

        threading.Thread(target=self._serve_logged, args=(target, deadline, answer), daemon=True).start()
        answered.wait()  # serve_scrape answers by the deadline, from its deadline thread if need be
        return bodies[0]

    def _serve_logged(self, target: str, deadline: float, answer: Callable[[bytes, bool], None]) -> None:
        try:
            self.serve_scrape(target, deadline, answer)
        except Exception:  # answered at the deadline all the same; a worker thread has no caller to tell
            log.exception("%s: the scrape failed", target)

    def serve_scrape(self, target: str, deadline: float, answer: Callable[[bytes, bool], None]) -> bool:
        """Read ``target`` in this thread; ``answer(body, late)`` exactly once, within ``deadline`` seconds.

        When the reads return in time, ``answer(body, False)`` is called from
        this thread and this returns True.  When they have not at the
        deadline, the router is given up (its server closed, so that the
        next call stops at once) and ``answer(body, True)`` is called with
        ``mprapi_up 0`` from the deadline thread; this returns False when the
        read does.  TargetError is raised before anything is read.

        The HTTP server scrapes this way, in the thread that has the request:
        poll() would hand the read to a worker and wake this thread again
        after it, two thread handovers that cost more than the rest of the
        exporter's work under Wine.
        """
        self.check_target(target)
        start = time.monotonic()
        scrape = _Scrape(functools.partial(self._give_up, target, start, deadline, answer))
        _deadlines.add(start + deadline, scrape)
        reading: RouterReading | None = None
        error: Exception | None = None
        try:
            # Only makes a binding (it never waits for the router), as in poll().
            connection = (self.connect or MibServer)(target)
        except Exception as exc:  # a name the binding refuses: the router is down
            error = exc
        else:
            try:
                if scrape.attach(connection):
                    reading = self.read(connection)
            except Exception as exc:  # a router error or a malformed reply
                error = exc
            finally:
                connection.close()  # idempotent: the deadline may have closed it already
        if not scrape.finish():
            return False  # given up at the deadline, which has answered
        if error is not None:
            log.warning("%s: %s", target, _describe(error))
        answer(self._answer(reading, time.monotonic() - start), False)
        return True

    def _give_up(self, target: str, start: float, deadline: float, answer: Callable[[bytes, bool], None]) -> None:
        seconds = time.monotonic() - start
        log.warning("%s: %s did not answer within %g s", target, target or "the local router", deadline)
        answer(self._answer(None, seconds), True)

    def _answer(self, reading: RouterReading | None, seconds: float) -> bytes:
        up = reading is not None
        self._scraped[up].inc()
        self._metrics.duration.observe(seconds)
        return render_scrape(reading, up, seconds)

    def own_metrics(self, accept: str = "") -> tuple[bytes, str]:
        """The exporter's own metrics (its registry), and their content type.

        In the format ``accept`` (an Accept header) asks for, as
        prometheus_client's own server chooses it: OpenMetrics or the text format.
        """
        encoder, content_type = _prometheus_client().exposition.choose_encoder(accept)
        return encoder(self.registry), str(content_type)


def _describe(error: BaseException | None) -> str:
    if isinstance(error, MprError):
        return f"router error {error.winerror}: {error.strerror}"
    if isinstance(error, TimeoutError):
        return str(error)
    return f"{type(error).__name__}: {error}"
