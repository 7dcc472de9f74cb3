"""The configured client on the emulator, in-process and over loopback HTTP: pagination and incremental sync.

10,000 channels listed through faults on some pages and a server throttle
mid-way (resumed from the saved cursor once the lock opens): each channel
exactly once.  ``ChannelSync`` falls back to a full listing when more than 50
channels changed, without losing or duplicating one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cliq_channels_client import (
    ChannelPager,
    ChannelSync,
    OperationLockedError,
    ResyncReason,
    ThrottledError,
)
from cliq_channels_client.custom.testing import (
    DropConnection,
    ErrorStatus,
    Fault,
    NonJsonBody,
    ThrottleNow,
    TruncatedBody,
)
from tests.custom.emulator_support import MODES, Target, make_target_fixture, open_target, raises

shared_target, target = make_target_fixture()

CHANNELS = 10_000
PAGE = 100
#: Channels handed out -> the fault that strikes the request for the next page (retried transparently).
FAULTS_AT: dict[int, Fault] = {
    1_000: ErrorStatus(503),
    2_500: DropConnection(),
    4_000: DropConnection(after_apply=True, error="reset"),
    5_500: TruncatedBody(),
    6_000: NonJsonBody(),
}
THROTTLE_AT = 7_000  # the server throttles the next page: ThrottledError, resume after the lock


@pytest.fixture(scope="module")
def seeded(shared_target: Target) -> frozenset[str]:
    return frozenset(shared_target.emu.seed_channels(CHANNELS))


def strike(target: Target, handed_out: int) -> None:
    fault = FAULTS_AT.get(handed_out)
    if fault is not None:
        target.emu.inject(fault, operation_id="list_channels")
    if handed_out == THROTTLE_AT:
        target.emu.inject(ThrottleNow(), operation_id="list_channels")


def check_listing(target: Target, seen: list[str], seeded: frozenset[str]) -> None:
    assert len(seen) == CHANNELS
    assert set(seen) == seeded  # each channel exactly once
    for fault in FAULTS_AT.values():
        assert target.emu.count(operation_id="list_channels", fault=fault.name) == 1
    pages = CHANNELS // PAGE
    answered = [r.status for r in target.emu.requests if r.operation_id == "list_channels" and r.fault is None]
    assert answered.count(200) == pages  # (the HTML page of NonJsonBody is a faulty 200, not counted here)
    assert target.sent("list_channels") == pages + len(FAULTS_AT) + 1  # + one retry each, + the throttled one
    assert target.throttled("list_channels") == 1


@pytest.mark.anyio
async def test_10000_channels_through_faults_and_a_throttle_each_exactly_once(
    target: Target, seeded: frozenset[str]
) -> None:
    seen: list[str] = []
    async with target.client() as client:
        pager = ChannelPager(client, limit=PAGE)
        with raises(ThrottledError) as throttled:
            async for channel in pager:
                seen.append(str(channel.channel_id))
                strike(target, len(seen))
        assert len(seen) == THROTTLE_AT
        saved = str(pager.cursor)
        sent = target.sent("list_channels")
        with raises(OperationLockedError):  # still locked: nothing is sent
            async for _ in ChannelPager(client, limit=PAGE, cursor=saved):
                pytest.fail("a locked listing handed out a channel")
        assert target.sent("list_channels") == sent
        target.clock.set(throttled.value.retry_at)
        async for channel in ChannelPager(client, limit=PAGE, cursor=saved):
            seen.append(str(channel.channel_id))
    check_listing(target, seen, seeded)


def test_10000_channels_through_faults_and_a_throttle_each_exactly_once_sync(
    target: Target, seeded: frozenset[str]
) -> None:
    seen: list[str] = []
    with target.client() as client:
        pager = ChannelPager(client, limit=PAGE)
        with raises(ThrottledError) as throttled:
            for channel in pager:
                seen.append(str(channel.channel_id))
                strike(target, len(seen))
        with raises(OperationLockedError):  # the same pager, iterated again while locked
            next(pager)
        target.clock.set(throttled.value.retry_at)
        resumed = ChannelPager(client, limit=PAGE, cursor=str(pager.cursor))
        seen.extend(str(channel.channel_id) for channel in resumed)
        assert resumed.done
    check_listing(target, seen, seeded)


# --------------------------------------------------------------------------- incremental sync


@pytest.fixture(params=MODES)
def fresh(request: pytest.FixtureRequest) -> Iterator[Target]:
    """An emulator of its own: sync sees every change in the organization."""
    with open_target(str(request.param)) as target:
        yield target


def changes(target: Target, prefix: str, count: int) -> set[str]:
    return {str(target.emu.create_channel(f"{prefix}-{i}")["channel_id"]) for i in range(count)}


@pytest.mark.anyio
async def test_sync_lists_changes_then_falls_back_after_more_than_50(fresh: Target) -> None:
    everything = set(fresh.emu.seed_channels(120))
    async with fresh.client() as client:
        sync = ChannelSync(client, limit=50)
        first = await sync.arun()
        assert first.reason is ResyncReason.INITIAL
        initial = [str(channel.channel_id) async for channel in first]
        assert sorted(initial) == sorted(everything)

        few = changes(fresh, "few", 5)
        everything |= few
        second = await sync.arun()
        assert not second.full_resync
        assert sorted([str(channel.channel_id) async for channel in second]) == sorted(few)

        everything |= changes(fresh, "many", 60)
        third = await sync.arun()
        assert third.full_resync
        assert third.reason is ResyncReason.SYNC_LIMIT_EXCEEDED
        fresh.emu.inject(ErrorStatus(503), operation_id="list_channels")  # the fallback's 2nd page, retried
        listed = [str(channel.channel_id) async for channel in third]
        assert third.complete

        fourth = await sync.arun()
        assert not fourth.full_resync
        assert [channel async for channel in fourth] == []
    assert len(listed) == len(set(listed)) == 185  # none duplicated
    assert set(listed) == everything  # none lost
    assert fresh.emu.count(operation_id="list_channels", status=400) == 1  # the refused sync_token


def test_sync_lists_changes_then_falls_back_after_more_than_50_sync(fresh: Target) -> None:
    everything = set(fresh.emu.seed_channels(120))
    with fresh.client() as client:
        sync = ChannelSync(client, limit=50)
        assert sorted(str(c.channel_id) for c in sync.run()) == sorted(everything)
        few = changes(fresh, "few", 5)
        everything |= few
        second = sync.run()
        assert not second.full_resync
        assert sorted(str(c.channel_id) for c in second) == sorted(few)
        everything |= changes(fresh, "many", 51)
        third = sync.run()
        assert third.reason is ResyncReason.SYNC_LIMIT_EXCEEDED
        fresh.emu.inject(DropConnection(after_apply=True), operation_id="list_channels")
        listed = [str(c.channel_id) for c in third]
        assert list(sync.run()) == []
    assert len(listed) == len(set(listed)) == 176
    assert set(listed) == everything
