"""Contains all the data models used in inputs/outputs"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .add_bot_to_channel_request import AddBotToChannelRequest
    from .add_channel_members_request import AddChannelMembersRequest
    from .channel import Channel
    from .channel_config import ChannelConfig
    from .channel_level import ChannelLevel
    from .channel_list import ChannelList
    from .channel_member import ChannelMember
    from .channel_member_list import ChannelMemberList
    from .channel_order import ChannelOrder
    from .channel_permission import ChannelPermission
    from .channel_role import ChannelRole
    from .channel_status import ChannelStatus
    from .channel_teams import ChannelTeams
    from .create_channel_request import CreateChannelRequest
    from .error import Error
    from .info_posting import InfoPosting
    from .last_message_info import LastMessageInfo
    from .meeting_chat_type import MeetingChatType
    from .operation_status import OperationStatus
    from .remove_channel_members_request import RemoveChannelMembersRequest
    from .reply_mode import ReplyMode
    from .update_channel_member_role_request import UpdateChannelMemberRoleRequest
    from .update_channel_request import UpdateChannelRequest

# Model name -> the module of this package that defines it, imported on first use.
_MODULES = {
    "AddBotToChannelRequest": ".add_bot_to_channel_request",
    "AddChannelMembersRequest": ".add_channel_members_request",
    "Channel": ".channel",
    "ChannelConfig": ".channel_config",
    "ChannelLevel": ".channel_level",
    "ChannelList": ".channel_list",
    "ChannelMember": ".channel_member",
    "ChannelMemberList": ".channel_member_list",
    "ChannelOrder": ".channel_order",
    "ChannelPermission": ".channel_permission",
    "ChannelRole": ".channel_role",
    "ChannelStatus": ".channel_status",
    "ChannelTeams": ".channel_teams",
    "CreateChannelRequest": ".create_channel_request",
    "Error": ".error",
    "InfoPosting": ".info_posting",
    "LastMessageInfo": ".last_message_info",
    "MeetingChatType": ".meeting_chat_type",
    "OperationStatus": ".operation_status",
    "RemoveChannelMembersRequest": ".remove_channel_members_request",
    "ReplyMode": ".reply_mode",
    "UpdateChannelMemberRoleRequest": ".update_channel_member_role_request",
    "UpdateChannelRequest": ".update_channel_request",
}

__all__ = (
    "AddBotToChannelRequest",
    "AddChannelMembersRequest",
    "Channel",
    "ChannelConfig",
    "ChannelLevel",
    "ChannelList",
    "ChannelMember",
    "ChannelMemberList",
    "ChannelOrder",
    "ChannelPermission",
    "ChannelRole",
    "ChannelStatus",
    "ChannelTeams",
    "CreateChannelRequest",
    "Error",
    "InfoPosting",
    "LastMessageInfo",
    "MeetingChatType",
    "OperationStatus",
    "RemoveChannelMembersRequest",
    "ReplyMode",
    "UpdateChannelMemberRoleRequest",
    "UpdateChannelRequest",
)


if not TYPE_CHECKING:  # checkers see the real imports above, and flag unknown names

    def __getattr__(name: str) -> Any:
        module = _MODULES.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(import_module(module, __name__), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_MODULES})
