"""RedisTokenStore on a real redis-server: round trips, the fenced lock and its scripts, dead holders, secrets."""

from __future__ import annotations

import json
import logging
import threading
import time
import types
from collections.abc import Callable

import anyio
import anyio.to_thread
import pytest
import redis

from cliq_channels_client.custom import redis_store
from cliq_channels_client.custom.errors import TokenRefreshError
from cliq_channels_client.custom.redis_backend import RedisBackend
from cliq_channels_client.custom.redis_store import ACQUIRE, RELEASE, SAVE, RedisTokenStore
from cliq_channels_client.custom.tokens import Token, TokenState, TokenStore
from tests.redis_support import backend_fixture, raw_redis_fixture, redis_prefix_fixture, redis_url_fixture  # noqa: F401
from tests.secret_audit import register_secret

ACCESS = "1000.0123456789abcdef0123.fedcba9876543210fedc"
NEWER = "1000.aaaaaaaaaaaaaaaa0123.bbbbbbbbbbbbbbbbfedc"
register_secret(ACCESS, NEWER)
STATE = TokenState(
    token=Token(access_token=ACCESS, expires_at=100_003_600.0, api_domain="https://www.zohoapis.eu", obtained_at=1e8),
    issued=(99_999_000.0, 100_000_000.0),
)
NEWER_STATE = TokenState(token=Token(access_token=NEWER, expires_at=100_007_200.0), issued=(100_003_000.0,))
BACK_OFF_CAP = 0.1  # the longest pause between two tries for a held lock (redis_store._acquire)


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every pause the store takes while it waits for the lock (real sleeps, recorded): how promptly it
    gets in is a matter of these, not of a stopwatch on a loaded machine."""
    taken: list[float] = []

    def sleep(seconds: float) -> None:
        taken.append(seconds)
        time.sleep(seconds)

    async def anyio_sleep(seconds: float) -> None:
        taken.append(seconds)
        await anyio.sleep(seconds)

    monkeypatch.setattr(redis_store, "time", types.SimpleNamespace(monotonic=time.monotonic, sleep=sleep))
    monkeypatch.setattr(redis_store, "anyio", types.SimpleNamespace(sleep=anyio_sleep, CancelScope=anyio.CancelScope))
    return taken


def wait_until(condition: Callable[[], object]) -> None:
    """Poll ``condition`` until it holds; a liveness bound only (30 s), never a speed goal."""
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


# --- values and round trips ------------------------------------------------------------------------


def test_the_store_satisfies_the_protocol_and_starts_empty(backend: RedisBackend) -> None:
    store = RedisTokenStore(backend, namespace="user1")
    assert isinstance(store, TokenStore)
    assert store.load() == TokenState()
    with pytest.raises(ValueError, match="lock_timeout"):
        RedisTokenStore(backend, lock_timeout=0)
    with pytest.raises(ValueError, match="namespace"):
        RedisTokenStore(backend, namespace="a{b}")


def test_a_saved_state_is_what_every_store_on_the_namespace_loads(
    backend: RedisBackend, raw_redis: redis.Redis, redis_prefix: str
) -> None:
    writer = RedisTokenStore(backend, namespace="user1")
    with writer.refresh_lock():
        writer.save(STATE)
    assert RedisTokenStore(backend, namespace="user1").load() == STATE
    assert RedisTokenStore(backend, namespace="user2").load() == TokenState()  # namespaces do not mix
    record = json.loads(raw_redis.get(f"{redis_prefix}user1:token") or "")
    assert record["format"] == 1  # FileTokenStore's record format
    assert record["issued"] == [99_999_000.0, 100_000_000.0]


@pytest.mark.anyio
async def test_async_twins_round_trip_and_lock(backend: RedisBackend) -> None:
    store = RedisTokenStore(backend, namespace="user1")
    assert await store.aload() == TokenState()
    async with store.arefresh_lock():
        await store.asave(STATE)
    assert await store.aload() == STATE
    assert store.load() == STATE
    await backend.aclose()


def test_a_record_written_by_something_else_is_ignored_without_logging_it(
    backend: RedisBackend, raw_redis: redis.Redis, redis_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    raw_redis.set(f"{redis_prefix}user1:token", f'{{"oops": "{ACCESS}"}}')
    with caplog.at_level(logging.WARNING, logger="cliq_channels_client.auth"):
        assert RedisTokenStore(backend, namespace="user1").load() == TokenState()
    assert "not valid" in caplog.text
    assert ACCESS not in caplog.text


def test_repr_shows_the_prefix_only_and_keys_hold_no_credentials(
    backend: RedisBackend, raw_redis: redis.Redis, redis_prefix: str
) -> None:
    store = RedisTokenStore(backend, namespace="f00dfeed")
    with store.refresh_lock():
        store.save(STATE)
    assert repr(store) == f"RedisTokenStore(prefix='{redis_prefix}f00dfeed:')"
    assert ACCESS not in repr(store)
    assert ACCESS not in repr(backend)
    keys = sorted(raw_redis.scan_iter(match=f"{redis_prefix}*"))
    assert keys == [f"{redis_prefix}f00dfeed:token", f"{redis_prefix}f00dfeed:token:fence"]
    assert all(ACCESS not in key for key in keys)
    assert store.keys.lock == f"{redis_prefix}f00dfeed:token:lock"


# --- the scripts -----------------------------------------------------------------------------------


def test_acquire_script_takes_a_free_lock_with_a_new_fence_and_reports_the_holders_time_left(
    raw_redis: redis.Redis, redis_prefix: str
) -> None:
    lock, fence = f"{redis_prefix}lock", f"{redis_prefix}fence"
    assert ACQUIRE.run(raw_redis, [lock, fence], ["owner-a", 5000]) == [1, 1]
    taken, left = ACQUIRE.run(raw_redis, [lock, fence], ["owner-b", 5000])
    assert taken == 0
    assert 4000 < left <= 5000
    assert raw_redis.get(lock) == "owner-a"
    assert RELEASE.run(raw_redis, [lock], ["owner-b"]) == 0  # only the owner deletes it
    assert raw_redis.get(lock) == "owner-a"
    assert RELEASE.run(raw_redis, [lock], ["owner-a"]) == 1
    assert ACQUIRE.run(raw_redis, [lock, fence], ["owner-b", 5000]) == [1, 2]  # the fence only grows


def test_save_script_writes_only_with_the_latest_fence_or_without_a_lock(
    raw_redis: redis.Redis, redis_prefix: str
) -> None:
    state, fence = f"{redis_prefix}state", f"{redis_prefix}fence"
    raw_redis.set(fence, 7)
    assert SAVE.run(raw_redis, [state, fence], ["stale", "6"]) == 0
    assert raw_redis.get(state) is None
    assert SAVE.run(raw_redis, [state, fence], ["latest", "7"]) == 1
    assert SAVE.run(raw_redis, [state, fence], ["seeded", ""]) == 1  # no lock held: written as is
    assert raw_redis.get(state) == "seeded"


def test_scripts_are_loaded_again_after_the_server_forgets_them(raw_redis: redis.Redis, redis_prefix: str) -> None:
    raw_redis.script_flush()
    assert ACQUIRE.run(raw_redis, [f"{redis_prefix}l", f"{redis_prefix}f"], ["o", 1000]) == [1, 1]
    assert raw_redis.script_exists(ACQUIRE.sha) == [True]


# --- the lock -----------------------------------------------------------------------------------------


def test_a_holder_whose_lock_expired_cannot_overwrite_a_newer_token(
    backend: RedisBackend, raw_redis: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    slow = RedisTokenStore(backend, namespace="user1", lock_timeout=0.2)
    fast = RedisTokenStore(backend, namespace="user1", lock_timeout=5)
    with slow.refresh_lock():
        assert slow.load() == TokenState()  # what the slow holder saw under its lock
        time.sleep(0.3)  # ...and it took longer than its lock lasts
        with fast.refresh_lock():  # taken at once: the old lock expired
            fast.save(NEWER_STATE)
        # counting a token request it is about to send: refused, so it does not send it
        with pytest.raises(TokenRefreshError, match="no token request sent"):
            slow.save(TokenState(issued=(100_003_500.0,)))
        # a token it obtained anyway: not written over the newer record, but no error (the caller uses it)
        with caplog.at_level(logging.INFO, logger="cliq_channels_client.auth"):
            slow.save(STATE)
        assert "kept the newer record" in caplog.text
        assert raw_redis.get(fast.keys.lock) is None
    assert fast.load() == NEWER_STATE


def test_the_slow_holder_does_not_delete_the_lock_of_the_next_holder(
    backend: RedisBackend, raw_redis: redis.Redis
) -> None:
    slow = RedisTokenStore(backend, namespace="user1", lock_timeout=0.2)
    fast = RedisTokenStore(backend, namespace="user1", lock_timeout=5)
    lock = slow.refresh_lock()
    lock.__enter__()
    time.sleep(0.3)
    with fast.refresh_lock():
        owner = raw_redis.get(fast.keys.lock)
        lock.__exit__(None, None, None)  # the slow one finishes while the fast one holds the lock
        assert raw_redis.get(fast.keys.lock) == owner


def test_an_expired_lock_that_nobody_took_still_lets_its_holder_save(backend: RedisBackend) -> None:
    store = RedisTokenStore(backend, namespace="user1", lock_timeout=0.1)
    with store.refresh_lock():
        time.sleep(0.2)
        store.save(STATE)  # its fence is still the latest: nothing newer to protect
    assert store.load() == STATE


def test_the_lock_excludes_other_threads_until_released(backend: RedisBackend, pauses: list[float]) -> None:
    first = RedisTokenStore(backend, namespace="user1")
    second = RedisTokenStore(backend, namespace="user1")
    entered = threading.Event()
    events: list[str] = []

    def wait_for_it() -> None:
        entered.wait(30)
        with second.refresh_lock():
            events.append("second in")

    thread = threading.Thread(target=wait_for_it)
    thread.start()
    with first.refresh_lock():
        entered.set()
        wait_until(lambda: len(pauses) >= 3)  # the second one is kept out, trying again and again
        events.append("first out")
    thread.join(30)
    assert events == ["first out", "second in"]
    assert max(pauses) <= BACK_OFF_CAP  # polling with back-off: it gets in within one short pause


def test_a_dead_holders_lock_blocks_only_until_its_timeout(
    backend: RedisBackend, raw_redis: redis.Redis, pauses: list[float]
) -> None:
    store = RedisTokenStore(backend, namespace="user1", lock_wait=30.0)
    raw_redis.set(store.keys.lock, "a-process-that-died", px=60_000)
    owners: list[object] = []

    def take() -> None:
        with store.refresh_lock():
            owners.append(raw_redis.get(store.keys.lock))

    thread = threading.Thread(target=take)
    thread.start()
    wait_until(lambda: len(pauses) >= 8)  # kept out by the dead holder's lock; back-off reaches its cap
    assert owners == []
    raw_redis.pexpire(store.keys.lock, 1)  # the dead holder's lock times out
    thread.join(30)
    assert len(owners) == 1
    assert owners[0] not in (None, "a-process-that-died")  # Redis expired it; ours then
    assert max(pauses) <= BACK_OFF_CAP  # it got in within one short pause of the expiry


def test_waiting_longer_than_lock_wait_is_a_token_refresh_error(backend: RedisBackend, raw_redis: redis.Redis) -> None:
    store = RedisTokenStore(backend, namespace="user1", lock_wait=0.3)
    raw_redis.set(store.keys.lock, "a-slow-process", px=10_000)
    with pytest.raises(TokenRefreshError, match="waited"), store.refresh_lock():
        pass
    # It gave up after lock_wait, not when the holder's lock ended: that lock is still there.
    assert raw_redis.get(store.keys.lock) == "a-slow-process"
    assert raw_redis.pttl(store.keys.lock) > 0


@pytest.mark.anyio
async def test_async_lock_waits_for_the_holder_and_saves_with_its_own_fence(
    backend: RedisBackend, raw_redis: redis.Redis, pauses: list[float]
) -> None:
    holder = RedisTokenStore(backend, namespace="user1", lock_timeout=60)
    waiter = RedisTokenStore(backend, namespace="user1", lock_wait=30)
    events: list[str] = []

    async def wait_for_it() -> None:
        async with waiter.arefresh_lock():
            events.append("waiter in")
            await waiter.asave(NEWER_STATE)

    async with holder.arefresh_lock():
        assert await holder.aload() == TokenState()
        with anyio.fail_after(30):  # a liveness bound, not a speed goal
            async with anyio.create_task_group() as group:
                group.start_soon(wait_for_it)
                await anyio.to_thread.run_sync(wait_until, lambda: len(pauses) >= 3)  # kept out, trying again
                events.append("holder's lock expires")
                raw_redis.pexpire(holder.keys.lock, 1)  # the holder never releases: only the expiry lets it in
        with pytest.raises(TokenRefreshError):
            await holder.asave(TokenState(issued=(1.0,)))
    assert events == ["holder's lock expires", "waiter in"]
    assert max(pauses) <= BACK_OFF_CAP
    assert await waiter.aload() == NEWER_STATE
    await backend.aclose()


@pytest.mark.anyio
async def test_a_cancelled_waiter_leaves_no_lock_behind(backend: RedisBackend, raw_redis: redis.Redis) -> None:
    store = RedisTokenStore(backend, namespace="user1")
    raw_redis.set(store.keys.lock, "someone", px=300)
    with anyio.move_on_after(0.1):
        async with store.arefresh_lock():
            pytest.fail("the lock was held by someone else")
    async with store.arefresh_lock():
        assert raw_redis.get(store.keys.lock) not in (None, "someone")
    assert raw_redis.get(store.keys.lock) is None
    await backend.aclose()
