"""When Redis is unreachable, or stops mid-run: fail fast with a typed error, or fall back and say so once.

Real redis-servers (one the test may stop), the emulator on loopback, and
clients made by ``create_client(redis=...)``.  No case may hang: every call
is timed, and each request either completes or raises before being sent.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
import redis
import redis.asyncio

from cliq_channels_client.api.channels import create_channel, get_channel
from cliq_channels_client.client import Client
from cliq_channels_client.custom.errors import BackendUnavailableError
from cliq_channels_client.custom.factory import create_client
from cliq_channels_client.custom.redis_backend import BackendSwitch, RedisBackend
from cliq_channels_client.custom.redis_store import RedisTokenStore
from cliq_channels_client.custom.testing import CliqEmulator, Delay, ServerURL
from cliq_channels_client.custom.tokens import Token, TokenState
from cliq_channels_client.models import ChannelLevel, CreateChannelRequest
from tests.redis_support import (  # noqa: F401
    RedisServer,
    backend_fixture,
    free_port,
    private_redis_fixture,
    redis_prefix_fixture,
    redis_url_fixture,
)
from tests.secret_audit import register_secret

PASSWORD = "redis-pa55word-never-shown"
register_secret(PASSWORD)


@pytest.fixture
def emulator() -> Iterator[tuple[CliqEmulator, ServerURL]]:
    with CliqEmulator() as emu, emu.serve() as url:
        register_secret(emu.credentials.client_secret, emu.credentials.refresh_token)
        yield emu, url


class SilentServer:
    """A port that accepts connections (the kernel does) and never answers: a hung Redis."""

    def __init__(self, sock: socket.socket) -> None:
        self.port = int(sock.getsockname()[1])
        self._sock = sock

    def connections(self) -> int:
        """How many connections clients made so far (the kernel queued them; accepted and closed here)."""
        count = 0
        self._sock.setblocking(False)
        while True:
            try:
                conn, _ = self._sock.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield SilentServer(sock)


def records(caplog: pytest.LogCaptureFixture, logger: str, text: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger and text in r.getMessage()]


def client_for(emu: CliqEmulator, url: ServerURL, redis_arg: Any, **options: Any) -> Client:
    credentials = emu.credentials
    return create_client(
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        refresh_token=credentials.refresh_token,
        base_url=url,
        accounts_url=url.accounts_url,
        redis=redis_arg,
        **options,
    )


def body(name: str) -> CreateChannelRequest:
    return CreateChannelRequest(name=name, level=ChannelLevel.ORGANIZATION)


# --- the backend object ------------------------------------------------------------------------------


def test_the_backend_takes_a_url_or_clients_and_never_shows_a_password() -> None:
    backend = RedisBackend(f"redis://:{PASSWORD}@10.0.0.7:6380/3", prefix="app:")
    assert repr(backend) == "RedisBackend(10.0.0.7:6380/3, prefix='app:')"
    assert RedisBackend.coerce(backend) is backend
    assert RedisBackend.coerce("redis://localhost").where == "localhost:6379/0"
    sync_client = redis.Redis(host="10.0.0.8", port=6390, db=2, password=PASSWORD)
    assert RedisBackend.coerce(sync_client).where == "10.0.0.8:6390/2"
    assert RedisBackend.coerce(redis.asyncio.Redis(host="10.0.0.9")).where == "10.0.0.9:6379/0"
    assert RedisBackend("unix:///run/redis.sock?db=4").where == "unix:/run/redis.sock/4"
    with pytest.raises(TypeError, match="redis= takes"):
        RedisBackend.coerce(6379)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not both"):
        RedisBackend("redis://localhost", client=sync_client)
    with pytest.raises(ValueError, match="prefix"):
        RedisBackend("redis://localhost", prefix="a{b}:")
    sync_client.close()


def test_an_asyncio_client_cannot_serve_sync_code() -> None:
    store = RedisTokenStore(RedisBackend(async_client=redis.asyncio.Redis(port=free_port())))
    with pytest.raises(TypeError, match="sync code needs a URL"):
        store.load()


def test_the_switch_logs_once_per_outage_and_probes_redis_once_per_recheck() -> None:
    now = [0.0]
    logger = logging.getLogger("cliq_channels_client.ratelimit")
    switch = BackendSwitch("local", logger=logger, what="rate limits are", recheck=30, monotonic=lambda: now[0])
    error = BackendUnavailableError("Redis at h:1/0 did not answer (ConnectionError)")
    assert switch.use_backend()
    switch.failed(error)
    switch.failed(error)
    assert switch.on_local
    assert not switch.use_backend()
    now[0] = 31.0
    assert switch.use_backend()  # one probe...
    assert not switch.use_backend()  # ...per recheck interval
    switch.recovered()
    assert not switch.on_local
    assert switch.use_backend()
    failing = BackendSwitch("fail", logger=logger, what="x")
    with pytest.raises(BackendUnavailableError):
        failing.failed(error)
    failing.failed(error, reraise=False)
    assert not failing.on_local


# --- unreachable from the start -------------------------------------------------------------------------


def test_an_unreachable_redis_fails_fast_with_a_typed_error_and_sends_nothing(
    emulator: tuple[CliqEmulator, ServerURL],
) -> None:
    emu, url = emulator
    port = free_port()
    client = client_for(emu, url, f"redis://:{PASSWORD}@127.0.0.1:{port}/0")
    with client, pytest.raises(BackendUnavailableError) as caught:
        get_channel.sync_detailed("T1", client=client)
    assert f"127.0.0.1:{port}/0" in str(caught.value)
    assert PASSWORD not in str(caught.value)
    assert PASSWORD not in repr(caught.value)
    assert emu.requests == ()  # neither a token request nor the call


def test_a_redis_that_never_answers_costs_two_short_timeouts_not_a_hang(
    emulator: tuple[CliqEmulator, ServerURL], silent_server: SilentServer
) -> None:
    emu, url = emulator
    client = client_for(emu, url, f"redis://127.0.0.1:{silent_server.port}/0")
    with client, pytest.raises(BackendUnavailableError, match="TimeoutError"):
        get_channel.sync_detailed("T1", client=client)
    # The mechanism, not a stopwatch: the read timed out (TimeoutError) on a first connection and on one retry.
    assert silent_server.connections() == 2
    assert emu.requests == ()


def test_clients_built_from_a_url_give_up_after_two_short_timeouts(redis_url: str) -> None:
    """What bounds the cost of a Redis that is down or hung: short timeouts, one retry, no back-off."""
    backend = RedisBackend(redis_url, connect_timeout=0.25, timeout=0.75)

    async def async_client() -> redis.asyncio.Redis:
        client = backend._async_client()
        assert client is not None
        await backend.aclose()
        return client

    try:
        for client in (backend._sync_client(), anyio.run(async_client)):
            options = client.connection_pool.connection_kwargs
            assert (options["socket_connect_timeout"], options["socket_timeout"]) == (0.25, 0.75)
            retry = options["retry"]
            assert retry.get_retries() == 1
            assert retry._backoff.compute(1) == 0
    finally:
        backend.close()


def test_with_local_fallback_an_unreachable_redis_is_logged_once_per_concern_and_calls_proceed(
    emulator: tuple[CliqEmulator, ServerURL], caplog: pytest.LogCaptureFixture
) -> None:
    emu, url = emulator
    channel_id = emu.seed_channels(1)[0]
    client = client_for(emu, url, f"redis://127.0.0.1:{free_port()}/0", redis_fallback="local")
    with caplog.at_level(logging.INFO, logger="cliq_channels_client"), client:
        statuses = [get_channel.sync_detailed(channel_id, client=client).status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert len(records(caplog, "cliq_channels_client.auth", "now per process")) == 1
    assert len(records(caplog, "cliq_channels_client.ratelimit", "now per process")) == 1
    assert emu.count(operation_id="get_channel", status=200) == 5


def test_the_local_token_store_starts_from_the_last_state_seen(
    private_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    backend = RedisBackend(private_redis.url, prefix="t:")
    store = RedisTokenStore(backend, fallback="local")
    state = TokenState(token=Token(access_token="1000.aa11bb22cc33dd44.ee55ff66aa77bb88", expires_at=1e10))
    register_secret("1000.aa11bb22cc33dd44.ee55ff66aa77bb88")
    with store.refresh_lock():
        store.save(state)
    private_redis.stop()
    with caplog.at_level(logging.WARNING, logger="cliq_channels_client.auth"):
        assert store.load() == state
        with store.refresh_lock():
            store.save(TokenState(token=state.token, issued=(1.0,)))
        assert store.load().issued == (1.0,)
    assert store.on_local
    assert len(records(caplog, "cliq_channels_client.auth", "now per process")) == 1
    backend.close()


# --- stopped mid-run ------------------------------------------------------------------------------------


async def _run_across_an_outage(
    emu: CliqEmulator, url: ServerURL, server: RedisServer, fallback: str
) -> tuple[list[str], list[str]]:
    """Six creations in flight when Redis stops, then six more; returns the outcomes of both."""
    client = client_for(emu, url, server.url, redis_fallback=fallback)
    emu.inject(Delay(0.6), operation_id="create_channel", times=6)

    async def create(name: str, outcomes: list[str]) -> None:
        try:
            response = await create_channel.asyncio_detailed(client=client, body=body(name))
            outcomes.append(f"{response.status_code}")
        except BackendUnavailableError as error:
            # Refused at once ("unavailable"), not after waiting out a Redis timeout.
            outcomes.append("timed out" if "TimeoutError" in str(error) else "unavailable")

    in_flight: list[str] = []
    after: list[str] = []
    async with client:
        with anyio.fail_after(20):
            async with anyio.create_task_group() as group:
                for index in range(6):
                    group.start_soon(create, f"inflight{index}", in_flight)
                await anyio.sleep(0.3)  # all six are at the emulator, waiting for their Delay
                assert emu.count(operation_id="create_channel") == 0
                await anyio.to_thread.run_sync(server.stop)
            for index in range(6):
                await create(f"after{index}", after)
    return in_flight, after


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.anyio
async def test_redis_stopped_mid_run_fails_fast_and_loses_no_request(
    emulator: tuple[CliqEmulator, ServerURL], private_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    emu, url = emulator
    in_flight, after = await _run_across_an_outage(emu, url, private_redis, "fail")
    assert in_flight == ["200"] * 6  # sent before the outage: completed, their responses delivered
    assert after == ["unavailable"] * 6  # refused before sending
    assert emu.count(operation_id="create_channel") == 6  # nothing refused reached the server
    assert emu.channel_count() == 6
    assert not [r for r in caplog.records if "TimeoutError" in r.getMessage()]  # fast: nothing waited out a timeout


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.anyio
async def test_redis_stopped_mid_run_falls_back_to_local_limits_and_says_so_once(
    emulator: tuple[CliqEmulator, ServerURL], private_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    emu, url = emulator
    with caplog.at_level(logging.INFO, logger="cliq_channels_client"):
        in_flight, after = await _run_across_an_outage(emu, url, private_redis, "local")
    assert in_flight == ["200"] * 6
    assert after == ["200"] * 6
    assert emu.count(operation_id="create_channel") == 12
    assert emu.channel_count() == 12
    assert not [r for r in caplog.records if "TimeoutError" in r.getMessage()]  # fast: nothing waited out a timeout
    assert len(records(caplog, "cliq_channels_client.ratelimit", "now per process")) == 1
