from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ChannelList")

# The JSON keys of the properties: any other key the server sends goes to ``additional_properties``.
_PROPERTY_NAMES = frozenset(
    {
        "channels",
        "has_more",
        "next_token",
        "sync_token",
    }
)


@_attrs_define
class ChannelList:
    """One page of channels."""

    channels: list[Channel]
    has_more: bool | Unset = UNSET
    """ Whether another page can be fetched with next_token. """
    next_token: str | Unset = UNSET
    """ Pass as next_token to fetch the next page. """
    sync_token: str | Unset = UNSET
    """ Pass as sync_token later to fetch only the channels changed since. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        channels = []
        for channels_item_data in self.channels:
            channels_item = channels_item_data.to_dict()
            channels.append(channels_item)

        has_more = self.has_more

        next_token = self.next_token

        sync_token = self.sync_token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "channels": channels,
            }
        )
        if has_more is not UNSET:
            field_dict["has_more"] = has_more
        if next_token is not UNSET:
            field_dict["next_token"] = next_token
        if sync_token is not UNSET:
            field_dict["sync_token"] = sync_token

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        get = src_dict.get
        channel_list = object.__new__(cls)
        channels = []
        _channels = src_dict["channels"]
        for channels_item_data in _channels:
            channels_item = Channel.from_dict(channels_item_data)

            channels.append(channels_item)

        channel_list.channels = channels

        channel_list.has_more = get("has_more", UNSET)

        channel_list.next_token = get("next_token", UNSET)

        channel_list.sync_token = get("sync_token", UNSET)

        channel_list._raw_additional_properties = (src_dict,)  # type: ignore[attr-defined]
        return channel_list

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
from ..custom.lazy_models import keep_unknown_keys_on_first_read
from ..models.channel import Channel

keep_unknown_keys_on_first_read(ChannelList, _PROPERTY_NAMES)
