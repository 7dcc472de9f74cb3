"""ZohoOAuth and StaticTokenAuth against the in-test fake Zoho, with the sync and the async client.

Each behaviour test runs once per client flavour (``mode``): the sync
``httpx.Client`` and the ``httpx.AsyncClient`` drive the same sans-IO flow, so
both must show the same requests on the wire.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest

from cliq_channels_client.custom.auth import StaticTokenAuth, ZohoOAuth
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.errors import AuthenticationError, TokenRefreshError
from cliq_channels_client.custom.operations import RESTAMP_EXTENSION
from cliq_channels_client.custom.tokens import FileTokenStore, MemoryTokenStore, Token, TokenState, TokenStore
from tests.bodies import channel_json

from .test_auth_fake_zoho import ACCOUNTS, API_BASE, TOKEN_PATH, FakeZoho, token_form

pytestmark = pytest.mark.anyio

START = 1_767_225_600.0


class Harness:
    """One fake Zoho, one ZohoOAuth, and a client of the chosen flavour, behind one awaitable ``get``."""

    def __init__(self, mode: str, fake: FakeZoho, auth: httpx.Auth, base_url: str = API_BASE) -> None:
        self.mode = mode
        self.fake = fake
        self.auth = auth
        if mode == "sync":
            self.client: httpx.Client | httpx.AsyncClient = httpx.Client(
                transport=fake.transport(), auth=auth, base_url=base_url
            )
        else:
            self.client = httpx.AsyncClient(transport=fake.async_transport(), auth=auth, base_url=base_url)

    @property
    def oauth(self) -> ZohoOAuth:
        assert isinstance(self.auth, ZohoOAuth)
        return self.auth

    async def get(self, path: str = "/channels/T1") -> httpx.Response:
        if isinstance(self.client, httpx.Client):
            return self.client.get(path)
        return await self.client.get(path)

    async def close(self) -> None:
        if isinstance(self.client, httpx.Client):
            self.client.close()
        else:
            await self.client.aclose()


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def fake(clock: FakeClock) -> FakeZoho:
    return FakeZoho(clock)


def oauth(fake: FakeZoho, **kwargs: Any) -> ZohoOAuth:
    kwargs.setdefault("clock", fake.clock)
    return ZohoOAuth(
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        refresh_token=fake.refresh_token,
        accounts_url=ACCOUNTS,
        **kwargs,
    )


@contextlib.asynccontextmanager
async def harness(mode: str, fake: FakeZoho, base_url: str = API_BASE, **kwargs: Any) -> AsyncIterator[Harness]:
    h = Harness(mode, fake, oauth(fake, **kwargs), base_url)
    try:
        yield h
    finally:
        await h.close()


# --- the basics ----------------------------------------------------------------------------------


async def test_header_set_and_token_reused_until_it_needs_refreshing(mode: str, fake: FakeZoho) -> None:
    async with harness(mode, fake) as h:
        responses = [await h.get() for _ in range(5)]
    assert [r.status_code for r in responses] == [200] * 5
    assert len(fake.token_requests) == 1
    assert h.oauth.token_requests == 1
    assert {fake.sent_token(r) for r in fake.api_requests} == {fake.issued_tokens[0]}


async def test_token_request_is_zohos_form_post_through_the_client_transport(mode: str, fake: FakeZoho) -> None:
    async with harness(mode, fake) as h:
        await h.get()
    (request,) = fake.token_requests  # seen by the client's (mock) transport
    assert (request.method, str(request.url)) == ("POST", f"{ACCOUNTS}{TOKEN_PATH}")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert httpx.QueryParams(request.content.decode()) == httpx.QueryParams(token_form(fake))
    assert "Authorization" not in request.headers


async def test_token_request_inherits_the_clients_timeout(fake: FakeZoho) -> None:
    timeout = httpx.Timeout(7.0, connect=2.0)
    async with httpx.AsyncClient(transport=fake.async_transport(), auth=oauth(fake), timeout=timeout) as client:
        await client.get(f"{API_BASE}/channels/T1")
    assert fake.token_requests[0].extensions["timeout"] == timeout.as_dict()


@pytest.mark.parametrize(("margin", "refresh_after"), [(300.0, 3300.0), (0.0, 3600.0), (900.0, 2700.0)])
async def test_refresh_margin(mode: str, fake: FakeZoho, clock: FakeClock, margin: float, refresh_after: float) -> None:
    async with harness(mode, fake, refresh_margin=margin) as h:
        statuses = [(await h.get()).status_code]
        clock.advance(refresh_after - 1)
        statuses.append((await h.get()).status_code)
        assert len(fake.token_requests) == 1  # one second before the margin: still the first token
        clock.advance(1)
        statuses.append((await h.get()).status_code)
    assert len(fake.token_requests) == 2  # refreshed ahead of expiry, not after a 401
    assert statuses == [200, 200, 200]
    assert [fake.sent_token(r) for r in fake.api_requests] == [fake.issued_tokens[0]] * 2 + [fake.issued_tokens[1]]


async def test_margin_longer_than_half_a_short_token_life_is_shrunk(
    mode: str, fake: FakeZoho, clock: FakeClock
) -> None:
    fake.expires_in = 60  # an emulator's short-lived token; the default margin of 300s would refresh every call
    async with harness(mode, fake) as h:
        for _ in range(5):
            assert (await h.get()).status_code == 200
        clock.advance(29)
        await h.get()
        assert len(fake.token_requests) == 1
        clock.advance(1)
        await h.get()
    assert len(fake.token_requests) == 2


# --- single flight -------------------------------------------------------------------------------


async def test_200_concurrent_async_calls_across_an_expiry_send_one_token_request(clock: FakeClock) -> None:
    fake = FakeZoho(clock, token_latency=0.02)  # a slow accounts server widens the race
    auth = oauth(fake)
    async with httpx.AsyncClient(transport=fake.async_transport(), auth=auth, base_url=API_BASE) as client:
        assert (await client.get("/channels/T0")).status_code == 200
        clock.advance(3600)  # the first token has expired
        statuses: list[int] = []

        async def call(i: int) -> None:
            statuses.append((await client.get(f"/channels/T{i}")).status_code)

        async with anyio.create_task_group() as tg:
            for i in range(200):
                tg.start_soon(call, i)
    assert statuses == [200] * 200
    assert len(fake.token_requests) == 2
    assert auth.token_requests == 2
    assert {fake.sent_token(r) for r in fake.api_requests[1:]} == {fake.issued_tokens[1]}


def test_50_threads_on_one_sync_client_across_an_expiry_send_one_token_request(clock: FakeClock) -> None:
    fake = FakeZoho(clock, token_latency=0.05)
    auth = oauth(fake)
    barrier = threading.Barrier(50)
    statuses: list[int] = []
    with httpx.Client(transport=fake.transport(), auth=auth, base_url=API_BASE) as client:
        assert client.get("/channels/T0").status_code == 200
        clock.advance(3600)

        def call(i: int) -> None:
            barrier.wait()
            statuses.append(client.get(f"/channels/T{i}").status_code)

        threads = [threading.Thread(target=call, args=(i,)) for i in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [200] * 50
    assert len(fake.token_requests) == 2
    assert auth.token_requests == 2


async def test_concurrent_async_calls_through_a_file_store_send_one_token_request(
    clock: FakeClock, tmp_path: Any
) -> None:
    fake = FakeZoho(clock, token_latency=0.01)
    store = FileTokenStore(tmp_path / "token.json")
    auth = oauth(fake, store=store)
    async with httpx.AsyncClient(transport=fake.async_transport(), auth=auth, base_url=API_BASE) as client:
        await client.get("/channels/T0")
        clock.advance(3600)
        async with anyio.create_task_group() as tg:
            for i in range(30):
                tg.start_soon(client.get, f"/channels/T{i}")
    assert len(fake.token_requests) == 2
    assert store.load().token == Token(
        access_token=fake.issued_tokens[1],
        expires_at=clock.now() + 3600,
        api_domain="https://www.zohoapis.com",
        obtained_at=clock.now(),
    )


# --- the issuance limit -----------------------------------------------------------------------------


async def test_zoho_issuance_refusal_is_a_clear_error_and_never_a_loop(
    mode: str, fake: FakeZoho, clock: FakeClock
) -> None:
    fake.refuse_tokens = True
    async with harness(mode, fake) as h:
        with pytest.raises(TokenRefreshError) as caught:
            await h.get()
        error = caught.value
        assert error.retry_at == START + 600
        assert error.error_code == "Access Denied"
        assert "2026-01-01T00:10:00Z" in str(error)
        assert len(fake.token_requests) == 1
        assert fake.api_requests == []
        # Every caller now learns the same without another token request.
        for _ in range(3):
            with pytest.raises(TokenRefreshError) as again:
                await h.get()
            assert again.value.retry_at == START + 600
        assert len(fake.token_requests) == 1
        # After the announced time, one request is enough.
        fake.refuse_tokens = False
        clock.set(error.retry_at)
        assert (await h.get()).status_code == 200
    assert len(fake.token_requests) == 2


async def test_client_budget_guard_holds_back_the_11th_token_request_in_10_minutes(mode: str, clock: FakeClock) -> None:
    fake = FakeZoho(clock, expires_in=30, issuance_limit=1_000)  # Zoho would accept; the client must not ask
    async with harness(mode, fake, refresh_margin=0) as h:
        for _ in range(10):
            assert (await h.get()).status_code == 200
            clock.advance(31)  # each token has expired by the next call
        assert len(fake.token_requests) == 10
        with pytest.raises(TokenRefreshError) as caught:
            await h.get()
        assert len(fake.token_requests) == 10
        assert caught.value.retry_at == START + 600  # when the first of the ten leaves the window
        assert caught.value.error_code is None
        assert "retry after 2026-01-01T00:10:00Z" in str(caught.value)
        clock.set(START + 600)
        assert (await h.get()).status_code == 200
    assert len(fake.token_requests) == 11


async def test_budget_is_shared_by_every_user_of_the_store(clock: FakeClock) -> None:
    fake = FakeZoho(clock)
    store = MemoryTokenStore(TokenState(issued=tuple(START - 100 + i for i in range(10))))
    async with harness("async", fake, store=store) as h:
        with pytest.raises(TokenRefreshError) as caught:
            await h.get()
    assert fake.token_requests == []
    assert caught.value.retry_at == START - 100 + 600


# --- 401 handling ------------------------------------------------------------------------------------


async def test_401_invalid_token_refreshes_once_and_replays_once(mode: str, fake: FakeZoho) -> None:
    async with harness(mode, fake) as h:
        await h.get()
        fake.revoke_all()
        response = await h.get()
    assert response.status_code == 200
    assert response.json() == channel_json("T1", name="general")
    assert len(fake.token_requests) == 2
    assert [fake.sent_token(r) for r in fake.api_requests] == [fake.issued_tokens[0]] * 2 + [fake.issued_tokens[1]]


async def test_persistent_401_raises_authentication_error_after_exactly_one_replay(mode: str, fake: FakeZoho) -> None:
    fake.reject_all_tokens = True
    async with harness(mode, fake) as h:
        with pytest.raises(AuthenticationError) as caught:
            await h.get()
    error = caught.value
    assert (error.status_code, error.code, error.operation_id) == (401, "oauthtoken_invalid", "get_channel")
    assert error.message == "Request was rejected because of invalid AuthToken."
    assert len(fake.api_requests) == 2
    assert len(fake.token_requests) == 2
    assert fake.sent_token(fake.api_requests[1]) == fake.issued_tokens[1]


async def test_persistent_401_is_returned_when_raise_on_error_is_off(mode: str, fake: FakeZoho) -> None:
    fake.reject_all_tokens = True
    async with harness(mode, fake, raise_on_error=False) as h:
        response = await h.get()
    assert response.status_code == 401
    assert response.json()["code"] == "oauthtoken_invalid"
    assert len(fake.api_requests) == 2


async def test_401_that_does_not_blame_the_token_is_not_replayed(mode: str, fake: FakeZoho) -> None:
    fake.reject_all_tokens = True
    fake.api_401_body = {"code": "user_suspended", "message": "The user is suspended."}
    async with harness(mode, fake) as h:
        with pytest.raises(AuthenticationError) as caught:
            await h.get()
    assert (caught.value.code, caught.value.operation_id) == ("user_suspended", "get_channel")
    assert str(caught.value) == "HTTP 401 get_channel code=user_suspended: The user is suspended."
    assert len(fake.api_requests) == 1
    assert len(fake.token_requests) == 1


async def test_a_401_after_someone_else_refreshed_uses_their_token(fake: FakeZoho) -> None:
    store = MemoryTokenStore()  # shared, as two workers sharing a file or Redis store would
    async with harness("async", fake, store=store) as first, harness("async", fake, store=store) as second:
        await first.get()
        await second.get()  # same token, from the store
        assert len(fake.token_requests) == 1
        fake.revoke_all()
        assert (await second.get()).status_code == 200  # refreshes: token 2
        assert (await first.get()).status_code == 200  # its cached token 1 is refused; token 2 is in the store
    assert len(fake.token_requests) == 2
    assert first.oauth.token_requests == 1
    assert second.oauth.token_requests == 1
    assert fake.sent_token(fake.api_requests[-1]) == fake.issued_tokens[1]


class _HoldFirst(httpx.AsyncBaseTransport):
    """The fake Zoho, except that the first request to ``/channels/HELD`` waits for ``release`` (a queued request)."""

    def __init__(self, fake: FakeZoho) -> None:
        self.fake = fake
        self.release = anyio.Event()
        self.held = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/channels/HELD") and not self.held:
            self.held = True
            await self.release.wait()
        return await self.fake.ahandle(request)


class _CountingStore(MemoryTokenStore):
    def __init__(self) -> None:
        super().__init__()
        self.locked = 0

    def arefresh_lock(self) -> contextlib.AbstractAsyncContextManager[None]:
        self.locked += 1
        return super().arefresh_lock()


async def _queued_call_across_a_refresh(fake: FakeZoho, auth: ZohoOAuth, *, revoke_again: bool) -> httpx.Response:
    """Call A is stamped with token 1 and held; call B meets a 401, refreshes (token 2); then A is sent."""
    transport = _HoldFirst(fake)
    async with httpx.AsyncClient(transport=transport, auth=auth, base_url=API_BASE) as client:
        await client.get("/channels/T1")
        fake.revoke_all()
        async with anyio.create_task_group() as tasks:
            answers: list[httpx.Response] = []

            async def held() -> None:
                answers.append(await client.get("/channels/HELD"))

            tasks.start_soon(held)
            await anyio.wait_all_tasks_blocked()
            assert transport.held
            assert (await client.get("/channels/T1")).status_code == 200
            if revoke_again:
                fake.revoke_all()
            transport.release.set()
    return answers[0]


async def test_a_401_for_a_token_refreshed_while_the_request_waited_is_replayed_without_a_refresh(
    fake: FakeZoho, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cliq_channels_client.auth")
    store = _CountingStore()
    response = await _queued_call_across_a_refresh(fake, oauth(fake, store=store), revoke_again=False)
    assert response.status_code == 200
    one, two = fake.issued_tokens
    assert [fake.sent_token(r) for r in fake.api_requests] == [one, one, two, one, two]
    assert store.locked == 2  # the first token, the refresh after B's 401; none for A's stale 401
    rejections = [r for r in caplog.records if r.getMessage().startswith("access token rejected")]
    assert len(rejections) == 1  # B's; A's 401 was for a token already replaced


async def test_a_stale_401_does_not_use_up_the_replay_for_the_current_token(fake: FakeZoho) -> None:
    """A's 401 for token 1 is not a rejection, so token 2's own rejection still earns a refresh and a replay."""
    response = await _queued_call_across_a_refresh(fake, oauth(fake), revoke_again=True)
    assert response.status_code == 200
    one, two, three = fake.issued_tokens
    assert [fake.sent_token(r) for r in fake.api_requests] == [one, one, two, one, two, three]


async def test_a_server_rejecting_every_token_costs_one_token_request_per_call_until_the_guard_stops_it(
    mode: str, fake: FakeZoho, clock: FakeClock
) -> None:
    """No loop and no lock-out: each later call tries one refresh (a reissued token heals), the guard bounds it."""
    fake.reject_all_tokens = True
    async with harness(mode, fake, refresh_margin=0) as h:
        with pytest.raises(AuthenticationError):
            await h.get()  # token 1 -> 401 -> token 2 -> 401
        assert (len(fake.api_requests), len(fake.token_requests)) == (2, 2)
        for _ in range(8):
            with pytest.raises(AuthenticationError):
                await h.get()  # 401 -> one refresh -> 401
        assert len(fake.token_requests) == 10  # Zoho's budget: 10 per 10 minutes
        with pytest.raises(TokenRefreshError) as refused:
            await h.get()  # 401 -> the guard refuses an 11th token request, without sending it
        assert refused.value.retry_at is not None
        assert refused.value.retry_at > clock.now()
        assert len(fake.token_requests) == 10
        fake.reject_all_tokens = False  # the server recovers; the budget reopens after the window
        clock.set(refused.value.retry_at)
        assert (await h.get()).status_code == 200
    assert len(fake.token_requests) == 11


async def test_a_rejected_token_gives_way_to_another_users_new_token(fake: FakeZoho) -> None:
    store = MemoryTokenStore()
    fake.reject_all_tokens = True
    async with harness("async", fake, store=store) as first, harness("async", fake, store=store) as second:
        with pytest.raises(AuthenticationError):
            await first.get()  # token 1 -> 401 -> token 2 -> 401 in `first`
        fake.reject_all_tokens = False
        fake.revoke_all()
        assert (await second.get()).status_code == 200  # token 2 refused -> token 3, in the store
        assert (await first.get()).status_code == 200  # token 2 refused; token 3 found in the store
    assert first.oauth.token_requests == 2
    assert len(fake.token_requests) == 3
    assert fake.sent_token(fake.api_requests[-1]) == fake.issued_tokens[2]


# --- failed token requests --------------------------------------------------------------------------


async def test_invalid_code_is_a_token_refresh_error(mode: str, fake: FakeZoho) -> None:
    auth = ZohoOAuth(
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        refresh_token="1000.0123456789abcdef.0123456789abcdef",
        accounts_url=ACCOUNTS,
        clock=fake.clock,
    )
    h = Harness(mode, fake, auth)
    with pytest.raises(TokenRefreshError) as caught:
        await h.get()
    await h.close()
    assert caught.value.error_code == "invalid_code"
    assert caught.value.retry_at is None
    assert "refresh token is invalid" in str(caught.value)
    assert len(fake.token_requests) == 1
    assert fake.api_requests == []


@pytest.mark.parametrize(
    ("status", "content", "expected"),
    [
        (503, b"<html>Service Unavailable</html>", "HTTP 503 without a JSON object"),
        (200, b"not json", "HTTP 200 without a JSON object"),
        (500, b'{"error": "internal"}', "HTTP 500, error='internal'"),
        (200, b'{"token_type": "Bearer"}', "without an access_token"),
    ],
)
async def test_server_errors_and_odd_bodies_are_token_refresh_errors(
    mode: str, fake: FakeZoho, status: int, content: bytes, expected: str
) -> None:
    fake.scripted_token_answers.append(lambda _: httpx.Response(status, content=content))
    async with harness(mode, fake) as h:
        with pytest.raises(TokenRefreshError) as caught:
            await h.get()
        assert expected in str(caught.value)
        assert len(fake.token_requests) == 1
        assert (await h.get()).status_code == 200  # the next call tries again, once
    assert len(fake.token_requests) == 2


async def test_a_token_request_that_fails_in_transport_releases_the_locks(mode: str, fake: FakeZoho) -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("accounts unreachable", request=request)

    fake.scripted_token_answers.append(unreachable)
    async with harness(mode, fake) as h:
        with pytest.raises(httpx.ConnectError):
            await h.get()
        with anyio.fail_after(5):  # a leaked lock would hang here
            assert (await h.get()).status_code == 200
    assert len(fake.token_requests) == 2


# --- data centre --------------------------------------------------------------------------------------


async def test_api_domain_sends_api_requests_to_the_users_data_centre(mode: str, clock: FakeClock) -> None:
    fake = FakeZoho(clock, api_domain="https://www.zohoapis.eu")
    async with harness(mode, fake) as h:
        response = await h.get()
        other = await h.get("/not/an/operation")
    assert response.status_code == 200
    first, second = fake.api_requests
    assert str(first.url) == "https://cliq.zoho.eu/api/v2/channels/T1"
    assert first.headers["Host"] == "cliq.zoho.eu"
    assert str(second.url) == "https://cliq.zoho.com/api/v2/not/an/operation"  # not an operation: untouched
    assert other.status_code == 404
    assert str(fake.token_requests[0].url) == f"{ACCOUNTS}{TOKEN_PATH}"


async def test_api_domain_is_ignored_when_follow_api_domain_is_off(mode: str, clock: FakeClock) -> None:
    fake = FakeZoho(clock, api_domain="https://www.zohoapis.eu")
    async with harness(mode, fake, follow_api_domain=False) as h:
        await h.get()
    assert fake.api_requests[0].url.host == "cliq.zoho.com"


@pytest.mark.parametrize("api_domain", ["http://127.0.0.1:8765", "https://evil.example.net", "http://www.zohoapis.com"])
async def test_an_api_domain_outside_the_data_centre_table_is_refused(
    mode: str, clock: FakeClock, api_domain: str
) -> None:
    fake = FakeZoho(clock, api_domain=api_domain)
    async with harness(mode, fake, base_url="http://127.0.0.1:8765/api/v2") as h:
        with pytest.raises(TokenRefreshError, match="not the HTTPS host of a known Zoho data centre") as caught:
            await h.get("/channels/T1?x=1")
    assert caught.value.error_code == "untrusted_api_domain"
    assert (len(fake.token_requests), fake.api_requests) == (1, [])  # the token went nowhere


async def test_an_unknown_api_domain_is_ignored_without_follow_api_domain(mode: str, clock: FakeClock) -> None:
    fake = FakeZoho(clock, api_domain="http://127.0.0.1:8765")  # an emulator announcing itself; base_url is explicit
    async with harness(mode, fake, base_url="http://localhost:9000/api/v2", follow_api_domain=False) as h:
        assert (await h.get("/channels/T1?x=1")).status_code == 200
    assert str(fake.api_requests[0].url) == "http://localhost:9000/api/v2/channels/T1?x=1"


# --- static token ---------------------------------------------------------------------------------------


async def test_static_token_auth_sets_the_header_and_raises_on_401(mode: str, fake: FakeZoho) -> None:
    token = fake.respond(httpx.Request("POST", f"{ACCOUNTS}{TOKEN_PATH}", data=token_form(fake))).json()
    h = Harness(mode, fake, StaticTokenAuth(token["access_token"]))
    assert (await h.get()).status_code == 200
    assert fake.sent_token(fake.api_requests[0]) == token["access_token"]
    fake.revoke_all()
    with pytest.raises(AuthenticationError) as caught:
        await h.get()
    await h.close()
    assert (caught.value.status_code, caught.value.operation_id) == (401, "get_channel")
    assert len(fake.token_requests) == 1  # only the one this test made; a static token never refreshes


async def test_static_token_auth_returns_the_401_when_raise_on_error_is_off(mode: str, fake: FakeZoho) -> None:
    h = Harness(mode, fake, StaticTokenAuth("1000.deadbeefdeadbeef.deadbeefdeadbeef", raise_on_error=False))
    response = await h.get()
    await h.close()
    assert response.status_code == 401


# --- secrets and logs -----------------------------------------------------------------------------------


async def test_reprs_show_no_secret(fake: FakeZoho, tmp_path: Any) -> None:
    auth = oauth(fake, store=FileTokenStore(tmp_path / "t.json"))
    assert repr(auth) == f"ZohoOAuth(client_id={fake.client_id!r}, accounts_url={ACCOUNTS!r})"
    assert repr(StaticTokenAuth("1000.abcdef0123456789.abcdef0123456789")) == "StaticTokenAuth(access_token=<redacted>)"
    token = Token(access_token="1000.abcdef0123456789.abcdef0123456789", expires_at=1.0)
    assert "1000." not in repr(token)
    assert "1000." not in repr(TokenState(token=token))


async def test_logs_reprs_and_errors_never_carry_a_secret(
    fake: FakeZoho, clock: FakeClock, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Walk through every path that logs or raises, then search everything produced for any secret."""
    caplog.set_level(logging.DEBUG)  # every logger, httpx's included
    store = FileTokenStore(tmp_path / "token.json")
    texts: list[str] = []
    async with harness("async", fake, store=store, refresh_margin=0) as h:
        await h.get()  # refresh: started/finished
        fake.revoke_all()
        await h.get()  # 401 -> refresh -> replay
        fake.reject_all_tokens = True
        with pytest.raises(AuthenticationError) as auth_error:
            await h.get()
        fake.reject_all_tokens = False
        fake.scripted_token_answers.append(lambda _: httpx.Response(200, json={"error": "invalid_code"}))
        clock.advance(3600)
        with pytest.raises(TokenRefreshError) as invalid_code:
            await h.get()
        fake.refuse_tokens = True
        with pytest.raises(TokenRefreshError) as refused:
            await h.get()
        with pytest.raises(TokenRefreshError) as guarded:
            await h.get()
        texts += [repr(h.auth), repr(store), repr(store.load())]
    for error in (auth_error.value, invalid_code.value, refused.value, guarded.value):
        texts += [str(error), repr(error)]
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(vars(record)) for record in caplog.records]
    auth_records = [r for r in caplog.records if r.name == "cliq_channels_client.auth"]
    messages = " | ".join(record.getMessage() for record in auth_records)
    for expected in ("token refresh started", "token refresh finished", "refused by Zoho", "refused by the client"):
        assert expected in messages
    assert {r.__dict__.get("operation_id") for r in auth_records} == {"get_channel"}
    everything = "\n".join(texts)
    for secret in fake.all_secrets():
        assert secret not in everything
    file_content = store.path.read_text()
    assert fake.refresh_token not in file_content
    assert fake.client_secret not in file_content
    assert fake.issued_tokens[-1] in file_content  # the access token is what the file is for


async def test_every_store_works_behind_the_auth(mode: str, fake: FakeZoho, tmp_path: Any) -> None:
    stores: list[TokenStore] = [MemoryTokenStore(), FileTokenStore(tmp_path / "t.json")]
    for store in stores:
        assert isinstance(store, TokenStore)
        async with harness(mode, fake, store=store) as h:
            assert (await h.get()).status_code == 200
        assert store.load().token is not None
        assert store.load().issued == (START,)


# --------------------------------------------------------------------------- the re-stamp hook


def _stamped_request(auth: httpx.Auth) -> httpx.Request:
    request = httpx.Request("GET", f"{API_BASE}/channels/T1")
    return next(auth.sync_auth_flow(request))


def test_the_restamp_hook_puts_only_a_newer_fresh_token_on_a_stamped_request(clock: FakeClock) -> None:
    now = clock.now()
    old = Token("old-token", expires_at=now + 3600, obtained_at=now)
    store = MemoryTokenStore(TokenState(old, ()))
    auth = ZohoOAuth(
        client_id="id", client_secret="secret", refresh_token="r", accounts_url=ACCOUNTS, store=store, clock=clock
    )
    request = _stamped_request(auth)
    restamp = request.extensions[RESTAMP_EXTENSION]
    restamp(request)
    assert request.headers["Authorization"] == "Zoho-oauthtoken old-token"  # nothing newer: untouched
    auth._cached = Token("expired-token", expires_at=now - 1, obtained_at=now - 3601)
    restamp(request)
    assert request.headers["Authorization"] == "Zoho-oauthtoken old-token"  # never a stale token, never a refresh
    auth._cached = Token("new-token", expires_at=now + 3600, obtained_at=now)
    restamp(request)
    assert request.headers["Authorization"] == "Zoho-oauthtoken new-token"
    assert store.load().token == old  # no I/O: the store is not touched


def test_a_static_token_leaves_no_restamp_hook() -> None:
    request = _stamped_request(StaticTokenAuth("fixed"))
    assert RESTAMP_EXTENSION not in request.extensions
