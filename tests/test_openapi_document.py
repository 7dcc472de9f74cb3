"""The OpenAPI document against the Channels reference, and the generated operation table against the document.

Expected values are transcribed from the reference
(shared/seeds/000_251724dd10681e61.txt); sample bodies come from
tests/generated/fixtures (copied from the same reference).
"""

from __future__ import annotations

from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from cliq_channels_client import operation_table

from .generated.support import (
    ERROR_STATUSES,
    PERMISSION_NAMES,
    PERMISSION_OBJECTS,
    REPO_ROOT,
    error_fixture,
    load_document,
    load_fixture,
    package_dir,
)

# Our document as written from the reference (before ingest + overlay): what these tests check.
DOCUMENT = load_document(REPO_ROOT / "openapi" / "channels.yaml")
SCHEMAS: dict[str, Any] = DOCUMENT["components"]["schemas"]
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

CREATE, READ, UPDATE, DELETE = (f"ZohoCliq.Channels.{verb}" for verb in ("CREATE", "READ", "UPDATE", "DELETE"))
CHANNEL = "/channels/{CHANNEL_ID}"

# The reference shows 204; Zoho's download documents 200 for every operation: both are a success.
OK_OR_NO_CONTENT = frozenset({200, 204})

# operationId -> (method, path, scope, success statuses), as the reference and the download document them.
EXPECTED_OPERATIONS: dict[str, tuple[str, str, str, frozenset[int]]] = {
    "create_channel": ("POST", "/channels", CREATE, frozenset({200})),
    "list_channels": ("GET", "/channels", READ, frozenset({200})),
    "get_channel": ("GET", CHANNEL, READ, frozenset({200})),
    "update_channel": ("PUT", CHANNEL, UPDATE, frozenset({200})),
    "delete_channel": ("DELETE", CHANNEL, DELETE, OK_OR_NO_CONTENT),
    "add_channel_members": ("POST", f"{CHANNEL}/members", UPDATE, OK_OR_NO_CONTENT),
    "get_channel_members": ("GET", f"{CHANNEL}/members", READ, frozenset({200})),
    "remove_channel_members": ("DELETE", f"{CHANNEL}/members", UPDATE, OK_OR_NO_CONTENT),
    "add_bot_to_channel": ("POST", "/bots/{BOT_UNIQUE_NAME}/associate", UPDATE, OK_OR_NO_CONTENT),
    "update_channel_member_role": ("PUT", f"{CHANNEL}/members/{{USER_ID}}/members", UPDATE, OK_OR_NO_CONTENT),
    "approve_channel": ("POST", f"{CHANNEL}/approve", UPDATE, OK_OR_NO_CONTENT),
    "reject_channel": ("POST", f"{CHANNEL}/reject", UPDATE, OK_OR_NO_CONTENT),
    "join_channel": ("POST", f"{CHANNEL}/join", UPDATE, frozenset({200})),
    "leave_channel": ("POST", f"{CHANNEL}/leave", UPDATE, OK_OR_NO_CONTENT),
    "archive_channel": ("POST", f"{CHANNEL}/archive", UPDATE, OK_OR_NO_CONTENT),
    "unarchive_channel": ("POST", f"{CHANNEL}/unarchive", UPDATE, frozenset({200, 204})),
}

# operationId -> (request body schema, field names of the reference's "Arguments", required fields)
EXPECTED_BODIES: dict[str, tuple[str, tuple[str, ...], set[str]]] = {
    "create_channel": (
        "CreateChannelRequest",
        (
            "name",
            "description",
            "level",
            "invite_only",
            "team_ids",
            "user_ids",
            "email_ids",
            "admin_ids",
            "moderator_ids",
            "image_data",
            "config",
            *PERMISSION_OBJECTS,
        ),
        {"name", "level"},
    ),
    "update_channel": (
        "UpdateChannelRequest",
        ("name", "description", "image_data", "config", *PERMISSION_OBJECTS),
        set(),
    ),
    # user_ids or email_ids (an anyOf under x-json-schema, for validation only): neither is required alone.
    "add_channel_members": ("AddChannelMembersRequest", ("user_ids", "email_ids"), set()),
    "remove_channel_members": ("RemoveChannelMembersRequest", ("user_ids", "email_ids", "silent"), set()),
    "add_bot_to_channel": ("AddBotToChannelRequest", ("channel_unique_name",), {"channel_unique_name"}),
    "update_channel_member_role": ("UpdateChannelMemberRoleRequest", ("role",), {"role"}),
}

WITHOUT_BODY = {name for name, expected in EXPECTED_OPERATIONS.items() if expected[3] is OK_OR_NO_CONTENT}

ERROR_RESPONSES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    429: "TooManyRequests",
    500: "InternalServerError",
}

LIST_QUERY: dict[str, dict[str, Any]] = {
    "name": {"type": "string"},
    "status": {"type": "string", "enum": ["created", "pending", "archived"]},
    "limit": {"type": "integer", "maximum": 100},
    "level": {"type": "string"},
    "modified_before": {"type": "string", "format": "date-time"},
    "modified_after": {"type": "string", "format": "date-time"},
    "created_before": {"type": "string", "format": "date-time"},
    "created_after": {"type": "string", "format": "date-time"},
    "channel_ids": {"type": "string"},
    "chat_ids": {"type": "string"},
    "team_ids": {"type": "string"},
    "created_by": {"type": "string"},
    "order_by": {
        "type": "string",
        "enum": ["+last_modified_time", "-last_modified_time", "+creation_time", "-creation_time"],
    },
    "next_token": {"type": "string"},
    "sync_token": {"type": "string"},
    "pinned": {"type": "boolean"},
    "joined": {"type": "boolean"},
}

ENUMS = {
    # personal: in list results; bot: in member lists (sources in the document).
    "ChannelLevel": {"organization", "team", "private", "external", "personal"},
    "ChannelStatus": {"created", "pending", "archived"},
    "ChannelRole": {"super_admin", "admin", "moderator", "member", "bot"},
    "ChannelOrder": {"+last_modified_time", "-last_modified_time", "+creation_time", "-creation_time"},
    "ReplyMode": {"normal_reply", "threads", "both"},
    "InfoPosting": {"enable", "disable"},
    "MeetingChatType": {"channel", "thread", "host_choice"},
}

DATA_CENTRES = ["com", "eu", "in", "com.au", "com.cn", "jp"]


def resolve(node: Any) -> Any:
    """``node`` with every local $ref followed (siblings of a $ref win)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = DOCUMENT
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return resolve({**target, **{k: v for k, v in node.items() if k != "$ref"}})
        return {key: resolve(value) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item) for item in node]
    return node


def operations() -> dict[str, tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """operationId -> (METHOD, path, operation, path item)."""
    found: dict[str, tuple[str, str, dict[str, Any], dict[str, Any]]] = {}
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                assert operation["operationId"] not in found
                found[operation["operationId"]] = (method.upper(), path, operation, item)
    return found


OPERATIONS = operations()


def parameters(operation_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    _, _, operation, item = OPERATIONS[operation_id]
    params = [resolve(p) for p in [*item.get("parameters", []), *operation.get("parameters", [])]]
    return {(p["in"], p["name"]): p for p in params}


def body_schema(operation_id: str) -> dict[str, Any] | None:
    body = OPERATIONS[operation_id][2].get("requestBody")
    if body is None:
        return None
    assert body["required"] is True
    assert set(body["content"]) == {"application/json"}
    ref = body["content"]["application/json"]["schema"]["$ref"]
    assert ref.startswith("#/components/schemas/")
    return {"name": ref.rsplit("/", 1)[1], **SCHEMAS[ref.rsplit("/", 1)[1]]}


def validator(schema_name: str) -> OAS31Validator:
    # The document's components at the root, so "#/components/schemas/..." resolves.
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": DOCUMENT["components"]}
    return OAS31Validator(schema, format_checker=OAS31Validator.FORMAT_CHECKER)


# --------------------------------------------------------------------------- document as a whole


def test_document_is_valid_openapi() -> None:
    assert DOCUMENT["openapi"].startswith("3.1")
    validate(DOCUMENT)


def test_packaged_copy_is_the_normalised_document() -> None:
    from codegen.normalise import dump, normalise_file

    normalised = normalise_file(REPO_ROOT / "openapi" / "channels.yaml", REPO_ROOT / "openapi" / "overlay.yaml")
    assert (package_dir() / "openapi.yaml").read_text(encoding="utf-8") == dump(normalised.document)


def test_exactly_the_sixteen_operations_with_their_methods_and_paths() -> None:
    assert len(OPERATIONS) == 16
    assert {op_id: (method, path) for op_id, (method, path, _, _) in OPERATIONS.items()} == {
        op_id: (method, path) for op_id, (method, path, _, _) in EXPECTED_OPERATIONS.items()
    }


def test_one_tag() -> None:
    assert [tag["name"] for tag in DOCUMENT["tags"]] == ["channels"]
    for op_id, (_, _, operation, _) in OPERATIONS.items():
        assert operation["tags"] == ["channels"], op_id


def test_servers_cover_the_six_data_centres_and_the_network_prefix() -> None:
    servers = DOCUMENT["servers"]
    assert servers[0]["url"] == "https://cliq.zoho.{dc}/api/v2"
    # A network's root comes before /api/v2 (https://cliq.zoho.com/network/{NETWORK_UNIQUE_NAME}).
    assert servers[1]["url"] == "https://cliq.zoho.{dc}/network/{network}/api/v2"
    for server in servers:
        dc = server["variables"]["dc"]
        assert dc["enum"] == DATA_CENTRES
        assert dc["default"] == "com"
    network_variables = set(servers[1]["variables"]) - {"dc"}
    assert len(network_variables) == 1


# --------------------------------------------------------------------------- per operation


@pytest.mark.parametrize("operation_id", sorted(EXPECTED_OPERATIONS))
def test_scope_rate_limit_and_responses(operation_id: str) -> None:
    scope, success = EXPECTED_OPERATIONS[operation_id][2:]
    operation = OPERATIONS[operation_id][2]

    assert operation["security"] == [{"Zoho_Auth": [scope]}]
    rate_limit = operation["x-zoho-rate-limit"]
    assert rate_limit["threshold"] > 0
    assert rate_limit["window_seconds"] == 60
    assert operation_table.OPERATIONS[operation_id]["rate_limit"] == rate_limit

    responses = operation["responses"]
    assert {int(code) for code in responses} == set(success) | set(ERROR_STATUSES)
    for status, name in ERROR_RESPONSES.items():
        assert responses[str(status)] == {"$ref": f"#/components/responses/{name}"}
    for status in success:
        response = resolve(responses[str(status)])
        if status == 204 or operation_id in WITHOUT_BODY:  # the 200 of a 204 operation: no documented body
            assert "content" not in response
        else:
            assert set(response["content"]) == {"application/json"}


@pytest.mark.parametrize("operation_id", sorted(EXPECTED_OPERATIONS))
def test_path_parameters(operation_id: str) -> None:
    path = EXPECTED_OPERATIONS[operation_id][1]
    expected = {name.strip("{}") for name in path.split("/") if name.startswith("{")}
    found = {name: p for (where, name), p in parameters(operation_id).items() if where == "path"}
    assert set(found) == expected
    for name, param in found.items():
        assert param["required"] is True, name
        assert param["schema"]["type"] == "string", name


def test_list_channels_query_parameters() -> None:
    query = {name: p for (where, name), p in parameters("list_channels").items() if where == "query"}
    assert list(query) == list(LIST_QUERY)
    for name, expected in LIST_QUERY.items():
        schema = query[name]["schema"]
        assert query[name].get("required", False) is False, name
        assert {key: schema[key] for key in expected} == expected, name
    assert set(query["level"]["schema"]["enum"]) == ENUMS["ChannelLevel"]


@pytest.mark.parametrize("operation_id", sorted(set(EXPECTED_OPERATIONS) - {"list_channels"}))
def test_no_query_parameters_elsewhere(operation_id: str) -> None:
    assert not [name for (where, name) in parameters(operation_id) if where != "path"]


@pytest.mark.parametrize("operation_id", sorted(EXPECTED_OPERATIONS))
def test_request_bodies(operation_id: str) -> None:
    schema = body_schema(operation_id)
    if operation_id not in EXPECTED_BODIES:
        assert schema is None
        return
    assert schema is not None
    name, fields, required = EXPECTED_BODIES[operation_id]
    assert schema["name"] == name
    assert list(schema["properties"]) == list(fields)
    assert set(schema.get("required", [])) == required


# --------------------------------------------------------------------------- shared responses, security


def test_shared_error_responses_carry_the_reference_messages() -> None:
    shared = DOCUMENT["components"]["responses"]
    for status, name in ERROR_RESPONSES.items():
        message = error_fixture(status)["message"]
        response = shared[name]
        assert response["description"] == message
        media = response["content"]["application/json"]
        assert media["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "Retry-After" in shared["TooManyRequests"]["headers"]
    assert set(SCHEMAS["Error"]["properties"]) >= {"message", "code"}
    assert SCHEMAS["Error"].get("additionalProperties", True) is not False


@pytest.mark.parametrize("status", ERROR_STATUSES)
def test_shared_error_response_examples_are_the_reference_bodies(status: int) -> None:
    """The example a mock server or a reader takes from the document is the reference's body."""
    media = DOCUMENT["components"]["responses"][ERROR_RESPONSES[status]]["content"]["application/json"]
    assert media["example"] == error_fixture(status)


def test_no_null_left_by_yaml_flow_mappings() -> None:
    """An unquoted comma inside ``{key: text, more text}`` silently splits the text into a key with a null value."""

    def nulls(node: Any, path: str) -> list[str]:
        if isinstance(node, dict):
            return [p for key, value in node.items() for p in nulls(value, f"{path}/{key}")]
        if isinstance(node, list):
            return [p for index, value in enumerate(node) for p in nulls(value, f"{path}/{index}")]
        return [path] if node is None else []

    assert nulls(DOCUMENT, "#") == []


def test_security_scheme_is_zoho_auth_oauth2_with_the_four_scopes() -> None:
    scheme = DOCUMENT["components"]["securitySchemes"]["Zoho_Auth"]
    assert scheme["type"] == "oauth2"
    flow = scheme["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == "https://accounts.zoho.com/oauth/v2/auth"
    assert flow["tokenUrl"] == "https://accounts.zoho.com/oauth/v2/token"
    assert flow["refreshUrl"] == "https://accounts.zoho.com/oauth/v2/token"
    assert set(flow["scopes"]) == {CREATE, READ, UPDATE, DELETE}
    assert DOCUMENT["security"] == [{"Zoho_Auth": []}]


# --------------------------------------------------------------------------- schemas: limits, formats, fields


def test_limits() -> None:
    for name in ("CreateChannelRequest", "UpdateChannelRequest"):
        properties = SCHEMAS[name]["properties"]
        assert properties["name"]["maxLength"] == 50, name
        assert properties["description"]["maxLength"] == 10500, name
    limit = parameters("list_channels")[("query", "limit")]["schema"]
    assert limit["maximum"] == 100
    assert limit.get("minimum", 1) >= 1
    user_ids = SCHEMAS["AddChannelMembersRequest"]["properties"]["user_ids"]
    assert user_ids["type"] == "array"
    assert user_ids["maxItems"] == 100  # the reference says 50, Zoho's download 100: only what both forbid
    assert user_ids["items"] == {"type": "string"}
    assert SCHEMAS["CreateChannelRequest"]["properties"]["invite_only"]["default"] is False
    assert SCHEMAS["RemoveChannelMembersRequest"]["properties"]["silent"] == {
        **SCHEMAS["RemoveChannelMembersRequest"]["properties"]["silent"],
        "type": "boolean",
        "default": False,
    }


def test_formats() -> None:
    for name in ("CreateChannelRequest", "UpdateChannelRequest"):
        image_data = SCHEMAS[name]["properties"]["image_data"]
        assert (image_data["type"], image_data["format"]) == ("string", "byte"), name
    channel = SCHEMAS["Channel"]["properties"]
    for name in ("creation_time", "last_modified_time", "unread_time", "muted_interval"):
        assert (channel[name]["type"], channel[name]["format"]) == ("string", "date-time"), name
    assert SCHEMAS["LastMessageInfo"]["properties"]["time"]["format"] == "date-time"
    assert SCHEMAS["CreateChannelRequest"]["properties"]["email_ids"]["items"]["format"] == "email"


@pytest.mark.parametrize("name", sorted(ENUMS))
def test_enums(name: str) -> None:
    assert SCHEMAS[name]["type"] == "string"
    assert set(SCHEMAS[name]["enum"]) == ENUMS[name]


def test_enum_references() -> None:
    channel = SCHEMAS["Channel"]["properties"]
    assert channel["level"]["$ref"].endswith("/ChannelLevel")
    assert channel["status"]["$ref"].endswith("/ChannelStatus")
    assert channel["current_user_role"]["$ref"].endswith("/ChannelRole")
    assert SCHEMAS["ChannelMember"]["properties"]["user_role"]["$ref"].endswith("/ChannelRole")
    assert SCHEMAS["UpdateChannelMemberRoleRequest"]["properties"]["role"]["$ref"].endswith("/ChannelRole")
    assert SCHEMAS["CreateChannelRequest"]["properties"]["level"]["$ref"].endswith("/ChannelLevel")
    raw_query = {p["name"]: p["schema"] for p in OPERATIONS["list_channels"][2]["parameters"]}
    assert raw_query["status"] == {"$ref": "#/components/schemas/ChannelStatus"}
    assert raw_query["level"] == {"$ref": "#/components/schemas/ChannelLevel"}
    config = SCHEMAS["ChannelConfig"]["properties"]
    assert list(config) == ["reply_mode", "leave_join_info", "add_remove_info", "meeting_chat_type"]
    assert [config[key]["$ref"].rsplit("/", 1)[1] for key in config] == [
        "ReplyMode",
        "InfoPosting",
        "InfoPosting",
        "MeetingChatType",
    ]


def test_permission_object_has_exactly_the_twenty_booleans() -> None:
    permission = SCHEMAS["ChannelPermission"]
    assert permission["type"] == "object"
    assert list(permission["properties"]) == list(PERMISSION_NAMES)
    assert len(PERMISSION_NAMES) == 20
    assert all(prop["type"] == "boolean" for prop in permission["properties"].values())
    for owner in ("Channel", "CreateChannelRequest", "UpdateChannelRequest"):
        for name in PERMISSION_OBJECTS:
            assert SCHEMAS[owner]["properties"][name] == {"$ref": "#/components/schemas/ChannelPermission"}, owner
        assert set(load_fixture("requests/create_channel.json")["admin_permission"]) == set(PERMISSION_NAMES)


def test_channel_fields_are_those_of_the_reference_samples() -> None:
    single = load_fixture("channel.json")
    listed = load_fixture("channel_list.json")["channels"][0]
    channel = SCHEMAS["Channel"]["properties"]
    assert set(channel) == set(single) | set(listed)
    # required: shown by every sample and identifying or classifying the channel (rule in the document)
    required = SCHEMAS["Channel"]["required"]
    assert required == ["channel_id", "name", "level", "status"]
    assert set(required) <= set(single) & set(listed)
    assert channel["name"]["type"] == "string"
    assert channel["total_message_count"]["type"] == "string"
    assert channel["participant_count"]["type"] == "integer"
    assert channel["unread_message_count"]["type"] == "integer"
    assert channel["teams"]["type"] == "object"
    assert channel["teams"]["additionalProperties"] == {"type": "string"}
    assert "properties" not in channel["teams"]
    assert channel["last_message_info"] == {"$ref": "#/components/schemas/LastMessageInfo"}
    assert set(SCHEMAS["LastMessageInfo"]["properties"]) == set(listed["last_message_info"])
    assert set(SCHEMAS["ChannelList"]["properties"]) == set(load_fixture("channel_list.json"))
    member = load_fixture("channel_members.json")["members"][0]
    assert set(SCHEMAS["ChannelMember"]["properties"]) == set(member)
    assert set(SCHEMAS["ChannelMemberList"]["properties"]) == {"members"}
    assert set(SCHEMAS["OperationStatus"]["properties"]) == set(load_fixture("unarchive_status.json"))


# --------------------------------------------------------------------------- reference samples vs the document


@pytest.mark.parametrize(
    ("schema_name", "fixture"),
    [
        ("Channel", "channel.json"),
        ("ChannelMemberList", "channel_members.json"),
        ("OperationStatus", "unarchive_status.json"),
        *((EXPECTED_BODIES[op][0], f"requests/{op}.json") for op in sorted(EXPECTED_BODIES)),
        *(("Error", f"errors/{status}.json") for status in ERROR_STATUSES),
    ],
)
def test_reference_samples_conform(schema_name: str, fixture: str) -> None:
    errors = [error.message for error in validator(schema_name).iter_errors(load_fixture(fixture))]
    assert errors == []


def test_reference_list_sample_breaks_only_where_it_has_placeholders() -> None:
    """The list sample prints "string" for two enums; everything else conforms."""
    sample = load_fixture("channel_list.json")
    errors = sorted(list(error.absolute_path) for error in validator("ChannelList").iter_errors(sample))
    assert errors == [["channels", 0, "current_user_role"], ["channels", 0, "status"]]


def test_limits_are_enforced_by_the_schemas() -> None:
    create = load_fixture("requests/create_channel.json")
    assert validator("CreateChannelRequest").is_valid({**create, "name": "x" * 50})
    assert not validator("CreateChannelRequest").is_valid({**create, "name": "x" * 51})
    assert not validator("CreateChannelRequest").is_valid({**create, "description": "x" * 10501})
    assert not validator("CreateChannelRequest").is_valid({**create, "level": "galaxy"})
    assert not validator("AddChannelMembersRequest").is_valid({"user_ids": [str(i) for i in range(101)]})
    assert validator("AddChannelMembersRequest").is_valid({"user_ids": [str(i) for i in range(100)]})


# --------------------------------------------------------------------------- the generated operation table


def test_operation_table_agrees_with_the_document() -> None:
    table = operation_table.OPERATIONS
    assert set(table) == set(OPERATIONS)
    assert (
        DOCUMENT["info"]["title"],
        DOCUMENT["info"]["version"],
    ) == (operation_table.API_TITLE, operation_table.API_VERSION)
    for op_id, (method, path, operation, _) in OPERATIONS.items():
        entry = table[op_id]
        assert entry["operation_id"] == op_id
        # The overlay sends the member-role operation to the single path (openapi/overlay.yaml).
        assert (entry["method"], entry["path"]) == (method, path.replace("{USER_ID}/members", "{USER_ID}")), op_id
        assert entry["scopes"] == (EXPECTED_OPERATIONS[op_id][2],), op_id
        assert entry["rate_limit"] == operation["x-zoho-rate-limit"], op_id
        assert set(entry["success_statuses"]) == EXPECTED_OPERATIONS[op_id][3], op_id
        params = parameters(op_id)
        assert set(entry["path_parameters"]) == {name for where, name in params if where == "path"}, op_id
        assert list(entry["query_parameters"]) == [name for where, name in params if where == "query"], op_id
        body = body_schema(op_id)
        assert entry["request_body_required"] is (body is not None), op_id
        if body is None:
            assert entry["request_body"] is None, op_id
        else:
            assert list(entry["request_body"]["properties"]) == list(body["properties"]), op_id
            assert entry["request_body"].get("required", []) == body.get("required", []), op_id


def test_operation_table_carries_the_limits() -> None:
    table = operation_table.OPERATIONS
    create = table["create_channel"]["request_body"]["properties"]
    assert create["name"]["maxLength"] == 50
    assert create["description"]["maxLength"] == 10500
    assert create["level"]["enum"] == SCHEMAS["ChannelLevel"]["enum"]
    assert list(create["admin_permission"]["properties"]) == list(PERMISSION_NAMES)
    assert table["update_channel"]["request_body"]["properties"]["name"]["maxLength"] == 50
    assert table["add_channel_members"]["request_body"]["properties"]["user_ids"]["maxItems"] == 100
    assert table["list_channels"]["query_parameters"]["limit"]["maximum"] == 100
    assert table["list_channels"]["query_parameters"]["modified_before"]["format"] == "date-time"
    assert (
        table["update_channel_member_role"]["request_body"]["properties"]["role"]["enum"]
        == (SCHEMAS["ChannelRole"]["enum"])
    )
    expected_messages = {status: error_fixture(status)["message"] for status in ERROR_STATUSES}
    assert dict(operation_table.ERROR_MESSAGES) == expected_messages
