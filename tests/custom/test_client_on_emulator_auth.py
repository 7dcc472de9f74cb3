"""The configured client on the emulator, in-process and over loopback HTTP: token refresh.

Single-flight refresh across an expiry (200 async tasks, 50 threads), the
issuance limit (injected refusal, and the real limit spent by someone else),
the ``on_token_refresh`` hook, the refresh margin that outlives pacing, and
requests queued across a revocation that leave re-stamped with the new token.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import anyio
import pytest

from cliq_channels_client import ClientHooks, TokenRefreshError, TokenRefreshEvent, create_client
from cliq_channels_client.api.channels import get_channel
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID, RateLimitRule
from cliq_channels_client.custom.ratelimit import LocalRateLimiter
from cliq_channels_client.custom.testing import TOKEN_ENDPOINT, ExpireToken, ThrottleNow
from cliq_channels_client.models import Channel
from tests.custom.emulator_support import Target, assert_no_secret, make_target_fixture, raises

shared_target, target = make_target_fixture()

TOKEN_LIFETIME = 3600.0
ISSUANCE_WINDOW = 600.0


# --------------------------------------------------------------------------- single flight across an expiry


@pytest.mark.anyio
async def test_200_concurrent_async_calls_across_a_token_expiry_make_one_token_request(target: Target) -> None:
    channel_id = target.emu.seed_channels(1)[0]
    refreshes: list[TokenRefreshEvent] = []
    # 200 calls of one operation are paced over ten windows; max_wait lets every one wait its turn.
    client = target.client(max_wait=1200, hooks=ClientHooks(on_token_refresh=refreshes.append))
    results: list[object] = []
    async with client:
        assert isinstance(await get_channel.asyncio(channel_id, client=client), Channel)
        assert target.token_requests() == 1
        target.clock.advance(TOKEN_LIFETIME)  # the token has expired

        async def call() -> None:
            results.append(await get_channel.asyncio(channel_id, client=client))

        async with anyio.create_task_group() as tasks:
            for _ in range(200):
                tasks.start_soon(call)
    assert target.token_requests() == 2  # exactly one for the 200 calls
    assert len(results) == 200
    assert all(isinstance(r, Channel) and r.channel_id == channel_id for r in results)
    assert target.emu.count(operation_id="get_channel", status=401) == 0
    assert target.emu.count(operation_id="get_channel", status=200) == 201
    assert target.throttled("get_channel") == 0
    assert [event.reason for event in refreshes] == ["missing", "expiring"]


def test_50_threads_across_a_token_expiry_make_one_token_request(target: Target) -> None:
    channel_id = target.emu.seed_channels(1)[0]
    with target.client(max_wait=300) as client:
        assert isinstance(get_channel.sync(channel_id, client=client), Channel)
        target.clock.advance(TOKEN_LIFETIME)
        with ThreadPoolExecutor(max_workers=50) as pool:
            results = list(pool.map(lambda _: get_channel.sync(channel_id, client=client), range(50)))
    assert target.token_requests() == 2
    assert all(isinstance(r, Channel) and r.channel_id == channel_id for r in results)
    assert target.emu.count(operation_id="get_channel", status=200) == 51
    assert target.emu.count(operation_id="get_channel", status=401) == 0
    assert target.throttled("get_channel") == 0


# --------------------------------------------------------------------------- the issuance limit


@pytest.mark.anyio
async def test_an_issuance_refusal_is_a_clear_error_with_retry_at_and_no_loop(target: Target) -> None:
    channel_id = target.emu.seed_channels(1)[0]
    target.emu.inject(ThrottleNow(), operation_id=TOKEN_ENDPOINT)
    async with target.client() as client:
        refused_at = target.clock.now()
        with raises(TokenRefreshError, match="too many token requests") as refused:
            await get_channel.asyncio(channel_id, client=client)
        assert refused.value.retry_at == pytest.approx(refused_at + ISSUANCE_WINDOW)
        assert "(in 600s)" in str(refused.value)  # says when to retry
        for wait in (1.0, 300.0, 298.0):  # every call until retry_at is refused without a token request
            target.clock.advance(wait)
            with raises(TokenRefreshError) as again:
                await get_channel.asyncio(channel_id, client=client)
            assert again.value.retry_at == refused.value.retry_at
        assert target.token_requests() == 1
        assert target.sent("get_channel") == 0  # no API request went out without a token
        target.clock.set(refused.value.retry_at or 0.0)
        channel = await get_channel.asyncio(channel_id, client=client)
    assert isinstance(channel, Channel)
    assert target.token_requests() == 2


def test_the_real_issuance_limit_spent_by_another_process_is_respected(target: Target) -> None:
    """Someone else made Zoho's 10 token requests: the emulator refuses the 11th, the client stops asking."""
    channel_id = target.emu.seed_channels(1)[0]
    credentials = target.emu.credentials
    form = {
        "grant_type": "refresh_token",
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "refresh_token": credentials.refresh_token,
    }
    with target.raw_http() as other:
        statuses = [other.post(f"{target.accounts_url}/oauth/v2/token", data=form).status_code for _ in range(10)]
    assert statuses == [200] * 10
    with target.client() as client:
        with raises(TokenRefreshError, match="too many token requests") as refused:
            get_channel.sync(channel_id, client=client)
        assert refused.value.retry_at is not None
        assert refused.value.retry_at >= target.clock.now() + ISSUANCE_WINDOW - 1
        with raises(TokenRefreshError):
            get_channel.sync(channel_id, client=client)
        assert target.token_requests() == 11  # the client sent one, was refused, and did not ask again
        target.clock.set(refused.value.retry_at)
        assert isinstance(get_channel.sync(channel_id, client=client), Channel)
    assert target.token_requests() == 12
    assert target.emu.count(operation_id=TOKEN_ENDPOINT, status=400) == 1


# --------------------------------------------------------------------------- the on_token_refresh hook


def test_the_refresh_hook_reports_each_refresh_and_its_reason_never_the_token(target: Target) -> None:
    channel_id = target.emu.seed_channels(1)[0]
    events: list[TokenRefreshEvent] = []
    times: list[float] = []
    with target.client(hooks=ClientHooks(on_token_refresh=events.append)) as client:
        times.append(target.clock.now())
        get_channel.sync(channel_id, client=client)  # no token yet
        target.clock.advance(TOKEN_LIFETIME - 100)  # within the refresh margin
        times.append(target.clock.now())
        get_channel.sync(channel_id, client=client)
        target.emu.inject(ExpireToken(), operation_id="get_channel")
        times.append(target.clock.now())
        channel = get_channel.sync(channel_id, client=client)  # 401, refresh, replay
    assert isinstance(channel, Channel)
    assert [e.reason for e in events] == ["missing", "expiring", "rejected"]
    assert [e.time for e in events] == times
    assert [e.expires_in for e in events] == [TOKEN_LIFETIME] * 3
    assert [e.operation_id for e in events] == ["get_channel"] * 3
    assert target.token_requests() == 3
    assert_no_secret(*events)


@pytest.mark.anyio
async def test_the_refresh_hook_runs_in_async_clients_and_a_broken_hook_breaks_nothing(target: Target) -> None:
    channel_id = target.emu.seed_channels(1)[0]
    events: list[TokenRefreshEvent] = []

    def broken(event: TokenRefreshEvent) -> None:
        events.append(event)
        raise RuntimeError("metrics backend down")

    async with target.client(hooks=ClientHooks(on_token_refresh=broken)) as client:
        assert isinstance(await get_channel.asyncio(channel_id, client=client), Channel)
    assert [(e.reason, e.expires_in) for e in events] == [("missing", TOKEN_LIFETIME)]


# --------------------------------------------------------------------------- pacing vs freshness


def test_a_request_paced_up_to_max_wait_still_leaves_with_a_valid_token(target: Target) -> None:
    """refresh_margin=0 < max_wait: create_client refreshes max_wait + 10 s ahead, so no request meets a 401.

    Another client of the same user (sharing the rate limiter) fills the
    window while the token has 60 s left; the next call waits ~63 s for a
    slot, longer than the token lives, so its token must be refreshed before it waits.
    """
    channel_id = target.emu.seed_channels(1)[0]
    limiter = LocalRateLimiter(clock=target.clock)
    events: list[TokenRefreshEvent] = []
    client = target.client(
        refresh_margin=0,
        max_wait=120,
        rate_limiter=limiter,
        user_key="patricia",
        hooks=ClientHooks(on_token_refresh=events.append),
    )
    filler = create_client(
        access_token=target.emu.issue_access_token(expires_in=10 * TOKEN_LIFETIME),
        base_url=target.base_url,
        clock=target.clock,
        rate_limiter=limiter,
        user_key="patricia",
        **target.transports(),
    )
    with client, filler:
        get_channel.sync(channel_id, client=client)
        target.clock.advance(TOKEN_LIFETIME - 60)
        for _ in range(OPERATIONS_BY_ID["get_channel"].rate_limit.threshold):  # the document's limit
            get_channel.sync(channel_id, client=filler)
        before = target.clock.now()
        channel = get_channel.sync(channel_id, client=client)
        waited = target.clock.now() - before
    assert isinstance(channel, Channel)
    assert waited > 60  # it really waited past the old token's expiry
    assert target.emu.count(operation_id="get_channel", status=401) == 0
    assert [e.reason for e in events] == ["missing", "expiring"]
    assert target.token_requests() == 2


# --------------------------------------------------------------------------- re-stamping queued requests


class GateLimiter:
    """A rate limiter that admits ``passes`` requests, then queues every other one until :meth:`open`.

    Stands for the rate-limit queue: requests stamped with a token wait here
    while the server revokes it and the client refreshes.
    """

    def __init__(self) -> None:
        self.passes = 1_000_000
        self.waiting = 0
        self.expected = 0
        self.queued = threading.Event()  # set once ``expected`` requests wait
        self.aqueued: anyio.Event | None = None  # the same, for async tests (created in the event loop)
        self._event = threading.Event()
        self._aevent: anyio.Event | None = None

    def _wait_begins(self) -> None:
        self.waiting += 1
        if self.waiting >= self.expected:
            self.queued.set()
            if self.aqueued is not None:
                self.aqueued.set()

    def close(self) -> None:
        self.passes = 0

    def open(self) -> None:
        self.passes = 1_000_000
        self._event.set()
        if self._aevent is not None:
            self._aevent.set()

    def acquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        if self.passes > 0:
            self.passes -= 1
            return
        self._wait_begins()
        self._event.wait(10)

    async def aacquire(self, key: str, rule: RateLimitRule, *, operation_id: str, max_wait: float) -> None:
        if self.passes > 0:
            self.passes -= 1
            return
        if self._aevent is None:
            self._aevent = anyio.Event()
        self._wait_begins()
        await self._aevent.wait()

    def release(self, key: str, rule: RateLimitRule) -> None:
        return None

    def lock(self, key: str, until: float) -> None:
        return None

    async def arelease(self, key: str, rule: RateLimitRule) -> None:
        return None

    async def alock(self, key: str, until: float) -> None:
        return None


QUEUED = 10


def _expect_queued(gate: GateLimiter, count: int) -> anyio.Event:
    gate.expected = count
    gate.aqueued = anyio.Event()
    return gate.aqueued


@pytest.mark.anyio
async def test_async_requests_queued_across_a_revocation_go_out_with_the_new_token(target: Target) -> None:
    channel_id = target.emu.seed_channels(1)[0]
    gate = GateLimiter()
    results: list[object] = []
    async with target.client(rate_limiter=gate) as client:
        await get_channel.asyncio(channel_id, client=client)
        gate.close()
        target.emu.expire_access_tokens()  # revoked on the server; the client does not know yet

        async def call() -> None:
            results.append(await get_channel.asyncio(channel_id, client=client))

        queued = _expect_queued(gate, QUEUED)
        async with anyio.create_task_group() as tasks:
            for _ in range(QUEUED):
                tasks.start_soon(call)  # stamped with the revoked token, then queued
            with anyio.fail_after(10):
                await queued.wait()
            gate.passes = 2  # the discoverer: its 401, then its replay
            results.append(await get_channel.asyncio(channel_id, client=client))
            gate.open()
    assert len(results) == QUEUED + 1
    assert all(isinstance(r, Channel) and r.channel_id == channel_id for r in results)
    assert target.emu.count(operation_id="get_channel", status=401) == 1  # only the discoverer
    assert target.emu.count(operation_id="get_channel") == 1 + 2 + QUEUED
    assert target.token_requests() == 2


def test_threads_queued_across_a_revocation_go_out_with_the_new_token(target: Target) -> None:
    channel_id = target.emu.seed_channels(1)[0]
    gate = GateLimiter()
    with target.client(rate_limiter=gate) as client:
        get_channel.sync(channel_id, client=client)
        gate.close()
        target.emu.expire_access_tokens()
        gate.expected = QUEUED
        with ThreadPoolExecutor(max_workers=QUEUED) as pool:
            queued = [pool.submit(get_channel.sync, channel_id, client=client) for _ in range(QUEUED)]
            assert gate.queued.wait(10)
            gate.passes = 2
            first = get_channel.sync(channel_id, client=client)
            gate.open()
            results = [first, *(future.result() for future in queued)]
    assert all(isinstance(r, Channel) and r.channel_id == channel_id for r in results)
    assert target.emu.count(operation_id="get_channel", status=401) == 1
    assert target.emu.count(operation_id="get_channel") == 1 + 2 + QUEUED
    assert target.token_requests() == 2


@pytest.mark.anyio
async def test_a_401_for_a_re_stamped_token_is_its_rejection_and_refreshes_once(target: Target) -> None:
    """Queued with token A, re-stamped with B (refreshed meanwhile), B revoked too: one refresh, two sends."""
    channel_id = target.emu.seed_channels(1)[0]
    gate = GateLimiter()
    events: list[TokenRefreshEvent] = []
    results: list[object] = []
    async with target.client(rate_limiter=gate, hooks=ClientHooks(on_token_refresh=events.append)) as client:
        await get_channel.asyncio(channel_id, client=client)  # token A
        gate.close()

        async def call() -> None:
            results.append(await get_channel.asyncio(channel_id, client=client))

        queued = _expect_queued(gate, 1)
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(call)  # stamped with A, queued
            with anyio.fail_after(10):
                await queued.wait()
            target.emu.expire_access_tokens()
            gate.passes = 2
            results.append(await get_channel.asyncio(channel_id, client=client))  # 401, refresh -> B, replay
            target.emu.expire_access_tokens()  # B revoked as well
            before = target.emu.count(operation_id="get_channel")
            gate.open()  # the queued call goes out re-stamped with B: 401, refresh -> C, replay
    assert all(isinstance(r, Channel) for r in results)
    assert target.emu.count(operation_id="get_channel") - before == 2  # not 3: B's 401 is not "stale"
    assert target.emu.count(operation_id="get_channel", status=401) == 2
    assert target.token_requests() == 3
    assert [event.reason for event in events] == ["missing", "rejected", "rejected"]
