"""Authentication as an ``httpx.Auth``: Zoho OAuth with refresh, or a static access token.

:class:`ZohoOAuth` keeps a valid access token on every request without ever
costing more token requests than needed, because Zoho blocks a refresh token
after 10 token requests in 10 minutes:

* it refreshes ``refresh_margin`` seconds before expiry, and once more when a
  401 says the token is invalid, replaying that request once;
* refreshes are single-flight: a lock per process (``threading.Lock`` for the
  sync client, an ``anyio.Lock`` for the async one) and the store's lock
  across processes; whoever waited re-reads the store and finds the new token;
* it counts token requests in the store (shared by all its users) and refuses,
  with :class:`TokenRefreshError` and ``retry_at``, to exceed the issuance
  limit; a refusal by Zoho is recorded the same way, so nobody loops on it.

One implementation serves both clients.  The flow is written once, in
:meth:`ZohoOAuth._flow`, as a sans-IO generator that yields the effects of
``effects.py`` (send this request, read that body, load/save the store,
take/release the locks); ``_drive_sync`` and ``_drive_async`` (behind
``sync_auth_flow`` / ``async_auth_flow``) carry them out with blocking or
awaitable I/O.  The token endpoint's requests, answers and issuance budget
are ``token_endpoint.py``'s.  The token request is an effect
like any other request, so it goes through the client's own transport (like
``httpx.DigestAuth``'s second request).

Each stamped request also carries a re-stamp hook (``request.extensions``
key :data:`~.operations.RESTAMP_EXTENSION`) that :class:`~.transport.CliqTransport`
calls once the request has its rate-limit slot, before each attempt: a
token refreshed while the request waited in the queue goes out at once
(no I/O, never a refresh), instead of costing a 401, a replay and a slot.
On a 401 the flow judges the token the request really carried.

On a 401 that blames the token: if the request carried a token that has
since been replaced (refreshed while it waited in the pool or the
rate-limit queue, here or by another user of the store), it is replayed
with the current token, which is neither a rejection nor a refresh.
Otherwise the token is refreshed once and the request replayed once; if
the replay is a 401 too, :class:`AuthenticationError` is raised.  A later
call that gets a 401 refreshes again (a revoked-then-reissued token heals
on its own), so a server that rejects every token costs one token request
per call until the issuance guard stops it with :class:`TokenRefreshError`
and its ``retry_at``: bounded, never a loop.  A request is sent at most
three times (stale, current, refreshed token).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any, Literal

import anyio
import httpx

from .clock import SYSTEM_CLOCK, Clock
from .effects import (
    LOAD_TOKENS,
    RELEASE_LOCKS,
    Flow,
    LoadTokens,
    Read,
    ReleaseLocks,
    SaveTokens,
    Send,
    TakeLock,
)
from .errors import TokenRefreshError, error_from_response, parse_error_body
from .observability import ClientHooks, TokenRefreshEvent, call_hook
from .operations import ORIGIN_EXTENSION, RESTAMP_EXTENSION, Operation, operation_of, request_path
from .token_endpoint import (
    IssuanceBudget,
    TokenEndpoint,
    check_credential,
    is_issuance_refusal,
    token_from_response,
    trusted_origin,
    unsendable,
)
from .tokens import MemoryTokenStore, Token, TokenState, TokenStore
from .validation import refuse_empty_path_parameter, validate_request

__all__ = ["StaticTokenAuth", "ZohoOAuth"]

_log = logging.getLogger("cliq_channels_client.auth")

#: 401 codes meaning "this access token is no good" (Cliq's, and the spellings other Zoho APIs use).
_REJECTED_TOKEN_CODES = frozenset({"oauthtoken_invalid", "oauthtoken_expired", "invalid_oauthtoken", "invalid_token"})
#: Fragments of 401 messages meaning the same, e.g. "Request was rejected because of invalid AuthToken."
_REJECTED_TOKEN_MESSAGES = ("invalid authtoken", "invalid oauthtoken", "invalid oauth token", "token expired")
#: ``request.extensions`` key of the :class:`Token` whose value the ``Authorization`` header carries.
_STAMPED_EXTENSION = "cliq_channels_client.stamped_token"


_PROCESS_LOCK = TakeLock("process")
_STORE_LOCK = TakeLock("store")
_TokenFlow = Flow[Token]
_Reason = Literal["missing", "expiring", "rejected"]


# --- helpers ---------------------------------------------------------------------------------


def _says_token_rejected(response: httpx.Response) -> bool:
    """A 401 qualifies for refresh-and-replay only if its body blames the access token."""
    _, code, message = parse_error_body(response)
    if code is not None and code.lower() in _REJECTED_TOKEN_CODES:
        return True
    return message is not None and any(fragment in message.lower() for fragment in _REJECTED_TOKEN_MESSAGES)


def _stamped(request: httpx.Request, default: Token) -> Token:
    """The token the request actually carried when it was sent (re-stamping may have changed it)."""
    stamped = request.extensions.get(_STAMPED_EXTENSION)
    return stamped if isinstance(stamped, Token) else default


# --- the OAuth flow --------------------------------------------------------------------------


class ZohoOAuth(httpx.Auth):
    """Zoho OAuth 2.0 with a refresh token: refresh ahead of expiry, single-flight, within the issuance limit.

    ``accounts_url`` is the data centre's accounts origin (``DataCentre.accounts_origin``).
    With ``follow_api_domain``, API requests go to the Cliq host of the data
    centre the token response names; an ``api_domain`` that is not the HTTPS
    host of a centre in the table is a :class:`TokenRefreshError`, and the
    token is sent nowhere.  Tokens (given, issued or found in the store) and
    credentials that cannot travel in a header or form are refused before
    anything is sent.  With ``validate`` (the default), a request that would
    need a token request first is validated before it, so a call the
    transport would refuse costs no token.  With ``raise_on_error=False`` a
    final 401 is returned instead of raised.

    A 401 is handled as the module docstring says.  ``hooks.on_token_refresh``
    is called after each successful refresh, once the refresh locks are
    released.  Use one instance with either sync or async clients, not both at
    once: the two share the store but not a process lock.
    """

    requires_request_body = True  # a replay after a 401 resends the body
    requires_response_body = True  # the 401 body says whether the token is to blame

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        accounts_url: str,
        store: TokenStore | None = None,
        clock: Clock = SYSTEM_CLOCK,
        refresh_margin: float = 300.0,
        max_token_requests: int = 10,
        token_request_window: float = 600.0,
        follow_api_domain: bool = True,
        raise_on_error: bool = True,
        hooks: ClientHooks | None = None,
        validate: bool = True,
    ) -> None:
        self._endpoint = TokenEndpoint(
            url=f"{accounts_url.rstrip('/')}/oauth/v2/token",
            client_id=client_id,
            client_secret=client_secret,
            refresh_token=refresh_token,
        )
        if refresh_margin < 0:
            raise ValueError("refresh_margin must be >= 0")
        self._budget = IssuanceBudget(max_token_requests, token_request_window)
        self._client_id = client_id
        self._accounts_url = accounts_url.rstrip("/")
        self._store: TokenStore = store if store is not None else MemoryTokenStore()
        self._clock = clock
        self._margin = float(refresh_margin)
        self._follow_api_domain = follow_api_domain
        self._raise_on_error = raise_on_error
        self._hooks = hooks
        self._validate = validate
        self._thread_lock = threading.Lock()
        self._anyio_lock: anyio.Lock | None = None  # created on first async use, inside the event loop
        self._cached: Token | None = None  # last token seen; the store is read only when it is not fresh
        self._checked: Token | None = None  # last token found header-safe and bound for a trusted host
        self._restamp_hook = self._restamp  # one bound method, not one per request
        self.token_requests = 0

    def __repr__(self) -> str:
        return f"ZohoOAuth(client_id={self._client_id!r}, accounts_url={self._accounts_url!r})"

    # -- drivers: the only code that does I/O or locking (_drive_sync / _drive_async below) -----

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        return _drive_sync(request, self._flow(request), self._store, self._thread_lock)

    def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        return _drive_async(request, self._flow(request), self._store, self._async_lock)

    def _async_lock(self) -> anyio.Lock:
        if self._anyio_lock is None:  # no await between test and set: safe within one event loop
            self._anyio_lock = anyio.Lock()
        return self._anyio_lock

    # -- the flow, written once ----------------------------------------------------------------

    def _flow(self, request: httpx.Request) -> Flow[None]:
        """Authorize, send; on a 401 that blames the token, refresh once and replay once.

        A 401 for a token that is no longer the current one (it was refreshed
        while this request waited in the connection pool or the rate-limit
        queue) is not a rejection: the request is replayed once with the
        current token, with no lock, no refresh and no budget spent.
        """
        operation = operation_of(request)
        operation_id = operation.operation_id if operation else None
        token = yield from self._usable_token(request, operation)
        response = yield Send(self._authorize(request, token, operation))
        if response.status_code != 401:
            return
        token = _stamped(request, token)  # the transport may have re-stamped it before sending
        yield Read(response)
        if _says_token_rejected(response):
            current = yield from self._newer_token(token)
            if current is not None:
                _log.debug(
                    "HTTP 401 for a token refreshed while the request waited; replaying with the current token",
                    extra={"operation_id": operation_id, "attempt": 1},
                )
                token = current
                response = yield Send(self._authorize(request, token, operation))
                if response.status_code != 401:
                    return
                token = _stamped(request, token)
                yield Read(response)
        if _says_token_rejected(response):
            _log.info(
                "access token rejected (HTTP 401); refreshing once and replaying",
                extra={"operation_id": operation_id, "attempt": 1},
            )
            token = yield from self._refresh(request, operation_id, rejected=token, reason="rejected")
            response = yield Send(self._authorize(request, token, operation))
            if response.status_code != 401:
                return
            yield Read(response)
            _log.warning(
                "access token rejected again right after a refresh",
                extra={"operation_id": operation_id, "attempt": 2},
            )
        if self._raise_on_error:
            raise error_from_response(response, operation_id=operation_id)

    def _restamp(self, request: httpx.Request) -> None:
        """The re-stamp hook: put the cached token on ``request`` if it is fresh and replaced the one stamped.

        Called by the transport right before each send attempt, after the
        request waited for its rate-limit slot: a token refreshed meanwhile (by
        this process, or found in the store by another request) goes out at
        once instead of costing a 401, a replay and a second slot.  No I/O, no
        lock, never a refresh; a token naming another data centre than the one
        stamped is left to the 401 path, which re-routes the request.
        """
        cached = self._cached
        stamped = request.extensions.get(_STAMPED_EXTENSION)
        if cached is None or cached is stamped or not isinstance(stamped, Token):
            return
        if cached is not self._checked and unsendable(cached, self._follow_api_domain) is not None:
            return  # left to the flow, whose _authorize raises the clear error
        if cached.access_token == stamped.access_token or not cached.is_fresh(self._clock.now(), self._margin):
            return
        if self._follow_api_domain and cached.api_domain != stamped.api_domain:
            return
        if "Authorization" not in request.headers:
            return  # httpx dropped it on a redirect to another origin: the token stays off that request
        request.headers["Authorization"] = f"Zoho-oauthtoken {cached.access_token}"
        request.extensions[_STAMPED_EXTENSION] = cached

    def _newer_token(self, sent: Token) -> Flow[Token | None]:
        """A fresh token other than ``sent`` (cached, else in the store), without locking or refreshing."""
        now = self._clock.now()
        cached = self._cached
        if cached is not None and cached.access_token != sent.access_token and cached.is_fresh(now, self._margin):
            return cached
        state: TokenState = yield LOAD_TOKENS
        token = state.token
        if token is not None and token.access_token != sent.access_token and token.is_fresh(now, self._margin):
            self._cached = token
            return token
        return None

    def _usable_token(self, request: httpx.Request, operation: Operation | None) -> _TokenFlow:
        cached = self._cached
        if cached is not None and cached.is_fresh(self._clock.now(), self._margin):
            return cached
        state: TokenState = yield LOAD_TOKENS
        token = state.token
        if token is not None and token.is_fresh(self._clock.now(), self._margin):
            self._cached = token
            return token
        reason: _Reason = "missing" if token is None else "expiring"
        self._refuse_invalid(request, operation)
        operation_id = operation.operation_id if operation else None
        return (yield from self._refresh(request, operation_id, rejected=None, reason=reason))

    def _refuse_invalid(self, request: httpx.Request, operation: Operation | None) -> None:
        """Validate before a token request, so a call the transport would refuse costs no token either.

        The transport validates every request anyway; doing it here too only
        when a token must be requested keeps the common path at one validation.
        """
        if not self._validate:
            return
        if operation is not None:
            validate_request(operation, request)
        else:
            refuse_empty_path_parameter(request.method, request_path(request))

    def _reusable(self, token: Token | None, rejected: Token | None) -> Token | None:
        """A token someone else obtained while we waited for the lock, if any."""
        if token is None or not token.is_fresh(self._clock.now(), self._margin):
            return None
        if rejected is not None and token.access_token == rejected.access_token:
            return None
        return token

    def _refresh(
        self, request: httpx.Request, operation_id: str | None, *, rejected: Token | None, reason: _Reason
    ) -> _TokenFlow:
        """Single-flight: re-read the store under each lock; request a token only if still needed."""
        for lock in (_PROCESS_LOCK, _STORE_LOCK):
            yield lock
            state: TokenState = yield LOAD_TOKENS
            reusable = self._reusable(state.token, rejected)
            if reusable is not None:
                yield RELEASE_LOCKS
                self._cached = reusable
                return reusable
        token = yield from self._request_token(state, request, operation_id, rejected=rejected, reason=reason)
        yield RELEASE_LOCKS
        if self._hooks is not None and self._hooks.on_token_refresh is not None:
            obtained = token.obtained_at if token.obtained_at is not None else self._clock.now()
            event = TokenRefreshEvent(reason, token.expires_at - obtained, obtained, operation_id)
            call_hook(self._hooks.on_token_refresh, event)
        return token

    def _request_token(
        self,
        state: TokenState,
        request: httpx.Request,
        operation_id: str | None,
        *,
        rejected: Token | None,
        reason: _Reason,
    ) -> _TokenFlow:
        """Send one token request, within the issuance budget; called with both locks held."""
        now = self._clock.now()
        budget = self._budget
        issued = budget.recent(state.issued, now)
        current = state.token
        if current is not None and rejected is not None and current.access_token == rejected.access_token:
            current = None  # invalidated: nobody should send it again
        self._cached = None
        extra = {"operation_id": operation_id, "attempt": 1 if rejected is None else 2, "reason": reason}
        refusal = budget.spent(issued, now, extra)
        if refusal is not None:
            if TokenState(current, issued) != state:
                yield SaveTokens(TokenState(current, issued))
            raise refusal
        issued = (*issued, now)
        yield SaveTokens(TokenState(current, issued))  # counted before sending: Zoho counts it even if we fail
        self.token_requests += 1
        _log.info("token refresh started (%s), token request %d in this window", reason, len(issued), extra=extra)
        response: httpx.Response = yield Send(self._endpoint.request(request))
        yield Read(response)
        if is_issuance_refusal(response):
            yield SaveTokens(TokenState(current, budget.all_spent(issued, now)))
            raise budget.refused_by_zoho(response, now, extra)
        try:
            token = token_from_response(response, now, follow_api_domain=self._follow_api_domain)
        except TokenRefreshError as error:
            _log.warning("token refresh failed: %s", error, extra=extra)
            raise
        yield SaveTokens(TokenState(token, issued))
        self._cached = token
        _log.info(
            "token refresh finished: valid for %.0fs, api_domain=%s",
            token.expires_at - now,
            token.api_domain,
            extra=extra,
        )
        return token

    def _check(self, token: Token) -> None:
        """A token from the store (written by anyone) passes the checks of an issued one before it is sent."""
        if token is self._checked:
            return
        problem = unsendable(token, self._follow_api_domain)
        if problem is not None:
            raise problem
        self._checked = token

    def _authorize(self, request: httpx.Request, token: Token, operation: Operation | None) -> httpx.Request:
        """Set the header and the re-stamp hook; send API requests to the token's data centre if it names another."""
        self._check(token)
        request.headers["Authorization"] = f"Zoho-oauthtoken {token.access_token}"
        extensions = request.extensions
        extensions[_STAMPED_EXTENSION] = token
        extensions[RESTAMP_EXTENSION] = self._restamp_hook
        if self._follow_api_domain and operation is not None and token.api_domain:
            origin = trusted_origin(token.api_domain)
            url = request.url
            if origin is not None and (url.scheme, url.host, url.port) != (origin.scheme, origin.host, origin.port):
                request.url = url.copy_with(scheme=origin.scheme, host=origin.host, port=origin.port)
                request.headers["Host"] = request.url.netloc.decode("ascii")
                extensions[ORIGIN_EXTENSION] = request.url  # routed here by us, not redirected
        return request


# --- the two drivers of the flow ------------------------------------------------------------


def _drive_sync(
    request: httpx.Request, flow: Flow[None], store: TokenStore, process_lock: threading.Lock
) -> Generator[httpx.Request, httpx.Response, None]:
    """Carry the flow's effects out with blocking calls; requests go to httpx's client (``yield``)."""
    request.read()
    held: list[contextlib.AbstractContextManager[Any]] = []
    try:
        reply: Any = None
        while True:
            try:
                effect = flow.send(reply)
            except StopIteration:
                return
            reply = None
            if isinstance(effect, Send):
                reply = yield effect.request
            elif isinstance(effect, Read):
                effect.response.read()
            elif isinstance(effect, LoadTokens):
                reply = store.load()
            elif isinstance(effect, SaveTokens):
                store.save(effect.state)
            elif isinstance(effect, TakeLock):
                lock = process_lock if effect.scope == "process" else store.refresh_lock()
                lock.__enter__()
                held.append(lock)
            elif isinstance(effect, ReleaseLocks):
                while held:
                    held.pop().__exit__(None, None, None)
    finally:
        flow.close()
        while held:
            held.pop().__exit__(None, None, None)


async def _drive_async(
    request: httpx.Request, flow: Flow[None], store: TokenStore, process_lock: Callable[[], anyio.Lock]
) -> AsyncGenerator[httpx.Request, httpx.Response]:
    """Carry the flow's effects out with awaitable calls; the same steps as :func:`_drive_sync`."""
    await request.aread()
    held: list[contextlib.AbstractAsyncContextManager[Any]] = []
    try:
        reply: Any = None
        while True:
            try:
                effect = flow.send(reply)
            except StopIteration:
                return
            reply = None
            if isinstance(effect, Send):
                reply = yield effect.request
            elif isinstance(effect, Read):
                await effect.response.aread()
            elif isinstance(effect, LoadTokens):
                reply = await store.aload()
            elif isinstance(effect, SaveTokens):
                await store.asave(effect.state)
            elif isinstance(effect, TakeLock):
                lock = process_lock() if effect.scope == "process" else store.arefresh_lock()
                await lock.__aenter__()
                held.append(lock)
            elif isinstance(effect, ReleaseLocks):
                while held:
                    await held.pop().__aexit__(None, None, None)
    finally:
        flow.close()
        while held:
            await held.pop().__aexit__(None, None, None)


# --- a fixed token ---------------------------------------------------------------------------


class StaticTokenAuth(httpx.Auth):
    """A fixed access token (scripts, tests); a 401 raises :class:`AuthenticationError`."""

    requires_response_body = True

    def __init__(self, access_token: str, *, raise_on_error: bool = True) -> None:
        check_credential("access_token", access_token)
        self._header = f"Zoho-oauthtoken {access_token}"
        self._raise_on_error = raise_on_error

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        response = yield request
        if response.status_code == 401 and self._raise_on_error:
            self._reject(request, response)

    # httpx wraps ``auth_flow`` in a second generator that reads every response body before
    # handing it back (``requires_response_body``).  The two overrides below are that flow
    # in one generator, reading a body only for the 401 it reports: per request, the fixed
    # token costs one header and one generator step.

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        response = yield request
        if response.status_code == 401 and self._raise_on_error:
            response.read()
            self._reject(request, response)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = self._header
        response = yield request
        if response.status_code == 401 and self._raise_on_error:
            await response.aread()
            self._reject(request, response)

    @staticmethod
    def _reject(request: httpx.Request, response: httpx.Response) -> None:
        operation = operation_of(request)
        raise error_from_response(response, operation_id=operation.operation_id if operation else None)

    def __repr__(self) -> str:
        return "StaticTokenAuth(access_token=<redacted>)"
