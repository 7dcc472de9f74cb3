"""Hostile servers: a token endpoint and an API that answer what Zoho never would.

Each row of :data:`ROWS` scripts one hostile answer (redirects, a foreign or
plain-http ``api_domain``, tokens with CR/LF, NaN/inf/huge/negative numbers)
and states what must hold: which :class:`CliqError` the call raises, that no
request reached a host it must not, and how many token requests were spent.
Every row runs with the sync client and the async one (under asyncio and
trio), through the generated ``get_channel`` and ``create_client``; every
error raised is checked for secrets in its message, repr, cause chain,
formatted traceback and pickle.

Hostile JSON bodies and pagination cycles live in their own module (issue 12, part B).
"""

from __future__ import annotations

import email.utils
import json
import math
import pickle
import socket
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from cliq_channels_client.api.channels import create_channel, get_channel
from cliq_channels_client.client import Client
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.errors import (
    CliqError,
    CliqTransportError,
    CliqValidationError,
    OperationLockedError,
    ServerError,
    ThrottledError,
    TokenRefreshError,
)
from cliq_channels_client.custom.factory import create_client
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID
from cliq_channels_client.custom.retry import RetryPolicy
from cliq_channels_client.custom.tokens import MemoryTokenStore, Token, TokenState
from cliq_channels_client.models.channel import Channel
from cliq_channels_client.models.channel_level import ChannelLevel
from cliq_channels_client.models.create_channel_request import CreateChannelRequest
from tests.bodies import channel_json
from tests.secret_audit import register_secret

#: The client's own objects must be closed, not collected: a ResourceWarning fails the test (pyproject.toml).
pytestmark = pytest.mark.anyio

START = 1_767_225_600.0
ACCOUNTS_HOST = "accounts.zoho.com"
CLIQ_HOST = "cliq.zoho.com"
EVIL_HOST = "evil.example.net"
TOKEN_PATH = "/oauth/v2/token"
CLIENT_ID = "1000.HOSTILESERVERTEST"
CLIENT_SECRET = "5ec2e7c11e47a1b2c3d4e5f60718293a4b5c6d7e8f"
REFRESH_TOKEN = "1000.4f1e2d3c4b5a69788796a5b4c3d2e1f0.0f1e2d3c4b5a69788796a5b4c3d2e1f0"
ACCESS_TOKEN = "1000.a1b2c3d4e5f60718293a4b5c6d7e8f90.0918273645546372819a0b1c2d3e4f5a"
register_secret(CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN)
SECRETS = (CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN)
LOCK = OPERATIONS_BY_ID["get_channel"].rate_limit.lock  # the documented lock (the operation table)
assert {operation.rate_limit.lock for operation in OPERATIONS_BY_ID.values()} == {LOCK}  # one for every operation
FAR_FUTURE = "Fri, 31 Dec 9999 23:59:59 GMT"

Answer = Callable[[httpx.Request], httpx.Response]


def token_body(**overrides: Any) -> Answer:
    """A token answer: Zoho's success body with ``overrides`` (JSON allows NaN/Infinity only via Python's dumps)."""
    body: dict[str, Any] = {
        "access_token": ACCESS_TOKEN,
        "api_domain": "https://www.zohoapis.com",
        "token_type": "Bearer",
        "expires_in": 3600,
    }
    body.update(overrides)
    content = json.dumps(body).encode()  # allow_nan: NaN, Infinity, -Infinity as a lax server sends them
    return lambda request: httpx.Response(200, content=content, headers={"Content-Type": "application/json"})


def redirect(status: int, location: str) -> Answer:
    return lambda request: httpx.Response(status, headers={"Location": location})


def moved_once(request: httpx.Request) -> httpx.Response:
    """A same-origin redirect the client may follow: /channels/T1 -> /channels/T1?moved=1."""
    if "moved" in request.url.params:
        return channel(request)
    return httpx.Response(307, headers={"Location": f"{request.url}?moved=1"})


def channel(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=channel_json("T1"))


def throttled(retry_after: str) -> Answer:
    body = {"message": "Too many requests within a certain time frame."}
    return lambda request: httpx.Response(429, json=body, headers={"Retry-After": retry_after})


def unavailable(retry_after: str) -> Answer:
    return lambda request: httpx.Response(503, json={"message": "busy"}, headers={"Retry-After": retry_after})


@dataclass
class Row:
    """One hostile script and what must hold."""

    name: str
    token: Answer = field(default_factory=token_body)
    api: Answer = channel
    follow_redirects: bool = True
    raises: type[CliqError] | None = None
    match: str = ""
    token_requests: int = 1
    api_requests: int | None = None  # None: not checked
    check: Callable[[World, Client, str], Any] | None = None  # further checks; may be a coroutine function


class World:
    """The network as the client sees it: Zoho's accounts and Cliq hosts plus one foreign host; records everything."""

    def __init__(self, row: Row) -> None:
        self.row = row
        self.api = row.api  # a check may make the API behave again (the rows are shared between tests)
        self.requests: list[httpx.Request] = []
        self._lock = threading.Lock()

    def handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        with self._lock:
            self.requests.append(request)
        host, path = request.url.host, request.url.path
        if host == ACCOUNTS_HOST and path == TOKEN_PATH:
            return self.row.token(request)
        if host == CLIQ_HOST and request.url.scheme == "https":
            return self.api(request)
        return httpx.Response(200, json=channel_json("stolen"))  # a foreign host answers happily

    def to(self, host: str) -> list[httpx.Request]:
        return [request for request in self.requests if request.url.host == host]

    @property
    def token_requests(self) -> list[httpx.Request]:
        return [r for r in self.to(ACCOUNTS_HOST) if r.url.path == TOKEN_PATH]

    @property
    def api_requests(self) -> list[httpx.Request]:
        return self.to(CLIQ_HOST)


def client_for(world: World, clock: FakeClock, **options: Any) -> Client:
    mock = httpx.MockTransport(world.handle)
    return create_client(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        refresh_token=REFRESH_TOKEN,
        transport=mock,
        async_transport=mock,
        clock=clock,
        httpx_args={"follow_redirects": world.row.follow_redirects},
        **options,
    )


async def call(client: Client, mode: str, channel_id: str = "T1") -> Any:
    if mode == "sync":
        return get_channel.sync(client=client, channel_id=channel_id)
    return await get_channel.asyncio(client=client, channel_id=channel_id)


async def create(client: Client, mode: str, name: str) -> Any:
    body = CreateChannelRequest(name=name, level=ChannelLevel.TEAM)
    if mode == "sync":
        return create_channel.sync(client=client, body=body)
    return await create_channel.asyncio(client=client, body=body)


def secret_free(error: BaseException) -> None:
    """No secret in the error, its cause chain, its formatted traceback or its pickle."""
    seen: BaseException | None = error
    while seen is not None:
        for text in (str(seen), repr(seen), repr(seen.args)):
            assert not any(secret in text for secret in SECRETS), f"secret in {type(seen).__name__}"
        seen = seen.__cause__ or seen.__context__
    formatted = "".join(traceback.format_exception(error))
    assert not any(secret in formatted for secret in SECRETS)
    if isinstance(error, CliqError):
        pickled = pickle.dumps(error)
        assert not any(secret.encode() in pickled for secret in SECRETS)
        assert type(pickle.loads(pickled)) is type(error)  # noqa: S301 -- our own bytes


# --- checks for rows ---------------------------------------------------------------------------------


def nothing_to_evil(world: World, client: Client, mode: str) -> None:
    assert world.to(EVIL_HOST) == []


def locked_for_the_rules_lock(world: World, client: Client, mode: str) -> Callable[[], Any]:
    """After a throttle with a hostile Retry-After: locked for exactly the rule's lock, then open again."""

    async def check() -> None:
        clock = client_clock(client)
        with pytest.raises(OperationLockedError) as locked:
            await call(client, mode)
        assert math.isfinite(locked.value.retry_at)
        assert 0 < locked.value.retry_after <= LOCK
        clock.advance(LOCK + 1)
        world.api = channel
        assert isinstance(await call(client, mode), Channel)

    return check


def client_clock(client: Client) -> FakeClock:
    clock = client._httpx_args["transport"]._clock
    assert isinstance(clock, FakeClock)
    return clock


def lifetime_is_the_default(world: World, client: Client, mode: str) -> Callable[[], Any]:
    """An unusable expires_in counts as Zoho's 3600 s: no refresh 1000 s later, one after the hour."""

    async def check() -> None:
        clock = client_clock(client)
        clock.advance(1000)
        await call(client, mode)
        assert len(world.token_requests) == 1  # NaN would refresh on every call
        clock.advance(3600)
        await call(client, mode)
        assert len(world.token_requests) == 2  # inf/1e308 would never refresh

    return check


def retried_with_backoff(world: World, client: Client, mode: str) -> None:
    """A negative/inf/NaN Retry-After on a 503 is not "retry now": the backoff spaced the attempts."""
    attempts = len(world.api_requests)
    assert attempts == RetryPolicy().max_attempts
    assert 0 < client_clock(client).now() - START <= RetryPolicy().total_timeout


ROWS = [
    # -- the token endpoint: redirects (the body holds the client secret and the refresh token)
    Row("token 307 to a foreign host", token=redirect(307, f"https://{EVIL_HOST}/steal"), raises=TokenRefreshError,
        match="redirect", api_requests=0, check=nothing_to_evil),
    Row("token 308 to a foreign host", token=redirect(308, f"https://{EVIL_HOST}/steal"), raises=TokenRefreshError,
        match="redirect", api_requests=0, check=nothing_to_evil),
    Row("token 302 to a foreign host", token=redirect(302, f"https://{EVIL_HOST}/steal"), raises=TokenRefreshError,
        match="redirect", api_requests=0, check=nothing_to_evil),
    Row("token 307 on the same host", token=redirect(307, f"https://{ACCOUNTS_HOST}/elsewhere"),
        raises=TokenRefreshError, match="redirect", api_requests=0),
    Row("token 307, redirects off", token=redirect(307, f"https://{EVIL_HOST}/steal"), follow_redirects=False,
        raises=TokenRefreshError, match="redirect", api_requests=0, check=nothing_to_evil),
    # -- api_domain: only the HTTPS hosts of the data-centre table
    Row("foreign api_domain", token=token_body(api_domain=f"https://{EVIL_HOST}"), raises=TokenRefreshError,
        match="api_domain", api_requests=0, check=nothing_to_evil),
    Row("plain-http api_domain", token=token_body(api_domain="http://www.zohoapis.com"), raises=TokenRefreshError,
        match="api_domain", api_requests=0),
    Row("look-alike api_domain", token=token_body(api_domain="https://www.zohoapis.com.evil.example.net"),
        raises=TokenRefreshError, match="api_domain", api_requests=0),
    Row("api_domain with a port", token=token_body(api_domain="https://www.zohoapis.com:8443"),
        raises=TokenRefreshError, match="api_domain", api_requests=0),
    Row("api_domain with user info", token=token_body(api_domain=f"https://www.zohoapis.com@{EVIL_HOST}"),
        raises=TokenRefreshError, match="api_domain", api_requests=0, check=nothing_to_evil),
    Row("known api_domain", token=token_body(api_domain="www.zohoapis.com"), api_requests=1),
    # -- issued tokens that cannot go in a header
    Row("token with a trailing newline", token=token_body(access_token=ACCESS_TOKEN + "\n"),
        raises=TokenRefreshError, match="control character", api_requests=0),
    Row("token with CR/LF and a header", token=token_body(access_token=ACCESS_TOKEN + "\r\nX-Evil: 1"),
        raises=TokenRefreshError, match="control character", api_requests=0),
    Row("token with non-ASCII text", token=token_body(access_token=ACCESS_TOKEN + "\u00e9"),
        raises=TokenRefreshError, match="non-ASCII", api_requests=0),
    Row("token with a space", token=token_body(access_token="1000.a b"), raises=TokenRefreshError,
        match="whitespace", api_requests=0),
    # -- expires_in: non-finite, absurd or mistyped -> the documented 3600 s
    *(
        Row(f"expires_in {value!r}", token=token_body(expires_in=value), api_requests=1,
            check=lifetime_is_the_default)
        for value in (math.nan, math.inf, -math.inf, 1e308, 10**30, -5, 0, "3600", True)
    ),
    # -- the API: redirects away from the origin
    Row("API 307 to a foreign host", api=redirect(307, f"https://{EVIL_HOST}/api/v2/channels/T1"),
        raises=CliqTransportError, match="redirect to another origin", api_requests=1, check=nothing_to_evil),
    Row("API 301 to plain http", api=redirect(301, f"http://{CLIQ_HOST}/api/v2/channels/T1"),
        raises=CliqTransportError, match="redirect to another origin", api_requests=1),
    Row("API same-origin redirect", api=moved_once, api_requests=2),
    Row("API same-origin redirect loop", api=redirect(307, f"https://{CLIQ_HOST}/api/v2/channels/T1"),
        raises=CliqTransportError, match="more than 5 redirects", api_requests=6),
    # -- Retry-After on a throttle: the lock is at most the rule's lock (finite, never "forever")
    *(
        Row(f"429 Retry-After {value}", api=throttled(value), raises=ThrottledError, api_requests=1,
            check=locked_for_the_rules_lock)
        for value in ("1e12", "inf", "-inf", "nan", "-5", "0", "1e300", "1e400", FAR_FUTURE)
    ),
    # -- Retry-After on a 503: never "retry at once" (backoff), never a wait beyond the policy
    *(
        Row(f"503 Retry-After {value}", api=unavailable(value), raises=ServerError, api_requests=4,
            check=retried_with_backoff)
        for value in ("-5", "inf", "nan", "0", email.utils.formatdate(START - 60, usegmt=True))
    ),
]  # fmt: skip


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
async def test_hostile_server(row: Row, mode: str) -> None:
    world = World(row)
    clock = FakeClock(START)
    client = client_for(world, clock)
    try:
        if row.raises is None:
            assert isinstance(await call(client, mode), Channel)
        else:
            with pytest.raises(row.raises, match=row.match or None) as caught:
                await call(client, mode)
            secret_free(caught.value)
            if isinstance(caught.value, ThrottledError):
                assert caught.value.retry_after == LOCK
                assert caught.value.retry_at == clock.now() + LOCK
        assert len(world.token_requests) == row.token_requests
        if row.api_requests is not None:
            assert len(world.api_requests) == row.api_requests
        if row.check is not None:
            follow_up = row.check(world, client, mode)
            if follow_up is not None:
                await follow_up()
    finally:
        await close(client, mode)


async def close(client: Client, mode: str) -> None:
    if mode == "sync":
        client.get_httpx_client().close()
    else:
        await client.get_async_httpx_client().aclose()


# --- tokens found in a store (written by another process, or by anyone with access to it) ---------------


@pytest.mark.parametrize(
    ("stored", "match"),
    [
        pytest.param(Token(ACCESS_TOKEN + "\r\n", expires_at=START + 3600), "cannot be sent", id="CR/LF token"),
        pytest.param(
            Token(ACCESS_TOKEN, expires_at=START + 3600, api_domain=f"https://{EVIL_HOST}"),
            "api_domain",
            id="foreign api_domain",
        ),
    ],
)
async def test_a_token_from_the_store_passes_the_checks_of_an_issued_one(mode: str, stored: Token, match: str) -> None:
    world = World(Row("stored token"))
    client = client_for(world, FakeClock(START), token_store=MemoryTokenStore(TokenState(stored, ())))
    try:
        with pytest.raises(TokenRefreshError, match=match) as caught:
            await call(client, mode)
    finally:
        await close(client, mode)
    secret_free(caught.value)
    assert world.requests == []  # not sent anywhere, and no token request either


# --- tokens given by the caller -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (ACCESS_TOKEN + "\n", "control character"),
        (ACCESS_TOKEN + "\r\nX-Evil: 1", "control character"),
        ("\u00e9" + ACCESS_TOKEN, "non-ASCII"),
        (" " + ACCESS_TOKEN, "whitespace"),
    ],
)
@pytest.mark.parametrize("credential", ["access_token", "client_secret", "refresh_token"])
def test_a_credential_that_cannot_be_sent_is_refused_when_given(credential: str, value: str, problem: str) -> None:
    arguments: dict[str, Any] = {"access_token": value}
    if credential != "access_token":
        arguments = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN}
        arguments[credential] = value
    with pytest.raises(CliqValidationError, match=problem) as caught:
        create_client(**arguments)
    assert (caught.value.field, caught.value.rule) == (credential, "pattern")
    assert caught.value.may_have_been_sent is False
    secret_free(caught.value)


# --- a request the client cannot encode never counts as "maybe sent" -------------------------------------


@pytest.fixture
def silent_server() -> Iterator[tuple[str, Callable[[], bytes]]]:
    """A loopback listener that never answers; ``received()`` returns what reached it."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def received() -> bytes:
        listener.settimeout(0.2)
        data = b""
        try:
            while True:
                connection, _ = listener.accept()
                with connection:
                    connection.settimeout(0.2)
                    try:
                        while chunk := connection.recv(65536):
                            data += chunk
                    except TimeoutError:
                        pass
        except TimeoutError:
            return data

    yield f"http://127.0.0.1:{port}/api/v2", received
    listener.close()


async def test_a_header_the_http_library_refuses_is_not_maybe_sent(
    mode: str, silent_server: tuple[str, Callable[[], bytes]]
) -> None:
    base_url, received = silent_server
    client = create_client(
        access_token=ACCESS_TOKEN, base_url=base_url, httpx_args={"headers": {"X-Trace": "a\r\nInjected: yes"}}
    )
    try:
        with pytest.raises(CliqTransportError) as caught:
            await create(client, mode, "general")
    finally:
        await close(client, mode)
    assert caught.value.may_have_been_sent is False
    assert caught.value.attempts == 1  # it would fail the same way again: not retried
    assert "may have reached the server" not in str(caught.value)
    secret_free(caught.value)
    assert received() == b""


# --- validation before anything: no token request for a call the client refuses ----------------------------


INVALID_CALLS = {
    "create_channel with an empty name": lambda client, mode: create(client, mode, ""),
    "get_channel with an empty id": lambda client, mode: call(client, mode, ""),
    "create_channel with a 51-character name": lambda client, mode: create(client, mode, "n" * 51),
}


@pytest.mark.parametrize("invalid", INVALID_CALLS.values(), ids=INVALID_CALLS.keys())
async def test_a_call_refused_by_validation_sends_nothing_not_even_a_token_request(
    mode: str, invalid: Callable[[Client, str], Any]
) -> None:
    world = World(Row("validation"))
    client = client_for(world, FakeClock(START))
    try:
        with pytest.raises(CliqValidationError) as caught:
            await invalid(client, mode)
    finally:
        await close(client, mode)
    assert caught.value.may_have_been_sent is False
    assert world.requests == []  # no token request: no credentials on the wire, no issuance budget spent
