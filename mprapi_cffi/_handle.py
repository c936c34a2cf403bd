"""Exact ownership of one raw handle, shared by every handle object."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class OwnedHandle:
    """A raw handle, who is using it, and the one release it gets.

    Exactly one release per handle: the handle sits in a one-item list and
    whoever pops it (list.pop is atomic) releases it, or detaches it.  Uses
    are counted in under the lock, which close() and detach() also take, so
    no use starts after a close; they are counted out without it (one lock
    round trip per call is a measurable share of its cost), and the last one
    out after a close() releases.  This object holds no reference to the
    object that owns it, so a finalizer run at garbage collection or
    interpreter exit can target it.
    """

    __slots__ = ("lock", "owned", "in_flight", "closing", "_release", "_kind")

    def __init__(self, handle: Any, release: Callable[[Any], None], kind: str) -> None:
        self.lock = threading.Lock()
        self.owned: list[Any] = [handle]
        self.in_flight: list[None] = []  # one item per use in flight
        self.closing = False
        self._release = release
        self._kind = kind

    def value(self, as_int: Callable[[Any], int]) -> int:
        """The raw handle as an int (``as_int`` converts it); 0 once closed or detached."""
        owned = self.owned[:1]
        if not owned or self.closing:
            return 0
        return as_int(owned[0])

    def closed_error(self) -> ValueError:
        return ValueError(f"operation on a closed {self._kind}")

    def enter(self) -> Any:
        """Count a use in and return the handle; ValueError once closed."""
        with self.lock:
            if self.closing:
                raise self.closed_error()
            self.in_flight.append(None)
            return self.owned[0]

    def leave(self) -> None:
        """Count a use out; the last one out after a close releases."""
        in_flight = self.in_flight
        in_flight.pop()
        if self.closing and not in_flight:
            self.release()

    def release(self) -> None:
        try:
            handle = self.owned.pop()
        except IndexError:  # already released or detached
            return
        self._release(handle)

    def close(self) -> None:
        with self.lock:
            self.closing = True
            idle = not self.in_flight
        if idle:
            self.release()
        # else: the last use in flight releases (see leave)

    def detach(self) -> Any:
        with self.lock:
            if self.closing:
                raise self.closed_error()
            if self.in_flight:
                raise RuntimeError(f"cannot detach a {self._kind} while calls on it are in flight")
            self.closing = True
            return self.owned.pop()
