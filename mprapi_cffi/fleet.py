"""Many routers at once: poll() and apoll() read every router concurrently.

Each router is read in a thread of its own (cffi releases the GIL for every
C call, so a thread blocked in RPC costs nothing but its stack).  Results come
back as each router answers.  A router that does not answer in time is given
up at its deadline: its result is a TimeoutError, its MibServer is closed at
once (so a read that makes several calls stops at its next one) and the
binding is disconnected when the call in flight returns.  The threads are
daemon threads that nothing joins: a call that never returns cannot keep the
interpreter from exiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import queue
import threading
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

from .server import MibServer

__all__ = ["PollResult", "apoll", "gather", "poll", "read_within"]

T = TypeVar("T")
S = TypeVar("S")
"""What ``connect`` returns, and so what ``read`` is given: MibServer by default, or AdminServer."""

DEFAULT_MAX_WORKERS = 256
"""Routers read at once when ``max_workers`` is not given (nor more than there are routers)."""

Connect = Callable[[str], Any]
"""How a poll reaches a router: ``connect(name)`` returns an object with ``close()``,
which the poll calls exactly once, from the polling thread."""


@dataclass(frozen=True)
class PollResult(Generic[T]):
    """One router's answer: ``value`` if ``read`` returned, else the ``error`` it raised.

    ``error`` is a TimeoutError when the router did not answer in time.
    ``seconds`` is how long the read took (up to the deadline for a timeout).
    """

    server: str
    value: T | None
    error: BaseException | None
    seconds: float

    @property
    def ok(self) -> bool:
        """True when ``read`` returned (``value`` is its result)."""
        return self.error is None

    def result(self) -> T:
        """The value, or raise the error."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


# ------------------------------------------------------------------- threads


class _Workers:
    """Daemon threads that run jobs, started on demand, retiring after a while idle.

    A job that blocks forever holds its thread and nothing else: later jobs get
    new threads.  Nothing ever joins these threads.
    """

    def __init__(self, idle_seconds: float = 30.0) -> None:
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._idle = 0  # threads waiting for a job that no submit has reserved
        self._idle_seconds = idle_seconds

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            self._jobs.put(job)
            if self._idle:
                self._idle -= 1  # that thread will take this job
                return
        threading.Thread(target=self._work, name="mprapi-poll", daemon=True).start()

    def _work(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=self._idle_seconds)
            except queue.Empty:
                with self._lock:
                    if self._idle:  # not reserved by a submit: retire
                        self._idle -= 1
                        return
                continue  # a submit reserved this thread just now: its job is queued
            job()
            del job
            with self._lock:
                self._idle += 1


_workers = _Workers()


# ------------------------------------------------------------------- one poll


@dataclass
class _Job:
    index: int
    server: str
    started: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    cancelled: bool = False
    connection: Any = None

    def cancel(self) -> None:
        """Give the router up: close its connection (deferred while a call is in flight)."""
        with self.lock:
            self.cancelled = True
            connection, self.connection = self.connection, None
        if connection is not None:
            connection.close()


# (index, value, error, seconds), as a worker hands it over.
_Outcome = tuple[int, Any, "BaseException | None", float]


def _read_one(job: _Job, read: Callable[[Any], Any], deliver: Callable[[_Outcome], None]) -> None:
    with job.lock:
        connection = None if job.cancelled else job.connection
    if connection is None:  # given up before its turn came: its result is already out
        return
    value: Any = None
    error: BaseException | None = None
    try:
        value = read(connection)
    except BaseException as exc:  # one router's failure is its own result
        error = exc
    # The polling thread closes the connection (see _Run.close_finished).
    deliver((job.index, value, error, time.monotonic() - job.started))


class _Run:
    """The state of one poll: which routers are queued, in flight and done."""

    def __init__(self, servers: list[str], read: Callable[[Any], Any], connect: Connect,
                 timeout: float | None, max_workers: int, deliver: Callable[[_Outcome], None]) -> None:
        self.jobs = [_Job(i, name) for i, name in enumerate(servers)]
        self.read = read
        self.connect = connect
        self.timeout = timeout
        self.max_workers = max_workers
        self.deliver = deliver
        self.queued = 0  # jobs[queued:] have not started
        self.running: dict[int, _Job] = {}
        self.finished: list[Any] = []  # connections of routers that answered, to close

    @property
    def pending(self) -> bool:
        return bool(self.running) or self.queued < len(self.jobs)

    def start_more(self) -> None:
        # Every cffi call releases the GIL, and under load each release hands it to another
        # thread (about 0.1 ms under Wine, far more than a router's Python work).  So the
        # workers only read: connecting (which only makes a binding and never waits for the
        # router) is done here, for the whole batch before any worker is woken, and closing
        # is done here too, when no worker waits for the GIL (close_finished).
        batch: list[_Job] = []
        while len(self.running) < self.max_workers and self.queued < len(self.jobs):
            job = self.jobs[self.queued]
            self.queued += 1
            job.started = time.monotonic()
            self.running[job.index] = job
            try:
                job.connection = self.connect(job.server)
            except BaseException as exc:  # a name the binding refuses: that router's result
                self.deliver((job.index, None, exc, time.monotonic() - job.started))
                continue
            batch.append(job)
        for job in batch:
            _workers.submit(functools.partial(_read_one, job, self.read, self.deliver))

    def wait_seconds(self) -> float | None:
        """How long until the next deadline (None: no timeout)."""
        if self.timeout is None or not self.running:
            return None
        first = min(job.started for job in self.running.values())
        return max(0.0, first + self.timeout - time.monotonic())

    def results(self, outcome: _Outcome | None) -> list[PollResult[Any]]:
        """What to yield for a worker's ``outcome``, or for a passed deadline (None)."""
        if outcome is None:
            return self.expire()
        index, value, error, seconds = outcome
        job = self.running.pop(index, None)
        if job is None:  # it answered after its deadline: its TimeoutError is already out
            return []
        with job.lock:
            connection, job.connection = job.connection, None
        if connection is not None:
            self.finished.append(connection)
        self.start_more()
        return [PollResult(job.server, value, error, seconds)]

    def close_finished(self) -> None:
        """Close the connections of the routers that answered (call it when no result waits)."""
        finished, self.finished = self.finished, []
        for connection in finished:
            connection.close()

    def expire(self) -> list[PollResult[Any]]:
        """The TimeoutError results of every router whose deadline has passed."""
        assert self.timeout is not None
        now = time.monotonic()
        late = [job for job in self.running.values() if now >= job.started + self.timeout]
        results: list[PollResult[Any]] = []
        for job in late:
            del self.running[job.index]
            job.cancel()
            results.append(PollResult(
                job.server, None, TimeoutError(f"{job.server or 'the local router'} did not answer within "
                                               f"{self.timeout:g} s"), now - job.started,
            ))  # fmt: skip
        self.start_more()
        return results

    def cancel(self) -> None:
        """Stop: nothing queued starts, every router in flight is given up."""
        self.queued = len(self.jobs)
        running, self.running = list(self.running.values()), {}
        for job in running:
            job.cancel()


def gather(*calls: Callable[[], Any]) -> list[Any]:
    """Make ``calls`` at once and return their results in order; the first that raised, raises.

    The first call runs in this thread, the others in the poll's daemon
    threads: the reads of one router go to it together on its one binding
    (a MibServer may be shared by threads), so they take one round trip, not
    one each.  A call that never returns holds its thread and this one.
    """
    if not calls:
        return []
    done = threading.Semaphore(0)
    outcomes: list[tuple[Any, BaseException | None]] = [(None, None)] * len(calls)

    def run(index: int) -> None:
        try:
            outcomes[index] = (calls[index](), None)
        except BaseException as exc:  # handed to the caller below
            outcomes[index] = (None, exc)
        finally:
            done.release()

    for index in range(1, len(calls)):
        _workers.submit(functools.partial(run, index))
    run(0)
    for _ in range(len(calls)):
        done.acquire()
    for _, error in outcomes:
        if error is not None:
            raise error
    return [value for value, _ in outcomes]


def _checked(servers: Iterable[str], timeout: float | None, max_workers: int | None) -> tuple[list[str], int]:
    if isinstance(servers, (str, bytes)):
        raise TypeError("servers must be an iterable of server names, not a single name")
    names = list(servers)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"server names must be str, not {type(name).__name__}")
        if "\0" in name:
            raise ValueError("a server name contains a NUL character")
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise TypeError(f"timeout must be a number of seconds or None, not {type(timeout).__name__}")
        # A wait longer than the platform can take (threading.TIMEOUT_MAX) would raise OverflowError
        # inside the poll, past its checks: refused here instead.
        if not 0 < timeout <= threading.TIMEOUT_MAX:
            raise ValueError(f"timeout must be a positive number of seconds up to threading.TIMEOUT_MAX, "
                             f"not {timeout!r}")
    if max_workers is None:
        workers = max(1, min(len(names), DEFAULT_MAX_WORKERS))
    elif isinstance(max_workers, bool) or not isinstance(max_workers, int):
        raise TypeError(f"max_workers must be an int, not {type(max_workers).__name__}")
    elif max_workers < 1:
        raise ValueError(f"max_workers must be at least 1, not {max_workers}")
    else:
        workers = max_workers
    return names, workers


@overload
def poll(
    servers: Iterable[str],
    read: Callable[[MibServer], T],
    *,
    timeout: float | None = None,
    max_workers: int | None = None,
    connect: None = None,
) -> Generator[PollResult[T], None, None]: ...
@overload
def poll(
    servers: Iterable[str],
    read: Callable[[S], T],
    *,
    timeout: float | None = None,
    max_workers: int | None = None,
    connect: Callable[[str], S],
) -> Generator[PollResult[T], None, None]: ...


def poll(
    servers: Iterable[str],
    read: Callable[[Any], T],
    *,
    timeout: float | None = None,
    max_workers: int | None = None,
    connect: Callable[[str], Any] | None = None,
) -> Generator[PollResult[T], None, None]:
    """Run ``read(server)`` against every router at once; yield each result as it completes.

    ``servers`` are names as MibServer takes them ("" for the local router).
    Every router gets exactly one PollResult: the value ``read`` returned, or
    the exception it raised (MprError, ValueError, ...), never affecting the
    others.  A router whose read has not returned ``timeout`` seconds after it
    started yields a TimeoutError result then; its read goes on in the
    background and its binding is disconnected when the call returns.  At most
    ``max_workers`` routers are read at once (default: all of them, up to
    256).  ``connect(name)`` opens a router (default: MibServer, which only
    makes a binding; AdminServer, which connects on its first call, for the
    admin reads: ``poll(names, AdminServer.connections, connect=AdminServer)``);
    it runs in the polling thread, so it must not wait for the router, and
    what it returns is given to ``read`` and closed exactly once, from there too.
    Bad arguments raise before any router is reached.  Leaving the loop
    early gives up the routers still in flight.
    """
    names, workers = _checked(servers, timeout, max_workers)
    outcomes: queue.SimpleQueue[_Outcome] = queue.SimpleQueue()
    run = _Run(names, read, connect or MibServer, timeout, workers, outcomes.put)
    return _poll(run, outcomes)


def _poll(run: _Run, outcomes: queue.SimpleQueue[_Outcome]) -> Generator[PollResult[Any], None, None]:
    try:
        run.start_more()
        while run.pending:
            outcome: _Outcome | None
            try:
                outcome = outcomes.get_nowait()
            except queue.Empty:
                run.close_finished()  # nothing to hand out: the workers are all inside calls
                try:
                    outcome = outcomes.get(timeout=run.wait_seconds())
                except queue.Empty:
                    outcome = None  # a deadline has passed
            yield from run.results(outcome)
    finally:
        run.cancel()
        run.close_finished()


@overload
def read_within(
    server: str,
    read: Callable[[MibServer], T],
    *,
    timeout: float | None = None,
    connect: None = None,
) -> PollResult[T]: ...
@overload
def read_within(
    server: str,
    read: Callable[[S], T],
    *,
    timeout: float | None = None,
    connect: Callable[[str], S],
) -> PollResult[T]: ...


def read_within(
    server: str,
    read: Callable[[Any], T],
    *,
    timeout: float | None = None,
    connect: Callable[[str], Any] | None = None,
) -> PollResult[T]:
    """``read(server)`` of one router, given up after ``timeout`` seconds: poll() of that one router.

    The result is the value, the error ``read`` raised, or a TimeoutError at
    the deadline (the read goes on in the background, its binding
    disconnected when its call returns), exactly as poll() gives it.
    """
    results = poll([server], read, timeout=timeout, connect=connect)
    try:
        return next(results)
    finally:
        results.close()


@overload
def apoll(
    servers: Iterable[str],
    read: Callable[[MibServer], T],
    *,
    timeout: float | None = None,
    max_workers: int | None = None,
    connect: None = None,
) -> AsyncIterator[PollResult[T]]: ...
@overload
def apoll(
    servers: Iterable[str],
    read: Callable[[S], T],
    *,
    timeout: float | None = None,
    max_workers: int | None = None,
    connect: Callable[[str], S],
) -> AsyncIterator[PollResult[T]]: ...


def apoll(
    servers: Iterable[str],
    read: Callable[[Any], T],
    *,
    timeout: float | None = None,
    max_workers: int | None = None,
    connect: Callable[[str], Any] | None = None,
) -> AsyncIterator[PollResult[T]]:
    """poll() for asyncio: ``async for result in apoll(...)``; the event loop is never blocked.

    The reads run in the same daemon threads as poll()'s.  Cancelling the
    task, or leaving the loop early, gives up the routers still in flight.
    """
    names, workers = _checked(servers, timeout, max_workers)
    return _apoll(names, read, connect or MibServer, timeout, workers)


async def _apoll(names: list[str], read: Callable[[Any], Any], connect: Connect, timeout: float | None,
                 workers: int) -> AsyncIterator[PollResult[Any]]:
    loop = asyncio.get_running_loop()
    outcomes: asyncio.Queue[_Outcome] = asyncio.Queue()

    def deliver(outcome: _Outcome) -> None:
        # A closed loop raises RuntimeError: nobody waits for this router any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(outcomes.put_nowait, outcome)

    run = _Run(names, read, connect, timeout, workers, deliver)
    try:
        run.start_more()
        while run.pending:
            outcome: _Outcome | None
            try:
                outcome = outcomes.get_nowait()
            except asyncio.QueueEmpty:
                run.close_finished()  # nothing to hand out: the workers are all inside calls
                try:
                    outcome = await asyncio.wait_for(outcomes.get(), run.wait_seconds())
                except asyncio.TimeoutError:
                    outcome = None  # a deadline has passed
            for result in run.results(outcome):
                yield result
    finally:
        run.cancel()
        run.close_finished()
