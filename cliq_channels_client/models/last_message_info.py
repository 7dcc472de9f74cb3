from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="LastMessageInfo")


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
        d = dict(src_dict)
        sender_id = d.pop("sender_id", UNSET)

        message_type = d.pop("message_type", UNSET)

        _time = d.pop("time", UNSET)
        time: datetime.datetime | Unset
        if isinstance(_time, Unset):
            time = UNSET
        else:
            time = datetime.datetime.fromisoformat(_time)

        text = d.pop("text", UNSET)

        sender_name = d.pop("sender_name", UNSET)

        last_message_info = cls(
            sender_id=sender_id,
            message_type=message_type,
            time=time,
            text=text,
            sender_name=sender_name,
        )

        last_message_info.additional_properties = d
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
