from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="LastMessageInfo")

# The JSON keys of the properties: any other key the server sends goes to ``additional_properties``.
_PROPERTY_NAMES = frozenset(
    {
        "sender_id",
        "message_type",
        "time",
        "text",
        "sender_name",
    }
)


@_attrs_define
class LastMessageInfo:
    """The last message posted in the channel."""

    sender_id: str | Unset = UNSET
    message_type: str | Unset = UNSET
    time: datetime.datetime | Unset = UNSET
    text: str | Unset = UNSET
    sender_name: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sender_id = self.sender_id

        message_type = self.message_type

        time: str | Unset = UNSET
        if not isinstance(self.time, Unset):
            time = self.time.isoformat()

        text = self.text

        sender_name = self.sender_name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if sender_id is not UNSET:
            field_dict["sender_id"] = sender_id
        if message_type is not UNSET:
            field_dict["message_type"] = message_type
        if time is not UNSET:
            field_dict["time"] = time
        if text is not UNSET:
            field_dict["text"] = text
        if sender_name is not UNSET:
            field_dict["sender_name"] = sender_name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        get = src_dict.get
        last_message_info = object.__new__(cls)
        last_message_info.sender_id = get("sender_id", UNSET)

        last_message_info.message_type = get("message_type", UNSET)

        _time = get("time", UNSET)
        last_message_info.time = UNSET if _time is UNSET else _parse_datetime(_time)

        last_message_info.text = get("text", UNSET)

        last_message_info.sender_name = get("sender_name", UNSET)

        last_message_info._raw_additional_properties = (src_dict,)  # type: ignore[attr-defined]
        return last_message_info

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


# ``from_dict`` parses a date-time with one global lookup, not two attribute lookups per value.
_parse_datetime = datetime.datetime.fromisoformat


# Worked out on first read (custom/lazy_models.py): ``from_dict`` stores the server's
# dict of a nested model, or ``(src_dict,)`` for the unknown keys, through the slot's
# alias ``_raw_<name>``, and the first read decodes it.
from ..custom.lazy_models import keep_unknown_keys_on_first_read

keep_unknown_keys_on_first_read(LastMessageInfo, _PROPERTY_NAMES)
