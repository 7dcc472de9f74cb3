"""Zoho's rate limits read from the prose of each operation's description, and what an unreadable one becomes."""

from __future__ import annotations

from typing import Any

import pytest

from codegen.ingest import CONSERVATIVE_LOCK_SECONDS, derived_name, ingest
from codegen.limit_prose import LimitFacts, UnreadableLimit, parse_limit_prose

LOCK = "<br><br><b>Lock period</b>: 5 minutes<br>Wait time before consecutive API requests.<br>"
CALLS = "<br>Number of API calls allowed within a minute."


@pytest.mark.parametrize(
    ("threshold_text", "expected"),
    [
        ("20 requests per min per user", LimitFacts(20, 60, 300)),
        ("10 requests can be made per minute.", LimitFacts(10, 60, 300)),
        ("100 users per request can be added. 10 requests can be made per minute.", LimitFacts(10, 60, 300, 100)),
        ("5 requests can be made per minute.", LimitFacts(5, 60, 300)),
        ("3 requests per hour per user", LimitFacts(3, 3600, 300)),
    ],
)
def test_every_phrasing_of_zohos_document_is_read(threshold_text: str, expected: LimitFacts) -> None:
    description = f"Use this API.<br><br><b>Threshold limit</b> : {threshold_text}{CALLS}{LOCK}"
    assert parse_limit_prose(description) == expected


def test_a_missing_lock_period_is_none_and_becomes_the_given_default() -> None:
    facts = parse_limit_prose("<b>Threshold limit</b> : 7 requests per min per user")
    assert facts.lock_seconds is None
    assert facts.extension(default_lock=600)["lock_seconds"] == 600


@pytest.mark.parametrize(
    "description",
    [
        "Use this API to join a channel.",  # no limit stated at all
        "<b>Threshold limit</b> : a few requests now and then",  # a phrasing nobody taught the parser
        "<b>Threshold limit</b> : 0 requests per min per user",
    ],
)
def test_an_unreadable_limit_raises_with_the_text(description: str) -> None:
    with pytest.raises(UnreadableLimit) as caught:
        parse_limit_prose(description)
    assert caught.value.text
    assert caught.value.text in str(caught.value)


def _document(*descriptions: str) -> dict[str, Any]:
    paths = {f"/things/{index}": {"post": {"description": text}} for index, text in enumerate(descriptions)}
    return {"openapi": "3.0.0", "tags": [{"name": "channels"}], "paths": paths}


def test_ingest_never_makes_an_unreadable_limit_unlimited() -> None:
    readable = f"<b>Threshold limit</b> : 8 requests per min per user{LOCK}"
    tighter = f"<b>Threshold limit</b> : 6 requests can be made per minute.{LOCK}"
    document, report = ingest(_document(readable, tighter, "Pin a channel."))
    unread = document["paths"]["/things/2"]["post"]["x-zoho-rate-limit"]
    # The strictest threshold the document states elsewhere, the longest lock any source states.
    assert unread == {"threshold": 6, "window_seconds": 60, "lock_seconds": CONSERVATIVE_LOCK_SECONDS, "per": "user"}
    assert [(limit.method, limit.path) for limit in report.unread_limits] == [("POST", "/things/2")]
    assert report.unread_limits[0].text == "Pin a channel."
    assert document["paths"]["/things/0"]["post"]["x-zoho-rate-limit"]["threshold"] == 8


def test_ingest_derives_names_tags_and_31_and_leaves_its_input_alone() -> None:
    downloaded = _document(f"<b>Threshold limit</b> : 8 requests per min per user{LOCK}")
    document, report = ingest(downloaded)
    operation = document["paths"]["/things/0"]["post"]
    assert operation["operationId"] == "post_things_0"
    assert operation["tags"] == ["channels"]
    assert document["openapi"] == "3.1.0"
    assert report.derived_names == {("POST", "/things/0"): operation["operationId"]}
    assert "operationId" not in downloaded["paths"]["/things/0"]["post"]
    assert downloaded["openapi"] == "3.0.0"


def test_derived_names_are_deterministic_snake_case_from_method_and_path() -> None:
    assert derived_name("PUT", "/channels/{CHANNEL_ID}/pin") == "put_channels_by_channel_id_pin"
    assert derived_name("get", "/channels/{CHANNEL_ID}") == "get_channels_by_channel_id"
    assert derived_name("GET", "/channels") == "get_channels"
    assert derived_name("POST", "/bots/{BOT_UNIQUE_NAME}/associate") == "post_bots_by_bot_unique_name_associate"
