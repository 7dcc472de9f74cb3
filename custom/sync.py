"""Incremental sync of channels over ``sync_token``: one full listing, then only what changed.

Contract of :class:`ChannelSync`:

* ``run()`` / ``await arun()`` sends the run's first request at once (so the
  flags below are known before any channel is read) and returns a
  :class:`SyncResult`; the rest streams one page at a time as it is iterated.
* Without a state the run is a full listing (``full_resync``, reason
  ``INITIAL``).  With one, it lists only the channels changed since.  If the
  server answers that more than 50 changed (HTTP 400 ``sync_limit_exceeded``)
  the run falls back to a full listing (``full_resync``, reason
  ``SYNC_LIMIT_EXCEEDED``) before handing out anything, so no channel is
  duplicated within a run.  A full result is the complete set matching the
  filters: local channels missing from it are gone.
* Iterate the result (``for`` / ``async for``, or ``pages()`` / ``apages()``):
  each channel exactly once.  Like :class:`~.pagination.ChannelPager` it
  survives a failed request: catch the error and keep iterating.
* The state is the server's ``sync_token``, a plain string.  Persist
  ``result.state`` (or ``sync.state``) when you have applied the whole result;
  until then it is the state the run started from, so persisting early never
  loses a change, it only repeats the run.  Keep the same filters for one state.
* Channels changed while a run is read may be delivered again by the next
  run: apply channels as idempotent upserts.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from enum import StrEnum
from typing import Unpack

from ..client import AuthenticatedClient, Client
from ..models import Channel
from .errors import SYNC_LIMIT_CODE, BadRequestError
from .pagination import ChannelPager, ListFilters, Page

__all__ = ["ChannelSync", "ResyncReason", "SyncResult"]

logger = logging.getLogger("cliq_channels_client.pagination")

_EXTRA = {"operation_id": "list_channels", "attempt": 1}


class ResyncReason(StrEnum):
    """Why a run is a full listing rather than a list of changes."""

    INITIAL = "initial"
    """No state yet: the first run."""
    SYNC_LIMIT_EXCEEDED = "sync_limit_exceeded"
    """More than 50 channels changed since the state, which the server refuses to list."""


class SyncResult:
    """One run: an iterator of channels, whether they are a full listing, and the state to keep after."""

    __slots__ = ("_new_state", "_pager", "previous_state", "reason", "removed_channel_ids")

    def __init__(
        self,
        pager: ChannelPager,
        *,
        reason: ResyncReason | None,
        previous_state: str | None,
        new_state: str | None,
        removed_channel_ids: tuple[str, ...] = (),
    ) -> None:
        self._pager = pager
        self._new_state = new_state
        self.reason = reason
        self.previous_state = previous_state
        #: Channels deleted since the state, when the server says so in ``removed_channel_ids`` (the
        #: embedded emulator does).  Not part of Zoho's reference: empty when the server sends nothing,
        #: and for a full listing, where a local channel missing from the result is the deletion.
        self.removed_channel_ids = removed_channel_ids

    @property
    def full_resync(self) -> bool:
        """``True``: these are all the channels (see :attr:`reason`); ``False``: only those changed."""
        return self.reason is not None

    @property
    def complete(self) -> bool:
        """``True`` once every channel of the run has been handed out."""
        return self._pager.done

    @property
    def state(self) -> str | None:
        """The state to persist: the new ``sync_token`` once :attr:`complete`, else the one the run started from."""
        return self._new_state if self._pager.done else self.previous_state

    def __iter__(self) -> Iterator[Channel]:
        return self._pager

    def __aiter__(self) -> AsyncIterator[Channel]:
        return self._pager

    def pages(self) -> Iterator[Page]:
        return self._pager.pages()

    def apages(self) -> AsyncIterator[Page]:
        return self._pager.apages()

    def __repr__(self) -> str:
        return (
            f"SyncResult(full_resync={self.full_resync}, reason={self.reason}, complete={self.complete}, "
            f"removed={len(self.removed_channel_ids)})"
        )


def _removed_ids(page: Page | None) -> tuple[str, ...]:
    """``removed_channel_ids`` of a page of changes, if the server sent them (an extension; kept, never required)."""
    value = page.raw.additional_properties.get("removed_channel_ids") if page is not None else None
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


class ChannelSync:
    """Keeps a local copy of channels current with as few requests as the server allows.

    ``state`` is what a previous run left in ``result.state``; ``filters`` are
    those of :class:`~.pagination.ChannelPager`.  See the module docstring for
    the full contract.

    The new state is the ``sync_token`` of the run's *first* page.  The server
    issues each token for the moment it answers, and a listing takes many
    requests: a channel changed after page 1 was read but on a page already
    read is not in this listing, and a token from the last page would date
    from after that change, so the next run would never see it.  The
    first-page token dates from before every change made during the listing,
    so the next run sees them all (some twice, which upserts absorb).
    """

    def __init__(
        self,
        client: Client | AuthenticatedClient,
        *,
        state: str | None = None,
        limit: int | None = 100,
        **filters: Unpack[ListFilters],
    ) -> None:
        self._client = client
        self._limit = limit
        self._filters = filters
        self._state = state or None
        self._last: SyncResult | None = None

    def __repr__(self) -> str:
        filters = "".join(f", {key}={value!r}" for key, value in self._filters.items())
        state = "None" if self.state is None else f"<{len(self.state)} chars>"  # opaque and long: not printed
        return f"ChannelSync(state={state}, limit={self._limit!r}{filters})"

    @property
    def state(self) -> str | None:
        """What to persist: the state left by the latest run (unchanged until that run is complete)."""
        return self._last.state if self._last is not None else self._state

    def _pager(self, sync_token: str | None) -> ChannelPager:
        return ChannelPager(self._client, limit=self._limit, sync_token=sync_token, **self._filters)

    def _start(self) -> tuple[ChannelPager, ResyncReason | None, str | None]:
        previous = self.state
        if previous is None:
            logger.info("channel sync: no state, full listing", extra=_EXTRA)
            return self._pager(None), ResyncReason.INITIAL, previous
        logger.debug("channel sync: listing changes since the saved state", extra=_EXTRA)
        return self._pager(previous), None, previous

    def _fallback(self, exc: BadRequestError, reason: ResyncReason | None) -> ChannelPager | None:
        """A full listing if the server refused to list changes because too many changed; else ``None``."""
        if reason is not None or exc.code != SYNC_LIMIT_CODE:
            return None
        logger.info("channel sync: more than 50 channels changed, falling back to a full listing", extra=_EXTRA)
        return self._pager(None)

    def _begin(
        self, pager: ChannelPager, first: Page | None, reason: ResyncReason | None, previous: str | None
    ) -> SyncResult:
        new_state = first.sync_token if first is not None else None
        if new_state is None:
            logger.warning("channel sync: the server sent no sync_token; the next run repeats this one", extra=_EXTRA)
            new_state = None if reason is not None else previous
        self._last = SyncResult(
            pager,
            reason=reason,
            previous_state=previous,
            new_state=new_state,
            removed_channel_ids=_removed_ids(first) if reason is None else (),
        )
        return self._last

    def run(self) -> SyncResult:
        """Start a run (one request now); iterate the result for its channels."""
        pager, reason, previous = self._start()
        try:
            first = pager.peek_page()
        except BadRequestError as exc:
            fallback = self._fallback(exc, reason)
            if fallback is None:
                raise
            pager, reason = fallback, ResyncReason.SYNC_LIMIT_EXCEEDED
            first = pager.peek_page()
        return self._begin(pager, first, reason, previous)

    async def arun(self) -> SyncResult:
        """Async :meth:`run`; iterate the result with ``async for``."""
        pager, reason, previous = self._start()
        try:
            first = await pager.apeek_page()
        except BadRequestError as exc:
            fallback = self._fallback(exc, reason)
            if fallback is None:
                raise
            pager, reason = fallback, ResyncReason.SYNC_LIMIT_EXCEEDED
            first = await pager.apeek_page()
        return self._begin(pager, first, reason, previous)
