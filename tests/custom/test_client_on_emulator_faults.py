"""The configured client on the emulator, in-process and over loopback HTTP: transient faults.

Idempotent calls (GET, PUT) are retried through every transient fault and
succeed; a POST is replayed only when the failure proves it never reached the
server, so no fault ever creates a channel twice.  A body cut short or not
JSON on a success answer is a transport failure too (retried for a GET,
``MalformedResponseError`` for a POST), never a bare ``JSONDecodeError``.
"""

from __future__ import annotations

from typing import Any

import pytest

from cliq_channels_client import (
    ClientHooks,
    CliqTransportError,
    InternalServerError,
    MalformedResponseError,
    RequestEvent,
    RetryEvent,
    ServerError,
)
from cliq_channels_client.api.channels import create_channel, get_channel, update_channel
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.testing import (
    Delay,
    DropConnection,
    ErrorStatus,
    Fault,
    NonJsonBody,
    TruncatedBody,
)
from cliq_channels_client.models import Channel, ChannelLevel, CreateChannelRequest, UpdateChannelRequest
from tests.custom.emulator_support import (
    MODES,
    RealDelays,
    Target,
    assert_no_secret,
    closed_port,
    make_target_fixture,
    open_target,
    raises,
)

shared_target, target = make_target_fixture()

ONCE = CreateChannelRequest(name="Once", level=ChannelLevel.PRIVATE)

#: Every transient fault the emulator injects; each strikes once, then the call goes through.
TRANSIENT: list[Any] = [
    pytest.param(DropConnection(), id="drop"),
    pytest.param(DropConnection(error="reset"), id="reset"),
    pytest.param(DropConnection(error="refuse"), id="refuse"),
    pytest.param(DropConnection(after_apply=True), id="drop-after-apply"),
    pytest.param(DropConnection(after_apply=True, error="reset"), id="reset-after-apply"),
    pytest.param(ErrorStatus(500), id="500"),
    pytest.param(ErrorStatus(502), id="502"),
    pytest.param(ErrorStatus(503, retry_after=2), id="503-retry-after"),
    pytest.param(ErrorStatus(504), id="504"),
    pytest.param(ErrorStatus(500, after_apply=True), id="500-after-apply"),
    pytest.param(TruncatedBody(), id="truncated-then-closed"),
    pytest.param(TruncatedBody(close_connection=False), id="truncated-json"),
    pytest.param(NonJsonBody(), id="html-200"),
    pytest.param(NonJsonBody(after_apply=False), id="html-502"),
]


class Attempts:
    """Hooks that count what the client sent and retried."""

    def __init__(self) -> None:
        self.sent: list[RequestEvent] = []
        self.retries: list[RetryEvent] = []
        self.hooks = ClientHooks(on_request=self.sent.append, on_retry=self.retries.append)

    def of(self, operation_id: str) -> int:
        return sum(1 for event in self.sent if event.operation_id == operation_id)


def check_recovered(target: Target, fault: Fault, operation_id: str, attempts: Attempts) -> None:
    assert target.emu.count(operation_id=operation_id, fault=fault.name) == 1
    assert target.sent(operation_id) == 2  # the faulty attempt reached the emulator, then one retry
    assert attempts.of(operation_id) == 2
    assert [(r.operation_id, r.attempt) for r in attempts.retries] == [(operation_id, 1)]


# --------------------------------------------------------------------------- idempotent calls recover


@pytest.mark.anyio
@pytest.mark.parametrize("fault", TRANSIENT)
async def test_a_get_is_retried_through_each_transient_fault(target: Target, fault: Fault) -> None:
    channel_id = target.emu.seed_channels(1)[0]
    attempts = Attempts()
    async with target.client(hooks=attempts.hooks) as client:
        await client.get_async_httpx_client().get("/channels")  # a token first: the faults target get_channel
        target.emu.inject(fault, operation_id="get_channel")
        channel = await get_channel.asyncio(channel_id, client=client)
    assert isinstance(channel, Channel)
    assert channel.channel_id == channel_id
    check_recovered(target, fault, "get_channel", attempts)


@pytest.mark.parametrize("fault", TRANSIENT)
def test_a_get_is_retried_through_each_transient_fault_sync(target: Target, fault: Fault) -> None:
    channel_id = target.emu.seed_channels(1)[0]
    attempts = Attempts()
    target.emu.inject(fault, operation_id="get_channel")
    with target.client(hooks=attempts.hooks) as client:
        channel = get_channel.sync(channel_id, client=client)
    assert isinstance(channel, Channel)
    assert channel.channel_id == channel_id
    check_recovered(target, fault, "get_channel", attempts)


PUT_FAULTS = [
    pytest.param(DropConnection(after_apply=True), id="drop-after-apply"),
    pytest.param(TruncatedBody(close_connection=False), id="truncated-json"),
    pytest.param(ErrorStatus(503), id="503"),
]


@pytest.mark.anyio
@pytest.mark.parametrize("fault", PUT_FAULTS)
async def test_a_put_is_retried_even_after_it_was_applied(target: Target, fault: Fault) -> None:
    channel_id = target.emu.seed_channels(1)[0]
    attempts = Attempts()
    target.emu.inject(fault, operation_id="update_channel")
    async with target.client(hooks=attempts.hooks) as client:
        channel = await update_channel.asyncio(channel_id, client=client, body=UpdateChannelRequest(description="v2"))
    assert isinstance(channel, Channel)
    assert channel.description == "v2"
    check_recovered(target, fault, "update_channel", attempts)


@pytest.mark.parametrize("fault", PUT_FAULTS)
def test_a_put_is_retried_even_after_it_was_applied_sync(target: Target, fault: Fault) -> None:
    channel_id = target.emu.seed_channels(1)[0]
    attempts = Attempts()
    target.emu.inject(fault, operation_id="update_channel")
    with target.client(hooks=attempts.hooks) as client:
        channel = update_channel.sync(channel_id, client=client, body=UpdateChannelRequest(description="v2"))
    assert isinstance(channel, Channel)
    assert channel.description == "v2"
    check_recovered(target, fault, "update_channel", attempts)


# --------------------------------------------------------------------------- a POST is never duplicated

#: (fault, what the caller gets, channels created, attempts that reached the emulator).
#: "refuse" differs by mode: in-process the client sees ConnectError (never sent: replayed);
#: a loopback server can only close the accepted socket, which looks like a disconnect.
POST_CASES: list[Any] = [
    pytest.param(DropConnection(after_apply=True), CliqTransportError, 1, 1, id="drop-after-apply"),
    pytest.param(DropConnection(after_apply=True, error="reset"), CliqTransportError, 1, 1, id="reset-after-apply"),
    pytest.param(DropConnection(), CliqTransportError, 0, 1, id="drop-before-apply"),
    pytest.param(DropConnection(error="refuse"), None, 1, 2, id="refuse"),
    pytest.param(ErrorStatus(503), ServerError, 0, 1, id="503-before-apply"),
    pytest.param(ErrorStatus(500, after_apply=True), InternalServerError, 1, 1, id="500-after-apply"),
    pytest.param(TruncatedBody(), CliqTransportError, 1, 1, id="truncated-then-closed"),
    pytest.param(TruncatedBody(close_connection=False), MalformedResponseError, 1, 1, id="truncated-json"),
    pytest.param(NonJsonBody(), MalformedResponseError, 1, 1, id="html-200"),
    pytest.param(NonJsonBody(after_apply=False), ServerError, 0, 1, id="html-502"),
]


def expected_post(target: Target, fault: Fault, outcome: type[Exception] | None, created: int, sent: int) -> Any:
    if isinstance(fault, DropConnection) and fault.error == "refuse" and target.mode == "loopback":
        return CliqTransportError, 0, 1
    return outcome, created, sent


def check_post(target: Target, error: BaseException | None, outcome: type[Exception] | None) -> None:
    if outcome is None:
        assert error is None
        return
    assert type(error) is outcome
    if isinstance(error, CliqTransportError):
        assert error.may_have_been_sent is True
        assert error.attempts == 1
        assert "not replayed" in str(error)
    assert_no_secret(error)


@pytest.mark.anyio
@pytest.mark.parametrize(("fault", "outcome", "created", "sent"), POST_CASES)
async def test_a_post_is_never_replayed_once_it_may_have_been_applied(
    target: Target, fault: Fault, outcome: type[Exception] | None, created: int, sent: int
) -> None:
    outcome, created, sent = expected_post(target, fault, outcome, created, sent)
    before = target.channels()
    attempts = Attempts()
    target.emu.inject(fault, operation_id="create_channel")
    error: BaseException | None = None
    async with target.client(hooks=attempts.hooks) as client:
        try:
            channel = await create_channel.asyncio(client=client, body=ONCE)
            assert isinstance(channel, Channel)
        except Exception as raised:
            error = raised
    check_post(target, error, outcome)
    assert target.channels() - before == created
    assert target.sent("create_channel") == attempts.of("create_channel") == sent


@pytest.mark.parametrize(("fault", "outcome", "created", "sent"), POST_CASES)
def test_a_post_is_never_replayed_once_it_may_have_been_applied_sync(
    target: Target, fault: Fault, outcome: type[Exception] | None, created: int, sent: int
) -> None:
    outcome, created, sent = expected_post(target, fault, outcome, created, sent)
    before = target.channels()
    attempts = Attempts()
    target.emu.inject(fault, operation_id="create_channel")
    error: BaseException | None = None
    with target.client(hooks=attempts.hooks) as client:
        try:
            channel = create_channel.sync(client=client, body=ONCE)
            assert isinstance(channel, Channel)
        except Exception as raised:
            error = raised
    check_post(target, error, outcome)
    assert target.channels() - before == created
    assert target.sent("create_channel") == attempts.of("create_channel") == sent


def test_a_post_whose_connection_is_refused_over_real_sockets_is_retried() -> None:
    """A real ConnectError proves the request never left: the POST goes again (and fails here, nobody listens)."""
    with open_target("loopback") as target:
        attempts = Attempts()
        port = closed_port()
        client = target.client(base_url=f"http://127.0.0.1:{port}/api/v2", hooks=attempts.hooks)
        with client, raises(CliqTransportError) as failed:
            create_channel.sync(client=client, body=ONCE)
    assert failed.value.may_have_been_sent is False
    assert failed.value.attempts == 4
    assert attempts.of("create_channel") == 4
    assert isinstance(failed.value.__cause__, Exception)
    assert type(failed.value.__cause__).__name__ == "ConnectError"


# --------------------------------------------------------------------------- a read timeout (real time)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_read_timeout_retries_a_get_and_never_a_post(mode: str) -> None:
    """The emulator's Delay really waits (0.5 s) past the client's read timeout (0.15 s)."""
    clock = FakeClock()
    with open_target(mode, clock=clock, emulator_clock=RealDelays(clock)) as target:
        channel_id = target.emu.seed_channels(1)[0]
        attempts = Attempts()
        async with target.client(timeout=0.15, hooks=attempts.hooks) as client:
            await client.get_async_httpx_client().get("/channels")  # a token first
            target.emu.inject(Delay(0.5), operation_id="get_channel")
            channel = await get_channel.asyncio(channel_id, client=client)
            target.emu.inject(Delay(0.5), operation_id="create_channel")
            with raises(CliqTransportError) as failed:
                await create_channel.asyncio(client=client, body=ONCE)
    assert isinstance(channel, Channel)
    assert attempts.of("get_channel") == 2
    assert [r.reason for r in attempts.retries] == ["ReadTimeout"]
    assert attempts.of("create_channel") == 1
    assert failed.value.may_have_been_sent is True
    assert type(failed.value.__cause__).__name__ == "ReadTimeout"


@pytest.mark.parametrize("mode", MODES)
def test_a_read_timeout_retries_a_get_and_never_a_post_sync(mode: str) -> None:
    clock = FakeClock()
    with open_target(mode, clock=clock, emulator_clock=RealDelays(clock)) as target:
        channel_id = target.emu.seed_channels(1)[0]
        attempts = Attempts()
        with target.client(timeout=0.15, hooks=attempts.hooks) as client:
            client.get_httpx_client().get("/channels")
            target.emu.inject(Delay(0.5), operation_id="get_channel")
            channel = get_channel.sync(channel_id, client=client)
            target.emu.inject(Delay(0.5), operation_id="create_channel")
            with raises(CliqTransportError) as failed:
                create_channel.sync(client=client, body=ONCE)
    assert isinstance(channel, Channel)
    assert attempts.of("get_channel") == 2
    assert attempts.of("create_channel") == 1
    assert failed.value.may_have_been_sent is True
