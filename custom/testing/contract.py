"""The OpenAPI document as the emulator's contract, checked with openapi-core.

The document bundled with the package (``openapi.yaml`` next to the generated
``operation_table``) names Zoho's servers (``https://cliq.zoho.{dc}/api/v2``),
which no emulator host matches.  :func:`load_contract` validates against a copy
whose servers are the relative ``/api/v2`` and ``/network/{network}/api/v2``,
and without ``security`` requirements (the emulator checks tokens and scopes
itself, from the operation table).

:func:`check_response` validates an ``httpx.Response`` (and its request)
against the document, for tests of the emulator and of applications.

openapi-core finds a request's operation by joining its path to the host URL
(``urljoin``), which removes dot segments and a last segment's ``;params``:
a channel id ``"."`` or ``";"`` came out empty ("'' should be non-empty").
So the operation is given as its path template (``path_pattern``, e.g.
``/api/v2/channels/{CHANNEL_ID}``) and the path parameters decoded, from the
raw (percent-encoded) path: see :func:`path_pattern`.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any
from urllib.parse import unquote

import httpx
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.deserializing.media_types.exceptions import MediaTypeDeserializeError
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.validation.request.exceptions import (
    MissingRequiredRequestBody,
    ParameterValidationError,
    RequestBodyValidationError,
)
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from werkzeug.datastructures import Headers, ImmutableMultiDict

from ... import operation_table
from ..operations import match_operation

__all__ = [
    "ContractViolation",
    "FieldError",
    "OpenAPIRequest",
    "OpenAPIResponse",
    "check_response",
    "describe_request_errors",
    "load_contract",
    "load_document",
    "path_pattern",
]

_ROOT_PACKAGE = operation_table.__name__.rpartition(".")[0]
_LOCK = threading.Lock()


class ContractViolation(AssertionError):
    """A response broke the OpenAPI document."""


class OpenAPIRequest:
    """openapi-core's request protocol over plain values.

    ``path_pattern`` (the document's template under the server's prefix) and
    ``path_params`` (decoded) spare openapi-core from parsing ``path``, which
    loses dot segments and ``;`` (see the module docstring).
    """

    def __init__(
        self,
        method: str,
        path: str,
        *,
        query: Iterable[tuple[str, str]] = (),
        headers: Iterable[tuple[str, str]] = (),
        body: bytes | None = None,
        host_url: str = "http://emulator",
        path_pattern: str | None = None,
        path_params: Mapping[str, str] | None = None,
    ) -> None:
        self.host_url = host_url
        self.path = path
        self.path_pattern = path_pattern
        self.method = method.lower()
        self.body = body or None
        header_list = list(headers)
        self.content_type = next((v for k, v in header_list if k.lower() == "content-type"), "application/json")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(query)),
            header=Headers(header_list),
            cookie=ImmutableMultiDict(),
            path=dict(path_params or {}),
        )


class OpenAPIResponse:
    """openapi-core's response protocol over plain values."""

    def __init__(self, status_code: int, data: bytes, headers: Iterable[tuple[str, str]]) -> None:
        self.status_code = status_code
        self.data = data
        self.headers = Headers(list(headers))
        self.content_type = self.headers.get("content-type", "") or ""


def load_document() -> dict[str, Any]:
    """The bundled OpenAPI document, as a dict (a fresh copy each call)."""
    return copy.deepcopy(_raw_document())


@functools.cache
def _raw_document() -> dict[str, Any]:
    text = (resources.files(_ROOT_PACKAGE) / "openapi.yaml").read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    if not isinstance(document, dict):
        raise RuntimeError("openapi.yaml is not an OpenAPI document")
    return document


def _emulator_document() -> dict[str, Any]:
    document = load_document()
    document["servers"] = [
        {"url": "/api/v2"},
        {"url": "/network/{network}/api/v2", "variables": {"network": {"default": "network"}}},
    ]
    document.pop("security", None)
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                operation.pop("security", None)
    return document


_CONTRACT: OpenAPI | None = None


def load_contract() -> OpenAPI:
    """The openapi-core ``OpenAPI`` of the emulator's copy of the document (built once, thread-safe)."""
    global _CONTRACT
    if _CONTRACT is None:
        with _LOCK:
            if _CONTRACT is None:
                contract = OpenAPI.from_dict(_emulator_document())
                # build the (cached) validators now, not concurrently on first use
                _ = contract.request_unmarshaller, contract.response_validator
                _CONTRACT = contract
    return _CONTRACT


# -- request errors -> the field they name -----------------------------------------------


class FieldError:
    """One broken rule: the field (dotted path, or a query parameter's name) and what is wrong."""

    __slots__ = ("detail", "field")

    def __init__(self, field: str, detail: str) -> None:
        self.field = field
        self.detail = detail

    def __repr__(self) -> str:
        return f"FieldError({self.field!r}, {self.detail!r})"

    def __str__(self) -> str:
        return f"field {self.field!r}: {self.detail}"


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _schema_errors(cause: BaseException | None, prefix: str) -> list[FieldError]:
    out: list[FieldError] = []
    if not isinstance(cause, InvalidSchemaValue):
        return out
    for error in cause.schema_errors:
        path = [str(p) for p in getattr(error, "absolute_path", ())]
        validator = getattr(error, "validator", None)
        if validator == "required":
            instance = getattr(error, "instance", {})
            required = getattr(error, "validator_value", ()) or ()
            missing = [name for name in required if not isinstance(instance, dict) or name not in instance]
            for name in missing or required[:1]:
                out.append(FieldError(".".join([*path, str(name)]), "is required"))
            continue
        field = ".".join(path) if path else prefix
        message = str(getattr(error, "message", error))
        out.append(FieldError(field, _short(message)))
    return out


def describe_request_errors(errors: Iterable[Exception]) -> list[FieldError]:
    """Turn openapi-core's request errors into ``FieldError``s naming the field."""
    out: list[FieldError] = []
    for error in errors:
        cause = error.__cause__
        if isinstance(error, ParameterValidationError):
            details = _schema_errors(cause, error.name)
            if details:
                out.extend(FieldError(error.name if d.field == error.name else d.field, d.detail) for d in details)
            elif cause is not None:
                out.append(FieldError(error.name, _short(f"cannot be read: {cause}")))
            else:
                out.append(FieldError(error.name, _short(str(error))))
        elif isinstance(error, MissingRequiredRequestBody):
            out.append(FieldError("body", "a JSON request body is required"))
        elif isinstance(error, RequestBodyValidationError):
            if isinstance(cause, MediaTypeNotFound):
                out.append(
                    FieldError("body", f"Content-Type {cause.mimetype!r} is not supported; send application/json")
                )
            elif isinstance(cause, MediaTypeDeserializeError):
                out.append(FieldError("body", "is not valid JSON"))
            else:
                out.extend(_schema_errors(cause, "body") or [FieldError("body", _short(str(error)))])
        else:
            out.append(FieldError("request", _short(str(error))))
    return out


# -- responses -----------------------------------------------------------------------------


def _response_errors(request: OpenAPIRequest, response: OpenAPIResponse) -> list[str]:
    contract = load_contract()
    problems: list[str] = []
    for error in contract.iter_response_errors(request, response):
        cause = error.__cause__
        problems.append(f"{error}" + (f": {cause}" if cause is not None and str(cause) not in str(error) else ""))
    if response.status_code == 204 and response.data:
        problems.append("HTTP 204 with a body")
    return problems


def path_pattern(method: str, raw_path: str) -> str | None:
    """The operation's template under the server prefix of ``raw_path`` (percent-encoded, no query), or ``None``.

    ``/network/n1/api/v2/channels/%2E/members`` -> ``/network/n1/api/v2/channels/{CHANNEL_ID}/members``.
    """
    operation = match_operation(method, raw_path)
    if operation is None:
        return None
    prefix = raw_path.rsplit("/", operation.path.count("/"))[0]
    return unquote(prefix) + operation.path


def check_exchange(
    method: str,
    path: str,
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    *,
    query: Iterable[tuple[str, str]] = (),
    path_pattern: str | None = None,
) -> None:
    """Raise :class:`ContractViolation` unless the response is one the document allows.

    ``path_pattern``: the operation's template (see :func:`path_pattern`); without it ``path`` is parsed.
    """
    request = OpenAPIRequest(method, path, query=query, path_pattern=path_pattern)
    response = OpenAPIResponse(status, body, headers)
    problems = _response_errors(request, response)
    if problems:
        raise ContractViolation(f"{method.upper()} {path} -> HTTP {status}: " + "; ".join(problems))


def check_response(response: httpx.Response) -> None:
    """Raise :class:`ContractViolation` unless ``response`` (to its request) matches the OpenAPI document.

    The request must be to a documented operation (under ``/api/v2`` or
    ``/network/{network}/api/v2``); any other request is itself a violation.
    """
    request = response.request
    raw_path = request.url.raw_path.partition(b"?")[0].decode("ascii")
    check_exchange(
        request.method,
        request.url.path,
        response.status_code,
        response.headers.multi_items(),
        response.content,
        query=request.url.params.multi_items(),
        path_pattern=path_pattern(request.method, raw_path),
    )
