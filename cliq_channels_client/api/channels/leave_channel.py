from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...custom.operations import OPERATION_EXTENSION
from ...custom.responses import decode_error_body, error_for_response
from ...models.error import Error
from ...types import Response
from .. import document, path_segment

_OPERATION_ID = "leave_channel"


def _get_kwargs(
    channel_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "extensions": {OPERATION_EXTENSION: _OPERATION_ID},
        "url": "/channels/{channel_id}/leave".format(
            channel_id=path_segment(_OPERATION_ID, "CHANNEL_ID", channel_id),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Error | None:
    if response.status_code == 200:
        return None

    if response.status_code == 204:
        return None

    if response.status_code == 400:
        return decode_error_body(response, Error.from_dict)

    if response.status_code == 401:
        return decode_error_body(response, Error.from_dict)

    if response.status_code == 403:
        return decode_error_body(response, Error.from_dict)

    if response.status_code == 404:
        return decode_error_body(response, Error.from_dict)

    if response.status_code == 405:
        return decode_error_body(response, Error.from_dict)

    if response.status_code == 406:
        return decode_error_body(response, Error.from_dict)

    if response.status_code == 429:
        return decode_error_body(response, Error.from_dict)

    if response.status_code == 500:
        return decode_error_body(response, Error.from_dict)

    if client.raise_on_unexpected_status:
        raise error_for_response(_OPERATION_ID, response)
    return None


def _success(response: httpx.Response) -> None:
    """The documented success body; any other answer raises the SDK's typed error, whatever the client."""
    response.stream = httpx.ByteStream(response.content)  # see _build_response
    if response.status_code == 200:
        return None

    if response.status_code == 204:
        return None

    raise error_for_response(_OPERATION_ID, response)


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Error]:
    # httpx links a response and its stream both ways (stream -> BoundAsyncStream ->
    # response), so only the cyclic GC would free it, body included; pages then pile
    # up between full collections.  The body is read: let the stream be that body.
    response.stream = httpx.ByteStream(response.content)
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    channel_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Any | Error]:
    """Leave a channel

     Use this API to leave a channel.

    Args:
        channel_id (str): The ID of the channel. To learn how to retrieve this ID, see CHANNEL_ID
            in the Glossary page.

    OAuth scope: {scopes}
    Rate limit: {rate_limit}

    Raises:
        CliqValidationError: an argument breaks a rule of the document (field and rule named); not sent.
        CliqAPIError: the server answered an error status (clients with raise_on_error=False return it
            in the Response instead): BadRequestError 400, AuthenticationError 401,
            PermissionDeniedError 403, NotFoundError 404, MethodNotAllowedError 405,
            NotAcceptableError 406, ServerError 5xx, UnexpectedStatusError for a status the document
            does not list (a redirect, an undocumented 2xx).
        RateLimitError: ThrottledError (the server throttled the call; the operation is locked),
            OperationLockedError or RateLimitWaitExceededError (not sent).
        TokenRefreshError: no access token could be obtained (not sent).
        CliqTransportError: connection failure or timeout after the allowed retries
            (.may_have_been_sent); MalformedResponseError: a success answer whose body is cut short or
            does not match the document (it may have been applied).

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        channel_id=channel_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    channel_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> None:
    """Leave a channel

     Use this API to leave a channel.

    Args:
        channel_id (str): The ID of the channel. To learn how to retrieve this ID, see CHANNEL_ID
            in the Glossary page.

    OAuth scope: {scopes}
    Rate limit: {rate_limit}

    Raises:
        CliqValidationError: an argument breaks a rule of the document (field and rule named); not sent.
        CliqAPIError: any answer but the documented success, whatever the client: BadRequestError 400,
            AuthenticationError 401, PermissionDeniedError 403, NotFoundError 404,
            MethodNotAllowedError 405, NotAcceptableError 406, ServerError 5xx, UnexpectedStatusError
            for a status the document does not list (a redirect, an undocumented 2xx).
        RateLimitError: ThrottledError (the server throttled the call; the operation is locked),
            OperationLockedError or RateLimitWaitExceededError (not sent).
        TokenRefreshError: no access token could be obtained (not sent).
        CliqTransportError: connection failure or timeout after the allowed retries
            (.may_have_been_sent); MalformedResponseError: a success answer whose body is cut short or
            does not match the document (it may have been applied).

    Returns:
        None
    """

    kwargs = _get_kwargs(
        channel_id=channel_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _success(response)


async def asyncio_detailed(
    channel_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Any | Error]:
    """Leave a channel

     Use this API to leave a channel.

    Args:
        channel_id (str): The ID of the channel. To learn how to retrieve this ID, see CHANNEL_ID
            in the Glossary page.

    OAuth scope: {scopes}
    Rate limit: {rate_limit}

    Raises:
        CliqValidationError: an argument breaks a rule of the document (field and rule named); not sent.
        CliqAPIError: the server answered an error status (clients with raise_on_error=False return it
            in the Response instead): BadRequestError 400, AuthenticationError 401,
            PermissionDeniedError 403, NotFoundError 404, MethodNotAllowedError 405,
            NotAcceptableError 406, ServerError 5xx, UnexpectedStatusError for a status the document
            does not list (a redirect, an undocumented 2xx).
        RateLimitError: ThrottledError (the server throttled the call; the operation is locked),
            OperationLockedError or RateLimitWaitExceededError (not sent).
        TokenRefreshError: no access token could be obtained (not sent).
        CliqTransportError: connection failure or timeout after the allowed retries
            (.may_have_been_sent); MalformedResponseError: a success answer whose body is cut short or
            does not match the document (it may have been applied).

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        channel_id=channel_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    channel_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> None:
    """Leave a channel

     Use this API to leave a channel.

    Args:
        channel_id (str): The ID of the channel. To learn how to retrieve this ID, see CHANNEL_ID
            in the Glossary page.

    OAuth scope: {scopes}
    Rate limit: {rate_limit}

    Raises:
        CliqValidationError: an argument breaks a rule of the document (field and rule named); not sent.
        CliqAPIError: any answer but the documented success, whatever the client: BadRequestError 400,
            AuthenticationError 401, PermissionDeniedError 403, NotFoundError 404,
            MethodNotAllowedError 405, NotAcceptableError 406, ServerError 5xx, UnexpectedStatusError
            for a status the document does not list (a redirect, an undocumented 2xx).
        RateLimitError: ThrottledError (the server throttled the call; the operation is locked),
            OperationLockedError or RateLimitWaitExceededError (not sent).
        TokenRefreshError: no access token could be obtained (not sent).
        CliqTransportError: connection failure or timeout after the allowed retries
            (.may_have_been_sent); MalformedResponseError: a success answer whose body is cut short or
            does not match the document (it may have been applied).

    Returns:
        None
    """

    kwargs = _get_kwargs(
        channel_id=channel_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _success(response)


document(_OPERATION_ID, sync_detailed, sync, asyncio_detailed, asyncio)
