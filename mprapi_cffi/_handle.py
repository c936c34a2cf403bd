"""Exact ownership of one raw handle, shared by every handle object."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import Self


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


class LazyOwnedHandle(OwnedHandle):
    """An OwnedHandle whose handle is made by the first use, in that use's thread.

    ``connect()`` runs at most once at a time, under a lock of its own (never
    under ``lock``, so close() never waits for it): uses that arrive while it
    runs wait for it and then share its handle.  A use is counted in before
    it connects, so a close() meanwhile is deferred: the connecting use sees
    the close, raises ValueError, and its leave() releases the new handle.  A
    connect that fails leaves nothing to release; the next use tries again.
    Closed before any use: nothing is ever connected or released.
    """

    __slots__ = ("_connect", "_connect_lock")

    def __init__(self, connect: Callable[[], Any], release: Callable[[Any], None], kind: str) -> None:
        super().__init__(None, release, kind)
        self.owned.clear()
        self._connect = connect
        self._connect_lock = threading.Lock()

    @property
    def connected(self) -> bool:
        return bool(self.owned)

    def enter(self) -> Any:
        with self.lock:
            if self.closing:
                raise self.closed_error()
            self.in_flight.append(None)
            owned = self.owned[:1]
        if owned:
            return owned[0]
        try:
            with self._connect_lock:
                if not self.owned and not self.closing:
                    handle = self._connect()
                    with self.lock:
                        self.owned.append(handle)
            with self.lock:
                if self.closing or not self.owned:
                    raise self.closed_error()
                return self.owned[0]
        except BaseException:
            self.leave()
            raise

    def detach(self) -> Any:
        self.enter()  # connects if it must; ValueError once closed
        self.leave()
        return super().detach()


class HandleObject:
    """What every public handle object shares, after winreg's HKEY: an OwnedHandle in ``_owned``.

    ``close()`` is idempotent, ``detach()`` hands the raw handle over, ``with``
    closes, ``bool()`` is True while open; not picklable.  Subclasses set
    ``_handle_int`` (the raw handle as an int) and may extend ``_after_close``.
    """

    __slots__ = ()
    _owned: OwnedHandle

    @staticmethod
    def _handle_int(handle: Any) -> int:
        """The raw handle as an int (subclasses say how)."""
        raise NotImplementedError

    @property
    def handle(self) -> int:
        """The raw handle as an int; 0 once closed or detached."""
        return self._owned.value(self._handle_int)

    @property
    def closed(self) -> bool:
        """True once close() or detach() has been called."""
        return self._owned.closing

    def _after_close(self) -> None:
        """What else closing releases (nothing here)."""

    def close(self) -> None:
        """Release the handle; idempotent and safe from any thread (deferred while it is in use)."""
        self._owned.close()
        self._after_close()

    def detach(self) -> int:
        """Hand the raw handle over and mark this object closed; the caller then releases it.

        ValueError if closed, RuntimeError while it is in use.
        """
        handle = self._handle_int(self._owned.detach())
        self._after_close()
        return handle

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __bool__(self) -> bool:
        return not self._owned.closing

    def __reduce__(self) -> Any:
        raise TypeError(f"cannot pickle {type(self).__name__} objects")
