"""A :class:`~.ratelimit.RateLimiter` whose budget lives in Redis: one budget per (user, operation) for every process.

Same accounting as :class:`~.ratelimit.LocalRateLimiter` (read its docstring),
kept on the Redis side by three Lua scripts, atomic there (their keys,
arguments and answers: :mod:`.redis_scripts`).  Every timestamp comes from the
injected :class:`~.clock.Clock`, so tests can share a fake or accelerated
clock with the emulator; in production the hosts' clocks must agree (NTP)
to well within the safety margin (3 s of a 60 s window).

Waiting, as in the local limiter: callers of one process queue first-in
first-out per key and only the head asks Redis; it sleeps on the clock until
the earliest stamped slot frees (other processes are raced fairly at that
instant), or -- while requests of its own are in flight -- waits to be woken
by their release, up to ``poll_interval`` real seconds (:func:`head_wait`).
No caller polls Redis in a loop.  Requests admitted here are released here: a
process remembers the lease ids it holds per key, so any completion of that
key releases one.

Lost shared state (a Redis restart without persistence, a failover to a
replica that missed writes, keys evicted): every process remembers its own
calls of the last widened window -- completion stamps and leases in flight --
and each admission it asks for first puts back those Redis no longer has
(:mod:`.redis_recovery`).  The local stand-in counts the same calls, so a
fallback starts from them too.  What remains guaranteed: no window ever holds
more than the threshold of *one process's* calls; across processes, the
shared budget is whole again once each process that called in the last
window has asked for one more admission -- until then the calls of a process
that has not asked since (or has exited) are missing, so a window may briefly
hold up to the threshold more per such process.  While processes serve from
their stand-ins (Redis unreachable), each keeps to the threshold alone: ``P``
processes may send up to ``P`` x threshold per window.

With ``fallback="local"`` an unreachable Redis switches to a
:class:`~.ratelimit.LocalRateLimiter` (logged once on
``cliq_channels_client.ratelimit``); throttle locks are always mirrored into
it, so this process honours a lock even if Redis could not record it
(:class:`_StandIn`).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import deque

import anyio
import attrs

from .clock import SYSTEM_CLOCK, Clock
from .errors import BackendUnavailableError, OperationLockedError, RateLimitWaitExceededError
from .operations import RateLimitRule
from .ratelimit import LocalRateLimiter, _Waiter, _WaitQueue
from .redis_backend import BackendSwitch, FallbackMode, RedisBackend
from .redis_recovery import OwnCalls
from .redis_scripts import (
    ADMIT,
    GET_LOCKED,
    LOCK,
    RELEASE,
    BudgetScripts,
    FullBudget,
    Locked,
    SlotKeys,
    parse_admit,
    text,
)

__all__ = ["ADMIT", "LOCK", "RELEASE", "FullBudget", "RedisRateLimiter", "SlotKeys", "earliest_turn"]

_log = logging.getLogger("cliq_channels_client.ratelimit")


def earliest_turn(full: FullBudget, threshold: int, window: float, now: float, position: int) -> tuple[float, bool]:
    """When the caller ``position`` places behind the head could be admitted, at the earliest.

    Lanes as in :class:`~.ratelimit.LocalRateLimiter`: idle ones now, stamped
    ones at stamp + window, in-flight ones no sooner than now + window; past
    the last lane, each admission frees its lane a window later at best.
    Returns the time and whether it is exact (a stamped lane this window).
    """
    occupied = full.stamped + full.flying
    idle = threshold - occupied if occupied < threshold else 0
    frees = sorted([stamp + window for stamp in full.stamps] + [now + window] * full.flying)
    n = position + (occupied - threshold if occupied > threshold else 0)
    cycles = 0
    if n >= idle + len(frees):
        cycles = (n - idle - len(frees)) // threshold + 1
        n -= cycles * threshold
    if n < idle:
        return now + cycles * window, False
    return frees[n - idle] + cycles * window, cycles == 0 and n - idle < len(full.stamps)


def head_wait(
    full: FullBudget, threshold: int, window: float, now: float, *, ours_in_flight: bool, poll: float
) -> _Wait:
    """How the head of this process's queue waits after Redis answered "full".

    While requests of its own are in flight, it waits to be woken by their
    release (up to ``poll`` real seconds), as the local limiter does: they
    complete (and are stamped) before time moves on, which also keeps a
    FakeClock from jumping past them.  Otherwise it sleeps on the clock until
    the earliest stamped slot frees -- or, if no stamp says when (another
    process's requests in flight), looks again after ``poll`` real seconds.
    """
    wake_at, known = earliest_turn(full, threshold, window, now, 0)
    if ours_in_flight:
        return _Wait(wake_at, on_clock=False, timeout=min(poll, max(wake_at - now, 0.001)))
    if not known and wake_at <= now:
        return _Wait(wake_at, on_clock=False, timeout=poll)
    return _Wait(wake_at, on_clock=True, timeout=0.0)


class _KeyState(_WaitQueue):
    """This process's view of one key; guarded by the limiter's lock."""

    __slots__ = ("last", "leases", "own")

    def __init__(self) -> None:
        super().__init__()
        self.leases: deque[str | None] = deque()  # admitted and not released: lease ids (None: by the stand-in)
        self.last: FullBudget | None = None  # Redis's last "full" answer, for the estimates of callers behind the head
        self.own = OwnCalls()  # to restore in Redis if it lost its state (restart, failover)


@attrs.frozen
class _Wait:
    """Sleep on the clock until ``wake_at``, or wait up to ``timeout`` real seconds to be woken."""

    wake_at: float
    on_clock: bool
    timeout: float


@attrs.frozen
class _Caller:
    """One acquire call: its queue entry, and what it refuses."""

    waiter: _Waiter
    operation_id: str
    max_wait: float
    deadline: float  # clock time past which it must not wait

    def check_turn(self, wake_at: float, now: float) -> None:
        """Refuse at once if the earliest turn lies past the deadline."""
        if wake_at > self.deadline:
            raise RateLimitWaitExceededError(
                operation_id=self.operation_id, retry_at=wake_at, retry_after=wake_at - now, max_wait=self.max_wait
            )

    def locked(self, until: float, now: float) -> OperationLockedError:
        return OperationLockedError(operation_id=self.operation_id, retry_at=until, retry_after=until - now)


class _StandIn:
    """The fallback policy: the per-process limiter, whether it serves, and what a lost write costs.

    ``local`` always counts this process's calls and mirrors every lock, so it
    can take over at any moment; ``switch`` says whether Redis is asked.
    """

    __slots__ = ("local", "switch")

    def __init__(self, local: LocalRateLimiter, switch: BackendSwitch) -> None:
        self.local = local
        self.switch = switch

    def release_failed(self, error: BackendUnavailableError) -> None:
        # Never raise here: the request was answered and its response must reach the caller.
        # Its lease in Redis ends by itself, counted as completed then.  With a fallback, the
        # switch's one record says what happened.
        if self.switch.mode == "fail":
            _log.warning(
                "%s; a completed request's slot was not stamped there (its lease ends by itself)",
                error,
                extra={"operation_id": None, "attempt": None},
            )
        self.switch.failed(error, reraise=False)

    def lock_failed(self, error: BackendUnavailableError) -> None:
        _log.warning(
            "%s; the server's lock is kept in this process only",
            error,
            extra={"operation_id": None, "attempt": None},
        )
        self.switch.failed(error, reraise=False)


class RedisRateLimiter:
    """A :class:`~.ratelimit.RateLimiter` shared by every process that uses the same Redis and prefix.

    ``safety_margin`` widens the window as in the local limiter; ``lease``
    (clock seconds) is how long an admitted request may stay in flight before
    its slot is counted as completed at the lease's end (a crashed process's
    slots free ``lease + window`` after admission); ``poll_interval`` (real
    seconds) bounds a wait for a release notification.
    """

    __slots__ = ("_backend", "_clock", "_local", "_lock", "_poll", "_scripts", "_stand_in", "_states", "_switch")

    def __init__(
        self,
        backend: RedisBackend,
        *,
        clock: Clock = SYSTEM_CLOCK,
        safety_margin: float = 0.05,
        lease: float = 120.0,
        poll_interval: float = 0.25,
        fallback: FallbackMode = "fail",
        recheck: float = 30.0,
    ) -> None:
        if safety_margin < 0:
            raise ValueError("safety_margin must be >= 0")
        if lease <= 0 or poll_interval <= 0:
            raise ValueError("lease and poll_interval must be > 0")
        self._backend = backend
        self._clock = clock
        self._scripts = BudgetScripts(prefix=backend.prefix, margin=1.0 + safety_margin, lease=float(lease))
        self._poll = float(poll_interval)
        self._local = LocalRateLimiter(clock=clock, safety_margin=safety_margin, poll_interval=poll_interval)
        self._switch = BackendSwitch(fallback, logger=_log, what="rate limits are", recheck=recheck)
        self._stand_in = _StandIn(self._local, self._switch)
        self._lock = threading.Lock()
        self._states: dict[str, _KeyState] = {}

    def __repr__(self) -> str:
        return f"RedisRateLimiter({self._backend!r}, safety_margin={self._scripts.margin - 1.0:.3g})"

    @property
    def on_local(self) -> bool:
        """Serving from the per-process stand-in (Redis unreachable, ``fallback="local"``)."""
        return self._switch.on_local

    def keys(self, key: str) -> SlotKeys:
        return self._scripts.keys(key)

    def locked_until(self, key: str) -> float | None:
        """Clock time at which the server's lock on ``key`` ends, or ``None`` (not in the protocol)."""
        now = self._clock.now()
        until = self._local.locked_until(key) or 0.0
        if not self._switch.on_local:
            try:
                raw = self._backend.run(GET_LOCKED, [self.keys(key).locked])
            except BackendUnavailableError:
                raw = None
            if raw is not None:
                until = max(until, float(text(raw)))
        return until if until > now else None

    # -- sync ----------------------------------------------------------------------------------

    def acquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        clock = self._clock
        waiter = _Waiter(self._lock)
        with self._lock:
            caller = self._join(key, rule, waiter, operation_id, max_wait)
            state = self._states[key]
        try:
            stalled = False
            while True:
                now = clock.now()
                with self._lock:
                    if not self._heads(state, key, caller, now):
                        waiter.wait(None)  # parked until it heads the queue: no polling
                        continue
                if not self._switch.use_backend():
                    self._leave_for_local(state, waiter)
                    self._local.acquire(key, rule, operation_id=operation_id, max_wait=max(caller.deadline - now, 0.0))
                    self._admitted_locally(state)
                    return
                lease = secrets.token_hex(8)
                try:
                    raw = self._backend.run(ADMIT, *self._admit_args(key, rule, now, lease))
                except BackendUnavailableError as error:
                    self._switch.failed(error)  # raises, unless falling back
                    continue
                self._switch.recovered()
                now = clock.now()
                with self._lock:
                    wait = self._answered(state, key, rule, caller, parse_admit(raw), lease, now, stalled)
                    if wait is None:
                        return
                    if not wait.on_clock:
                        stalled = not waiter.wait(wait.timeout)
                        continue
                clock.sleep(wait.wake_at - clock.now())
        finally:
            with self._lock:
                state.leave(waiter)

    def release(self, key: str, rule: RateLimitRule) -> None:
        lease, now = self._pop_lease(key, rule)
        if lease is not None:
            self._local.release(key, rule)
        if lease and not self._switch.on_local:
            try:
                self._backend.run(RELEASE, *self._scripts.release(key, rule, now, lease))
            except BackendUnavailableError as error:
                self._stand_in.release_failed(error)

    def lock(self, key: str, until: float) -> None:
        self._lock_here(key, until)
        if self._switch.use_backend():
            try:
                self._backend.run(LOCK, *self._scripts.lock(key, until, self._clock.now()))
            except BackendUnavailableError as error:
                self._stand_in.lock_failed(error)
            else:
                self._switch.recovered()

    # -- async ---------------------------------------------------------------------------------

    async def aacquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        clock = self._clock
        waiter = _Waiter(None)
        with self._lock:
            caller = self._join(key, rule, waiter, operation_id, max_wait)
            state = self._states[key]
        try:
            stalled = False
            while True:
                now = clock.now()
                with self._lock:
                    head = self._heads(state, key, caller, now)
                if not head:
                    await waiter.await_wake(self._lock, None)  # parked until it heads the queue: no polling
                    continue
                if not self._switch.use_backend():
                    self._leave_for_local(state, waiter)
                    await self._local.aacquire(
                        key, rule, operation_id=operation_id, max_wait=max(caller.deadline - now, 0.0)
                    )
                    self._admitted_locally(state)
                    return
                lease = secrets.token_hex(8)
                try:
                    with anyio.CancelScope(shield=True):  # an admission made is an admission recorded
                        raw = await self._backend.arun(ADMIT, *self._admit_args(key, rule, now, lease))
                except BackendUnavailableError as error:
                    self._switch.failed(error)
                    continue
                self._switch.recovered()
                now = clock.now()
                with self._lock:
                    wait = self._answered(state, key, rule, caller, parse_admit(raw), lease, now, stalled)
                    if wait is None:
                        return
                if wait.on_clock:
                    await clock.asleep(wait.wake_at - clock.now())
                else:
                    stalled = not await waiter.await_wake(self._lock, wait.timeout)
        finally:
            with self._lock:
                state.leave(waiter)

    async def arelease(self, key: str, rule: RateLimitRule) -> None:
        lease, now = self._pop_lease(key, rule)
        if lease is not None:
            self._local.release(key, rule)
        if lease and not self._switch.on_local:
            try:
                with anyio.CancelScope(shield=True):  # runs in ``finally`` after cancellation too
                    await self._backend.arun(RELEASE, *self._scripts.release(key, rule, now, lease))
            except BackendUnavailableError as error:
                self._stand_in.release_failed(error)

    async def alock(self, key: str, until: float) -> None:
        self._lock_here(key, until)
        if self._switch.use_backend():
            try:
                with anyio.CancelScope(shield=True):
                    await self._backend.arun(LOCK, *self._scripts.lock(key, until, self._clock.now()))
            except BackendUnavailableError as error:
                self._stand_in.lock_failed(error)
            else:
                self._switch.recovered()

    # -- decisions (lock held, no I/O) -------------------------------------------------------------

    def _join(self, key: str, rule: RateLimitRule, waiter: _Waiter, operation_id: str, max_wait: float) -> _Caller:
        """Queue a caller, or refuse it at once if its earliest turn lies past ``max_wait``."""
        now = self._clock.now()
        state = self._state(key)
        caller = _Caller(waiter, operation_id, max_wait, deadline=now + max_wait)
        if state.waiting and state.last is not None:
            window = rule.window * self._scripts.margin
            caller.check_turn(earliest_turn(state.last, rule.threshold, window, now, state.waiting)[0], now)
        state.join(waiter)
        return caller

    def _heads(self, state: _KeyState, key: str, caller: _Caller, now: float) -> bool:
        """Whether the caller heads the queue (and may ask Redis); raise if this process knows of a lock."""
        locked = self._local.locked_until(key)
        if locked is not None:
            raise caller.locked(locked, now)
        return state.heads(caller.waiter)

    def _answered(
        self,
        state: _KeyState,
        key: str,
        rule: RateLimitRule,
        caller: _Caller,
        reply: FullBudget | Locked | None,
        lease: str,
        now: float,
        stalled: bool,
    ) -> _Wait | None:
        """The head's next step after Redis answered: admitted (``None``), refused (raise), or how to wait."""
        if reply is None:
            state.leases.append(lease)
            state.own.admitted(lease, now + self._scripts.lease)
            self._local.admitted_elsewhere(key)  # the stand-in counts this process's calls too
            state.last = None
            state.leave(caller.waiter)  # the next in line may fit too
            return None
        if isinstance(reply, Locked):
            self._local.lock(key, reply.until)
            raise caller.locked(reply.until, now)
        state.last = reply
        window = rule.window * self._scripts.margin
        wait = head_wait(
            reply, rule.threshold, window, now, ours_in_flight=bool(state.leases) and not stalled, poll=self._poll
        )
        caller.check_turn(wait.wake_at, now)
        return wait

    # -- bookkeeping -------------------------------------------------------------------------------

    def _state(self, key: str) -> _KeyState:
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = _KeyState()
        return state

    def _admit_args(self, key: str, rule: RateLimitRule, now: float, lease: str) -> tuple[list[str], list[str | int]]:
        """ADMIT's keys and arguments, with this process's own recent calls to restore."""
        with self._lock:
            state = self._states.get(key)
            restore = [] if state is None else state.own.restore_args(self._scripts.horizon(rule, now))
        return self._scripts.admit(key, rule, now, lease, restore)

    def _pop_lease(self, key: str, rule: RateLimitRule) -> tuple[str | None, float]:
        """The lease a completion releases, and the time.

        The lease is an id, ``""`` (admitted by the stand-in) or ``None`` (none held).
        The completion is remembered as one of this process's own calls (:mod:`.redis_recovery`).
        """
        now = self._clock.now()
        with self._lock:
            state = self._states.get(key)
            if state is None or not state.leases:
                return None, now
            lease = state.leases.popleft()
            state.own.completed(lease, now, self._scripts.horizon(rule, now))
            state.wake_head()
            return ("" if lease is None else lease), now

    def _lock_here(self, key: str, until: float) -> None:
        """Mirror a lock into the stand-in and wake this process's head, so it sees the lock at once."""
        self._local.lock(key, until)
        with self._lock:
            if key in self._states:
                self._states[key].wake_head()

    def _admitted_locally(self, state: _KeyState) -> None:
        with self._lock:
            state.leases.append(None)

    def _leave_for_local(self, state: _KeyState, waiter: _Waiter) -> None:
        with self._lock:
            state.leave(waiter)
