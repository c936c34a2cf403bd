"""A scrape's deadline: how long it may read (scrape_deadline), and the thread that gives it up then."""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("mprapi_cffi.exporter")  # the package logs under one name

DEFAULT_SCRAPE_TIMEOUT = 10.0
"""Seconds a scrape may take when Prometheus does not say (its own default scrape_timeout)."""
TIMEOUT_OFFSET = 0.25
"""Seconds kept back from Prometheus's scrape timeout to write the answer (at most a quarter of it)."""
TIMEOUT_HEADER = "X-Prometheus-Scrape-Timeout-Seconds"
TIMEOUT_HEADER_KEY = TIMEOUT_HEADER.lower().encode()


def scrape_deadline(header: str | None, cap: float | None = None) -> float:
    """Seconds a scrape may read for: Prometheus's scrape timeout less TIMEOUT_OFFSET, at most ``cap``.

    ``header`` is X-Prometheus-Scrape-Timeout-Seconds (DEFAULT_SCRAPE_TIMEOUT
    when absent or not a positive number).  The offset is at most a quarter
    of the timeout, so that a short timeout still leaves time to read.
    """
    timeout = DEFAULT_SCRAPE_TIMEOUT
    if header is not None:
        try:
            given = float(header)
        except ValueError:
            given = math.nan
        if math.isfinite(given) and given > 0:
            timeout = given
        else:
            log.debug("ignoring %s: %r", TIMEOUT_HEADER, header)
    deadline = timeout - min(TIMEOUT_OFFSET, timeout / 4)
    return min(deadline, cap) if cap is not None else deadline


class _Scrape:
    """One scrape's read, answered exactly once: by its reader, or at its deadline."""

    __slots__ = ("lock", "done", "connection", "give_up")

    def __init__(self, give_up: Callable[[], None]) -> None:
        self.lock = threading.Lock()
        self.done = False
        self.connection: Any = None
        self.give_up: Callable[[], None] | None = give_up

    def attach(self, connection: Any) -> bool:
        """Keep the router's server, for the deadline to close; False if given up already."""
        with self.lock:
            if self.done:
                return False
            self.connection = connection
            return True

    def finish(self) -> bool:
        """The reader's turn to answer: True, or False if the deadline has (and its answer is out)."""
        with self.lock:  # held by expire() while it answers: a False comes after its answer
            if self.done:
                return False
            self.done = True
            self.connection = self.give_up = None  # nothing kept while the entry waits in the heap
            return True

    def expire(self) -> None:
        """The deadline: unless the reader has answered, close its server and answer for it."""
        with self.lock:
            if self.done:
                return
            self.done = True
            connection, give_up = self.connection, self.give_up
            self.connection = self.give_up = None
            if connection is not None:
                connection.close()  # waits for no one: the binding goes when the call in flight returns
            assert give_up is not None
            try:
                give_up()
            except Exception:  # this thread keeps every other scrape's deadline: it must go on
                log.exception("answering a scrape at its deadline failed")


class _Deadlines:
    """Gives up the scrapes whose read has not returned by their deadline, from one daemon thread.

    The thread sleeps until the earliest deadline.  A scrape adds its own
    without waking it unless it comes earlier, as it seldom does (every
    scrape's deadline is about as far ahead): the reading thread hands
    nothing over and nothing wakes when a read returns in time.  Entries of
    scrapes answered in time stay until they reach the front.  A daemon
    thread, so that a call that never returns cannot keep the interpreter
    from exiting.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, _Scrape]] = []
        self._order = itertools.count()  # ties: never compare _Scrape objects
        self._wakes_at = math.inf
        self._thread: threading.Thread | None = None

    def add(self, when: float, scrape: _Scrape) -> None:
        """Give ``scrape`` up at ``when`` (time.monotonic()) unless it has finished."""
        with self._changed:
            heapq.heappush(self._heap, (when, next(self._order), scrape))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mprapi-exporter-deadlines", daemon=True)
                self._thread.start()
            elif when < self._wakes_at:
                self._changed.notify()

    def _run(self) -> None:
        heap = self._heap
        while True:
            due: list[_Scrape] = []
            with self._changed:
                now = time.monotonic()
                while heap and (heap[0][0] <= now or heap[0][2].done):
                    due.append(heapq.heappop(heap)[2])
                if not due:
                    # Drop the scrapes answered in time at once, so that the next wake is a
                    # deadline still to keep, not one per scrape.
                    live = [entry for entry in heap if not entry[2].done]
                    if len(live) < len(heap):
                        heap[:] = live
                        heapq.heapify(heap)
                    self._wakes_at = heap[0][0] if heap else math.inf
                    self._changed.wait(heap[0][0] - now if heap else None)
                    continue
            for scrape in due:
                scrape.expire()


_deadlines = _Deadlines()
