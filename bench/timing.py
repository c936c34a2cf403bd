"""Side-by-side timing shared by the benchmarks: interleaved runs, best of each."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def _timed(run: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    result = run()
    elapsed = time.perf_counter() - start
    del result
    return elapsed


def best_times(variants: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """The best of `repeats` timings of each variant, in seconds, runs interleaved."""
    best = dict.fromkeys(variants, float("inf"))
    names = list(variants)
    for r in range(repeats):
        # Interleave, rotating the order so no variant always runs first.
        for name in names[r % len(names) :] + names[: r % len(names)]:
            best[name] = min(best[name], _timed(variants[name]))
    return best
