"""Time as an injectable dependency, so tests can run ten-minute locks in milliseconds.

Every component that waits or timestamps (token expiry, the rate limiter,
retry back-off, the emulator) takes a :class:`Clock`.  Production uses
:data:`SYSTEM_CLOCK`; tests share one :class:`FakeClock` between the client and
the emulator, so an hour of rate-limited work passes instantly and identically
on both sides.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable

import anyio
import anyio.lowlevel

__all__ = ["SYSTEM_CLOCK", "Clock", "FakeClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Wall-clock seconds since the epoch, and the two ways to wait for them."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    async def asleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock: ``time.time`` and real sleeps (anyio's in async code)."""

    __slots__ = ()

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        await anyio.sleep(max(seconds, 0.0))

    def __repr__(self) -> str:
        return "SystemClock()"


SYSTEM_CLOCK = SystemClock()


class FakeClock:
    """A clock that only moves when someone sleeps on it or calls :meth:`advance`; it starts at the real time.

    A sleep of ``d`` seconds started at time ``t`` moves the clock to
    ``max(now, t + d)``: concurrent sleepers that wake at the same instant do not
    add their waits together, so concurrent work keeps its real pace in fake time.
    Async sleeps also yield to the event loop once, so other tasks run.
    """

    __slots__ = ("_lock", "_now")

    def __init__(self, start: float | None = None) -> None:
        # Default: the real time at creation, so "now"-relative data (date filters, expiries) lines up
        # with what an application computes from datetime.now(); pass ``start`` for a fixed, repeatable time.
        self._now = time.time() if start is None else float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (never backwards)."""
        with self._lock:
            self._now += max(seconds, 0.0)

    def set(self, timestamp: float) -> None:
        """Jump to ``timestamp`` if it lies ahead."""
        with self._lock:
            self._now = max(self._now, timestamp)

    def sleep(self, seconds: float) -> None:
        self.set(self._now + max(seconds, 0.0))

    async def asleep(self, seconds: float) -> None:
        wake_at = self._now + max(seconds, 0.0)
        await anyio.lowlevel.checkpoint()
        self.set(wake_at)

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now!r})"
