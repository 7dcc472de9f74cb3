"""A :class:`~.tokens.TokenStore` in Redis: one token, and one refresh at a time, for every process and host.

Keys, under ``<backend prefix><namespace>:`` (the factory's namespace is a
fingerprint of client id and refresh token, so users and apps can share a
Redis and no credential appears in a key):

* ``token`` -- the :class:`~.tokens.TokenState` as JSON (FileTokenStore's format);
* ``token:lock`` -- the refresh lock: ``SET NX PX`` with a random owner value,
  so it expires ``lock_timeout`` seconds after its holder died, and only its
  owner can delete it (compare-and-delete script);
* ``token:fence`` -- a counter ``INCR``-ed by every lock acquisition: the
  holder's fencing token.  A save made under the lock is written only if no
  one acquired the lock since (the fence is still the latest), so a holder
  whose lock expired mid-refresh never overwrites a newer record.  Its stale
  save writes nothing; if it carries a token obtained under that lock, the
  caller still uses that (valid) token, otherwise (the save that counts a
  token request before sending it) it raises :class:`~.errors.TokenRefreshError`,
  so no token request goes out behind the new holder's back.

The lock is real time (Redis expires it), so waiting for it sleeps in real
time, polling with back-off capped by the lock's remaining time.  The fence of
the lock held is kept in a context variable, so it follows the thread or task
that took the lock.  Values are never logged, and the repr shows the prefix only.

With ``fallback="local"``, an unreachable Redis switches the store to a
:class:`~.tokens.MemoryTokenStore` that starts from the last state seen, and
logs that once (logger ``cliq_channels_client.auth``).
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from types import MappingProxyType

import anyio
import attrs

from .errors import BackendUnavailableError, TokenRefreshError
from .redis_backend import BackendSwitch, FallbackMode, LuaScript, RedisBackend
from .tokens import MemoryTokenStore, TokenState, _state_from_json, _state_to_json

__all__ = ["ACQUIRE", "RELEASE", "SAVE", "RedisTokenStore", "TokenKeys"]

_log = logging.getLogger("cliq_channels_client.auth")
_EXTRA = {"operation_id": None, "attempt": None}

_INSTANCES = itertools.count()

GET = LuaScript("return redis.call('GET', KEYS[1])")

#: KEYS: lock, fence.  ARGV: owner, lock timeout (ms).  -> {1, fence} taken, or {0, ms the holder has left}.
ACQUIRE = LuaScript(
    """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('INCR', KEYS[2])}
end
return {0, redis.call('PTTL', KEYS[1])}
"""
)

#: KEYS: lock.  ARGV: owner.  Deletes the lock only if this owner still holds it.
RELEASE = LuaScript(
    """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
)

#: KEYS: state, fence.  ARGV: record, fence of the writer ('' = no lock held).  -> 1 written, 0 stale fence.
SAVE = LuaScript(
    """
if ARGV[2] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""
)


@attrs.frozen
class TokenKeys:
    """The Redis keys of one store."""

    state: str
    lock: str
    fence: str


class _Held:
    """A lock held: its owner value, its fence, and the token loaded under it (to tell a new one)."""

    __slots__ = ("fence", "loaded", "owner")

    def __init__(self, owner: str, fence: str) -> None:
        self.owner = owner
        self.fence = fence
        self.loaded: str | None = None  # access token of the state loaded under this lock


#: store instance -> the lock it holds for this thread or task.
_HELD: contextvars.ContextVar[Mapping[int, _Held]] = contextvars.ContextVar(
    "cliq_redis_fences", default=MappingProxyType({})
)


class RedisTokenStore:
    """Token state shared through Redis, with a distributed, fenced refresh lock.

    ``lock_timeout`` (seconds) bounds how long a dead holder blocks the others
    and must exceed a token request (with its retries); ``lock_wait`` bounds
    how long a caller waits for the lock before :class:`TokenRefreshError`.
    """

    __slots__ = ("_backend", "_id", "_keys", "_lock_ms", "_lock_wait", "_memory", "_prefix", "_switch")

    def __init__(
        self,
        backend: RedisBackend,
        *,
        namespace: str = "default",
        lock_timeout: float = 30.0,
        lock_wait: float = 60.0,
        fallback: FallbackMode = "fail",
        recheck: float = 30.0,
    ) -> None:
        if lock_timeout <= 0 or lock_wait <= 0:
            raise ValueError("lock_timeout and lock_wait must be > 0")
        if not namespace or any(c in namespace for c in "{}*?[] \n"):
            raise ValueError("namespace must be non-empty, without braces, glob characters or whitespace")
        self._backend = backend
        self._id = next(_INSTANCES)  # what the fence of the lock it holds is filed under
        self._prefix = f"{backend.prefix}{namespace}:"
        self._keys = TokenKeys(
            state=f"{self._prefix}token", lock=f"{self._prefix}token:lock", fence=f"{self._prefix}token:fence"
        )
        self._lock_ms = max(int(lock_timeout * 1000), 1)
        self._lock_wait = float(lock_wait)
        self._memory = MemoryTokenStore()  # the last state seen: the stand-in when Redis is gone
        self._switch = BackendSwitch(fallback, logger=_log, what="tokens are", recheck=recheck)

    @property
    def keys(self) -> TokenKeys:
        return self._keys

    @property
    def on_local(self) -> bool:
        """Serving from the per-process stand-in (Redis unreachable, ``fallback="local"``)."""
        return self._switch.on_local

    def __repr__(self) -> str:
        return f"RedisTokenStore(prefix={self._prefix!r})"

    # -- sync ----------------------------------------------------------------------------------

    def load(self) -> TokenState:
        if self._switch.use_backend():
            try:
                raw = self._backend.run(GET, [self._keys.state])
            except BackendUnavailableError as error:
                self._switch.failed(error)
            else:
                self._switch.recovered()
                return self._loaded(raw)
        return self._memory.load()

    def save(self, state: TokenState) -> None:
        if self._switch.use_backend():
            try:
                written = self._backend.run(SAVE, [self._keys.state, self._keys.fence], self._save_args(state))
            except BackendUnavailableError as error:
                self._switch.failed(error)
            else:
                self._switch.recovered()
                self._saved(state, written)
                return
        self._memory.save(state)

    @contextlib.contextmanager
    def refresh_lock(self) -> Iterator[None]:
        held = self._acquire()
        with self._fenced(held):
            try:
                yield
            finally:
                if held is not None:
                    self._release(held)

    def _acquire(self) -> _Held | None:
        """Take the lock in Redis (``None``: on the stand-in, where the auth's process lock suffices)."""
        if not self._switch.use_backend():
            return None
        owner = secrets.token_hex(16)
        deadline = time.monotonic() + self._lock_wait
        delay = 0.005
        while True:
            try:
                taken, value = self._backend.run(ACQUIRE, [self._keys.lock, self._keys.fence], [owner, self._lock_ms])
            except BackendUnavailableError as error:
                self._switch.failed(error)
                return None
            self._switch.recovered()
            if taken:
                return _Held(owner, str(value))
            pause = self._pause(delay, int(value), deadline)
            time.sleep(pause)
            delay = min(delay * 2, 0.1)

    def _release(self, held: _Held) -> None:
        try:
            self._backend.run(RELEASE, [self._keys.lock], [held.owner])
        except BackendUnavailableError:
            # Nothing to undo: the lock expires by itself after lock_timeout.
            _log.debug("refresh lock not released (Redis unavailable); it expires by itself", extra=_EXTRA)

    # -- async ---------------------------------------------------------------------------------

    async def aload(self) -> TokenState:
        if self._switch.use_backend():
            try:
                raw = await self._backend.arun(GET, [self._keys.state])
            except BackendUnavailableError as error:
                self._switch.failed(error)
            else:
                self._switch.recovered()
                return self._loaded(raw)
        return self._memory.load()

    async def asave(self, state: TokenState) -> None:
        if self._switch.use_backend():
            try:
                written = await self._backend.arun(SAVE, [self._keys.state, self._keys.fence], self._save_args(state))
            except BackendUnavailableError as error:
                self._switch.failed(error)
            else:
                self._switch.recovered()
                self._saved(state, written)
                return
        self._memory.save(state)

    @contextlib.asynccontextmanager
    async def arefresh_lock(self) -> AsyncIterator[None]:
        held = await self._aacquire()
        with self._fenced(held):
            try:
                yield
            finally:
                if held is not None:
                    with anyio.CancelScope(shield=True):  # release even when cancelled
                        await self._arelease(held)

    async def _aacquire(self) -> _Held | None:
        if not self._switch.use_backend():
            return None
        owner = secrets.token_hex(16)
        deadline = time.monotonic() + self._lock_wait
        delay = 0.005
        while True:
            try:
                with anyio.CancelScope(shield=True):  # a lock taken is a lock known, even if cancelled meanwhile
                    taken, value = await self._backend.arun(
                        ACQUIRE, [self._keys.lock, self._keys.fence], [owner, self._lock_ms]
                    )
            except BackendUnavailableError as error:
                self._switch.failed(error)
                return None
            self._switch.recovered()
            if taken:
                return _Held(owner, str(value))
            await anyio.sleep(self._pause(delay, int(value), deadline))
            delay = min(delay * 2, 0.1)

    async def _arelease(self, held: _Held) -> None:
        try:
            await self._backend.arun(RELEASE, [self._keys.lock], [held.owner])
        except BackendUnavailableError:
            _log.debug("refresh lock not released (Redis unavailable); it expires by itself", extra=_EXTRA)

    # -- shared decisions (no I/O) ---------------------------------------------------------------

    def _loaded(self, raw: object) -> TokenState:
        if raw is None:
            state = TokenState()
        else:
            try:
                state = _state_from_json(json.loads(raw if isinstance(raw, str | bytes) else str(raw)))
            except (ValueError, KeyError, TypeError):
                # Written by something else: start over rather than fail every request (value not logged).
                _log.warning("token record %s in Redis is not valid; ignoring it", self._keys.state, extra=_EXTRA)
                state = TokenState()
        held = _HELD.get().get(self._id)
        if held is not None:
            held.loaded = None if state.token is None else state.token.access_token
        self._memory.save(state)
        return state

    def _save_args(self, state: TokenState) -> list[str]:
        record = json.dumps(_state_to_json(state), separators=(",", ":"))
        held = _HELD.get().get(self._id)
        return [record, "" if held is None else held.fence]

    def _saved(self, state: TokenState, written: object) -> None:
        """After the save script: a stale fence writes nothing, and is an error unless a new token was obtained."""
        if written:
            self._memory.save(state)
            return
        held = _HELD.get().get(self._id)
        if state.token is not None and (held is None or state.token.access_token != held.loaded):
            # A token obtained after our lock expired: valid, so the caller uses it, but the newer
            # holder's record stays (its issuance count includes ours, saved before we sent).
            _log.info("refresh lock expired before the new token was saved; kept the newer record", extra=_EXTRA)
            return
        raise TokenRefreshError(
            "no token request sent: the shared refresh lock expired (lock_timeout) and another process "
            "holds it now; retry to use the token that process obtains"
        )

    def _pause(self, delay: float, holder_ms: int, deadline: float) -> float:
        """How long to sleep before asking for the lock again; raise when ``lock_wait`` is spent."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TokenRefreshError(
                f"no token refresh: waited {self._lock_wait:.0f}s for the shared refresh lock held by another process"
            )
        holder_left = holder_ms / 1000 if holder_ms > 0 else delay
        return max(min(delay, holder_left, remaining), 0.001)

    @contextlib.contextmanager
    def _fenced(self, held: _Held | None) -> Iterator[None]:
        """Make the fence of the lock held visible to saves made by this thread or task."""
        if held is None:
            yield
            return
        token = _HELD.set({**_HELD.get(), self._id: held})
        try:
            yield
        finally:
            try:
                _HELD.reset(token)
            except ValueError:  # exited in another context: drop our entry only
                _HELD.set({k: v for k, v in _HELD.get().items() if k != self._id})
