"""One call through the transport, written once: validate, pace, send, retry, map the answer.

:class:`CallFlow` holds what a :class:`~.transport.CliqTransport` was
configured with and makes every decision of a call; :meth:`CallFlow.run` is
the per-call sans-IO generator of ``effects.py`` (take a slot, send, release,
read, close, sleep, lock), carried out by the transport's two drivers.  The
driver sends each effect's result back, or throws its exception in, so each
``try``/``except`` below sees exactly what inline code would.  What the call
did is told to :class:`~.observability.TransportReporter` (logs and hooks).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from ..operation_table import ERROR_MESSAGES
from .clock import Clock
from .effects import RELEASE_SLOT, TAKE_SLOT, Close, Flow, LockOperation, Read, Send, Sleep
from .errors import (
    CliqTransportError,
    MalformedResponseError,
    ThrottledError,
    error_from_response,
    is_throttle_response,
    parse_error_body,
)
from .json_bodies import MALFORMED, parse_json, with_json
from .observability import TransportReporter
from .operations import OPERATIONS_BY_ID, RESTAMP_EXTENSION, Operation, operation_of, request_target
from .redirects import refuse_redirect_elsewhere
from .retry import IDEMPOTENT_METHODS, RetryPolicy, lock_delay, may_have_been_sent
from .validation import refuse_empty_path_parameter, validator_for

__all__ = ["Call", "CallFlow"]

#: Shorter waits for a slot (taking the limiter's lock) are not reported as rate-limit waits.
_REPORTED_WAIT = 0.001
_Restamp = Callable[[httpx.Request], None]


_NO_STATUSES: frozenset[int] = frozenset()


class Call:
    """Per-request state of the flow, shared with its driver and reporter.

    Only what every call needs is set up front; what only a retry, a report or
    an error reads (operation id, method, idempotency) is derived when read.
    """

    __slots__ = ("attempt", "key", "maybe_sent", "observed", "operation", "request", "restamp", "start")

    def __init__(
        self, operation: Operation | None, request: httpx.Request, key: str, observed: bool, restamp: _Restamp | None
    ) -> None:
        self.operation = operation
        self.request = request
        self.key = key
        self.observed = observed  # hooks set or DEBUG logging on: report each attempt
        self.restamp = restamp  # the auth flow's re-stamp hook, called before each attempt
        self.start = 0.0  # clock time the first attempt started
        self.attempt = 0
        self.maybe_sent = False

    @property
    def operation_id(self) -> str | None:
        return self.operation.operation_id if self.operation is not None else None

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def idempotent(self) -> bool:
        return self.request.method in IDEMPOTENT_METHODS


class CallFlow:
    """The decisions of a call (retry, lock, give up, malformed body) and the flow that applies them."""

    __slots__ = ("_clock", "_keys", "_paces", "_raise_on_error", "_report", "_retry", "_user_key", "_validate")

    def __init__(
        self,
        *,
        clock: Clock,
        retry: RetryPolicy,
        user_key: str,
        validate: bool,
        raise_on_error: bool,
        reporter: TransportReporter,
        paces: bool = True,
    ) -> None:
        self._clock = clock
        # False for a limiter that admits everything and remembers nothing (UnlimitedRateLimiter):
        # the flow then yields no slot effects at all.
        self._paces = paces
        self._retry = retry
        self._user_key = user_key
        self._keys = {operation_id: f"{user_key}:{operation_id}" for operation_id in OPERATIONS_BY_ID}
        self._validate = validate
        self._raise_on_error = raise_on_error
        self._report = reporter

    def begin(self, request: httpx.Request) -> Call:
        """The call's state, once the request is known to be one we may send (else a typed error, unsent)."""
        operation = operation_of(request)  # the generated code names it: no URL matching on the common path
        restamp = request.extensions.get(RESTAMP_EXTENSION)
        if restamp is not None and not callable(restamp):
            restamp = None
        refuse_redirect_elsewhere(request, operation)
        observed = self._report.observed
        if operation is None:
            if self._validate:  # built by hand with an empty path parameter: refused like a generated one
                refuse_empty_path_parameter(request.method, request_target(request)[0])
            return Call(None, request, "", observed, restamp)
        if self._validate:
            validator = validator_for(operation)
            path, target = request_target(request)
            validator.check_url_length(path, target)
            validator.validate(request, path)
        key = self._keys.get(operation.operation_id) or f"{self._user_key}:{operation.operation_id}"
        return Call(operation, request, key, observed, restamp)

    def run(self, call: Call) -> Flow[httpx.Response]:
        """Slot -> send -> release -> read and parse once -> lock on throttle / retry / map the answer.

        Returns the response to hand to httpx.
        """
        operation = call.operation
        paced = operation is not None and self._paces
        # the success statuses whose body the document gives as JSON (read and checked before the parser)
        json_statuses = operation.json_success_statuses if operation is not None else _NO_STATUSES
        send = Send(call.request)  # the one Send effect of every attempt
        clock = self._clock
        report = self._report
        while True:
            call.attempt += 1
            if paced:
                before = clock.now()
                try:
                    yield TAKE_SLOT
                except Exception as exc:
                    report.refused(call, exc)
                    raise
                sent_at = clock.now()
                if sent_at - before > _REPORTED_WAIT:
                    report.waited(call, sent_at - before)
            else:
                before = sent_at = clock.now()
            if call.attempt == 1:
                call.start = before
            if call.restamp is not None:  # the token may have been refreshed while this request waited
                call.restamp(call.request)
            if call.observed:
                report.sending(call)
            try:
                response: httpx.Response = yield send
            except httpx.TransportError as exc:
                if paced:
                    yield RELEASE_SLOT
                yield Sleep(self._failed(call, exc, sent_at))
                continue
            except BaseException:  # cancellation included: the slot is released before it propagates
                if paced:
                    yield RELEASE_SLOT
                raise
            if paced:
                yield RELEASE_SLOT
            if call.observed:
                report.answered(call, response.status_code, clock.now() - sent_at)
            status = response.status_code
            if status < 400 and status not in json_statuses:
                return response
            try:
                yield Read(response)
            except httpx.TransportError as exc:
                yield Close(response)
                yield Sleep(self._failed(call, exc, sent_at))
                continue
            if status < 400:
                parsed = parse_json(response)
                if type(parsed) is dict:  # every JSON success body of the document is an object
                    return with_json(response, parsed)
                yield Sleep(self._malformed(call, response, sent_at, parsed is not MALFORMED))
                continue
            if operation is not None and is_throttle_response(response):
                now = clock.now()
                retry_at = now + lock_delay(response.headers.get("Retry-After"), now, operation.rate_limit.lock)
                yield LockOperation(retry_at)
                return self._throttled(call, response, retry_at)
            delay = self._retry_delay(call, response)
            if delay is None:
                return self._final(call, response)
            yield Close(response)
            yield Sleep(delay)

    # -- the decisions (no I/O) ----------------------------------------------------------------------

    def _decide(self, call: Call, outcome: BaseException | httpx.Response, now: float) -> float | None:
        return self._retry.decide(
            method=call.method,
            idempotent=call.idempotent,
            outcome=outcome,
            attempt=call.attempt,
            elapsed=now - call.start,
            now=now,
        )

    def _failed(self, call: Call, exc: httpx.TransportError, sent_at: float) -> float:
        """Delay before the next attempt after a transport failure, or raise :class:`CliqTransportError`."""
        now = self._clock.now()
        call.maybe_sent = call.maybe_sent or may_have_been_sent(exc)
        reason = type(exc).__name__
        self._report.failed(call, reason, now - sent_at)
        delay = self._decide(call, exc, now)
        if delay is None:
            raise CliqTransportError(
                self._give_up_message(call, reason),
                operation_id=call.operation_id,
                attempts=call.attempt,
                may_have_been_sent=call.maybe_sent,
            ) from exc
        self._report.retrying(call, delay, reason)
        return delay

    def _malformed(self, call: Call, response: httpx.Response, sent_at: float, is_json: bool) -> float:
        """Delay before the next attempt after a success answer whose body is not a JSON object, or raise.

        The server answered, so it may have applied the request: retried only
        if idempotent, else (or once retries are spent) :class:`MalformedResponseError`
        saying so.  ``is_json``: the body is JSON, but not an object.
        """
        now = self._clock.now()
        call.maybe_sent = True
        content_type = response.headers.get("Content-Type", "no content-type")[:80]
        what = "JSON but not an object" if is_json else "not JSON"
        reason = f"malformed HTTP {response.status_code} body ({what}; {len(response.content)} bytes, {content_type})"
        self._report.malformed(call, reason, now - sent_at)
        status_code = response.status_code
        outcome = MalformedResponseError(
            reason, operation_id=call.operation_id, attempts=call.attempt, status_code=status_code, response=response
        )
        delay = self._decide(call, outcome, now)
        if delay is None:
            message = self._give_up_message(call, reason)
            if not call.idempotent:
                message += " (the server answered, so it may have been applied)"
            raise MalformedResponseError(
                message,
                operation_id=call.operation_id,
                attempts=call.attempt,
                status_code=status_code,
                response=response,
            )
        self._report.retrying(call, delay, reason)
        return delay

    def _retry_delay(self, call: Call, response: httpx.Response) -> float | None:
        delay = self._decide(call, response, self._clock.now())
        if delay is not None:
            self._report.retrying(call, delay, f"HTTP {response.status_code}")
        return delay

    def _give_up_message(self, call: Call, reason: str) -> str:
        """Why the call failed for good (logged as a warning); no header, body or query in it."""
        attempts = call.attempt
        message = f"{call.operation_id or call.method}: {reason} after {attempts} attempt{'s' if attempts > 1 else ''}"
        if call.maybe_sent:
            message += "; the request may have reached the server"
            if not call.idempotent:
                message += " and was not replayed, since it is not idempotent"
        self._report.gave_up(call, message)
        return message

    def _throttled(self, call: Call, response: httpx.Response, retry_at: float) -> httpx.Response:
        """The operation is locked until ``retry_at``: reported, then returned or raised as :class:`ThrottledError`."""
        retry_after = max(retry_at - self._clock.now(), 0.0)
        self._report.throttled(call, response.status_code, retry_at, retry_after)
        if not self._raise_on_error:
            return response
        body, code, message = parse_error_body(response)
        raise ThrottledError(
            retry_at=retry_at,
            retry_after=retry_after,
            status_code=response.status_code,
            message=message or ERROR_MESSAGES.get(429, "throttled"),
            code=code,
            operation_id=str(call.operation_id),
            response=response,
            body=body,
        )

    def _final(self, call: Call, response: httpx.Response) -> httpx.Response:
        """The last answer, body read: returned, or raised as the typed error of its status."""
        operation = call.operation
        if operation is None or not self._raise_on_error or response.status_code == 401:
            return response
        raise error_from_response(
            response,
            operation_id=operation.operation_id,
            required_scopes=operation.scopes,
            default_messages=ERROR_MESSAGES,
        )
