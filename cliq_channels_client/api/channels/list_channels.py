import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...custom.operations import OPERATION_EXTENSION
from ...custom.responses import decode_error_body, decode_success, error_for_response
from ...custom.url_limits import check_query_lengths
from ...models.channel_level import ChannelLevel
from ...models.channel_list import ChannelList
from ...models.channel_order import ChannelOrder
from ...models.channel_status import ChannelStatus
from ...models.error import Error
from ...types import UNSET, Response, Unset
from .. import document, require_aware

_OPERATION_ID = "list_channels"


def _get_kwargs(
    *,
    name: str | Unset = UNSET,
    status: ChannelStatus | Unset = UNSET,
    limit: int | Unset = UNSET,
    level: ChannelLevel | Unset = UNSET,
    modified_before: datetime.datetime | Unset = UNSET,
    modified_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    channel_ids: str | Unset = UNSET,
    chat_ids: str | Unset = UNSET,
    team_ids: str | Unset = UNSET,
    created_by: str | Unset = UNSET,
    order_by: ChannelOrder | Unset = UNSET,
    next_token: str | Unset = UNSET,
    sync_token: str | Unset = UNSET,
    pinned: bool | Unset = UNSET,
    joined: bool | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["name"] = name

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = str(status)
    params["status"] = json_status

    params["limit"] = limit

    json_level: str | Unset = UNSET
    if not isinstance(level, Unset):
        json_level = str(level)
    params["level"] = json_level

    require_aware(_OPERATION_ID, "query.modified_before", modified_before)
    json_modified_before: str | Unset = UNSET
    if not isinstance(modified_before, Unset):
        json_modified_before = modified_before.isoformat()
    params["modified_before"] = json_modified_before

    require_aware(_OPERATION_ID, "query.modified_after", modified_after)
    json_modified_after: str | Unset = UNSET
    if not isinstance(modified_after, Unset):
        json_modified_after = modified_after.isoformat()
    params["modified_after"] = json_modified_after

    require_aware(_OPERATION_ID, "query.created_before", created_before)
    json_created_before: str | Unset = UNSET
    if not isinstance(created_before, Unset):
        json_created_before = created_before.isoformat()
    params["created_before"] = json_created_before

    require_aware(_OPERATION_ID, "query.created_after", created_after)
    json_created_after: str | Unset = UNSET
    if not isinstance(created_after, Unset):
        json_created_after = created_after.isoformat()
    params["created_after"] = json_created_after

    params["channel_ids"] = channel_ids

    params["chat_ids"] = chat_ids

    params["team_ids"] = team_ids

    params["created_by"] = created_by

    json_order_by: str | Unset = UNSET
    if not isinstance(order_by, Unset):
        json_order_by = str(order_by)
    params["order_by"] = json_order_by

    params["next_token"] = next_token

    params["sync_token"] = sync_token

    params["pinned"] = pinned

    params["joined"] = joined

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    check_query_lengths(params, operation_id="list_channels")

    _kwargs: dict[str, Any] = {
        "method": "get",
        "extensions": {OPERATION_EXTENSION: _OPERATION_ID},
        "url": "/channels",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ChannelList | Error | None:
    if response.status_code == 200:
        return decode_success(_OPERATION_ID, response, ChannelList.from_dict)

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


def _success(response: httpx.Response) -> ChannelList:
    """The documented success body; any other answer raises the SDK's typed error, whatever the client."""
    response.stream = httpx.ByteStream(response.content)  # see _build_response
    if response.status_code == 200:
        return decode_success(_OPERATION_ID, response, ChannelList.from_dict)

    raise error_for_response(_OPERATION_ID, response)


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ChannelList | Error]:
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
    *,
    client: AuthenticatedClient | Client,
    name: str | Unset = UNSET,
    status: ChannelStatus | Unset = UNSET,
    limit: int | Unset = UNSET,
    level: ChannelLevel | Unset = UNSET,
    modified_before: datetime.datetime | Unset = UNSET,
    modified_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    channel_ids: str | Unset = UNSET,
    chat_ids: str | Unset = UNSET,
    team_ids: str | Unset = UNSET,
    created_by: str | Unset = UNSET,
    order_by: ChannelOrder | Unset = UNSET,
    next_token: str | Unset = UNSET,
    sync_token: str | Unset = UNSET,
    pinned: bool | Unset = UNSET,
    joined: bool | Unset = UNSET,
) -> Response[ChannelList | Error]:
    """List all channels

     Retrieve a list of channels based on the given filters.

    Args:
        name (str | Unset): Name of the channel to be retrieved.
        status (ChannelStatus | Unset): Status of the channel.
            * created: Channels that are active and fully created.
            * pending: Channels that are in the process of being created or awaiting confirmation.
            * archived: Channels that are no longer active and have been archived.
        limit (int | Unset): The number of channels that has to be retrieved. Maximum limit will
            be 100.
        level (ChannelLevel | Unset): Access level of the channel.
            * organization: Visible and accessible to all members within the organization.
            * team: Restricted to members of a specific team or department.
            * private: Invite-only channel visible only to its participants.
            * external: Includes users outside the organization (guests or external collaborators).
            * personal: Appears in list results (source: Zoho's download, get-all-channels-
            response.level).
        modified_before (datetime.datetime | Unset): Gets the list of channels where the last
            message is sent before the mentioned time.
        modified_after (datetime.datetime | Unset): Gets the list of channels where the last
            message is sent after the mentioned time.
        created_before (datetime.datetime | Unset): The list of channels created before the
            specified time.
        created_after (datetime.datetime | Unset): The list of channels created after the
            specified time.
        channel_ids (str | Unset): The list of channel IDs for which details have to be retrieved.
            You can enter multiple fields separated by commas.
        chat_ids (str | Unset): Unique channel chat IDs for which details have to be retrieved.
            You can enter multiple fields separated by commas.
        team_ids (str | Unset): Gets the list of channels associated with the specified team IDs.
            You can enter multiple fields separated by commas. To retrieve team IDs, use the List all
            teams API.
        created_by (str | Unset): Gets the list of channels created by the mentioned email ID or
            user ID.
        order_by (ChannelOrder | Unset): Sort order of list_channels (source: Zoho's download,
            list_channels order_by enum).
            * +last_modified_time: by last modified time, ascending.
            * -last_modified_time: by last modified time, descending.
            * +creation_time: by creation time, ascending.
            * -creation_time: by creation time, descending.
        next_token (str | Unset): Use this parameter to fetch the next immediate list of channels.
        sync_token (str | Unset): Gets the list of recently updated channels after which the
            previous request was made. Note: The sync_token will return an exception if the number of
            channels to be synced is greater than 50.
        pinned (bool | Unset): When pinned = true, only pinned channels are retrieved. When pinned
            = false, all channels are retrieved regardless of pin status.
        joined (bool | Unset): When joined = true, only the joined channels are fetched. When
            joined = false, only the non-joined channels are fetched. When not specified, all types of
            channels will be returned.

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
        Response[ChannelList | Error]
    """

    kwargs = _get_kwargs(
        name=name,
        status=status,
        limit=limit,
        level=level,
        modified_before=modified_before,
        modified_after=modified_after,
        created_before=created_before,
        created_after=created_after,
        channel_ids=channel_ids,
        chat_ids=chat_ids,
        team_ids=team_ids,
        created_by=created_by,
        order_by=order_by,
        next_token=next_token,
        sync_token=sync_token,
        pinned=pinned,
        joined=joined,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    name: str | Unset = UNSET,
    status: ChannelStatus | Unset = UNSET,
    limit: int | Unset = UNSET,
    level: ChannelLevel | Unset = UNSET,
    modified_before: datetime.datetime | Unset = UNSET,
    modified_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    channel_ids: str | Unset = UNSET,
    chat_ids: str | Unset = UNSET,
    team_ids: str | Unset = UNSET,
    created_by: str | Unset = UNSET,
    order_by: ChannelOrder | Unset = UNSET,
    next_token: str | Unset = UNSET,
    sync_token: str | Unset = UNSET,
    pinned: bool | Unset = UNSET,
    joined: bool | Unset = UNSET,
) -> ChannelList:
    """List all channels

     Retrieve a list of channels based on the given filters.

    Args:
        name (str | Unset): Name of the channel to be retrieved.
        status (ChannelStatus | Unset): Status of the channel.
            * created: Channels that are active and fully created.
            * pending: Channels that are in the process of being created or awaiting confirmation.
            * archived: Channels that are no longer active and have been archived.
        limit (int | Unset): The number of channels that has to be retrieved. Maximum limit will
            be 100.
        level (ChannelLevel | Unset): Access level of the channel.
            * organization: Visible and accessible to all members within the organization.
            * team: Restricted to members of a specific team or department.
            * private: Invite-only channel visible only to its participants.
            * external: Includes users outside the organization (guests or external collaborators).
            * personal: Appears in list results (source: Zoho's download, get-all-channels-
            response.level).
        modified_before (datetime.datetime | Unset): Gets the list of channels where the last
            message is sent before the mentioned time.
        modified_after (datetime.datetime | Unset): Gets the list of channels where the last
            message is sent after the mentioned time.
        created_before (datetime.datetime | Unset): The list of channels created before the
            specified time.
        created_after (datetime.datetime | Unset): The list of channels created after the
            specified time.
        channel_ids (str | Unset): The list of channel IDs for which details have to be retrieved.
            You can enter multiple fields separated by commas.
        chat_ids (str | Unset): Unique channel chat IDs for which details have to be retrieved.
            You can enter multiple fields separated by commas.
        team_ids (str | Unset): Gets the list of channels associated with the specified team IDs.
            You can enter multiple fields separated by commas. To retrieve team IDs, use the List all
            teams API.
        created_by (str | Unset): Gets the list of channels created by the mentioned email ID or
            user ID.
        order_by (ChannelOrder | Unset): Sort order of list_channels (source: Zoho's download,
            list_channels order_by enum).
            * +last_modified_time: by last modified time, ascending.
            * -last_modified_time: by last modified time, descending.
            * +creation_time: by creation time, ascending.
            * -creation_time: by creation time, descending.
        next_token (str | Unset): Use this parameter to fetch the next immediate list of channels.
        sync_token (str | Unset): Gets the list of recently updated channels after which the
            previous request was made. Note: The sync_token will return an exception if the number of
            channels to be synced is greater than 50.
        pinned (bool | Unset): When pinned = true, only pinned channels are retrieved. When pinned
            = false, all channels are retrieved regardless of pin status.
        joined (bool | Unset): When joined = true, only the joined channels are fetched. When
            joined = false, only the non-joined channels are fetched. When not specified, all types of
            channels will be returned.

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
        ChannelList
    """

    kwargs = _get_kwargs(
        name=name,
        status=status,
        limit=limit,
        level=level,
        modified_before=modified_before,
        modified_after=modified_after,
        created_before=created_before,
        created_after=created_after,
        channel_ids=channel_ids,
        chat_ids=chat_ids,
        team_ids=team_ids,
        created_by=created_by,
        order_by=order_by,
        next_token=next_token,
        sync_token=sync_token,
        pinned=pinned,
        joined=joined,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _success(response)


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    name: str | Unset = UNSET,
    status: ChannelStatus | Unset = UNSET,
    limit: int | Unset = UNSET,
    level: ChannelLevel | Unset = UNSET,
    modified_before: datetime.datetime | Unset = UNSET,
    modified_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    channel_ids: str | Unset = UNSET,
    chat_ids: str | Unset = UNSET,
    team_ids: str | Unset = UNSET,
    created_by: str | Unset = UNSET,
    order_by: ChannelOrder | Unset = UNSET,
    next_token: str | Unset = UNSET,
    sync_token: str | Unset = UNSET,
    pinned: bool | Unset = UNSET,
    joined: bool | Unset = UNSET,
) -> Response[ChannelList | Error]:
    """List all channels

     Retrieve a list of channels based on the given filters.

    Args:
        name (str | Unset): Name of the channel to be retrieved.
        status (ChannelStatus | Unset): Status of the channel.
            * created: Channels that are active and fully created.
            * pending: Channels that are in the process of being created or awaiting confirmation.
            * archived: Channels that are no longer active and have been archived.
        limit (int | Unset): The number of channels that has to be retrieved. Maximum limit will
            be 100.
        level (ChannelLevel | Unset): Access level of the channel.
            * organization: Visible and accessible to all members within the organization.
            * team: Restricted to members of a specific team or department.
            * private: Invite-only channel visible only to its participants.
            * external: Includes users outside the organization (guests or external collaborators).
            * personal: Appears in list results (source: Zoho's download, get-all-channels-
            response.level).
        modified_before (datetime.datetime | Unset): Gets the list of channels where the last
            message is sent before the mentioned time.
        modified_after (datetime.datetime | Unset): Gets the list of channels where the last
            message is sent after the mentioned time.
        created_before (datetime.datetime | Unset): The list of channels created before the
            specified time.
        created_after (datetime.datetime | Unset): The list of channels created after the
            specified time.
        channel_ids (str | Unset): The list of channel IDs for which details have to be retrieved.
            You can enter multiple fields separated by commas.
        chat_ids (str | Unset): Unique channel chat IDs for which details have to be retrieved.
            You can enter multiple fields separated by commas.
        team_ids (str | Unset): Gets the list of channels associated with the specified team IDs.
            You can enter multiple fields separated by commas. To retrieve team IDs, use the List all
            teams API.
        created_by (str | Unset): Gets the list of channels created by the mentioned email ID or
            user ID.
        order_by (ChannelOrder | Unset): Sort order of list_channels (source: Zoho's download,
            list_channels order_by enum).
            * +last_modified_time: by last modified time, ascending.
            * -last_modified_time: by last modified time, descending.
            * +creation_time: by creation time, ascending.
            * -creation_time: by creation time, descending.
        next_token (str | Unset): Use this parameter to fetch the next immediate list of channels.
        sync_token (str | Unset): Gets the list of recently updated channels after which the
            previous request was made. Note: The sync_token will return an exception if the number of
            channels to be synced is greater than 50.
        pinned (bool | Unset): When pinned = true, only pinned channels are retrieved. When pinned
            = false, all channels are retrieved regardless of pin status.
        joined (bool | Unset): When joined = true, only the joined channels are fetched. When
            joined = false, only the non-joined channels are fetched. When not specified, all types of
            channels will be returned.

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
        Response[ChannelList | Error]
    """

    kwargs = _get_kwargs(
        name=name,
        status=status,
        limit=limit,
        level=level,
        modified_before=modified_before,
        modified_after=modified_after,
        created_before=created_before,
        created_after=created_after,
        channel_ids=channel_ids,
        chat_ids=chat_ids,
        team_ids=team_ids,
        created_by=created_by,
        order_by=order_by,
        next_token=next_token,
        sync_token=sync_token,
        pinned=pinned,
        joined=joined,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    name: str | Unset = UNSET,
    status: ChannelStatus | Unset = UNSET,
    limit: int | Unset = UNSET,
    level: ChannelLevel | Unset = UNSET,
    modified_before: datetime.datetime | Unset = UNSET,
    modified_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    channel_ids: str | Unset = UNSET,
    chat_ids: str | Unset = UNSET,
    team_ids: str | Unset = UNSET,
    created_by: str | Unset = UNSET,
    order_by: ChannelOrder | Unset = UNSET,
    next_token: str | Unset = UNSET,
    sync_token: str | Unset = UNSET,
    pinned: bool | Unset = UNSET,
    joined: bool | Unset = UNSET,
) -> ChannelList:
    """List all channels

     Retrieve a list of channels based on the given filters.

    Args:
        name (str | Unset): Name of the channel to be retrieved.
        status (ChannelStatus | Unset): Status of the channel.
            * created: Channels that are active and fully created.
            * pending: Channels that are in the process of being created or awaiting confirmation.
            * archived: Channels that are no longer active and have been archived.
        limit (int | Unset): The number of channels that has to be retrieved. Maximum limit will
            be 100.
        level (ChannelLevel | Unset): Access level of the channel.
            * organization: Visible and accessible to all members within the organization.
            * team: Restricted to members of a specific team or department.
            * private: Invite-only channel visible only to its participants.
            * external: Includes users outside the organization (guests or external collaborators).
            * personal: Appears in list results (source: Zoho's download, get-all-channels-
            response.level).
        modified_before (datetime.datetime | Unset): Gets the list of channels where the last
            message is sent before the mentioned time.
        modified_after (datetime.datetime | Unset): Gets the list of channels where the last
            message is sent after the mentioned time.
        created_before (datetime.datetime | Unset): The list of channels created before the
            specified time.
        created_after (datetime.datetime | Unset): The list of channels created after the
            specified time.
        channel_ids (str | Unset): The list of channel IDs for which details have to be retrieved.
            You can enter multiple fields separated by commas.
        chat_ids (str | Unset): Unique channel chat IDs for which details have to be retrieved.
            You can enter multiple fields separated by commas.
        team_ids (str | Unset): Gets the list of channels associated with the specified team IDs.
            You can enter multiple fields separated by commas. To retrieve team IDs, use the List all
            teams API.
        created_by (str | Unset): Gets the list of channels created by the mentioned email ID or
            user ID.
        order_by (ChannelOrder | Unset): Sort order of list_channels (source: Zoho's download,
            list_channels order_by enum).
            * +last_modified_time: by last modified time, ascending.
            * -last_modified_time: by last modified time, descending.
            * +creation_time: by creation time, ascending.
            * -creation_time: by creation time, descending.
        next_token (str | Unset): Use this parameter to fetch the next immediate list of channels.
        sync_token (str | Unset): Gets the list of recently updated channels after which the
            previous request was made. Note: The sync_token will return an exception if the number of
            channels to be synced is greater than 50.
        pinned (bool | Unset): When pinned = true, only pinned channels are retrieved. When pinned
            = false, all channels are retrieved regardless of pin status.
        joined (bool | Unset): When joined = true, only the joined channels are fetched. When
            joined = false, only the non-joined channels are fetched. When not specified, all types of
            channels will be returned.

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
        ChannelList
    """

    kwargs = _get_kwargs(
        name=name,
        status=status,
        limit=limit,
        level=level,
        modified_before=modified_before,
        modified_after=modified_after,
        created_before=created_before,
        created_after=created_after,
        channel_ids=channel_ids,
        chat_ids=chat_ids,
        team_ids=team_ids,
        created_by=created_by,
        order_by=order_by,
        next_token=next_token,
        sync_token=sync_token,
        pinned=pinned,
        joined=joined,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _success(response)


document(_OPERATION_ID, sync_detailed, sync, asyncio_detailed, asyncio)
