"""When to send a request again, and after how long.

The replay rule (the one thing a retry must never get wrong):

    A request that may have reached the server is replayed only if its method
    is idempotent (GET, HEAD, PUT, DELETE, OPTIONS; RFC 9110 9.2.2).

    So a POST (create a channel, add members, join...) is replayed only when
    the failure proves it was never sent: ``httpx.ConnectError``,
    ``httpx.ConnectTimeout`` (no connection was made) and ``httpx.PoolTimeout``
    (no connection was free).  After a ``ReadTimeout``, ``WriteTimeout``,
    ``ReadError``, ``WriteError``, ``RemoteProtocolError`` or a 5xx answer the
    server may have applied it, so it is not replayed and the caller gets a
    ``CliqTransportError(may_have_been_sent=True)`` or a ``ServerError``.

A request the client itself could not build or encode (``httpx.LocalProtocolError``:
a header h11 refuses; ``httpx.UnsupportedProtocol``) never left: it is reported
with ``may_have_been_sent=False`` and not retried, since it would fail the same way.

A 2xx answer whose JSON body is cut short or not JSON (``MalformedResponseError``,
raised by the transport) counts like a ``ReadError``: the server may have
applied the request, so only idempotent methods go again.

Transient faults: the failures above, and the statuses in
``retry_statuses`` (500, 502, 503, 504).  Throttles (429, or 400
``request_limit_exceeded``) are never retried: they lock the operation
(see ``transport.py``).  Delays are exponential with *full jitter*
(``uniform(0, min(max_delay, base_delay * 2**(attempt-1)))``, AWS
architecture blog "Exponential Backoff And Jitter"), or exactly the server's
``Retry-After`` when it sends one; retries stop after ``max_attempts``
attempts or when the next one would start after ``total_timeout`` seconds.

Numbers from the server are bounded: a ``Retry-After`` that is not finite, is
negative or zero, or is an HTTP-date already past counts as absent (the
backoff applies, so a misbehaving server is never hammered); one above
``max_delay`` ends the retries; a throttle's lock is at most the rule's lock
period (:func:`lock_delay`, at most :data:`MAX_LOCK_SECONDS` when a rule has none).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from email.utils import parsedate_to_datetime

import attrs
import httpx

from .errors import MalformedResponseError

__all__ = [
    "IDEMPOTENT_METHODS",
    "MAX_LOCK_SECONDS",
    "RetryPolicy",
    "lock_delay",
    "may_have_been_sent",
    "parse_retry_after",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

#: Failures that prove the request never left the client: safe to replay any method.
_NOT_SENT: tuple[type[httpx.TransportError], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: Failures raised while the client built or encoded the request: nothing left, and a retry fails alike.
_NEVER_LEFT: tuple[type[httpx.TransportError], ...] = (httpx.LocalProtocolError, httpx.UnsupportedProtocol)
#: Transient failures after which the server may have received the request.
_MAYBE_SENT: tuple[type[httpx.TransportError], ...] = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
    httpx.CloseError,
)
#: Failures after which the server may have applied the request: replayed only if idempotent.
_MAYBE_APPLIED: tuple[type[Exception], ...] = (*_MAYBE_SENT, MalformedResponseError)

_random = random.Random()  # noqa: S311 -- jitter, not cryptography


#: Longest lock a throttle imposes when its rule names none (Zoho's documented lock: 10 minutes).
MAX_LOCK_SECONDS = 600.0


def may_have_been_sent(exc: BaseException) -> bool:
    """``False`` only for failures that prove the request never reached the server."""
    return not isinstance(exc, _NOT_SENT + _NEVER_LEFT)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or ``None``.

    ``None`` also for what no server should send: a value that is not finite,
    or not positive (``-5``, a date already past): the caller's own delay applies.
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if not math.isfinite(seconds) or seconds <= 0:
        return None
    return seconds


def lock_delay(value: str | None, now: float, rule_lock: float) -> float:
    """Seconds a throttled operation stays locked: ``Retry-After`` capped at the rule's lock, else the lock.

    Always finite and at most ``rule_lock`` (or :data:`MAX_LOCK_SECONDS` for a
    rule without a lock), so ``Retry-After: 1e12`` or a date in the year 9999
    cannot lock an operation (in Redis: for every worker) longer than Zoho would.
    """
    ceiling = rule_lock if 0 < rule_lock < math.inf else MAX_LOCK_SECONDS
    retry_after = parse_retry_after(value, now)
    return ceiling if retry_after is None else min(retry_after, ceiling)


def _non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


def _statuses(values: Iterable[int]) -> frozenset[int]:
    return frozenset(values)


@attrs.frozen
class RetryPolicy:
    """How many times, for what, and how long to back off; immutable, shareable."""

    max_attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    base_delay: float = attrs.field(default=0.5, validator=_non_negative)
    max_delay: float = attrs.field(default=30.0, validator=_non_negative)
    total_timeout: float = attrs.field(default=120.0, validator=_non_negative)
    retry_statuses: frozenset[int] = attrs.field(default=frozenset({500, 502, 503, 504}), converter=_statuses)
    respect_retry_after: bool = True

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """One attempt, never a retry."""
        return cls(max_attempts=1)

    def backoff(self, attempt: int, rand: Callable[[], float] = _random.random) -> float:
        """Full-jitter delay before attempt ``attempt + 1``."""
        cap = min(self.max_delay, self.base_delay * 2.0 ** min(attempt - 1, 62))
        return cap * rand()

    def decide(
        self,
        *,
        method: str,
        outcome: BaseException | httpx.Response,
        attempt: int,
        elapsed: float,
        now: float = 0.0,
        idempotent: bool | None = None,
        rand: Callable[[], float] = _random.random,
    ) -> float | None:
        """Delay before retrying after attempt number ``attempt`` ended with ``outcome``, or ``None``.

        ``elapsed`` is seconds since the first attempt started; ``now`` (clock
        time) is needed only to read an HTTP-date ``Retry-After``.
        """
        if attempt >= self.max_attempts:
            return None
        if idempotent is None:
            idempotent = method.upper() in IDEMPOTENT_METHODS
        delay: float | None = None
        if isinstance(outcome, httpx.Response):
            if outcome.status_code not in self.retry_statuses or not idempotent:
                return None  # a 5xx was answered by the server: only idempotent requests go again
            if self.respect_retry_after:
                delay = parse_retry_after(outcome.headers.get("Retry-After"), now)
                if delay is not None and delay > self.max_delay:
                    return None  # the server asks for a longer pause than this policy allows
        elif isinstance(outcome, _NEVER_LEFT):
            return None  # the client could not build it: it never left, and would fail the same way again
        elif isinstance(outcome, _NOT_SENT):
            pass  # never reached the server: any method may go again
        elif not (isinstance(outcome, _MAYBE_APPLIED) and idempotent):
            return None
        if delay is None:
            delay = self.backoff(attempt, rand)
        if elapsed + delay > self.total_timeout:
            return None
        return delay
