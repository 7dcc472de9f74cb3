"""The transport that turns a plain httpx client into a careful Cliq client.

:class:`CliqTransport` wraps an inner sync and an inner async transport (one
object serves ``httpx.Client`` and ``httpx.AsyncClient``, like
``httpx.MockTransport``).  For each request of an API operation (named by the
generated code in ``request.extensions``, read once by
:func:`~.operations.operation_of`; a request built by hand is matched by its
method and path) it:

1. validates it against the operation's schemas (``validation.py``), raising
   :class:`CliqValidationError` before anything is sent;
2. takes a rate-limit slot for (user, operation) from the
   :class:`~.ratelimit.RateLimiter`, waiting up to ``max_wait`` (raising
   :class:`OperationLockedError` at once if the server locked the operation;
   none for a limiter that declares ``paces = False``, such as
   :class:`~.ratelimit.UnlimitedRateLimiter`);
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
unless they match one once empty path parameters are allowed (a request
built by hand as ``/channels//members``; the generated functions refuse an
empty parameter themselves): those are refused like step 1.  A
final transport failure (including one while reading a body the transport
reads) raises :class:`CliqTransportError` chained from the httpx exception,
in both ``raise_on_error`` modes, as does a final malformed success body; a
final 5xx of an operation raises :class:`ServerError`.

One implementation serves both clients, as in ``auth.py``: the steps above
are written once, in :meth:`~.call_flow.CallFlow.run` (``call_flow.py``), as a
sans-IO generator that yields the effects of ``effects.py`` (take a slot,
send, release, read, close, sleep, lock) and receives their results -- or has
their exceptions thrown in, so its ``try``/``except`` blocks behave as inline
code would.  ``handle_request`` and ``handle_async_request`` here are the two
drivers that carry effects out with blocking or awaitable calls; they add
nothing else, so an async release after a cancellation still happens before
the cancellation propagates, with no checkpoint of ours in between.  The
generator costs about 1 us per call.  Body parsing is in ``json_bodies.py``,
the redirect rule in ``redirects.py``, log records and hooks in
``observability.py`` (:class:`~.observability.TransportReporter`).
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

import httpx

from .call_flow import CallFlow
from .clock import SYSTEM_CLOCK, Clock
from .effects import RELEASE_SLOT, TAKE_SLOT, Close, LockOperation, Read, Send, Sleep
from .observability import ClientHooks, TransportReporter
from .ratelimit import LocalRateLimiter, RateLimiter
from .retry import RetryPolicy

__all__ = ["CliqTransport"]


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
        self._max_wait = float(max_wait)
        self._flow = CallFlow(
            clock=clock,
            retry=self._retry,
            user_key=user_key,
            validate=validate,
            raise_on_error=raise_on_error,
            reporter=TransportReporter(hooks),
            paces=getattr(self._limiter, "paces", True) is not False,
        )

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
        call = self._flow.begin(request)
        flow = self._flow.run(call)
        inner = self._transport or self._sync_inner()
        limiter, operation = self._limiter, call.operation
        effect = next(flow)
        try:
            while True:
                try:
                    reply: Any = None
                    if type(effect) is Send:
                        reply = inner.handle_request(effect.request)
                    elif type(effect) is Read:
                        effect.response.read()
                    elif effect is TAKE_SLOT:
                        assert operation is not None
                        limiter.acquire(
                            call.key, operation.rate_limit, operation_id=operation.operation_id, max_wait=self._max_wait
                        )
                    elif effect is RELEASE_SLOT:
                        assert operation is not None
                        limiter.release(call.key, operation.rate_limit)
                    elif isinstance(effect, Sleep):
                        self._clock.sleep(effect.delay)
                    elif isinstance(effect, Close):
                        effect.response.close()
                    elif isinstance(effect, LockOperation):
                        limiter.lock(call.key, effect.until)
                except BaseException as exc:
                    effect = flow.throw(exc)
                else:
                    effect = flow.send(reply)
        except StopIteration as done:
            response: httpx.Response = done.value
            return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        call = self._flow.begin(request)
        flow = self._flow.run(call)
        inner = self._async_transport or self._async_inner()
        limiter, operation = self._limiter, call.operation
        effect = next(flow)
        try:
            while True:
                try:
                    reply: Any = None
                    if type(effect) is Send:
                        reply = await inner.handle_async_request(effect.request)
                    elif type(effect) is Read:
                        await effect.response.aread()
                    elif effect is TAKE_SLOT:
                        assert operation is not None
                        await limiter.aacquire(
                            call.key, operation.rate_limit, operation_id=operation.operation_id, max_wait=self._max_wait
                        )
                    elif effect is RELEASE_SLOT:  # also after cancellation: arelease must not checkpoint
                        assert operation is not None
                        await limiter.arelease(call.key, operation.rate_limit)
                    elif isinstance(effect, Sleep):
                        await self._clock.asleep(effect.delay)
                    elif isinstance(effect, Close):
                        await effect.response.aclose()
                    elif isinstance(effect, LockOperation):
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
