"""``create_client(redis=...)``: one argument shares the token and the budget; explicit parts still win."""

from __future__ import annotations

import logging
from typing import Any, TypedDict

import anyio
import pytest
import redis

from cliq_channels_client.api.channels import get_channel
from cliq_channels_client.client import Client
from cliq_channels_client.custom.auth import StaticTokenAuth, ZohoOAuth
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.factory import create_client, user_fingerprint
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID
from cliq_channels_client.custom.ratelimit import LocalRateLimiter
from cliq_channels_client.custom.redis_backend import RedisBackend
from cliq_channels_client.custom.redis_limiter import RedisRateLimiter
from cliq_channels_client.custom.redis_store import RedisTokenStore
from cliq_channels_client.custom.testing import TOKEN_ENDPOINT, CliqEmulator
from cliq_channels_client.custom.tokens import MemoryTokenStore
from cliq_channels_client.custom.transport import CliqTransport
from tests.redis_support import raw_redis_fixture, redis_prefix_fixture, redis_url_fixture  # noqa: F401
from tests.secret_audit import register_secret

CLIENT_ID = "1000.REDISFACTORYTEST"
CLIENT_SECRET = "0123456789abcdef0123456789abcdef01234567"
REFRESH_TOKEN = "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"
register_secret(CLIENT_SECRET, REFRESH_TOKEN)


class OAuthArguments(TypedDict):
    client_id: str
    client_secret: str
    refresh_token: str


OAUTH = OAuthArguments(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN)


def parts(client: Client) -> tuple[Any, CliqTransport]:
    args = client._httpx_args
    return args["auth"], args["transport"]


def test_a_url_shares_the_token_under_the_users_fingerprint_and_the_budget(redis_url: str) -> None:
    auth, transport = parts(create_client(**OAUTH, redis=redis_url))
    assert isinstance(auth, ZohoOAuth)
    store = auth._store
    assert isinstance(store, RedisTokenStore)
    fingerprint = user_fingerprint("oauth", CLIENT_ID, REFRESH_TOKEN)
    assert repr(store) == f"RedisTokenStore(prefix='cliq:{fingerprint}:')"
    assert all(secret not in store.keys.lock for secret in (CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN))
    assert isinstance(transport.rate_limiter, RedisRateLimiter)
    assert transport.rate_limiter.keys(f"{fingerprint}:get_channel").slots == f"cliq:rl:{fingerprint}:get_channel:slots"


def test_clients_and_backends_are_accepted_and_explicit_parts_win(redis_url: str) -> None:
    sync_client = redis.Redis.from_url(redis_url)
    _, transport = parts(create_client(**OAUTH, redis=sync_client))
    assert isinstance(transport.rate_limiter, RedisRateLimiter)
    local, memory = LocalRateLimiter(), MemoryTokenStore()
    auth, transport = parts(
        create_client(**OAUTH, redis=RedisBackend(redis_url), token_store=memory, rate_limiter=local)
    )
    assert auth._store is memory
    assert transport.rate_limiter is local
    auth, transport = parts(create_client(access_token="1000.aa.bb", redis=redis_url))
    assert isinstance(auth, StaticTokenAuth)  # no refresh, so no token store
    assert isinstance(transport.rate_limiter, RedisRateLimiter)
    with pytest.raises(ValueError, match="fallback"):
        create_client(**OAUTH, redis=redis_url, redis_fallback="sometimes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="redis= takes"):
        create_client(**OAUTH, redis=6379)  # type: ignore[arg-type]
    sync_client.close()


@pytest.mark.anyio
async def test_two_clients_on_one_redis_get_one_token_and_are_never_throttled(
    redis_url: str, redis_prefix: str, raw_redis: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    """Two clients stand for two processes (nothing shared but Redis); three windows' worth of calls on a FakeClock."""
    rule = OPERATIONS_BY_ID["get_channel"].rate_limit  # the document's limit, from the operation table
    calls = 3 * rule.threshold
    clock = FakeClock()
    emu = CliqEmulator(clock=clock)
    channel_id = emu.seed_channels(1)[0]
    credentials = emu.credentials
    register_secret(credentials.client_secret, credentials.refresh_token)
    backends = [RedisBackend(redis_url, prefix=redis_prefix) for _ in range(2)]
    clients = [
        create_client(
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            refresh_token=credentials.refresh_token,
            base_url=emu.api_base_url,
            accounts_url=emu.accounts_url,
            transport=emu.transport(),
            async_transport=emu.async_transport(),
            clock=clock,
            max_wait=600,
            redis=backend,
        )
        for backend in backends
    ]
    statuses: list[int] = []

    async def call(client: Client) -> None:
        statuses.append((await get_channel.asyncio_detailed(channel_id, client=client)).status_code)

    start = clock.now()
    with caplog.at_level(logging.DEBUG, logger="cliq_channels_client"), anyio.fail_after(30):
        async with clients[0], clients[1], anyio.create_task_group() as group:
            for index in range(calls):
                group.start_soon(call, clients[index % 2])
    assert statuses == [200] * calls
    assert emu.count(operation_id=TOKEN_ENDPOINT) == 1
    assert emu.count(operation_id="get_channel", status=429) == 0
    assert clock.now() - start >= 2 * rule.window  # three windows' worth of calls took at least two windows
    stored = raw_redis.get(
        f"{redis_prefix}{user_fingerprint('oauth', credentials.client_id, credentials.refresh_token)}:token"
    )
    assert stored is not None
    assert credentials.refresh_token not in stored  # the record holds the access token, never the refresh token
    assert credentials.client_secret not in stored
    assert credentials.client_secret not in caplog.text
    for backend in backends:
        await backend.aclose()
        backend.close()
