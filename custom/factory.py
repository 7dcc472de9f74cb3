"""One call from credentials to a configured client that every generated endpoint accepts.

:func:`create_client` returns the *generated* :class:`~cliq_channels_client.client.Client`,
so ``get_channel.asyncio(client=..., channel_id=...)`` and every other
generated function take it unchanged, and its ``with`` / ``async with``
closes what it opened.  The hand-written layer rides on two httpx extension
points passed through ``httpx_args``: ``auth`` (:class:`ZohoOAuth` or
:class:`StaticTokenAuth`) and ``transport`` (:class:`CliqTransport`, wrapping
the real network transports).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

import httpx

from ..client import Client
from .auth import StaticTokenAuth, ZohoOAuth
from .clock import SYSTEM_CLOCK, Clock
from .data_centres import data_centre as lookup_data_centre
from .errors import CliqValidationError
from .observability import ClientHooks
from .operations import RateLimitRule
from .rate_limit_overrides import OverridingRateLimiter, check_overrides
from .ratelimit import LocalRateLimiter, RateLimiter
from .retry import RetryPolicy
from .tokens import TokenStore
from .transport import CliqTransport

if TYPE_CHECKING:  # the [redis] extra is optional: imported only when redis= is given
    from .redis_backend import RedisArgument, RedisBackend

__all__ = ["create_client", "user_fingerprint"]

#: httpx_args that configure the network transport; with ``transport=`` set, httpx.Client
#: would ignore them (and ``proxy`` would even route around CliqTransport), so they go inside.
_TRANSPORT_OPTIONS = frozenset(
    {
        "verify",
        "cert",
        "trust_env",
        "http1",
        "http2",
        "limits",
        "proxy",
        "uds",
        "local_address",
        "retries",
        "socket_options",
    }
)
#: httpx_args the generated Client takes as its own fields (passing both would be a TypeError).
_CLIENT_FIELDS = frozenset({"headers", "cookies", "follow_redirects", "timeout"})
#: httpx_args that would replace or bypass the hand-written layer.
_REFUSED = {
    "auth": "pass access_token or client_id/client_secret/refresh_token instead",
    "transport": "pass transport= (and async_transport=); CliqTransport wraps it",
    "mounts": "mounted transports would bypass validation, pacing and retries",
    "base_url": "pass base_url= to create_client",
}
#: Seconds a token must outlive the longest pacing wait (the request still has to be sent and answered).
PACING_SLACK = 10.0
# A Cliq network's unique name: one path segment, no separators or control characters.
_BAD_NETWORK = re.compile(r"[/\\?#%\s\x00-\x1f\x7f]")


def user_fingerprint(*parts: str) -> str:
    """A stable, non-reversible key for one user's credentials (rate limits are per user)."""
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()
    return digest[:16]


def _credential_error(field: str, detail: str) -> CliqValidationError:
    return CliqValidationError(operation_id=None, field=field, rule="required", detail=detail)


def _auth(
    *,
    client_id: str | None,
    client_secret: str | None,
    refresh_token: str | None,
    access_token: str | None,
    accounts_url: str,
    token_store: TokenStore | None,
    clock: Clock,
    refresh_margin: float,
    follow_api_domain: bool,
    raise_on_error: bool,
    hooks: ClientHooks | None,
    validate: bool,
) -> tuple[httpx.Auth, str]:
    """The auth for the credentials given, and the user's fingerprint; refuse incomplete or mixed credentials."""
    oauth = {"client_id": client_id, "client_secret": client_secret, "refresh_token": refresh_token}
    if access_token:
        if any(oauth.values()):
            raise CliqValidationError(
                operation_id=None,
                field="access_token",
                rule="oneOf",
                detail="give either access_token or client_id/client_secret/refresh_token, not both",
            )
        return StaticTokenAuth(access_token, raise_on_error=raise_on_error), user_fingerprint("access", access_token)
    if not (client_id and client_secret and refresh_token):
        missing = [name for name, value in oauth.items() if not value]
        if len(missing) == len(oauth):
            raise _credential_error(
                "refresh_token", "no credentials: give client_id, client_secret and refresh_token, or access_token"
            )
        given = ", ".join(name for name in oauth if name not in missing)
        raise _credential_error(missing[0], f"{missing[0]} is required with {given}")
    auth = ZohoOAuth(
        client_id=client_id,
        client_secret=client_secret,
        refresh_token=refresh_token,
        accounts_url=accounts_url,
        store=token_store,
        clock=clock,
        refresh_margin=refresh_margin,
        follow_api_domain=follow_api_domain,
        raise_on_error=raise_on_error,
        hooks=hooks,
        validate=validate,
    )
    return auth, user_fingerprint("oauth", client_id, refresh_token)


def _network_path(network: str) -> str:
    if not network or len(network) > 100 or network in {".", ".."} or _BAD_NETWORK.search(network):
        raise CliqValidationError(
            operation_id=None,
            field="network",
            rule="pattern",
            detail="a Cliq network name is one non-empty path segment (no '/', '?', '#', '%' or whitespace)",
        )
    return f"/network/{quote(network, safe='')}"


def _api_root(api_url: str, network: str | None) -> str:
    """A network's root comes before ``/api/v2``: ``https://cliq.zoho.com/network/<name>/api/v2``.

    Source: Cliq's REST API docs give the network root as
    ``https://cliq.zoho.com/network/{NETWORK_UNIQUE_NAME}`` (or ``{NETWORK_ID}``).
    A ``base_url`` that does not end with ``/api/v2`` gets the network appended.
    """
    if network is None:
        return api_url
    prefix = _network_path(network)
    if api_url.endswith("/api/v2"):
        return api_url.removesuffix("/api/v2") + prefix + "/api/v2"
    return api_url + prefix


def _redis_shared(
    redis: RedisArgument, fallback: Literal["fail", "local"], clock: Clock, namespace: str | None
) -> tuple[TokenStore | None, RateLimiter, RedisBackend | None]:
    """The Redis-backed token store (OAuth only; keys under the user's fingerprint) and rate limiter.

    The third item is the backend if this call created it (from a URL), so the client closes it;
    a client or backend passed in is the caller's to close.
    """
    from .redis_backend import RedisBackend
    from .redis_limiter import RedisRateLimiter
    from .redis_store import RedisTokenStore

    backend = RedisBackend.coerce(redis)
    store = None if namespace is None else RedisTokenStore(backend, namespace=namespace, fallback=fallback)
    return store, RedisRateLimiter(backend, clock=clock, fallback=fallback), backend if isinstance(redis, str) else None


class _ClosingTransport(CliqTransport):
    """A :class:`CliqTransport` that also closes the Redis connections :func:`create_client` opened for it.

    httpx closes its transport when the client closes (``with`` / ``async
    with`` / ``close()``), so the Redis pools close with the client instead of
    lingering until garbage collection (a ``ResourceWarning`` per connection).
    """

    def __init__(self, *, backend: RedisBackend, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._backend = backend

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._backend.close()

    async def aclose(self) -> None:
        try:
            await super().aclose()
        finally:
            await self._backend.aclose()  # the asyncio pool of this event loop
            self._backend.close()  # and the sync one, used under trio (worker threads) or by sync calls


def _transport_factory(owned_backend: RedisBackend | None) -> Callable[..., CliqTransport]:
    """``CliqTransport``, or one that also closes the Redis backend this call created."""
    if owned_backend is None:
        return CliqTransport
    return functools.partial(_ClosingTransport, backend=owned_backend)


def create_client(
    *,
    client_id: str | None = None,
    client_secret: str | None = None,
    refresh_token: str | None = None,
    access_token: str | None = None,
    data_centre: str = "com",
    network: str | None = None,
    base_url: str | None = None,
    accounts_url: str | None = None,
    token_store: TokenStore | None = None,
    rate_limiter: RateLimiter | None = None,
    rate_limits: Mapping[str, RateLimitRule] | None = None,
    max_wait: float = 120.0,
    retry: RetryPolicy | None = None,
    clock: Clock | None = None,
    timeout: float | httpx.Timeout | None = 30.0,
    transport: httpx.BaseTransport | None = None,
    async_transport: httpx.AsyncBaseTransport | None = None,
    httpx_args: Mapping[str, Any] | None = None,
    refresh_margin: float = 300.0,
    validate: bool = True,
    raise_on_error: bool = True,
    hooks: ClientHooks | None = None,
    user_key: str | None = None,
    redis: RedisArgument | None = None,
    redis_fallback: Literal["fail", "local"] = "fail",
) -> Client:
    """A generated ``Client`` with Zoho auth, validation, pacing, safe retries and typed errors.

    Credentials: ``client_id`` + ``client_secret`` + ``refresh_token`` (refreshed
    automatically) or ``access_token`` (used as is).  ``data_centre`` (``"com"``,
    ``"eu"``, ``"in"``, ``"com.au"``, ``"jp"``, ``"ca"``, ``"sa"``, ``"uk"``...)
    picks the Cliq host and the accounts host; ``base_url`` and ``accounts_url``
    override them (an emulator).  ``network`` puts the network's root before
    ``/api/v2`` (``https://cliq.zoho.com/network/<name>/api/v2/...``).
    Without an explicit ``base_url`` the requests follow the ``api_domain`` of
    the token response, if it is the HTTPS host of a centre in the table (else
    ``TokenRefreshError``: the token goes nowhere else).  With ``follow_redirects``
    on, the token request still never follows a redirect, and API requests follow
    only redirects within their origin.

    ``httpx_args`` go to ``httpx.Client``/``AsyncClient`` (``event_hooks``,
    ``params``...), except: ``headers``, ``cookies``, ``follow_redirects`` and
    ``timeout`` become the generated client's fields; ``verify``, ``cert``,
    ``http2``, ``limits``, ``proxy``... configure the network transports (when
    ``transport``/``async_transport`` are not given); ``auth``, ``transport``,
    ``mounts`` and ``base_url`` are refused.  Environment proxies are not
    applied; pass ``proxy=`` explicitly.

    ``rate_limiter`` defaults to a new :class:`LocalRateLimiter`; share one
    instance (or a shared store) between clients of the same user.
    ``rate_limits`` (``{"get_channel": RateLimitRule(threshold=10, window=60,
    lock=600)}``) paces the named operations by these rules instead of the
    document's (Zoho's numbers move); the lock after a throttle still follows
    ``Retry-After``, else the document.
    ``user_key`` (the rate-limit identity) defaults to a fingerprint of the
    credentials, never the credentials themselves.  With ``raise_on_error=False``
    error answers are returned (use the ``*_detailed`` functions).

    The token's freshness is checked before a request waits for its rate-limit
    slot (up to ``max_wait`` seconds), so the token is refreshed
    ``max(refresh_margin, max_wait + 10)`` seconds before it expires: a request
    paced for as long as ``max_wait`` allows still leaves with a valid token.
    (As for any margin, at most half the token's lifetime is used.)
    ``hooks`` (:class:`ClientHooks`) also receive ``on_token_refresh`` events.

    ``redis`` (a URL such as ``"redis://redis:6379/0"``, a ``redis.Redis`` /
    ``redis.asyncio.Redis``, or a ``RedisBackend``; extra ``[redis]``) shares
    the token and the rate-limit budget with every process using the same
    Redis and credentials, unless ``token_store`` / ``rate_limiter`` are given.
    If Redis does not answer, calls raise ``BackendUnavailableError``, or with
    ``redis_fallback="local"`` continue with per-process limits (logged once).
    Closing the client closes the Redis connections it made from a URL; a
    client or backend passed in is yours to close.
    """
    clock = clock if clock is not None else SYSTEM_CLOCK
    centre = lookup_data_centre(data_centre)
    args = dict(httpx_args or {})
    for name, why in _REFUSED.items():
        if name in args:
            raise CliqValidationError(
                operation_id=None, field=f"httpx_args.{name}", rule="not", detail=f"not accepted here: {why}"
            )
    transport_options = {name: args.pop(name) for name in _TRANSPORT_OPTIONS & args.keys()}
    fields = {name: args.pop(name) for name in _CLIENT_FIELDS & args.keys()}
    if "trust_env" in transport_options:
        args["trust_env"] = transport_options["trust_env"]  # also the client's (.netrc)

    api_url = _api_root((base_url if base_url is not None else f"{centre.cliq_origin}/api/v2").rstrip("/"), network)
    overrides = check_overrides(rate_limits) if rate_limits else None
    owned_backend = None
    if redis is not None:
        oauth = bool(client_id and refresh_token and not access_token)
        namespace = user_fingerprint("oauth", client_id or "", refresh_token or "") if oauth else None
        shared_store, shared_limiter, owned_backend = _redis_shared(redis, redis_fallback, clock, namespace)
        token_store = token_store if token_store is not None else shared_store
        rate_limiter = rate_limiter if rate_limiter is not None else shared_limiter
    auth, fingerprint = _auth(
        client_id=client_id,
        client_secret=client_secret,
        refresh_token=refresh_token,
        access_token=access_token,
        accounts_url=(accounts_url if accounts_url is not None else centre.accounts_origin).rstrip("/"),
        token_store=token_store,
        clock=clock,
        refresh_margin=max(refresh_margin, max_wait + PACING_SLACK),
        follow_api_domain=base_url is None,
        raise_on_error=raise_on_error,
        hooks=hooks,
        validate=validate,
    )
    limiter: RateLimiter = rate_limiter if rate_limiter is not None else LocalRateLimiter(clock=clock)
    cliq_transport = _transport_factory(owned_backend)(
        transport=transport,
        async_transport=async_transport,
        rate_limiter=OverridingRateLimiter(limiter, overrides) if overrides else limiter,
        retry=retry,
        user_key=user_key if user_key is not None else fingerprint,
        clock=clock,
        max_wait=max_wait,
        validate=validate,
        raise_on_error=raise_on_error,
        hooks=hooks,
        **transport_options,
    )
    chosen_timeout = fields.pop("timeout", timeout)
    if chosen_timeout is not None and not isinstance(chosen_timeout, httpx.Timeout):
        chosen_timeout = httpx.Timeout(chosen_timeout)
    return Client(
        base_url=api_url,
        timeout=chosen_timeout,
        headers=dict(fields.get("headers") or {}),
        cookies=dict(fields.get("cookies") or {}),
        follow_redirects=bool(fields.get("follow_redirects", False)),
        verify_ssl=transport_options.get("verify", True),
        # The transport raises typed errors for every error status; a status the
        # document does not list is then a surprise worth raising too.  Users of
        # raw responses (raise_on_error=False) get None instead, as generated.
        raise_on_unexpected_status=raise_on_error,
        httpx_args={"auth": auth, "transport": cliq_transport, **args},
    )
