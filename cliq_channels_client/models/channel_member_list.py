from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ChannelMemberList")

# The JSON keys of the properties: any other key the server sends goes to ``additional_properties``.
_PROPERTY_NAMES = frozenset(
    {
        "members",
    }
)
# The keys of the last object decoded, in order, and those of them not in _PROPERTY_NAMES: a server
# sends the objects of one kind with the same keys (the objects of one page share the very key
# strings), so the check is one tuple comparison; replaced whole, so threads never see half of it.
_LAST_LAYOUT: list[tuple[tuple[str, ...], tuple[str, ...]]] = [((), ())]


@_attrs_define
class ChannelMemberList:
    members: list[ChannelMember]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        members = []
        for members_item_data in self.members:
            members_item = members_item_data.to_dict()
            members.append(members_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "members": members,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        get = src_dict.get
        channel_member_list = object.__new__(cls)
        members = []
        _members = src_dict["members"]
        for members_item_data in _members:
            members_item = ChannelMember.from_dict(members_item_data)

            members.append(members_item)

        channel_member_list.members = members

        layout = tuple(src_dict)
        last_layout, unknown = _LAST_LAYOUT[0]
        if layout != last_layout:
            unknown = (
                () if _PROPERTY_NAMES.issuperset(layout) else tuple(key for key in layout if key not in _PROPERTY_NAMES)
            )
            _LAST_LAYOUT[0] = (layout, unknown)
        if not unknown:
            channel_member_list.additional_properties = {}
            return channel_member_list
        d = {}
        for key in unknown:  # a loop, not a comprehension: no function object and frame per model
            d[key] = src_dict[key]

        channel_member_list.additional_properties = d
        return channel_member_list

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
from ..models.channel_member import ChannelMember
