from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.channel_level import ChannelLevel
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateChannelRequest")

# The JSON keys of the properties: any other key the server sends goes to ``additional_properties``.
_PROPERTY_NAMES = frozenset(
    {
        "name",
        "level",
        "description",
        "invite_only",
        "team_ids",
        "user_ids",
        "email_ids",
        "admin_ids",
        "moderator_ids",
        "image_data",
        "config",
        "admin_permission",
        "moderator_permission",
        "member_permission",
    }
)


@_attrs_define
class CreateChannelRequest:
    name: str
    """ Name of your choice for the channel. Maximum Length 50. """
    level: ChannelLevel
    """ Access level of the channel.
    * organization: Visible and accessible to all members within the organization.
    * team: Restricted to members of a specific team or department.
    * private: Invite-only channel visible only to its participants.
    * external: Includes users outside the organization (guests or external collaborators).
    * personal: Appears in list results (source: Zoho's download, get-all-channels-response.level).
     """
    description: str | Unset = UNSET
    """ Short description regarding the channel. Maximum Length 10500. """
    invite_only: bool | Unset = False
    """ Indicates whether the channel is invite-only. Applicable only for organization and team level channels. """
    team_ids: list[str] | Unset = UNSET
    """ List of team IDs to associate with the team channel. To retrieve team IDs, use the List all teams API. """
    user_ids: list[str] | Unset = UNSET
    """ List of Zoho user IDs to be added as participants in the channel. """
    email_ids: list[str] | Unset = UNSET
    """ List of user email addresses to be added as participants in the channel. """
    admin_ids: list[str] | Unset = UNSET
    """ List of user IDs who will be assigned as channel admins. """
    moderator_ids: list[str] | Unset = UNSET
    """ List of user IDs who will be assigned as channel moderators. """
    image_data: str | Unset = UNSET
    """ Base64-encoded image content to be uploaded as the channel display picture. """
    config: ChannelConfig | Unset = UNSET
    """ Custom configurations that define channel behavior. """
    admin_permission: ChannelPermission | Unset = UNSET
    """ Set of permissions applicable to users in a channel role. """
    moderator_permission: ChannelPermission | Unset = UNSET
    """ Set of permissions applicable to users in a channel role. """
    member_permission: ChannelPermission | Unset = UNSET
    """ Set of permissions applicable to users in a channel role. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        level = self.level.value

        description = self.description

        invite_only = self.invite_only

        team_ids: list[str] | Unset = UNSET
        if not isinstance(self.team_ids, Unset):
            team_ids = self.team_ids

        user_ids: list[str] | Unset = UNSET
        if not isinstance(self.user_ids, Unset):
            user_ids = self.user_ids

        email_ids: list[str] | Unset = UNSET
        if not isinstance(self.email_ids, Unset):
            email_ids = self.email_ids

        admin_ids: list[str] | Unset = UNSET
        if not isinstance(self.admin_ids, Unset):
            admin_ids = self.admin_ids

        moderator_ids: list[str] | Unset = UNSET
        if not isinstance(self.moderator_ids, Unset):
            moderator_ids = self.moderator_ids

        image_data = self.image_data

        config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.config, Unset):
            config = self.config.to_dict()

        admin_permission: dict[str, Any] | Unset = UNSET
        if not isinstance(self.admin_permission, Unset):
            admin_permission = self.admin_permission.to_dict()

        moderator_permission: dict[str, Any] | Unset = UNSET
        if not isinstance(self.moderator_permission, Unset):
            moderator_permission = self.moderator_permission.to_dict()

        member_permission: dict[str, Any] | Unset = UNSET
        if not isinstance(self.member_permission, Unset):
            member_permission = self.member_permission.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "level": level,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if invite_only is not UNSET:
            field_dict["invite_only"] = invite_only
        if team_ids is not UNSET:
            field_dict["team_ids"] = team_ids
        if user_ids is not UNSET:
            field_dict["user_ids"] = user_ids
        if email_ids is not UNSET:
            field_dict["email_ids"] = email_ids
        if admin_ids is not UNSET:
            field_dict["admin_ids"] = admin_ids
        if moderator_ids is not UNSET:
            field_dict["moderator_ids"] = moderator_ids
        if image_data is not UNSET:
            field_dict["image_data"] = image_data
        if config is not UNSET:
            field_dict["config"] = config
        if admin_permission is not UNSET:
            field_dict["admin_permission"] = admin_permission
        if moderator_permission is not UNSET:
            field_dict["moderator_permission"] = moderator_permission
        if member_permission is not UNSET:
            field_dict["member_permission"] = member_permission

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        get = src_dict.get
        create_channel_request = object.__new__(cls)
        create_channel_request.name = src_dict["name"]

        _level = src_dict["level"]
        create_channel_request.level = _ChannelLevel_BY_VALUE.get(_level) or ChannelLevel(_level)

        create_channel_request.description = get("description", UNSET)

        create_channel_request.invite_only = get("invite_only", UNSET)

        team_ids = cast(list[str], get("team_ids", UNSET))

        create_channel_request.team_ids = team_ids

        user_ids = cast(list[str], get("user_ids", UNSET))

        create_channel_request.user_ids = user_ids

        email_ids = cast(list[str], get("email_ids", UNSET))

        create_channel_request.email_ids = email_ids

        admin_ids = cast(list[str], get("admin_ids", UNSET))

        create_channel_request.admin_ids = admin_ids

        moderator_ids = cast(list[str], get("moderator_ids", UNSET))

        create_channel_request.moderator_ids = moderator_ids

        create_channel_request.image_data = get("image_data", UNSET)

        _config = get("config", UNSET)
        create_channel_request.config = UNSET if _config is UNSET else ChannelConfig.from_dict(_config)

        _admin_permission = get("admin_permission", UNSET)
        if type(_admin_permission) is not dict and _admin_permission is not UNSET:
            _admin_permission = ChannelPermission.from_dict(_admin_permission)
        create_channel_request._raw_admin_permission = _admin_permission  # type: ignore[attr-defined]

        _moderator_permission = get("moderator_permission", UNSET)
        if type(_moderator_permission) is not dict and _moderator_permission is not UNSET:
            _moderator_permission = ChannelPermission.from_dict(_moderator_permission)
        create_channel_request._raw_moderator_permission = _moderator_permission  # type: ignore[attr-defined]

        _member_permission = get("member_permission", UNSET)
        if type(_member_permission) is not dict and _member_permission is not UNSET:
            _member_permission = ChannelPermission.from_dict(_member_permission)
        create_channel_request._raw_member_permission = _member_permission  # type: ignore[attr-defined]

        create_channel_request._raw_additional_properties = (src_dict,)  # type: ignore[attr-defined]
        return create_channel_request

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
from ..models.channel_config import ChannelConfig
from ..models.channel_permission import ChannelPermission

# Enum members by value: ``from_dict`` turns a known value into its member with one dict access.
_ChannelLevel_BY_VALUE = ChannelLevel._value2member_map_


# Worked out on first read (custom/lazy_models.py): ``from_dict`` stores the server's
# dict of a nested model, or ``(src_dict,)`` for the unknown keys, through the slot's
# alias ``_raw_<name>``, and the first read decodes it.
from ..custom.lazy_models import decode_on_first_read, keep_unknown_keys_on_first_read

decode_on_first_read(CreateChannelRequest, "admin_permission", ChannelPermission)
decode_on_first_read(CreateChannelRequest, "moderator_permission", ChannelPermission)
decode_on_first_read(CreateChannelRequest, "member_permission", ChannelPermission)
keep_unknown_keys_on_first_read(CreateChannelRequest, _PROPERTY_NAMES)
