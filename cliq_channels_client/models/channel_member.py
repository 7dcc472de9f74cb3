from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.channel_role import ChannelRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="ChannelMember")

# The JSON keys of the properties: any other key the server sends goes to ``additional_properties``.
_PROPERTY_NAMES = frozenset(
    {
        "user_id",
        "name",
        "user_role",
        "email_id",
    }
)


@_attrs_define
class ChannelMember:
    user_id: str
    name: str
    user_role: ChannelRole
    """ Role of a member in a channel.
    * super_admin: Has complete control over the channel including all admin privileges.
    * admin: Can manage participants, settings, and content within the channel.
    * moderator: Can moderate conversations and manage basic participant interactions.
    * member: A regular participant with access to send and receive messages.
    * bot: A bot member (its user_id looks like b-...), as members lists report it.
     """
    email_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user_id = self.user_id

        name = self.name

        user_role = self.user_role.value

        email_id = self.email_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "user_id": user_id,
                "name": name,
                "user_role": user_role,
            }
        )
        if email_id is not UNSET:
            field_dict["email_id"] = email_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        get = src_dict.get
        channel_member = object.__new__(cls)
        channel_member.user_id = src_dict["user_id"]

        channel_member.name = src_dict["name"]

        _user_role = src_dict["user_role"]
        channel_member.user_role = _ChannelRole_BY_VALUE.get(_user_role) or ChannelRole(_user_role)

        channel_member.email_id = get("email_id", UNSET)

        channel_member._raw_additional_properties = (src_dict,)  # type: ignore[attr-defined]
        return channel_member

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


# Enum members by value: ``from_dict`` turns a known value into its member with one dict access.
_ChannelRole_BY_VALUE = ChannelRole._value2member_map_


# Worked out on first read (custom/lazy_models.py): ``from_dict`` stores the server's
# dict of a nested model, or ``(src_dict,)`` for the unknown keys, through the slot's
# alias ``_raw_<name>``, and the first read decodes it.
from ..custom.lazy_models import keep_unknown_keys_on_first_read

keep_unknown_keys_on_first_read(ChannelMember, _PROPERTY_NAMES)
