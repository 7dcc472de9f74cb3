"""Forward compatibility (issue 3, item 3): what a newer server sends is kept, never a crash.

The enum locations and object locations are *derived* from the OpenAPI document
(every schema reachable from a response) and, independently, from the
generated models' type hints; the two derivations must agree, so an enum or
object added to a response is covered here without editing this file.
"""

from __future__ import annotations

import copy
import enum
import inspect
import itertools
import json
import types
import typing
from collections.abc import Iterator
from typing import Any, Protocol, cast

import attrs
import httpx
import pytest
import respx

from cliq_channels_client import models
from cliq_channels_client.api.channels import list_channels, update_channel_member_role
from cliq_channels_client.models import ChannelLevel, ChannelRole, UpdateChannelMemberRoleRequest
from cliq_channels_client.types import Unset

from .support import CASES, OperationCase, error_fixture, load_document, load_fixture, make_client, normalize_json

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
Path = tuple[str | int, ...]
# In a map (additionalProperties) this key stands for "some entry".
MAP_KEY = "9999999"
FUTURE_FIELD = "field_from_the_future"
FUTURE_VALUE: dict[str, Any] = {"since": "v3", "flags": [1, True, None], "nested": {"deep": "yes"}}
UNKNOWN = "galaxy"

DOCUMENT = load_document()
SCHEMAS: dict[str, Any] = DOCUMENT["components"]["schemas"]
MODEL_NAMESPACE = {name: getattr(models, name) for name in models.__all__}


class GeneratedEnum(Protocol):
    """What every generated enum adds to ``enum.Enum``; the classes here are found at run time (``type[enum.Enum]``)."""

    @property
    def is_known(self) -> bool: ...


# --------------------------------------------------------------------------- derivation from the document


def _ref_name(ref: str) -> str:
    assert ref.startswith("#/components/"), ref
    return ref.rsplit("/", 1)[1]


def response_roots() -> dict[str, set[str]]:
    """Schema name of every JSON response body -> the operations that return it."""
    roots: dict[str, set[str]] = {}
    for item in DOCUMENT["paths"].values():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            for response in operation["responses"].values():
                if "$ref" in response:
                    response = DOCUMENT["components"]["responses"][_ref_name(response["$ref"])]
                for media in response.get("content", {}).values():
                    # An inline response schema would need a name here: make that visible.
                    assert "$ref" in media["schema"], operation["operationId"]
                    roots.setdefault(_ref_name(media["schema"]["$ref"]), set()).add(operation["operationId"])
    return roots


def document_nodes(schema: dict[str, Any], path: Path = (), stack: tuple[str, ...] = ()) -> Iterator[tuple[Path, Any]]:
    """(path, resolved schema) of every node below ``schema``, arrays as index 0, maps as MAP_KEY."""
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        if name in stack:
            return
        stack = (*stack, name)
        schema = {**SCHEMAS[name], **{k: v for k, v in schema.items() if k != "$ref"}}
    yield path, schema
    for key, sub in schema.get("properties", {}).items():
        yield from document_nodes(sub, (*path, key), stack)
    if schema.get("type") == "array":
        yield from document_nodes(schema["items"], (*path, 0), stack)
    additional = schema.get("additionalProperties")
    if isinstance(additional, dict) and additional:
        yield from document_nodes(additional, (*path, MAP_KEY), stack)


def is_object(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" or "properties" in schema


def document_enum_locations() -> set[tuple[str, Path]]:
    return {
        (root, path)
        for root in response_roots()
        for path, schema in document_nodes({"$ref": f"#/components/schemas/{root}"})
        if "enum" in schema
    }


def document_object_locations() -> set[tuple[str, Path]]:
    return {
        (root, path)
        for root in response_roots()
        for path, schema in document_nodes({"$ref": f"#/components/schemas/{root}"})
        if is_object(schema)
    }


# --------------------------------------------------------------------------- derivation from the models


def _members(hint: Any) -> list[Any]:
    if typing.get_origin(hint) in {typing.Union, types.UnionType}:
        return [arg for arg in typing.get_args(hint) if arg not in {Unset, type(None)}]
    return [hint]


def model_nodes(hint: Any, path: Path = (), stack: tuple[type, ...] = ()) -> Iterator[tuple[Path, Any]]:
    """(path, type) of every enum and attrs model below ``hint``, per the generated type hints."""
    for member in _members(hint):
        if inspect.isclass(member) and issubclass(member, enum.Enum):
            yield path, member
        elif typing.get_origin(member) is list:
            yield from model_nodes(typing.get_args(member)[0], (*path, 0), stack)
        elif inspect.isclass(member) and attrs.has(member) and member not in stack:
            yield path, member
            hints = typing.get_type_hints(member, localns=MODEL_NAMESPACE)
            for field in attrs.fields(member):
                if field.name == "additional_properties":
                    value_type = typing.get_args(hints[field.name])[1]
                    if value_type is not Any:
                        yield from model_nodes(value_type, (*path, MAP_KEY), (*stack, member))
                else:
                    yield from model_nodes(hints[field.name], (*path, field.name), (*stack, member))


def model_enum_locations() -> dict[tuple[str, Path], type[enum.Enum]]:
    return {
        (root, path): node
        for root in response_roots()
        for path, node in model_nodes(getattr(models, root))
        if issubclass(node, enum.Enum)
    }


def model_object_locations() -> set[tuple[str, Path]]:
    return {
        (root, path)
        for root in response_roots()
        for path, node in model_nodes(getattr(models, root))
        if not issubclass(node, enum.Enum)
    }


ENUM_LOCATIONS = model_enum_locations()
OBJECT_LOCATIONS = sorted(model_object_locations(), key=repr)
ENUM_CLASSES = sorted(
    {obj for obj in vars(models).values() if inspect.isclass(obj) and issubclass(obj, enum.Enum)},
    key=lambda cls: cls.__name__,
)
OBJECT_SCHEMAS = sorted(name for name, schema in SCHEMAS.items() if is_object(schema))


def _location_id(location: tuple[str, Path]) -> str:
    root, path = location
    return root + "".join(f"[{seg}]" if isinstance(seg, int) else f".{seg}" for seg in path)


# --------------------------------------------------------------------------- payload helpers

BASE_PAYLOADS: dict[str, str] = {
    "Channel": "channel.json",
    "ChannelList": "channel_list.json",
    "ChannelMemberList": "channel_members.json",
    "OperationStatus": "unarchive_status.json",
}


def base_payload(root: str) -> dict[str, Any]:
    """A reference sample of the root schema, so the unknowns sit among real data."""
    if root == "Error":
        return error_fixture(400)
    if root in BASE_PAYLOADS:
        payload: dict[str, Any] = load_fixture(BASE_PAYLOADS[root])
        return payload
    return {}


def put(payload: Any, path: Path, value: Any) -> None:
    node = payload
    for segment, following in itertools.pairwise(path):
        if isinstance(segment, int):
            while len(node) <= segment:
                node.append({})
            node = node[segment]
        else:
            node = node.setdefault(segment, [] if isinstance(following, int) else {})
    node[path[-1]] = value


def get_json(payload: Any, path: Path) -> Any:
    for segment in path:
        payload = payload[segment]
    return payload


def get_parsed(obj: Any, path: Path) -> Any:
    for segment in path:
        if isinstance(segment, int) or segment not in attrs.fields_dict(type(obj)):
            obj = obj[segment]  # list index, or a map entry / additional property
        else:
            obj = getattr(obj, segment)
    return obj


def check_unknown(value: Any, enum_class: type[enum.Enum], raw: str) -> None:
    assert isinstance(value, enum_class)
    assert isinstance(value, str)
    assert value.value == raw
    assert str(value) == raw
    assert f"{value}" == raw
    assert value == raw
    assert cast(GeneratedEnum, value).is_known is False
    assert value.name == "UNKNOWN"
    assert value not in list(enum_class)
    assert json.dumps({"v": value}) == json.dumps({"v": raw})


# --------------------------------------------------------------------------- derivations agree


def test_enum_locations_from_document_and_models_agree() -> None:
    assert document_enum_locations() == set(ENUM_LOCATIONS)
    for (root, path), enum_class in ENUM_LOCATIONS.items():
        schema = dict(document_nodes({"$ref": f"#/components/schemas/{root}"}))[path]
        assert sorted(member.value for member in enum_class) == sorted(schema["enum"]), (root, path)


def test_expected_enums_are_found() -> None:
    expected = {
        ("Channel", ("level",)): models.ChannelLevel,
        ("Channel", ("status",)): models.ChannelStatus,
        ("Channel", ("current_user_role",)): models.ChannelRole,
        ("ChannelList", ("channels", 0, "level")): models.ChannelLevel,
        ("ChannelList", ("channels", 0, "status")): models.ChannelStatus,
        ("ChannelList", ("channels", 0, "current_user_role")): models.ChannelRole,
        ("ChannelMemberList", ("members", 0, "user_role")): models.ChannelRole,
    }
    assert expected.items() <= ENUM_LOCATIONS.items()
    assert {"Channel", "ChannelList", "ChannelMemberList", "OperationStatus", "Error"} <= set(response_roots())


def test_object_locations_from_document_and_models_agree() -> None:
    assert document_object_locations() == set(OBJECT_LOCATIONS)
    expected = {
        ("Channel", ()),
        ("Channel", ("admin_permission",)),
        ("Channel", ("moderator_permission",)),
        ("Channel", ("member_permission",)),
        ("Channel", ("teams",)),
        ("Channel", ("last_message_info",)),
        ("ChannelList", ()),
        ("ChannelList", ("channels", 0)),
        ("ChannelList", ("channels", 0, "member_permission")),
        ("ChannelList", ("channels", 0, "last_message_info")),
        ("ChannelMemberList", ()),
        ("ChannelMemberList", ("members", 0)),
        ("OperationStatus", ()),
        ("Error", ()),
    }
    assert expected <= set(OBJECT_LOCATIONS)


# --------------------------------------------------------------------------- enums


@pytest.mark.parametrize("location", sorted(ENUM_LOCATIONS, key=repr), ids=_location_id)
def test_unknown_enum_value_in_a_response_is_kept(location: tuple[str, Path]) -> None:
    root, path = location
    enum_class = ENUM_LOCATIONS[location]
    payload = base_payload(root)
    put(payload, path, UNKNOWN)

    parsed = getattr(models, root).from_dict(payload)

    check_unknown(get_parsed(parsed, path), enum_class, UNKNOWN)
    out = parsed.to_dict()
    assert get_json(out, path) == UNKNOWN
    assert normalize_json(out) == normalize_json(payload)
    assert json.loads(json.dumps(out)) == out


@pytest.mark.parametrize("location", sorted(ENUM_LOCATIONS, key=repr), ids=_location_id)
def test_known_enum_values_in_a_response_are_members(location: tuple[str, Path]) -> None:
    root, path = location
    enum_class = ENUM_LOCATIONS[location]
    for member in enum_class:
        payload = base_payload(root)
        put(payload, path, member.value)
        parsed = getattr(models, root).from_dict(payload)
        value = get_parsed(parsed, path)
        assert value is member
        assert cast(GeneratedEnum, value).is_known is True
        assert get_json(parsed.to_dict(), path) == member.value


@pytest.mark.parametrize("enum_class", ENUM_CLASSES, ids=lambda cls: cls.__name__)
def test_every_generated_enum_tolerates_unknown_values(enum_class: type[enum.Enum]) -> None:
    """Request-only enums too (ReplyMode, InfoPosting, MeetingChatType): models are also built from dicts."""
    assert issubclass(enum_class, enum.StrEnum)
    # a real member called UNKNOWN would make is_known lie for unknown values
    assert "UNKNOWN" not in enum_class.__members__
    assert len(enum_class) >= 2
    for member in enum_class:
        assert enum_class(member.value) is member
        assert cast(GeneratedEnum, member).is_known is True
    unknown = enum_class(UNKNOWN)
    check_unknown(unknown, enum_class, UNKNOWN)
    again = enum_class(UNKNOWN)
    assert again == unknown
    assert hash(again) == hash(unknown)
    assert {unknown: 1}[again] == 1
    other = enum_class("nebula")
    assert other != unknown
    check_unknown(other, enum_class, "nebula")


# --------------------------------------------------------------------------- unknown fields


@pytest.mark.parametrize("location", OBJECT_LOCATIONS, ids=_location_id)
def test_unknown_field_at_every_level_is_kept(location: tuple[str, Path]) -> None:
    root, path = location
    payload = base_payload(root)
    is_map = get_parsed_type_is_map(root, path)
    key, value = (MAP_KEY, "FUTURE TEAM") if is_map else (FUTURE_FIELD, FUTURE_VALUE)
    put(payload, (*path, key), copy.deepcopy(value))

    parsed = getattr(models, root).from_dict(payload)

    holder = get_parsed(parsed, path)
    assert holder.additional_properties[key] == value
    assert holder[key] == value
    assert key in holder.additional_keys
    out = parsed.to_dict()
    assert get_json(out, (*path, key)) == value
    assert normalize_json(out) == normalize_json(payload)


def get_parsed_type_is_map(root: str, path: Path) -> bool:
    schema = dict(document_nodes({"$ref": f"#/components/schemas/{root}"}))[path]
    return "properties" not in schema and isinstance(schema.get("additionalProperties"), dict)


def _minimal_value(schema: dict[str, Any]) -> Any:
    if "$ref" in schema:
        schema = SCHEMAS[_ref_name(schema["$ref"])]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "array":
        return [_minimal_value(schema["items"])]
    if kind == "object":
        return {key: _minimal_value(schema["properties"][key]) for key in schema.get("required", [])}
    assert isinstance(kind, str), schema  # a leaf: string, boolean or integer
    if schema.get("format") == "date-time":  # required date-times (Channel.creation_time) must parse
        return "2026-01-01T00:00:00+00:00"
    return {"string": "x", "boolean": True, "integer": 1}[kind]


@pytest.mark.parametrize("schema_name", OBJECT_SCHEMAS)
def test_every_model_keeps_unknown_fields(schema_name: str) -> None:
    """Every object schema, reachable from a response or not (e.g. ChannelConfig)."""
    payload = _minimal_value({"$ref": f"#/components/schemas/{schema_name}"})
    payload[FUTURE_FIELD] = copy.deepcopy(FUTURE_VALUE)
    parsed = getattr(models, schema_name).from_dict(payload)
    assert parsed.additional_properties[FUTURE_FIELD] == FUTURE_VALUE
    assert parsed.to_dict() == payload


def test_channel_config_keeps_unknown_values_and_fields() -> None:
    config = models.ChannelConfig.from_dict(
        {
            "reply_mode": "forum",
            "leave_join_info": "digest",
            "add_remove_info": "enable",
            "meeting_chat_type": "huddle",
            "pinned_message_mode": "top",
        }
    )
    check_unknown(config.reply_mode, models.ReplyMode, "forum")
    check_unknown(config.leave_join_info, models.InfoPosting, "digest")
    assert config.add_remove_info is models.InfoPosting.ENABLE
    check_unknown(config.meeting_chat_type, models.MeetingChatType, "huddle")
    assert config.additional_properties == {"pinned_message_mode": "top"}
    assert config.to_dict()["reply_mode"] == "forum"


# --------------------------------------------------------------------------- through the generated call path


def future_payload(root: str) -> dict[str, Any]:
    """The root's reference sample with an unknown value in every enum and a new field in every object."""
    payload = base_payload(root)
    for (enum_root, path), _ in ENUM_LOCATIONS.items():
        if enum_root == root:
            put(payload, path, f"future_{path[-1]}")
    for object_root, path in OBJECT_LOCATIONS:
        if object_root == root:
            if get_parsed_type_is_map(root, path):
                put(payload, (*path, MAP_KEY), "FUTURE TEAM")
            else:
                put(payload, (*path, FUTURE_FIELD), copy.deepcopy(FUTURE_VALUE))
    return payload


def check_future(parsed: Any, root: str, payload: dict[str, Any]) -> None:
    assert isinstance(parsed, getattr(models, root))
    for (enum_root, path), enum_class in ENUM_LOCATIONS.items():
        if enum_root == root:
            check_unknown(get_parsed(parsed, path), enum_class, f"future_{path[-1]}")
    for object_root, path in OBJECT_LOCATIONS:
        if object_root == root:
            holder = get_parsed(parsed, path)
            key = MAP_KEY if get_parsed_type_is_map(root, path) else FUTURE_FIELD
            assert key in holder.additional_properties
    assert normalize_json(parsed.to_dict()) == normalize_json(payload)


def _success_root(operation_id: str) -> str | None:
    for root, operation_ids in response_roots().items():
        if operation_id in operation_ids and root != "Error":
            return root
    return None


# Every operation with a JSON success body, with the schema of that body.
BODY_CASES = [(case, root) for case in CASES if case.status == 200 and (root := _success_root(case.operation_id))]


def test_every_operation_with_a_body_is_exercised() -> None:
    assert {case.operation_id for case, _ in BODY_CASES} == {
        "create_channel",
        "list_channels",
        "get_channel",
        "update_channel",
        "get_channel_members",
        "join_channel",
        "unarchive_channel",
    }


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock_router:
        yield mock_router


@pytest.mark.parametrize(("case", "root"), BODY_CASES, ids=[case.case_id for case, _ in BODY_CASES])
def test_future_response_through_the_sync_call_path(case: OperationCase, root: str, router: respx.MockRouter) -> None:
    payload = future_payload(root)
    router.route().mock(return_value=httpx.Response(200, json=payload))
    with make_client(raise_on_unexpected_status=True) as client:
        check_future(case.call_sync_detailed(client).parsed, root, payload)
        check_future(case.call_sync(client), root, payload)


@pytest.mark.anyio
@pytest.mark.parametrize(("case", "root"), BODY_CASES, ids=[case.case_id for case, _ in BODY_CASES])
async def test_future_response_through_the_async_call_path(
    case: OperationCase, root: str, router: respx.MockRouter
) -> None:
    payload = future_payload(root)
    router.route().mock(return_value=httpx.Response(200, json=payload))
    async with make_client(raise_on_unexpected_status=True) as client:
        check_future((await case.call_asyncio_detailed(client)).parsed, root, payload)
        check_future(await case.call_asyncio(client), root, payload)


def test_future_payload_really_contains_unknowns() -> None:
    payload = future_payload("ChannelList")
    channel = payload["channels"][0]
    assert channel["level"] == "future_level"
    assert channel["admin_permission"][FUTURE_FIELD] == FUTURE_VALUE
    assert channel["teams"][MAP_KEY] == "FUTURE TEAM"
    assert payload[FUTURE_FIELD] == FUTURE_VALUE


def test_unknown_values_can_be_sent_back(router: respx.MockRouter) -> None:
    """A value read from the server can be used as a filter or a body field again."""
    route = router.route().mock(return_value=httpx.Response(204))
    with make_client() as client:
        list_channels.sync_detailed(client=client, level=ChannelLevel(UNKNOWN))
        update_channel_member_role.sync_detailed(
            "T4000000040005",
            "4355728",
            client=client,
            body=UpdateChannelMemberRoleRequest(role=ChannelRole("owner")),
        )
    first, second = (call.request for call in route.calls)
    assert first.url.params["level"] == UNKNOWN
    assert json.loads(second.content) == {"role": "owner"}
