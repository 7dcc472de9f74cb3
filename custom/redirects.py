"""Which redirects a request may follow: the transport's first step, before anything is sent.

httpx hands a redirect the original request's ``extensions`` dict, so the URL
recorded there on the first pass (:data:`~.operations.ORIGIN_EXTENSION`) tells
a redirect apart.  The token request goes to its one URL only (its body holds
the client secret); an API request stays on its origin (a data-centre host or
the caller's ``base_url``), for at most :data:`MAX_REDIRECTS` hops.
"""

from __future__ import annotations

import httpx

from .errors import CliqTransportError, TokenRefreshError
from .operations import ORIGIN_EXTENSION, TOKEN_REQUEST_EXTENSION, Operation

__all__ = ["MAX_REDIRECTS", "refuse_redirect_elsewhere"]

#: Same-origin redirects one call may follow (with ``follow_redirects=True``); then ``CliqTransportError``,
#: before httpx's own limit would raise its ``TooManyRedirects`` outside the hierarchy.
MAX_REDIRECTS = 5
_REDIRECTS_EXTENSION = "cliq_channels_client.redirects"


def refuse_redirect_elsewhere(request: httpx.Request, operation: Operation | None) -> None:
    """Refuse a request that httpx is redirecting (``follow_redirects=True``) away from where we sent it.

    The same URL object is recorded on every attempt of the first pass: one
    identity test on the common path.  Raised before anything is sent to the
    new location.
    """
    url = request.url
    first = request.extensions.setdefault(ORIGIN_EXTENSION, url)
    if first is url:
        return
    if request.extensions.get(TOKEN_REQUEST_EXTENSION) is not None:
        raise TokenRefreshError(
            "the accounts server redirected the token request; not followed (its body holds the "
            "client secret and the refresh token): check accounts_url / data_centre"
        )
    operation_id = operation.operation_id if operation is not None else None
    if not isinstance(first, httpx.URL) or (first.scheme, first.host, first.port) != (url.scheme, url.host, url.port):
        problem = (
            "a redirect to another origin; not followed "
            "(API requests stay on the data centre's host or the base_url given)"
        )
    else:
        hops = request.extensions[_REDIRECTS_EXTENSION] = request.extensions.get(_REDIRECTS_EXTENSION, 0) + 1
        if hops <= MAX_REDIRECTS:
            return
        problem = f"more than {MAX_REDIRECTS} redirects; not followed further"
    raise CliqTransportError(
        f"{operation_id or request.method}: the server answered with {problem}",
        operation_id=operation_id,
        attempts=1,
        may_have_been_sent=True,
    )
