"""The rate-limit budget's side in Redis: its keys, three Lua scripts, their arguments and answers.

Under ``<prefix>rl:<key>:`` (the key is ``<user fingerprint>:<operation_id>``):

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

Every timestamp comes from the caller's :class:`~.clock.Clock` (passed into
the scripts, never Redis ``TIME``); key expiries are only for clean-up.
Kept apart from :mod:`.redis_limiter` so that the wire format -- what each
script reads and answers -- is in one place, without the waiting around it.
"""

from __future__ import annotations

import attrs

from .operations import RateLimitRule
from .redis_backend import LuaScript

__all__ = [
    "ADMIT",
    "GET_LOCKED",
    "LOCK",
    "RELEASE",
    "BudgetScripts",
    "FullBudget",
    "Locked",
    "SlotKeys",
    "parse_admit",
    "text",
]

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

#: KEYS: locked.  -> the lock marker (clock time) or nil.
GET_LOCKED = LuaScript("return redis.call('GET', KEYS[1])")

_Arg = str | int


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
class Locked:
    """Redis said the server locked the operation until clock time ``until``."""

    until: float


def parse_admit(raw: list[object]) -> FullBudget | Locked | None:
    """:data:`ADMIT`'s answer: ``None`` (admitted), :class:`Locked` or :class:`FullBudget`."""
    kind = text(raw[0])
    if kind == "admitted":
        return None
    if kind == "locked":
        return Locked(float(text(raw[1])))
    pairs = raw[3]
    assert isinstance(pairs, list)
    return FullBudget(
        flying=int(text(raw[1])), stamped=int(text(raw[2])), stamps=tuple(float(text(s)) for s in pairs[1::2])
    )


def text(value: object) -> str:
    """A Redis reply item as text (clients with or without ``decode_responses``)."""
    return value.decode("ascii") if isinstance(value, bytes) else str(value)


@attrs.frozen
class BudgetScripts:
    """Each script's keys and arguments for one limiter: its key prefix, widened window and lease.

    Clock times travel as ``repr()`` of the float (exact round trip); expiries in ms.
    """

    prefix: str
    margin: float  # 1 + safety margin: the window is kept ``margin`` times as long
    lease: float  # clock seconds a request may stay in flight

    def keys(self, key: str) -> SlotKeys:
        base = f"{self.prefix}rl:{key}:"
        return SlotKeys(slots=f"{base}slots", flying=f"{base}flying", locked=f"{base}locked")

    def horizon(self, rule: RateLimitRule, now: float) -> float:
        """Stamps at or before this clock time no longer count."""
        return now - rule.window * self.margin

    def ttl(self, rule: RateLimitRule) -> int:
        """Clean-up expiry of a key's sets (ms): no entry matters longer than a widened window after its lease."""
        return int((rule.window * self.margin + self.lease) * 1000) + 1000

    def admit(
        self, key: str, rule: RateLimitRule, now: float, lease: str, restore: list[_Arg]
    ) -> tuple[list[str], list[_Arg]]:
        """:data:`ADMIT`'s keys and arguments; ``restore``: this process's own recent calls (may be empty)."""
        keys = self.keys(key)
        args: list[_Arg] = [
            repr(now),
            repr(self.horizon(rule, now)),
            rule.threshold,
            repr(now + self.lease),
            lease,
            self.ttl(rule),
        ]
        return [keys.slots, keys.flying, keys.locked], args + restore

    def release(self, key: str, rule: RateLimitRule, now: float, lease: str) -> tuple[list[str], list[_Arg]]:
        keys = self.keys(key)
        return [keys.slots, keys.flying], [repr(now), lease, self.ttl(rule)]

    def lock(self, key: str, until: float, now: float) -> tuple[list[str], list[_Arg]]:
        return [self.keys(key).locked], [repr(until), int(max(until - now, 0.0) * 1000) + 1000]
