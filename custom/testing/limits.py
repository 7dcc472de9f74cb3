"""Rolling-window rate limits with a lock, as Zoho documents them.

Every Channels operation allows ``threshold`` (20) calls per user in any
rolling ``window`` (60 s); the call that would exceed it is refused and locks
that user out of that operation for ``lock`` (600 s).  Rules come from the
generated operation table (``x-zoho-rate-limit`` of the OpenAPI document).

Decisions where the reference is silent:

* Calls refused during a lock do not count and do not extend the lock: the
  operation opens exactly ``lock`` seconds after the refused call that locked it.
* Every authenticated call counts, whatever its outcome (validation errors,
  unknown channels); unauthenticated calls have no user and do not count.
* After a lock the window starts empty.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping

import attrs

from ..clock import Clock
from ..operations import RateLimitRule

__all__ = ["IssuanceLimiter", "RateLimiter", "Verdict"]


@attrs.frozen
class Verdict:
    """Whether a call may proceed; when refused, ``retry_at`` is the clock time it opens."""

    allowed: bool
    retry_at: float = 0.0


_ALLOWED = Verdict(True)


class RateLimiter:
    """Per ``(user_id, operation_id)`` rolling windows and locks; thread-safe."""

    def __init__(self, clock: Clock, rules: Mapping[str, RateLimitRule], *, enabled: bool = True) -> None:
        self._clock = clock
        self._rules = dict(rules)
        self.enabled = enabled
        self._lock = threading.Lock()
        self._calls: dict[tuple[str, str], deque[float]] = {}
        self._locked_until: dict[tuple[str, str], float] = {}

    def rule(self, operation_id: str) -> RateLimitRule:
        return self._rules[operation_id]

    def hit(self, user_id: str, operation_id: str) -> Verdict:
        """Count a call now, or refuse it (and lock on the first refusal)."""
        if not self.enabled:
            return _ALLOWED
        rule = self._rules[operation_id]
        key = (user_id, operation_id)
        with self._lock:
            now = self._clock.now()
            until = self._locked_until.get(key)
            if until is not None:
                if now < until:
                    return Verdict(False, until)
                del self._locked_until[key]
            calls = self._calls.setdefault(key, deque())
            while calls and calls[0] <= now - rule.window:
                calls.popleft()
            if len(calls) >= rule.threshold:
                calls.clear()
                until = now + rule.lock
                self._locked_until[key] = until
                return Verdict(False, until)
            calls.append(now)
            return _ALLOWED

    def lock(self, user_id: str, operation_id: str, seconds: float | None = None) -> float:
        """Lock ``operation_id`` for ``user_id`` now (the rule's lock by default); returns when it opens."""
        rule = self._rules[operation_id]
        with self._lock:
            until = self._clock.now() + (rule.lock if seconds is None else seconds)
            self._locked_until[(user_id, operation_id)] = until
            self._calls.pop((user_id, operation_id), None)
            return until

    def locked_until(self, user_id: str, operation_id: str) -> float | None:
        """When the lock on ``(user_id, operation_id)`` opens, or ``None`` if it is open."""
        with self._lock:
            until = self._locked_until.get((user_id, operation_id))
            return until if until is not None and self._clock.now() < until else None

    def calls_in_window(self, user_id: str, operation_id: str) -> int:
        rule = self._rules[operation_id]
        with self._lock:
            now = self._clock.now()
            return sum(1 for t in self._calls.get((user_id, operation_id), ()) if t > now - rule.window)

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._locked_until.clear()


class IssuanceLimiter:
    """At most ``limit`` grants per key in any rolling ``window``; refusals do not count."""

    def __init__(self, clock: Clock, *, limit: int, window: float) -> None:
        self._clock = clock
        self.limit = limit
        self.window = window
        self._lock = threading.Lock()
        self._grants: dict[str, deque[float]] = {}

    def try_acquire(self, key: str) -> Verdict:
        with self._lock:
            now = self._clock.now()
            grants = self._grants.setdefault(key, deque())
            while grants and grants[0] <= now - self.window:
                grants.popleft()
            if len(grants) >= self.limit:
                return Verdict(False, grants[0] + self.window)
            grants.append(now)
            return _ALLOWED

    def reset(self) -> None:
        with self._lock:
            self._grants.clear()
