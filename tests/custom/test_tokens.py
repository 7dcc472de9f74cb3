"""Token values and the two stores: freshness, round trips, atomic 0600 files, a lock that spans processes."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import anyio
import attrs
import pytest

from cliq_channels_client.custom.tokens import FileTokenStore, MemoryTokenStore, Token, TokenState, TokenStore

SECRET_LOOKING = "1000.0123456789abcdef0123.fedcba9876543210fedc"
STATE = TokenState(
    token=Token(
        access_token=SECRET_LOOKING,
        expires_at=100_003_600.0,
        api_domain="https://www.zohoapis.eu",
        scope="ZohoCliq.Channels.ALL",
        obtained_at=100_000_000.0,
    ),
    issued=(99_999_000.0, 100_000_000.0),
)


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process umask after a test changes it."""
    previous = os.umask(0o022)
    os.umask(previous)
    yield
    os.umask(previous)


# --- values ------------------------------------------------------------------------------------


def test_token_repr_hides_the_access_token() -> None:
    assert SECRET_LOOKING not in repr(STATE.token)
    assert SECRET_LOOKING not in repr(STATE)
    assert "expires_at=100003600.0" in repr(STATE.token)


def test_token_and_state_are_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        STATE.token.access_token = "x"  # type: ignore[misc, union-attr]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        STATE.issued = ()  # type: ignore[misc]


@pytest.mark.parametrize(
    ("now", "margin", "fresh"),
    [(0.0, 300.0, True), (699.0, 300.0, True), (700.0, 300.0, False), (999.0, 0.0, True), (1000.0, 0.0, False)],
)
def test_is_fresh_honours_the_margin(now: float, margin: float, fresh: bool) -> None:
    assert Token(access_token="t", expires_at=1000.0).is_fresh(now, margin) is fresh


def test_margin_is_at_most_half_the_lifetime_when_it_is_known() -> None:
    short = Token(access_token="t", expires_at=60.0, obtained_at=0.0)  # a 60-second token, 300-second margin
    assert short.is_fresh(29.0, 300.0)
    assert not short.is_fresh(30.0, 300.0)
    long = Token(access_token="t", expires_at=3600.0, obtained_at=0.0)
    assert long.is_fresh(3299.0, 300.0)
    assert not long.is_fresh(3300.0, 300.0)


# --- memory store ---------------------------------------------------------------------------------


def test_memory_store_round_trip_and_protocol() -> None:
    store = MemoryTokenStore()
    assert isinstance(store, TokenStore)
    assert store.load() == TokenState()
    with store.refresh_lock():
        store.save(STATE)
    assert store.load() == STATE
    assert repr(store) == "MemoryTokenStore()"


@pytest.mark.anyio
async def test_memory_store_async_round_trip() -> None:
    store = MemoryTokenStore(STATE)
    assert await store.aload() == STATE
    async with store.arefresh_lock():
        await store.asave(TokenState())
    assert store.load() == TokenState()


# --- file store -----------------------------------------------------------------------------------------


def test_file_store_round_trip_and_missing_file(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "token.json")
    assert isinstance(store, TokenStore)
    assert store.load() == TokenState()
    store.save(STATE)
    assert FileTokenStore(tmp_path / "token.json").load() == STATE
    assert json.loads((tmp_path / "token.json").read_text())["issued"] == [99_999_000.0, 100_000_000.0]


@pytest.mark.anyio
async def test_file_store_async_round_trip(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "token.json")
    assert await store.aload() == TokenState()
    async with store.arefresh_lock():
        await store.asave(STATE)
    assert await store.aload() == STATE


def test_file_store_repr_shows_the_path_only(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "token.json")
    store.save(STATE)
    assert repr(store) == f"FileTokenStore(path={str(tmp_path / 'token.json')!r})"
    assert store.path == tmp_path / "token.json"


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o277])
def test_file_store_files_are_0600_whatever_the_umask(tmp_path: Path, umask: None, mask: int) -> None:
    os.umask(mask)
    store = FileTokenStore(tmp_path / "token.json")
    store.save(STATE)
    store.save(STATE)  # a replacement keeps the mode too
    with store.refresh_lock():
        pass
    assert stat.S_IMODE((tmp_path / "token.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "token.json.lock").stat().st_mode) == 0o600


def test_file_store_write_is_temp_fsync_replace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "token.json"
    calls: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        calls.append(("replace", f"{src} -> {dst}"))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    FileTokenStore(path).save(STATE)
    kinds = [kind for kind, _ in calls]
    assert kinds == ["fsync", "replace", "fsync"]  # data synced, renamed into place, directory synced
    temp = calls[0][1]
    assert Path(temp).parent == tmp_path
    assert temp != str(path)
    assert calls[1][1] == f"{temp} -> {path}"
    assert calls[2][1] == str(tmp_path)


def test_file_store_failed_write_keeps_the_old_record_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "token.json"
    store = FileTokenStore(path)
    store.save(STATE)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.save(TokenState())
    assert store.load() == STATE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["token.json"]


def test_file_store_readers_never_see_a_partial_record(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "token.json")
    big = TokenState(token=STATE.token, issued=tuple(float(i) for i in range(2000)))
    store.save(TokenState())
    stop = threading.Event()
    seen: list[TokenState] = []

    def reader() -> None:
        while not stop.is_set():
            seen.append(store.load())

    thread = threading.Thread(target=reader)
    thread.start()
    for i in range(100):
        store.save(big if i % 2 else TokenState())
    stop.set()
    thread.join()
    assert seen
    assert set(seen) <= {big, TokenState()}


def test_file_store_ignores_a_corrupt_record_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "token.json"
    path.write_text("{not json")
    with caplog.at_level(logging.WARNING, logger="cliq_channels_client.auth"):
        assert FileTokenStore(path).load() == TokenState()
    assert "holds no valid record" in caplog.text


_TRY_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    print("busy")
else:
    print("free")
"""


def _lock_state_from_another_process(lock_path: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", _TRY_LOCK, str(lock_path)], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_refresh_lock_excludes_another_process(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "token.json")
    with store.refresh_lock():
        assert _lock_state_from_another_process(tmp_path / "token.json.lock") == "busy"
    assert _lock_state_from_another_process(tmp_path / "token.json.lock") == "free"


@pytest.mark.anyio
async def test_async_refresh_lock_excludes_another_process_and_releases(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "token.json")
    async with store.arefresh_lock():
        assert await anyio.to_thread.run_sync(_lock_state_from_another_process, tmp_path / "token.json.lock") == "busy"
    assert _lock_state_from_another_process(tmp_path / "token.json.lock") == "free"


@pytest.mark.anyio
async def test_waiting_for_the_file_lock_does_not_block_the_event_loop(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "token.json")
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:  # another "process" (a thread with its own descriptor) holds the flock
        with store.refresh_lock():
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    ticks = 0
    acquired = anyio.Event()

    async def waiter() -> None:
        async with store.arefresh_lock():
            acquired.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)
        for _ in range(20):  # the loop keeps running while the waiter is parked on flock
            await anyio.sleep(0.005)
            ticks += 1
        assert not acquired.is_set()
        release.set()
        with anyio.fail_after(10):
            await acquired.wait()
    thread.join()
    assert ticks == 20


@pytest.mark.anyio
async def test_cancelled_wait_for_the_file_lock_leaves_it_free(tmp_path: Path) -> None:
    """A task cancelled while parked on the flock must not keep the lock once the thread gets it."""
    store = FileTokenStore(tmp_path / "token.json")
    release = threading.Event()
    held = threading.Event()

    def holder() -> None:
        with store.refresh_lock():
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    timer = threading.Timer(0.2, release.set)  # the holder lets go after the waiter was cancelled
    timer.start()
    with anyio.move_on_after(0.05):
        async with store.arefresh_lock():
            await anyio.sleep(10)  # if the lock is entered, the pending cancellation ends the wait here
    thread.join()
    timer.join()
    assert release.is_set()
    assert _lock_state_from_another_process(tmp_path / "token.json.lock") == "free"
