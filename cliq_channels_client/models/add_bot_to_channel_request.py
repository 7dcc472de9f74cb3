from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AddBotToChannelRequest")

# The JSON keys of the properties: any other key the server sends goes to ``additional_properties``.
_PROPERTY_NAMES = frozenset(
    {
        "channel_unique_name",
    }
)
# The keys of the last object decoded, in order, and those of them not in _PROPERTY_NAMES: a server
# sends the objects of one kind with the same keys (the objects of one page share the very key
# strings), so the check is one tuple comparison; replaced whole, so threads never see half of it.
_LAST_LAYOUT: list[tuple[tuple[str, ...], tuple[str, ...]]] = [((), ())]


@_attrs_define
class AddBotToChannelRequest:
    channel_unique_name: str
    """ The unique name of the channel in which the bot needs to be added. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        channel_unique_name = self.channel_unique_name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "channel_unique_name": channel_unique_name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        get = src_dict.get
        add_bot_to_channel_request = object.__new__(cls)
        add_bot_to_channel_request.channel_unique_name = src_dict["channel_unique_name"]

        layout = tuple(src_dict)
        last_layout, unknown = _LAST_LAYOUT[0]
        if layout != last_layout:
            unknown = (
                () if _PROPERTY_NAMES.issuperset(layout) else tuple(key for key in layout if key not in _PROPERTY_NAMES)
            )
            _LAST_LAYOUT[0] = (layout, unknown)
        if not unknown:
            add_bot_to_channel_request.additional_properties = {}
            return add_bot_to_channel_request
        d = {}
        for key in unknown:  # a loop, not a comprehension: no function object and frame per model
            d[key] = src_dict[key]

        add_bot_to_channel_request.additional_properties = d
        return add_bot_to_channel_request

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
