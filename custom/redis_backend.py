"""The Redis that worker processes share: connections, Lua scripts, and what to do when it is gone.

Zoho counts per user, so every process acting for one user must draw on one
budget (:mod:`.redis_limiter`) and one token (:mod:`.redis_store`).  Both talk
to Redis only through :class:`RedisBackend`, which

* builds clients with short connect/read timeouts and a single retry, so an
  unreachable Redis costs about a second, never a hang (a client you pass in
  keeps its own settings: give it short timeouts too);
* runs every operation as a Lua script (atomic on the server), by SHA, loading
  it on the first ``NOSCRIPT``;
* uses ``redis.Redis`` in sync code and ``redis.asyncio.Redis`` (one per event
  loop, since its connections belong to the loop) under asyncio; under trio,
  which redis-py does not support, the sync client runs in a worker thread;
* turns every Redis failure into :class:`~.errors.BackendUnavailableError`,
  naming host and port, never the password.

:class:`BackendSwitch` is the per-component policy for that error: ``"fail"``
raises it; ``"local"`` switches to the per-process stand-in, logs once per
outage, and tries Redis again every ``recheck`` seconds.

Redis is an optional dependency (the ``[redis]`` extra); this module is only
imported when a Redis backend is chosen.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeAlias
from urllib.parse import parse_qs, urlsplit

import anyio.to_thread
import attrs

try:  # the [redis] extra
    import redis
    import redis.asyncio
    import redis.asyncio.retry
    import redis.backoff
    import redis.exceptions
    import redis.retry
except ImportError as _missing:  # pragma: no cover - depends on the environment
    raise ImportError(
        f"the Redis backend needs the [redis] extra ({_missing.name} is not installed): "
        "pip install 'cliq-channels-client[redis]'"
    ) from _missing

from .errors import BackendUnavailableError

__all__ = ["BackendSwitch", "FallbackMode", "LuaScript", "RedisArgument", "RedisBackend"]

#: What to do when Redis does not answer: raise, or continue with per-process state.
FallbackMode: TypeAlias = Literal["fail", "local"]
#: What ``create_client(redis=...)`` accepts.
RedisArgument: TypeAlias = "str | redis.Redis | redis.asyncio.Redis | RedisBackend"
_FALLBACK_MODES = ("fail", "local")
_Arg = str | int | float | bytes


def _sha1(script: LuaScript) -> str:
    return hashlib.sha1(script.source.encode("utf-8"), usedforsecurity=False).hexdigest()


@attrs.frozen
class LuaScript:
    """A Lua script and its SHA; run by SHA, sent whole only when the server does not know it yet."""

    source: str = attrs.field(repr=False)
    sha: str = attrs.field(init=False, default=attrs.Factory(_sha1, takes_self=True))

    def run(self, client: redis.Redis, keys: Sequence[str], args: Sequence[_Arg]) -> Any:
        try:
            return client.evalsha(self.sha, len(keys), *keys, *args)
        except redis.exceptions.NoScriptError:
            return client.eval(self.source, len(keys), *keys, *args)

    async def arun(self, client: redis.asyncio.Redis, keys: Sequence[str], args: Sequence[_Arg]) -> Any:
        try:
            return await client.evalsha(self.sha, len(keys), *keys, *args)
        except redis.exceptions.NoScriptError:
            return await client.eval(self.source, len(keys), *keys, *args)


def _where_url(url: str) -> str:
    """``host:port/db`` of a Redis URL, without its credentials."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if parts.scheme == "unix":
        return _where({"path": parts.path, "db": query.get("db", ["0"])[0]})
    db = parts.path.strip("/") or query.get("db", ["0"])[0]
    try:
        port = parts.port or 6379
    except ValueError:
        port = 6379
    return _where({"host": parts.hostname or "localhost", "port": port, "db": db})


def _where(kwargs: dict[str, Any]) -> str:
    """``host:port/db`` (or the socket path) of connection settings; never the password."""
    if kwargs.get("path"):
        return f"unix:{kwargs['path']}/{kwargs.get('db', 0)}"
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"


class RedisBackend:
    """Connections to one Redis, shared by a :class:`~.redis_store.RedisTokenStore` and a
    :class:`~.redis_limiter.RedisRateLimiter`.

    Give a URL (``redis://[:password@]host:6379/0``, ``rediss://``, ``unix://``;
    clients are built lazily, with ``connect_timeout`` / ``timeout`` seconds
    unless the URL sets ``socket_connect_timeout`` / ``socket_timeout``), or a
    ready ``client`` (sync) and/or ``async_client`` (asyncio).  ``prefix``
    starts every key, so several applications can share one Redis.
    """

    __slots__ = (
        "_async",
        "_client",
        "_create_lock",
        "_loops",
        "_owns_client",
        "_prefix",
        "_timeouts",
        "_url",
        "_where",
    )

    def __init__(
        self,
        url: str | None = None,
        *,
        client: redis.Redis | None = None,
        async_client: redis.asyncio.Redis | None = None,
        prefix: str = "cliq:",
        connect_timeout: float = 0.5,
        timeout: float = 1.0,
    ) -> None:
        if (url is None) == (client is None and async_client is None):
            raise ValueError("give a Redis URL, or a client and/or an async_client, not both")
        if not prefix or any(c in prefix for c in "{}*?[] \n"):
            raise ValueError("prefix must be non-empty, without braces, glob characters or whitespace")
        if connect_timeout <= 0 or timeout <= 0:
            raise ValueError("connect_timeout and timeout must be > 0")
        self._url = url
        self._client = client
        self._async = async_client
        self._owns_client = client is None
        self._prefix = prefix
        self._timeouts = (float(connect_timeout), float(timeout))
        self._create_lock = threading.Lock()
        # asyncio clients made from the URL, one per event loop (their connections belong to it)
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, redis.asyncio.Redis] = (
            weakref.WeakKeyDictionary()
        )
        if url is not None:
            self._where = _where_url(url)
        else:
            pool = (client or async_client).connection_pool  # type: ignore[union-attr]
            self._where = _where(dict(pool.connection_kwargs))

    @classmethod
    def coerce(cls, value: RedisArgument) -> RedisBackend:
        """The backend for ``create_client(redis=value)``: a URL, a redis client, or a backend."""
        if isinstance(value, RedisBackend):
            return value
        if isinstance(value, str):
            return cls(value)
        if isinstance(value, redis.asyncio.Redis):
            return cls(async_client=value)
        if isinstance(value, redis.Redis):
            return cls(client=value)
        raise TypeError(
            f"redis= takes a URL, a redis.Redis, a redis.asyncio.Redis or a RedisBackend, not {type(value).__name__}"
        )

    @property
    def prefix(self) -> str:
        return self._prefix

    @property
    def where(self) -> str:
        """``host:port/db`` of the server, for messages (no credentials)."""
        return self._where

    def __repr__(self) -> str:
        return f"RedisBackend({self._where}, prefix={self._prefix!r})"

    # -- running scripts -------------------------------------------------------------------------

    def run(self, script: LuaScript, keys: Sequence[str], args: Sequence[_Arg] = ()) -> Any:
        """Run ``script`` from sync code; any Redis failure is a :class:`BackendUnavailableError`."""
        client = self._sync_client()
        try:
            return script.run(client, keys, args)
        except (redis.exceptions.RedisError, OSError) as exc:
            raise self._unavailable(exc) from exc

    async def arun(self, script: LuaScript, keys: Sequence[str], args: Sequence[_Arg] = ()) -> Any:
        """Run ``script`` from async code: natively under asyncio, in a worker thread otherwise."""
        client = self._async_client()
        if client is None:
            return await anyio.to_thread.run_sync(functools.partial(self.run, script, keys, args))
        try:
            return await script.arun(client, keys, args)
        except (redis.exceptions.RedisError, OSError) as exc:
            raise self._unavailable(exc) from exc

    def _unavailable(self, exc: BaseException) -> BackendUnavailableError:
        return BackendUnavailableError(f"Redis at {self._where} did not answer ({type(exc).__name__})")

    # -- clients ---------------------------------------------------------------------------------

    def _options(self) -> dict[str, Any]:
        connect, read = self._timeouts
        return {"socket_connect_timeout": connect, "socket_timeout": read, "decode_responses": True}

    def _sync_client(self) -> redis.Redis:
        if self._client is not None:
            return self._client
        if self._url is None:
            raise TypeError("this RedisBackend has only an asyncio client; sync code needs a URL or a redis.Redis")
        with self._create_lock:
            if self._client is None:
                self._client = redis.Redis.from_url(
                    self._url, retry=redis.retry.Retry(redis.backoff.NoBackoff(), 1), **self._options()
                )
            return self._client

    def _async_client(self) -> redis.asyncio.Redis | None:
        """The asyncio client for the running loop; ``None`` outside asyncio (trio): use the sync one."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            if self._url is None and self._client is None:
                raise TypeError("redis.asyncio clients work under asyncio only; pass a URL or a redis.Redis") from None
            return None
        if self._async is not None:
            return self._async
        if self._url is None:
            return None  # a sync client only: run it in a thread
        with self._create_lock:
            client = self._loops.get(loop)
            if client is None:
                retry = redis.asyncio.retry.Retry(redis.backoff.NoBackoff(), 1)
                client = self._loops[loop] = redis.asyncio.Redis.from_url(self._url, retry=retry, **self._options())
            return client

    def close(self) -> None:
        """Close the sync client built from the URL (clients passed in are the caller's to close)."""
        with self._create_lock:
            client, self._client = (self._client, None) if self._owns_client else (None, self._client)
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        """Close the asyncio client this backend built for the running loop."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        with self._create_lock:
            client = self._loops.pop(loop, None)
        if client is not None:
            await client.aclose()


class BackendSwitch:
    """Whether a component uses Redis or its per-process stand-in; one per component.

    ``"fail"``: :meth:`failed` re-raises.  ``"local"``: the first failure
    switches to the stand-in and logs one WARNING on ``logger``; while on the
    stand-in, :meth:`use_backend` lets one caller per ``recheck`` seconds (real
    time: an outage is real) try Redis again; its success switches back and
    logs one INFO.
    """

    __slots__ = ("_lock", "_logger", "_mode", "_monotonic", "_next_probe", "_on_local", "_recheck", "_what")

    def __init__(
        self,
        mode: FallbackMode,
        *,
        logger: logging.Logger,
        what: str,
        recheck: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if mode not in _FALLBACK_MODES:
            raise ValueError(f"fallback must be one of {_FALLBACK_MODES}, not {mode!r}")
        if recheck <= 0:
            raise ValueError("recheck must be > 0")
        self._mode = mode
        self._logger = logger
        self._what = what
        self._recheck = float(recheck)
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._on_local = False
        self._next_probe = 0.0

    @property
    def mode(self) -> FallbackMode:
        return self._mode

    @property
    def on_local(self) -> bool:
        """Currently serving from the per-process stand-in."""
        return self._on_local

    def use_backend(self) -> bool:
        """Try Redis now?  Always when on Redis; while on the stand-in, for one caller per ``recheck``."""
        if not self._on_local:
            return True
        with self._lock:
            now = self._monotonic()
            if now < self._next_probe:
                return False
            self._next_probe = now + self._recheck
            return True

    def failed(self, error: BackendUnavailableError, *, reraise: bool = True) -> None:
        """Redis failed: re-raise (``"fail"``, unless ``reraise`` is false), or switch to the stand-in."""
        if self._mode == "fail":
            if reraise:
                raise error
            return
        with self._lock:
            if self._on_local:
                return
            self._on_local = True
            self._next_probe = self._monotonic() + self._recheck
        self._logger.warning(
            "%s; %s now per process until it answers again (checked every %.0fs)",
            error,
            self._what,
            self._recheck,
            extra={"operation_id": None, "attempt": None},
        )

    def recovered(self) -> None:
        """Redis answered: switch back from the stand-in, if on it."""
        if not self._on_local:
            return
        with self._lock:
            if not self._on_local:
                return
            self._on_local = False
        self._logger.info(
            "Redis answers again; %s shared again", self._what, extra={"operation_id": None, "attempt": None}
        )
