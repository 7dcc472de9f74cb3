from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.info_posting import InfoPosting
from ..models.meeting_chat_type import MeetingChatType
from ..models.reply_mode import ReplyMode
from ..types import UNSET, Unset

T = TypeVar("T", bound="ChannelConfig")

# The JSON keys of the properties: any other key the server sends goes to ``additional_properties``.
_PROPERTY_NAMES = frozenset(
    {
        "reply_mode",
        "leave_join_info",
        "add_remove_info",
        "meeting_chat_type",
    }
)


@_attrs_define
class ChannelConfig:
    """Custom configurations that define channel behavior."""

    reply_mode: ReplyMode | Unset = UNSET
    """ Controls how replies are posted in the channel.
    * normal_reply: Messages can only be posted as normal replies.
    * threads: Messages can only be posted as threaded replies.
    * both: Messages can be posted either as normal or threaded replies.
     """
    leave_join_info: InfoPosting | Unset = UNSET
    """ Whether an kind of event is posted in the channel.
    * enable: the events are posted in the channel.
    * disable: the events are not posted.
     """
    add_remove_info: InfoPosting | Unset = UNSET
    """ Whether an kind of event is posted in the channel.
    * enable: the events are posted in the channel.
    * disable: the events are not posted.
     """
    meeting_chat_type: MeetingChatType | Unset = UNSET
    """ Defines where meeting-related messages are posted.
    * channel: Messages will be posted directly in the channel.
    * thread: Messages will be posted in a dedicated thread.
    * host_choice: Depends on the meeting host's preference.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        reply_mode: str | Unset = UNSET
        if not isinstance(self.reply_mode, Unset):
            reply_mode = self.reply_mode.value

        leave_join_info: str | Unset = UNSET
        if not isinstance(self.leave_join_info, Unset):
            leave_join_info = self.leave_join_info.value

        add_remove_info: str | Unset = UNSET
        if not isinstance(self.add_remove_info, Unset):
            add_remove_info = self.add_remove_info.value

        meeting_chat_type: str | Unset = UNSET
        if not isinstance(self.meeting_chat_type, Unset):
            meeting_chat_type = self.meeting_chat_type.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if reply_mode is not UNSET:
            field_dict["reply_mode"] = reply_mode
        if leave_join_info is not UNSET:
            field_dict["leave_join_info"] = leave_join_info
        if add_remove_info is not UNSET:
            field_dict["add_remove_info"] = add_remove_info
        if meeting_chat_type is not UNSET:
            field_dict["meeting_chat_type"] = meeting_chat_type

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        get = src_dict.get
        channel_config = object.__new__(cls)
        _reply_mode = get("reply_mode", UNSET)
        channel_config.reply_mode = _ReplyMode_BY_VALUE.get(_reply_mode) or (
            UNSET if _reply_mode is UNSET else ReplyMode(_reply_mode)
        )

        _leave_join_info = get("leave_join_info", UNSET)
        channel_config.leave_join_info = _InfoPosting_BY_VALUE.get(_leave_join_info) or (
            UNSET if _leave_join_info is UNSET else InfoPosting(_leave_join_info)
        )

        _add_remove_info = get("add_remove_info", UNSET)
        channel_config.add_remove_info = _InfoPosting_BY_VALUE.get(_add_remove_info) or (
            UNSET if _add_remove_info is UNSET else InfoPosting(_add_remove_info)
        )

        _meeting_chat_type = get("meeting_chat_type", UNSET)
        channel_config.meeting_chat_type = _MeetingChatType_BY_VALUE.get(_meeting_chat_type) or (
            UNSET if _meeting_chat_type is UNSET else MeetingChatType(_meeting_chat_type)
        )

        channel_config._raw_additional_properties = (src_dict,)  # type: ignore[attr-defined]
        return channel_config

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
_InfoPosting_BY_VALUE = InfoPosting._value2member_map_
_MeetingChatType_BY_VALUE = MeetingChatType._value2member_map_
_ReplyMode_BY_VALUE = ReplyMode._value2member_map_


# Worked out on first read (custom/lazy_models.py): ``from_dict`` stores the server's
# dict of a nested model, or ``(src_dict,)`` for the unknown keys, through the slot's
# alias ``_raw_<name>``, and the first read decodes it.
from ..custom.lazy_models import keep_unknown_keys_on_first_read

keep_unknown_keys_on_first_read(ChannelConfig, _PROPERTY_NAMES)
