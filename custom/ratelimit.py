"""Proactive pacing per (user, operation), so a bulk job never trips Zoho's 10-minute lock.

Zoho counts calls per user and operation on *arrival* in a rolling window
(20 per 60 s) and locks the operation for 10 minutes when the count is
exceeded.  The client cannot see arrival times, so it accounts conservatively:

* a request occupies a slot from the moment it is admitted (*in flight*)
  until it completes; on completion the slot is stamped with the completion
  time, which is never earlier than the arrival the server counted;
* a slot frees ``window * (1 + safety_margin)`` seconds after that stamp;
* a request is admitted only while ``stamped slots + in flight < threshold``.

So at any arrival instant at most ``threshold - 1`` earlier requests lie in
the server's window.  Waiters queue first-in first-out; the head sleeps on the
:class:`~.clock.Clock` until the next stamped slot frees, the others wait to be
woken.  A waiter whose earliest possible turn (a lower bound, counting the
waiters ahead of it) lies beyond ``max_wait`` gets
:class:`RateLimitWaitExceededError` at once; a key locked by the server gets
:class:`OperationLockedError`.  Neither sends anything.

Shape after githubkit's throttler: a small protocol with sync and async twins,
so a shared (Redis) limiter can replace :class:`LocalRateLimiter`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from bisect import bisect_right, insort
from collections import deque
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import anyio

from .clock import SYSTEM_CLOCK, Clock
from .errors import OperationLockedError, RateLimitWaitExceededError
from .operations import RateLimitRule

__all__ = ["LocalRateLimiter", "RateLimiter", "UnlimitedRateLimiter"]


@runtime_checkable
class RateLimiter(Protocol):
    """Admission control per key (``"<user fingerprint>:<operation_id>"``).

    A limiter may set ``paces = False`` (as :class:`UnlimitedRateLimiter` does)
    to say it admits everything and keeps no lock: the transport then skips
    ``acquire``/``release`` altogether.
    """

    def acquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        """Block until a slot is free; raise if locked or if the wait would exceed ``max_wait``."""
        ...

    def release(self, key: str, rule: RateLimitRule) -> None:
        """The admitted request completed now: stamp its slot with the current time."""
        ...

    def lock(self, key: str, until: float) -> None:
        """The server throttled: refuse ``key`` until clock time ``until``."""
        ...

    async def aacquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        """:meth:`acquire` for async code; waits without blocking the event loop."""
        ...

    async def arelease(self, key: str, rule: RateLimitRule) -> None:
        """:meth:`release` for async code; must not checkpoint (it runs in ``finally`` after cancellation)."""
        ...

    async def alock(self, key: str, until: float) -> None:
        """:meth:`lock` for async code."""
        ...


def _thread_safe_caller() -> Callable[[Callable[[], object]], object]:
    """How another thread schedules a call in the running event loop: asyncio's, or else trio's."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no asyncio loop: anyio runs on trio
        import trio

        return trio.lowlevel.current_trio_token().run_sync_soon
    return loop.call_soon_threadsafe


class _Waiter:
    """One queued caller, and how to wake it from any thread.

    A thread waits on a condition of its own (over the limiter's lock), so a
    wake-up reaches exactly one thread; an async task parks on an
    ``anyio.Event`` that another thread sets through the task's event loop
    (``call_soon_threadsafe`` / trio's ``run_sync_soon``), so nobody polls.
    ``woken`` remembers a wake-up that came while the caller was busy.
    """

    __slots__ = ("_call_soon", "_cond", "_event", "_owner", "gone", "woken")

    def __init__(self, lock: threading.Lock | None) -> None:
        self._cond = None if lock is None else threading.Condition(lock)
        self._event: anyio.Event | None = None
        self._owner = threading.get_ident()
        self._call_soon: Callable[[Callable[[], object]], object] | None = None
        if lock is None:
            self._call_soon = _thread_safe_caller()
        self.gone = False
        self.woken = False

    def wake(self) -> None:
        """Lock held."""
        self.woken = True
        if self._cond is not None:
            self._cond.notify()
            return
        event = self._event
        if event is None:
            return
        if threading.get_ident() == self._owner:
            event.set()
        else:
            assert self._call_soon is not None
            with contextlib.suppress(RuntimeError):  # its event loop has closed: nobody waits any more
                self._call_soon(event.set)

    def wait(self, timeout: float | None) -> bool:
        """A thread's wait, lock held; whether it was woken (rather than timed out)."""
        assert self._cond is not None
        if not self.woken:
            self._cond.wait(timeout)
        woken, self.woken = self.woken, False
        return woken

    async def await_wake(self, lock: threading.Lock, patience: float | None) -> bool:
        """A task's wait, lock not held; whether it was woken (rather than timed out)."""
        with lock:
            if self.woken:
                self.woken = False
                return True
            event = self._event = anyio.Event()
        try:
            with anyio.move_on_after(patience):
                await event.wait()
        finally:
            with lock:
                self._event = None
                woken, self.woken = self.woken, False
        return woken


class _WaitQueue:
    """This process's callers waiting on one key, first in first out; guarded by the limiter's lock.

    Shared by this module's limiter and the Redis one (``redis_limiter.py``).
    Only the head of the queue is ever woken, so the cost of an admission does
    not grow with the number of waiters: a caller that leaves from the middle
    (refused or cancelled) is only marked and skipped when it reaches the head.
    """

    __slots__ = ("queue", "waiting")

    def __init__(self) -> None:
        self.queue: deque[_Waiter] = deque()
        self.waiting = 0  # callers in the queue that have not left

    def join(self, waiter: _Waiter) -> None:
        self.queue.append(waiter)
        self.waiting += 1

    def heads(self, waiter: _Waiter) -> bool:
        return self.queue[0] is waiter

    def leave(self, waiter: _Waiter) -> None:
        """Drop a caller (admitted, refused or cancelled); if it was the head, wake the next."""
        if waiter.gone:
            return
        waiter.gone = True
        self.waiting -= 1
        queue = self.queue
        if queue[0] is waiter:
            queue.popleft()
            while queue and queue[0].gone:
                queue.popleft()
            if queue:
                queue[0].wake()

    def wake_head(self) -> None:
        if self.queue:
            self.queue[0].wake()


class _KeyState(_WaitQueue):
    """Mutable bookkeeping of one key; guarded by the limiter's lock."""

    __slots__ = ("in_flight", "locked_until", "slots")

    def __init__(self) -> None:
        super().__init__()
        self.slots: list[float] = []  # completion stamps, ascending
        self.in_flight = 0
        self.locked_until = 0.0


class _Wait:
    """Why a caller could not be admitted yet, and how to wait.

    ``on_clock``: sleep on the clock until ``wake_at`` (the head of the queue,
    waiting for a stamped slot, with nothing in flight).  Otherwise wait up to
    ``timeout`` real seconds to be woken by a release, admission or lock.
    """

    __slots__ = ("on_clock", "timeout", "wake_at")

    def __init__(self, wake_at: float, on_clock: bool, timeout: float) -> None:
        self.wake_at = wake_at
        self.on_clock = on_clock
        self.timeout = timeout


class LocalRateLimiter:
    """In-process :class:`RateLimiter`; one instance may serve sync threads and async tasks together.

    ``safety_margin`` is a fraction of the window added to it (0.05: a 60 s
    window is kept as 63 s), covering the server's clock granularity; the
    throughput cost is the same 5 %.  ``poll_interval`` (real seconds) bounds
    how long a waiter parked for a notification sleeps before looking again,
    the safety net for releases made from another thread's event loop.

    The state lock is a ``threading.Lock`` held for microseconds and never
    across an ``await``; async waiters park on ``anyio`` events created
    lazily in their own task, so asyncio and trio both work.
    """

    __slots__ = ("_clock", "_lock", "_margin", "_poll", "_states")

    def __init__(self, *, clock: Clock = SYSTEM_CLOCK, safety_margin: float = 0.05, poll_interval: float = 0.5) -> None:
        if safety_margin < 0:
            raise ValueError("safety_margin must be >= 0")
        if poll_interval <= 0:
            raise ValueError("poll_interval must be > 0")
        self._clock = clock
        self._margin = 1.0 + safety_margin
        self._poll = poll_interval
        self._lock = threading.Lock()
        self._states: dict[str, _KeyState] = {}

    def __repr__(self) -> str:
        return f"LocalRateLimiter(clock={self._clock!r}, safety_margin={self._margin - 1.0:.3g})"

    def locked_until(self, key: str) -> float | None:
        """Clock time at which the server's lock on ``key`` ends, or ``None`` (not in the protocol)."""
        with self._lock:
            state = self._states.get(key)
            if state is None or state.locked_until <= self._clock.now():
                return None
            return state.locked_until

    # -- sync ----------------------------------------------------------------------------------

    def acquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        clock = self._clock
        with self._lock:
            now = clock.now()
            state = self._states.get(key) or self._state(key)
            if self._fast_admit(state, rule, now):
                return
            deadline = now + max_wait
            if self._admit(state, rule, now, state.waiting, operation_id, deadline, max_wait) is None:
                return
            waiter = _Waiter(self._lock)
            state.join(waiter)
            try:
                stalled = False
                while True:
                    if not state.heads(waiter):
                        waiter.wait(None)  # parked until it heads the queue: no polling
                        now = clock.now()
                        continue
                    wait = self._admit(state, rule, now, 0, operation_id, deadline, max_wait, stalled, waiter)
                    if wait is None:
                        return
                    if wait.on_clock:
                        self._lock.release()
                        try:
                            clock.sleep(wait.wake_at - clock.now())
                        finally:
                            self._lock.acquire()
                    else:
                        stalled = not waiter.wait(wait.timeout)
                    now = clock.now()
            finally:
                state.leave(waiter)

    def release(self, key: str, rule: RateLimitRule) -> None:
        with self._lock:
            state = self._states.get(key)
            if state is None:
                return
            if state.in_flight > 0:
                state.in_flight -= 1
            now = self._clock.now()
            slots = state.slots
            if not slots or now >= slots[-1]:
                slots.append(now)
            else:  # the wall clock stepped back: keep the stamps sorted
                insort(slots, now)
            state.wake_head()

    def admitted_elsewhere(self, key: str) -> None:
        """Count a request admitted by another limiter (the shared one this one stands in for) as in flight.

        Its :meth:`release` stamps it here as well, so that if this limiter takes
        over, the process's own recent calls already fill their slots.
        """
        with self._lock:
            self._state(key).in_flight += 1

    def lock(self, key: str, until: float) -> None:
        with self._lock:
            state = self._state(key)
            if until > state.locked_until:
                state.locked_until = until
            state.wake_head()

    # -- async ---------------------------------------------------------------------------------

    async def aacquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        clock = self._clock
        with self._lock:
            now = clock.now()
            state = self._states.get(key) or self._state(key)
            if self._fast_admit(state, rule, now):
                return
            deadline = now + max_wait
            if self._admit(state, rule, now, state.waiting, operation_id, deadline, max_wait) is None:
                return
        waiter = _Waiter(None)
        with self._lock:
            state.join(waiter)
        try:
            stalled = False
            while True:
                with self._lock:
                    wait: _Wait | None = None
                    if state.heads(waiter):
                        now = clock.now()
                        wait = self._admit(state, rule, now, 0, operation_id, deadline, max_wait, stalled, waiter)
                        if wait is None:
                            return
                if wait is None:
                    await waiter.await_wake(self._lock, None)  # parked until it heads the queue: no polling
                elif wait.on_clock:
                    await clock.asleep(wait.wake_at - clock.now())
                else:
                    stalled = not await waiter.await_wake(self._lock, wait.timeout)
        finally:
            with self._lock:
                state.leave(waiter)

    async def arelease(self, key: str, rule: RateLimitRule) -> None:
        self.release(key, rule)

    async def alock(self, key: str, until: float) -> None:
        self.lock(key, until)

    # -- bookkeeping (lock held) -----------------------------------------------------------------

    def _state(self, key: str) -> _KeyState:
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = _KeyState()
        return state

    def _fast_admit(self, state: _KeyState, rule: RateLimitRule, now: float) -> bool:
        """The common case, kept cheap: nobody waiting, not locked, and a slot free."""
        if state.queue or state.locked_until > now:
            return False
        slots = state.slots
        if len(slots) + state.in_flight >= rule.threshold:
            # Steady pace: usually exactly the oldest stamp has expired.
            if not slots or slots[0] > now - rule.window * self._margin:
                return False
            del slots[0]
            if len(slots) + state.in_flight >= rule.threshold:
                return False
        state.in_flight += 1
        return True

    def _admit(
        self,
        state: _KeyState,
        rule: RateLimitRule,
        now: float,
        position: int,
        operation_id: str,
        deadline: float,
        max_wait: float,
        stalled: bool = False,
        waiter: _Waiter | None = None,
    ) -> _Wait | None:
        """Take a slot for the caller ``position`` places behind the head (``None``), or say until when it must wait.

        Raises if it must not wait.  Only the head (``position`` 0) is admitted;
        ``waiter``, the head's queue entry if it has one, leaves the queue then.
        """
        if state.locked_until > now:
            raise OperationLockedError(
                operation_id=operation_id, retry_at=state.locked_until, retry_after=state.locked_until - now
            )
        window = rule.window * self._margin
        slots = state.slots
        horizon = now - window
        if slots and slots[0] <= horizon:
            del slots[: bisect_right(slots, horizon)]
        occupied = len(slots) + state.in_flight
        threshold = rule.threshold
        if position == 0 and occupied < threshold:
            state.in_flight += 1
            if waiter is not None:
                state.leave(waiter)  # and wake the next in line: it may fit too
            return None
        # Lanes: the threshold's worth of slots, each with the earliest time it can
        # admit someone: idle ones now, stamped ones at stamp + window, in-flight ones
        # no sooner than now + window.  The caller gets lane ``surplus + position``;
        # past the last lane, each admission ahead frees its lane a window later at best.
        idle = threshold - occupied if occupied < threshold else 0
        n = position + (occupied - threshold if occupied > threshold else 0)
        cycles = 0
        if n >= idle + occupied:
            cycles = (n - idle - occupied) // threshold + 1
            n -= cycles * threshold
        if n < idle:
            wake_at, known = now + cycles * window, False  # capacity exists, but callers ahead go first
        elif n - idle < len(slots):
            wake_at, known = slots[n - idle] + (cycles + 1) * window, cycles == 0
        else:
            wake_at, known = now + (cycles + 1) * window, False
        if wake_at > deadline:
            raise RateLimitWaitExceededError(
                operation_id=operation_id, retry_at=wake_at, retry_after=wake_at - now, max_wait=max_wait
            )
        if not known or position:
            return _Wait(wake_at, on_clock=False, timeout=self._poll)
        if state.in_flight and not stalled:
            # Let the calls in flight complete (and be stamped) before time moves on:
            # the same in real time, and it keeps a FakeClock from jumping past them.
            # If none completes within the timeout (``stalled``), sleep on the clock.
            return _Wait(wake_at, on_clock=False, timeout=min(self._poll, wake_at - now))
        return _Wait(wake_at, on_clock=True, timeout=0.0)


class UnlimitedRateLimiter:
    """Admits every request at once: pacing turned off.

    For callers that pace themselves, and for benchmarks or tests that
    measure something other than Zoho's per-operation limits.  Server throttles
    still raise :class:`~.errors.ThrottledError`; the lock is not remembered.
    """

    __slots__ = ()

    #: Read by :class:`~.transport.CliqTransport`: a limiter that admits everything and
    #: remembers nothing is never asked for a slot (the call flow yields no slot effects).
    paces = False

    def acquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        return None

    def release(self, key: str, rule: RateLimitRule) -> None:
        return None

    def lock(self, key: str, until: float) -> None:
        return None

    async def aacquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        return None

    async def arelease(self, key: str, rule: RateLimitRule) -> None:
        return None

    async def alock(self, key: str, until: float) -> None:
        return None

    def __repr__(self) -> str:
        return "UnlimitedRateLimiter()"
