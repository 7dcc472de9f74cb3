"""Logging and metrics hooks: what the client did, for people and for dashboards.

Loggers, one per concern (``logging.getLogger("cliq_channels_client.<concern>")``):

* ``cliq_channels_client.transport`` -- each attempt sent and each answer (DEBUG),
* ``cliq_channels_client.ratelimit`` -- waits for a slot (DEBUG), refusals and server throttles (WARNING),
* ``cliq_channels_client.retry`` -- each retry and its delay (INFO), giving up (WARNING).
* ``cliq_channels_client.auth`` -- token refreshes and refusals (INFO/WARNING).

Every record carries ``operation_id`` (``None`` for requests outside the API,
e.g. the token endpoint) and ``attempt`` in ``extra=``, so a formatter can use
``%(operation_id)s``.  Records never contain headers, bodies or query strings,
so no token, secret or cursor reaches a log.

Metrics: pass a :class:`ClientHooks` with the callbacks you care about, e.g.::

    hooks = ClientHooks(on_response=lambda e: histogram.observe(e.duration, op=e.operation_id))

Callbacks run synchronously on the request path (keep them cheap).  An
exception raised by a callback is logged and swallowed: a broken metric must
not break an API call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import attrs

__all__ = [
    "RATELIMIT_LOGGER",
    "RETRY_LOGGER",
    "TRANSPORT_LOGGER",
    "ClientHooks",
    "ErrorEvent",
    "RateLimitWaitEvent",
    "RequestEvent",
    "ResponseEvent",
    "RetryEvent",
    "ThrottleEvent",
    "TokenRefreshEvent",
]

# A library leaves output to the application (logging HOWTO, "Configuring Logging for a Library"):
# without a handler in the tree, Python's last-resort handler would print retry and throttle
# warnings on the user's stderr.  Handlers the application adds still see every record.
logging.getLogger("cliq_channels_client").addHandler(logging.NullHandler())

TRANSPORT_LOGGER = logging.getLogger("cliq_channels_client.transport")
RATELIMIT_LOGGER = logging.getLogger("cliq_channels_client.ratelimit")
RETRY_LOGGER = logging.getLogger("cliq_channels_client.retry")


@attrs.frozen
class RequestEvent:
    """An attempt is about to be sent (after validation and pacing)."""

    operation_id: str | None
    method: str
    attempt: int


@attrs.frozen
class ResponseEvent:
    """An attempt got an answer; ``duration`` is clock seconds from send to headers."""

    operation_id: str | None
    method: str
    attempt: int
    status_code: int
    duration: float


@attrs.frozen
class ErrorEvent:
    """An attempt failed without an answer (connection error, timeout...)."""

    operation_id: str | None
    method: str
    attempt: int
    error: str  # the exception's class name, never its text
    duration: float


@attrs.frozen
class RetryEvent:
    """The client will send attempt ``attempt + 1`` after ``delay`` seconds."""

    operation_id: str | None
    method: str
    attempt: int
    delay: float
    reason: str  # an exception class name or "HTTP <status>"


@attrs.frozen
class ThrottleEvent:
    """The server throttled the operation; it is locked until ``retry_at`` (clock time)."""

    operation_id: str
    attempt: int
    status_code: int
    retry_at: float
    retry_after: float


@attrs.frozen
class RateLimitWaitEvent:
    """The client paced an attempt: it waited ``waited`` seconds for a rate-limit slot."""

    operation_id: str
    attempt: int
    waited: float


@attrs.frozen
class TokenRefreshEvent:
    """The client obtained a new access token (the token itself is never in the event).

    ``reason``: ``"missing"`` (none stored yet), ``"expiring"`` (expired, or
    within the refresh margin) or ``"rejected"`` (a 401 blamed it);
    ``expires_in``: seconds the new token is valid for; ``time``: clock time of
    the token request; ``operation_id``: the call that needed it (``None``
    outside the API).
    """

    reason: Literal["missing", "expiring", "rejected"]
    expires_in: float
    time: float
    operation_id: str | None = None


_E = TypeVar("_E")


@attrs.frozen
class ClientHooks:
    """Optional metrics callbacks, each called with one frozen event object.

    All default to ``None`` (no call, no cost).  Exceptions they raise are
    logged on ``cliq_channels_client.transport`` and otherwise ignored.
    """

    on_request: Callable[[RequestEvent], object] | None = None
    on_response: Callable[[ResponseEvent], object] | None = None
    on_error: Callable[[ErrorEvent], object] | None = None
    on_retry: Callable[[RetryEvent], object] | None = None
    on_throttle: Callable[[ThrottleEvent], object] | None = None
    on_rate_limit_wait: Callable[[RateLimitWaitEvent], object] | None = None
    on_token_refresh: Callable[[TokenRefreshEvent], object] | None = None


def call_hook(hook: Callable[[_E], object] | None, event: _E) -> None:
    """Run a user callback; never let it break the request."""
    if hook is None:
        return
    try:
        hook(event)
    except Exception:
        TRANSPORT_LOGGER.exception(
            "metrics hook %s raised; ignored",
            getattr(hook, "__qualname__", type(hook).__name__),
            extra={"operation_id": getattr(event, "operation_id", None), "attempt": getattr(event, "attempt", 0)},
        )


def log(
    logger: logging.Logger,
    level: int,
    message: str,
    *args: Any,
    operation_id: str | None,
    attempt: int,
) -> None:
    """Log with the two ``extra`` fields every record of this package carries, if the level is enabled."""
    if logger.isEnabledFor(level):
        logger.log(level, message, *args, extra={"operation_id": operation_id, "attempt": attempt})
