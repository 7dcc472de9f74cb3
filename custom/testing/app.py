"""The Starlette application: routing, the request pipeline, and the handlers.

Routes are built from the operation table, once under ``/api/v2`` and once
under ``/network/{network}/api/v2`` (a network's root comes before ``/api/v2``; networks share the organization's state;
the network is recorded), plus ``POST /oauth/v2/token``.

Pipeline of an API request, in order:

1. route, on the raw (percent-encoded) path: unknown path -> 404, known path
   with another method -> 405.  A path id is one segment whatever it holds
   (``%2F``, ``%2E``, ``%0A``...), decoded only once routed, so it never picks
   another route or loses characters (see :meth:`EmulatorApp.__call__`);
2. the injected fault, if any, that strikes *before* the request is applied
   (drop, delay, error status, HTML body; expire the token and throttle now
   only if the access token is valid);
3. ``Accept`` that excludes JSON -> 406;
4. access token (``Zoho-oauthtoken <token>`` or ``Bearer <token>``): missing,
   unknown or expired -> 401; lacking the operation's scope -> 403;
5. rate limit of (user, operation) -> throttle (429 or 400, configurable);
6. the request against the OpenAPI document (openapi-core) -> 400 naming the field;
7. the handler (state change) -> the answer, or its 400/403/404;
8. the fault that strikes *after* the request was applied, if any, taken only
   here, by a request whose handler ran (``faults.py`` says which request
   takes which fault);
9. the request is recorded.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import Receive, Scope, Send

from ...operation_table import ERROR_MESSAGES
from ..clock import Clock
from ..errors import THROTTLE_CODE
from ..operations import OPERATIONS_BY_ID, Operation
from .accounts import ISSUANCE_LIMIT_BODY, AccessTokenInfo, Accounts, fingerprint
from .config import EmulatorConfig
from .contract import ContractViolation, OpenAPIRequest, check_exchange, describe_request_errors, load_contract
from .errors import (
    INTERNAL_ERROR,
    INVALID_PARAMETER,
    METHOD_NOT_ALLOWED,
    NOT_ACCEPTABLE,
    OAUTHTOKEN_INVALID,
    SCOPE_MISMATCH,
    URL_NOT_FOUND,
    ApiError,
    ConnectionDropped,
    error_body,
)
from .faults import (
    TOKEN_ENDPOINT,
    Delay,
    DropConnection,
    ErrorStatus,
    ExpireToken,
    Fault,
    FaultInjector,
    NonJsonBody,
    ThrottleNow,
    TruncatedBody,
)
from .limits import RateLimiter
from .recording import RecordedRequest, Recorder, redact_fields, redact_headers
from .state import Store

__all__ = ["ABORT_HOOK", "EmulatorApp"]

logger = logging.getLogger("cliq_channels_client.testing")

#: Key, in the ASGI ``scope["state"]``, of the loopback server's "close this socket now" hook.
ABORT_HOOK = "cliq_channels_emulator.abort"
_THROTTLE_400 = {"code": THROTTLE_CODE, "message": "You have exceeded the URL throttle limits."}
_UNARCHIVE_200 = {"status": "success", "message": "Operation completed successfully."}
#: What may stay as is in a raw path (RFC 3986 pchar, "/" and "%"); anything else gets percent-encoded.
_RAW_PATH_SAFE = "/%:@!$&'()*+,;="
#: The servers of the emulator's copy of the document, by whether the request came under a network.
_API_PREFIX = "/api/v2"
_NETWORK_PREFIX = "/network/{network}/api/v2"


class _Exchange:
    """What gets recorded about one request, filled in as the pipeline goes."""

    __slots__ = (
        "applied",
        "body",
        "fault",
        "network",
        "operation_id",
        "path_params",
        "path_pattern",
        "request",
        "seq",
        "time",
        "token_fingerprint",
        "user_id",
    )

    def __init__(self, request: Request, seq: int, time: float, operation_id: str | None) -> None:
        self.request = request
        self.seq = seq
        self.time = time
        self.operation_id = operation_id
        # Routing ran on the percent-encoded path (EmulatorApp.__call__): decode what it matched, once.
        params = {name: unquote(value) for name, value in request.path_params.items()}
        self.network: str | None = params.pop("network", None)
        self.path_params: dict[str, str] = params
        self.path_pattern: str | None = None  # the document's template, once the operation is known
        self.user_id: str | None = None
        self.token_fingerprint: str | None = None
        self.body: Any = None
        self.fault: str | None = None
        self.applied = False


class _DropResponse(Response):
    """Not a response: closes the connection, optionally after part of a response."""

    def __init__(self, error: str, partial: tuple[int, list[tuple[bytes, bytes]], bytes, int] | None = None) -> None:
        super().__init__(status_code=500)
        self.error = error
        self.partial = partial

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = expected = None
        if self.partial is not None:
            status, headers, chunk, expected = self.partial
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            received = len(chunk)
        abort: Callable[[bool], None] | None = (scope.get("state") or {}).get(ABORT_HOOK)
        if abort is None:  # in-process: the emulator's transports turn this into an httpx error
            raise ConnectionDropped(self.error, received=received, expected=expected)
        abort(self.error == "reset")
        with anyio.move_on_after(2):
            while (await receive())["type"] != "http.disconnect":
                pass


def _routing_path(scope: Scope) -> str:
    """The request's path, percent-encoded as it was sent (``raw_path``), for the router."""
    raw: bytes | None = scope.get("raw_path")
    if raw is None:  # optional in ASGI: encode the decoded path again ("%2F" in an id is lost)
        return quote(scope["path"], safe=_RAW_PATH_SAFE.replace("%", ""))
    return quote(raw, safe=_RAW_PATH_SAFE)


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def _error(error: ApiError) -> Response:
    return _json(error.status, error.body, error.headers)


def _no_content() -> Response:
    return Response(status_code=204)


def _accepts_json(accept: str | None) -> bool:
    if not accept:
        return True
    for part in accept.split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media in ("", "*/*", "application/*", "application/json") or media.endswith("+json"):
            return True
    return False


def _access_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() not in ("zoho-oauthtoken", "bearer") or not value.strip():
        return None
    return value.strip()


def _parse_json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


class EmulatorApp:
    """The emulator as an ASGI application (``await app(scope, receive, send)``)."""

    def __init__(
        self,
        *,
        store: Store,
        accounts: Accounts,
        limiter: RateLimiter,
        faults: FaultInjector,
        recorder: Recorder,
        config: EmulatorConfig,
        clock: Clock,
        api_origin: str,
        accounts_host: str,
    ) -> None:
        self.store = store
        self.accounts = accounts
        self.limiter = limiter
        self.faults = faults
        self.recorder = recorder
        self.config = config
        self.clock = clock
        self.api_origin = api_origin
        self.accounts_host = accounts_host
        load_contract()
        self.starlette = self._build()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # Route on the raw path, as sent: the decoded ``path`` turns "%2F" in an id into another
            # segment, and "%0A" into a newline that no route pattern matches (the route vanished), while
            # Request.url, parsed with urlsplit, strips "\t", "\r" and "\n" (the id became another one).
            scope = {**scope, "path": _routing_path(scope)}
        await self.starlette(scope, receive, send)

    # -- routing ---------------------------------------------------------------------------

    def _build(self) -> Starlette:
        by_path: dict[str, dict[str, Operation]] = {}
        for operation in OPERATIONS_BY_ID.values():
            by_path.setdefault(operation.path, {})[operation.method] = operation
        api_routes: list[BaseRoute] = [
            Route(path, endpoint=self._api_endpoint(operations), methods=list(operations))
            for path, operations in by_path.items()
        ]
        routes: list[BaseRoute] = [
            Route("/oauth/v2/token", endpoint=self._token_endpoint, methods=["POST"]),
            Mount(_NETWORK_PREFIX, app=Router(api_routes, redirect_slashes=False)),
            Mount(_API_PREFIX, app=Router(api_routes, redirect_slashes=False)),
        ]
        app = Starlette(routes=routes, exception_handlers={HTTPException: self._http_error})
        app.router.redirect_slashes = False
        return app

    def _api_endpoint(self, operations: Mapping[str, Operation]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            operation = operations.get(request.method)
            if operation is None:  # HEAD, which Starlette adds to GET routes
                raise HTTPException(405, headers={"Allow": ", ".join(operations)})
            return await self._api(request, operation)

        return endpoint

    async def _http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        exchange = _Exchange(request, self.recorder.next_seq(), self.clock.now(), None)
        token = _access_token(request.headers.get("authorization"))
        if token is not None:
            info = self.accounts.authenticate(token)
            exchange.token_fingerprint = fingerprint(token)
            exchange.user_id = info.user_id if info else None
        code = {404: URL_NOT_FOUND, 405: METHOD_NOT_ALLOWED}.get(exc.status_code)
        response = _json(exc.status_code, error_body(exc.status_code, code), exc.headers)
        return self._finish(exchange, response)

    # -- API requests ----------------------------------------------------------------------

    async def _api(self, request: Request, operation: Operation) -> Response:
        exchange = _Exchange(request, self.recorder.next_seq(), self.clock.now(), operation.operation_id)
        exchange.path_pattern = (_API_PREFIX if exchange.network is None else _NETWORK_PREFIX) + operation.path
        raw = await request.body()
        exchange.body = _parse_json(raw)
        token = _access_token(request.headers.get("authorization"))
        info = self.accounts.authenticate(token) if token is not None else None
        if token is not None:
            exchange.token_fingerprint = fingerprint(token)
        exchange.user_id = info.user_id if info else None
        fault = self.faults.take(
            operation.operation_id, exchange.user_id, after_apply=False, authenticated=info is not None
        )
        exchange.fault = fault.name if fault is not None else None
        try:
            response = await self._run_api(exchange, operation, raw, token, info, fault)
        except ConnectionDropped:
            raise
        except Exception:
            logger.exception("emulator error in %s", operation.operation_id)
            response = _json(500, error_body(500, INTERNAL_ERROR))
        return self._finish(exchange, response, check=exchange.fault is None)

    async def _run_api(
        self,
        exchange: _Exchange,
        operation: Operation,
        raw: bytes,
        token: str | None,
        info: AccessTokenInfo | None,
        fault: Fault | None,
    ) -> Response:
        request = exchange.request
        if fault is not None and not fault.after_apply:
            early = await self._strike_before(fault)
            if early is not None:
                return early
            if isinstance(fault, ExpireToken) and token is not None:
                self.accounts.expire_access_token(token)
                info = None
            if isinstance(fault, ThrottleNow) and info is not None:
                self.limiter.lock(info.user_id, operation.operation_id, fault.lock_seconds)
        if not _accepts_json(request.headers.get("accept")):
            return _json(406, error_body(406, NOT_ACCEPTABLE, "this API answers application/json"))
        if info is None:
            return _json(401, error_body(401, OAUTHTOKEN_INVALID))
        if not info.allows(operation.scopes):
            detail = f"the access token lacks the scope {', '.join(operation.scopes)}"
            return _json(403, error_body(403, SCOPE_MISMATCH, detail))
        if self.limiter.enabled:
            verdict = self.limiter.hit(info.user_id, operation.operation_id)
            if not verdict.allowed:
                return self._throttled(verdict.retry_at)
        result = load_contract().unmarshal_request(
            OpenAPIRequest(
                request.method,
                unquote(request.url.path),
                query=request.query_params.multi_items(),
                headers=request.headers.items(),
                body=raw,
                path_pattern=exchange.path_pattern,
                path_params=exchange.path_params,
            )
        )
        if result.errors:
            problems = describe_request_errors(result.errors)[:5]
            detail = "; ".join(str(problem) for problem in problems)
            return _json(400, error_body(400, INVALID_PARAMETER, detail))
        origin = f"{request.url.scheme}://{request.url.netloc}"
        try:
            response = self._dispatch(
                operation.operation_id,
                info.user_id,
                dict(result.parameters.query),
                dict(result.parameters.path),
                result.body if isinstance(result.body, dict) else {},
                origin,
            )
            exchange.applied = True
        except ApiError as error:
            response = _error(error)
        if fault is None:  # the handler ran: now an after-apply fault may strike
            after = self.faults.take(operation.operation_id, exchange.user_id, after_apply=True)
            if after is not None:
                exchange.fault = after.name
                return await self._strike_after(after, response)
        return response

    def _dispatch(
        self,
        operation_id: str,
        user: str,
        query: dict[str, Any],
        path: dict[str, Any],
        body: dict[str, Any],
        origin: str,
    ) -> Response:
        store = self.store
        channel_id = str(path.get("CHANNEL_ID", ""))
        match operation_id:
            case "create_channel":
                return _json(200, store.create_channel(user, body, origin))
            case "list_channels":
                return _json(200, store.list_channels(user, query, origin))
            case "get_channel":
                return _json(200, store.get_channel(user, channel_id, origin))
            case "update_channel":
                return _json(200, store.update_channel(user, channel_id, body, origin))
            case "delete_channel":
                store.delete_channel(user, channel_id)
            case "add_channel_members":
                store.add_members(user, channel_id, body)
            case "get_channel_members":
                return _json(200, store.get_members(user, channel_id))
            case "remove_channel_members":
                store.remove_members(user, channel_id, body)
            case "update_channel_member_role":
                store.update_member_role(user, channel_id, str(path["USER_ID"]), body)
            case "add_bot_to_channel":
                store.associate_bot(user, str(path["BOT_UNIQUE_NAME"]), body)
            case "approve_channel":
                store.approve_channel(user, channel_id)
            case "reject_channel":
                store.reject_channel(user, channel_id)
            case "join_channel":
                return _json(200, store.join_channel(user, channel_id, origin))
            case "leave_channel":
                store.leave_channel(user, channel_id)
            case "archive_channel":
                store.archive_channel(user, channel_id)
            case "unarchive_channel":
                store.unarchive_channel(user, channel_id)
                if self.config.unarchive_status == 200:
                    return _json(200, _UNARCHIVE_200)
            case _:  # pragma: no cover - every operation of the table is routed above
                raise ApiError(404, URL_NOT_FOUND)
        return _no_content()

    def _throttled(self, retry_at: float) -> Response:
        if self.config.throttle_status == 400:
            return _json(400, _THROTTLE_400)
        retry_after = max(math.ceil(retry_at - self.clock.now()), 1)
        return _json(429, {"message": ERROR_MESSAGES[429]}, {"Retry-After": str(retry_after)})

    # -- the token endpoint --------------------------------------------------------------------

    async def _token_endpoint(self, request: Request) -> Response:
        exchange = _Exchange(request, self.recorder.next_seq(), self.clock.now(), TOKEN_ENDPOINT)
        raw = await request.body()
        fields = dict(request.query_params)
        content_type = request.headers.get("content-type", "")
        if not content_type or content_type.startswith("application/x-www-form-urlencoded"):
            fields.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        exchange.body = redact_fields(fields)
        refresh_token = fields.get("refresh_token")
        if refresh_token:
            exchange.token_fingerprint = fingerprint(refresh_token)
            exchange.user_id = self.accounts.owner_of_refresh_token(refresh_token)
        fault = self.faults.take(TOKEN_ENDPOINT, exchange.user_id, after_apply=False)
        exchange.fault = fault.name if fault is not None else None
        response: Response | None = None
        if fault is not None:
            response = await self._strike_before(fault)
            if response is None and isinstance(fault, ThrottleNow):
                response = _json(400, dict(ISSUANCE_LIMIT_BODY))
        if response is None:
            grant = self.accounts.exchange(fields, api_domain=self._api_domain(request))
            exchange.applied = grant.issued
            response = _json(grant.status, dict(grant.body), {"Cache-Control": "no-store"})
            after = self.faults.take(TOKEN_ENDPOINT, exchange.user_id, after_apply=True) if fault is None else None
            if after is not None:
                exchange.fault = after.name
                response = await self._strike_after(after, response)
        return self._finish(exchange, response)

    def _api_domain(self, request: Request) -> str:
        if self.config.api_domain:
            return self.config.api_domain
        if request.url.hostname == self.accounts_host:
            return self.api_origin
        return f"{request.url.scheme}://{request.url.netloc}"

    # -- faults -------------------------------------------------------------------------------------

    async def _strike_before(self, fault: Fault) -> Response | None:
        """Apply a before-fault; a response ends the request, ``None`` lets it continue."""
        if isinstance(fault, Delay):
            await self.clock.asleep(fault.seconds)
            return None
        if isinstance(fault, DropConnection):
            return _DropResponse(fault.error)
        if isinstance(fault, ErrorStatus):
            return self._error_status(fault)
        if isinstance(fault, NonJsonBody):
            return Response(fault.content, status_code=fault.status or 502, media_type=fault.content_type)
        return None  # ExpireToken and ThrottleNow act inside the pipeline

    async def _strike_after(self, fault: Fault, response: Response) -> Response:
        if isinstance(fault, Delay):
            await self.clock.asleep(fault.seconds)
            return response
        if isinstance(fault, DropConnection):
            return _DropResponse(fault.error)
        if isinstance(fault, ErrorStatus):
            return self._error_status(fault)
        if isinstance(fault, NonJsonBody):
            return Response(
                fault.content, status_code=fault.status or response.status_code, media_type=fault.content_type
            )
        if isinstance(fault, TruncatedBody):
            body = bytes(response.body)
            if not body:
                return _DropResponse("disconnect")
            kept = body[: int(len(body) * fault.keep)]
            if fault.close_connection:
                headers = [(k, v) for k, v in response.raw_headers if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                return _DropResponse("disconnect", (response.status_code, headers, kept, len(body)))
            return Response(kept, status_code=response.status_code, media_type="application/json")
        return response

    def _error_status(self, fault: ErrorStatus) -> Response:
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(max(math.ceil(fault.retry_after), 0))
        status = fault.status
        return _json(status, error_body(status if status in ERROR_MESSAGES else 500, INTERNAL_ERROR), headers)

    # -- recording ----------------------------------------------------------------------------------

    def _finish(self, exchange: _Exchange, response: Response, *, check: bool = False) -> Response:
        request = exchange.request
        if (
            check
            and self.config.validate_responses
            and exchange.operation_id is not None
            and not isinstance(response, _DropResponse)
        ):
            try:
                check_exchange(
                    request.method,
                    unquote(request.url.path),
                    response.status_code,
                    [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers],
                    bytes(response.body),
                    query=request.query_params.multi_items(),
                    path_pattern=exchange.path_pattern,
                )
            except ContractViolation as violation:
                logger.error("emulator response broke the OpenAPI document: %s", violation)
                response = _json(500, error_body(500, INTERNAL_ERROR, f"emulator contract violation: {violation}"))
        status = None if isinstance(response, _DropResponse) else response.status_code
        self.recorder.add(
            RecordedRequest(
                seq=exchange.seq,
                time=exchange.time,
                method=request.method,
                path=unquote(request.url.path),  # decoded, every character kept
                query=redact_fields(dict(request.query_params)),
                operation_id=exchange.operation_id,
                network=exchange.network,
                user_id=exchange.user_id,
                status=status,
                body=exchange.body,
                headers=redact_headers(request.headers.items()),
                token_fingerprint=exchange.token_fingerprint,
                fault=exchange.fault,
                applied=exchange.applied,
            )
        )
        logger.debug(
            "%s %s -> %s (operation=%s fault=%s)",
            request.method,
            request.url.path,  # percent-encoded: a newline in an id cannot split the log line
            status if status is not None else "dropped",
            exchange.operation_id,
            exchange.fault,
        )
        return response
