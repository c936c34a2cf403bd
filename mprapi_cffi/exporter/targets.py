"""Which routers a scrape may name: the operator's allow-list, and what a target may look like at all.

A scrape's ``target`` goes to MprAdminMIBServerConnect, and on Windows that
makes the exporter's account authenticate over RPC to the host it names.  So
a target must be a host name or an address (no UNC path, no control or bidi
character, nothing that is not a host), and one the operator allowed: by
name, by pattern (``edge-*``), from a file, or every target with
``allow_any=True`` (``--allow-any-target``).  Nothing is allowed by default.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import logging
import re
import threading
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger("mprapi_cffi.exporter")  # the package logs under one name

__all__ = ["MAX_TARGET_LENGTH", "TargetError", "TargetPolicy", "check_target_syntax", "read_servers_file"]

MAX_TARGET_LENGTH = 253
"""The longest host name DNS allows (RFC 1035), so the longest target."""
MAX_REFUSED_LOGGED = 1024
"""Refused names remembered so as to log each once; past this many, refusals are no longer logged."""
MAX_SERVERS_FILE = 1 << 20
"""The most bytes a servers file may have."""

_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)\Z")  # underscores: NetBIOS-style names are common on Windows
_PATTERN_CHARS = frozenset("*?[")


class TargetError(ValueError):
    """A target the exporter will not scrape: ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def check_target_syntax(target: str) -> str:
    """``target`` if it is a host name (RFC 1123 labels) or an IPv4 or IPv6 address; TargetError (400) if not."""
    if not target:
        raise TargetError(400, "target is empty: give a router's name, e.g. /metrics?target=edge-router-1")
    if len(target) > MAX_TARGET_LENGTH:
        raise TargetError(400, f"target is longer than {MAX_TARGET_LENGTH} characters")
    try:
        ipaddress.ip_address(target)
    except ValueError:
        pass
    else:
        return target
    labels = target[:-1].split(".") if target.endswith(".") else target.split(".")
    if not all(_LABEL.match(label) for label in labels):
        raise TargetError(400, "target is not a host name or an IP address (letters, digits, '-', '_' and dots)")
    return target


def read_servers_file(path: str | Path) -> list[str]:
    """The names and patterns in a servers file: one a line, ``#`` starts a comment, blank lines skipped."""
    data = Path(path).read_bytes()[: MAX_SERVERS_FILE + 1]
    if len(data) > MAX_SERVERS_FILE:
        raise ValueError(f"{path}: larger than {MAX_SERVERS_FILE} bytes")
    names = [line.split("#", 1)[0].strip() for line in data.decode("utf-8").splitlines()]
    return [name for name in names if name]


class TargetPolicy:
    """The targets an exporter may scrape: names and patterns (case-insensitive, as host names are).

    A pattern is a name with ``*``, ``?`` or ``[...]`` (fnmatch's syntax).
    Each entry is checked as a target is (a pattern's wildcards aside), so a
    mistyped entry fails at startup, not at the first scrape.
    """

    def __init__(self, entries: Iterable[str] = (), *, allow_any: bool = False) -> None:
        self.allow_any = allow_any
        names: set[str] = set()
        patterns: list[str] = []
        for entry in entries:
            if not isinstance(entry, str):
                raise TypeError(f"a target entry must be str, not {type(entry).__name__}")
            if _PATTERN_CHARS & set(entry):
                check_target_syntax(re.sub(r"\[[^\]]*\]|[*?]", "x", entry) or "x")
                patterns.append(entry.casefold())
            else:
                check_target_syntax(entry)
                names.add(entry.casefold())
        self.names = frozenset(names)
        self.patterns = tuple(patterns)
        self._refused: set[str] = set()
        self._refused_lock = threading.Lock()

    @property
    def allows_nothing(self) -> bool:
        """True when no target at all may be scraped."""
        return not (self.allow_any or self.names or self.patterns)

    def allowed(self, target: str) -> bool:
        """Whether ``target`` (a valid one) is on the list."""
        if self.allow_any:
            return True
        folded = target.casefold()
        return folded in self.names or any(fnmatch.fnmatchcase(folded, p) for p in self.patterns)

    def check(self, target: str) -> None:
        """TargetError unless ``target`` is a valid target that may be scraped: 400 for its form, 403 if not allowed."""
        check_target_syntax(target)
        if not self.allowed(target):
            self._log_refusal(target)
            raise TargetError(403, f"target {target!r} is not one this exporter may scrape (--server, "
                                   "--servers-file)")  # fmt: skip

    def _log_refusal(self, target: str) -> None:
        folded = target.casefold()
        with self._refused_lock:
            if folded in self._refused or len(self._refused) >= MAX_REFUSED_LOGGED:
                return
            self._refused.add(folded)
        log.warning("refused target %r: not allowed (--server, --servers-file)", target)

    def describe(self) -> str:
        """What is allowed, for the startup log."""
        if self.allow_any:
            return "any target (--allow-any-target)"
        if self.allows_nothing:
            return "no target (give --server NAME or --servers-file)"
        shown = sorted(self.names)[:10] + sorted(self.patterns)[:10]
        more = len(self.names) + len(self.patterns) - len(shown)
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
