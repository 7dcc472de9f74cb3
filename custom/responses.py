"""What the generated endpoint functions do with an answer: decode the success body, or raise its error.

The generated ``sync()`` / ``asyncio()`` return the success model and raise
for everything else *whatever client they are given*: with
:func:`~.factory.create_client` the transport has already raised the typed
error (with its injected clock and lock), so only clients that return error
responses (a bare ``Client``, ``raise_on_error=False``) reach
:func:`error_for_response`.  Both paths build the error the same way:
:func:`~.errors.error_for_status` for statuses, :func:`~.retry.parse_retry_after`
for a throttle's ``Retry-After``.

A success body that does not decode into its model (a required field
missing, a wrong type) is :class:`~.errors.MalformedResponseError`: the server
answered, so the request may have been applied, and the caller must not
blindly replay it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from .clock import SYSTEM_CLOCK, Clock
from .errors import CliqError, MalformedResponseError, ThrottledError, error_for_status, is_throttle_response

__all__ = ["decode_error_body", "decode_success", "error_for_response"]

T = TypeVar("T")

# What a generated ``from_dict`` raises for a body of the wrong shape.
_DECODE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError)


def decode_success(operation_id: str, response: httpx.Response, decode: Callable[[Any], T]) -> T:
    """``decode(response.json())``, or :class:`MalformedResponseError` naming what is wrong (never the body)."""
    try:
        return decode(response.json())
    except _DECODE_ERRORS as exc:
        raise MalformedResponseError(
            f"{operation_id}: HTTP {response.status_code} body does not match the document: {_describe(exc)}",
            operation_id=operation_id,
            attempts=1,
            status_code=response.status_code,
            response=response,
        ) from exc


def decode_error_body(response: httpx.Response, decode: Callable[[Any], T]) -> T | None:
    """The documented error model of an error answer, or ``None`` when its body is not one (``*_detailed`` only)."""
    try:
        return decode(response.json())
    except _DECODE_ERRORS:
        return None


def error_for_response(operation_id: str, response: httpx.Response, *, clock: Clock = SYSTEM_CLOCK) -> CliqError:
    """The typed error for an answer outside the operation's success set (body read)."""
    from .operations import OPERATIONS_BY_ID  # the operation table, only on the error path
    from .retry import parse_retry_after

    operation = OPERATIONS_BY_ID[operation_id]
    if is_throttle_response(response):
        now = clock.now()
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now)
        if retry_after is None:
            retry_after = operation.rate_limit.lock
        error = error_for_status(response, operation_id=operation_id, success_statuses=())
        return ThrottledError(
            retry_at=now + retry_after,
            retry_after=retry_after,
            status_code=error.status_code,
            message=error.message,
            code=error.code,
            operation_id=operation_id,
            response=response,
            body=error.body,
        )
    return error_for_status(
        response,
        operation_id=operation_id,
        success_statuses=operation.success_statuses,
        required_scopes=operation.scopes,
    )


def _describe(exc: BaseException) -> str:
    """Name the rule a body broke, from the decoder's exception, without quoting the body."""
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str):
        return f"required field {exc.args[0]!r} is missing"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, ValueError) and type(exc).__name__ == "JSONDecodeError":
        return "not JSON"
    return f"{type(exc).__name__}"
