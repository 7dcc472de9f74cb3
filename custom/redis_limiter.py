"""A :class:`~.ratelimit.RateLimiter` whose budget lives in Redis: one budget per (user, operation) for every process.

Same accounting as :class:`~.ratelimit.LocalRateLimiter` (read its docstring),
kept on the Redis side by three Lua scripts, atomic there, under
``<prefix>rl:<key>:`` (the key is ``<user fingerprint>:<operation_id>``):

* ``slots`` -- sorted set: lease id -> completion stamp (clock time);
* ``flying`` -- sorted set: lease id -> lease deadline, the requests in flight;
* ``locked`` -- clock time until which the server locked the operation.

:data:`ADMIT` drops stamps older than the widened window, turns leases past
their deadline into stamps *at* the deadline (a crashed process's request may
have arrived until then, so its slot stays taken a window longer, never
less), then admits the caller if ``stamps + in flight < threshold`` -- or
answers ``locked`` or ``full`` with what it needs to compute the wait.
:data:`RELEASE` moves the lease to a stamp at completion time; :data:`LOCK`
raises the shared marker, so a throttle seen by one process stops all.

Every timestamp comes from the injected :class:`~.clock.Clock` (passed into
the scripts, never Redis ``TIME``), so tests can share a fake or accelerated
clock with the emulator; in production the hosts' clocks must agree (NTP)
to well within the safety margin (3 s of a 60 s window).  Key expiries are
only for clean-up.

Waiting, as in the local limiter: callers of one process queue first-in
first-out per key and only the head asks Redis; it sleeps on the clock until
the earliest stamped slot frees (other processes are raced fairly at that
instant), or -- while requests of its own are in flight -- waits to be woken
by their release, up to ``poll_interval`` real seconds.  No caller polls Redis
in a loop.  Requests admitted here are released here: a process remembers the
lease ids it holds per key, so any completion of that key releases one.

Lost shared state (a Redis restart without persistence, a failover to a
replica that missed writes, keys evicted): every process remembers its own
calls of the last widened window -- completion stamps and leases in flight --
and each admission it asks for first puts back those Redis no longer has
(``ZADD NX``: nothing is counted twice).  The local stand-in counts the same
calls, so a fallback starts from them too.  What remains guaranteed: no
window ever holds more than the threshold of *one process's* calls; across
processes, the shared budget is whole again once each process that called in
the last window has asked for one more admission -- until then the calls of a
process that has not asked since (or has exited) are missing, so a window
may briefly hold up to the threshold more per such process.  While processes
serve from their stand-ins (Redis unreachable), each keeps to the threshold
alone: ``P`` processes may send up to ``P`` x threshold per window.

With ``fallback="local"`` an unreachable Redis switches to a
:class:`~.ratelimit.LocalRateLimiter` (logged once on
``cliq_channels_client.ratelimit``); throttle locks are always mirrored into
it, so this process honours a lock even if Redis could not record it.
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
from .redis_backend import BackendSwitch, FallbackMode, LuaScript, RedisBackend

__all__ = ["ADMIT", "LOCK", "RELEASE", "FullBudget", "RedisRateLimiter", "SlotKeys", "earliest_turn"]

_log = logging.getLogger("cliq_channels_client.ratelimit")

#: KEYS: slots, flying, locked.  ARGV: now, horizon (now - widened window), threshold, lease deadline,
#: lease id, key ttl (ms), then optionally this process's own recent calls, to restore them if Redis lost
#: them: n stamps, m leases, n (stamp, id) pairs, m (lease deadline, lease id) pairs; added only where
#: missing (``NX``; a lease already stamped is not put back in flight).
#: -> {'admitted'} | {'locked', until} | {'full', in flight, stamped, {id, stamp, ...}}
ADMIT = LuaScript(
    """
local locked = redis.call('GET', KEYS[3])
if locked and tonumber(locked) > tonumber(ARGV[1]) then
  return {'locked', locked}
end
local at = 9
for i = 1, tonumber(ARGV[7] or '0') do
  redis.call('ZADD', KEYS[1], 'NX', ARGV[at], ARGV[at + 1])
  at = at + 2
end
for i = 1, tonumber(ARGV[8] or '0') do
  if not redis.call('ZSCORE', KEYS[1], ARGV[at + 1]) then
    redis.call('ZADD', KEYS[2], 'NX', ARGV[at], ARGV[at + 1])
  end
  at = at + 2
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'WITHSCORES')
for i = 1, #expired, 2 do
  redis.call('ZADD', KEYS[1], 'GT', expired[i + 1], expired[i])
end
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local stamped = redis.call('ZCARD', KEYS[1])
local flying = redis.call('ZCARD', KEYS[2])
local threshold = tonumber(ARGV[3])
if stamped + flying < threshold then
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
  return {'admitted'}
end
return {'full', flying, stamped, redis.call('ZRANGE', KEYS[1], 0, threshold - 1, 'WITHSCORES')}
"""
)

#: KEYS: slots, flying.  ARGV: now, lease id, key ttl (ms).  The lease becomes a stamp at completion time.
RELEASE = LuaScript(
    """
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[1], 'GT', ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
"""
)

#: KEYS: locked.  ARGV: until, ttl (ms).  Raises the marker, never lowers it.  -> 1 raised, 0 already later.
LOCK = LuaScript(
    """
local current = redis.call('GET', KEYS[1])
if current and tonumber(current) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
)

_GET = LuaScript("return redis.call('GET', KEYS[1])")


@attrs.frozen
class SlotKeys:
    """The Redis keys of one rate-limit key."""

    slots: str
    flying: str
    locked: str


@attrs.frozen
class FullBudget:
    """Redis said the budget is spent: what it holds, to compute when a slot can free."""

    flying: int
    stamped: int
    stamps: tuple[float, ...]  # the oldest ``threshold`` completion stamps, ascending


@attrs.frozen
class _Locked:
    until: float


_Reply = FullBudget | _Locked | None  # None: admitted


def _reply(raw: list[object]) -> _Reply:
    kind = _text(raw[0])
    if kind == "admitted":
        return None
    if kind == "locked":
        return _Locked(float(_text(raw[1])))
    pairs = raw[3]
    assert isinstance(pairs, list)
    return FullBudget(
        flying=int(_text(raw[1])), stamped=int(_text(raw[2])), stamps=tuple(float(_text(s)) for s in pairs[1::2])
    )


def _text(value: object) -> str:
    return value.decode("ascii") if isinstance(value, bytes) else str(value)


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


class _KeyState(_WaitQueue):
    """This process's view of one key; guarded by the limiter's lock."""

    __slots__ = ("flying", "last", "leases", "recent")

    def __init__(self) -> None:
        super().__init__()
        self.leases: deque[str | None] = deque()  # admitted and not released: lease ids (None: by the stand-in)
        self.last: FullBudget | None = None  # Redis's last "full" answer, for the estimates of callers behind the head
        # This process's own calls, to restore them in Redis if it lost its state (restart, failover):
        self.flying: dict[str, float] = {}  # Redis leases in flight -> lease deadline
        self.recent: deque[tuple[float, str]] = deque()  # completions within a widened window: (stamp, slot id)


@attrs.frozen
class _Wait:
    """Sleep on the clock until ``wake_at``, or wait up to ``timeout`` real seconds to be woken."""

    wake_at: float
    on_clock: bool
    timeout: float


class RedisRateLimiter:
    """A :class:`~.ratelimit.RateLimiter` shared by every process that uses the same Redis and prefix.

    ``safety_margin`` widens the window as in the local limiter; ``lease``
    (clock seconds) is how long an admitted request may stay in flight before
    its slot is counted as completed at the lease's end (a crashed process's
    slots free ``lease + window`` after admission); ``poll_interval`` (real
    seconds) bounds a wait for a release notification.
    """

    __slots__ = ("_backend", "_clock", "_lease", "_local", "_lock", "_margin", "_poll", "_states", "_switch")

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
        self._margin = 1.0 + safety_margin
        self._lease = float(lease)
        self._poll = float(poll_interval)
        self._local = LocalRateLimiter(clock=clock, safety_margin=safety_margin, poll_interval=poll_interval)
        self._switch = BackendSwitch(fallback, logger=_log, what="rate limits are", recheck=recheck)
        self._lock = threading.Lock()
        self._states: dict[str, _KeyState] = {}

    def __repr__(self) -> str:
        return f"RedisRateLimiter({self._backend!r}, safety_margin={self._margin - 1.0:.3g})"

    @property
    def on_local(self) -> bool:
        """Serving from the per-process stand-in (Redis unreachable, ``fallback="local"``)."""
        return self._switch.on_local

    def keys(self, key: str) -> SlotKeys:
        base = f"{self._backend.prefix}rl:{key}:"
        return SlotKeys(slots=f"{base}slots", flying=f"{base}flying", locked=f"{base}locked")

    def locked_until(self, key: str) -> float | None:
        """Clock time at which the server's lock on ``key`` ends, or ``None`` (not in the protocol)."""
        now = self._clock.now()
        until = self._local.locked_until(key) or 0.0
        if not self._switch.on_local:
            try:
                raw = self._backend.run(_GET, [self.keys(key).locked])
            except BackendUnavailableError:
                raw = None
            if raw is not None:
                until = max(until, float(_text(raw)))
        return until if until > now else None

    # -- sync ----------------------------------------------------------------------------------

    def acquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        clock = self._clock
        waiter = _Waiter(self._lock)
        with self._lock:
            deadline = self._join(key, rule, waiter, operation_id, max_wait)
            state = self._states[key]
        try:
            stalled = False
            while True:
                now = clock.now()
                with self._lock:
                    if not self._heads(state, key, waiter, now, operation_id):
                        waiter.wait(None)  # parked until it heads the queue: no polling
                        continue
                if not self._switch.use_backend():
                    self._leave_for_local(state, waiter)
                    self._local.acquire(key, rule, operation_id=operation_id, max_wait=max(deadline - now, 0.0))
                    self._admitted_locally(state)
                    return
                lease = secrets.token_hex(8)
                try:
                    raw = self._backend.run(ADMIT, self._slot_keys(key), self._admit_args(key, rule, now, lease))
                except BackendUnavailableError as error:
                    self._switch.failed(error)  # raises, unless falling back
                    continue
                self._switch.recovered()
                now = clock.now()
                with self._lock:
                    wait = self._answered(
                        state, key, rule, waiter, _reply(raw), lease, now, operation_id, deadline, max_wait, stalled
                    )
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
                self._backend.run(RELEASE, self._slot_keys(key)[:2], [repr(now), lease, self._ttl(rule)])
            except BackendUnavailableError as error:
                self._release_failed(error)

    def lock(self, key: str, until: float) -> None:
        self._local.lock(key, until)
        with self._lock:
            if key in self._states:
                self._states[key].wake_head()
        if self._switch.use_backend():
            try:
                self._backend.run(LOCK, [self.keys(key).locked], self._lock_args(until))
            except BackendUnavailableError as error:
                self._lock_failed(error)
            else:
                self._switch.recovered()

    # -- async ---------------------------------------------------------------------------------

    async def aacquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        clock = self._clock
        waiter = _Waiter(None)
        with self._lock:
            deadline = self._join(key, rule, waiter, operation_id, max_wait)
            state = self._states[key]
        try:
            stalled = False
            while True:
                now = clock.now()
                with self._lock:
                    head = self._heads(state, key, waiter, now, operation_id)
                if not head:
                    await waiter.await_wake(self._lock, None)  # parked until it heads the queue: no polling
                    continue
                if not self._switch.use_backend():
                    self._leave_for_local(state, waiter)
                    await self._local.aacquire(key, rule, operation_id=operation_id, max_wait=max(deadline - now, 0.0))
                    self._admitted_locally(state)
                    return
                lease = secrets.token_hex(8)
                try:
                    with anyio.CancelScope(shield=True):  # an admission made is an admission recorded
                        raw = await self._backend.arun(
                            ADMIT, self._slot_keys(key), self._admit_args(key, rule, now, lease)
                        )
                except BackendUnavailableError as error:
                    self._switch.failed(error)
                    continue
                self._switch.recovered()
                now = clock.now()
                with self._lock:
                    wait = self._answered(
                        state, key, rule, waiter, _reply(raw), lease, now, operation_id, deadline, max_wait, stalled
                    )
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
            args: list[str | int] = [repr(now), lease, self._ttl(rule)]
            try:
                with anyio.CancelScope(shield=True):  # runs in ``finally`` after cancellation too
                    await self._backend.arun(RELEASE, self._slot_keys(key)[:2], args)
            except BackendUnavailableError as error:
                self._release_failed(error)

    async def alock(self, key: str, until: float) -> None:
        self._local.lock(key, until)
        with self._lock:
            if key in self._states:
                self._states[key].wake_head()
        if self._switch.use_backend():
            try:
                with anyio.CancelScope(shield=True):
                    await self._backend.arun(LOCK, [self.keys(key).locked], self._lock_args(until))
            except BackendUnavailableError as error:
                self._lock_failed(error)
            else:
                self._switch.recovered()

    # -- decisions (lock held, no I/O) -------------------------------------------------------------

    def _join(self, key: str, rule: RateLimitRule, waiter: _Waiter, operation_id: str, max_wait: float) -> float:
        """Queue a caller, or refuse it at once if its earliest turn lies past ``max_wait``; its deadline."""
        now = self._clock.now()
        state = self._state(key)
        if state.waiting and state.last is not None:
            wake_at, _ = earliest_turn(state.last, rule.threshold, rule.window * self._margin, now, state.waiting)
            self._check_deadline(wake_at, now, operation_id, now + max_wait, max_wait)
        state.join(waiter)
        return now + max_wait

    def _heads(self, state: _KeyState, key: str, waiter: _Waiter, now: float, operation_id: str) -> bool:
        """Whether the caller heads the queue (and may ask Redis); raise if this process knows of a lock."""
        locked = self._local.locked_until(key)
        if locked is not None:
            raise OperationLockedError(operation_id=operation_id, retry_at=locked, retry_after=locked - now)
        return state.heads(waiter)

    def _answered(
        self,
        state: _KeyState,
        key: str,
        rule: RateLimitRule,
        waiter: _Waiter,
        reply: _Reply,
        lease: str,
        now: float,
        operation_id: str,
        deadline: float,
        max_wait: float,
        stalled: bool,
    ) -> _Wait | None:
        """The head's next step after Redis answered: admitted (``None``), refused (raise), or how to wait."""
        if reply is None:
            state.leases.append(lease)
            state.flying[lease] = now + self._lease
            self._local.admitted_elsewhere(key)  # the stand-in counts this process's calls too
            state.last = None
            state.leave(waiter)  # the next in line may fit too
            return None
        if isinstance(reply, _Locked):
            self._local.lock(key, reply.until)
            raise OperationLockedError(operation_id=operation_id, retry_at=reply.until, retry_after=reply.until - now)
        state.last = reply
        wake_at, known = earliest_turn(reply, rule.threshold, rule.window * self._margin, now, 0)
        self._check_deadline(wake_at, now, operation_id, deadline, max_wait)
        if state.leases and not stalled:
            # Requests of ours are in flight: let them complete (and be stamped) before time moves on,
            # as the local limiter does; it keeps a FakeClock from jumping past them.
            return _Wait(wake_at, on_clock=False, timeout=min(self._poll, max(wake_at - now, 0.001)))
        if not known and wake_at <= now:
            return _Wait(wake_at, on_clock=False, timeout=self._poll)
        return _Wait(wake_at, on_clock=True, timeout=0.0)

    @staticmethod
    def _check_deadline(wake_at: float, now: float, operation_id: str, deadline: float, max_wait: float) -> None:
        if wake_at > deadline:
            raise RateLimitWaitExceededError(
                operation_id=operation_id, retry_at=wake_at, retry_after=wake_at - now, max_wait=max_wait
            )

    # -- bookkeeping -------------------------------------------------------------------------------

    def _state(self, key: str) -> _KeyState:
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = _KeyState()
        return state

    def _slot_keys(self, key: str) -> list[str]:
        keys = self.keys(key)
        return [keys.slots, keys.flying, keys.locked]

    def _ttl(self, rule: RateLimitRule) -> int:
        """Clean-up expiry of a key's sets (ms): no entry matters longer than a widened window after its lease."""
        return int((rule.window * self._margin + self._lease) * 1000) + 1000

    def _admit_args(self, key: str, rule: RateLimitRule, now: float, lease: str) -> list[str | int]:
        horizon = now - rule.window * self._margin
        args: list[str | int] = [
            repr(now),
            repr(horizon),
            rule.threshold,
            repr(now + self._lease),
            lease,
            self._ttl(rule),
        ]
        with self._lock:
            state = self._states.get(key)
            if state is None or not (state.recent or state.flying):
                return args
            recent = state.recent
            while recent and recent[0][0] <= horizon:
                recent.popleft()
            args += [len(recent), len(state.flying)]
            for stamp, slot in recent:
                args += [repr(stamp), slot]
            for flying, deadline in state.flying.items():
                args += [repr(deadline), flying]
        return args

    def _lock_args(self, until: float) -> list[str | int]:
        return [repr(until), int(max(until - self._clock.now(), 0.0) * 1000) + 1000]

    def _pop_lease(self, key: str, rule: RateLimitRule) -> tuple[str | None, float]:
        """The lease a completion releases, and the time.

        The lease is an id, ``""`` (admitted by the stand-in) or ``None`` (none held).

        The completion is remembered as one of this process's recent calls, so
        that Redis gets it back if it loses its state.
        """
        now = self._clock.now()
        with self._lock:
            state = self._states.get(key)
            if state is None or not state.leases:
                return None, now
            lease = state.leases.popleft()
            if lease is None:
                lease = ""
                slot = f"local-{secrets.token_hex(8)}"
            else:
                slot = lease
                state.flying.pop(lease, None)
            recent = state.recent
            horizon = now - rule.window * self._margin
            while recent and recent[0][0] <= horizon:
                recent.popleft()
            recent.append((now, slot))
            state.wake_head()
            return lease, now

    def _admitted_locally(self, state: _KeyState) -> None:
        with self._lock:
            state.leases.append(None)

    def _leave_for_local(self, state: _KeyState, waiter: _Waiter) -> None:
        with self._lock:
            state.leave(waiter)

    def _release_failed(self, error: BackendUnavailableError) -> None:
        # Never raise here: the request was answered and its response must reach the caller.
        # Its lease in Redis ends by itself, counted as completed then.  With a fallback, the
        # switch's one record says what happened.
        if self._switch.mode == "fail":
            _log.warning(
                "%s; a completed request's slot was not stamped there (its lease ends by itself)",
                error,
                extra={"operation_id": None, "attempt": None},
            )
        self._switch.failed(error, reraise=False)

    def _lock_failed(self, error: BackendUnavailableError) -> None:
        _log.warning(
            "%s; the server's lock is kept in this process only",
            error,
            extra={"operation_id": None, "attempt": None},
        )
        self._switch.failed(error, reraise=False)
