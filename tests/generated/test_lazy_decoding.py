"""Decoding shortcuts of the generated models (issue 13): nested models and unknown keys worked out on first read.

``Channel``'s permission objects and ``teams`` cannot fail to decode from a
dict, so ``from_dict`` keeps the server's dict and the first read builds the
model (custom/lazy_models.py); models that can fail (``last_message_info``
has a date-time) are decoded at once.  The unknown keys
(``additional_properties``) are collected on first read from the server's
mapping, kept as ``(mapping,)`` until then.  Whatever the shortcut, what a
caller sees must be what eager decoding gave.
"""

from __future__ import annotations

import copy
import gc
import json
import pickle
import threading
from collections.abc import Callable
from functools import partial
from types import MappingProxyType
from typing import Any

import attrs
import pytest

from cliq_channels_client.custom.lazy_models import RAW_PREFIX, decode_on_first_read, keep_unknown_keys_on_first_read
from cliq_channels_client.models import (
    Channel,
    ChannelList,
    ChannelPermission,
    ChannelTeams,
    CreateChannelRequest,
    LastMessageInfo,
)
from cliq_channels_client.types import UNSET

LAZY_FIELDS = ("admin_permission", "moderator_permission", "member_permission", "teams")


def permission(**flags: bool) -> dict[str, Any]:
    return {"send_message": True, "edit_channel_info": False, "delete_channel": False, **flags}


def channel_json(channel_id: str = "T1", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "#general",
        "level": "organization",
        "status": "created",
        "channel_id": channel_id,
        "creation_time": "2026-11-28T10:55:40+00:00",
        "admin_permission": permission(delete_channel=True),
        "moderator_permission": permission(edit_channel_info=True),
        "member_permission": permission(),
        "teams": {"2323334": "Support"},
        "last_message_info": {"sender_id": "55000001", "time": "2026-11-28T10:55:40+00:00", "text": "hi"},
    }
    body.update(fields)
    return body


def holds(obj: object, value: object) -> bool:
    """Whether ``obj`` refers to ``value`` itself (a slot holding the server's dict)."""
    return any(referent is value for referent in gc.get_referents(obj))


def test_nested_models_that_cannot_fail_are_kept_as_the_servers_dict_until_read() -> None:
    body = channel_json()
    channel = Channel.from_dict(body)
    for name in LAZY_FIELDS:
        assert holds(channel, body[name]), name
    assert not holds(channel, body["last_message_info"])  # decoded at once: it can fail
    assert isinstance(channel.last_message_info, LastMessageInfo)


def test_a_read_gives_the_model_and_later_reads_the_same_object() -> None:
    body = channel_json()
    channel = Channel.from_dict(body)
    admin = channel.admin_permission
    assert isinstance(admin, ChannelPermission)
    assert admin == ChannelPermission.from_dict(body["admin_permission"])
    assert admin.delete_channel is True
    assert admin.archive_channel is UNSET
    assert channel.admin_permission is admin
    assert not holds(channel, body["admin_permission"])  # the model replaced the dict
    teams = channel.teams
    assert isinstance(teams, ChannelTeams)
    assert teams.additional_properties == {"2323334": "Support"}


def test_the_lazy_model_equals_the_eager_one_everywhere_a_caller_looks() -> None:
    body = channel_json()
    lazy, read = Channel.from_dict(body), Channel.from_dict(body)
    for name in LAZY_FIELDS:
        getattr(read, name)
    assert lazy == read
    assert read == Channel.from_dict(body)
    assert repr(Channel.from_dict(body)) == repr(read)
    assert "ChannelPermission(send_message=True" in repr(Channel.from_dict(body))
    assert Channel.from_dict(body).to_dict() == body
    assert attrs.asdict(Channel.from_dict(body)) == attrs.asdict(read)
    assert attrs.evolve(Channel.from_dict(body), name="#renamed").member_permission == read.member_permission
    assert copy.deepcopy(Channel.from_dict(body)).teams == read.teams
    # pickling reads the slots through the descriptor (UNSET itself does not survive pickling: not compared)
    unpickled = pickle.loads(pickle.dumps(Channel.from_dict(body)))  # noqa: S301 - our own bytes
    assert isinstance(unpickled.admin_permission, ChannelPermission)
    assert unpickled.admin_permission.delete_channel is True


def test_a_permission_changed_before_or_after_the_first_read_is_kept() -> None:
    channel = Channel.from_dict(channel_json())
    channel.moderator_permission = ChannelPermission(send_message=False)
    assert channel.moderator_permission == ChannelPermission(send_message=False)
    admin = channel.admin_permission
    assert isinstance(admin, ChannelPermission)
    admin.send_message = False
    assert channel.to_dict()["admin_permission"]["send_message"] is False


def test_unknown_fields_inside_a_lazily_decoded_model_are_kept() -> None:
    body = channel_json(admin_permission=permission(summon_dragons=True) | {"future": {"deep": [1]}})
    admin = Channel.from_dict(body).admin_permission
    assert isinstance(admin, ChannelPermission)
    assert admin.additional_properties == {"summon_dragons": True, "future": {"deep": [1]}}
    assert Channel.from_dict(body).to_dict() == body


def test_an_absent_nested_model_is_unset_and_stays_absent_in_to_dict() -> None:
    body = channel_json()
    del body["member_permission"], body["teams"]
    channel = Channel.from_dict(body)
    assert channel.member_permission is UNSET
    assert channel.teams is UNSET
    assert channel.to_dict() == body


@pytest.mark.parametrize("value", [[1, 2], "all", 5, None, True])
def test_a_nested_model_that_is_not_a_dict_fails_when_decoded_not_when_read(value: object) -> None:
    with pytest.raises((AttributeError, TypeError, ValueError)):
        Channel.from_dict(channel_json(admin_permission=value))


def test_a_nested_model_that_can_fail_is_decoded_at_once() -> None:
    with pytest.raises(ValueError, match="Invalid isoformat"):
        Channel.from_dict(channel_json(last_message_info={"time": "not a date"}))


def test_a_mapping_that_is_not_a_dict_is_decoded_at_once() -> None:
    body = channel_json(admin_permission=MappingProxyType(permission()))
    channel = Channel.from_dict(body)
    assert not holds(channel, body["admin_permission"])
    assert channel.admin_permission == ChannelPermission.from_dict(permission())


def test_request_models_built_by_the_caller_behave_as_before() -> None:
    request = CreateChannelRequest(name="general", level=Channel.from_dict(channel_json()).level)
    request.admin_permission = ChannelPermission(send_message=True)
    assert request.to_dict()["admin_permission"] == {"send_message": True}
    assert CreateChannelRequest.from_dict(request.to_dict()) == request


def read_at_once(read: Callable[[], object], threads: int = 8) -> list[object]:
    """What ``read`` returned in each of ``threads`` threads started together (a barrier)."""
    start = threading.Barrier(threads)
    seen: list[object] = []

    def run() -> None:
        start.wait()
        seen.append(read())

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return seen


def test_the_first_read_from_many_threads_decodes_once() -> None:
    for _ in range(20):
        channel = Channel.from_dict(channel_json())
        seen = read_at_once(partial(getattr, channel, "admin_permission"))
        assert len(seen) == 8
        assert all(value is seen[0] for value in seen)


def test_the_descriptor_on_the_class_and_on_a_non_slot() -> None:
    assert Channel.__dict__["admin_permission"] is not None
    assert "admin_permission" in {field.name for field in attrs.fields(Channel)}

    @attrs.define(slots=False)
    class NoSlots:
        permission: Any = None

    with pytest.raises(TypeError, match="not a slot"):
        decode_on_first_read(NoSlots, "permission", ChannelPermission)
    with pytest.raises(TypeError, match="additional_properties is not a slot"):
        keep_unknown_keys_on_first_read(NoSlots, frozenset())


def test_unknown_keys_follow_each_objects_own_layout() -> None:
    """Objects with other keys in between, unknown keys in the server's order."""
    plain = channel_json("T1")
    extra = {"zeta": 1, **channel_json("T2"), "config": {"reply_mode": "both"}, "alpha": [2]}
    reordered = dict(reversed(list(channel_json("T3", beta=None).items())))
    page = {"channels": [plain, extra, extra, plain, reordered, extra, plain], "has_more": False}
    decoded = ChannelList.from_dict(json.loads(json.dumps(page)))
    unknown = [channel.additional_properties for channel in decoded.channels]
    extra_keys = {"zeta": 1, "config": {"reply_mode": "both"}, "alpha": [2]}
    assert unknown == [{}, extra_keys, extra_keys, {}, {"beta": None}, extra_keys, {}]
    assert unknown[1] is not unknown[2]  # each object owns its additional_properties
    assert list(unknown[1]) == ["zeta", "config", "alpha"]
    assert decoded.to_dict() == page


def test_the_unknown_keys_are_kept_as_the_servers_mapping_until_read() -> None:
    body = channel_json(config={"reply_mode": "both"}, zeta=1)
    channel = Channel.from_dict(body)
    pending = [referent for referent in gc.get_referents(channel) if type(referent) is tuple]
    assert [item[0] is body for item in pending] == [True]  # (body,): nothing collected yet
    unknown = channel.additional_properties
    assert unknown == {"config": {"reply_mode": "both"}, "zeta": 1}
    assert list(unknown) == ["config", "zeta"]
    assert unknown["config"] is body["config"]  # the server's value itself, as for known fields
    assert channel.additional_properties is unknown
    assert not any(type(referent) is tuple for referent in gc.get_referents(channel))
    assert channel["zeta"] == 1
    assert "config" in channel
    assert channel.additional_keys == ["config", "zeta"]


def test_every_generated_model_with_properties_collects_its_unknown_keys_on_first_read() -> None:
    """The alias the generated ``from_dict`` stores through is the attrs slot itself, on every such model."""
    for model in (Channel, ChannelList, ChannelPermission, LastMessageInfo, CreateChannelRequest):
        slot = getattr(model, RAW_PREFIX + "additional_properties")
        assert type(slot).__name__ == "member_descriptor", model
        assert type(model.__dict__["additional_properties"]).__name__ == "_UnknownKeysOnFirstRead", model
    assert ChannelPermission.from_dict({"send_message": True, "x": 1}).additional_properties == {"x": 1}
    assert LastMessageInfo.from_dict({"text": "hi", "y": [2]}).additional_properties == {"y": [2]}
    assert ChannelList.from_dict({"channels": [], "z": None}).additional_properties == {"z": None}


def test_a_channel_without_unknown_keys_has_an_empty_dict_of_its_own() -> None:
    body = channel_json()
    first, second = Channel.from_dict(body), Channel.from_dict(body)
    assert first.additional_properties == {}
    assert first.additional_properties is not second.additional_properties
    first["added"] = True
    assert second.additional_properties == {}
    assert first.to_dict() == {**body, "added": True}


def test_unknown_keys_from_a_mapping_that_is_not_a_dict() -> None:
    body = MappingProxyType(channel_json(config={"reply_mode": "both"}))
    assert Channel.from_dict(body).additional_properties == {"config": {"reply_mode": "both"}}


def test_unknown_keys_read_before_or_after_eq_repr_copy_and_pickle_are_the_same() -> None:
    body = channel_json(config={"reply_mode": "both"})
    read = Channel.from_dict(body)
    assert read.additional_properties == {"config": {"reply_mode": "both"}}
    assert Channel.from_dict(body) == read
    assert repr(Channel.from_dict(body)) == repr(read)
    assert "additional_properties={'config'" in repr(Channel.from_dict(body))
    assert copy.copy(Channel.from_dict(body)).additional_properties == read.additional_properties
    unpickled = pickle.loads(pickle.dumps(Channel.from_dict(body)))  # noqa: S301 - our own bytes
    assert unpickled.additional_properties == {"config": {"reply_mode": "both"}}
    assert attrs.asdict(Channel.from_dict(body))["additional_properties"] == {"config": {"reply_mode": "both"}}
    assert Channel.from_dict(body) != Channel.from_dict(channel_json(config={"reply_mode": "thread"}))


def test_additional_properties_replaced_by_the_caller_are_kept_and_a_tuple_is_refused() -> None:
    channel = Channel.from_dict(channel_json(config={"reply_mode": "both"}))
    channel.additional_properties = {"mine": 1}
    assert channel.additional_properties == {"mine": 1}
    with pytest.raises(TypeError, match="additional_properties is a dict"):
        channel.additional_properties = ({"mine": 2},)  # type: ignore[assignment]
    assert channel.additional_properties == {"mine": 1}
    del channel.additional_properties
    with pytest.raises(AttributeError):
        _ = channel.additional_properties


def test_the_first_read_of_the_unknown_keys_from_many_threads_collects_once() -> None:
    for _ in range(20):
        channel = Channel.from_dict(channel_json(config={"reply_mode": "both"}))
        seen = read_at_once(partial(getattr, channel, "additional_properties"))
        assert len(seen) == 8
        assert all(value is seen[0] for value in seen)
