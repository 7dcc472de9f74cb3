"""Every one of the 16 operations, called through the generated functions, sync and async.

The HTTP layer is respx: nothing leaves the process.  For each call we check
what went over the wire (method, percent-encoded path, query, JSON body,
Authorization header) and what the generated code parsed out of the
reference's own sample response.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import httpx
import pytest
import respx

from cliq_channels_client import AuthenticatedClient
from cliq_channels_client.api import channels
from cliq_channels_client.api.channels import delete_channel, list_channels, update_channel_member_role
from cliq_channels_client.models import UpdateChannelMemberRoleRequest
from cliq_channels_client.types import Response

from .support import (
    AUTHORIZATION,
    BASE_PATH,
    CASES,
    OPERATION_IDS,
    OperationCase,
    load_document,
    make_client,
    package_dir,
)

CASE_IDS = [case.case_id for case in CASES]


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock_router:
        yield mock_router


def mock_response(router: respx.MockRouter, case: OperationCase) -> respx.Route:
    """Answer every request with the case's response; the request is checked afterwards."""
    if case.response_json is None:
        response = httpx.Response(case.status)
    else:
        response = httpx.Response(case.status, json=case.response_json)
    return router.route().mock(return_value=response)


def check_request(request: httpx.Request, case: OperationCase) -> None:
    assert request.method == case.method
    assert request.url.scheme == "https"
    assert request.url.host == "cliq.zoho.com"
    raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
    assert raw_path == BASE_PATH + case.path
    assert dict(request.url.params) == dict(case.query)
    # each parameter once, nothing else in the query string
    assert sorted(key for key, _ in request.url.params.multi_items()) == sorted(case.query)
    if not case.query:
        assert raw_query == ""
    assert request.headers["Authorization"] == AUTHORIZATION
    if case.json_body is None:
        assert request.content == b""
        assert "content-type" not in request.headers
    else:
        assert request.headers["Content-Type"] == "application/json"
        assert json.loads(request.content) == case.json_body


def check_response(response: Response[Any], case: OperationCase) -> None:
    assert response.status_code == HTTPStatus(case.status)
    if case.response_json is None:
        assert response.content == b""
    else:
        assert json.loads(response.content) == case.response_json
    case.check(response.parsed)


def test_cases_cover_every_operation_of_the_document_and_package() -> None:
    document_ids = {
        operation["operationId"]
        for item in load_document()["paths"].values()
        for method, operation in item.items()
        if method in {"get", "put", "post", "delete", "patch"}
    }
    module_ids = {path.stem for path in (package_dir() / "api" / "channels").glob("*.py")} - {"__init__"}
    assert len(OPERATION_IDS) == 16
    assert document_ids == OPERATION_IDS
    assert module_ids == OPERATION_IDS


@pytest.mark.parametrize("operation_id", sorted(OPERATION_IDS))
def test_each_operation_module_has_the_four_entry_points(operation_id: str) -> None:
    module = importlib.import_module(f"{channels.__name__}.{operation_id}")
    for name in ("sync", "sync_detailed", "asyncio", "asyncio_detailed"):
        assert callable(getattr(module, name)), name


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_operation_sync(case: OperationCase, router: respx.MockRouter) -> None:
    route = mock_response(router, case)
    with make_client() as client:
        response = case.call_sync_detailed(client)
        check_request(route.calls.last.request, case)
        check_response(response, case)

        parsed = case.call_sync(client)
        check_request(route.calls.last.request, case)
        case.check(parsed)
    assert route.call_count == 2


@pytest.mark.anyio
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_operation_asyncio(case: OperationCase, router: respx.MockRouter) -> None:
    route = mock_response(router, case)
    async with make_client() as client:
        response = await case.call_asyncio_detailed(client)
        check_request(route.calls.last.request, case)
        check_response(response, case)

        parsed = await case.call_asyncio(client)
        check_request(route.calls.last.request, case)
        case.check(parsed)
    assert route.call_count == 2


def test_datetime_filters_keep_their_offset_on_the_wire(router: respx.MockRouter) -> None:
    """A '+' of an offset must be percent-encoded, or the server reads it as a space."""
    route = mock_response(router, CASES[1])
    with make_client() as client:
        CASES[1].call_sync_detailed(client)
    raw_query = route.calls.last.request.url.raw_path.decode("ascii").partition("?")[2]
    assert "modified_before=2017-07-03T15%3A59%3A20%2B05%3A30" in raw_query
    assert "created_before=2017-07-03T14%3A59%3A20-08%3A00" in raw_query
    assert "sync_token=2fd152c0c1b5ee5b2a1d5fd1d3b23342%2B%2F%3D" in raw_query
    assert "+05" not in raw_query


def test_path_parameters_are_percent_encoded(router: respx.MockRouter) -> None:
    route = router.route().mock(return_value=httpx.Response(204))
    with make_client() as client:
        delete_channel.sync_detailed("T40/../1 2", client=client)
        update_channel_member_role.sync_detailed(
            "T4000000040005",
            "a/b?c#d",
            client=client,
            body=UpdateChannelMemberRoleRequest.from_dict({"role": "admin"}),
        )
    first, second = (call.request.url.raw_path.decode("ascii") for call in route.calls)
    assert first == f"{BASE_PATH}/channels/T40%2F..%2F1%202"
    assert second == f"{BASE_PATH}/channels/T4000000040005/members/a%2Fb%3Fc%23d"


def test_network_server_prefix_reaches_the_same_operations(router: respx.MockRouter) -> None:
    """The document's second server: every path below /network/{network}/api/v2."""
    route = router.route().mock(return_value=httpx.Response(200, json={"channels": []}))
    network_client = AuthenticatedClient(
        base_url="https://cliq.zoho.eu/network/zylker-partners/api/v2",
        token="t",
        prefix="Zoho-oauthtoken",
    )
    with network_client:
        parsed = list_channels.sync(client=network_client, limit=5)
    request = route.calls.last.request
    assert request.url.host == "cliq.zoho.eu"
    assert request.url.raw_path == b"/network/zylker-partners/api/v2/channels?limit=5"
    assert request.headers["Authorization"] == "Zoho-oauthtoken t"
    assert parsed is not None
    assert parsed.to_dict() == {"channels": []}
