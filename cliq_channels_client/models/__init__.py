"""Contains all the data models used in inputs/outputs"""

from .add_bot_to_channel_request import AddBotToChannelRequest
from .add_channel_members_request import AddChannelMembersRequest
from .channel import Channel
from .channel_config import ChannelConfig
from .channel_level import ChannelLevel
from .channel_list import ChannelList
from .channel_member import ChannelMember
from .channel_member_list import ChannelMemberList
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

__all__ = (
    "AddBotToChannelRequest",
    "AddChannelMembersRequest",
    "Channel",
    "ChannelConfig",
    "ChannelLevel",
    "ChannelList",
    "ChannelMember",
    "ChannelMemberList",
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
