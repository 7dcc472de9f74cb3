"""Closing a client closes what it opened: its transports and, with ``redis=<url>``, its Redis connections.

Run against the real test Redis.  ``CLIENT LIST`` on the server counts the
connections, so "closed" means closed on the wire, not just forgotten; and a
garbage collection after many clients must raise no ``ResourceWarning``.
"""

from __future__ import annotations

import gc
import secrets
import uuid
import warnings
from collections.abc import Iterator

import httpx
import pytest
import redis

from cliq_channels_client.api.channels import get_channel
from cliq_channels_client.client import Client
from cliq_channels_client.custom.factory import create_client
from cliq_channels_client.custom.redis_backend import RedisBackend
from cliq_channels_client.models.channel import Channel
from tests.bodies import channel_json
from tests.redis_support import delete_prefix, raw_redis_fixture, redis_url_fixture  # noqa: F401
from tests.secret_audit import register_secret

#: The client's own objects must be closed, not collected: a ResourceWarning fails the test (pyproject.toml).
pytestmark = pytest.mark.anyio


def channel(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=channel_json("T1"))


def fresh_token() -> str:
    token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
    register_secret(token)
    return token


def redis_client(url: str, name: str) -> Client:
    """A client whose budget lives in Redis (a URL: the client owns the connections), named on the server."""
    mock = httpx.MockTransport(channel)
    return create_client(
        access_token=fresh_token(), redis=f"{url}?client_name={name}", transport=mock, async_transport=mock
    )


def backend_of(client: Client) -> RedisBackend:
    backend = client._httpx_args["transport"]._backend
    assert isinstance(backend, RedisBackend)
    return backend


def connections(raw: redis.Redis, name: str) -> int:
    """Connections the server holds for clients named ``name`` (other tests' connections do not count)."""
    return sum(1 for client in raw.client_list() if client.get("name") == name)


@pytest.fixture
def name(redis_url: str) -> Iterator[str]:
    """A client name of this test alone; the budget keys it made are deleted afterwards."""
    yield f"closing-{uuid.uuid4().hex[:12]}"
    delete_prefix(redis_url, "cliq:rl:")


def test_closing_a_sync_client_closes_its_redis_connections(redis_url: str, raw_redis: redis.Redis, name: str) -> None:
    with redis_client(redis_url, name) as client:
        assert isinstance(get_channel.sync(client=client, channel_id="T1"), Channel)
        assert connections(raw_redis, name) == 1  # the budget was taken in Redis
    assert connections(raw_redis, name) == 0
    assert backend_of(client)._client is None


async def test_closing_an_async_client_closes_its_redis_connections(
    redis_url: str, raw_redis: redis.Redis, name: str
) -> None:
    async with redis_client(redis_url, name) as client:
        assert isinstance(await get_channel.asyncio(client=client, channel_id="T1"), Channel)
        assert connections(raw_redis, name) == 1  # asyncio: the loop's client; trio: the sync one in a thread
    assert connections(raw_redis, name) == 0
    backend = backend_of(client)
    assert (backend._client, len(backend._loops)) == (None, 0)


async def test_many_async_clients_leave_no_resource_warning(redis_url: str, raw_redis: redis.Redis, name: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for _ in range(50):
            async with redis_client(redis_url, name) as client:
                await get_channel.asyncio(client=client, channel_id="T1")
            del client
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert connections(raw_redis, name) == 0


def test_a_redis_client_passed_in_stays_open(redis_url: str, raw_redis: redis.Redis) -> None:
    """The caller's own client is the caller's to close (it may serve other code)."""
    own = redis.Redis.from_url(redis_url, decode_responses=True)
    mock = httpx.MockTransport(channel)
    try:
        with create_client(access_token=fresh_token(), redis=own, transport=mock) as client:
            get_channel.sync(client=client, channel_id="T1")
        assert own.ping() is True
        assert not hasattr(client._httpx_args["transport"], "_backend")
    finally:
        own.close()
        delete_prefix(redis_url, "cliq:rl:")
