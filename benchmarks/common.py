"""What every benchmark shares: result rows, robust statistics, interleaved timing, a limiter that never waits.

Timings on a small shared machine are noisy, so contenders are never timed
one after the other: :func:`interleave` alternates them call by call (order
rotated every round) and the statistics are medians and 95th percentiles,
never means.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "BenchResult",
    "Row",
    "Samples",
    "interleave",
    "interleave_sync",
    "micros",
    "percentile",
]


@dataclass(frozen=True)
class Row:
    """One line of the results table; ``met`` is ``None`` when there is no goal."""

    metric: str
    measured: str
    goal: str = "report"
    met: bool | None = None

    @property
    def verdict(self) -> str:
        return "-" if self.met is None else ("yes" if self.met else "NO")


@dataclass
class BenchResult:
    """What one benchmark measured: table rows, its one-line ratio, and the details behind them."""

    name: str
    title: str
    ratio: str = ""
    rows: list[Row] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` in 0..1) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Samples:
    """Per-call durations (seconds) of one contender."""

    wall: tuple[float, ...]
    cpu: tuple[float, ...] = ()

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def p95(self) -> float:
        return percentile(self.wall, 0.95)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else math.nan


def micros(seconds: float) -> str:
    """``1234.5 us`` style, for durations that range from microseconds to milliseconds."""
    return f"{seconds * 1e6:,.1f} us"


async def interleave(
    contenders: Mapping[str, Callable[[], Awaitable[object]]], *, rounds: int, warmup: int
) -> dict[str, Samples]:
    """Time each contender once per round, rotating the order every round so none always goes first.

    Besides wall time, the calling thread's CPU time is sampled: the loopback
    server runs in another thread, so this is the client's own cost.
    """
    names = list(contenders)
    for _ in range(warmup):
        for name in names:
            await contenders[name]()
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    perf, thread_time = time.perf_counter, time.thread_time
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            call = contenders[name]
            started_cpu, started = thread_time(), perf()
            await call()
            wall[name].append(perf() - started)
            cpu[name].append(thread_time() - started_cpu)
    return {name: Samples(tuple(wall[name]), tuple(cpu[name])) for name in names}


def interleave_sync(contenders: Mapping[str, Callable[[], object]], *, rounds: int, warmup: int) -> dict[str, Samples]:
    """:func:`interleave` for in-process work (no event loop, wall time only)."""
    names = list(contenders)
    for _ in range(warmup):
        for name in names:
            contenders[name]()
    wall: dict[str, list[float]] = {name: [] for name in names}
    perf = time.perf_counter
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            call = contenders[name]
            started = perf()
            call()
            wall[name].append(perf() - started)
    return {name: Samples(tuple(wall[name])) for name in names}
