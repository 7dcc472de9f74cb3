from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AddChannelMembersRequest")

# The JSON keys of the properties: any other key the server sends goes to ``additional_properties``.
_PROPERTY_NAMES = frozenset(
    {
        "user_ids",
    }
)


@_attrs_define
class AddChannelMembersRequest:
    user_ids: list[str]
    """ List of user IDs to be added to the channel. Maximum 50 allowed. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user_ids = self.user_ids

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "user_ids": user_ids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        get = src_dict.get
        add_channel_members_request = object.__new__(cls)
        user_ids = cast(list[str], src_dict["user_ids"])

        add_channel_members_request.user_ids = user_ids

        if _PROPERTY_NAMES.issuperset(src_dict):
            add_channel_members_request.additional_properties = {}
            return add_channel_members_request
        unknown = src_dict.keys() - _PROPERTY_NAMES
        if len(unknown) == 1:
            d = {key: src_dict[key] for key in unknown}
        else:  # in the server's order
            d = {key: value for key, value in src_dict.items() if key in unknown}

        add_channel_members_request.additional_properties = d
        return add_channel_members_request

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
