"""Prometheus's text exposition format, version 0.0.4, as client_golang writes it.

Families sorted by name, label names sorted, numbers in Go's shortest form;
counters under their own name, with no ``_total`` (prometheus_client's writer
adds one, which snmp_exporter's names do not have).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The router's answer: Prometheus's text exposition format, version 0.0.4."""


@dataclass(frozen=True)
class Sample:
    """One sample: its labels, sorted by name, and its value."""

    labels: tuple[tuple[str, str], ...]
    value: float


@dataclass
class Family:
    """A metric family: every sample has the family's name (no suffix, counters included)."""

    name: str
    type: str  # "counter" or "gauge"
    help: str
    samples: list[Sample] = field(default_factory=list)

    def add(self, value: float, labels: dict[str, str] | tuple[tuple[str, str], ...] = ()) -> None:
        """Add a sample; ``labels`` a dict, or a tuple of (name, value) already sorted by name."""
        self.samples.append(Sample(labels if isinstance(labels, tuple) else tuple(sorted(labels.items())), value))


def _go_float(value: float) -> str:
    """A number as Go's strconv.FormatFloat(value, 'g', -1, 64), as client_golang writes it.

    12 -> "12", 1000001 -> "1.000001e+06", 0.25 -> "0.25": the shortest
    digits that read back exactly, in exponent form when the exponent is
    below -4 or at least the number of digits (at least 6).
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    if isinstance(value, int) or (value.is_integer() and abs(value) < 2**53):
        # Counters and gauges are whole numbers: their digits without Decimal (the hot path).
        whole = str(abs(int(value)))
        return _go_digits("-" if value < 0 else "", whole.rstrip("0"), len(whole))
    sign, digit_tuple, exponent = Decimal(repr(float(value))).normalize().as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    return _go_digits("-" if sign else "", digits, len(digits) + exponent)


def _go_digits(minus: str, digits: str, point: int) -> str:
    """Significant ``digits`` with the decimal point ``point`` digits from the first, as Go's 'g' writes them."""
    precision = len(digits) if 6 > len(digits) >= point else 6
    if point - 1 < -4 or point - 1 >= precision:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{minus}{mantissa}e{'+' if point - 1 >= 0 else '-'}{abs(point - 1):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return minus + digits + "0" * (point - len(digits))
    return f"{minus}{digits[:point]}.{digits[point:]}"


def _label_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _help_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def exposition(families: Iterable[Family]) -> bytes:
    """The families in the text format 0.0.4, as client_golang writes them.

    Families by name, samples by their label values, label names sorted;
    counters under their own name, with no ``_total``.
    """
    lines: list[str] = []
    shown: dict[tuple[tuple[str, str], ...], str] = {}  # each interface's labels, written once
    for family in sorted(families, key=lambda f: f.name):
        lines.append(f"# HELP {family.name} {_help_value(family.help)}")
        lines.append(f"# TYPE {family.name} {family.type}")
        for sample in sorted(family.samples, key=lambda s: [value for _, value in s.labels]):
            labels = shown.get(sample.labels)
            if labels is None:
                labels = shown[sample.labels] = "{" + ",".join(
                    f'{name}="{_label_value(value)}"' for name, value in sample.labels) + "}" if sample.labels else ""
            lines.append(f"{family.name}{labels} {_go_float(sample.value)}")
    # A lone surrogate from a router's UTF-16 name cannot be UTF-8: it shows as "?".
    return ("\n".join(lines) + "\n").encode("utf-8", "replace") if lines else b""
