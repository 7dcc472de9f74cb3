"""The emulated organization: users, teams, bots, channels, membership, listing and sync.

Everything here is synchronous and guarded by one re-entrant lock; handlers
call in, do a little work, and return JSON-able dicts or raise
:class:`~.errors.ApiError`.

Decisions where the reference is silent (also listed in the package docstring):

* Ids: channels ``T4000000040001``, ``T4000000040002``...; chats ``CT_<19 digits>_<8 digits>``;
  users and teams numeric strings.  ``unique_name`` is the lower-cased name
  without non-alphanumerics (``Zylker-Support`` -> ``zylkersupport``), made
  unique among live channels with a numeric suffix, and kept on rename.
  Names need not be unique (a replayed create makes a second channel).
* Organization-level channels start ``pending`` (``approval_required``);
  approve -> ``created``; reject removes the channel (the status enum has no
  ``rejected``), reported to sync as removed.
* Visibility: participants see a channel; everybody sees organization channels
  that are not invite-only; team members see team channels that are not
  invite-only; organization admins also see pending channels.  A channel that
  exists but is not visible answers 403; an unknown one 404.
* Roles act through the channel's permission objects (admin, moderator, member;
  a super_admin may do everything).  Changing roles needs an admin or
  super_admin; granting or taking super_admin needs a super_admin; a channel
  with other members keeps at least one super_admin (removing, demoting or
  leaving as the last one answers 400).  Approve/reject need an organization admin.
* Archived channels allow get, members, unarchive, leave and delete; pending
  ones allow get, members, update, delete, approve and reject; anything else
  answers 400 ``operation_not_allowed``.
* ``list_channels``: ``name`` is a case-insensitive substring match (a leading
  ``#`` is ignored); ``created_*``/``modified_*`` compare whole seconds, strictly;
  ``modified_*`` use ``last_modified_time``, which any change or message
  moves; ``pinned=false`` returns all (as the reference says); no ``status``
  means every status.  ``order_by`` is one of :data:`ORDERS`, the document's
  ``ChannelOrder`` (default ``+creation_time``, oldest first); other values answer 400.
* Pagination: ``next_token`` is opaque and signed; it carries the filters and
  order of the first page (parameters sent with it are ignored, except
  ``limit``).  Creation orders page with a cursor on the channel's creation
  sequence (unique and immutable), so channels created between pages appear
  once (at the end, for ascending order).  Orders on mutable keys (name,
  last_modified_time) page through a snapshot of the matching ids frozen at the
  first page (kept for the 64 most recent listings), so updates cannot move a
  channel across the cursor.  Either way each channel is returned at most once
  and every channel that existed and matched throughout is returned once.
* Sync: every list response carries a ``sync_token`` holding the version
  counter at the *start* of the listing (so changes made while paging are
  reported by the next sync) and the listing's filters.  A request with
  ``sync_token`` returns, in one page, the channels changed since (created,
  updated, archived, unarchived, approved, members, roles, bots, pins,
  messages) that match the filters, plus ``removed_channel_ids``: channels
  deleted or rejected since, channels the user left or was removed from, and
  changed channels that no longer match the filters.  More than ``sync_limit``
  (50) entries in total answers 400 ``sync_limit_exceeded``.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import json
import math
import re
import secrets
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

import attrs

from ...models import ChannelLevel, ChannelOrder, ChannelPermission, ChannelRole, ChannelStatus
from ..clock import Clock
from .config import EmulatorConfig
from .errors import SYNC_LIMIT_CODE, ApiError

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_ORDER",
    "DEFAULT_PERMISSIONS",
    "LEVELS",
    "ORDERS",
    "PERMISSION_NAMES",
    "ROLES",
    "STATUSES",
    "Bot",
    "Channel",
    "ListFilters",
    "Store",
    "Team",
    "User",
]

# The document's vocabularies, read from the generated models rather than copied by hand.
PERMISSION_NAMES: tuple[str, ...] = tuple(
    field.name for field in attrs.fields(ChannelPermission) if field.name != "additional_properties"
)
ROLES: tuple[str, ...] = tuple(role.value for role in ChannelRole)
LEVELS: tuple[str, ...] = tuple(level.value for level in ChannelLevel)
STATUSES: tuple[str, ...] = tuple(status.value for status in ChannelStatus)
ORDERS: tuple[str, ...] = tuple(order.value for order in ChannelOrder)  # "+creation_time", "-last_modified_time"...
DEFAULT_ORDER = "+creation_time"
_SEQ_ORDERS = frozenset({"+creation_time", "-creation_time"})


def _perms(*granted: str) -> Mapping[str, bool]:
    unknown = set(granted) - set(PERMISSION_NAMES)
    assert not unknown, unknown
    return MappingProxyType({name: name in granted for name in PERMISSION_NAMES})


#: Role permissions of a new channel, before the request's own objects are merged in.
DEFAULT_PERMISSIONS: Mapping[str, Mapping[str, bool]] = MappingProxyType(
    {
        "admin_permission": _perms(*PERMISSION_NAMES),
        "moderator_permission": _perms(
            "send_message",
            "add_participant",
            "remove_participant",
            "mention_users",
            "leave_channel",
            "special_mentions",
            "edit_my_msg",
            "delete_my_msg",
            "video_conference",
            "sticky_message",
            "audio_conference",
            "post_reply",
            "delete_others_message",
            "close_thread",
        ),
        "member_permission": _perms(
            "send_message",
            "mention_users",
            "leave_channel",
            "edit_my_msg",
            "delete_my_msg",
            "video_conference",
            "audio_conference",
            "post_reply",
        ),
    }
)
#: Configuration of a new channel, before the request's ``config`` is merged in.
DEFAULT_CONFIG: Mapping[str, str] = MappingProxyType(
    {"reply_mode": "both", "leave_join_info": "enable", "add_remove_info": "enable", "meeting_chat_type": "host_choice"}
)
_PERMISSION_OF_ROLE = {"admin": "admin_permission", "moderator": "moderator_permission", "member": "member_permission"}
_SNAPSHOTS_KEPT = 64
_CHANNEL_BASE = 4_000_000_040_000
_CHAT_BASE = 1_184_653_329_648_523_000
_USER_BASE = 55_000_000
_TEAM_BASE = 4_435_960


@attrs.frozen
class User:
    """A user of the organization; ``org_admin`` users may approve and reject channels."""

    user_id: str
    name: str
    email: str
    org_admin: bool = False


@attrs.frozen
class Team:
    """A team (department); its members see and may join its channels."""

    team_id: str
    name: str
    member_ids: frozenset[str] = frozenset()


@attrs.frozen
class Bot:
    """A bot, addressed by its unique name."""

    unique_name: str
    name: str


@attrs.define(eq=False)
class Channel:
    """The emulator's record of a channel (internal and mutable; render it for a user to read it)."""

    seq: int
    channel_id: str
    chat_id: str
    unique_name: str
    name: str
    description: str
    level: str
    invite_only: bool
    status: str
    creator_id: str
    creation_time: float
    last_modified_time: float
    participants: dict[str, str]
    permissions: dict[str, Mapping[str, bool]]
    config: Mapping[str, str]
    team_ids: tuple[str, ...]
    image_time: float
    bots: set[str] = attrs.Factory(set)
    pinned_by: set[str] = attrs.Factory(set)
    muted_until: dict[str, float] = attrs.Factory(dict)
    unread: dict[str, tuple[int, float]] = attrs.Factory(dict)
    departed: set[str] = attrs.Factory(set)
    message_count: int = 0
    last_message: dict[str, Any] | None = None
    version: int = 0
    deleted: bool = False


def _frozen_ids(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else frozenset(value)


@attrs.frozen(kw_only=True)
class ListFilters:
    """The filters of one listing (carried inside next/sync tokens)."""

    name: str | None = None
    status: str | None = None
    level: str | None = None
    created_before: float | None = None
    created_after: float | None = None
    modified_before: float | None = None
    modified_after: float | None = None
    channel_ids: frozenset[str] | None = attrs.field(default=None, converter=_frozen_ids)
    chat_ids: frozenset[str] | None = attrs.field(default=None, converter=_frozen_ids)
    team_ids: frozenset[str] | None = attrs.field(default=None, converter=_frozen_ids)
    created_by: str | None = None
    pinned: bool | None = None
    joined: bool | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in attrs.fields(ListFilters):
            value = getattr(self, field.name)
            if value is None:
                continue
            out[field.name] = sorted(value) if isinstance(value, frozenset) else value
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ListFilters:
        names = {field.name for field in attrs.fields(ListFilters)}
        return cls(**{key: value for key, value in data.items() if key in names})


class _TokenCodec:
    """Opaque, tamper-evident tokens: hex of ``HMAC(16 bytes) + zlib(JSON)`` under a per-emulator key."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def encode(self, payload: Mapping[str, Any]) -> str:
        raw = zlib.compress(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        mac = hmac.new(self._key, raw, hashlib.sha256).digest()[:16]
        return (mac + raw).hex()

    def decode(self, token: str, field: str, kind: str, user_id: str) -> dict[str, Any]:
        try:
            data = bytes.fromhex(token)
        except ValueError:
            data = b""
        mac, raw = data[:16], data[16:]
        if len(mac) < 16 or not hmac.compare_digest(mac, hmac.new(self._key, raw, hashlib.sha256).digest()[:16]):
            raise ApiError.invalid(field, f"is not a {field} this server issued")
        payload = json.loads(zlib.decompress(raw))
        if not isinstance(payload, dict) or payload.get("k") != kind:
            raise ApiError.invalid(field, f"is not a {field}")
        if payload.get("u") != user_id:
            raise ApiError.invalid(field, "was issued to another user")
        return payload


def _split_ids(value: Any) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset(part.strip() for part in str(value).split(",") if part.strip())


def _timestamp(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    return float(datetime.fromisoformat(str(value)).timestamp())


class Store:
    """All state of one emulated organization; every public method is thread-safe."""

    def __init__(self, clock: Clock, config: EmulatorConfig) -> None:
        self._clock = clock
        self.config = config
        self._lock = threading.RLock()
        self._tz = timezone(timedelta(minutes=config.utc_offset_minutes))
        self._codec = _TokenCodec()
        self.users: dict[str, User] = {}
        self._user_by_email: dict[str, str] = {}
        self.teams: dict[str, Team] = {}
        self.bots: dict[str, Bot] = {}
        self._channels: dict[str, Channel] = {}  # every channel ever made, deleted ones included
        self._by_seq: dict[int, Channel] = {}
        self._seqs: list[int] = []  # ascending creation sequence
        self._by_chat: dict[str, str] = {}
        self._by_unique: dict[str, str] = {}  # live channels only
        self._unique_next: dict[str, int] = {}
        self._by_version: OrderedDict[str, None] = OrderedDict()  # channel ids, least recently changed first
        self._snapshots: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self.version = 0
        self._seq = 0
        self._user_seq = 0
        self._team_seq = 0
        self._chat_suffix = str(62_439_860 + secrets.randbelow(1_000_000))

    # -- organization: users, teams, bots -------------------------------------------------

    def add_user(
        self, *, name: str | None = None, email: str | None = None, user_id: str | None = None, org_admin: bool = False
    ) -> User:
        with self._lock:
            self._user_seq += 1
            uid = user_id or str(_USER_BASE + self._user_seq)
            if uid in self.users:
                raise ValueError(f"user {uid!r} exists")
            display = name or f"User {self._user_seq}"
            mail = (
                email or f"{re.sub(r'[^a-z0-9.]', '', display.lower().replace(' ', '.')) or 'user'}.{uid}@zylker.com"
            ).lower()
            if mail in self._user_by_email:
                raise ValueError(f"email {mail!r} is taken")
            user = User(user_id=uid, name=display, email=mail, org_admin=org_admin)
            self.users[uid] = user
            self._user_by_email[mail] = uid
            return user

    def add_team(self, name: str, member_ids: Iterable[str] = (), *, team_id: str | None = None) -> Team:
        with self._lock:
            members = frozenset(member_ids)
            for uid in members:
                self._user(uid)
            self._team_seq += 1
            tid = team_id or str(_TEAM_BASE + self._team_seq)
            if tid in self.teams:
                raise ValueError(f"team {tid!r} exists")
            team = Team(team_id=tid, name=name, member_ids=members)
            self.teams[tid] = team
            return team

    def add_bot(self, unique_name: str, name: str | None = None) -> Bot:
        with self._lock:
            if unique_name in self.bots:
                raise ValueError(f"bot {unique_name!r} exists")
            bot = Bot(unique_name=unique_name, name=name or unique_name)
            self.bots[unique_name] = bot
            return bot

    def _user(self, user_id: str) -> User:
        try:
            return self.users[user_id]
        except KeyError:
            raise ValueError(f"unknown user {user_id!r}") from None

    # -- direct helpers (no permission checks) ------------------------------------------

    def seed(
        self,
        count: int,
        *,
        creator_id: str,
        level: str = "organization",
        status: str = "created",
        name_prefix: str = "channel",
        member_ids: Iterable[str] = (),
        team_ids: Iterable[str] = (),
        invite_only: bool = False,
    ) -> list[str]:
        """Create ``count`` channels directly; returns their ids in creation order."""
        if level not in LEVELS or status not in STATUSES:
            raise ValueError("bad level or status")
        with self._lock:
            self._user(creator_id)
            members = {uid: "member" for uid in member_ids if uid != creator_id}
            for uid in members:
                self._user(uid)
            teams = tuple(team_ids)
            for tid in teams:
                if tid not in self.teams:
                    raise ValueError(f"unknown team {tid!r}")
            now = self._clock.now()
            width = max(len(str(count)), 5)
            start = self._seq
            ids = []
            for i in range(1, count + 1):
                channel = self._new_channel(
                    creator_id=creator_id,
                    name=f"{name_prefix}-{start + i:0{width}d}",
                    level=level,
                    status=status,
                    invite_only=invite_only,
                    members=members,
                    team_ids=teams,
                    now=now,
                )
                ids.append(channel.channel_id)
            return ids

    def post_message(self, channel_id: str, sender_id: str, text: str, *, message_type: str = "text") -> None:
        """Record a message: counts, unread counts of the others, ``last_message_info``, modified time."""
        with self._lock:
            channel = self._live(channel_id)
            sender = self._user(sender_id)
            now = self._clock.now()
            channel.message_count += 1
            channel.last_message = {
                "sender_id": sender.user_id,
                "message_type": message_type,
                "time": now,
                "text": text,
                "sender_name": sender.name,
            }
            for uid in channel.participants:
                if uid != sender_id:
                    count, since = channel.unread.get(uid, (0, now))
                    channel.unread[uid] = (count + 1, since)
            self._touch(channel, now)

    def set_pinned(self, channel_id: str, user_id: str, pinned: bool = True) -> None:
        with self._lock:
            channel = self._live(channel_id)
            self._user(user_id)
            (channel.pinned_by.add if pinned else channel.pinned_by.discard)(user_id)
            self._touch(channel, self._clock.now(), modified=False)

    def set_muted(self, channel_id: str, user_id: str, until: float | None) -> None:
        with self._lock:
            channel = self._live(channel_id)
            self._user(user_id)
            if until is None:
                channel.muted_until.pop(user_id, None)
            else:
                channel.muted_until[user_id] = until
            self._touch(channel, self._clock.now(), modified=False)

    def view(self, channel_id: str, user_id: str | None, origin: str) -> dict[str, Any] | None:
        """The channel as ``user_id`` would get it (``None`` if unknown or deleted)."""
        with self._lock:
            channel = self._channels.get(channel_id)
            if channel is None or channel.deleted:
                return None
            return self._render(channel, user_id or "", origin)

    def members_of(self, channel_id: str) -> dict[str, str]:
        with self._lock:
            return dict(self._live(channel_id).participants)

    def bots_of(self, channel_id: str) -> frozenset[str]:
        with self._lock:
            return frozenset(self._live(channel_id).bots)

    def channel_count(self, *, include_deleted: bool = False) -> int:
        with self._lock:
            if include_deleted:
                return len(self._channels)
            return sum(1 for channel in self._channels.values() if not channel.deleted)

    def channel_id_by_unique_name(self, unique_name: str) -> str | None:
        with self._lock:
            return self._by_unique.get(unique_name)

    # -- API operations --------------------------------------------------------------------

    def create_channel(self, actor: str, body: Mapping[str, Any], origin: str) -> dict[str, Any]:
        with self._lock:
            name = str(body["name"]).strip()
            if name.startswith("#"):
                name = name[1:].strip()
            if not name:
                raise ApiError.invalid("name", "must contain a character other than '#' and spaces")
            level = str(body["level"])
            team_ids = tuple(dict.fromkeys(str(t) for t in body.get("team_ids") or ()))
            if level == "team":
                if not team_ids:
                    raise ApiError.invalid("team_ids", "is required for a team channel")
                for tid in team_ids:
                    if tid not in self.teams:
                        raise ApiError.invalid("team_ids", f"unknown team id {tid!r}")
            else:
                team_ids = ()
            members: dict[str, str] = {}
            for uid in self._resolve_users(body.get("user_ids") or (), "user_ids"):
                members[uid] = "member"
            for uid in self._resolve_emails(body.get("email_ids") or (), "email_ids"):
                members[uid] = "member"
            for uid in self._resolve_users(body.get("moderator_ids") or (), "moderator_ids"):
                members[uid] = "moderator"
            for uid in self._resolve_users(body.get("admin_ids") or (), "admin_ids"):
                members[uid] = "admin"
            members.pop(actor, None)
            invite_only = bool(body.get("invite_only", False)) or level in ("private", "external")
            status = "pending" if level == "organization" and self.config.approval_required else "created"
            permissions = {
                key: self._merge_permissions(DEFAULT_PERMISSIONS[key], body.get(key)) for key in DEFAULT_PERMISSIONS
            }
            config = MappingProxyType({**DEFAULT_CONFIG, **(body.get("config") or {})})
            channel = self._new_channel(
                creator_id=actor,
                name=name,
                level=level,
                status=status,
                invite_only=invite_only,
                members=members,
                team_ids=team_ids,
                now=self._clock.now(),
                description=str(body.get("description") or ""),
                permissions=permissions,
                config=config,
            )
            return self._render(channel, actor, origin)

    def list_channels(self, actor: str, query: Mapping[str, Any], origin: str) -> dict[str, Any]:
        sync_token = query.get("sync_token")
        next_token = query.get("next_token")
        if sync_token is not None and next_token is not None:
            raise ApiError.invalid("next_token", "cannot be combined with sync_token")
        limit = int(query.get("limit") or self.config.default_page_size)
        with self._lock:
            if sync_token is not None:
                return self._sync(actor, str(sync_token), origin)
            snapshot_id: str | None = None
            position: Any = None
            if next_token is not None:
                payload = self._codec.decode(str(next_token), "next_token", "next", actor)
                filters = ListFilters.from_json(payload["f"])
                order = str(payload["o"])
                start_version = int(payload["v"])
                position = payload["p"]
                snapshot_id = payload.get("s")
            else:
                filters = self._filters(query)
                order = str(query.get("order_by") or DEFAULT_ORDER)
                if order not in ORDERS:
                    raise ApiError.invalid("order_by", f"must be one of {', '.join(ORDERS)}")
                start_version = self.version
            candidates: Iterator[tuple[Any, Channel]]
            if order in _SEQ_ORDERS:
                candidates = self._iter_by_seq(descending=order.startswith("-"), after=position)
            else:
                if snapshot_id is None:
                    snapshot_id, position = self._take_snapshot(actor, filters, order), -1
                candidates = self._iter_snapshot(snapshot_id, after=int(position))
            page: list[Channel] = []
            has_more = False
            for pos, channel in candidates:
                if channel.deleted or not self._visible(channel, actor) or not self._matches(channel, actor, filters):
                    continue
                if len(page) == limit:
                    has_more = True
                    break
                page.append(channel)
                position = pos
            body: dict[str, Any] = {
                "channels": [self._render(channel, actor, origin) for channel in page],
                "has_more": has_more,
                "sync_token": self._codec.encode(
                    {"k": "sync", "u": actor, "v": start_version, "f": filters.to_json(), "o": order}
                ),
            }
            if has_more:
                payload = {"k": "next", "u": actor, "v": start_version, "f": filters.to_json(), "o": order}
                payload["p"] = position
                if snapshot_id is not None:
                    payload["s"] = snapshot_id
                body["next_token"] = self._codec.encode(payload)
            return body

    def get_channel(self, actor: str, channel_id: str, origin: str) -> dict[str, Any]:
        with self._lock:
            channel = self._visible_channel(channel_id, actor)
            return self._render(channel, actor, origin)

    def update_channel(self, actor: str, channel_id: str, body: Mapping[str, Any], origin: str) -> dict[str, Any]:
        with self._lock:
            channel = self._visible_channel(channel_id, actor)
            self._require_status(channel, ("created", "pending"), "updated")
            self._require_permission(channel, actor, "edit_channel_info", "edit this channel")
            now = self._clock.now()
            changed = False
            if "name" in body:
                name = str(body["name"]).strip().removeprefix("#").strip()
                if not name:
                    raise ApiError.invalid("name", "must contain a character other than '#' and spaces")
                changed |= name != channel.name
                channel.name = name
            if "description" in body:
                changed |= body["description"] != channel.description
                channel.description = str(body["description"])
            if "image_data" in body:
                channel.image_time = now
                changed = True
            if body.get("config"):
                config = MappingProxyType({**channel.config, **body["config"]})
                changed |= dict(config) != dict(channel.config)
                channel.config = config
            for key in DEFAULT_PERMISSIONS:
                if body.get(key):
                    merged = self._merge_permissions(channel.permissions[key], body[key])
                    changed |= dict(merged) != dict(channel.permissions[key])
                    channel.permissions[key] = merged
            if changed:
                self._touch(channel, now)
            return self._render(channel, actor, origin)

    def delete_channel(self, actor: str, channel_id: str) -> None:
        with self._lock:
            channel = self._visible_channel(channel_id, actor)
            self._require_permission(channel, actor, "delete_channel", "delete this channel")
            self._remove(channel)

    def add_members(self, actor: str, channel_id: str, body: Mapping[str, Any]) -> None:
        with self._lock:
            channel = self._visible_channel(channel_id, actor)
            self._require_status(channel, ("created",), "given members")
            self._require_permission(channel, actor, "add_participant", "add members")
            added = False
            for uid in self._members_of(body):
                if uid not in channel.participants:
                    channel.participants[uid] = "member"
                    channel.departed.discard(uid)
                    added = True
            if added:
                self._touch(channel, self._clock.now())

    def get_members(self, actor: str, channel_id: str) -> dict[str, Any]:
        with self._lock:
            channel = self._visible_channel(channel_id, actor)
            members = []
            for uid, role in channel.participants.items():
                user = self.users[uid]
                members.append({"user_id": uid, "email_id": user.email, "name": user.name, "user_role": role})
            return {"members": members}

    def remove_members(self, actor: str, channel_id: str, body: Mapping[str, Any]) -> None:
        with self._lock:
            channel = self._visible_channel(channel_id, actor)
            self._require_status(channel, ("created",), "changed")
            self._require_permission(channel, actor, "remove_participant", "remove members")
            doomed = [uid for uid in self._members_of(body) if uid in channel.participants]
            if any(channel.participants[uid] == "super_admin" for uid in doomed) and (
                channel.participants.get(actor) != "super_admin"
            ):
                raise ApiError.forbidden("only a super_admin may remove a super_admin")
            remaining = [uid for uid in channel.participants if uid not in doomed]
            if doomed and remaining and not any(channel.participants[uid] == "super_admin" for uid in remaining):
                raise ApiError.not_allowed("a channel must keep at least one super_admin")
            for uid in doomed:
                self._depart(channel, uid)
            if doomed:
                self._touch(channel, self._clock.now())

    def update_member_role(self, actor: str, channel_id: str, user_id: str, body: Mapping[str, Any]) -> None:
        with self._lock:
            channel = self._visible_channel(channel_id, actor)
            self._require_status(channel, ("created",), "changed")
            actor_role = channel.participants.get(actor)
            if actor_role not in ("super_admin", "admin"):
                raise ApiError.forbidden("only a channel admin or super_admin may change roles")
            current = channel.participants.get(user_id)
            if current is None:
                raise ApiError.not_found(f"user {user_id!r} is not a member of channel {channel_id!r}")
            role = str(body["role"])
            if "super_admin" in (role, current) and actor_role != "super_admin" and role != current:
                raise ApiError.forbidden("only a super_admin may grant or take the super_admin role")
            if current == "super_admin" and role != "super_admin":
                others = [uid for uid, r in channel.participants.items() if r == "super_admin" and uid != user_id]
                if not others:
                    raise ApiError.not_allowed("a channel must keep at least one super_admin")
            if role != current:
                channel.participants[user_id] = role
                self._touch(channel, self._clock.now())

    def associate_bot(self, actor: str, bot_unique_name: str, body: Mapping[str, Any]) -> None:
        with self._lock:
            if bot_unique_name not in self.bots:
                raise ApiError.not_found(f"no bot with unique name {bot_unique_name!r}")
            unique_name = str(body["channel_unique_name"])
            channel_id = self._by_unique.get(unique_name)
            if channel_id is None:
                raise ApiError.not_found(f"no channel with unique name {unique_name!r}")
            channel = self._visible_channel(channel_id, actor)
            self._require_status(channel, ("created",), "given bots")
            self._require_permission(channel, actor, "add_participant", "add bots")
            if bot_unique_name not in channel.bots:
                channel.bots.add(bot_unique_name)
                self._touch(channel, self._clock.now())

    def approve_channel(self, actor: str, channel_id: str) -> None:
        with self._lock:
            channel = self._pending_for_admin(actor, channel_id, "approve")
            channel.status = "created"
            self._touch(channel, self._clock.now())

    def reject_channel(self, actor: str, channel_id: str) -> None:
        with self._lock:
            channel = self._pending_for_admin(actor, channel_id, "reject")
            self._remove(channel)

    def join_channel(self, actor: str, channel_id: str, origin: str) -> dict[str, Any]:
        with self._lock:
            channel = self._live(channel_id)
            if actor in channel.participants:
                return self._render(channel, actor, origin)
            if not self._visible(channel, actor):
                raise ApiError.forbidden("this channel is invite-only")
            self._require_status(channel, ("created",), "joined")
            if channel.invite_only or channel.level not in ("organization", "team"):
                raise ApiError.forbidden("this channel is invite-only")
            channel.participants[actor] = "member"
            channel.departed.discard(actor)
            self._touch(channel, self._clock.now())
            return self._render(channel, actor, origin)

    def leave_channel(self, actor: str, channel_id: str) -> None:
        with self._lock:
            channel = self._visible_channel(channel_id, actor)
            if actor not in channel.participants:
                raise ApiError.not_allowed("you are not a member of this channel")
            self._require_permission(channel, actor, "leave_channel", "leave this channel")
            others = [uid for uid in channel.participants if uid != actor]
            if (
                others
                and channel.participants[actor] == "super_admin"
                and not any(channel.participants[uid] == "super_admin" for uid in others)
            ):
                raise ApiError.not_allowed("the last super_admin must hand the role to another member before leaving")
            self._depart(channel, actor)
            self._touch(channel, self._clock.now())

    def archive_channel(self, actor: str, channel_id: str) -> None:
        with self._lock:
            channel = self._visible_channel(channel_id, actor)
            self._require_status(channel, ("created",), "archived")
            self._require_permission(channel, actor, "archive_channel", "archive this channel")
            channel.status = "archived"
            self._touch(channel, self._clock.now())

    def unarchive_channel(self, actor: str, channel_id: str) -> None:
        with self._lock:
            channel = self._visible_channel(channel_id, actor)
            if channel.status != "archived":
                raise ApiError.not_allowed("the channel is not archived")
            self._require_permission(channel, actor, "unarchive_channel", "unarchive this channel")
            channel.status = "created"
            self._touch(channel, self._clock.now())

    # -- internals: channels ------------------------------------------------------------------

    def _new_channel(
        self,
        *,
        creator_id: str,
        name: str,
        level: str,
        status: str,
        invite_only: bool,
        members: Mapping[str, str],
        team_ids: tuple[str, ...],
        now: float,
        description: str = "",
        permissions: dict[str, Mapping[str, bool]] | None = None,
        config: Mapping[str, str] = DEFAULT_CONFIG,
    ) -> Channel:
        self._seq += 1
        seq = self._seq
        participants = {creator_id: "super_admin"}
        for uid, role in members.items():
            participants.setdefault(uid, role)
        channel = Channel(
            seq=seq,
            channel_id=f"T{_CHANNEL_BASE + seq}",
            chat_id=f"CT_{_CHAT_BASE + seq}_{self._chat_suffix}",
            unique_name=self._unique_name(name),
            name=name,
            description=description,
            level=level,
            invite_only=invite_only or level in ("private", "external"),
            status=status,
            creator_id=creator_id,
            creation_time=now,
            last_modified_time=now,
            participants=participants,
            permissions=permissions if permissions is not None else dict(DEFAULT_PERMISSIONS),
            config=config,
            team_ids=team_ids,
            image_time=now,
        )
        self._channels[channel.channel_id] = channel
        self._by_seq[seq] = channel
        self._seqs.append(seq)
        self._by_chat[channel.chat_id] = channel.channel_id
        self._by_unique[channel.unique_name] = channel.channel_id
        self._touch(channel, now)
        return channel

    def _unique_name(self, name: str) -> str:
        base = re.sub(r"[^0-9a-z]", "", name.casefold()) or "channel"
        if base not in self._by_unique:
            return base
        n = self._unique_next.get(base, 2)
        while f"{base}{n}" in self._by_unique:
            n += 1
        self._unique_next[base] = n + 1
        return f"{base}{n}"

    def _touch(self, channel: Channel, now: float, *, modified: bool = True) -> None:
        self.version += 1
        channel.version = self.version
        if modified:
            channel.last_modified_time = max(channel.last_modified_time, now)
        self._by_version[channel.channel_id] = None
        self._by_version.move_to_end(channel.channel_id)

    def _remove(self, channel: Channel) -> None:
        channel.deleted = True
        if self._by_unique.get(channel.unique_name) == channel.channel_id:
            del self._by_unique[channel.unique_name]
        self._touch(channel, self._clock.now())

    def _depart(self, channel: Channel, user_id: str) -> None:
        del channel.participants[user_id]
        channel.pinned_by.discard(user_id)
        channel.unread.pop(user_id, None)
        channel.departed.add(user_id)

    def _live(self, channel_id: str) -> Channel:
        channel = self._channels.get(channel_id)
        if channel is None or channel.deleted:
            raise ApiError.not_found(f"no channel with id {channel_id!r}")
        return channel

    def _visible_channel(self, channel_id: str, actor: str) -> Channel:
        channel = self._live(channel_id)
        if not self._visible(channel, actor):
            raise ApiError.forbidden("you cannot see this channel")
        return channel

    def _pending_for_admin(self, actor: str, channel_id: str, verb: str) -> Channel:
        channel = self._live(channel_id)
        user = self.users.get(actor)
        if user is None or not user.org_admin:
            raise ApiError.forbidden(f"only organization admins may {verb} channels")
        if channel.status != "pending":
            raise ApiError.not_allowed(f"only pending channels can be {verb}d; this one is {channel.status}")
        return channel

    def _visible(self, channel: Channel, user_id: str) -> bool:
        if user_id in channel.participants:
            return True
        if channel.status == "pending":
            user = self.users.get(user_id)
            return user is not None and user.org_admin
        if channel.invite_only:
            return False
        if channel.level == "organization":
            return True
        if channel.level == "team":
            return any(user_id in self.teams[tid].member_ids for tid in channel.team_ids if tid in self.teams)
        return False

    def _require_status(self, channel: Channel, allowed: tuple[str, ...], verb: str) -> None:
        if channel.status not in allowed:
            raise ApiError.not_allowed(f"a {channel.status} channel cannot be {verb}")

    def _require_permission(self, channel: Channel, user_id: str, permission: str, action: str) -> None:
        role = channel.participants.get(user_id)
        if role == "super_admin":
            return
        if role is None:
            raise ApiError.forbidden(f"only members may {action}")
        if not channel.permissions[_PERMISSION_OF_ROLE[role]].get(permission, False):
            raise ApiError.forbidden(f"the {role} role may not {action} ({permission} is off)")

    @staticmethod
    def _merge_permissions(base: Mapping[str, bool], update: Mapping[str, Any] | None) -> Mapping[str, bool]:
        if not update:
            return base
        return MappingProxyType({name: bool(update.get(name, base.get(name, False))) for name in PERMISSION_NAMES})

    def _members_of(self, body: Mapping[str, Any]) -> list[str]:
        """The users an add/remove members body names: ``user_ids`` and/or ``email_ids`` (the document needs one)."""
        users = self._resolve_users(body.get("user_ids") or (), "user_ids")
        users += self._resolve_emails(body.get("email_ids") or (), "email_ids")
        return list(dict.fromkeys(users))

    def _resolve_users(self, user_ids: Iterable[Any], field: str) -> list[str]:
        out = []
        for raw in user_ids:
            uid = str(raw)
            if uid not in self.users:
                if not self.config.auto_create_users:
                    raise ApiError.invalid(field, f"unknown user id {uid!r}")
                self.add_user(user_id=uid)
            out.append(uid)
        return list(dict.fromkeys(out))

    def _resolve_emails(self, emails: Iterable[Any], field: str) -> list[str]:
        out = []
        for raw in emails:
            email = str(raw).lower()
            uid = self._user_by_email.get(email)
            if uid is None:
                if not self.config.auto_create_users:
                    raise ApiError.invalid(field, f"no user with email {email!r}")
                uid = self.add_user(email=email, name=email.split("@", 1)[0]).user_id
            out.append(uid)
        return list(dict.fromkeys(out))

    # -- internals: listing, pagination and sync -------------------------------------------------

    def _filters(self, query: Mapping[str, Any]) -> ListFilters:
        created_by = query.get("created_by")
        if created_by is not None:
            created_by = str(created_by).strip()
            if "@" in created_by:
                created_by = self._user_by_email.get(created_by.lower(), f"unknown:{created_by}")
        return ListFilters(
            name=query.get("name"),
            status=query.get("status"),
            level=query.get("level"),
            created_before=_timestamp(query.get("created_before")),
            created_after=_timestamp(query.get("created_after")),
            modified_before=_timestamp(query.get("modified_before")),
            modified_after=_timestamp(query.get("modified_after")),
            channel_ids=_split_ids(query.get("channel_ids")),
            chat_ids=_split_ids(query.get("chat_ids")),
            team_ids=_split_ids(query.get("team_ids")),
            created_by=created_by,
            pinned=query.get("pinned"),
            joined=query.get("joined"),
        )

    def _matches(self, channel: Channel, user_id: str, f: ListFilters) -> bool:
        if f.status is not None and channel.status != f.status:
            return False
        if f.level is not None and channel.level != f.level:
            return False
        if f.name is not None and f.name.strip().lstrip("#").casefold() not in channel.name.casefold():
            return False
        created = math.floor(channel.creation_time)
        if f.created_before is not None and not created < f.created_before:
            return False
        if f.created_after is not None and not created > f.created_after:
            return False
        modified = math.floor(channel.last_modified_time)
        if f.modified_before is not None and not modified < f.modified_before:
            return False
        if f.modified_after is not None and not modified > f.modified_after:
            return False
        if f.channel_ids is not None and channel.channel_id not in f.channel_ids:
            return False
        if f.chat_ids is not None and channel.chat_id not in f.chat_ids:
            return False
        if f.team_ids is not None and not f.team_ids.intersection(channel.team_ids):
            return False
        if f.created_by is not None and channel.creator_id != f.created_by:
            return False
        if f.pinned and user_id not in channel.pinned_by:
            return False
        return f.joined is None or (user_id in channel.participants) == f.joined

    def _iter_by_seq(self, *, descending: bool, after: Any) -> Iterator[tuple[int, Channel]]:
        seqs = self._seqs
        if descending:
            end = len(seqs) if after is None else bisect.bisect_left(seqs, int(after))
            for index in range(end - 1, -1, -1):
                yield seqs[index], self._by_seq[seqs[index]]
        else:
            start = 0 if after is None else bisect.bisect_right(seqs, int(after))
            for index in range(start, len(seqs)):
                yield seqs[index], self._by_seq[seqs[index]]

    def _sort_key(self, order: str) -> Any:
        field = order.lstrip("+-")
        if field == "last_modified_time":
            return lambda c: (c.last_modified_time, c.seq)
        return lambda c: c.seq

    def _take_snapshot(self, actor: str, filters: ListFilters, order: str) -> str:
        matching = [
            channel
            for channel in self._channels.values()
            if not channel.deleted and self._visible(channel, actor) and self._matches(channel, actor, filters)
        ]
        matching.sort(key=self._sort_key(order), reverse=order.startswith("-"))
        snapshot_id = secrets.token_hex(8)
        self._snapshots[snapshot_id] = tuple(channel.channel_id for channel in matching)
        while len(self._snapshots) > _SNAPSHOTS_KEPT:
            self._snapshots.popitem(last=False)
        return snapshot_id

    def _iter_snapshot(self, snapshot_id: str, *, after: int) -> Iterator[tuple[int, Channel]]:
        ids = self._snapshots.get(snapshot_id)
        if ids is None:
            raise ApiError.invalid("next_token", "has expired; list again without next_token")
        self._snapshots.move_to_end(snapshot_id)
        for index in range(after + 1, len(ids)):
            yield index, self._channels[ids[index]]

    def _sync(self, actor: str, token: str, origin: str) -> dict[str, Any]:
        payload = self._codec.decode(token, "sync_token", "sync", actor)
        filters = ListFilters.from_json(payload["f"])
        order = str(payload["o"])
        since = int(payload["v"])
        changed: list[Channel] = []
        removed: list[str] = []
        limit = self.config.sync_limit
        for channel_id in reversed(self._by_version):
            channel = self._channels[channel_id]
            if channel.version <= since:
                break
            if channel.deleted:
                if self._visible(channel, actor) or actor in channel.departed:
                    removed.append(channel_id)
            elif self._visible(channel, actor):
                if self._matches(channel, actor, filters):
                    changed.append(channel)
                else:
                    removed.append(channel_id)
            elif actor in channel.departed:
                removed.append(channel_id)
            if len(changed) + len(removed) > limit:
                raise ApiError(
                    400,
                    SYNC_LIMIT_CODE,
                    f"field 'sync_token': more than {limit} channels changed since this token was issued; "
                    "list again without sync_token",
                )
        changed.sort(key=self._sort_key(order), reverse=order.startswith("-"))
        return {
            "channels": [self._render(channel, actor, origin) for channel in changed],
            "has_more": False,
            "sync_token": self._codec.encode(
                {"k": "sync", "u": actor, "v": self.version, "f": filters.to_json(), "o": order}
            ),
            "removed_channel_ids": removed,
        }

    # -- rendering --------------------------------------------------------------------------------

    def _iso(self, timestamp: float) -> str:
        return datetime.fromtimestamp(math.floor(timestamp), self._tz).isoformat()

    def _render(self, channel: Channel, user_id: str, origin: str) -> dict[str, Any]:
        role = channel.participants.get(user_id)
        creator = self.users.get(channel.creator_id)
        out: dict[str, Any] = {
            "name": f"#{channel.name}",
            "chat_id": channel.chat_id,
            "description": channel.description,
            "image_url": (
                f"{origin}/channel/{channel.channel_id}_{self.config.organization_id}_"
                f"{int(channel.image_time * 1000)}/photo.do"
            ),
            "level": channel.level,
            "invite_only": channel.invite_only,
            "status": channel.status,
            "channel_id": channel.channel_id,
            "organization_id": self.config.organization_id,
            "creator_id": channel.creator_id,
            "creator_name": creator.name if creator else "",
            "creation_time": self._iso(channel.creation_time),
            "last_modified_time": self._iso(channel.last_modified_time),
            "participant_count": len(channel.participants),
            "admin_permission": dict(channel.permissions["admin_permission"]),
            "moderator_permission": dict(channel.permissions["moderator_permission"]),
            "member_permission": dict(channel.permissions["member_permission"]),
            "config": dict(channel.config),
            "unique_name": channel.unique_name,
            "teams": {tid: self.teams[tid].name for tid in channel.team_ids if tid in self.teams},
            "joined": role is not None,
            "pinned": user_id in channel.pinned_by,
            "total_message_count": str(channel.message_count),
            "unread_message_count": channel.unread.get(user_id, (0, 0.0))[0],
        }
        if role is not None:
            out["current_user_role"] = role
        if user_id in channel.unread:
            out["unread_time"] = self._iso(channel.unread[user_id][1])
        if user_id in channel.muted_until:
            out["muted_interval"] = self._iso(channel.muted_until[user_id])
        if channel.last_message is not None:
            out["last_message_info"] = {**channel.last_message, "time": self._iso(channel.last_message["time"])}
        return out
