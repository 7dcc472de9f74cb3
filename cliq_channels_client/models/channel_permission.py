from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ChannelPermission")

# The JSON keys of the properties: any other key the server sends goes to ``additional_properties``.
_PROPERTY_NAMES = frozenset(
    {
        "send_message",
        "edit_channel_info",
        "delete_channel",
        "archive_channel",
        "clear_all_messages",
        "add_participant",
        "remove_participant",
        "mention_users",
        "unarchive_channel",
        "leave_channel",
        "special_mentions",
        "edit_my_msg",
        "delete_my_msg",
        "video_conference",
        "sticky_message",
        "audio_conference",
        "post_reply",
        "delete_others_message",
        "prime_time",
        "close_thread",
    }
)


@_attrs_define
class ChannelPermission:
    """Set of permissions applicable to users in a channel role."""

    send_message: bool | Unset = UNSET
    """ Allow sending messages in the channel. """
    edit_channel_info: bool | Unset = UNSET
    """ Allow editing channel information. """
    delete_channel: bool | Unset = UNSET
    """ Allow deleting the channel. """
    archive_channel: bool | Unset = UNSET
    """ Allow archiving the channel. """
    clear_all_messages: bool | Unset = UNSET
    """ Allow clearing all messages in the channel. """
    add_participant: bool | Unset = UNSET
    """ Allow adding users to the channel. """
    remove_participant: bool | Unset = UNSET
    """ Allow removing users from the channel. """
    mention_users: bool | Unset = UNSET
    """ Allow mentioning other users in messages. """
    unarchive_channel: bool | Unset = UNSET
    """ Allow unarchiving the channel. """
    leave_channel: bool | Unset = UNSET
    """ Allow leaving the channel. """
    special_mentions: bool | Unset = UNSET
    """ Allow using special mentions like @all and @online. """
    edit_my_msg: bool | Unset = UNSET
    """ Allow editing own messages. """
    delete_my_msg: bool | Unset = UNSET
    """ Allow deleting own messages. """
    video_conference: bool | Unset = UNSET
    """ Allow starting a video conference in the channel. """
    sticky_message: bool | Unset = UNSET
    """ Allow setting sticky messages in the channel. """
    audio_conference: bool | Unset = UNSET
    """ Allow starting an audio conference in the channel. """
    post_reply: bool | Unset = UNSET
    """ Allow posting replies in the channel. """
    delete_others_message: bool | Unset = UNSET
    """ Allow deleting messages posted by other users. """
    prime_time: bool | Unset = UNSET
    """ Allow scheduling prime-time announcements. """
    close_thread: bool | Unset = UNSET
    """ Allow closing message threads in the channel. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        send_message = self.send_message

        edit_channel_info = self.edit_channel_info

        delete_channel = self.delete_channel

        archive_channel = self.archive_channel

        clear_all_messages = self.clear_all_messages

        add_participant = self.add_participant

        remove_participant = self.remove_participant

        mention_users = self.mention_users

        unarchive_channel = self.unarchive_channel

        leave_channel = self.leave_channel

        special_mentions = self.special_mentions

        edit_my_msg = self.edit_my_msg

        delete_my_msg = self.delete_my_msg

        video_conference = self.video_conference

        sticky_message = self.sticky_message

        audio_conference = self.audio_conference

        post_reply = self.post_reply

        delete_others_message = self.delete_others_message

        prime_time = self.prime_time

        close_thread = self.close_thread

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if send_message is not UNSET:
            field_dict["send_message"] = send_message
        if edit_channel_info is not UNSET:
            field_dict["edit_channel_info"] = edit_channel_info
        if delete_channel is not UNSET:
            field_dict["delete_channel"] = delete_channel
        if archive_channel is not UNSET:
            field_dict["archive_channel"] = archive_channel
        if clear_all_messages is not UNSET:
            field_dict["clear_all_messages"] = clear_all_messages
        if add_participant is not UNSET:
            field_dict["add_participant"] = add_participant
        if remove_participant is not UNSET:
            field_dict["remove_participant"] = remove_participant
        if mention_users is not UNSET:
            field_dict["mention_users"] = mention_users
        if unarchive_channel is not UNSET:
            field_dict["unarchive_channel"] = unarchive_channel
        if leave_channel is not UNSET:
            field_dict["leave_channel"] = leave_channel
        if special_mentions is not UNSET:
            field_dict["special_mentions"] = special_mentions
        if edit_my_msg is not UNSET:
            field_dict["edit_my_msg"] = edit_my_msg
        if delete_my_msg is not UNSET:
            field_dict["delete_my_msg"] = delete_my_msg
        if video_conference is not UNSET:
            field_dict["video_conference"] = video_conference
        if sticky_message is not UNSET:
            field_dict["sticky_message"] = sticky_message
        if audio_conference is not UNSET:
            field_dict["audio_conference"] = audio_conference
        if post_reply is not UNSET:
            field_dict["post_reply"] = post_reply
        if delete_others_message is not UNSET:
            field_dict["delete_others_message"] = delete_others_message
        if prime_time is not UNSET:
            field_dict["prime_time"] = prime_time
        if close_thread is not UNSET:
            field_dict["close_thread"] = close_thread

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        get = src_dict.get
        channel_permission = object.__new__(cls)
        channel_permission.send_message = get("send_message", UNSET)

        channel_permission.edit_channel_info = get("edit_channel_info", UNSET)

        channel_permission.delete_channel = get("delete_channel", UNSET)

        channel_permission.archive_channel = get("archive_channel", UNSET)

        channel_permission.clear_all_messages = get("clear_all_messages", UNSET)

        channel_permission.add_participant = get("add_participant", UNSET)

        channel_permission.remove_participant = get("remove_participant", UNSET)

        channel_permission.mention_users = get("mention_users", UNSET)

        channel_permission.unarchive_channel = get("unarchive_channel", UNSET)

        channel_permission.leave_channel = get("leave_channel", UNSET)

        channel_permission.special_mentions = get("special_mentions", UNSET)

        channel_permission.edit_my_msg = get("edit_my_msg", UNSET)

        channel_permission.delete_my_msg = get("delete_my_msg", UNSET)

        channel_permission.video_conference = get("video_conference", UNSET)

        channel_permission.sticky_message = get("sticky_message", UNSET)

        channel_permission.audio_conference = get("audio_conference", UNSET)

        channel_permission.post_reply = get("post_reply", UNSET)

        channel_permission.delete_others_message = get("delete_others_message", UNSET)

        channel_permission.prime_time = get("prime_time", UNSET)

        channel_permission.close_thread = get("close_thread", UNSET)

        channel_permission._raw_additional_properties = (src_dict,)  # type: ignore[attr-defined]
        return channel_permission

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


# Worked out on first read (custom/lazy_models.py): ``from_dict`` stores the server's
# dict of a nested model, or ``(src_dict,)`` for the unknown keys, through the slot's
# alias ``_raw_<name>``, and the first read decodes it.
from ..custom.lazy_models import keep_unknown_keys_on_first_read

keep_unknown_keys_on_first_read(ChannelPermission, _PROPERTY_NAMES)
