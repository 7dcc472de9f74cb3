"""Fixtures and helpers for the Redis backend's tests: a real redis-server, a key prefix per test, a shared clock.

``CLIQ_TEST_REDIS_URL`` (exported by ``scripts/with-redis.sh``, the README's
test command) names the server; without it the session starts its own
``redis-server`` on a free loopback port.  A missing binary fails the tests
with instructions: they are never skipped.  Test modules import the fixtures
they use from here, by their ``*_fixture`` names (the fixture names drop the
suffix), so a test's parameters do not shadow the imports.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from multiprocessing.sharedctypes import Synchronized

import anyio
import pytest
import redis

from cliq_channels_client.custom.redis_backend import RedisBackend

REDIS_URL_ENV = "CLIQ_TEST_REDIS_URL"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A private ``redis-server`` on a loopback port, without persistence; :meth:`stop` ends it."""

    def __init__(self, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail(
                "redis-server is not installed: run the tests with scripts/with-redis.sh (make test), "
                "which installs it, or apt-get install redis-server"
            )
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._dir = tempfile.mkdtemp(prefix="cliq-redis-")
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self._process = subprocess.Popen(
            [*args, "--dir", self._dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2, socket_timeout=0.2)
        try:
            for _ in range(100):
                try:
                    if client.ping():
                        return
                except redis.exceptions.ConnectionError:
                    time.sleep(0.05)
        finally:
            client.close()
        self.stop()
        pytest.fail(f"redis-server did not start on port {self.port}")

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    def stop(self) -> None:
        """Stop the server (SIGKILL: no shutdown grace, as a crash or a network cut would look)."""
        if self.running:
            self._process.kill()
        self._process.wait(timeout=10)
        shutil.rmtree(self._dir, ignore_errors=True)


@pytest.fixture(scope="session", name="redis_url")
def redis_url_fixture() -> Iterator[str]:
    """The test Redis: ``CLIQ_TEST_REDIS_URL``, or a redis-server started for this session."""
    url = os.environ.get(REDIS_URL_ENV)
    if url:
        yield url
        return
    server = RedisServer()
    try:
        yield server.url
    finally:
        server.stop()


def delete_prefix(url: str, prefix: str) -> int:
    """Delete every key under ``prefix``; how many there were."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
        return len(keys)
    finally:
        client.close()


@pytest.fixture(name="redis_prefix")
def redis_prefix_fixture(redis_url: str) -> Iterator[str]:
    """A key prefix of this test alone, flushed afterwards."""
    prefix = f"cliqtest:{uuid.uuid4().hex[:12]}:"
    yield prefix
    delete_prefix(redis_url, prefix)


@pytest.fixture(name="backend")
def backend_fixture(redis_url: str, redis_prefix: str) -> Iterator[RedisBackend]:
    """A backend on the test Redis under this test's prefix."""
    shared = RedisBackend(redis_url, prefix=redis_prefix)
    yield shared
    shared.close()


@pytest.fixture(name="raw_redis")
def raw_redis_fixture(redis_url: str) -> Iterator[redis.Redis]:
    """A plain client, to look at what the backend stored."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture(name="private_redis")
def private_redis_fixture() -> Iterator[RedisServer]:
    """A redis-server of this test alone, which it may stop."""
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture(name="loopback_nodelay")
def loopback_nodelay_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """Serve the emulator with TCP_NODELAY, as asyncio would if the listening socket said IPPROTO_TCP.

    ``custom/testing/server.py`` creates its socket with protocol 0, so asyncio
    leaves Nagle on and each loopback answer (headers, then body) waits ~40 ms
    for a delayed ACK; on a sped-up clock that is a second of simulated time
    per call.  Accepted sockets inherit the listener's TCP_NODELAY on Linux.
    Drop this once the server sets it itself.
    """
    from cliq_channels_client.custom.testing import server

    original = server.bind_socket

    def bind_socket(host: str, port: int) -> socket.socket:
        sock = original(host, port)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    monkeypatch.setattr(server, "bind_socket", bind_socket)


class SharedClock:
    """A clock several OS processes agree on: real time sped up ``factor`` times, plus a shared offset.

    A :class:`~cliq_channels_client.custom.clock.FakeClock` lives in one
    process; this one reads the host's wall clock (the same in every process)
    and a ``multiprocessing.Value`` offset that :meth:`advance` moves for all.
    Sleeps last ``seconds / factor`` real seconds.
    """

    def __init__(self, offset: Synchronized[float], origin: float, factor: float = 1.0) -> None:
        self._offset = offset
        self._origin = origin
        self._factor = factor

    def now(self) -> float:
        return self._origin + (time.time() - self._origin) * self._factor + self._offset.value

    def advance(self, seconds: float) -> None:
        with self._offset.get_lock():
            self._offset.value += max(seconds, 0.0)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self._factor)

    async def asleep(self, seconds: float) -> None:
        await anyio.sleep(max(seconds, 0.0) / self._factor)

    def __repr__(self) -> str:
        return f"SharedClock(factor={self._factor})"
