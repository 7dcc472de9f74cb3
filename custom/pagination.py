"""Iterate over ``list_channels`` page by page, following ``next_token`` while ``has_more``.

One :class:`ChannelPager` serves ``for`` and ``async for`` (item level) and
``pages()`` / ``apages()`` (page level).  The position lives in one small
state machine (:class:`_ListState`) shared by thin sync and async drivers, so
both behave identically.  Only one page is held at a time, so memory stays
flat however many channels there are.

Position contract (:class:`ListCursor`): ``pager.cursor`` always names the
first channel not yet handed out, as *the next_token that fetches its page*
plus *how many channels of that page were already handed out*.  A channel
counts as handed out the moment ``next()`` returns it (a page, the moment
``pages()`` yields it).  State changes only after a successful response, so a
request that fails (raised by the transport after its own retries, or a typed
error from a non-200 answer) leaves the cursor where it was: catch the error
and keep iterating the same pager, or build a new one from ``str(pager.cursor)``,
and every channel arrives exactly once -- provided the server answers the same
``next_token`` with the same page, which is what opaque continuation tokens promise.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final, TypedDict, cast

import attrs

from ..api.channels import list_channels
from ..client import AuthenticatedClient, Client
from ..models import Channel, ChannelLevel, ChannelList, ChannelStatus
from ..types import UNSET
from .errors import CliqError, CliqValidationError, MalformedResponseError
from .operations import OPERATIONS_BY_ID

__all__ = ["ChannelPager", "ListCursor", "ListFilters", "Page", "PaginationError"]

logger = logging.getLogger("cliq_channels_client.pagination")

OPERATION_ID: Final = "list_channels"
_CURSOR_PREFIX: Final = "lc1:"


class ListFilters(TypedDict, total=False):
    """Every filter of ``list_channels`` (paging parameters aside), for ``**filters`` signatures."""

    name: str
    status: ChannelStatus | str
    level: ChannelLevel | str
    modified_before: datetime.datetime
    modified_after: datetime.datetime
    created_before: datetime.datetime
    created_after: datetime.datetime
    channel_ids: str | Sequence[str]
    chat_ids: str | Sequence[str]
    team_ids: str | Sequence[str]
    created_by: str
    order_by: str
    pinned: bool
    joined: bool


class PaginationError(CliqError):
    """The server broke the paging protocol; iterating would loop.

    Raised for ``has_more`` without a ``next_token``, or with one already
    seen in this run (``A -> B -> A``: a cycle of any length, not only the
    same token twice).  The page that closes the cycle is not handed out (a
    server that ignores ``next_token`` sends an earlier page again), and the
    cursor stays on it.
    """

    operation_id = OPERATION_ID


@attrs.frozen
class ListCursor:
    """Where a listing resumes: the page fetched by ``next_token`` (``None``: the first), minus ``skip`` channels.

    ``done`` marks a finished listing, so a saved cursor never restarts one.
    ``str(cursor)`` is a compact string to persist; :meth:`parse` reads it back.
    """

    next_token: str | None = None
    skip: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    done: bool = False

    def __attrs_post_init__(self) -> None:
        if self.done and (self.next_token is not None or self.skip):
            raise ValueError("a finished cursor carries no next_token and no skip")

    def __str__(self) -> str:
        if self.done:
            return f"{_CURSOR_PREFIX}done"
        return f"{_CURSOR_PREFIX}{self.skip}:{self.next_token or ''}"

    @classmethod
    def parse(cls, text: str) -> ListCursor:
        """Read ``str(cursor)`` back; any other string is taken as a raw ``next_token`` from the server."""
        if not text.startswith(_CURSOR_PREFIX):
            return cls(next_token=text or None)
        body = text[len(_CURSOR_PREFIX) :]
        if body == "done":
            return cls(done=True)
        skip, sep, token = body.partition(":")
        if not sep or not skip.isdigit():
            raise ValueError(f"not a list cursor: {text[:40]!r}")
        return cls(next_token=token or None, skip=int(skip))


@attrs.frozen
class Page:
    """One page as handed out: the channels not yet handed out, and the server's paging fields.

    ``raw`` is the generated :class:`ChannelList` (unknown fields in its
    ``additional_properties``); ``number`` counts pages fetched by this pager.
    """

    items: tuple[Channel, ...]
    has_more: bool
    next_token: str | None
    sync_token: str | None
    number: int
    raw: ChannelList = attrs.field(repr=False, eq=False)

    def __iter__(self) -> Iterator[Channel]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _token(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class _ListState:
    """The cursor state machine: what to request next, and what to hand out next.

    No I/O here: a driver in :class:`ChannelPager` sends the request whose
    kwargs :meth:`fetching` yields and, inside that block, hands the response
    to :meth:`accept`; the cursor moves only in :meth:`take_item` / :meth:`take_page`.
    """

    __slots__ = (
        "_attempt",
        "_in_flight",
        "_index",
        "_items",
        "_page",
        "_pages_fetched",
        "_seen",
        "cursor",
        "max_pages",
        "query",
    )

    def __init__(self, query: dict[str, Any], cursor: ListCursor, max_pages: int | None) -> None:
        self.query = query
        self.cursor = cursor
        self.max_pages = max_pages
        self._page: ChannelList | None = None
        self._items: list[Channel] = []
        self._index = 0
        self._pages_fetched = 0
        self._attempt = 1
        self._in_flight = False
        self._seen: set[str] = set()  # every next_token fetched in this run: one string per page

    @property
    def pages_fetched(self) -> int:
        return self._pages_fetched

    def can_fetch(self) -> bool:
        if self.cursor.done or self._page is not None:
            return False
        return self.max_pages is None or self._pages_fetched < self.max_pages

    @contextmanager
    def fetching(self) -> Iterator[dict[str, Any]]:
        """Guard the request for the page at the cursor (its kwargs); on failure nothing moves."""
        if self._in_flight:
            raise RuntimeError("this pager is already fetching a page: iterate it from one task or thread at a time")
        self._in_flight = True
        try:
            yield {**self.query, "next_token": self.cursor.next_token or UNSET}
        except Exception as exc:
            self._failed(exc)
            raise
        finally:
            self._in_flight = False

    def _failed(self, exc: BaseException) -> None:
        logger.info(
            "list_channels page %d failed (%s); the cursor still points at it",
            self._pages_fetched + 1,
            type(exc).__name__,
            extra={"operation_id": OPERATION_ID, "attempt": self._attempt},
        )
        self._attempt += 1

    def accept(self, page: ChannelList) -> None:
        """Load the page the cursor asked for (the generated ``list_channels`` raised for anything else)."""
        _check_paging_fields(page, self._attempt)
        fetched_with = self.cursor.next_token
        if page.has_more is True:
            next_token = _token(page.next_token)
            if next_token is None:
                raise PaginationError("list_channels answered has_more=true without a next_token")
            if next_token == fetched_with or next_token in self._seen:
                raise PaginationError(
                    f"list_channels answered, on page {self._pages_fetched + 1}, a next_token already fetched "
                    "in this run: following it would loop"
                )
        if fetched_with is not None:
            self._seen.add(fetched_with)
        self._page = page
        self._items = page.channels if isinstance(page.channels, list) else []
        self._pages_fetched += 1
        logger.debug(
            "list_channels page %d: %d channels, has_more=%s",
            self._pages_fetched,
            len(self._items),
            page.has_more is True,
            extra={"operation_id": OPERATION_ID, "attempt": self._attempt, "page": self._pages_fetched},
        )
        self._attempt = 1
        self._index = self.cursor.skip
        if self._index > len(self._items):
            logger.warning(
                "list_channels page %d has %d channels, fewer than the cursor's skip of %d",
                self._pages_fetched,
                len(self._items),
                self._index,
                extra={"operation_id": OPERATION_ID, "attempt": 1},
            )

    def take_item(self) -> Channel | None:
        """The next channel of the loaded page, or ``None`` when a fetch (or nothing) comes next."""
        if self._page is None:
            return None
        if self._index >= len(self._items):
            self._finish_page()
            return None
        item = self._items[self._index]
        self._index += 1
        if self._index >= len(self._items):
            self._finish_page()
        else:
            self.cursor = attrs.evolve(self.cursor, skip=self._index)
        return item

    def peek_page(self) -> Page | None:
        """The loaded page's channels not yet handed out, without handing them out."""
        page = self._page
        if page is None:
            return None
        return Page(
            items=tuple(self._items[self._index :]),
            has_more=page.has_more is True,
            next_token=_token(page.next_token),
            sync_token=_token(page.sync_token),
            number=self._pages_fetched,
            raw=page,
        )

    def take_page(self) -> Page | None:
        page = self.peek_page()
        if page is not None:
            self._finish_page()
        return page

    def _finish_page(self) -> None:
        page = self._page
        assert page is not None
        if page.has_more is True:
            self.cursor = ListCursor(next_token=_token(page.next_token))
        else:
            self.cursor = ListCursor(done=True)
        self._page = None
        self._items = []
        self._index = 0


def _check_paging_fields(page: ChannelList, attempts: int) -> None:
    """``has_more`` must be a boolean when present, the tokens strings or null: else the page is malformed.

    ``has_more: "true"`` (or ``null``) read as "not ``True``" would end the
    listing after this page, silently; so would a ``next_token`` of another
    type; a ``sync_token`` of another type would silently stall :class:`~.sync.ChannelSync`.
    """
    for name, value, expected, nullable in (
        ("has_more", page.has_more, bool, False),
        ("next_token", page.next_token, str, True),
        ("sync_token", page.sync_token, str, True),
    ):
        if value is UNSET or (value is None and nullable):
            continue
        if not isinstance(value, expected):
            raise MalformedResponseError(
                f"list_channels answered a page whose {name} is a {type(value).__name__}, "
                f"not a {expected.__name__}; the listing cannot continue safely",
                operation_id=OPERATION_ID,
                attempts=attempts,
                status_code=200,
                response=None,
            )


def _empty(field: str, what: str) -> CliqValidationError:
    """An empty filter would be sent as ``?field=``, which the server refuses: refused here, as the transport would."""
    return CliqValidationError(
        operation_id=OPERATION_ID,
        field=f"query.{field}",
        rule="allowEmptyValue",
        detail=f"{field} is {what}; pass None to not filter by it",
    )


#: What the server splits ``channel_ids``, ``chat_ids`` and ``team_ids`` on.
ID_SEPARATOR: Final = ","


def _join_ids(field: str, value: str | Sequence[str] | None) -> str | None:
    """A list of ids as the server reads it (``a,b``); an item it would read differently is refused.

    An item containing the separator (``["a,b", "c"]`` would become three ids),
    an empty item (``a,,c``) or one that is not a string is refused with
    :class:`CliqValidationError`, before anything is sent.  A plain string is
    taken as the wire form the caller chose.
    """
    if value is None or isinstance(value, str):
        return value
    if not value:
        raise _empty(field, "an empty list")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            detail = f"item {index} is a {type(item).__name__}; each id must be a string"
            raise CliqValidationError(operation_id=OPERATION_ID, field=f"query.{field}", rule="type", detail=detail)
        if not item:
            detail = f"item {index} is empty; the server would read {ID_SEPARATOR * 2!r} as an empty id"
            raise CliqValidationError(
                operation_id=OPERATION_ID, field=f"query.{field}", rule="minLength", detail=detail
            )
        if ID_SEPARATOR in item:
            detail = (
                f"item {index} contains {ID_SEPARATOR!r}, the list separator: the server would read it "
                "as several ids; pass each id as its own item"
            )
            raise CliqValidationError(operation_id=OPERATION_ID, field=f"query.{field}", rule="pattern", detail=detail)
    return ID_SEPARATOR.join(value)


def _enum_filter(field: str, value: object, enum: type[ChannelStatus] | type[ChannelLevel]) -> Any:
    """A filter given as a member or its plain string, checked against the enum before anything is sent.

    A string the enum does not know, or a value of another type, is refused
    with :class:`CliqValidationError` (rule ``enum``), naming the allowed values.
    """
    if value is None:
        return None
    member = enum(value) if isinstance(value, str) else value
    if not isinstance(member, enum) or not member.is_known:
        allowed = ", ".join(repr(known.value) for known in enum)
        shown = f"{value!r}"[:60] if isinstance(value, str) else f"a {type(value).__name__}"
        raise CliqValidationError(
            operation_id=OPERATION_ID, field=f"query.{field}", rule="enum", detail=f"{shown} is not one of {allowed}"
        )
    return member


class ChannelPager:
    """Channels of ``list_channels``, fetched one page at a time as they are consumed.

    ``for channel in pager`` / ``async for channel in pager`` hand out
    channels; ``pages()`` / ``apages()`` hand out :class:`Page` objects.  A
    pager is a one-pass cursor for one consumer: iterating again continues
    where the last loop stopped, including after an exception (see the module
    docstring for the exact contract).  ``cursor`` accepts ``str(pager.cursor)``
    or a raw ``next_token``; resume with the same filters.  ``max_pages`` caps
    the requests this pager sends, for batch jobs that resume later.
    ``channel_ids``, ``chat_ids`` and ``team_ids`` take lists (joined with
    commas).  An empty filter (``""``, or an empty list) raises
    :class:`~.errors.CliqValidationError` (rule ``allowEmptyValue``) here, as
    the transport would refuse it: ``None`` means "do not filter".
    ``sync_token`` lists only channels changed since that token;
    :class:`~.sync.ChannelSync` builds incremental sync on it.
    """

    def __init__(
        self,
        client: Client | AuthenticatedClient,
        *,
        limit: int | None = 100,
        name: str | None = None,
        status: ChannelStatus | str | None = None,
        level: ChannelLevel | str | None = None,
        modified_before: datetime.datetime | None = None,
        modified_after: datetime.datetime | None = None,
        created_before: datetime.datetime | None = None,
        created_after: datetime.datetime | None = None,
        channel_ids: str | Sequence[str] | None = None,
        chat_ids: str | Sequence[str] | None = None,
        team_ids: str | Sequence[str] | None = None,
        created_by: str | None = None,
        order_by: str | None = None,
        pinned: bool | None = None,
        joined: bool | None = None,
        sync_token: str | None = None,
        cursor: ListCursor | str | None = None,
        max_pages: int | None = None,
    ) -> None:
        if max_pages is not None and max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        query: dict[str, Any] = {
            "limit": limit,
            "name": name,
            "status": _enum_filter("status", status, ChannelStatus),
            "level": _enum_filter("level", level, ChannelLevel),
            "modified_before": modified_before,
            "modified_after": modified_after,
            "created_before": created_before,
            "created_after": created_after,
            "channel_ids": _join_ids("channel_ids", channel_ids),
            "chat_ids": _join_ids("chat_ids", chat_ids),
            "team_ids": _join_ids("team_ids", team_ids),
            "created_by": created_by,
            "order_by": order_by,
            "pinned": pinned,
            "joined": joined,
            "sync_token": sync_token,
        }
        allow_empty = OPERATIONS_BY_ID[OPERATION_ID].query_allow_empty
        for field, value in query.items():
            if value == "" and field not in allow_empty:
                raise _empty(field, "an empty string")
        if isinstance(cursor, str):
            cursor = ListCursor.parse(cursor)
        self._client = cast(AuthenticatedClient, client)  # the generated functions accept either
        self._state = _ListState(
            {key: value for key, value in query.items() if value is not None}, cursor or ListCursor(), max_pages
        )

    def __repr__(self) -> str:
        filters = ", ".join(f"{key}={value!r}" for key, value in self._state.query.items())
        return f"ChannelPager({filters}, cursor={str(self.cursor)!r}, pages_fetched={self.pages_fetched})"

    @property
    def cursor(self) -> ListCursor:
        """Resume point: the first channel not yet handed out (persist ``str(pager.cursor)``)."""
        return self._state.cursor

    @property
    def done(self) -> bool:
        """``True`` once the last page has been handed out."""
        return self._state.cursor.done

    @property
    def pages_fetched(self) -> int:
        return self._state.pages_fetched

    # --- sync driver -------------------------------------------------------

    def _fetch(self) -> None:
        with self._state.fetching() as kwargs:
            self._state.accept(list_channels.sync(client=self._client, **kwargs))

    def __iter__(self) -> ChannelPager:
        return self

    def __next__(self) -> Channel:
        state = self._state
        while (item := state.take_item()) is None:
            if not state.can_fetch():
                raise StopIteration
            self._fetch()
        return item

    def peek_page(self) -> Page | None:
        """The page at the cursor (fetched if need be), without handing anything out; ``None`` when finished."""
        if self._state.can_fetch():
            self._fetch()
        return self._state.peek_page()

    def next_page(self) -> Page | None:
        """Hand out the rest of the current page, or the next page; ``None`` when finished."""
        if self._state.can_fetch():
            self._fetch()
        return self._state.take_page()

    def pages(self) -> Iterator[Page]:
        while (page := self.next_page()) is not None:
            yield page

    # --- async driver ------------------------------------------------------

    async def _afetch(self) -> None:
        with self._state.fetching() as kwargs:
            self._state.accept(await list_channels.asyncio(client=self._client, **kwargs))

    def __aiter__(self) -> ChannelPager:
        return self

    async def __anext__(self) -> Channel:
        state = self._state
        while (item := state.take_item()) is None:
            if not state.can_fetch():
                raise StopAsyncIteration
            await self._afetch()
        return item

    async def apeek_page(self) -> Page | None:
        if self._state.can_fetch():
            await self._afetch()
        return self._state.peek_page()

    async def anext_page(self) -> Page | None:
        if self._state.can_fetch():
            await self._afetch()
        return self._state.take_page()

    async def apages(self) -> AsyncIterator[Page]:
        while (page := await self.anext_page()) is not None:
            yield page
