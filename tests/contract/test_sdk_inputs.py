"""Hypothesis through the SDK: generated inputs for every operation, sent by the generated endpoints.

Inputs come from the operation table's JSON Schemas (``request_body`` and
``query_parameters``) through the generic builder of
:mod:`.schema_strategies`; only identifiers whose validity depends on the
emulator's state (user, team and bot ids, e-mails, channel names the emulator
accepts) are overridden with existing ones.  Every call goes through
``create_client(...)`` and the *generated* ``sync_detailed`` /
``asyncio_detailed`` functions, on the emulator in-process.

* valid inputs round-trip: exactly one request is sent, the answer parses into
  the generated model, and the emulator's state (or the returned channel)
  reflects the input;
* invalid inputs (one broken rule each: too long, too short, too many or too
  few items, out of range, bad enum, bad format, wrong type, missing required,
  absent body) raise ``CliqValidationError`` naming the field and the JSON
  Schema keyword, with nothing sent (the emulator recorded no request).  Where
  the typed model can carry the bad value (``Model.from_dict`` keeps it and
  ``to_dict`` sends it back unchanged) the generated endpoint is called with
  the model; where it cannot (a missing required field, an object replaced by
  a list, no body at all) the same client's httpx client sends the JSON, so
  auth and ``CliqTransport`` still see it;
* nothing raises anything else.

Path ids: any text, ``"."`` and ``".."`` included (the generated code sends
them as ``%2E`` / ``%2E%2E``, so they reach their operation like any id); an
empty id is an invalid input of its own, refused with field ``path.<NAME>``
and rule ``minLength``, so every operation has invalid inputs.  An empty query
value is refused with rule ``allowEmptyValue`` (OpenAPI's default is false),
and base64 text (``image_data``) strictly, with rule ``contentEncoding``.
"""

from __future__ import annotations

import datetime
import functools
import importlib
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any
from urllib.parse import quote

import anyio
import attrs
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cliq_channels_client import Client
from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.errors import CliqValidationError
from cliq_channels_client.custom.factory import create_client
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID, Operation
from cliq_channels_client.custom.testing import DEFAULT_CONFIG, DEFAULT_PERMISSIONS, ORDERS, CliqEmulator
from cliq_channels_client.models import (
    AddBotToChannelRequest,
    AddChannelMembersRequest,
    Channel,
    ChannelLevel,
    ChannelList,
    ChannelMemberList,
    ChannelOrder,
    ChannelStatus,
    CreateChannelRequest,
    RemoveChannelMembersRequest,
    UpdateChannelMemberRoleRequest,
    UpdateChannelRequest,
)
from cliq_channels_client.types import Response

from .reporting import report_for
from .schema_strategies import DROP, Mutation, apply, from_schema, mutations

VALID_EXAMPLES = 30
INVALID_EXAMPLES = 50
MIN_VALID = 20
MIN_INVALID = 25
MODES = ("sync", "async")

ENDPOINTS: Mapping[str, ModuleType] = {
    operation_id: importlib.import_module(f"cliq_channels_client.api.channels.{operation_id}")
    for operation_id in OPERATIONS_BY_ID
}
BODY_MODELS: Mapping[str, Any] = {
    "create_channel": CreateChannelRequest,
    "update_channel": UpdateChannelRequest,
    "add_channel_members": AddChannelMembersRequest,
    "remove_channel_members": RemoveChannelMembersRequest,
    "update_channel_member_role": UpdateChannelMemberRoleRequest,
    "add_bot_to_channel": AddBotToChannelRequest,
}
PATH_KWARGS = {"CHANNEL_ID": "channel_id", "USER_ID": "user_id", "BOT_UNIQUE_NAME": "bot_unique_name"}
QUERY_TYPES: Mapping[str, Callable[[Any], Any]] = {
    "status": ChannelStatus,
    "level": ChannelLevel,
    "order_by": ChannelOrder,
}
SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# --- the organization and the client ----------------------------------------------------------------


class Org:
    """An emulated organization with fixed pools (so Hypothesis draws never depend on changing state)."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.emu = CliqEmulator(clock=self.clock, rate_limits=False)
        emu = self.emu
        self.me = emu.default_user.user_id
        others = [emu.create_user(f"Colleague {i:02d}") for i in range(55)]
        self.others = [user.user_id for user in others]
        self.emails = {user.email: user.user_id for user in others}
        self.teams = [emu.create_team(name, others[i * 5 : i * 5 + 5]).team_id for i, name in enumerate("ABC")]
        emu.create_team("Mine", [emu.default_user, *others[:2]])
        self.my_team = next(tid for tid, team in emu.store.teams.items() if team.name == "Mine")
        self.bots = [emu.create_bot(name).unique_name for name in ("zylkerbot", "helpdesk", "standup")]
        emu.seed_channels(12, members=others[:3])
        emu.seed_channels(4, level="team", team_ids=[self.my_team], name_prefix="team")
        emu.seed_channels(3, status="archived", name_prefix="old")
        emu.seed_channels(3, creator=others[0], name_prefix="theirs")
        self.token = emu.issue_access_token(expires_in=10**9)

    def client(self) -> Client:
        return create_client(
            access_token=self.token,
            base_url=self.emu.api_base_url,
            transport=self.emu.transport(),
            async_transport=self.emu.async_transport(),
            clock=self.clock,
        )

    def channel(self, **kwargs: Any) -> str:
        """A new channel (created by the default user unless ``creator`` says otherwise)."""
        return self.emu.seed_channels(1, **kwargs)[0]

    def some_channel(self, draw: Any, **kwargs: Any) -> str:
        """A new channel with a drawn name and drawn members besides those ``kwargs`` ask for."""
        extra = draw(st.lists(st.sampled_from(self.others[3:]), max_size=5, unique=True), label="members")
        name = draw(_names(), label="name")
        members = [*kwargs.pop("members", ()), *extra]
        return self.channel(name_prefix=name, members=members, **kwargs)

    def view(self, channel_id: str) -> dict[str, Any] | None:
        return self.emu.get_channel(channel_id)


def call(operation_id: str, mode: str, client: Client, kwargs: Mapping[str, Any]) -> Response[Any]:
    """One call of the generated endpoint, sync or async."""
    endpoint = ENDPOINTS[operation_id]
    response: Response[Any]
    if mode == "sync":
        response = endpoint.sync_detailed(client=client, **kwargs)
    else:
        response = anyio.run(functools.partial(endpoint.asyncio_detailed, client=client, **kwargs))
    return response


def _segment(value: str) -> str:
    """One path segment, encoded as the generated code does (``.`` and ``..`` as ``%2E`` and ``%2E%2E``)."""
    segment = quote(value, safe="")
    return segment.replace(".", "%2E") if segment in (".", "..") else segment


def send_raw(operation: Operation, mode: str, client: Client, path: Mapping[str, str], body: Any) -> Any:
    """The JSON the typed model cannot carry, through the same client (auth and CliqTransport included)."""
    url = operation.path.format(**{name: _segment(value) for name, value in path.items()})
    kwargs: dict[str, Any] = {} if body is ABSENT else {"json": body}
    if mode == "sync":
        return client.get_httpx_client().request(operation.method, url, **kwargs)
    return anyio.run(functools.partial(client.get_async_httpx_client().request, operation.method, url, **kwargs))


# --- valid inputs -----------------------------------------------------------------------------------


@attrs.frozen
class Valid:
    """Arguments for the generated function, and the oracle for its answer."""

    kwargs: Mapping[str, Any]
    check: Callable[[Response[Any]], None]


def _names() -> st.SearchStrategy[str]:
    """Channel names the emulator keeps as given: a leading letter or digit, no surrounding spaces, <= 50."""
    first = st.characters(categories=("L", "N"))
    rest = st.text(alphabet=st.characters(categories=("L", "N", "Pd", "Zs"), include_characters="_."), max_size=49)
    names = st.builds(lambda head, tail: (head + tail).rstrip(), first, rest)
    return st.one_of(names, st.just("Z" * 50))


def _body(operation_id: str, org: Org, draw: Any, **overrides: st.SearchStrategy[Any]) -> dict[str, Any]:
    schema = OPERATIONS_BY_ID[operation_id].request_body
    assert schema is not None
    body: dict[str, Any] = draw(from_schema(schema, overrides=overrides))
    return body


def _merged(base: Mapping[str, Any], given: Mapping[str, Any] | None) -> dict[str, Any]:
    return {**base, **(given or {})}


def _status(response: Response[Any], expected: int) -> None:
    assert response.status_code == expected, (response.status_code, response.content[:300])


def valid_create_channel(org: Org, draw: Any) -> Valid:
    users = st.sampled_from(org.others)
    body = _body(
        "create_channel",
        org,
        draw,
        name=_names(),
        user_ids=st.lists(users, max_size=4),
        admin_ids=st.lists(users, max_size=2),
        moderator_ids=st.lists(users, max_size=2),
        email_ids=st.lists(st.sampled_from(sorted(org.emails)), max_size=3),
        team_ids=st.lists(st.sampled_from(org.teams), min_size=1, max_size=3),
    )
    if body["level"] == "team" and not body.get("team_ids"):
        body["team_ids"] = [org.teams[0]]
    before = org.emu.channel_count()

    def check(response: Response[Any]) -> None:
        _status(response, 200)
        assert isinstance(response.parsed, Channel)
        out = response.parsed.to_dict()
        level = body["level"]
        assert out["name"] == f"#{body['name']}"
        assert out["level"] == level
        assert out["description"] == body.get("description", "")
        assert out["invite_only"] is (bool(body.get("invite_only")) or level in ("private", "external"))
        assert out["status"] == ("pending" if level == "organization" else "created")
        assert out["current_user_role"] == "super_admin"
        members = {*body.get("user_ids", ()), *body.get("admin_ids", ()), *body.get("moderator_ids", ())}
        members |= {org.emails[email] for email in body.get("email_ids", ())}
        assert out["participant_count"] == 1 + len(members - {org.me})
        assert set(out["teams"]) == (set(body["team_ids"]) if level == "team" else set())
        assert out["config"] == _merged(DEFAULT_CONFIG, body.get("config"))
        for key, defaults in DEFAULT_PERMISSIONS.items():
            assert out[key] == _merged(defaults, body.get(key)), key
        assert org.emu.channel_count() == before + 1

    return Valid({"body": CreateChannelRequest.from_dict(body)}, check)


def valid_update_channel(org: Org, draw: Any) -> Valid:
    status = draw(st.sampled_from(["created", "pending"]))
    body = _body("update_channel", org, draw, name=_names())
    channel_id = org.some_channel(draw, status=status)
    previous = org.view(channel_id) or {}

    def check(response: Response[Any]) -> None:
        _status(response, 200)
        assert isinstance(response.parsed, Channel)
        out = response.parsed.to_dict()
        assert out["channel_id"] == channel_id
        assert out["name"] == (f"#{body['name']}" if "name" in body else previous["name"])
        assert out["description"] == body.get("description", previous["description"])
        assert out["config"] == _merged(previous["config"], body.get("config"))
        for key in DEFAULT_PERMISSIONS:
            assert out[key] == _merged(previous[key], body.get(key)), key
        assert org.view(channel_id) == out

    return Valid({"channel_id": channel_id, "body": UpdateChannelRequest.from_dict(body)}, check)


def valid_list_channels(org: Org, draw: Any) -> Valid:
    parameters = OPERATIONS_BY_ID["list_channels"].query_parameters
    schema = {"type": "object", "properties": dict(parameters)}
    users = [org.me, *org.others[:3]]
    # Valid inputs: an empty query value is invalid (allowEmptyValue defaults to false; refused before
    # sending, see the invalid inputs), so free-text parameters are non-empty here.
    free_text = {
        name: st.text(min_size=1, max_size=20)
        for name, parameter in parameters.items()
        if parameter.get("type") == "string" and "enum" not in parameter and "format" not in parameter
    }
    query = draw(
        from_schema(
            schema,
            omit=frozenset({"next_token", "sync_token"}),
            overrides={
                **free_text,
                "order_by": st.sampled_from(ORDERS),
                "created_by": st.sampled_from([*users, org.emu.default_user.email]),
                "name": st.sampled_from(["channel", "team", "#old", "theirs", "zz-none"]),
            },
        )
    )
    kwargs = {
        name: QUERY_TYPES[name](value)
        if name in QUERY_TYPES
        else datetime.datetime.fromisoformat(value)
        if name.endswith(("_before", "_after"))
        else value
        for name, value in query.items()
    }

    def check(response: Response[Any]) -> None:
        _status(response, 200)
        page = response.parsed
        assert isinstance(page, ChannelList)
        channels = page.channels if isinstance(page.channels, list) else []
        assert len(channels) <= query.get("limit", 50)
        assert isinstance(page.sync_token, str)
        assert page.sync_token
        if page.has_more:
            assert isinstance(page.next_token, str)
            assert page.next_token
        for channel in channels:
            out = channel.to_dict()
            for name in ("status", "level", "joined"):
                if name in query:
                    assert out[name] == query[name], (name, out[name])
            if query.get("pinned"):
                assert out["pinned"] is True
            if "name" in query:
                assert query["name"].lstrip("#").casefold() in out["name"].casefold()

    return Valid(kwargs, check)


def valid_get_channel(org: Org, draw: Any) -> Valid:
    level = draw(st.sampled_from(["organization", "team", "private"]))
    status = draw(st.sampled_from(["created", "pending", "archived"]))
    channel_id = org.some_channel(draw, level=level, status=status, team_ids=[org.my_team] if level == "team" else ())

    def check(response: Response[Any]) -> None:
        _status(response, 200)
        assert isinstance(response.parsed, Channel)
        assert response.parsed.to_dict() == org.view(channel_id)

    return Valid({"channel_id": channel_id}, check)


def valid_delete_channel(org: Org, draw: Any) -> Valid:
    status = draw(st.sampled_from(["created", "pending", "archived"]))
    channel_id = org.some_channel(draw, status=status)

    def check(response: Response[Any]) -> None:
        _status(response, 204)
        assert response.parsed is None
        assert org.view(channel_id) is None

    return Valid({"channel_id": channel_id}, check)


def _members_body(operation_id: str, org: Org, draw: Any) -> tuple[dict[str, Any], set[str]]:
    """A body naming users by ``user_ids`` and/or ``email_ids`` (at least one: the schema's anyOf), and those users."""
    users, emails = st.sampled_from(org.others), st.sampled_from(sorted(org.emails))
    body = _body(operation_id, org, draw, **{"user_ids[]": users, "email_ids[]": emails})
    if not body.get("user_ids") and not body.get("email_ids"):
        body["user_ids"] = [draw(users)]
    named = {*body.get("user_ids", ()), *(org.emails[email] for email in body.get("email_ids", ()))}
    return body, named


def valid_add_channel_members(org: Org, draw: Any) -> Valid:
    body, named = _members_body("add_channel_members", org, draw)
    channel_id = org.some_channel(draw)

    def check(response: Response[Any]) -> None:
        _status(response, 204)
        assert named <= set(org.emu.channel_members(channel_id))

    return Valid({"channel_id": channel_id, "body": AddChannelMembersRequest.from_dict(body)}, check)


def valid_get_channel_members(org: Org, draw: Any) -> Valid:
    members = draw(st.lists(st.sampled_from(org.others), max_size=8, unique=True))
    channel_id = org.channel(members=members)

    def check(response: Response[Any]) -> None:
        _status(response, 200)
        assert isinstance(response.parsed, ChannelMemberList)
        got = {m.user_id: str(m.user_role) for m in response.parsed.members or []}
        assert got == {org.me: "super_admin", **dict.fromkeys(members, "member")}

    return Valid({"channel_id": channel_id}, check)


def valid_remove_channel_members(org: Org, draw: Any) -> Valid:
    members = draw(st.lists(st.sampled_from(org.others), max_size=6, unique=True))
    body, named = _members_body("remove_channel_members", org, draw)
    channel_id = org.channel(members=members)

    def check(response: Response[Any]) -> None:
        _status(response, 204)
        assert set(org.emu.channel_members(channel_id)) == {org.me, *members} - named

    return Valid({"channel_id": channel_id, "body": RemoveChannelMembersRequest.from_dict(body)}, check)


def valid_update_channel_member_role(org: Org, draw: Any) -> Valid:
    user = draw(st.sampled_from(org.others))
    body = _body("update_channel_member_role", org, draw)
    channel_id = org.channel(members=[user])

    def check(response: Response[Any]) -> None:
        _status(response, 204)
        assert org.emu.channel_members(channel_id)[user] == body["role"]

    return Valid(
        {"channel_id": channel_id, "user_id": user, "body": UpdateChannelMemberRoleRequest.from_dict(body)}, check
    )


def valid_add_bot_to_channel(org: Org, draw: Any) -> Valid:
    bot = draw(st.sampled_from(org.bots))
    name = draw(_names())
    channel_id = org.channel(name_prefix=name)
    unique_name = (org.view(channel_id) or {})["unique_name"]
    body = _body("add_bot_to_channel", org, draw, channel_unique_name=st.just(unique_name))

    def check(response: Response[Any]) -> None:
        _status(response, 204)
        assert bot in org.emu.channel_bots(channel_id)

    return Valid({"bot_unique_name": bot, "body": AddBotToChannelRequest.from_dict(body)}, check)


def _status_after(org: Org, channel_id: str, expected: str | None, code: int = 204) -> Callable[[Response[Any]], None]:
    def check(response: Response[Any]) -> None:
        _status(response, code)
        view = org.view(channel_id)
        assert (view or {}).get("status") == expected if expected else view is None

    return check


def valid_approve_channel(org: Org, draw: Any) -> Valid:
    creator = draw(st.sampled_from([org.me, *org.others[:3]]))
    channel_id = org.some_channel(draw, status="pending", creator=creator)
    return Valid({"channel_id": channel_id}, _status_after(org, channel_id, "created"))


def valid_reject_channel(org: Org, draw: Any) -> Valid:
    creator = draw(st.sampled_from([org.me, *org.others[:3]]))
    channel_id = org.some_channel(draw, status="pending", creator=creator)
    return Valid({"channel_id": channel_id}, _status_after(org, channel_id, None))


def valid_join_channel(org: Org, draw: Any) -> Valid:
    level = draw(st.sampled_from(["organization", "team"]))
    creator = draw(st.sampled_from(org.others[:3]))
    channel_id = org.some_channel(draw, level=level, creator=creator, team_ids=[org.my_team] if level == "team" else ())

    def check(response: Response[Any]) -> None:
        _status(response, 200)
        assert isinstance(response.parsed, Channel)
        out = response.parsed.to_dict()
        assert (out["channel_id"], out["joined"], out["current_user_role"]) == (channel_id, True, "member")
        assert org.emu.channel_members(channel_id)[org.me] == "member"

    return Valid({"channel_id": channel_id}, check)


def valid_leave_channel(org: Org, draw: Any) -> Valid:
    level = draw(st.sampled_from(["organization", "private", "team"]))
    creator = draw(st.sampled_from(org.others[:3]))
    channel_id = org.some_channel(
        draw, level=level, creator=creator, members=[org.me], team_ids=[org.my_team] if level == "team" else ()
    )

    def check(response: Response[Any]) -> None:
        _status(response, 204)
        assert org.me not in org.emu.channel_members(channel_id)

    return Valid({"channel_id": channel_id}, check)


def valid_archive_channel(org: Org, draw: Any) -> Valid:
    level = draw(st.sampled_from(["organization", "private"]))
    channel_id = org.some_channel(draw, level=level)
    return Valid({"channel_id": channel_id}, _status_after(org, channel_id, "archived"))


def valid_unarchive_channel(org: Org, draw: Any) -> Valid:
    level = draw(st.sampled_from(["organization", "private"]))
    channel_id = org.some_channel(draw, level=level, status="archived")
    return Valid({"channel_id": channel_id}, _status_after(org, channel_id, "created"))


VALID: Mapping[str, Callable[[Org, Any], Valid]] = {
    name.removeprefix("valid_"): function for name, function in list(globals().items()) if name.startswith("valid_")
}


def test_every_operation_has_a_valid_input_builder() -> None:
    assert set(VALID) == set(OPERATIONS_BY_ID)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("operation_id", sorted(OPERATIONS_BY_ID))
def test_valid_inputs_round_trip(operation_id: str, mode: str, pytestconfig: pytest.Config) -> None:
    org = Org()
    client = org.client()
    ran = 0

    @given(data=st.data())
    @settings(SETTINGS, max_examples=VALID_EXAMPLES)
    def round_trip(data: st.DataObject) -> None:
        nonlocal ran
        valid = VALID[operation_id](org, data.draw)
        sent = len(org.emu.requests)
        response = call(operation_id, mode, client, valid.kwargs)
        valid.check(response)
        records = org.emu.requests[sent:]
        assert [(r.operation_id, r.status) for r in records] == [(operation_id, int(response.status_code))]
        ran += 1

    round_trip()
    report = report_for(pytestconfig, "hypothesis: valid and invalid inputs through the SDK")
    report.count(f"valid   {operation_id} ({mode})", ran)
    report.count("TOTAL valid", ran)
    assert ran >= MIN_VALID, f"only {ran} valid cases ran"


# --- invalid inputs ---------------------------------------------------------------------------------

#: Mutation value meaning "send no body at all".
ABSENT: Any = object()


def _body_mutations(operation: Operation) -> list[Mutation]:
    if operation.request_body is None:
        return []
    out = mutations(operation.request_body)
    if operation.request_body_required:
        out.append(Mutation((), ABSENT, "required", "body"))
    out.append(Mutation((), ["not", "an", "object"], "type", "body"))
    return out


def _path_mutations(operation: Operation) -> list[Mutation]:
    """An empty path id: its URL segment would vanish, so it is refused (rule ``minLength``) unsent."""
    return [Mutation((name,), "", "minLength", f"path.{name}") for name in operation.path_parameters]


def _query_schema(operation: Operation) -> dict[str, Any]:
    return {"type": "object", "properties": dict(operation.query_parameters)}


def _valid_query_schema(operation: Operation) -> dict[str, Any]:
    """The query schema with free text non-empty: an empty value is refused (``allowEmptyValue``)."""
    properties = {
        name: {**schema, "minLength": 1}
        if schema.get("type") == "string" and not schema.get("allowEmptyValue")
        else schema
        for name, schema in operation.query_parameters.items()
    }
    return {"type": "object", "properties": properties}


INVALID: Mapping[str, list[Mutation]] = {
    operation_id: _body_mutations(operation)
    + (mutations(_query_schema(operation), prefix="query.", query=True) if operation.query_parameters else [])
    + _path_mutations(operation)
    for operation_id, operation in OPERATIONS_BY_ID.items()
}
INVALID_OPERATIONS = sorted(operation_id for operation_id, found in INVALID.items() if found)


def test_invalid_inputs_exist_for_every_operation() -> None:
    assert set(INVALID_OPERATIONS) == set(OPERATIONS_BY_ID)
    rules = {mutation.rule for found in INVALID.values() for mutation in found}
    expected = {"type", "required", "enum", "maxLength", "minLength", "maxItems", "minItems", "minimum", "maximum"}
    assert expected | {"format", "contentEncoding", "allowEmptyValue"} <= rules
    assert any(mutation.field.startswith("path.") for found in INVALID.values() for mutation in found)


def _path_values(operation: Operation) -> st.SearchStrategy[dict[str, str]]:
    """Any non-empty id, dot segments included (an empty one is a mutation of its own)."""
    ids = st.text(min_size=1, max_size=12)
    return st.fixed_dictionaries({name: ids for name in operation.path_parameters})


def _typed_query(value: Any, name: str) -> Any:
    if name in QUERY_TYPES and isinstance(value, str):
        return QUERY_TYPES[name](value)  # unknown values become the enum's UNKNOWN pseudo-member
    if name.endswith(("_before", "_after")) and isinstance(value, str):
        return datetime.datetime.fromisoformat(value)
    return value


def _meets_any_of(schema: Mapping[str, Any], body: Any) -> bool:
    """A valid base body names one ``anyOf`` branch's fields (user_ids or email_ids): a mutation breaks only itself."""
    branches = schema.get("anyOf")
    if not branches or not isinstance(body, dict):
        return True
    return any(all(name in body for name in branch.get("required", ())) for branch in branches)


def _via_model(operation_id: str, body: Any) -> Any | None:
    """The typed model carrying ``body`` unchanged, or ``None`` when the model cannot express it."""
    model = BODY_MODELS[operation_id]
    if not isinstance(body, dict):
        return None
    try:
        instance = model.from_dict(body)
        same = instance.to_dict() == body
    except (KeyError, TypeError, AttributeError, ValueError):
        return None
    return instance if same else None


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("operation_id", INVALID_OPERATIONS)
def test_invalid_inputs_are_refused_before_sending(operation_id: str, mode: str, pytestconfig: pytest.Config) -> None:
    org = Org()
    client = org.client()
    operation = OPERATIONS_BY_ID[operation_id]
    found = INVALID[operation_id]
    body_schema = operation.request_body
    query_schema = _valid_query_schema(operation)
    ran = {"model": 0, "raw": 0}
    broken: set[str] = set()

    @given(
        mutation=st.sampled_from(found),
        body=(
            from_schema(body_schema).filter(functools.partial(_meets_any_of, body_schema)) if body_schema else st.none()
        ),
        query=from_schema(query_schema, omit=frozenset({"next_token", "sync_token"})),
        path=_path_values(operation),
    )
    @settings(SETTINGS, max_examples=max(INVALID_EXAMPLES, 6 * len(found)))  # enough draws to reach most rules
    def refused(mutation: Mutation, body: Any, query: dict[str, Any], path: dict[str, str]) -> None:
        kwargs: dict[str, Any] = {PATH_KWARGS[name]: value for name, value in path.items()}
        on_query = mutation.field.startswith("query.")
        if mutation.field.startswith("path."):
            path = {**path, str(mutation.path[0]): mutation.value}
            kwargs = {PATH_KWARGS[name]: value for name, value in path.items()}
        elif on_query:
            query = apply(query, mutation)
        else:
            body = apply(body, mutation) if mutation.value is not ABSENT else ABSENT
        kwargs |= {name: _typed_query(value, name) for name, value in query.items()}
        sent = len(org.emu.requests)
        model = None if on_query or body_schema is None else _via_model(operation_id, body)
        send: Callable[[], Any]
        if on_query or body_schema is None or model is not None:
            if model is not None:
                kwargs["body"] = model
            ran["model"] += 1
            send = functools.partial(call, operation_id, mode, client, kwargs)
        else:
            ran["raw"] += 1
            send = functools.partial(send_raw, operation, mode, client, path, body)
        with pytest.raises(CliqValidationError) as refusal:
            send()
        error = refusal.value
        assert (error.operation_id, error.field) == (operation_id, mutation.field), str(error)
        assert error.rule == mutation.rule, str(error)
        assert repr(mutation.field) in str(error), str(error)
        assert org.emu.requests[sent:] == (), "an invalid request reached the server"
        broken.add(mutation.label)

    refused()
    total = ran["model"] + ran["raw"]
    report = report_for(pytestconfig, "hypothesis: valid and invalid inputs through the SDK")
    report.count(f"invalid {operation_id} ({mode}; {len(broken)} rules, {ran['raw']} raw)", total)
    report.count("TOTAL invalid", total)
    assert total >= MIN_INVALID, f"only {total} invalid cases ran"
    assert len(broken) >= min(len(found), MIN_INVALID) * 0.6, sorted(broken)


def test_drop_marker_is_not_sent_as_a_value() -> None:
    """The builder's helpers themselves: a dropped required field is absent, not ``DROP``."""
    schema = OPERATIONS_BY_ID["create_channel"].request_body
    assert schema is not None
    dropped = apply({"name": "a", "level": "team"}, next(m for m in mutations(schema) if m.label == "name:required"))
    assert dropped == {"level": "team"}
    assert DROP not in dropped.values()
