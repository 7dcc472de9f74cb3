import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...custom.url_limits import check_query_lengths
from ...models.channel_level import ChannelLevel
from ...models.channel_list import ChannelList
from ...models.channel_status import ChannelStatus
from ...models.error import Error
from ...types import UNSET, Response, Unset


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
    order_by: str | Unset = UNSET,
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

    json_modified_before: str | Unset = UNSET
    if not isinstance(modified_before, Unset):
        json_modified_before = modified_before.isoformat()
    params["modified_before"] = json_modified_before

    json_modified_after: str | Unset = UNSET
    if not isinstance(modified_after, Unset):
        json_modified_after = modified_after.isoformat()
    params["modified_after"] = json_modified_after

    json_created_before: str | Unset = UNSET
    if not isinstance(created_before, Unset):
        json_created_before = created_before.isoformat()
    params["created_before"] = json_created_before

    json_created_after: str | Unset = UNSET
    if not isinstance(created_after, Unset):
        json_created_after = created_after.isoformat()
    params["created_after"] = json_created_after

    params["channel_ids"] = channel_ids

    params["chat_ids"] = chat_ids

    params["team_ids"] = team_ids

    params["created_by"] = created_by

    params["order_by"] = order_by

    params["next_token"] = next_token

    params["sync_token"] = sync_token

    params["pinned"] = pinned

    params["joined"] = joined

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    check_query_lengths(params, operation_id="list_channels")

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/channels",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ChannelList | Error | None:
    if response.status_code == 200:
        response_200 = ChannelList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 405:
        response_405 = Error.from_dict(response.json())

        return response_405

    if response.status_code == 406:
        response_406 = Error.from_dict(response.json())

        return response_406

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Error.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


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
    order_by: str | Unset = UNSET,
    next_token: str | Unset = UNSET,
    sync_token: str | Unset = UNSET,
    pinned: bool | Unset = UNSET,
    joined: bool | Unset = UNSET,
) -> Response[ChannelList | Error]:
    """List all channels

     Retrieve a list of channels based on the given filters.

    Args:
        name (str | Unset):
        status (ChannelStatus | Unset): Status of the channel.
            * created: Channels that are active and fully created.
            * pending: Channels that are in the process of being created or awaiting confirmation.
            * archived: Channels that are no longer active and have been archived.
        limit (int | Unset):
        level (ChannelLevel | Unset): Access level of the channel.
            * organization: Visible and accessible to all members within the organization.
            * team: Restricted to members of a specific team or department.
            * private: Invite-only channel visible only to its participants.
            * external: Includes users outside the organization (guests or external collaborators).
        modified_before (datetime.datetime | Unset):
        modified_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        created_after (datetime.datetime | Unset):
        channel_ids (str | Unset):
        chat_ids (str | Unset):
        team_ids (str | Unset):
        created_by (str | Unset):
        order_by (str | Unset):
        next_token (str | Unset):
        sync_token (str | Unset):
        pinned (bool | Unset):
        joined (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

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
    order_by: str | Unset = UNSET,
    next_token: str | Unset = UNSET,
    sync_token: str | Unset = UNSET,
    pinned: bool | Unset = UNSET,
    joined: bool | Unset = UNSET,
) -> ChannelList | Error | None:
    """List all channels

     Retrieve a list of channels based on the given filters.

    Args:
        name (str | Unset):
        status (ChannelStatus | Unset): Status of the channel.
            * created: Channels that are active and fully created.
            * pending: Channels that are in the process of being created or awaiting confirmation.
            * archived: Channels that are no longer active and have been archived.
        limit (int | Unset):
        level (ChannelLevel | Unset): Access level of the channel.
            * organization: Visible and accessible to all members within the organization.
            * team: Restricted to members of a specific team or department.
            * private: Invite-only channel visible only to its participants.
            * external: Includes users outside the organization (guests or external collaborators).
        modified_before (datetime.datetime | Unset):
        modified_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        created_after (datetime.datetime | Unset):
        channel_ids (str | Unset):
        chat_ids (str | Unset):
        team_ids (str | Unset):
        created_by (str | Unset):
        order_by (str | Unset):
        next_token (str | Unset):
        sync_token (str | Unset):
        pinned (bool | Unset):
        joined (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChannelList | Error
    """

    return sync_detailed(
        client=client,
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
    ).parsed


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
    order_by: str | Unset = UNSET,
    next_token: str | Unset = UNSET,
    sync_token: str | Unset = UNSET,
    pinned: bool | Unset = UNSET,
    joined: bool | Unset = UNSET,
) -> Response[ChannelList | Error]:
    """List all channels

     Retrieve a list of channels based on the given filters.

    Args:
        name (str | Unset):
        status (ChannelStatus | Unset): Status of the channel.
            * created: Channels that are active and fully created.
            * pending: Channels that are in the process of being created or awaiting confirmation.
            * archived: Channels that are no longer active and have been archived.
        limit (int | Unset):
        level (ChannelLevel | Unset): Access level of the channel.
            * organization: Visible and accessible to all members within the organization.
            * team: Restricted to members of a specific team or department.
            * private: Invite-only channel visible only to its participants.
            * external: Includes users outside the organization (guests or external collaborators).
        modified_before (datetime.datetime | Unset):
        modified_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        created_after (datetime.datetime | Unset):
        channel_ids (str | Unset):
        chat_ids (str | Unset):
        team_ids (str | Unset):
        created_by (str | Unset):
        order_by (str | Unset):
        next_token (str | Unset):
        sync_token (str | Unset):
        pinned (bool | Unset):
        joined (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

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
    order_by: str | Unset = UNSET,
    next_token: str | Unset = UNSET,
    sync_token: str | Unset = UNSET,
    pinned: bool | Unset = UNSET,
    joined: bool | Unset = UNSET,
) -> ChannelList | Error | None:
    """List all channels

     Retrieve a list of channels based on the given filters.

    Args:
        name (str | Unset):
        status (ChannelStatus | Unset): Status of the channel.
            * created: Channels that are active and fully created.
            * pending: Channels that are in the process of being created or awaiting confirmation.
            * archived: Channels that are no longer active and have been archived.
        limit (int | Unset):
        level (ChannelLevel | Unset): Access level of the channel.
            * organization: Visible and accessible to all members within the organization.
            * team: Restricted to members of a specific team or department.
            * private: Invite-only channel visible only to its participants.
            * external: Includes users outside the organization (guests or external collaborators).
        modified_before (datetime.datetime | Unset):
        modified_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        created_after (datetime.datetime | Unset):
        channel_ids (str | Unset):
        chat_ids (str | Unset):
        team_ids (str | Unset):
        created_by (str | Unset):
        order_by (str | Unset):
        next_token (str | Unset):
        sync_token (str | Unset):
        pinned (bool | Unset):
        joined (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChannelList | Error
    """

    return (
        await asyncio_detailed(
            client=client,
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
    ).parsed
