"""pytest fixtures for applications built on cliq_channels_client: an emulator and clients on it.

Registered through the ``pytest11`` entry point, so installing
``cliq-channels-client[testing]`` makes them available in every test suite,
as respx and pytest-httpx do for theirs::

    def test_create(cliq_client: Client) -> None:
        body = CreateChannelRequest(name="x", level=ChannelLevel.PRIVATE)
        channel = create_channel.sync(client=cliq_client, body=body)
        assert get_channel.sync(channel.channel_id, client=cliq_client).name == "#x"

``cliq_emulator`` (a fresh :class:`~.testing.CliqEmulator` per test, on
``cliq_clock``, a :class:`~.clock.FakeClock` at the real time) and
``cliq_client`` and ``cliq_async_client`` (production-configured clients on it:
``emulator.client()``; the generated ``Client`` serves the sync and the async
functions alike, so the two differ only in which side they close).  Nothing is imported from the emulator until a
fixture is used, so the plugin costs nothing where the ``[testing]`` extra is missing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

from .clock import FakeClock

if TYPE_CHECKING:
    from ..client import Client
    from .testing import CliqEmulator

__all__ = ["cliq_async_client", "cliq_client", "cliq_clock", "cliq_emulator"]


@pytest.fixture
def cliq_clock() -> FakeClock:
    """The time shared by the emulator and its clients: rate-limit windows and locks pass instantly."""
    return FakeClock()


@pytest.fixture
def cliq_emulator(cliq_clock: FakeClock) -> Iterator[CliqEmulator]:
    """A fresh emulator (its own organization, users and channels) for one test."""
    from .testing import CliqEmulator

    with CliqEmulator(clock=cliq_clock) as emulator:
        yield emulator


@pytest.fixture
def cliq_client(cliq_emulator: CliqEmulator) -> Iterator[Client]:
    """The emulator's production-configured client (``create_client``), closed after the test.

    One object serves the sync and the async generated functions.
    """
    client = cliq_emulator.client()
    yield client
    client.get_httpx_client().close()  # the async side holds no sockets in-process


@pytest.fixture
async def cliq_async_client(cliq_emulator: CliqEmulator) -> AsyncIterator[Client]:
    """A production-configured client for ``await``-ing tests (anyio's pytest plugin or pytest-asyncio)."""
    client = cliq_emulator.client()
    async with client:
        yield client
