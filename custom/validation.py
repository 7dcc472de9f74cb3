"""Refuse, before sending, a request that breaks a rule of the OpenAPI document.

The rules are the JSON Schemas the generator copied into ``operation_table``
(lengths, enums, ``maxItems: 50`` user ids, ``limit <= 100``, required
fields, date-time formats); nothing here restates them.  Each operation's
schemas are compiled with fastjsonschema once, on first use, into plain
functions; fastjsonschema itself is imported then, at the first compile, not
when this module is (it costs a few milliseconds of import time).

What is checked, on the request as it will go over the wire:

* path parameters (percent-decoded) -> field ``path.<NAME>``; an empty one
  leaves an empty URL segment that no route matches, which
  :func:`refuse_empty_path_parameter` recognizes (rule ``minLength``);
* query parameters, turned back into their schema types first (``"20"`` ->
  ``20`` for integers, ``"true"``/``"false"`` for booleans; date-times stay
  strings and must match RFC 3339, so a naive ``datetime`` is refused)
  -> field ``query.<name>``.  A parameter given twice is refused (``type``),
  an empty one too (``allowEmptyValue``: OpenAPI's default is false, and the
  server answers 400), unless the document sets ``allowEmptyValue: true``.
  Parameters the document does not list are *not* refused: the server
  ignores them, and users adding a newer parameter through ``httpx_args``
  should not be blocked by an older document;
* the JSON body -> field ``name``, ``config.reply_mode``, ``user_ids``...;
  a required body that is absent is refused with field ``body``.

The whole request target (percent-encoded path and query) is bounded by
:data:`~.url_limits.MAX_URL_OCTETS` (8000 octets, RFC 9110's minimum; see
``url_limits.py``): a longer one is refused with rule ``maxLength``, naming
its longest parameter.

Base64 text (``format: byte``, ``contentEncoding: base64``, as ``image_data``)
is checked strictly, as the server does: RFC 4648's alphabet and padding,
nothing else (fastjsonschema's own check drops other characters before
decoding, so ``"cG5n!!"`` passed).  Its rule is named after the keyword the
schema uses: ``contentEncoding`` if present, else ``format``.

Unknown enum values that the generated models keep (their pseudo-member
``UNKNOWN``) serialize to their raw string, so they are refused here with
rule ``enum``: tolerated when received, never sent.  A streamed (unread)
body is not inspected.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote

import httpx

from .errors import CliqValidationError
from .operations import Operation, match_empty_path_parameter, request_target
from .url_limits import MAX_URL_OCTETS, url_too_long

if TYPE_CHECKING:
    from fastjsonschema import JsonSchemaValueException

__all__ = ["OperationValidator", "refuse_empty_path_parameter", "validate_request", "validator_for"]

_Check = Callable[[Any], Any]


class _NotImportedYet(Exception):
    """Stands for fastjsonschema's error until the first compile imports it (no check runs before that)."""


#: fastjsonschema's ``JsonSchemaValueException``, set by :func:`_compile` (so an ``except`` costs nothing more).
_SchemaError = cast("type[JsonSchemaValueException]", _NotImportedYet)


def _to_int(value: str) -> Any:
    stripped = value.lstrip("+-")
    return int(value) if stripped.isdigit() and stripped.isascii() else value


def _to_number(value: str) -> Any:
    try:
        return float(value)
    except ValueError:
        return value


def _to_bool(value: str) -> Any:
    return {"true": True, "false": False}.get(value, value)


_COERCE: Mapping[str, Callable[[str], Any]] = {"integer": _to_int, "number": _to_number, "boolean": _to_bool}


def _guaranteed_by_route(schema: Mapping[str, Any]) -> bool:
    """A non-empty string is all the route's ``[^/]+`` group can match: no need to check it again."""
    return (
        schema.get("type", "string") == "string"
        and schema.get("minLength", 0) <= 1
        and set(schema) <= {"type", "minLength", "description"}
    )


def _object_schema(properties: Mapping[str, Any], *, required: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": dict(properties)}
    if required and properties:
        schema["required"] = list(properties)
    return schema


def _is_base64(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except ValueError:  # binascii.Error (alphabet, padding), or text that is not ASCII
        return False
    return True


#: The format a ``contentEncoding: base64`` becomes at compile time (:func:`_strict_base64`).
_CONTENT_ENCODING_BASE64 = "contentEncoding: base64"
#: Custom formats of every compiled schema: both spellings of base64 text, checked strictly.
_FORMATS: Mapping[str, Callable[[str], bool]] = {"byte": _is_base64, _CONTENT_ENCODING_BASE64: _is_base64}
_BASE64_DETAIL = "must be base64 text: RFC 4648 alphabet (A-Z a-z 0-9 + /) with '=' padding, nothing else"


def _strict_base64(node: Any) -> Any:
    """``node`` with each ``contentEncoding: base64`` turned into the strict custom format.

    fastjsonschema decodes ``contentEncoding`` leniently and reports it as the
    rule "schema"; a format is checked by our function and named in the error.
    A ``format: byte`` beside it says the same thing, so it goes.
    """
    if isinstance(node, list):
        return [_strict_base64(item) for item in node]
    if not isinstance(node, Mapping):
        return node
    out = {key: _strict_base64(value) for key, value in node.items()}
    if out.get("contentEncoding") == "base64" and out.get("format", "byte") == "byte":
        del out["contentEncoding"]
        out["format"] = _CONTENT_ENCODING_BASE64
    return out


def _compile(schema: Mapping[str, Any]) -> _Check:
    global _SchemaError
    import fastjsonschema  # lazily: on the first compile, not at import

    _SchemaError = fastjsonschema.JsonSchemaValueException
    # use_default=False: validation must never write defaults into the caller's data.
    check: _Check = fastjsonschema.compile(_strict_base64(schema), formats=_FORMATS, use_default=False)
    return check


class OperationValidator:
    """The compiled checks of one operation; build through :func:`validator_for`."""

    __slots__ = (
        "_body",
        "_body_required",
        "_coerce",
        "_never_empty",
        "_operation",
        "_path",
        "_path_trivial",
        "_query",
    )

    def __init__(self, operation: Operation) -> None:
        self._operation = operation
        self._path_trivial = all(_guaranteed_by_route(schema) for schema in operation.path_parameters.values())
        # A path the route already guarantees is compiled only if asked (validate_path): an operation
        # like get_channel then needs no compile, and a client that calls only such operations never
        # imports fastjsonschema.
        self._path: _Check | None = None if self._path_trivial else self._compile_path()
        query = operation.query_parameters
        self._query = _compile(_object_schema(query, required=False)) if query else None
        self._never_empty = frozenset(query).difference(operation.query_allow_empty)
        self._coerce: dict[str, Callable[[str], Any]] = {}
        for name, schema in query.items():
            coerce = _COERCE.get(schema.get("type", "string"))
            if coerce is not None:
                self._coerce[name] = coerce
        self._body = _compile(operation.request_body) if operation.request_body else None
        self._body_required = operation.request_body_required

    def validate(self, request: httpx.Request, path: str) -> None:
        """Raise :class:`CliqValidationError` for the first rule ``request`` (whose raw URL path is ``path``) breaks.

        Costs next to nothing for an operation like ``get_channel`` whose only
        rule (a non-empty id) the route already guarantees.
        """
        if not self._path_trivial:
            match = self._operation.pattern.match(path)
            self.validate_path(match.groupdict() if match is not None else {})
        if self._query is not None and request.url.query:
            self._validate_query(request.url.params)
        if self._body is not None:
            self._validate_body(request)

    def check_url_length(self, path: str, target: bytes) -> None:
        """Refuse a request target (``target``: raw path and query) past :data:`~.url_limits.MAX_URL_OCTETS`.

        Separate from :meth:`validate` because the transport already holds the
        raw target: measuring it costs a ``len``, building it again 0.3 us.
        """
        if len(target) > MAX_URL_OCTETS:
            raise self._too_long(path, target)

    def _too_long(self, path: str, target: bytes) -> CliqValidationError:
        """The error for a request target past :data:`~.url_limits.MAX_URL_OCTETS`, naming its longest parameter."""
        lengths: dict[str, int] = {}
        match = self._operation.pattern.match(path)
        if match is not None:
            lengths.update((f"path.{name}", len(value)) for name, value in match.groupdict().items())
        _, _, query = target.partition(b"?")
        for pair in query.split(b"&"):
            name, _, value = pair.partition(b"=")
            field = f"query.{unquote(name.decode('latin-1'))[:40]}"
            lengths[field] = max(lengths.get(field, 0), len(value))
        field = max(lengths, key=lengths.__getitem__) if lengths else "url"
        return url_too_long(self._operation.operation_id, field, lengths.get(field, len(target)), total=len(target))

    def validate_path(self, params: Mapping[str, str]) -> None:
        """Check raw (percent-encoded) path parameters against their schemas."""
        check = self._path
        if check is None:
            check = self._path = self._compile_path()
        self._run(check, {name: unquote(value) for name, value in params.items()}, "path.")

    def _compile_path(self) -> _Check:
        return _compile(_object_schema(self._operation.path_parameters, required=True))

    def _validate_query(self, params: httpx.QueryParams) -> None:
        """The schemas first, then ``allowEmptyValue``: an empty value a schema refuses is reported as empty."""
        values: dict[str, Any] = {}
        empty: str | None = None
        for name in params:
            given = params.get_list(name)
            if empty is None and "" in given and name in self._never_empty:
                empty = name
            coerce = self._coerce.get(name)
            if coerce is not None:
                given = [coerce(value) for value in given]
            values[name] = given[0] if len(given) == 1 else given
        assert self._query is not None
        try:
            self._query(values)
        except _SchemaError as exc:
            name = (exc.name or "").removeprefix("data.")
            if exc.value != "" or name not in self._never_empty:
                raise self._error(exc, "query.") from None
            empty = name  # "limit=": the real problem is the missing value, not its type
        if empty is not None:
            raise CliqValidationError(
                operation_id=self._operation.operation_id,
                field=f"query.{empty}",
                rule="allowEmptyValue",
                detail="must not be empty: leave the parameter out instead (the server refuses an empty value)",
            )

    def _validate_body(self, request: httpx.Request) -> None:
        try:
            content = request.content
        except httpx.RequestNotRead:
            return  # a streamed body: not ours to consume
        if not content:
            if self._body_required:
                raise CliqValidationError(
                    operation_id=self._operation.operation_id,
                    field="body",
                    rule="required",
                    detail="this operation needs a JSON request body",
                )
            return
        try:
            body = json.loads(content)
        except ValueError:
            raise CliqValidationError(
                operation_id=self._operation.operation_id, field="body", rule="type", detail="the body is not JSON"
            ) from None
        assert self._body is not None
        self._run(self._body, body, "")

    def _run(self, check: _Check, data: Any, prefix: str) -> None:
        try:
            check(data)
        except _SchemaError as exc:
            raise self._error(exc, prefix) from None

    def _error(self, exc: JsonSchemaValueException, prefix: str) -> CliqValidationError:
        rule = exc.rule or "schema"
        where = (exc.name or "data").removeprefix("data").lstrip(".")
        if rule == "required" and isinstance(exc.value, dict) and isinstance(exc.rule_definition, list):
            missing = next((name for name in exc.rule_definition if name not in exc.value), "?")
            where = f"{where}.{missing}" if where else str(missing)
            detail = "is required"
        elif rule == "format" and exc.rule_definition in _FORMATS:
            rule = "contentEncoding" if exc.rule_definition == _CONTENT_ENCODING_BASE64 else "format"
            detail = _BASE64_DETAIL
        else:
            # fastjsonschema says "data.x must be ..."; keep the rule, drop its name for the value.
            message = exc.message
            detail = message.split(" must ", 1)[1] if " must " in message else message
            detail = f"must {detail}"
        return CliqValidationError(
            operation_id=self._operation.operation_id, field=f"{prefix}{where}" or "body", rule=rule, detail=detail
        )


_validators: dict[str, OperationValidator] = {}
_build_lock = threading.Lock()


def validator_for(operation: Operation) -> OperationValidator:
    """The cached validator of ``operation``, compiled on first use (thread-safe)."""
    validator = _validators.get(operation.operation_id)
    if validator is None:
        with _build_lock:
            validator = _validators.get(operation.operation_id)
            if validator is None:
                validator = _validators[operation.operation_id] = OperationValidator(operation)
    return validator


def validate_request(operation: Operation, request: httpx.Request, path: str | None = None) -> None:
    """Check ``request`` against ``operation``'s schemas; raise :class:`CliqValidationError` before it is sent.

    ``path`` is the request's raw URL path without the query (computed when omitted).
    """
    sent_path, target = request_target(request)
    if path is None:
        path = sent_path
    validator = validator_for(operation)
    validator.check_url_length(path, target)
    validator.validate(request, path)


def refuse_empty_path_parameter(method: str, path: str) -> None:
    """Refuse a request no operation matches whose raw ``path`` (no query) has an empty path parameter.

    A request built by hand as ``/channels/`` or ``/channels//approve``
    matches no route, so the transport would send it unvalidated.  Call this
    only for requests :func:`~.operations.operation_of` maps to nothing:
    generated requests name their operation (and refuse ``get_channel("")``
    themselves), so only requests built by hand pay for this lenient second match.
    """
    found = match_empty_path_parameter(method, path)
    if found is not None:
        operation, name = found
        raise CliqValidationError(
            operation_id=operation.operation_id,
            field=f"path.{name}",
            rule="minLength",
            detail="must not be empty: it would leave an empty segment in the URL, which matches no route",
        )
