"""Client-side validation: each rule kind of the document, on several operations, refused before sending."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any, cast

import attrs
import httpx
import pytest

from cliq_channels_client import Client
from cliq_channels_client.api.channels import (
    add_channel_members,
    create_channel,
    get_channel,
    list_channels,
    update_channel,
    update_channel_member_role,
)
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.errors import CliqValidationError
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID, operation_of
from cliq_channels_client.custom.transport import CliqTransport
from cliq_channels_client.custom.validation import OperationValidator, validator_for
from cliq_channels_client.models import (
    AddChannelMembersRequest,
    ChannelConfig,
    ChannelLevel,
    ChannelRole,
    ChannelStatus,
    CreateChannelRequest,
    ReplyMode,
    UpdateChannelMemberRoleRequest,
    UpdateChannelRequest,
)
from tests.bodies import channel_json

BASE_URL = "https://cliq.zoho.com/api/v2"


class Recorder:
    """A MockTransport handler that answers 200 {} / 204 and remembers what reached it."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        operation = operation_of(request)
        if operation is not None and 200 not in operation.success_statuses:
            return httpx.Response(204)
        # one body every success model accepts: a channel, an empty page and an empty member list
        return httpx.Response(200, json={**channel_json("C1"), "channels": [], "has_more": False, "members": []})


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def make_client(recorder: Recorder, *, validate: bool = True) -> Client:
    mock = httpx.MockTransport(recorder)
    transport = CliqTransport(transport=mock, async_transport=mock, clock=FakeClock(), validate=validate)
    return Client(base_url=BASE_URL, httpx_args={"transport": transport})


@pytest.fixture
def client(recorder: Recorder) -> Iterator[Client]:
    with make_client(recorder) as client:
        yield client


def refused(recorder: Recorder, call: Any, *, operation_id: str, field: str, rule: str) -> CliqValidationError:
    with pytest.raises(CliqValidationError) as caught:
        call()
    error = caught.value
    assert (error.operation_id, error.field, error.rule) == (operation_id, field, rule)
    assert recorder.requests == []  # nothing was sent
    return error


def test_string_longer_than_max_length(client: Client, recorder: Recorder) -> None:
    error = refused(
        recorder,
        lambda: create_channel.sync(client=client, body=CreateChannelRequest(name="n" * 51, level=ChannelLevel.TEAM)),
        operation_id="create_channel",
        field="name",
        rule="maxLength",
    )
    assert "50" in error.detail
    assert str(error).startswith("create_channel: invalid 'name' (maxLength)")
    refused(
        recorder,
        lambda: update_channel.sync("C1", client=client, body=UpdateChannelRequest(name="n" * 51)),
        operation_id="update_channel",
        field="name",
        rule="maxLength",
    )
    refused(
        recorder,
        lambda: create_channel.sync(
            client=client, body=CreateChannelRequest(name="ok", level=ChannelLevel.TEAM, description="d" * 10501)
        ),
        operation_id="create_channel",
        field="description",
        rule="maxLength",
    )


def test_limits_at_the_edge_are_sent(client: Client, recorder: Recorder) -> None:
    create_channel.sync(client=client, body=CreateChannelRequest(name="n" * 50, level=ChannelLevel.TEAM))
    create_channel.sync(
        client=client, body=CreateChannelRequest(name="ok", level=ChannelLevel.TEAM, description="d" * 10500)
    )
    list_channels.sync(client=client, limit=100)
    add_channel_members.sync("C1", client=client, body=AddChannelMembersRequest(user_ids=[str(i) for i in range(50)]))
    assert len(recorder.requests) == 4


def test_empty_string_below_min_length(client: Client, recorder: Recorder) -> None:
    refused(
        recorder,
        lambda: create_channel.sync(client=client, body=CreateChannelRequest(name="", level=ChannelLevel.TEAM)),
        operation_id="create_channel",
        field="name",
        rule="minLength",
    )


def test_query_integer_bounds(client: Client, recorder: Recorder) -> None:
    refused(
        recorder,
        lambda: list_channels.sync(client=client, limit=101),
        operation_id="list_channels",
        field="query.limit",
        rule="maximum",
    )
    refused(
        recorder,
        lambda: list_channels.sync(client=client, limit=0),
        operation_id="list_channels",
        field="query.limit",
        rule="minimum",
    )
    refused(
        recorder,
        lambda: client.get_httpx_client().get("/channels", params={"limit": "ten"}),
        operation_id="list_channels",
        field="query.limit",
        rule="type",
    )


def test_too_many_user_ids(client: Client, recorder: Recorder) -> None:
    refused(
        recorder,
        lambda: add_channel_members.sync(
            "C1", client=client, body=AddChannelMembersRequest(user_ids=[str(i) for i in range(101)])
        ),
        operation_id="add_channel_members",
        field="user_ids",
        rule="maxItems",
    )
    refused(
        recorder,
        lambda: add_channel_members.sync("C1", client=client, body=AddChannelMembersRequest(user_ids=[])),
        operation_id="add_channel_members",
        field="user_ids",
        rule="minItems",
    )


def test_missing_required_fields(client: Client, recorder: Recorder) -> None:
    http = client.get_httpx_client()
    error = refused(
        recorder,
        lambda: http.post("/channels", json={"name": "no level"}),
        operation_id="create_channel",
        field="level",
        rule="required",
    )
    assert error.detail == "is required"
    refused(
        recorder,
        lambda: http.put("/channels/C1/members/U1", json={}),
        operation_id="update_channel_member_role",
        field="role",
        rule="required",
    )
    refused(
        recorder,
        lambda: http.post("/bots/zylkerbot/associate", json={}),
        operation_id="add_bot_to_channel",
        field="channel_unique_name",
        rule="required",
    )
    refused(
        recorder,
        lambda: http.post("/channels"),
        operation_id="create_channel",
        field="body",
        rule="required",
    )


def test_body_that_is_not_json(client: Client, recorder: Recorder) -> None:
    refused(
        recorder,
        lambda: client.get_httpx_client().post("/channels", content=b"name=x"),
        operation_id="create_channel",
        field="body",
        rule="type",
    )


def test_unknown_enum_values_kept_by_the_models_are_never_sent(client: Client, recorder: Recorder) -> None:
    galactic = ChannelLevel("galactic")  # the models keep unknown values as pseudo-members...
    assert not galactic.is_known
    refused(  # ...but they are refused on the way out
        recorder,
        lambda: create_channel.sync(client=client, body=CreateChannelRequest(name="x", level=galactic)),
        operation_id="create_channel",
        field="level",
        rule="enum",
    )
    refused(
        recorder,
        lambda: create_channel.sync(
            client=client,
            body=CreateChannelRequest(
                name="x", level=ChannelLevel.TEAM, config=ChannelConfig(reply_mode=ReplyMode("sideways"))
            ),
        ),
        operation_id="create_channel",
        field="config.reply_mode",
        rule="enum",
    )
    refused(
        recorder,
        lambda: update_channel_member_role.sync(
            "C1", "U1", client=client, body=UpdateChannelMemberRoleRequest(role=ChannelRole("owner"))
        ),
        operation_id="update_channel_member_role",
        field="role",
        rule="enum",
    )
    refused(
        recorder,
        lambda: list_channels.sync(client=client, status=ChannelStatus("deleted")),
        operation_id="list_channels",
        field="query.status",
        rule="enum",
    )


def test_bad_dates(client: Client, recorder: Recorder) -> None:
    naive = datetime.datetime(2026, 1, 1, 12, 0, 0)  # no offset: not an RFC 3339 date-time
    refused(
        recorder,
        lambda: list_channels.sync(client=client, modified_before=naive),
        operation_id="list_channels",
        field="query.modified_before",
        rule="format",
    )
    refused(
        recorder,
        lambda: client.get_httpx_client().get("/channels", params={"created_after": "2026-13-01T00:00:00Z"}),
        operation_id="list_channels",
        field="query.created_after",
        rule="format",
    )
    aware = datetime.datetime(2026, 1, 1, 12, 0, 0, tzinfo=datetime.UTC)
    list_channels.sync(client=client, modified_before=aware, created_after=aware)
    assert len(recorder.requests) == 1


def test_bad_email(client: Client, recorder: Recorder) -> None:
    refused(
        recorder,
        lambda: create_channel.sync(
            client=client,
            body=CreateChannelRequest(name="x", level=ChannelLevel.TEAM, email_ids=["ok@zylker.com", "not-an-email"]),
        ),
        operation_id="create_channel",
        field="email_ids[1]",
        rule="format",
    )


@pytest.mark.parametrize(
    "image_data",
    [
        "cG5n!!",
        "%%%%",
        "a b c d",
        "not base64",
        "***not base64***",
        "cG5n\n",
        "cG5",
        "=cG5n",
        "cG5uZw",
        "-_-_",
        "cG5né",
    ],
)
def test_base64_that_is_not_strictly_base64_is_refused(client: Client, recorder: Recorder, image_data: str) -> None:
    """fastjsonschema alone dropped characters outside the alphabet ("cG5n!!" passed) and named the rule "schema"."""
    error = refused(
        recorder,
        lambda: create_channel.sync(
            client=client, body=CreateChannelRequest(name="x", level=ChannelLevel.TEAM, image_data=image_data)
        ),
        operation_id="create_channel",
        field="image_data",
        rule="contentEncoding",  # the schema says both format: byte and contentEncoding: base64
    )
    assert "base64" in error.detail
    assert image_data not in str(error)
    refused(
        recorder,
        lambda: update_channel.sync("C1", client=client, body=UpdateChannelRequest(image_data=image_data)),
        operation_id="update_channel",
        field="image_data",
        rule="contentEncoding",
    )


@pytest.mark.parametrize("image_data", ["", "cG5n", "cG5nIQ==", "cG5nIS4=", "+/+/", "iVBORw0KGgoAAAANSUhEUg=="])
def test_base64_is_sent(client: Client, recorder: Recorder, image_data: str) -> None:
    create_channel.sync(
        client=client, body=CreateChannelRequest(name="x", level=ChannelLevel.TEAM, image_data=image_data)
    )
    update_channel.sync("C1", client=client, body=UpdateChannelRequest(image_data=image_data))
    assert [json.loads(request.content)["image_data"] for request in recorder.requests] == [image_data] * 2


def test_base64_as_format_byte_alone_is_strict_and_named_format() -> None:
    operation = attrs.evolve(
        OPERATIONS_BY_ID["update_channel"],
        request_body={"type": "object", "properties": {"image_data": {"type": "string", "format": "byte"}}},
    )
    validator = OperationValidator(operation)
    validator.validate(httpx.Request("PUT", f"{BASE_URL}/channels/C1", json={"image_data": "cG5n"}), "/channels/C1")
    with pytest.raises(CliqValidationError) as caught:
        validator.validate(
            httpx.Request("PUT", f"{BASE_URL}/channels/C1", json={"image_data": "cG5n!!"}), "/channels/C1"
        )
    assert (caught.value.field, caught.value.rule) == ("image_data", "format")


def test_query_booleans_are_coerced_and_checked(client: Client, recorder: Recorder) -> None:
    list_channels.sync(client=client, pinned=True, joined=False)
    assert recorder.requests[0].url.params["pinned"] == "true"
    refused_recorder = Recorder()
    with make_client(refused_recorder) as other:
        refused(
            refused_recorder,
            lambda: other.get_httpx_client().get("/channels", params={"pinned": "yes"}),
            operation_id="list_channels",
            field="query.pinned",
            rule="type",
        )


def test_a_repeated_query_parameter_is_refused(client: Client, recorder: Recorder) -> None:
    refused(
        recorder,
        lambda: client.get_httpx_client().get("/channels", params=[("limit", "5"), ("limit", "6")]),
        operation_id="list_channels",
        field="query.limit",
        rule="type",
    )


@pytest.mark.parametrize("name", ["name", "channel_ids", "chat_ids", "team_ids", "created_by"])
def test_an_empty_query_value_is_refused(client: Client, recorder: Recorder, name: str) -> None:
    """OpenAPI's allowEmptyValue defaults to false: the server answers ``?name=`` with 400."""
    error = refused(
        recorder,
        lambda: list_channels.sync(client=client, **cast(dict[str, Any], {name: ""})),
        operation_id="list_channels",
        field=f"query.{name}",
        rule="allowEmptyValue",
    )
    assert "empty" in error.detail


@pytest.mark.parametrize(
    "query", ["name=", "limit=", "sync_token=&limit=5", "next_token", "status=", "pinned=", "order_by="]
)
def test_an_empty_query_value_is_refused_whatever_its_type(client: Client, recorder: Recorder, query: str) -> None:
    name = next(part.partition("=")[0] for part in query.split("&") if not part.partition("=")[2])
    refused(
        recorder,
        lambda: client.get_httpx_client().get(f"/channels?{query}"),
        operation_id="list_channels",
        field=f"query.{name}",
        rule="allowEmptyValue",
    )


def test_a_broken_schema_rule_is_reported_before_an_empty_value_elsewhere(client: Client, recorder: Recorder) -> None:
    """The schemas are checked over every parameter first; an empty value elsewhere is reported once they pass."""
    refused(
        recorder,
        lambda: client.get_httpx_client().get("/channels", params={"name": "", "status": "deleted"}),
        operation_id="list_channels",
        field="query.status",
        rule="enum",
    )
    refused(
        recorder,
        lambda: client.get_httpx_client().get("/channels", params={"limit": "5", "limit2": "", "order_by": ""}),
        operation_id="list_channels",
        field="query.order_by",
        rule="allowEmptyValue",
    )


def test_an_empty_value_is_sent_where_the_document_allows_it(recorder: Recorder) -> None:
    operation = attrs.evolve(OPERATIONS_BY_ID["list_channels"], query_allow_empty=frozenset({"name"}))
    validator = OperationValidator(operation)
    validator.validate(httpx.Request("GET", f"{BASE_URL}/channels?name=&limit=5"), "/api/v2/channels")
    with pytest.raises(CliqValidationError) as caught:
        validator.validate(httpx.Request("GET", f"{BASE_URL}/channels?name=&order_by="), "/api/v2/channels")
    assert (caught.value.field, caught.value.rule) == ("query.order_by", "allowEmptyValue")


def test_the_document_allows_no_empty_query_value() -> None:
    assert all(not operation.query_allow_empty for operation in OPERATIONS_BY_ID.values())


def test_an_empty_undocumented_query_parameter_passes_through(client: Client, recorder: Recorder) -> None:
    client.get_httpx_client().get("/channels", params={"include_archived_threads": "", "limit": "5"})
    assert recorder.requests[0].url.params["include_archived_threads"] == ""


def test_undocumented_query_parameters_pass_through(client: Client, recorder: Recorder) -> None:
    """Documented decision: the server ignores unknown parameters; a newer one must not be blocked."""
    client.get_httpx_client().get("/channels", params={"include_archived_threads": "true", "limit": "5"})
    assert recorder.requests[0].url.params["include_archived_threads"] == "true"


def test_path_parameters_are_checked_percent_decoded() -> None:
    operation = OPERATIONS_BY_ID["get_channel"]
    validator = OperationValidator(operation)
    validator.validate_path({"CHANNEL_ID": "a%2Fb"})  # a valid id containing an encoded slash
    with pytest.raises(CliqValidationError) as caught:
        validator.validate_path({"CHANNEL_ID": ""})
    assert (caught.value.field, caught.value.rule) == ("path.CHANNEL_ID", "minLength")


def test_odd_path_ids_are_sent_encoded(client: Client, recorder: Recorder) -> None:
    get_channel.sync("T40/00 5", client=client)
    assert recorder.requests[0].url.raw_path == b"/api/v2/channels/T40%2F00%205"


def test_validation_can_be_turned_off(recorder: Recorder) -> None:
    with make_client(recorder, validate=False) as client:
        list_channels.sync(client=client, limit=500)
    assert recorder.requests[0].url.params["limit"] == "500"


def test_validators_are_compiled_once_per_operation() -> None:
    operation = OPERATIONS_BY_ID["create_channel"]
    assert validator_for(operation) is validator_for(operation)
    assert validator_for(operation) is not validator_for(OPERATIONS_BY_ID["update_channel"])


@pytest.mark.anyio
async def test_async_requests_are_validated_too(recorder: Recorder) -> None:
    async with make_client(recorder) as client:
        with pytest.raises(CliqValidationError) as caught:
            await list_channels.asyncio(client=client, limit=101)
        assert caught.value.field == "query.limit"
        with pytest.raises(CliqValidationError) as caught:
            await list_channels.asyncio(client=client, name="")
        assert (caught.value.field, caught.value.rule) == ("query.name", "allowEmptyValue")
        await list_channels.asyncio(client=client, limit=10)
    assert len(recorder.requests) == 1


def test_path_rules_the_route_cannot_guarantee_are_checked() -> None:
    operation = attrs.evolve(
        OPERATIONS_BY_ID["get_channel"], path_parameters={"CHANNEL_ID": {"type": "string", "maxLength": 3}}
    )
    validator = OperationValidator(operation)
    validator.validate(httpx.Request("GET", f"{BASE_URL}/channels/abc"), "/api/v2/channels/abc")
    with pytest.raises(CliqValidationError) as caught:
        validator.validate(httpx.Request("GET", f"{BASE_URL}/channels/a%20cd"), "/api/v2/channels/a%20cd")
    assert (caught.value.field, caught.value.rule) == ("path.CHANNEL_ID", "maxLength")


def test_fastjsonschema_is_imported_at_the_first_compile_not_with_the_client() -> None:
    code = (
        "import sys\n"
        "from cliq_channels_client import create_client\n"
        "from cliq_channels_client.custom.operations import OPERATIONS_BY_ID\n"
        "from cliq_channels_client.custom.validation import validator_for\n"
        "before = 'fastjsonschema' in sys.modules\n"
        "validator_for(OPERATIONS_BY_ID['get_channel'])\n"  # its only rule, a non-empty id, is the route's
        "trivial = 'fastjsonschema' in sys.modules\n"
        "validator_for(OPERATIONS_BY_ID['update_channel'])\n"
        "print(before, trivial, 'fastjsonschema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "True"]
