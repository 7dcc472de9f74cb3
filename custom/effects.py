"""The one effect protocol of the sans-IO flows: what a flow asks its driver to do.

The auth flow (``auth.py``) and the transport's per-call flow (``call_flow.py``)
are each written once, as a generator that yields these effects and receives
their results (``reply = yield Send(request)``), like httpx's ``Auth.auth_flow``.
A sync and an async driver carry each effect out with blocking or awaitable
calls; the flow itself does no I/O, takes no lock and never sleeps.  Effects
shared by both flows come first; then the few only one layer yields.

Plain ``__slots__`` classes rather than attrs: a flow runs on every request,
and the payload-free effects are shared singletons, so a common call
allocates almost nothing besides the generator.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

import httpx

if TYPE_CHECKING:
    from .tokens import TokenState

__all__ = [
    "LOAD_TOKENS",
    "RELEASE_LOCKS",
    "RELEASE_SLOT",
    "TAKE_SLOT",
    "Close",
    "Effect",
    "Flow",
    "LoadTokens",
    "LockOperation",
    "Read",
    "ReleaseLocks",
    "ReleaseSlot",
    "SaveTokens",
    "Send",
    "Sleep",
    "TakeLock",
    "TakeSlot",
]

# --- shared: HTTP and time --------------------------------------------------------------------


class Send:
    """Send ``request``; reply: its response, body not read (auth: through the client; transport: the inner one)."""

    __slots__ = ("request",)

    def __init__(self, request: httpx.Request) -> None:
        self.request = request


class Read:
    """Read ``response``'s body."""

    __slots__ = ("response",)

    def __init__(self, response: httpx.Response) -> None:
        self.response = response


class Close:
    """Close a response that will not be returned (before a retry)."""

    __slots__ = ("response",)

    def __init__(self, response: httpx.Response) -> None:
        self.response = response


class Sleep:
    """Wait ``delay`` seconds on the clock."""

    __slots__ = ("delay",)

    def __init__(self, delay: float) -> None:
        self.delay = delay


# --- pacing (the transport's flow) ------------------------------------------------------------


class TakeSlot:
    """Take the call's rate-limit slot (waits; raises if the operation is locked or the wait too long)."""

    __slots__ = ()


class ReleaseSlot:
    """The attempt completed: stamp the call's slot now (async: without a checkpoint)."""

    __slots__ = ()


class LockOperation:
    """The server throttled: refuse the call's rate-limit key until ``until`` (clock time)."""

    __slots__ = ("until",)

    def __init__(self, until: float) -> None:
        self.until = until


# --- tokens (the auth flow) -------------------------------------------------------------------


class LoadTokens:
    """Reply: the token store's current :class:`~.tokens.TokenState`."""

    __slots__ = ()


class SaveTokens:
    """Write ``state`` to the token store."""

    __slots__ = ("state",)

    def __init__(self, state: TokenState) -> None:
        self.state = state


class TakeLock:
    """Take the refresh lock of this process, or the one every user of the token store shares."""

    __slots__ = ("scope",)

    def __init__(self, scope: Literal["process", "store"]) -> None:
        self.scope = scope


class ReleaseLocks:
    """Release every lock taken, last first (drivers also do so when the flow ends or fails)."""

    __slots__ = ()


TAKE_SLOT = TakeSlot()
RELEASE_SLOT = ReleaseSlot()
LOAD_TOKENS = LoadTokens()
RELEASE_LOCKS = ReleaseLocks()

Effect: TypeAlias = (
    Send
    | Read
    | Close
    | Sleep
    | TakeSlot
    | ReleaseSlot
    | LockOperation
    | LoadTokens
    | SaveTokens
    | TakeLock
    | ReleaseLocks
)
_T = TypeVar("_T")
#: A sans-IO flow: yields effects, receives their results, returns ``_T``.
Flow: TypeAlias = Generator[Effect, Any, _T]
