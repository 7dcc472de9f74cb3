"""The emulator's answers validate against the OpenAPI document (openapi-core response validation)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from openapi_core.templating.paths.exceptions import PathNotFound
from openapi_core.validation.response.exceptions import InvalidData

from cliq_channels_client import RetryPolicy
from cliq_channels_client.custom.operations import OPERATIONS_BY_ID
from cliq_channels_client.custom.testing import CliqEmulator, ContractViolation, check_response, load_contract
from cliq_channels_client.custom.testing.contract import OpenAPIRequest, OpenAPIResponse

from .conftest import Api


def _validate_with_openapi_core(response: httpx.Response) -> None:
    """openapi-core's own response validation, on the raw exchange."""
    request = OpenAPIRequest(
        response.request.method,
        response.request.url.path,
        query=response.request.url.params.multi_items(),
        headers=response.request.headers.multi_items(),
        body=response.request.content,
    )
    load_contract().validate_response(
        request, OpenAPIResponse(response.status_code, response.content, response.headers.multi_items())
    )


def test_every_operation_answers_within_the_document(api: Api) -> None:
    emu = api.emu
    scott = emu.create_user("Scott")
    team = emu.create_team("SALES", [scott])
    emu.create_bot("helper")
    seen: list[httpx.Response] = []

    def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = api.request(method, path, check=False, **kwargs)
        seen.append(response)
        return response

    channel = call("POST", "/channels", json={"name": "Contract", "level": "team", "team_ids": [team.team_id]}).json()
    cid = channel["channel_id"]
    org = call("POST", "/channels", json={"name": "Org", "level": "organization"}).json()
    call("POST", f"/channels/{org['channel_id']}/approve")
    rejected = call("POST", "/channels", json={"name": "Rejected", "level": "organization"}).json()
    call("POST", f"/channels/{rejected['channel_id']}/reject")
    emu.post_message(cid, text="hi")
    emu.pin_channel(cid)
    call("GET", "/channels", params={"limit": 1})
    sync = call("GET", "/channels").json()["sync_token"]
    call("GET", f"/channels/{cid}")
    call("PUT", f"/channels/{cid}", json={"description": "d"})
    call("POST", f"/channels/{cid}/members", json={"user_ids": [scott.user_id]})
    call("GET", f"/channels/{cid}/members")
    call("PUT", f"/channels/{cid}/members/{scott.user_id}", json={"role": "moderator"})
    call("POST", "/bots/helper/associate", json={"channel_unique_name": channel["unique_name"]})
    call("DELETE", f"/channels/{cid}/members", json={"user_ids": [scott.user_id]})
    call("POST", f"/channels/{org['channel_id']}/leave")
    call("POST", f"/channels/{org['channel_id']}/join")
    call("POST", f"/channels/{cid}/archive")
    call("POST", f"/channels/{cid}/unarchive")
    call("GET", "/channels", params={"sync_token": sync})
    call("DELETE", f"/channels/{org['channel_id']}")
    # documented errors
    call("GET", "/channels/T4000000049999")
    call("POST", "/channels", json={"level": "x"})
    call("GET", "/channels", headers={"Authorization": "Zoho-oauthtoken nope"})
    call("GET", "/channels", headers={"Accept": "text/html"})
    call("DELETE", f"/channels/{cid}")
    wrong_method = api.request("PATCH", "/channels", check=False)

    assert {r.status_code for r in seen} >= {200, 204, 400, 401, 404, 406}
    for response in seen:
        check_response(response)
        _validate_with_openapi_core(response)
    # PATCH is in no operation, so its 405 is checked against the 405 every operation documents
    assert wrong_method.status_code == 405
    wrong_method.request = httpx.Request("GET", wrong_method.request.url)
    _validate_with_openapi_core(wrong_method)
    assert {r.operation_id for r in emu.requests if r.operation_id} == set(OPERATIONS_BY_ID)
    assert emu.count(status=500) == 0  # the in-app check (validate_responses=True) found nothing either


def test_throttled_answers_are_documented(local: Api) -> None:
    for _ in range(OPERATIONS_BY_ID["list_channels"].rate_limit.threshold):
        local.get("/channels")
    throttled = local.get("/channels", check=False)
    assert throttled.status_code == 429
    _validate_with_openapi_core(throttled)


def test_the_validator_catches_broken_answers(local: Api) -> None:
    good = local.post("/channels", json={"name": "Broken", "level": "private"})
    broken = httpx.Response(
        200,
        json={**good.json(), "total_message_count": 0, "level": "galaxy"},
        request=good.request,
    )
    with pytest.raises(ContractViolation, match=r"total_message_count|galaxy"):
        check_response(broken)
    with pytest.raises(InvalidData):
        _validate_with_openapi_core(broken)
    undocumented = httpx.Response(204, request=httpx.Request("GET", "http://x/api/v2/channels"))
    with pytest.raises(ContractViolation):
        check_response(undocumented)
    nowhere = httpx.Response(200, json={}, request=httpx.Request("GET", "http://x/elsewhere"))
    with pytest.raises(PathNotFound):
        _validate_with_openapi_core(nowhere)


def test_validate_responses_turns_contract_drift_into_500(monkeypatch: pytest.MonkeyPatch) -> None:
    emu = CliqEmulator(validate_responses=True)
    original = emu.store._render

    def drifted(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return {**original(*args, **kwargs), "participant_count": "many"}

    monkeypatch.setattr(emu.store, "_render", drifted)
    with emu, emu.client(raise_on_error=False, retry=RetryPolicy.disabled()) as client:
        response = client.get_httpx_client().post("/channels", json={"name": "x", "level": "private"})
    assert response.status_code == 500
    assert "contract violation" in response.json()["message"]
