"""The transport that turns a plain httpx client into a careful Cliq client.

:class:`CliqTransport` wraps an inner sync and an inner async transport (one
object serves ``httpx.Client`` and ``httpx.AsyncClient``, like
``httpx.MockTransport``).  For each request that
:func:`~.operations.match_operation` maps to an API operation it:

1. validates it against the operation's schemas (``validation.py``), raising
   :class:`CliqValidationError` before anything is sent;
2. takes a rate-limit slot for (user, operation) from the
   :class:`~.ratelimit.RateLimiter`, waiting up to ``max_wait`` (raising
   :class:`OperationLockedError` at once if the server locked the operation);
3. sends it through the inner transport, retrying transient faults as
   :class:`~.retry.RetryPolicy` allows -- a request that may have reached the
   server is replayed only if its method is idempotent, so a POST is replayed
   only after ``ConnectError``/``ConnectTimeout``/``PoolTimeout``; each retry
   takes a new slot; right before each attempt it calls the auth flow's
   re-stamp hook, if the request has one (``RESTAMP_EXTENSION``), so a token
   refreshed while the request waited for its slot is the one sent;
4. releases the slot when the attempt completes (its stamp is that moment);
5. reads and parses, once, the JSON body of a success answer that has one
   (any 2xx the operation documents, except 204): a body cut short or not
   JSON is retried like a transport failure if the method is idempotent, else
   raised as :class:`MalformedResponseError` (``may_have_been_sent=True``); the
   response handed back serves ``json()`` from that parse, so the generated
   ``_parse_response`` does not parse it again;
6. maps the answer: a throttle (429, or 400 ``request_limit_exceeded``) locks
   the operation for ``Retry-After`` or the rule's lock period and raises
   :class:`ThrottledError` (never retried); any other error status except 401
   raises the typed error of ``errors.py``; a 401 is returned, body read, for
   the auth flow to refresh and replay.  With ``raise_on_error=False`` every
   answer is returned untouched (throttles still lock), for the generated
   ``*_detailed`` functions.

Requests that match no operation (the token endpoint) are only retried,
unless they match one once empty path parameters are allowed
(``get_channel("")`` -> ``/channels/``): those are refused like step 1.  A
final transport failure (including one while reading a body the transport
reads) raises :class:`CliqTransportError` chained from the httpx exception,
in both ``raise_on_error`` modes, as does a final malformed success body; a
final 5xx of an operation raises :class:`ServerError`.

One implementation serves both clients, as in ``auth.py``: the steps above
are written once, in :meth:`CliqTransport._flow`, as a sans-IO generator that
yields *effects* (take a slot, send, release, read, close, sleep, lock) and
receives their results -- or has their exceptions thrown in, so its
``try``/``except`` blocks behave as inline code would.  ``handle_request``
and ``handle_async_request`` are the two drivers that carry effects out with
blocking or awaitable calls; they add nothing else, so an async release after
a cancellation still happens before the cancellation propagates, with no
checkpoint of ours in between.  The generator costs about 1 us per call.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator
from types import TracebackType
from typing import Any

import httpx

from ..operation_table import ERROR_MESSAGES
from .clock import SYSTEM_CLOCK, Clock
from .errors import (
    CliqTransportError,
    MalformedResponseError,
    ThrottledError,
    TokenRefreshError,
    error_from_response,
    is_throttle_response,
    parse_error_body,
)
from .observability import (
    RATELIMIT_LOGGER,
    RETRY_LOGGER,
    TRANSPORT_LOGGER,
    ClientHooks,
    ErrorEvent,
    RateLimitWaitEvent,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
    ThrottleEvent,
    call_hook,
    log,
)
from .operations import (
    OPERATIONS_BY_ID,
    ORIGIN_EXTENSION,
    RESTAMP_EXTENSION,
    TOKEN_REQUEST_EXTENSION,
    Operation,
    match_operation,
)
from .ratelimit import LocalRateLimiter, RateLimiter
from .retry import IDEMPOTENT_METHODS, RetryPolicy, lock_delay, may_have_been_sent
from .strict_json import loads_strict
from .validation import refuse_empty_path_parameter, validator_for

__all__ = ["CliqTransport"]

_DEBUG = logging.DEBUG
#: Shorter waits for a slot (taking the limiter's lock) are not reported as rate-limit waits.
_REPORTED_WAIT = 0.001
#: Per operation: the success statuses whose answer carries a JSON body (the generated parser reads it).
_JSON_STATUSES: dict[str, frozenset[int]] = {
    operation_id: frozenset(status for status in operation.success_statuses if status != 204)
    for operation_id, operation in OPERATIONS_BY_ID.items()
}
_NO_STATUSES: frozenset[int] = frozenset()
_MALFORMED = object()  # what _parse_json returns for a body that is not strict JSON
#: Same-origin redirects one call may follow (with ``follow_redirects=True``); then ``CliqTransportError``,
#: before httpx's own limit would raise its ``TooManyRedirects`` outside the hierarchy.
_MAX_REDIRECTS = 5
_REDIRECTS_EXTENSION = "cliq_channels_client.redirects"


class _ParsedResponse(httpx.Response):
    """A success answer whose JSON body the transport parsed once; ``json()`` returns that value.

    The generated ``_parse_response`` calls ``response.json()``; served from
    here, the body is parsed once per call.  ``json(**kwargs)`` with arguments
    parses again, as httpx does.
    """

    _parsed_json: Any

    def json(self, **kwargs: Any) -> Any:
        if kwargs:
            return super().json(**kwargs)
        return self._parsed_json


def _parse_json(response: httpx.Response) -> Any:
    """The body as strict JSON (``strict_json.py``: no NaN, no nesting too deep), or :data:`_MALFORMED`."""
    try:
        return loads_strict(response.content)
    except ValueError:  # NotStrictJSONError: syntax, encoding, empty, non-finite, too deep
        return _MALFORMED


def _refuse_redirect_elsewhere(request: httpx.Request, operation: Operation | None) -> None:
    """Refuse a request that httpx is redirecting (``follow_redirects=True``) away from where we sent it.

    httpx hands a redirect the original's ``extensions`` dict, so the URL
    recorded there on the first pass tells a redirect apart (the same URL
    object on every attempt: one identity test on the common path).  The
    token request goes to its one URL only (its body holds the client
    secret); an API request stays on its origin (a data-centre host or the
    caller's ``base_url``).  Raised before anything is sent to the new location.
    """
    url = request.url
    first = request.extensions.setdefault(ORIGIN_EXTENSION, url)
    if first is url:
        return
    if request.extensions.get(TOKEN_REQUEST_EXTENSION) is not None:
        raise TokenRefreshError(
            "the accounts server redirected the token request; not followed (its body holds the "
            "client secret and the refresh token): check accounts_url / data_centre"
        )
    operation_id = operation.operation_id if operation is not None else None
    if not isinstance(first, httpx.URL) or (first.scheme, first.host, first.port) != (url.scheme, url.host, url.port):
        problem = (
            "a redirect to another origin; not followed "
            "(API requests stay on the data centre's host or the base_url given)"
        )
    else:
        hops = request.extensions[_REDIRECTS_EXTENSION] = request.extensions.get(_REDIRECTS_EXTENSION, 0) + 1
        if hops <= _MAX_REDIRECTS:
            return
        problem = f"more than {_MAX_REDIRECTS} redirects; not followed further"
    raise CliqTransportError(
        f"{operation_id or request.method}: the server answered with {problem}",
        operation_id=operation_id,
        attempts=1,
        may_have_been_sent=True,
    )


def _with_json(response: httpx.Response, parsed: Any) -> httpx.Response:
    """The same response object, now serving ``json()`` from ``parsed``.

    A plain ``httpx.Response`` changes class in place (no copy of headers,
    stream or extensions); a response of some other subclass is left alone
    and simply parses again when asked.
    """
    if type(response) is httpx.Response:
        response.__class__ = _ParsedResponse
        response._parsed_json = parsed  # type: ignore[attr-defined]
    return response


# --- effects: what the sans-IO flow asks its driver to do ------------------------------------
#
# Plain ``__slots__`` classes rather than attrs (as ``auth.py`` uses): the flow runs on every
# request, and the payload-free effects are shared singletons, so the common call allocates
# one effect (``_Read``) besides the generator.


class _Acquire:
    """Take the call's rate-limit slot (waits; raises if the key is locked or the wait too long)."""

    __slots__ = ()


class _Send:
    """Send the request through the inner transport; reply: the response, body not read."""

    __slots__ = ()


class _Release:
    """The attempt completed: stamp the call's slot now (async: without checkpointing)."""

    __slots__ = ()


class _Read:
    """Read the response body."""

    __slots__ = ("response",)

    def __init__(self, response: httpx.Response) -> None:
        self.response = response


class _Close:
    """Close a response that will not be returned (before a retry)."""

    __slots__ = ("response",)

    def __init__(self, response: httpx.Response) -> None:
        self.response = response


class _Sleep:
    """Wait ``delay`` seconds on the clock before the next attempt."""

    __slots__ = ("delay",)

    def __init__(self, delay: float) -> None:
        self.delay = delay


class _Lock:
    """The server throttled: tell the limiter to refuse the call's key until ``until``."""

    __slots__ = ("until",)

    def __init__(self, until: float) -> None:
        self.until = until


_ACQUIRE = _Acquire()
_SEND = _Send()
_RELEASE = _Release()
_Effect = _Acquire | _Send | _Release | _Read | _Close | _Sleep | _Lock
_Flow = Generator[_Effect, Any, httpx.Response]
_Restamp = Callable[[httpx.Request], None]


class _Call:
    """Per-request state of the flow, shared with its driver."""

    __slots__ = (
        "attempt",
        "idempotent",
        "json_statuses",
        "key",
        "maybe_sent",
        "method",
        "observed",
        "operation",
        "operation_id",
        "request",
        "restamp",
        "start",
    )

    def __init__(
        self, operation: Operation | None, request: httpx.Request, key: str, observed: bool, restamp: _Restamp | None
    ) -> None:
        method = request.method
        self.operation = operation
        self.operation_id = operation.operation_id if operation is not None else None
        self.json_statuses = _JSON_STATUSES.get(self.operation_id or "", _NO_STATUSES)
        self.method = method
        self.idempotent = operation.is_idempotent if operation is not None else method in IDEMPOTENT_METHODS
        self.key = key
        self.observed = observed  # hooks set or DEBUG logging on: report each attempt
        self.request = request
        self.restamp = restamp  # the auth flow's re-stamp hook, called before each attempt
        self.start = 0.0  # clock time the first attempt started
        self.attempt = 0
        self.maybe_sent = False


class CliqTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Validation, pacing, safe retries and typed errors around an inner transport.

    ``transport`` / ``async_transport`` default to ``httpx.HTTPTransport`` /
    ``httpx.AsyncHTTPTransport`` built lazily from ``transport_options``
    (``verify``, ``cert``, ``http2``, ``limits``, ``proxy``...; ``retries``
    defaults to 0 because retrying is this class's job).  Closing this
    transport closes the inner one of the same kind, as httpx closes the
    transport it is given.
    """

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        rate_limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        user_key: str = "default",
        clock: Clock = SYSTEM_CLOCK,
        max_wait: float = 120.0,
        validate: bool = True,
        raise_on_error: bool = True,
        hooks: ClientHooks | None = None,
        **transport_options: Any,
    ) -> None:
        if max_wait < 0:
            raise ValueError("max_wait must be >= 0")
        self._transport = transport
        self._async_transport = async_transport
        self._options = transport_options
        self._create_lock = threading.Lock()
        self._clock = clock
        self._limiter: RateLimiter = rate_limiter if rate_limiter is not None else LocalRateLimiter(clock=clock)
        self._retry = retry if retry is not None else RetryPolicy()
        self._user_key = user_key
        self._keys = {operation_id: f"{user_key}:{operation_id}" for operation_id in OPERATIONS_BY_ID}
        self._max_wait = float(max_wait)
        self._validate = validate
        self._raise_on_error = raise_on_error
        self._hooks = hooks

    def __repr__(self) -> str:
        return f"CliqTransport(user_key={self._user_key!r}, retry={self._retry!r}, rate_limiter={self._limiter!r})"

    @property
    def rate_limiter(self) -> RateLimiter:
        return self._limiter

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._retry

    # -- drivers: the only code that does I/O -------------------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        call = self._begin(request)
        flow = self._flow(call)
        inner = self._transport or self._sync_inner()
        limiter, operation = self._limiter, call.operation
        effect = next(flow)
        try:
            while True:
                try:
                    reply: Any = None
                    if effect is _SEND:
                        reply = inner.handle_request(request)
                    elif effect is _ACQUIRE:
                        assert operation is not None
                        limiter.acquire(
                            call.key, operation.rate_limit, operation_id=operation.operation_id, max_wait=self._max_wait
                        )
                    elif effect is _RELEASE:
                        assert operation is not None
                        limiter.release(call.key, operation.rate_limit)
                    elif isinstance(effect, _Read):
                        effect.response.read()
                    elif isinstance(effect, _Sleep):
                        self._clock.sleep(effect.delay)
                    elif isinstance(effect, _Close):
                        effect.response.close()
                    elif isinstance(effect, _Lock):
                        limiter.lock(call.key, effect.until)
                except BaseException as exc:
                    effect = flow.throw(exc)
                else:
                    effect = flow.send(reply)
        except StopIteration as done:
            response: httpx.Response = done.value
            return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        call = self._begin(request)
        flow = self._flow(call)
        inner = self._async_transport or self._async_inner()
        limiter, operation = self._limiter, call.operation
        effect = next(flow)
        try:
            while True:
                try:
                    reply: Any = None
                    if effect is _SEND:
                        reply = await inner.handle_async_request(request)
                    elif effect is _ACQUIRE:
                        assert operation is not None
                        await limiter.aacquire(
                            call.key, operation.rate_limit, operation_id=operation.operation_id, max_wait=self._max_wait
                        )
                    elif effect is _RELEASE:  # also after cancellation: arelease must not checkpoint
                        assert operation is not None
                        await limiter.arelease(call.key, operation.rate_limit)
                    elif isinstance(effect, _Read):
                        await effect.response.aread()
                    elif isinstance(effect, _Sleep):
                        await self._clock.asleep(effect.delay)
                    elif isinstance(effect, _Close):
                        await effect.response.aclose()
                    elif isinstance(effect, _Lock):
                        await limiter.alock(call.key, effect.until)
                except BaseException as exc:
                    effect = flow.throw(exc)
                else:
                    effect = flow.send(reply)
        except StopIteration as done:
            response: httpx.Response = done.value
            return response

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def __enter__(self) -> CliqTransport:
        self._sync_inner().__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        self.close()

    async def aclose(self) -> None:
        if self._async_transport is not None:
            await self._async_transport.aclose()

    async def __aenter__(self) -> CliqTransport:
        await self._async_inner().__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()

    # -- the per-request flow, written once (no I/O) -----------------------------------------------

    def _flow(self, call: _Call) -> _Flow:
        """Slot -> send -> release -> read and parse once -> lock on throttle / retry / map the answer.

        Every I/O step is a yielded effect; the driver carries it out and
        sends back its result, or throws its exception in here, so each
        ``try``/``except`` below sees exactly what the inline code would.
        Returns the response to hand to httpx.
        """
        operation = call.operation
        clock = self._clock
        while True:
            call.attempt += 1
            if operation is not None:
                before = clock.now()
                try:
                    yield _ACQUIRE
                except Exception as exc:
                    self._refused(call, exc)
                    raise
                sent_at = clock.now()
                if sent_at - before > _REPORTED_WAIT:
                    self._waited(call, sent_at - before)
            else:
                before = sent_at = clock.now()
            if call.attempt == 1:
                call.start = before
            if call.restamp is not None:  # the token may have been refreshed while this request waited
                call.restamp(call.request)
            if call.observed:
                self._sending(call)
            try:
                response: httpx.Response = yield _SEND
            except httpx.TransportError as exc:
                if operation is not None:
                    yield _RELEASE
                yield _Sleep(self._failed(call, exc, sent_at))
                continue
            except BaseException:  # cancellation included: the slot is released before it propagates
                if operation is not None:
                    yield _RELEASE
                raise
            if operation is not None:
                yield _RELEASE
            if call.observed:
                self._answered(call, response, sent_at)
            status = response.status_code
            if status < 400 and status not in call.json_statuses:
                return response
            try:
                yield _Read(response)
            except httpx.TransportError as exc:
                yield _Close(response)
                yield _Sleep(self._failed(call, exc, sent_at))
                continue
            if status < 400:
                parsed = _parse_json(response)
                if type(parsed) is dict:  # every JSON success body of the document is an object
                    return _with_json(response, parsed)
                yield _Sleep(self._malformed(call, response, sent_at, parsed is not _MALFORMED))
                continue
            if operation is not None and is_throttle_response(response):
                retry_at = self._lock_time(call, response)
                yield _Lock(retry_at)
                return self._throttled(call, response, retry_at)
            delay = self._retry_delay(call, response)
            if delay is None:
                return self._final(call, response)
            yield _Close(response)
            yield _Sleep(delay)

    # -- inner transports, created on first use ----------------------------------------------------

    def _sync_inner(self) -> httpx.BaseTransport:
        with self._create_lock:
            if self._transport is None:
                self._transport = httpx.HTTPTransport(**self._options)
            return self._transport

    def _async_inner(self) -> httpx.AsyncBaseTransport:
        with self._create_lock:
            if self._async_transport is None:
                self._async_transport = httpx.AsyncHTTPTransport(**self._options)
            return self._async_transport

    # -- the decisions, called by the flow (no I/O) --------------------------------------------------

    def _begin(self, request: httpx.Request) -> _Call:
        raw = request.url.raw_path
        cut = raw.find(b"?")
        path = (raw[:cut] if cut >= 0 else raw).decode("latin-1")
        operation = match_operation(request.method, path)
        observed = self._hooks is not None or TRANSPORT_LOGGER.isEnabledFor(_DEBUG)
        restamp = request.extensions.get(RESTAMP_EXTENSION)
        if restamp is not None and not callable(restamp):
            restamp = None
        _refuse_redirect_elsewhere(request, operation)
        if operation is None:
            if self._validate:
                refuse_empty_path_parameter(request.method, path)
            return _Call(None, request, "", observed, restamp)
        if self._validate:
            validator = validator_for(operation)
            validator.check_url_length(path, raw)
            validator.validate(request, path)
        key = self._keys.get(operation.operation_id) or f"{self._user_key}:{operation.operation_id}"
        return _Call(operation, request, key, observed, restamp)

    def _sending(self, call: _Call) -> None:
        log(
            TRANSPORT_LOGGER,
            _DEBUG,
            "sending %s %s",
            call.method,
            call.operation_id or "(no operation)",
            operation_id=call.operation_id,
            attempt=call.attempt,
        )
        if self._hooks is not None and self._hooks.on_request is not None:
            call_hook(self._hooks.on_request, RequestEvent(call.operation_id, call.method, call.attempt))

    def _answered(self, call: _Call, response: httpx.Response, sent_at: float) -> None:
        hooks = self._hooks
        duration = self._clock.now() - sent_at
        log(
            TRANSPORT_LOGGER,
            _DEBUG,
            "%s %s answered HTTP %d in %.3fs",
            call.method,
            call.operation_id or "(no operation)",
            response.status_code,
            duration,
            operation_id=call.operation_id,
            attempt=call.attempt,
        )
        if hooks is not None and hooks.on_response is not None:
            event = ResponseEvent(call.operation_id, call.method, call.attempt, response.status_code, duration)
            call_hook(hooks.on_response, event)

    def _waited(self, call: _Call, waited: float) -> None:
        log(
            RATELIMIT_LOGGER,
            _DEBUG,
            "%s waited %.3fs for a rate-limit slot",
            call.operation_id,
            waited,
            operation_id=call.operation_id,
            attempt=call.attempt,
        )
        if self._hooks is not None and self._hooks.on_rate_limit_wait is not None:
            call_hook(self._hooks.on_rate_limit_wait, RateLimitWaitEvent(str(call.operation_id), call.attempt, waited))

    def _refused(self, call: _Call, exc: Exception) -> None:
        log(
            RATELIMIT_LOGGER,
            logging.WARNING,
            "%s not sent: %s",
            call.operation_id,
            type(exc).__name__,
            operation_id=call.operation_id,
            attempt=call.attempt,
        )

    def _failed(self, call: _Call, exc: httpx.TransportError, sent_at: float) -> float:
        """Delay before the next attempt after a transport failure, or raise :class:`CliqTransportError`."""
        now = self._clock.now()
        call.maybe_sent = call.maybe_sent or may_have_been_sent(exc)
        reason = type(exc).__name__
        log(
            TRANSPORT_LOGGER,
            _DEBUG,
            "%s %s failed: %s",
            call.method,
            call.operation_id or "(no operation)",
            reason,
            operation_id=call.operation_id,
            attempt=call.attempt,
        )
        if self._hooks is not None and self._hooks.on_error is not None:
            call_hook(
                self._hooks.on_error, ErrorEvent(call.operation_id, call.method, call.attempt, reason, now - sent_at)
            )
        delay = self._retry.decide(
            method=call.method,
            idempotent=call.idempotent,
            outcome=exc,
            attempt=call.attempt,
            elapsed=now - call.start,
            now=now,
        )
        if delay is None:
            raise self._give_up(call, reason) from exc
        self._retrying(call, delay, reason)
        return delay

    def _malformed(self, call: _Call, response: httpx.Response, sent_at: float, is_json: bool) -> float:
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
        log(
            TRANSPORT_LOGGER,
            _DEBUG,
            "%s %s: %s",
            call.method,
            call.operation_id,
            reason,
            operation_id=call.operation_id,
            attempt=call.attempt,
        )
        if self._hooks is not None and self._hooks.on_error is not None:
            event = ErrorEvent(call.operation_id, call.method, call.attempt, "MalformedResponseError", now - sent_at)
            call_hook(self._hooks.on_error, event)
        outcome = MalformedResponseError(
            reason,
            operation_id=call.operation_id,
            attempts=call.attempt,
            status_code=response.status_code,
            response=response,
        )
        delay = self._retry.decide(
            method=call.method,
            idempotent=call.idempotent,
            outcome=outcome,
            attempt=call.attempt,
            elapsed=now - call.start,
            now=now,
        )
        if delay is None:
            message = self._give_up_message(call, reason)
            if not call.idempotent:
                message += " (the server answered, so it may have been applied)"
            raise MalformedResponseError(
                message,
                operation_id=call.operation_id,
                attempts=call.attempt,
                status_code=response.status_code,
                response=response,
            )
        self._retrying(call, delay, reason)
        return delay

    def _retry_delay(self, call: _Call, response: httpx.Response) -> float | None:
        now = self._clock.now()
        delay = self._retry.decide(
            method=call.method,
            idempotent=call.idempotent,
            outcome=response,
            attempt=call.attempt,
            elapsed=now - call.start,
            now=now,
        )
        if delay is not None:
            self._retrying(call, delay, f"HTTP {response.status_code}")
        return delay

    def _retrying(self, call: _Call, delay: float, reason: str) -> None:
        log(
            RETRY_LOGGER,
            logging.INFO,
            "%s %s: retrying in %.3fs after %s",
            call.method,
            call.operation_id or "(no operation)",
            delay,
            reason,
            operation_id=call.operation_id,
            attempt=call.attempt,
        )
        if self._hooks is not None and self._hooks.on_retry is not None:
            call_hook(self._hooks.on_retry, RetryEvent(call.operation_id, call.method, call.attempt, delay, reason))

    def _give_up(self, call: _Call, reason: str) -> CliqTransportError:
        return CliqTransportError(
            self._give_up_message(call, reason),
            operation_id=call.operation_id,
            attempts=call.attempt,
            may_have_been_sent=call.maybe_sent,
        )

    def _give_up_message(self, call: _Call, reason: str) -> str:
        """Why the call failed for good (logged as a warning); no header, body or query in it."""
        attempts = call.attempt
        message = f"{call.operation_id or call.method}: {reason} after {attempts} attempt{'s' if attempts > 1 else ''}"
        if call.maybe_sent:
            message += "; the request may have reached the server"
            if not call.idempotent:
                message += " and was not replayed, since it is not idempotent"
        log(RETRY_LOGGER, logging.WARNING, "%s", message, operation_id=call.operation_id, attempt=attempts)
        return message

    def _lock_time(self, call: _Call, response: httpx.Response) -> float:
        """Until when a throttled operation stays locked: the server's ``Retry-After`` capped at the rule's lock."""
        assert call.operation is not None
        now = self._clock.now()
        return now + lock_delay(response.headers.get("Retry-After"), now, call.operation.rate_limit.lock)

    def _throttled(self, call: _Call, response: httpx.Response, retry_at: float) -> httpx.Response:
        operation_id = str(call.operation_id)
        retry_after = max(retry_at - self._clock.now(), 0.0)
        log(
            RATELIMIT_LOGGER,
            logging.WARNING,
            "%s throttled by the server (HTTP %d); locked for %.0fs",
            operation_id,
            response.status_code,
            retry_after,
            operation_id=operation_id,
            attempt=call.attempt,
        )
        if self._hooks is not None and self._hooks.on_throttle is not None:
            event = ThrottleEvent(operation_id, call.attempt, response.status_code, retry_at, retry_after)
            call_hook(self._hooks.on_throttle, event)
        if not self._raise_on_error:
            return response
        body, code, message = parse_error_body(response)
        raise ThrottledError(
            retry_at=retry_at,
            retry_after=retry_after,
            status_code=response.status_code,
            message=message or ERROR_MESSAGES.get(429, "throttled"),
            code=code,
            operation_id=operation_id,
            response=response,
            body=body,
        )

    def _final(self, call: _Call, response: httpx.Response) -> httpx.Response:
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
