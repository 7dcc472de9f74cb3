"""Error responses, through the generated client alone (no hand-written layer).

Every documented error status (400, 401, 403, 404, 405, 406, 429, 500) of
every operation comes back from ``*_detailed`` as a ``Response`` whose ``parsed``
is an ``Error`` carrying the reference's message, plus any field the server
adds; ``sync()`` / ``asyncio()`` raise the typed ``CliqAPIError`` subclass of the
status, even on a bare ``Client``.  An undocumented status (an unlisted 4xx,
a 5xx, a redirect, an undocumented 2xx) raises a ``CliqAPIError`` too, never
upstream's ``UnexpectedStatus`` outside the hierarchy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from http import HTTPStatus

import httpx
import pytest
import respx

from cliq_channels_client import (
    AuthenticationError,
    BadRequestError,
    CliqAPIError,
    CliqError,
    InternalServerError,
    MethodNotAllowedError,
    NotAcceptableError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    ThrottledError,
    UnexpectedStatusError,
    errors,
)
from cliq_channels_client.models import Error
from cliq_channels_client.operation_table import ERROR_MESSAGES

from .support import CASE_PER_OPERATION, ERROR_STATUSES, OPERATION_IDS, OperationCase, error_fixture, make_client

OPERATION_CASE_IDS = [case.operation_id for case in CASE_PER_OPERATION]
UNDOCUMENTED_STATUSES = (409, 418, 502, 503, 301, 302, 304, 307, 202, 206)
STATUS_ERRORS: dict[int, type[CliqAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    406: NotAcceptableError,
    429: ThrottledError,
    500: InternalServerError,
}


def undocumented_error(status: int) -> type[CliqAPIError]:
    return ServerError if status >= 500 else UnexpectedStatusError


def check_raised(error: CliqAPIError, status: int, *, enriched: bool) -> None:
    assert type(error) is STATUS_ERRORS[status]
    assert error.status_code == status
    assert error.message == REFERENCE_MESSAGES[status]
    assert error.code == (f"code_{status}" if enriched else None)
    assert error.body == (enriched_body(status) if enriched else error_fixture(status))


# The reference's messages, for the record (the fixtures are copied from it).
REFERENCE_MESSAGES = {
    400: "The request cannot be performed. Usually because of malformed parameter or missing parameter.",
    401: "Request was rejected because of invalid AuthToken.",
    403: (
        "The user does not have enough permission or possibly not an user of the respective organization "
        "to access the resource."
    ),
    404: (
        "The URL you've sent is wrong. It's possible that the resource you've requested has been moved to another URL."
    ),
    405: (
        "The requested resource does not support the HTTP method used. For example, requesting List of all "
        "customers API with PUT as the HTTP method."
    ),
    406: "The response has been received but the requested response type is not supported by the browser.",
    429: "Too many requests within a certain time frame.",
    500: "Cliq server encountered an error which prevents it from fulfilling the request.",
}


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock_router:
        yield mock_router


def enriched_body(status: int) -> dict[str, object]:
    """The reference's body plus what real servers add: a code and a field nobody documented."""
    return {**error_fixture(status), "code": f"code_{status}", "trace": {"id": "abc", "hops": [1, 2]}}


def check_error(parsed: object, status: int, *, enriched: bool) -> None:
    assert isinstance(parsed, Error)
    assert parsed.message == REFERENCE_MESSAGES[status]
    if enriched:
        assert parsed.code == f"code_{status}"
        assert parsed.additional_properties == {"trace": {"id": "abc", "hops": [1, 2]}}
        assert parsed["trace"] == {"id": "abc", "hops": [1, 2]}
        assert parsed.to_dict() == enriched_body(status)
    else:
        assert parsed.additional_properties == {}
        assert parsed.to_dict() == error_fixture(status)


def test_fixtures_hold_the_reference_messages() -> None:
    assert {status: error_fixture(status) for status in ERROR_STATUSES} == {
        status: {"message": message} for status, message in REFERENCE_MESSAGES.items()
    }
    assert ERROR_MESSAGES == REFERENCE_MESSAGES
    assert len(CASE_PER_OPERATION) == len(OPERATION_IDS) == 16


@pytest.mark.parametrize("status", ERROR_STATUSES)
@pytest.mark.parametrize("case", CASE_PER_OPERATION, ids=OPERATION_CASE_IDS)
def test_documented_error_status_sync(case: OperationCase, status: int, router: respx.MockRouter) -> None:
    headers = {"Retry-After": "60"} if status == 429 else {}
    route = router.route()
    route.side_effect = [
        httpx.Response(status, json=error_fixture(status), headers=headers),
        httpx.Response(status, json=enriched_body(status), headers=headers),
        httpx.Response(status, json=error_fixture(status), headers=headers),
    ]
    # raise_on_unexpected_status=True: a documented status must never raise
    with make_client(raise_on_unexpected_status=True) as client:
        response = case.call_sync_detailed(client)
        assert response.status_code == HTTPStatus(status)
        assert json.loads(response.content) == error_fixture(status)
        check_error(response.parsed, status, enriched=False)
        if status == 429:
            assert response.headers["Retry-After"] == "60"

        check_error(case.call_sync_detailed(client).parsed, status, enriched=True)
        with pytest.raises(CliqAPIError) as raised:
            case.call_sync(client)
        check_raised(raised.value, status, enriched=False)
        if status == 429:
            assert isinstance(raised.value, ThrottledError)
            assert raised.value.retry_after == 60.0
    assert route.call_count == 3


@pytest.mark.anyio
@pytest.mark.parametrize("case", CASE_PER_OPERATION, ids=OPERATION_CASE_IDS)
async def test_documented_error_statuses_asyncio(case: OperationCase, router: respx.MockRouter) -> None:
    route = router.route()
    async with make_client(raise_on_unexpected_status=True) as client:
        for status in ERROR_STATUSES:
            route.side_effect = [
                httpx.Response(status, json=error_fixture(status)),
                httpx.Response(status, json=enriched_body(status)),
            ]
            response = await case.call_asyncio_detailed(client)
            assert response.status_code == HTTPStatus(status)
            check_error(response.parsed, status, enriched=False)
            with pytest.raises(CliqAPIError) as raised:
                await case.call_asyncio(client)
            check_raised(raised.value, status, enriched=True)
    assert route.call_count == 2 * len(ERROR_STATUSES)


@pytest.mark.parametrize("case", CASE_PER_OPERATION, ids=OPERATION_CASE_IDS)
def test_undocumented_status_sync(case: OperationCase, router: respx.MockRouter) -> None:
    route = router.route()
    for status in UNDOCUMENTED_STATUSES:
        body = f"<html>{status}</html>".encode()
        headers = {"Content-Type": "text/html", "Location": "https://elsewhere.example/"}
        route.return_value = httpx.Response(status, content=body, headers=headers)
        with make_client(raise_on_unexpected_status=True) as client:
            with pytest.raises(CliqAPIError) as raised:
                case.call_sync_detailed(client)
            assert type(raised.value) is undocumented_error(status)
            assert raised.value.status_code == status
            assert raised.value.operation_id == case.operation_id
            assert raised.value.body == body.decode()
            assert raised.value.response is not None
            assert raised.value.response.headers["Location"] == "https://elsewhere.example/"
            with pytest.raises(undocumented_error(status)):
                case.call_sync(client)
        # without the flag *_detailed hands the status back, nothing parsed; sync() still raises
        with make_client() as client:
            response = case.call_sync_detailed(client)
            assert response.status_code == HTTPStatus(status)
            assert response.parsed is None
            assert response.content == body
            with pytest.raises(undocumented_error(status)) as raised_plain:
                case.call_sync(client)
            assert raised_plain.value.status_code == status


@pytest.mark.anyio
@pytest.mark.parametrize("case", CASE_PER_OPERATION, ids=OPERATION_CASE_IDS)
async def test_undocumented_status_asyncio(case: OperationCase, router: respx.MockRouter) -> None:
    route = router.route()
    for status in UNDOCUMENTED_STATUSES:
        route.return_value = httpx.Response(status, text="upstream trouble")
        async with make_client(raise_on_unexpected_status=True) as client:
            with pytest.raises(undocumented_error(status)) as raised:
                await case.call_asyncio_detailed(client)
            assert raised.value.status_code == status
            assert raised.value.body == "upstream trouble"
        async with make_client() as client:
            with pytest.raises(undocumented_error(status)):
                await case.call_asyncio(client)
            assert (await case.call_asyncio_detailed(client)).parsed is None


def test_upstream_name_is_in_the_hierarchy() -> None:
    """Code written against upstream's ``errors.UnexpectedStatus`` catches what is raised for such statuses."""
    assert errors.UnexpectedStatus is UnexpectedStatusError
    assert issubclass(errors.UnexpectedStatus, CliqError)
