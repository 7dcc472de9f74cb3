"""A path id is one segment, routed as sent: whatever it holds, it is an unknown id, never another route or channel.

Before, the emulator routed on the decoded path and read ids from a URL parsed
by ``urlsplit``: ``%09``/``%0D`` were stripped (``C1%09`` *was* channel C1),
``%0A`` made the route vanish (404 ``url_not_found``), ``%2F`` added a
segment (``C1%2Fmembers`` was ``get_channel_members`` of C1), and openapi-core
lost ids ``"."`` and ``";"`` in ``urljoin`` (400 "'' should be non-empty").
"""

from __future__ import annotations

from typing import Any

import pytest

from cliq_channels_client.custom.testing.app import _routing_path
from cliq_channels_client.custom.testing.contract import path_pattern

from .conftest import Api

NOT_FOUND = "resource_not_found"


def check_unknown(api: Api, method: str, path: str, operation_id: str, recorded_path: str) -> None:
    response = api.request(method, path)  # also checked against the document (check_response)
    assert response.status_code == 404, response.text
    assert response.json()["code"] == NOT_FOUND
    record = api.emu.requests[-1]
    assert (record.operation_id, record.path, record.status) == (operation_id, recorded_path, 404)


@pytest.mark.parametrize(("encoded", "decoded"), [("%0A", "\n"), ("%09", "\t"), ("%0D", "\r"), ("%0Ax", "\nx")])
def test_control_characters_in_an_id_are_kept(api: Api, encoded: str, decoded: str) -> None:
    channel = api.create()
    cid = channel["channel_id"]
    for suffix_encoded, suffix_decoded in ((encoded, decoded), (f"x{encoded}", f"x{decoded}")):
        wrong, wrong_decoded = f"{cid}{suffix_encoded}", f"{cid}{suffix_decoded}"
        check_unknown(api, "GET", f"/channels/{wrong}", "get_channel", f"/api/v2/channels/{wrong_decoded}")
        check_unknown(
            api, "GET", f"/channels/{wrong}/members", "get_channel_members", f"/api/v2/channels/{wrong_decoded}/members"
        )
        check_unknown(api, "DELETE", f"/channels/{wrong}", "delete_channel", f"/api/v2/channels/{wrong_decoded}")
        check_unknown_any_path(api, "POST", f"/channels/{encoded}{cid}/archive", "archive_channel")
    # the channel itself was never touched
    assert api.get(f"/channels/{cid}").json()["status"] == channel["status"]


def check_unknown_any_path(api: Api, method: str, path: str, operation_id: str, **kwargs: Any) -> dict[str, Any]:
    response = api.request(method, path, **kwargs)
    assert response.status_code == 404, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == NOT_FOUND
    assert api.emu.requests[-1].operation_id == operation_id
    return body


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [(";", ";"), ("%3B", ";"), ("a;b", "a;b"), ("%2E", "."), ("%2E%2E", ".."), ("%2e", "."), ("a%2F", "a/")],
)
def test_ids_a_url_parser_would_rewrite_are_just_unknown(api: Api, encoded: str, decoded: str) -> None:
    """A channel id of ";" used to come out empty: openapi-core's urljoin drops a last segment's ";params"."""
    body = check_unknown_any_path(api, "GET", f"/channels/{encoded}", "get_channel")
    assert f"no channel with id {decoded!r}" in body["message"]
    assert api.emu.requests[-1].path == f"/api/v2/channels/{decoded}"
    check_unknown_any_path(api, "GET", f"/channels/{encoded}/members", "get_channel_members")
    check_unknown_any_path(api, "POST", f"/channels/{encoded}/approve", "approve_channel")
    members = {"user_ids": ["55000001"]}
    check_unknown_any_path(api, "DELETE", f"/channels/{encoded}/members", "remove_channel_members", json=members)


def test_an_encoded_slash_never_reaches_another_route(api: Api) -> None:
    cid = api.create()["channel_id"]
    body = check_unknown_any_path(api, "GET", f"/channels/{cid}%2Fmembers", "get_channel")
    assert f"no channel with id '{cid}/members'" in body["message"]
    check_unknown_any_path(api, "DELETE", f"/channels/x%2F..%2F{cid}", "delete_channel")
    assert api.get(f"/channels/{cid}").status_code == 200


def test_odd_ids_under_a_network(api: Api) -> None:
    root = str(api.http.base_url.copy_with(path="/network/zylker%3Bpartners/api/v2"))
    check_unknown_any_path(api, "GET", f"{root}/channels/%3B", "get_channel")
    record = api.emu.requests[-1]
    assert (record.network, record.path) == ("zylker;partners", "/network/zylker;partners/api/v2/channels/;")


def test_unknown_paths_are_still_404_url_not_found(api: Api) -> None:
    for path in ("/channels/x/nothing", "/channels/%0A/members/x/y", "/nothing%0A"):
        response = api.get(path, check=False)
        assert response.status_code == 404
        assert response.json()["code"] == "url_not_found"


def test_path_pattern_is_the_template_under_the_servers_prefix() -> None:
    assert path_pattern("GET", "/api/v2/channels/%2E") == "/api/v2/channels/{CHANNEL_ID}"
    assert path_pattern("put", "/network/n%3B1/api/v2/channels/;/members/%0A") == (
        "/network/n;1/api/v2/channels/{CHANNEL_ID}/members/{USER_ID}"
    )
    assert path_pattern("GET", "/api/v2/channels") == "/api/v2/channels"
    assert path_pattern("GET", "/api/v2/nothing") is None


def test_the_router_sees_the_raw_path_or_the_decoded_one_encoded_again() -> None:
    assert _routing_path({"path": "/api/v2/channels/a/b\n", "raw_path": b"/api/v2/channels/a%2Fb%0A"}) == (
        "/api/v2/channels/a%2Fb%0A"
    )
    # raw bytes that should have been encoded are, and existing escapes stay as they are
    assert _routing_path({"path": "", "raw_path": b"/channels/\xc3\xa9 %2E"}) == "/channels/%C3%A9%20%2E"
    # raw_path is optional in ASGI
    assert _routing_path({"path": "/api/v2/channels/a b\n;"}) == "/api/v2/channels/a%20b%0A;"
