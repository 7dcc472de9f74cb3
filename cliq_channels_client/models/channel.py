from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.channel_level import ChannelLevel
from ..models.channel_role import ChannelRole
from ..models.channel_status import ChannelStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="Channel")

# The JSON keys of the properties: any other key the server sends goes to ``additional_properties``.
_PROPERTY_NAMES = frozenset(
    {
        "name",
        "level",
        "status",
        "channel_id",
        "chat_id",
        "description",
        "image_url",
        "invite_only",
        "organization_id",
        "creator_id",
        "creator_name",
        "creation_time",
        "last_modified_time",
        "current_user_role",
        "participant_count",
        "admin_permission",
        "moderator_permission",
        "member_permission",
        "unique_name",
        "teams",
        "joined",
        "pinned",
        "total_message_count",
        "unread_message_count",
        "unread_time",
        "muted_interval",
        "last_message_info",
    }
)


@_attrs_define
class Channel:
    """A channel as the server returns it. Rule for `required` in response schemas:
    a field is required when every sample of the reference shows it (create, get,
    update, join and the list item) and it identifies or classifies the channel
    (`channel_id`, `name`, `level`, `status`), so it exists whoever asks and whatever
    the channel holds. The other fields stay optional: many depend on the caller or
    the content (`current_user_role`, `joined`, `unread_*`, `muted_interval`, counts),
    and some appear in only some samples (`image_url` outside lists;
    `muted_interval`, `last_message_info` in lists).

    """

    name: str
    """ Name of the channel, prefixed with "#" (e.g. "#Zylker-Support"). """
    level: ChannelLevel
    """ Access level of the channel.
    * organization: Visible and accessible to all members within the organization.
    * team: Restricted to members of a specific team or department.
    * private: Invite-only channel visible only to its participants.
    * external: Includes users outside the organization (guests or external collaborators).
    * personal: Appears in list results (source: Zoho's download, get-all-channels-response.level).
     """
    status: ChannelStatus
    """ Status of the channel.
    * created: Channels that are active and fully created.
    * pending: Channels that are in the process of being created or awaiting confirmation.
    * archived: Channels that are no longer active and have been archived.
     """
    channel_id: str
    """ ID of the channel (e.g. T4000000040005). """
    chat_id: str | Unset = UNSET
    """ Chat ID of the channel (e.g. CT_1184653329648523663_62439860). """
    description: str | Unset = UNSET
    image_url: str | Unset = UNSET
    """ URL of the channel display picture. """
    invite_only: bool | Unset = UNSET
    organization_id: str | Unset = UNSET
    creator_id: str | Unset = UNSET
    creator_name: str | Unset = UNSET
    creation_time: datetime.datetime | Unset = UNSET
    last_modified_time: datetime.datetime | Unset = UNSET
    current_user_role: ChannelRole | Unset = UNSET
    """ Role of a member in a channel.
    * super_admin: Has complete control over the channel including all admin privileges.
    * admin: Can manage participants, settings, and content within the channel.
    * moderator: Can moderate conversations and manage basic participant interactions.
    * member: A regular participant with access to send and receive messages.
    * bot: A bot member (its user_id looks like b-...), as members lists report it.
     """
    participant_count: int | Unset = UNSET
    admin_permission: ChannelPermission | Unset = UNSET
    """ Set of permissions applicable to users in a channel role. """
    moderator_permission: ChannelPermission | Unset = UNSET
    """ Set of permissions applicable to users in a channel role. """
    member_permission: ChannelPermission | Unset = UNSET
    """ Set of permissions applicable to users in a channel role. """
    unique_name: str | Unset = UNSET
    """ Unique name of the channel (e.g. zylkersupport). """
    teams: ChannelTeams | Unset = UNSET
    """ Teams associated with the channel, as a map of team ID to team name. """
    joined: bool | Unset = UNSET
    pinned: bool | Unset = UNSET
    total_message_count: str | Unset = UNSET
    """ Number of messages in the channel. The reference sends it as a string ("100"). """
    unread_message_count: int | Unset = UNSET
    unread_time: datetime.datetime | Unset = UNSET
    muted_interval: datetime.datetime | Unset = UNSET
    """ Time until which the channel is muted for the current user. """
    last_message_info: LastMessageInfo | Unset = UNSET
    """ The last message posted in the channel. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        level = self.level.value

        status = self.status.value

        channel_id = self.channel_id

        chat_id = self.chat_id

        description = self.description

        image_url = self.image_url

        invite_only = self.invite_only

        organization_id = self.organization_id

        creator_id = self.creator_id

        creator_name = self.creator_name

        creation_time: str | Unset = UNSET
        if not isinstance(self.creation_time, Unset):
            creation_time = self.creation_time.isoformat()

        last_modified_time: str | Unset = UNSET
        if not isinstance(self.last_modified_time, Unset):
            last_modified_time = self.last_modified_time.isoformat()

        current_user_role: str | Unset = UNSET
        if not isinstance(self.current_user_role, Unset):
            current_user_role = self.current_user_role.value

        participant_count = self.participant_count

        admin_permission: dict[str, Any] | Unset = UNSET
        if not isinstance(self.admin_permission, Unset):
            admin_permission = self.admin_permission.to_dict()

        moderator_permission: dict[str, Any] | Unset = UNSET
        if not isinstance(self.moderator_permission, Unset):
            moderator_permission = self.moderator_permission.to_dict()

        member_permission: dict[str, Any] | Unset = UNSET
        if not isinstance(self.member_permission, Unset):
            member_permission = self.member_permission.to_dict()

        unique_name = self.unique_name

        teams: dict[str, Any] | Unset = UNSET
        if not isinstance(self.teams, Unset):
            teams = self.teams.to_dict()

        joined = self.joined

        pinned = self.pinned

        total_message_count = self.total_message_count

        unread_message_count = self.unread_message_count

        unread_time: str | Unset = UNSET
        if not isinstance(self.unread_time, Unset):
            unread_time = self.unread_time.isoformat()

        muted_interval: str | Unset = UNSET
        if not isinstance(self.muted_interval, Unset):
            muted_interval = self.muted_interval.isoformat()

        last_message_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.last_message_info, Unset):
            last_message_info = self.last_message_info.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "level": level,
                "status": status,
                "channel_id": channel_id,
            }
        )
        if chat_id is not UNSET:
            field_dict["chat_id"] = chat_id
        if description is not UNSET:
            field_dict["description"] = description
        if image_url is not UNSET:
            field_dict["image_url"] = image_url
        if invite_only is not UNSET:
            field_dict["invite_only"] = invite_only
        if organization_id is not UNSET:
            field_dict["organization_id"] = organization_id
        if creator_id is not UNSET:
            field_dict["creator_id"] = creator_id
        if creator_name is not UNSET:
            field_dict["creator_name"] = creator_name
        if creation_time is not UNSET:
            field_dict["creation_time"] = creation_time
        if last_modified_time is not UNSET:
            field_dict["last_modified_time"] = last_modified_time
        if current_user_role is not UNSET:
            field_dict["current_user_role"] = current_user_role
        if participant_count is not UNSET:
            field_dict["participant_count"] = participant_count
        if admin_permission is not UNSET:
            field_dict["admin_permission"] = admin_permission
        if moderator_permission is not UNSET:
            field_dict["moderator_permission"] = moderator_permission
        if member_permission is not UNSET:
            field_dict["member_permission"] = member_permission
        if unique_name is not UNSET:
            field_dict["unique_name"] = unique_name
        if teams is not UNSET:
            field_dict["teams"] = teams
        if joined is not UNSET:
            field_dict["joined"] = joined
        if pinned is not UNSET:
            field_dict["pinned"] = pinned
        if total_message_count is not UNSET:
            field_dict["total_message_count"] = total_message_count
        if unread_message_count is not UNSET:
            field_dict["unread_message_count"] = unread_message_count
        if unread_time is not UNSET:
            field_dict["unread_time"] = unread_time
        if muted_interval is not UNSET:
            field_dict["muted_interval"] = muted_interval
        if last_message_info is not UNSET:
            field_dict["last_message_info"] = last_message_info

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        get = src_dict.get
        channel = object.__new__(cls)
        channel.name = src_dict["name"]

        _level = src_dict["level"]
        channel.level = _ChannelLevel_BY_VALUE.get(_level) or ChannelLevel(_level)

        _status = src_dict["status"]
        channel.status = _ChannelStatus_BY_VALUE.get(_status) or ChannelStatus(_status)

        channel.channel_id = src_dict["channel_id"]

        channel.chat_id = get("chat_id", UNSET)

        channel.description = get("description", UNSET)

        channel.image_url = get("image_url", UNSET)

        channel.invite_only = get("invite_only", UNSET)

        channel.organization_id = get("organization_id", UNSET)

        channel.creator_id = get("creator_id", UNSET)

        channel.creator_name = get("creator_name", UNSET)

        _creation_time = get("creation_time", UNSET)
        channel.creation_time = UNSET if _creation_time is UNSET else _parse_datetime(_creation_time)

        _last_modified_time = get("last_modified_time", UNSET)
        channel.last_modified_time = UNSET if _last_modified_time is UNSET else _parse_datetime(_last_modified_time)

        _current_user_role = get("current_user_role", UNSET)
        channel.current_user_role = _ChannelRole_BY_VALUE.get(_current_user_role) or (
            UNSET if _current_user_role is UNSET else ChannelRole(_current_user_role)
        )

        channel.participant_count = get("participant_count", UNSET)

        _admin_permission = get("admin_permission", UNSET)
        if type(_admin_permission) is not dict and _admin_permission is not UNSET:
            _admin_permission = ChannelPermission.from_dict(_admin_permission)
        channel._raw_admin_permission = _admin_permission  # type: ignore[attr-defined]

        _moderator_permission = get("moderator_permission", UNSET)
        if type(_moderator_permission) is not dict and _moderator_permission is not UNSET:
            _moderator_permission = ChannelPermission.from_dict(_moderator_permission)
        channel._raw_moderator_permission = _moderator_permission  # type: ignore[attr-defined]

        _member_permission = get("member_permission", UNSET)
        if type(_member_permission) is not dict and _member_permission is not UNSET:
            _member_permission = ChannelPermission.from_dict(_member_permission)
        channel._raw_member_permission = _member_permission  # type: ignore[attr-defined]

        channel.unique_name = get("unique_name", UNSET)

        _teams = get("teams", UNSET)
        if type(_teams) is not dict and _teams is not UNSET:
            _teams = ChannelTeams.from_dict(_teams)
        channel._raw_teams = _teams  # type: ignore[attr-defined]

        channel.joined = get("joined", UNSET)

        channel.pinned = get("pinned", UNSET)

        channel.total_message_count = get("total_message_count", UNSET)

        channel.unread_message_count = get("unread_message_count", UNSET)

        _unread_time = get("unread_time", UNSET)
        channel.unread_time = UNSET if _unread_time is UNSET else _parse_datetime(_unread_time)

        _muted_interval = get("muted_interval", UNSET)
        channel.muted_interval = UNSET if _muted_interval is UNSET else _parse_datetime(_muted_interval)

        _last_message_info = get("last_message_info", UNSET)
        channel.last_message_info = (
            UNSET if _last_message_info is UNSET else LastMessageInfo.from_dict(_last_message_info)
        )

        channel._raw_additional_properties = (src_dict,)  # type: ignore[attr-defined]
        return channel

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


# Models referred to by this one, imported after the class so that models that
# refer to each other import in any order; the methods above find them as
# module globals instead of running an import statement on every call.
from ..models.channel_permission import ChannelPermission
from ..models.channel_teams import ChannelTeams
from ..models.last_message_info import LastMessageInfo

# Enum members by value: ``from_dict`` turns a known value into its member with one dict access.
_ChannelLevel_BY_VALUE = ChannelLevel._value2member_map_
_ChannelRole_BY_VALUE = ChannelRole._value2member_map_
_ChannelStatus_BY_VALUE = ChannelStatus._value2member_map_

# ``from_dict`` parses a date-time with one global lookup, not two attribute lookups per value.
_parse_datetime = datetime.datetime.fromisoformat


# Worked out on first read (custom/lazy_models.py): ``from_dict`` stores the server's
# dict of a nested model, or ``(src_dict,)`` for the unknown keys, through the slot's
# alias ``_raw_<name>``, and the first read decodes it.
from ..custom.lazy_models import decode_on_first_read, keep_unknown_keys_on_first_read

decode_on_first_read(Channel, "admin_permission", ChannelPermission)
decode_on_first_read(Channel, "moderator_permission", ChannelPermission)
decode_on_first_read(Channel, "member_permission", ChannelPermission)
decode_on_first_read(Channel, "teams", ChannelTeams)
keep_unknown_keys_on_first_read(Channel, _PROPERTY_NAMES)
