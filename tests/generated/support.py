"""Shared data for the tests of the generated client: fixtures, the 16 operation cases, helpers.

Fixtures are the reference's own sample bodies (see fixtures/README.md).  Each
``OperationCase`` says how to call one generated endpoint module and what must
go over the wire and come back.
"""

from __future__ import annotations

import datetime
import json
import re
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

import cliq_channels_client
from cliq_channels_client import AuthenticatedClient
from cliq_channels_client.api.channels import (
    add_bot_to_channel,
    add_channel_members,
    approve_channel,
    archive_channel,
    create_channel,
    delete_channel,
    get_channel,
    get_channel_members,
    join_channel,
    leave_channel,
    list_channels,
    reject_channel,
    remove_channel_members,
    unarchive_channel,
    update_channel,
    update_channel_member_role,
)
from cliq_channels_client.models import (
    AddBotToChannelRequest,
    AddChannelMembersRequest,
    Channel,
    ChannelLevel,
    ChannelList,
    ChannelMemberList,
    ChannelOrder,
    ChannelPermission,
    ChannelRole,
    ChannelStatus,
    ChannelTeams,
    CreateChannelRequest,
    LastMessageInfo,
    OperationStatus,
    RemoveChannelMembersRequest,
    UpdateChannelMemberRoleRequest,
    UpdateChannelRequest,
)
from cliq_channels_client.types import Response

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The document the package was generated from: openapi/channels.yaml after ingest + overlay
# (codegen/normalise.py), so the tests hold for ours and for Zoho's download alike.
DOCUMENT_PATH = REPO_ROOT / "cliq_channels_client" / "openapi.yaml"

BASE_URL = "https://cliq.zoho.com/api/v2"
BASE_PATH = "/api/v2"
# The (redacted) token of the reference's code samples.
TOKEN = "1000.41d9xxxxxxxxxxxxxxxxxxxxxxxxc2d1.8fccxxxxxxxxxxxxxxxxxxxxxxxx125f"
AUTHORIZATION = f"Zoho-oauthtoken {TOKEN}"

CHANNEL_ID = "987000000654321"  # the reference's sample URLs
USER_ID = "4355728"
BOT_UNIQUE_NAME = "zylkerbot"

ERROR_STATUSES = (400, 401, 403, 404, 405, 406, 429, 500)

IST = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
PST = datetime.timezone(datetime.timedelta(hours=-8))

# The 20 booleans of each permission object, in the reference's order.
PERMISSION_NAMES = (
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
)
PERMISSION_OBJECTS = ("admin_permission", "moderator_permission", "member_permission")


def load_fixture(name: str) -> Any:
    """A fresh copy of fixtures/<name> (parsed JSON)."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def load_document(path: Path = DOCUMENT_PATH) -> dict[str, Any]:
    """The document the package was generated from (by default), or the one at ``path``."""
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def error_fixture(status: int) -> dict[str, Any]:
    body: dict[str, Any] = load_fixture(f"errors/{status}.json")
    return body


# One verifying TLS context for every test client: building one per httpx client
# (loading the CA bundle) would cost more than the whole mocked exchange.
_TLS = ssl.create_default_context()


def make_client(*, base_url: str = BASE_URL, raise_on_unexpected_status: bool = False) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=base_url,
        token=TOKEN,
        prefix="Zoho-oauthtoken",
        raise_on_unexpected_status=raise_on_unexpected_status,
        verify_ssl=_TLS,
    )


_ISO_UTC = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)Z$")


def normalize_json(value: Any) -> Any:
    """JSON with ``...Z`` timestamps spelled ``...+00:00`` (what ``datetime.isoformat`` writes back)."""
    if isinstance(value, dict):
        return {key: normalize_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalize_json(item) for item in value]
    if isinstance(value, str) and (match := _ISO_UTC.match(value)):
        return f"{match.group(1)}+00:00"
    return value


# --------------------------------------------------------------------------- result checks


def check_permissions(permission: Any, expected: Mapping[str, bool]) -> None:
    assert isinstance(permission, ChannelPermission)
    for name in PERMISSION_NAMES:
        value = getattr(permission, name)
        assert type(value) is bool, name
        assert value is expected[name], name
    # every boolean of the sample has a declared attribute: nothing left over
    assert permission.additional_properties == {}


def check_reference_channel(parsed: Any) -> None:
    """The Channel sample of create/get/update/join, attribute by attribute."""
    sample = load_fixture("channel.json")
    assert isinstance(parsed, Channel)
    assert parsed.name == "#Zylker-Support"
    assert parsed.chat_id == "CT_1184653329648523663_62439860"
    assert parsed.description == "To post all the support tickets from customers"
    assert parsed.image_url == "http://cliq.zoho.com/channel/T4000000040005_4435792_1498572169593/photo.do"
    assert parsed.level is ChannelLevel.ORGANIZATION
    assert parsed.level.is_known
    assert parsed.invite_only is True
    assert parsed.status is ChannelStatus.CREATED
    assert parsed.channel_id == "T4000000040005"
    assert parsed.organization_id == "4435792"
    assert parsed.creator_id == "4435866"
    assert parsed.creator_name == "PatriciaJames"
    assert parsed.creation_time == datetime.datetime(2017, 7, 3, 14, 59, 20, tzinfo=IST)
    assert isinstance(parsed.creation_time, datetime.datetime)
    assert parsed.creation_time.utcoffset() == datetime.timedelta(hours=5, minutes=30)
    assert parsed.last_modified_time == datetime.datetime(2017, 7, 3, 15, 59, 20, tzinfo=IST)
    assert parsed.current_user_role is ChannelRole.SUPER_ADMIN
    assert parsed.participant_count == 1
    for name in PERMISSION_OBJECTS:
        check_permissions(getattr(parsed, name), sample[name])
    assert parsed.unique_name == "zylkersupport"
    assert isinstance(parsed.teams, ChannelTeams)
    assert parsed.teams.additional_properties == {"4435961": "SALES", "4453461": "MARKETING"}
    assert parsed.teams["4453461"] == "MARKETING"
    assert parsed.joined is True
    assert parsed.pinned is True
    assert parsed.total_message_count == "100"
    assert isinstance(parsed.total_message_count, str)
    assert parsed.unread_message_count == 5
    assert parsed.unread_time == datetime.datetime(2017, 7, 3, 15, 59, 20, tzinfo=IST)
    assert isinstance(parsed.unread_time, datetime.datetime)
    assert parsed.unread_time.utcoffset() == datetime.timedelta(hours=5, minutes=30)
    # every field of the sample is a declared attribute, and it all goes back out unchanged
    assert parsed.additional_properties == {}
    assert parsed.to_dict() == sample


def check_reference_channel_list(parsed: Any) -> None:
    sample = load_fixture("channel_list.json")
    assert isinstance(parsed, ChannelList)
    assert parsed.has_more is True
    assert parsed.next_token == sample["next_token"]
    assert parsed.sync_token == sample["sync_token"]
    assert isinstance(parsed.next_token, str)
    assert parsed.next_token.startswith("2fd152c0c1b5ee5b2a1d5fd1d3b23342")
    assert isinstance(parsed.channels, list)
    assert len(parsed.channels) == 1
    channel = parsed.channels[0]
    assert isinstance(channel, Channel)
    assert channel.name == "string"
    assert channel.level is ChannelLevel.ORGANIZATION
    # The reference's list sample has the placeholder "string" where an enum goes:
    # it must parse (kept as an unknown value), not crash.
    assert channel.status == "string"
    assert isinstance(channel.status, ChannelStatus)
    assert not channel.status.is_known
    assert channel.current_user_role == "string"
    assert isinstance(channel.current_user_role, ChannelRole)
    assert not channel.current_user_role.is_known
    assert channel.total_message_count == "string"
    assert channel.participant_count == 0
    assert channel.unread_message_count == 0
    utc_sample = datetime.datetime(2019, 8, 24, 14, 15, 22, tzinfo=datetime.UTC)
    assert channel.muted_interval == utc_sample
    assert channel.unread_time == utc_sample
    assert channel.creation_time == utc_sample
    assert channel.last_modified_time == utc_sample
    assert isinstance(channel.muted_interval, datetime.datetime)
    assert channel.muted_interval.utcoffset() == datetime.timedelta(0)
    assert isinstance(channel.last_message_info, LastMessageInfo)
    assert channel.last_message_info.sender_id == "string"
    assert channel.last_message_info.sender_name == "string"
    assert channel.last_message_info.message_type == "string"
    assert channel.last_message_info.text == "string"
    assert channel.last_message_info.time == utc_sample
    assert channel.last_message_info.additional_properties == {}
    assert isinstance(channel.teams, ChannelTeams)
    assert channel.teams.additional_properties == {"4435961": "SALES", "4453461": "MARKETING"}
    for name in PERMISSION_OBJECTS:
        check_permissions(getattr(channel, name), sample["channels"][0][name])
    assert channel.additional_properties == {}
    assert parsed.additional_properties == {}
    assert parsed.to_dict() == normalize_json(sample)


def check_reference_members(parsed: Any) -> None:
    sample = load_fixture("channel_members.json")
    assert isinstance(parsed, ChannelMemberList)
    assert isinstance(parsed.members, list)
    assert [m.user_id for m in parsed.members] == ["1234567", "4355728", "5663377", "8875836"]
    assert [m.name for m in parsed.members] == ["Scott Fisher", "Olivia Palmer", "Li Jung", "Ryan West"]
    assert parsed.members[0].email_id == "scott.fisher@zylker.com"
    assert [m.user_role for m in parsed.members] == [
        ChannelRole.MEMBER,
        ChannelRole.MEMBER,
        ChannelRole.MEMBER,
        ChannelRole.SUPER_ADMIN,
    ]
    assert all(isinstance(m.user_role, ChannelRole) and m.user_role.is_known for m in parsed.members)
    assert all(m.additional_properties == {} for m in parsed.members)
    assert parsed.to_dict() == sample


def check_operation_status(parsed: Any) -> None:
    assert isinstance(parsed, OperationStatus)
    assert parsed.status == "success"
    assert parsed.message == "Operation completed successfully."
    assert parsed.to_dict() == load_fixture("unarchive_status.json")


def check_no_content(parsed: Any) -> None:
    assert parsed is None


# --------------------------------------------------------------------------- the operations


@dataclass(frozen=True)
class OperationCase:
    """One call of one generated endpoint module and what it must send and parse."""

    case_id: str
    operation_id: str
    module: ModuleType
    method: str
    path: str  # expected raw (percent-encoded) path below BASE_PATH
    args: tuple[str, ...] = ()
    make_kwargs: Callable[[], dict[str, Any]] = dict
    query: Mapping[str, str] = field(default_factory=dict)
    json_body: Any = None  # None: no body is sent
    status: int = 204
    response_json: Any = None  # None: empty response body
    check: Callable[[Any], None] = check_no_content

    def call_sync_detailed(self, client: AuthenticatedClient) -> Response[Any]:
        response: Response[Any] = self.module.sync_detailed(*self.args, client=client, **self.make_kwargs())
        return response

    def call_sync(self, client: AuthenticatedClient) -> Any:
        return self.module.sync(*self.args, client=client, **self.make_kwargs())

    async def call_asyncio_detailed(self, client: AuthenticatedClient) -> Response[Any]:
        response: Response[Any] = await self.module.asyncio_detailed(*self.args, client=client, **self.make_kwargs())
        return response

    async def call_asyncio(self, client: AuthenticatedClient) -> Any:
        return await self.module.asyncio(*self.args, client=client, **self.make_kwargs())


def _list_filters() -> dict[str, Any]:
    return {
        "name": "Zylker Support",
        "status": ChannelStatus.ARCHIVED,
        "limit": 100,
        "level": ChannelLevel.TEAM,
        "modified_before": datetime.datetime(2017, 7, 3, 15, 59, 20, tzinfo=IST),
        "modified_after": datetime.datetime(2017, 7, 1, 8, 0, 0, tzinfo=datetime.UTC),
        "created_before": datetime.datetime(2017, 7, 3, 14, 59, 20, tzinfo=PST),
        "created_after": datetime.datetime(2016, 1, 2, 3, 4, 5, 678000, tzinfo=IST),
        "channel_ids": "T4000000040005,T4000000040006",
        "chat_ids": "CT_1184653329648523663_62439860,CT_1184653329648523663_62439861",
        "team_ids": "4435961,4453461",
        "created_by": "scott.fisher@zylker.com",
        "order_by": ChannelOrder.LAST_MODIFIED_TIME_DESCENDING,
        "next_token": "2fd152c0c1b5ee5b2a1d5fd1d3b23342",
        "sync_token": "2fd152c0c1b5ee5b2a1d5fd1d3b23342+/=",
        "pinned": True,
        "joined": False,
    }


LIST_FILTERS_QUERY = {
    "name": "Zylker Support",
    "status": "archived",
    "limit": "100",
    "level": "team",
    "modified_before": "2017-07-03T15:59:20+05:30",
    "modified_after": "2017-07-01T08:00:00+00:00",
    "created_before": "2017-07-03T14:59:20-08:00",
    "created_after": "2016-01-02T03:04:05.678000+05:30",
    "channel_ids": "T4000000040005,T4000000040006",
    "chat_ids": "CT_1184653329648523663_62439860,CT_1184653329648523663_62439861",
    "team_ids": "4435961,4453461",
    "created_by": "scott.fisher@zylker.com",
    "order_by": "-last_modified_time",
    "next_token": "2fd152c0c1b5ee5b2a1d5fd1d3b23342",
    "sync_token": "2fd152c0c1b5ee5b2a1d5fd1d3b23342+/=",
    "pinned": "true",
    "joined": "false",
}


def _body(model: Any, fixture: str) -> Callable[[], dict[str, Any]]:
    return lambda: {"body": model.from_dict(load_fixture(fixture))}


CHANNEL_PATH = f"/channels/{CHANNEL_ID}"

CASES: tuple[OperationCase, ...] = (
    OperationCase(
        "create_channel",
        "create_channel",
        create_channel,
        "POST",
        "/channels",
        make_kwargs=_body(CreateChannelRequest, "requests/create_channel.json"),
        json_body=load_fixture("requests/create_channel.json"),
        status=200,
        response_json=load_fixture("channel.json"),
        check=check_reference_channel,
    ),
    OperationCase(
        "list_channels[all-filters]",
        "list_channels",
        list_channels,
        "GET",
        "/channels",
        make_kwargs=_list_filters,
        query=LIST_FILTERS_QUERY,
        status=200,
        response_json=load_fixture("channel_list.json"),
        check=check_reference_channel_list,
    ),
    OperationCase(
        "list_channels[no-filters]",
        "list_channels",
        list_channels,
        "GET",
        "/channels",
        status=200,
        response_json=load_fixture("channel_list.json"),
        check=check_reference_channel_list,
    ),
    OperationCase(
        "get_channel",
        "get_channel",
        get_channel,
        "GET",
        CHANNEL_PATH,
        args=(CHANNEL_ID,),
        status=200,
        response_json=load_fixture("channel.json"),
        check=check_reference_channel,
    ),
    OperationCase(
        "update_channel",
        "update_channel",
        update_channel,
        "PUT",
        CHANNEL_PATH,
        args=(CHANNEL_ID,),
        make_kwargs=_body(UpdateChannelRequest, "requests/update_channel.json"),
        json_body=load_fixture("requests/update_channel.json"),
        status=200,
        response_json=load_fixture("channel.json"),
        check=check_reference_channel,
    ),
    OperationCase("delete_channel", "delete_channel", delete_channel, "DELETE", CHANNEL_PATH, args=(CHANNEL_ID,)),
    OperationCase(
        "add_channel_members",
        "add_channel_members",
        add_channel_members,
        "POST",
        f"{CHANNEL_PATH}/members",
        args=(CHANNEL_ID,),
        make_kwargs=_body(AddChannelMembersRequest, "requests/add_channel_members.json"),
        json_body=load_fixture("requests/add_channel_members.json"),
    ),
    OperationCase(
        "get_channel_members",
        "get_channel_members",
        get_channel_members,
        "GET",
        f"{CHANNEL_PATH}/members",
        args=(CHANNEL_ID,),
        status=200,
        response_json=load_fixture("channel_members.json"),
        check=check_reference_members,
    ),
    OperationCase(
        "remove_channel_members",
        "remove_channel_members",
        remove_channel_members,
        "DELETE",
        f"{CHANNEL_PATH}/members",
        args=(CHANNEL_ID,),
        make_kwargs=_body(RemoveChannelMembersRequest, "requests/remove_channel_members.json"),
        json_body=load_fixture("requests/remove_channel_members.json"),
    ),
    OperationCase(
        "add_bot_to_channel",
        "add_bot_to_channel",
        add_bot_to_channel,
        "POST",
        f"/bots/{BOT_UNIQUE_NAME}/associate",
        args=(BOT_UNIQUE_NAME,),
        make_kwargs=_body(AddBotToChannelRequest, "requests/add_bot_to_channel.json"),
        json_body=load_fixture("requests/add_bot_to_channel.json"),
    ),
    OperationCase(
        "update_channel_member_role",
        "update_channel_member_role",
        update_channel_member_role,
        "PUT",
        f"{CHANNEL_PATH}/members/{USER_ID}",  # the single path: openapi/overlay.yaml corrects the doubled one
        args=(CHANNEL_ID, USER_ID),
        make_kwargs=_body(UpdateChannelMemberRoleRequest, "requests/update_channel_member_role.json"),
        json_body=load_fixture("requests/update_channel_member_role.json"),
    ),
    OperationCase(
        "approve_channel", "approve_channel", approve_channel, "POST", f"{CHANNEL_PATH}/approve", (CHANNEL_ID,)
    ),
    OperationCase("reject_channel", "reject_channel", reject_channel, "POST", f"{CHANNEL_PATH}/reject", (CHANNEL_ID,)),
    OperationCase(
        "join_channel",
        "join_channel",
        join_channel,
        "POST",
        f"{CHANNEL_PATH}/join",
        args=(CHANNEL_ID,),
        status=200,
        response_json=load_fixture("channel.json"),
        check=check_reference_channel,
    ),
    OperationCase("leave_channel", "leave_channel", leave_channel, "POST", f"{CHANNEL_PATH}/leave", (CHANNEL_ID,)),
    OperationCase(
        "archive_channel", "archive_channel", archive_channel, "POST", f"{CHANNEL_PATH}/archive", (CHANNEL_ID,)
    ),
    OperationCase(
        "unarchive_channel[200]",
        "unarchive_channel",
        unarchive_channel,
        "POST",
        f"{CHANNEL_PATH}/unarchive",
        args=(CHANNEL_ID,),
        status=200,
        response_json=load_fixture("unarchive_status.json"),
        check=check_operation_status,
    ),
    OperationCase(
        "unarchive_channel[204]",
        "unarchive_channel",
        unarchive_channel,
        "POST",
        f"{CHANNEL_PATH}/unarchive",
        (CHANNEL_ID,),
    ),
)


def _first_case_per_operation() -> tuple[OperationCase, ...]:
    first: dict[str, OperationCase] = {}
    for case in CASES:
        first.setdefault(case.operation_id, case)
    return tuple(first.values())


# One case per operation: the error tests need only a way to call each.
CASE_PER_OPERATION = _first_case_per_operation()

OPERATION_IDS = frozenset(case.operation_id for case in CASES)


def package_dir() -> Path:
    return Path(cliq_channels_client.__file__).resolve().parent
