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
from typing import Any, Literal, Protocol, TypeVar

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
    "TransportReporter",
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


_DEBUG = logging.DEBUG


class ReportedCall(Protocol):
    """What a report says about the call it is about (``call_flow.Call`` has these)."""

    @property
    def operation_id(self) -> str | None: ...

    @property
    def method(self) -> str: ...

    @property
    def attempt(self) -> int: ...


class TransportReporter:
    """The transport's log records and metrics hooks, one method per thing a call can do.

    The per-call flow decides; this only tells people (log records) and
    dashboards (:class:`ClientHooks`), so the messages and events live in one
    place.  ``observed``: whether per-attempt reports (``sending``,
    ``answered``) have anyone to go to, checked once per call.
    """

    __slots__ = ("_hooks",)

    def __init__(self, hooks: ClientHooks | None) -> None:
        self._hooks = hooks

    @property
    def observed(self) -> bool:
        return self._hooks is not None or TRANSPORT_LOGGER.isEnabledFor(_DEBUG)

    def sending(self, call: ReportedCall) -> None:
        operation_id, attempt = call.operation_id, call.attempt
        log(
            TRANSPORT_LOGGER,
            _DEBUG,
            "sending %s %s",
            call.method,
            operation_id or "(no operation)",
            operation_id=operation_id,
            attempt=attempt,
        )
        if self._hooks is not None and self._hooks.on_request is not None:
            call_hook(self._hooks.on_request, RequestEvent(operation_id, call.method, attempt))

    def answered(self, call: ReportedCall, status_code: int, duration: float) -> None:
        operation_id, attempt = call.operation_id, call.attempt
        log(
            TRANSPORT_LOGGER,
            _DEBUG,
            "%s %s answered HTTP %d in %.3fs",
            call.method,
            operation_id or "(no operation)",
            status_code,
            duration,
            operation_id=operation_id,
            attempt=attempt,
        )
        if self._hooks is not None and self._hooks.on_response is not None:
            event = ResponseEvent(operation_id, call.method, attempt, status_code, duration)
            call_hook(self._hooks.on_response, event)

    def waited(self, call: ReportedCall, waited: float) -> None:
        operation_id, attempt = call.operation_id, call.attempt
        log(
            RATELIMIT_LOGGER,
            _DEBUG,
            "%s waited %.3fs for a rate-limit slot",
            operation_id,
            waited,
            operation_id=operation_id,
            attempt=attempt,
        )
        if self._hooks is not None and self._hooks.on_rate_limit_wait is not None:
            call_hook(self._hooks.on_rate_limit_wait, RateLimitWaitEvent(str(operation_id), attempt, waited))

    def refused(self, call: ReportedCall, exc: Exception) -> None:
        log(
            RATELIMIT_LOGGER,
            logging.WARNING,
            "%s not sent: %s",
            call.operation_id,
            type(exc).__name__,
            operation_id=call.operation_id,
            attempt=call.attempt,
        )

    def failed(self, call: ReportedCall, reason: str, duration: float) -> None:
        """An attempt ended without an answer (``reason``: the exception's class name)."""
        operation_id, attempt = call.operation_id, call.attempt
        log(
            TRANSPORT_LOGGER,
            _DEBUG,
            "%s %s failed: %s",
            call.method,
            operation_id or "(no operation)",
            reason,
            operation_id=operation_id,
            attempt=attempt,
        )
        if self._hooks is not None and self._hooks.on_error is not None:
            call_hook(self._hooks.on_error, ErrorEvent(operation_id, call.method, attempt, reason, duration))

    def malformed(self, call: ReportedCall, reason: str, duration: float) -> None:
        """A success answer whose body is not a JSON object (``reason`` describes it, never quotes it)."""
        operation_id, attempt = call.operation_id, call.attempt
        log(
            TRANSPORT_LOGGER,
            _DEBUG,
            "%s %s: %s",
            call.method,
            operation_id,
            reason,
            operation_id=operation_id,
            attempt=attempt,
        )
        if self._hooks is not None and self._hooks.on_error is not None:
            event = ErrorEvent(operation_id, call.method, attempt, "MalformedResponseError", duration)
            call_hook(self._hooks.on_error, event)

    def retrying(self, call: ReportedCall, delay: float, reason: str) -> None:
        operation_id, attempt = call.operation_id, call.attempt
        log(
            RETRY_LOGGER,
            logging.INFO,
            "%s %s: retrying in %.3fs after %s",
            call.method,
            operation_id or "(no operation)",
            delay,
            reason,
            operation_id=operation_id,
            attempt=attempt,
        )
        if self._hooks is not None and self._hooks.on_retry is not None:
            call_hook(self._hooks.on_retry, RetryEvent(operation_id, call.method, attempt, delay, reason))

    def gave_up(self, call: ReportedCall, message: str) -> None:
        log(RETRY_LOGGER, logging.WARNING, "%s", message, operation_id=call.operation_id, attempt=call.attempt)

    def throttled(self, call: ReportedCall, status_code: int, retry_at: float, retry_after: float) -> None:
        operation_id, attempt = str(call.operation_id), call.attempt
        log(
            RATELIMIT_LOGGER,
            logging.WARNING,
            "%s throttled by the server (HTTP %d); locked for %.0fs",
            operation_id,
            status_code,
            retry_after,
            operation_id=operation_id,
            attempt=attempt,
        )
        if self._hooks is not None and self._hooks.on_throttle is not None:
            event = ThrottleEvent(operation_id, attempt, status_code, retry_at, retry_after)
            call_hook(self._hooks.on_throttle, event)
