from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.channel_role import ChannelRole

T = TypeVar("T", bound="UpdateChannelMemberRoleRequest")

# The JSON keys of the properties: any other key the server sends goes to ``additional_properties``.
_PROPERTY_NAMES = frozenset(
    {
        "role",
    }
)
# The keys of the last object decoded, in order, and those of them not in _PROPERTY_NAMES: a server
# sends the objects of one kind with the same keys (the objects of one page share the very key
# strings), so the check is one tuple comparison; replaced whole, so threads never see half of it.
_LAST_LAYOUT: list[tuple[tuple[str, ...], tuple[str, ...]]] = [((), ())]


@_attrs_define
class UpdateChannelMemberRoleRequest:
    role: ChannelRole
    """ Role of a member in a channel.
    * super_admin: Has complete control over the channel including all admin privileges.
    * admin: Can manage participants, settings, and content within the channel.
    * moderator: Can moderate conversations and manage basic participant interactions.
    * member: A regular participant with access to send and receive messages.
    * bot: A bot member (its user_id looks like b-...), as members lists report it.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        role = self.role.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        get = src_dict.get
        update_channel_member_role_request = object.__new__(cls)
        _role = src_dict["role"]
        update_channel_member_role_request.role = _ChannelRole_BY_VALUE.get(_role) or ChannelRole(_role)

        layout = tuple(src_dict)
        last_layout, unknown = _LAST_LAYOUT[0]
        if layout != last_layout:
            unknown = (
                () if _PROPERTY_NAMES.issuperset(layout) else tuple(key for key in layout if key not in _PROPERTY_NAMES)
            )
            _LAST_LAYOUT[0] = (layout, unknown)
        if not unknown:
            update_channel_member_role_request.additional_properties = {}
            return update_channel_member_role_request
        d = {}
        for key in unknown:  # a loop, not a comprehension: no function object and frame per model
            d[key] = src_dict[key]

        update_channel_member_role_request.additional_properties = d
        return update_channel_member_role_request

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
