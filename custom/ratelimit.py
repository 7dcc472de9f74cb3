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

import threading
from bisect import insort
from collections import deque
from typing import Protocol, runtime_checkable

import anyio

from .clock import SYSTEM_CLOCK, Clock
from .errors import OperationLockedError, RateLimitWaitExceededError
from .operations import RateLimitRule

__all__ = ["LocalRateLimiter", "RateLimiter", "UnlimitedRateLimiter"]


@runtime_checkable
class RateLimiter(Protocol):
    """Admission control per key (``"<user fingerprint>:<operation_id>"``)."""

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


class _WaitQueue:
    """This process's callers waiting on one key; guarded by the limiter's lock.

    Shared by this module's limiter and the Redis one (``redis_limiter.py``),
    which queue and wake their callers the same way: threads wait on the
    limiter's condition, async tasks park on an ``anyio.Event`` of their own.
    """

    __slots__ = ("events", "queue")

    def __init__(self) -> None:
        self.queue: deque[object] = deque()  # FIFO tickets of waiting callers
        self.events: list[tuple[int, anyio.Event]] = []  # parked async waiters, with their thread

    def leave(self, ticket: object, cond: threading.Condition) -> None:
        """Drop a caller from the queue (refused, cancelled, or admitted by Redis) and wake the next."""
        try:
            self.queue.remove(ticket)
        except ValueError:
            return
        if self.queue:
            self.notify(cond)

    def notify(self, cond: threading.Condition) -> None:
        cond.notify_all()
        if self.events:
            me = threading.get_ident()
            for owner, event in self.events:
                if owner == me:  # anyio events are not thread-safe; other threads' waiters poll
                    event.set()


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

    __slots__ = ("_clock", "_cond", "_lock", "_margin", "_poll", "_states")

    def __init__(self, *, clock: Clock = SYSTEM_CLOCK, safety_margin: float = 0.05, poll_interval: float = 0.5) -> None:
        if safety_margin < 0:
            raise ValueError("safety_margin must be >= 0")
        if poll_interval <= 0:
            raise ValueError("poll_interval must be > 0")
        self._clock = clock
        self._margin = 1.0 + safety_margin
        self._poll = poll_interval
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
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
        with self._lock:  # the condition's own lock
            now = clock.now()
            state = self._states.get(key) or self._state(key)
            if self._fast_admit(state, rule, now):
                return
            deadline = now + max_wait
            if not state.queue and self._admit(state, rule, now, None, operation_id, deadline, max_wait) is None:
                return
            ticket = object()
            state.queue.append(ticket)
            try:
                stalled = False
                while True:
                    wait = self._admit(state, rule, now, ticket, operation_id, deadline, max_wait, stalled)
                    if wait is None:
                        return
                    if wait.on_clock:
                        self._cond.release()
                        try:
                            clock.sleep(wait.wake_at - clock.now())
                        finally:
                            self._cond.acquire()
                    else:
                        stalled = not self._cond.wait(wait.timeout)
                    now = clock.now()
            finally:
                state.leave(ticket, self._cond)

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
            if state.queue:
                state.notify(self._cond)

    def lock(self, key: str, until: float) -> None:
        with self._lock:
            state = self._state(key)
            if until > state.locked_until:
                state.locked_until = until
            if state.queue:
                state.notify(self._cond)

    # -- async ---------------------------------------------------------------------------------

    async def aacquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        clock = self._clock
        with self._lock:
            now = clock.now()
            state = self._states.get(key) or self._state(key)
            if self._fast_admit(state, rule, now):
                return
            deadline = now + max_wait
            if not state.queue and self._admit(state, rule, now, None, operation_id, deadline, max_wait) is None:
                return
            ticket = object()
            state.queue.append(ticket)
        try:
            stalled = False
            while True:
                with self._lock:
                    wait = self._admit(state, rule, clock.now(), ticket, operation_id, deadline, max_wait, stalled)
                    if wait is None:
                        return
                    if not wait.on_clock:
                        parked = (threading.get_ident(), anyio.Event())
                        state.events.append(parked)
                if wait.on_clock:
                    await clock.asleep(wait.wake_at - clock.now())
                    continue
                try:
                    with anyio.move_on_after(wait.timeout) as scope:
                        await parked[1].wait()
                    stalled = scope.cancelled_caught
                finally:
                    with self._lock:
                        if parked in state.events:
                            state.events.remove(parked)
        finally:
            with self._lock:
                state.leave(ticket, self._cond)

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
        ticket: object | None,
        operation_id: str,
        deadline: float,
        max_wait: float,
        stalled: bool = False,
    ) -> _Wait | None:
        """Take a slot for the caller (``None``), or say until when it must wait; raise if it must not."""
        if state.locked_until > now:
            raise OperationLockedError(
                operation_id=operation_id, retry_at=state.locked_until, retry_after=state.locked_until - now
            )
        window = rule.window * self._margin
        slots = state.slots
        horizon = now - window
        if slots and slots[0] <= horizon:
            drop = 1
            while drop < len(slots) and slots[drop] <= horizon:
                drop += 1
            del slots[:drop]
        position = 0 if ticket is None else state.queue.index(ticket)
        occupied = len(slots) + state.in_flight
        if position == 0 and occupied < rule.threshold:
            state.in_flight += 1
            if ticket is not None:
                state.queue.popleft()
                if state.queue:
                    state.notify(self._cond)  # the next in line may fit too
            return None
        # Lanes: the threshold's worth of slots, each with the earliest time it can
        # admit someone: idle ones now, stamped ones at stamp + window, in-flight ones
        # no sooner than now + window.  The caller gets lane ``surplus + position``;
        # past the last lane, each admission ahead frees its lane a window later at best.
        idle = rule.threshold - occupied if occupied < rule.threshold else 0
        frees = sorted([stamp + window for stamp in slots])
        frees.extend([now + window] * state.in_flight)
        n = position + (occupied - rule.threshold if occupied > rule.threshold else 0)
        cycles = 0
        while n >= idle + len(frees):
            n -= rule.threshold
            cycles += 1
        if n < idle:
            wake_at, known = now + cycles * window, False  # capacity exists, but callers ahead go first
        else:
            wake_at, known = frees[n - idle] + cycles * window, cycles == 0 and n - idle < len(slots)
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
    measure something other than Zoho's 20 calls a minute.  Server throttles
    still raise :class:`~.errors.ThrottledError`; the lock is not remembered.
    """

    __slots__ = ()

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
