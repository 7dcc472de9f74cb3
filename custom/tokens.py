"""Where access tokens live between requests, and between processes.

A refresh token may be used for only a few token requests per window (Zoho
blocks it after 10 in 10 minutes), so everything that shares a refresh token
must share what it knows: the current access token *and* when tokens were
requested.  A :class:`TokenStore` holds both as one :class:`TokenState` record
and offers a lock that spans every user of the store; the auth flow re-reads
the record inside that lock, so whoever waited for it finds the fresh token
instead of asking for another one.

Rules for implementations (the auth flow relies on them):

* ``save`` is only called while ``refresh_lock`` / ``arefresh_lock`` is held,
  so a store needs no compare-and-swap of its own;
* ``load`` never fails on a missing record (it returns an empty state);
* the async methods never block the event loop.

:class:`MemoryTokenStore` (per process) and :class:`FileTokenStore` (one host,
any number of processes) live here; a Redis store implements the same shape.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import anyio.to_thread
import attrs

__all__ = ["FileTokenStore", "MemoryTokenStore", "Token", "TokenState", "TokenStore", "credential_problem"]

_log = logging.getLogger("cliq_channels_client.auth")

_FILE_FORMAT = 1
#: What a token may hold: visible ASCII (RFC 9110 token68 and Zoho's ``1000.<hex>.<hex>`` fit), one line.
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def credential_problem(value: str) -> str | None:
    """Why ``value`` cannot be sent as a token or credential, or ``None``; never quotes the value.

    Checked where a token enters the client (given, or issued by the accounts
    server), so a trailing newline read from a file fails there, clearly and
    unsent, instead of inside the HTTP library with the token in its message.
    """
    if _HEADER_SAFE.fullmatch(value):
        return None
    if not value:
        return "is empty"
    if _CONTROL.search(value):
        return "contains a control character (CR, LF, NUL...); strip the newline if it was read from a file"
    if not value.isascii():
        return "contains non-ASCII text"
    return "contains whitespace"


@attrs.frozen
class Token:
    """An access token and what Zoho said about it; the token itself never appears in a repr.

    ``obtained_at`` (when the token was issued, clock seconds) lets
    :meth:`is_fresh` shrink a refresh margin that is longer than half the
    token's lifetime, so a short-lived token is not refreshed on every request.
    """

    access_token: str = attrs.field(repr=False)
    expires_at: float
    api_domain: str | None = None
    scope: str | None = None
    obtained_at: float | None = None

    def is_fresh(self, now: float, margin: float) -> bool:
        """Usable for at least ``margin`` more seconds (at most half its lifetime)."""
        if self.obtained_at is not None:
            margin = min(margin, (self.expires_at - self.obtained_at) / 2)
        return now < self.expires_at - margin


@attrs.frozen
class TokenState:
    """One record of a store: the current token and when tokens were requested.

    ``issued`` holds the clock timestamps of recent token requests made with
    this refresh token, by every user of the store, for the issuance-limit guard.
    """

    token: Token | None = None
    issued: tuple[float, ...] = ()


@runtime_checkable
class TokenStore(Protocol):
    """Shared token state with a lock that spans all its users; sync and async twins."""

    def load(self) -> TokenState: ...

    def save(self, state: TokenState) -> None: ...

    def refresh_lock(self) -> contextlib.AbstractContextManager[None]: ...

    async def aload(self) -> TokenState: ...

    async def asave(self, state: TokenState) -> None: ...

    def arefresh_lock(self) -> contextlib.AbstractAsyncContextManager[None]: ...


class MemoryTokenStore:
    """The default: state in this process only; the auth's own locks already exclude refreshes."""

    __slots__ = ("_state",)

    def __init__(self, state: TokenState | None = None) -> None:
        self._state = state if state is not None else TokenState()

    def load(self) -> TokenState:
        return self._state

    def save(self, state: TokenState) -> None:
        self._state = state

    def refresh_lock(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    async def aload(self) -> TokenState:
        return self._state

    async def asave(self, state: TokenState) -> None:
        self._state = state

    def arefresh_lock(self) -> contextlib.AbstractAsyncContextManager[None]:
        return contextlib.nullcontext()

    def __repr__(self) -> str:
        return "MemoryTokenStore()"


def _state_to_json(state: TokenState) -> dict[str, Any]:
    token = state.token
    return {
        "format": _FILE_FORMAT,
        "token": None if token is None else attrs.asdict(token),
        "issued": list(state.issued),
    }


def _state_from_json(data: Any) -> TokenState:
    if not isinstance(data, dict) or data.get("format") != _FILE_FORMAT:
        raise ValueError("not a token state record")
    raw = data.get("token")
    token = None
    if raw is not None:
        token = Token(
            access_token=str(raw["access_token"]),
            expires_at=float(raw["expires_at"]),
            api_domain=raw.get("api_domain"),
            scope=raw.get("scope"),
            obtained_at=None if raw.get("obtained_at") is None else float(raw["obtained_at"]),
        )
    return TokenState(token=token, issued=tuple(float(t) for t in data.get("issued", ())))


class FileTokenStore:
    """A JSON file readable by its owner only, shared by the processes of one host.

    Writes are atomic (temporary file in the same directory, ``fsync``,
    ``os.replace``), so a reader sees the old record or the new one, never half
    of one.  ``refresh_lock`` is an ``flock`` on the sidecar ``<path>.lock``,
    which the kernel releases if the holder dies.  The file holds the access
    token (it is the point of sharing it) but never the refresh token or the
    client secret, which the store is never given.
    """

    __slots__ = ("_lock_path", "_path")

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = Path(path)
        self._lock_path = self._path.with_name(self._path.name + ".lock")

    @property
    def path(self) -> Path:
        return self._path

    def load(self) -> TokenState:
        try:
            text = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return TokenState()
        try:
            return _state_from_json(json.loads(text))
        except (ValueError, KeyError, TypeError):
            # Unreadable record (written by something else): start over rather than fail every request.
            _log.warning("token store %s holds no valid record; ignoring it", self._path)
            return TokenState()

    def save(self, state: TokenState) -> None:
        data = json.dumps(_state_to_json(state), separators=(",", ":")).encode("utf-8")
        directory = self._path.parent
        fd, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{self._path.name}.", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)  # mkstemp already uses 0600; say so explicitly, whatever the umask
            with os.fdopen(fd, "wb") as temp:
                temp.write(data)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, self._path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        _fsync_directory(directory)

    def _open_lock_file(self) -> int:
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)
        except BaseException:
            os.close(fd)
            raise
        return fd

    @contextlib.contextmanager
    def refresh_lock(self) -> Iterator[None]:
        fd = self._open_lock_file()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the only descriptor of this open file releases the flock

    async def aload(self) -> TokenState:
        return await anyio.to_thread.run_sync(self.load)

    async def asave(self, state: TokenState) -> None:
        await anyio.to_thread.run_sync(self.save, state)

    @contextlib.asynccontextmanager
    async def arefresh_lock(self) -> AsyncIterator[None]:
        fd = await anyio.to_thread.run_sync(self._open_lock_file)
        try:
            # Waits in a worker thread; if this task is cancelled meanwhile, the finally still closes the fd.
            await anyio.to_thread.run_sync(fcntl.flock, fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def __repr__(self) -> str:
        return f"FileTokenStore(path={str(self._path)!r})"


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX needs the directory synced too)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
