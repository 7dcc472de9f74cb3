"""Requests the emulator refuses: 400 from the OpenAPI document, 401, 403, 404, 405, 406."""

from __future__ import annotations

import pytest

from cliq_channels_client.custom.clock import FakeClock
from cliq_channels_client.custom.testing import CHANNELS_ALL_SCOPE, CliqEmulator

from .conftest import Api

MSG_400 = "The request cannot be performed. Usually because of malformed parameter or missing parameter."
MSG_401 = "Request was rejected because of invalid AuthToken."


@pytest.mark.parametrize(
    ("body", "field", "detail"),
    [
        ({"name": "x" * 51, "level": "private"}, "name", "is too long"),
        ({"name": "ok", "level": "galaxy"}, "level", "is not one of"),
        ({"name": "ok", "level": "team", "invite_only": "yes"}, "invite_only", "is not of type 'boolean'"),
        ({"name": "ok", "level": "private", "email_ids": ["not-an-email"]}, "email_ids.0", "is not a 'email'"),
        ({"name": "ok", "level": "private", "config": {"reply_mode": "loud"}}, "config.reply_mode", "is not one of"),
        ({"name": "ok", "level": "private", "image_data": "%%%"}, "image_data", "is not a 'byte'"),
        ({"name": "ok", "level": "private", "admin_permission": {"prime_time": 1}}, "admin_permission.prime_time", ""),
        ({"name": "ok"}, "level", "is required"),
        ([1, 2], "body", "is not of type 'object'"),
    ],
)
def test_bodies_that_break_the_document_name_the_field(local: Api, body: object, field: str, detail: str) -> None:
    response = local.post("/channels", json=body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "invalid_parameter"
    assert payload["message"].startswith(f"{MSG_400} (field '{field}': ")
    assert detail in payload["message"]
    assert local.emu.channel_count() == 0


def test_body_that_is_missing_not_json_or_not_json_typed(local: Api) -> None:
    missing = local.post("/channels")
    assert missing.status_code == 400
    assert "field 'body': a JSON request body is required" in missing.json()["message"]
    garbage = local.post("/channels", content=b"{nope", headers={"Content-Type": "application/json"})
    assert garbage.status_code == 400
    assert "field 'body': is not valid JSON" in garbage.json()["message"]
    text = local.post("/channels", content=b'{"name":"a","level":"team"}', headers={"Content-Type": "text/plain"})
    assert text.status_code == 400
    assert "Content-Type 'text/plain'" in text.json()["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"status": "deleted"}, "status"),
        ({"level": "planet"}, "level"),
        ({"pinned": "maybe"}, "pinned"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"modified_before": "2026-01-01"}, "modified_before"),
        ({"order_by": "size"}, "order_by"),
        ({"next_token": "abc"}, "next_token"),
        ({"sync_token": "00" * 40}, "sync_token"),
    ],
)
def test_query_parameters_that_break_the_document_name_the_parameter(
    local: Api, params: dict[str, str], field: str
) -> None:
    response = local.get("/channels", params=params)
    assert response.status_code == 400
    assert f"(field '{field}': " in response.json()["message"]


def test_several_broken_fields_are_all_named(local: Api) -> None:
    response = local.post("/channels", json={"name": "", "level": "x"})
    message = response.json()["message"]
    assert "field 'name'" in message
    assert "field 'level'" in message


def test_missing_bad_or_expired_token_is_401(api: Api, clock: FakeClock) -> None:
    emu = api.emu
    expected = {"code": "oauthtoken_invalid", "message": MSG_401}
    no_token = api.get("/channels", headers={"Authorization": ""})
    assert (no_token.status_code, no_token.json()) == (401, expected)
    bad = api.get("/channels", headers={"Authorization": "Zoho-oauthtoken 1000.nope.nope"})
    assert (bad.status_code, bad.json()) == (401, expected)
    wrong_scheme = api.get("/channels", headers={"Authorization": f"Basic {api.token}"})
    assert wrong_scheme.status_code == 401
    bearer = api.get("/channels", headers={"Authorization": f"Bearer {api.token}"})
    assert bearer.status_code == 200  # the reference's samples use "Bearer"
    short = emu.issue_access_token(expires_in=30)
    assert api.get("/channels", headers={"Authorization": f"Zoho-oauthtoken {short}"}).status_code == 200
    clock.advance(30)
    expired = api.get("/channels", headers={"Authorization": f"Zoho-oauthtoken {short}"})
    assert (expired.status_code, expired.json()) == (401, expected)
    assert emu.count(status=401) == 4
    assert emu.count(operation_id="list_channels", user=emu.default_user) == 2


def test_tokens_expire_after_the_configured_ttl(clock: FakeClock) -> None:
    emu = CliqEmulator(clock=clock, token_ttl=120)
    client = emu.client(raise_on_error=False)  # statuses handed back, not raised
    from cliq_channels_client.api.channels import list_channels

    assert list_channels.sync_detailed(client=client).status_code == 200
    clock.advance(119)
    assert list_channels.sync_detailed(client=client).status_code == 200
    clock.advance(1)
    assert list_channels.sync_detailed(client=client).status_code == 401
    emu.close()


def test_token_without_the_operation_scope_is_403(api: Api) -> None:
    emu = api.emu
    reader = api.as_user(emu.default_user, scopes=["ZohoCliq.Channels.READ"])
    assert reader.get("/channels").status_code == 200
    denied = reader.post("/channels", json={"name": "x", "level": "private"})
    assert denied.status_code == 403
    assert denied.json()["code"] == "invalid_oauthscope"
    assert "ZohoCliq.Channels.CREATE" in denied.json()["message"]
    cid = emu.seed_channels(1, level="private")[0]
    assert reader.post(f"/channels/{cid}/archive").status_code == 403
    assert reader.delete(f"/channels/{cid}").status_code == 403
    umbrella = api.as_user(emu.default_user, scopes=[CHANNELS_ALL_SCOPE])
    assert umbrella.post(f"/channels/{cid}/archive").status_code == 204


def test_unknown_paths_are_404_and_wrong_methods_405(api: Api) -> None:
    for path in ("/nothing", "/channels/", "/network/n", "/bots/x"):
        response = api.get(path, check=False)
        assert response.status_code == 404, path
        assert response.json()["code"] == "url_not_found"
    outside = api.http.get(str(api.http.base_url).replace("/api/v2", "/elsewhere"))
    assert outside.status_code == 404
    for method, path in (("PATCH", "/channels"), ("DELETE", "/channels/T1/join"), ("GET", "/bots/b/associate")):
        response = api.request(method, path, check=False)
        assert response.status_code == 405, (method, path)
        assert response.json()["code"] == "method_not_allowed"
    head = api.request("HEAD", "/channels", check=False)
    assert head.status_code == 405
    assert api.emu.count(status=405) == 4


def test_accept_without_json_is_406(local: Api) -> None:
    response = local.get("/channels", headers={"Accept": "text/html"})
    assert response.status_code == 406
    assert local.get("/channels", headers={"Accept": "text/html, application/json;q=0.5"}).status_code == 200
