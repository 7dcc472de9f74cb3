"""Per-operation rate limits chosen at run time, over the ones the document states.

Zoho's numbers move (the reference page and Zoho's own download already
disagree), so ``create_client(rate_limits={"get_channel": RateLimitRule(...)})``
paces an operation by the caller's rule without regenerating anything.  This is
a :class:`~.ratelimit.RateLimiter` that hands the overriding rule to the limiter
it wraps; the transport and the limiters are unchanged.

Only the pacing (``threshold`` per ``window``) is overridden: after a throttle
the operation stays locked for the server's ``Retry-After``, else the
document's lock period (the transport computes that, not the limiter).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .errors import CliqValidationError
from .operations import OPERATIONS_BY_ID, RateLimitRule
from .ratelimit import RateLimiter

__all__ = ["OverridingRateLimiter", "check_overrides"]


def check_overrides(rate_limits: Mapping[str, RateLimitRule]) -> Mapping[str, RateLimitRule]:
    """Refuse an operation the client does not have, or a rule that is not a :class:`RateLimitRule`."""
    for name, rule in rate_limits.items():
        if name not in OPERATIONS_BY_ID:
            raise CliqValidationError(
                operation_id=None,
                field=f"rate_limits.{name}",
                rule="enum",
                detail=f"no operation named {name!r}; operations: {', '.join(sorted(OPERATIONS_BY_ID))}",
            )
        if not isinstance(rule, RateLimitRule):
            raise CliqValidationError(
                operation_id=name,
                field=f"rate_limits.{name}",
                rule="type",
                detail=f"expected a RateLimitRule, got {type(rule).__name__}",
            )
    return MappingProxyType(dict(rate_limits))


class OverridingRateLimiter:
    """Paces the operations named in ``rules`` by those rules, every other by the document's, through ``inner``."""

    __slots__ = ("_inner", "_rules")

    def __init__(self, inner: RateLimiter, rules: Mapping[str, RateLimitRule]) -> None:
        self._inner = inner
        self._rules = check_overrides(rules)

    def __repr__(self) -> str:
        return f"OverridingRateLimiter({self._inner!r}, overrides={sorted(self._rules)})"

    @property
    def inner(self) -> RateLimiter:
        """The limiter that keeps the state (local, or shared through Redis)."""
        return self._inner

    @property
    def rules(self) -> Mapping[str, RateLimitRule]:
        return self._rules

    @property
    def paces(self) -> bool:
        """What ``inner`` says (see :class:`~.ratelimit.RateLimiter`): other rules change nothing if it never paces."""
        return getattr(self._inner, "paces", True) is not False

    def acquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        self._inner.acquire(key, self._rules.get(operation_id, rule), operation_id=operation_id, max_wait=max_wait)

    def _for_key(self, key: str, rule: RateLimitRule) -> RateLimitRule:
        """The rule of the operation a key names (keys are ``"<user fingerprint>:<operation_id>"``)."""
        return self._rules.get(key.rpartition(":")[2], rule)

    def release(self, key: str, rule: RateLimitRule) -> None:
        self._inner.release(key, self._for_key(key, rule))

    def lock(self, key: str, until: float) -> None:
        self._inner.lock(key, until)

    async def aacquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        await self._inner.aacquire(
            key, self._rules.get(operation_id, rule), operation_id=operation_id, max_wait=max_wait
        )

    async def arelease(self, key: str, rule: RateLimitRule) -> None:
        await self._inner.arelease(key, self._for_key(key, rule))

    async def alock(self, key: str, until: float) -> None:
        await self._inner.alock(key, until)
