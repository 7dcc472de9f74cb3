from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UpdateChannelRequest")

# The JSON keys of the properties: any other key the server sends goes to ``additional_properties``.
_PROPERTY_NAMES = frozenset(
    {
        "name",
        "description",
        "image_data",
        "config",
        "admin_permission",
        "moderator_permission",
        "member_permission",
    }
)


@_attrs_define
class UpdateChannelRequest:
    name: str | Unset = UNSET
    """ Renaming an existing channel. """
    description: str | Unset = UNSET
    """ Updating the existing description of a channel. """
    image_data: str | Unset = UNSET
    """ The base64-encoded image content to be uploaded as display picture for the channel. """
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

        description = self.description

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
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
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
        update_channel_request = object.__new__(cls)
        update_channel_request.name = get("name", UNSET)

        update_channel_request.description = get("description", UNSET)

        update_channel_request.image_data = get("image_data", UNSET)

        _config = get("config", UNSET)
        update_channel_request.config = UNSET if _config is UNSET else ChannelConfig.from_dict(_config)

        _admin_permission = get("admin_permission", UNSET)
        if type(_admin_permission) is not dict and _admin_permission is not UNSET:
            _admin_permission = ChannelPermission.from_dict(_admin_permission)
        update_channel_request._raw_admin_permission = _admin_permission  # type: ignore[attr-defined]

        _moderator_permission = get("moderator_permission", UNSET)
        if type(_moderator_permission) is not dict and _moderator_permission is not UNSET:
            _moderator_permission = ChannelPermission.from_dict(_moderator_permission)
        update_channel_request._raw_moderator_permission = _moderator_permission  # type: ignore[attr-defined]

        _member_permission = get("member_permission", UNSET)
        if type(_member_permission) is not dict and _member_permission is not UNSET:
            _member_permission = ChannelPermission.from_dict(_member_permission)
        update_channel_request._raw_member_permission = _member_permission  # type: ignore[attr-defined]

        update_channel_request._raw_additional_properties = (src_dict,)  # type: ignore[attr-defined]
        return update_channel_request

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
# Worked out on first read (custom/lazy_models.py): ``from_dict`` stores the server's
# dict of a nested model, or ``(src_dict,)`` for the unknown keys, through the slot's
# alias ``_raw_<name>``, and the first read decodes it.
from ..custom.lazy_models import decode_on_first_read, keep_unknown_keys_on_first_read
from ..models.channel_config import ChannelConfig
from ..models.channel_permission import ChannelPermission

decode_on_first_read(UpdateChannelRequest, "admin_permission", ChannelPermission)
decode_on_first_read(UpdateChannelRequest, "moderator_permission", ChannelPermission)
decode_on_first_read(UpdateChannelRequest, "member_permission", ChannelPermission)
keep_unknown_keys_on_first_read(UpdateChannelRequest, _PROPERTY_NAMES)
