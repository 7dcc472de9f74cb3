"""ChannelSync against the fake list server of test_pagination (sync_token semantics, > 50 refusal)."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from cliq_channels_client.custom.errors import BadRequestError, CliqError
from cliq_channels_client.custom.sync import ChannelSync, ResyncReason, SyncResult
from tests.custom.test_pagination import FakeChannelServer, all_ids, channel_id, make_client

N = 230  # five pages of 50


def ids_of(result: SyncResult) -> Counter[object]:
    return Counter(channel.channel_id for channel in result)


async def aids_of(result: SyncResult) -> Counter[object]:
    return Counter([channel.channel_id async for channel in result])


@pytest.mark.parametrize("raising", [False, True], ids=["plain-client", "raising-transport"])
def test_first_run_is_full_later_runs_only_changes_and_over_50_falls_back(raising: bool) -> None:
    server = FakeChannelServer(N)
    sync = ChannelSync(make_client(server, raising=raising), limit=50)

    first = sync.run()
    assert (first.full_resync, first.reason) == (True, ResyncReason.INITIAL)
    assert ids_of(first) == all_ids(N)
    assert first.complete
    assert isinstance(first.state, str)

    assert ids_of(sync.run()) == Counter()  # nothing changed

    server.touch(channel_id(3), channel_id(120))
    server.touch(channel_id(229))
    changes = sync.run()
    assert (changes.full_resync, changes.reason) == (False, None)
    assert ids_of(changes) == Counter([channel_id(3), channel_id(120), channel_id(229)])

    server.touch(*(channel_id(i) for i in range(0, 2 * 51, 2)))  # 51 changed
    before = len(server.requests)
    fallback = sync.run()
    assert (fallback.full_resync, fallback.reason) == (True, ResyncReason.SYNC_LIMIT_EXCEEDED)
    assert ids_of(fallback) == all_ids(N)  # every channel, each once: nothing of the refused list was handed out
    assert len(server.requests) - before == 1 + 5  # the refused changes request, then the full listing
    assert ids_of(sync.run()) == Counter()  # the fallback's state covers those 51


def test_exactly_50_changes_are_still_listed_as_changes() -> None:
    server = FakeChannelServer(N)
    sync = ChannelSync(make_client(server), limit=100)
    ids_of(sync.run())
    server.touch(*(channel_id(i) for i in range(50)))
    result = sync.run()
    assert not result.full_resync
    assert ids_of(result) == all_ids(50)


@pytest.mark.anyio
async def test_async_runs_mirror_the_sync_ones() -> None:
    server = FakeChannelServer(N)
    sync = ChannelSync(make_client(server, raising=True), limit=50)
    first = await sync.arun()
    assert first.reason is ResyncReason.INITIAL
    assert await aids_of(first) == all_ids(N)
    server.touch(channel_id(7))
    changes = await sync.arun()
    assert not changes.full_resync
    assert await aids_of(changes) == Counter([channel_id(7)])
    server.touch(*(channel_id(i) for i in range(60)))
    fallback = await sync.arun()
    assert fallback.reason is ResyncReason.SYNC_LIMIT_EXCEEDED
    assert await aids_of(fallback) == all_ids(N)
    assert await aids_of(await sync.arun()) == Counter()


def test_changes_made_during_a_full_listing_appear_in_the_next_run() -> None:
    server = FakeChannelServer(N)
    sync = ChannelSync(make_client(server), limit=50)
    seen: Counter[object] = Counter()
    for channel in sync.run():
        seen[channel.channel_id] += 1
        if channel.channel_id == channel_id(60):  # page 2 is being read: page 1 is behind us
            server.touch(channel_id(10))  # on a page already read: not in this listing
            server.touch(channel_id(200))  # on a page still to come: in this listing (and the next run)
    assert seen == all_ids(N)
    after = sync.run()
    assert not after.full_resync
    assert ids_of(after) == Counter([channel_id(10), channel_id(200)])


def test_changes_made_during_a_changes_run_appear_in_the_next_run() -> None:
    server = FakeChannelServer(N)
    sync = ChannelSync(make_client(server), limit=2)  # the changes listing itself spans pages
    for _ in sync.run().pages():
        pass
    server.touch(*(channel_id(i) for i in (1, 2, 3, 4, 5)))
    result = sync.run()
    seen: Counter[object] = Counter()
    for channel in result:
        seen[channel.channel_id] += 1
        if channel.channel_id == channel_id(3):
            server.touch(channel_id(1))  # changed again, behind the reader: not in this run
    assert seen == Counter(channel_id(i) for i in (1, 2, 3, 4, 5))
    assert ids_of(sync.run()) == Counter([channel_id(1)])


def test_a_paginated_changes_listing_follows_next_token_and_keeps_the_sync_token() -> None:
    server = FakeChannelServer(N)
    sync = ChannelSync(make_client(server), limit=2)
    for _ in sync.run():
        pass
    state_before = sync.state
    server.touch(*(channel_id(i) for i in (9, 19, 29, 39, 49)))
    start = len(server.requests)
    assert ids_of(sync.run()) == Counter(channel_id(i) for i in (9, 19, 29, 39, 49))
    run_requests = server.requests[start:]
    assert len(run_requests) == 3
    assert all(q.get("sync_token") == state_before for q in run_requests)
    assert ["next_token" in q for q in run_requests] == [False, True, True]


def test_state_is_a_plain_string_that_round_trips_through_storage() -> None:
    server = FakeChannelServer(N)
    client = make_client(server)
    first = ChannelSync(client, limit=50).run()
    ids_of(first)
    stored = first.state
    assert isinstance(stored, str)
    server.touch(channel_id(42))
    restored = ChannelSync(client, state=str(stored), limit=50).run()
    assert not restored.full_resync
    assert restored.previous_state == stored
    assert ids_of(restored) == Counter([channel_id(42)])
    assert restored.state != stored


def test_the_state_moves_only_once_a_run_is_complete() -> None:
    server = FakeChannelServer(N)
    sync = ChannelSync(make_client(server), limit=50)
    full = sync.run()
    iterator = iter(full)
    for _ in range(120):
        next(iterator)
    assert not full.complete
    assert full.state is None  # persisting now repeats the full listing; it never skips the unread channels
    assert sync.state is None
    assert sync.run().reason is ResyncReason.INITIAL  # an abandoned run is started again

    server2 = FakeChannelServer(N)
    sync2 = ChannelSync(make_client(server2), limit=50)
    ids_of(sync2.run())
    saved = sync2.state
    server2.touch(channel_id(1), channel_id(2))
    partial = sync2.run()
    next(iter(partial))
    assert partial.state == saved
    assert ids_of(sync2.run()) == Counter([channel_id(1), channel_id(2)])  # the next run repeats the changes
    assert sync2.state != saved


def test_a_failed_page_mid_run_is_survived_by_catching_and_continuing() -> None:
    server = FakeChannelServer(N)
    server.faults = {2: httpx.ConnectError("refused"), 4: httpx.Response(500, json={"message": "oops"})}
    sync = ChannelSync(make_client(server), limit=50)
    result = sync.run()
    seen: Counter[object] = Counter()
    failures = 0
    while True:
        try:
            for channel in result:
                seen[channel.channel_id] += 1
            break
        except (CliqError, httpx.TransportError):
            failures += 1
    assert failures == 2
    assert seen == all_ids(N)
    assert result.complete
    assert result.state is not None


def test_a_failed_first_request_raises_from_run_and_keeps_the_state() -> None:
    server = FakeChannelServer(N)
    sync = ChannelSync(make_client(server), limit=50)
    ids_of(sync.run())
    saved = sync.state
    server.faults[len(server.requests) + 1] = httpx.ConnectError("refused")
    with pytest.raises(httpx.ConnectError):
        sync.run()
    assert sync.state == saved
    assert ids_of(sync.run()) == Counter()


@pytest.mark.parametrize("raising", [False, True], ids=["plain-client", "raising-transport"])
def test_other_bad_requests_are_raised_not_taken_for_the_sync_limit(raising: bool) -> None:
    server = FakeChannelServer(N)
    sync = ChannelSync(make_client(server, raising=raising), state="not-a-token-the-server-issued")
    with pytest.raises(BadRequestError) as caught:
        sync.run()
    assert caught.value.code == "invalid_sync_token"
    assert len(server.requests) == 1  # no fallback listing


def test_filters_are_sent_on_every_request_of_every_run() -> None:
    server = FakeChannelServer(N)
    sync = ChannelSync(make_client(server), limit=50, joined=True, team_ids=["TM1", "TM2"], level="team")
    ids_of(sync.run())
    server.touch(*(channel_id(i) for i in range(60)))
    ids_of(sync.run())
    assert len(server.requests) == 5 + 1 + 5
    assert all(
        (q["joined"], q["team_ids"], q["level"], q["limit"]) == ("true", "TM1,TM2", "team", "50")
        for q in server.requests
    )


def test_the_full_result_streams_page_by_page() -> None:
    server = FakeChannelServer(N)
    result = ChannelSync(make_client(server), limit=50).run()
    assert len(server.requests) == 1  # run() sent only the first request
    sizes = [len(page) for page in result.pages()]
    assert sizes == [50, 50, 50, 50, 30]
    assert result.complete
    assert "full_resync=True" in repr(result)
