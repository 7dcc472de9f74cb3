"""Public API changes between two versions of the Channels OpenAPI document.

When Zoho publishes a new document, the question is not "what changed in the
YAML" but "what changed for code that calls this client": a removed query
parameter is a keyword argument that disappears, a new required field is a
constructor argument every caller must pass, a new enum value in a response is
harmless here because the generated enums keep values they do not know.

:func:`diff_documents` compares two parsed documents and returns frozen
:class:`Change` records, each flagged breaking or not; :func:`render` turns
them into the summary ``make update-spec`` prints.  The comparison follows the
shape of the generated code: operations are keyed by ``operationId`` (the
function and module name), ``$ref``s to parameters, request bodies and
responses are resolved, and a ``$ref`` to a component schema names a model
class, so each model is compared once, under its own name.

Run alone to preview an update without touching anything:
``python -m codegen.spec_diff openapi/channels.yaml new.yaml [--check]``.
"""

from __future__ import annotations

import argparse
import enum
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
SCHEMA_PREFIX = "#/components/schemas/"
# JSON Schema limits that the client enforces before sending a request.
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems")
ENUM_TOLERANCE_NOTE = "tolerated in responses: this client's enums keep values they do not know (is_known == False)"

Json = Mapping[str, Any]
_K = TypeVar("_K")


class Area(enum.StrEnum):
    """What part of the public API a change is in."""

    OPERATION = "operation"
    PARAMETER = "parameter"
    REQUEST_BODY = "request body"
    RESPONSE = "response"
    MODEL = "model"
    FIELD = "field"


class Action(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class Usage(enum.Flag):
    """Where a schema travels: what a caller sends, what a caller reads, or both."""

    NONE = 0
    REQUEST = enum.auto()
    RESPONSE = enum.auto()
    BOTH = REQUEST | RESPONSE


@attrs.frozen
class Change:
    """One change of the public API, as a caller of the generated client sees it.

    ``subject`` names the thing the way code does (``list_channels``,
    ``Channel.level``, ``ChannelLevel``); ``detail`` says what happened to it.
    """

    area: Area
    action: Action
    subject: str
    detail: str
    breaking: bool
    note: str = ""


@attrs.frozen
class SpecDiff:
    """The changes between two documents, in document order."""

    title: str
    old_version: str
    new_version: str
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.breaking)


@attrs.frozen
class _Operation:
    """An operation with its ``$ref``s to parameters, body and responses resolved."""

    operation_id: str
    method: str
    path: str
    tag: str
    deprecated: bool
    scopes: tuple[str, ...]
    rate_limit: Json | None
    parameters: Mapping[tuple[str, str], Json]  # (location, name) -> parameter
    body: Json | None
    responses: Mapping[str, Json]  # status -> response


class _Document:
    """Look-ups on one parsed document: references, operations, schema usage."""

    def __init__(self, document: Json) -> None:
        self.document = document
        self.schemas: Json = document.get("components", {}).get("schemas", {}) or {}
        self.operations = {operation.operation_id: operation for operation in self._operations()}
        self.usage = self._usage()

    def deref(self, node: Any) -> Any:
        """Follow ``$ref`` (to a parameter, body, response, or schema) until a definition."""
        seen: set[str] = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
            seen.add(node["$ref"])
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = (
                    target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, Mapping) else {}
                )
            node = target
        return node

    def _operations(self) -> Iterator[_Operation]:
        security = self.document.get("security", [])
        for path, raw_item in (self.document.get("paths") or {}).items():
            item = self.deref(raw_item)
            shared = [self.deref(parameter) for parameter in item.get("parameters", [])]
            for method in HTTP_METHODS:
                operation = item.get(method)
                if not isinstance(operation, Mapping):
                    continue
                parameters = {(p.get("in", ""), p.get("name", "")): p for p in shared}
                for raw in operation.get("parameters", []):
                    parameter = self.deref(raw)
                    parameters[(parameter.get("in", ""), parameter.get("name", ""))] = parameter
                responses = {str(status): self.deref(r) for status, r in (operation.get("responses") or {}).items()}
                yield _Operation(
                    operation_id=str(operation.get("operationId") or f"{method.upper()} {path}"),
                    method=method.upper(),
                    path=path,
                    tag=str((operation.get("tags") or ["default"])[0]),
                    deprecated=bool(operation.get("deprecated")),
                    scopes=tuple(
                        scope
                        for requirement in operation.get("security", security) or []
                        for scopes in requirement.values()
                        for scope in scopes
                    ),
                    rate_limit=operation.get("x-zoho-rate-limit"),
                    parameters=parameters,
                    body=self.deref(operation["requestBody"]) if "requestBody" in operation else None,
                    responses=responses,
                )

    def _usage(self) -> dict[str, Usage]:
        """Component schema name -> directions it is reachable from (through any depth of ``$ref``)."""
        usage: dict[str, Usage] = {}

        def visit(node: Any, direction: Usage) -> None:
            if isinstance(node, Mapping):
                reference = node.get("$ref")
                if isinstance(reference, str) and reference.startswith(SCHEMA_PREFIX):
                    name = reference.removeprefix(SCHEMA_PREFIX)
                    if not usage.get(name, Usage.NONE) & direction:
                        usage[name] = usage.get(name, Usage.NONE) | direction
                        visit(self.schemas.get(name), direction)
                for value in node.values():
                    visit(value, direction)
            elif isinstance(node, list):
                for item in node:
                    visit(item, direction)

        for operation in self.operations.values():
            visit([p.get("schema") for p in operation.parameters.values()], Usage.REQUEST)
            visit(operation.body, Usage.REQUEST)
            visit([response.get("content") for response in operation.responses.values()], Usage.RESPONSE)
        return usage

    def usage_of(self, name: str) -> Usage:
        # A schema no operation reaches still becomes a model: assume the worst of both directions.
        return self.usage.get(name) or Usage.BOTH

    def is_model(self, schema: Any) -> bool:
        """Whether the generator makes a class of it (an object or an enum)."""
        return isinstance(schema, Mapping) and (
            "enum" in schema or "properties" in schema or schema.get("type") == "object"
        )

    def describe(self, schema: Any) -> str:
        """The type a schema becomes, as a short string: ``Channel``, ``list[string]``, ``string(date-time)``."""
        if not isinstance(schema, Mapping):
            return "any"
        reference = schema.get("$ref")
        if isinstance(reference, str):
            target = self.deref(schema)
            return reference.rsplit("/", 1)[-1] if self.is_model(target) else self.describe(target)
        for combinator in ("allOf", "oneOf", "anyOf"):
            if combinator in schema:
                parts = [self.describe(part) for part in schema[combinator]]
                return parts[0] if combinator == "allOf" and len(parts) == 1 else f"{combinator}[{', '.join(parts)}]"
        declared = schema.get("type")
        types = list(declared) if isinstance(declared, list) else [declared] if declared else []
        nullable = "null" in types or schema.get("nullable") is True
        types = [kind for kind in types if kind != "null"] or (["object"] if "properties" in schema else [])
        described = " | ".join(self._describe_type(str(kind), schema) for kind in types) or "any"
        if "enum" in schema:
            described += " enum"
        return f"{described} | null" if nullable else described

    def _describe_type(self, kind: str, schema: Json) -> str:
        if kind == "array":
            return f"list[{self.describe(schema.get('items'))}]"
        if kind == "object":
            extra = schema.get("additionalProperties")
            if isinstance(extra, Mapping) and not schema.get("properties"):
                return f"dict[str, {self.describe(extra)}]"
            return "object"
        return f"{kind}({schema['format']})" if "format" in schema else kind


def diff_documents(old: Json, new: Json) -> SpecDiff:
    """Every public API change from ``old`` to ``new`` (both parsed OpenAPI documents)."""
    return _Differ(_Document(old), _Document(new)).run()


class _Differ:
    def __init__(self, old: _Document, new: _Document) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []

    def run(self) -> SpecDiff:
        self._operations()
        self._models()
        info_old, info_new = self.old.document.get("info", {}), self.new.document.get("info", {})
        return SpecDiff(
            title=str(info_new.get("title") or info_old.get("title") or "OpenAPI document"),
            old_version=str(info_old.get("version", "?")),
            new_version=str(info_new.get("version", "?")),
            changes=tuple(self.changes),
        )

    def add(self, area: Area, action: Action, subject: str, detail: str, *, breaking: bool, note: str = "") -> None:
        self.changes.append(Change(area, action, subject, detail, breaking, note))

    # -- operations ---------------------------------------------------------------------------------

    def _operations(self) -> None:
        for key in _union(self.old.operations, self.new.operations):
            old, new = self.old.operations.get(key), self.new.operations.get(key)
            if old is None and new is not None:
                self.add(Area.OPERATION, Action.ADDED, key, f"{new.method} {new.path}", breaking=False)
            elif new is None and old is not None:
                self.add(Area.OPERATION, Action.REMOVED, key, f"{old.method} {old.path}", breaking=True)
            elif old is not None and new is not None:
                self._operation(old, new)

    def _operation(self, old: _Operation, new: _Operation) -> None:
        key = new.operation_id
        if (old.method, old.path) != (new.method, new.path):
            self.add(
                Area.OPERATION,
                Action.CHANGED,
                key,
                f"route {old.method} {old.path} -> {new.method} {new.path}",
                breaking=False,
                note="same function; its requests go to the new route",
            )
        if old.tag != new.tag:
            self.add(
                Area.OPERATION, Action.CHANGED, key, f"tag {old.tag} -> {new.tag} (the module moves)", breaking=True
            )
        if new.deprecated and not old.deprecated:
            self.add(Area.OPERATION, Action.CHANGED, key, "deprecated", breaking=False)
        if old.scopes != new.scopes:
            self.add(
                Area.OPERATION,
                Action.CHANGED,
                key,
                f"scopes {_listing(old.scopes)} -> {_listing(new.scopes)}",
                breaking=False,
                note="tokens need the new scopes",
            )
        if old.rate_limit != new.rate_limit:
            self.add(
                Area.OPERATION,
                Action.CHANGED,
                key,
                f"rate limit {_rate(old.rate_limit)} -> {_rate(new.rate_limit)}",
                breaking=False,
                note="the client paces itself by the new limit",
            )
        self._parameters(old, new)
        self._request_body(old, new)
        self._responses(old, new)

    def _parameters(self, old: _Operation, new: _Operation) -> None:
        for location, name in _union(old.parameters, new.parameters):
            subject = f"{new.operation_id}: {location} parameter '{name}'"
            before, after = old.parameters.get((location, name)), new.parameters.get((location, name))
            if before is None and after is not None:
                required = bool(after.get("required"))
                detail = f"{self.new.describe(after.get('schema'))}, {_required(required)}"
                self.add(Area.PARAMETER, Action.ADDED, subject, detail, breaking=required)
            elif after is None and before is not None:
                detail = f"{self.old.describe(before.get('schema'))}, {_required(bool(before.get('required')))}"
                self.add(Area.PARAMETER, Action.REMOVED, subject, detail, breaking=True)
            elif before is not None and after is not None:
                if after.get("deprecated") and not before.get("deprecated"):
                    self.add(Area.PARAMETER, Action.CHANGED, subject, "deprecated", breaking=False)
                self._schema(
                    Area.PARAMETER,
                    subject,
                    before.get("schema"),
                    after.get("schema"),
                    required=(bool(before.get("required")), bool(after.get("required"))),
                    usage=Usage.REQUEST,
                )

    def _request_body(self, old: _Operation, new: _Operation) -> None:
        subject = f"{new.operation_id}: request body"
        before, after = old.body, new.body
        if before is None or after is None:
            if after is not None:
                required = bool(after.get("required"))
                detail = f"{self.new.describe(_body_schema(after)[1])}, {_required(required)}"
                self.add(Area.REQUEST_BODY, Action.ADDED, subject, detail, breaking=required)
            elif before is not None:
                detail = self.old.describe(_body_schema(before)[1])
                self.add(Area.REQUEST_BODY, Action.REMOVED, subject, detail, breaking=True)
            return
        (old_type, old_schema), (new_type, new_schema) = _body_schema(before), _body_schema(after)
        if old_type != new_type:
            detail = f"content type {old_type} -> {new_type}"
            self.add(Area.REQUEST_BODY, Action.CHANGED, subject, detail, breaking=True)
            return
        was_and_is = (bool(before.get("required")), bool(after.get("required")))
        self._schema(Area.REQUEST_BODY, subject, old_schema, new_schema, required=was_and_is, usage=Usage.REQUEST)

    def _responses(self, old: _Operation, new: _Operation) -> None:
        for status in _union(_successes(old.responses), _successes(new.responses)):
            subject = f"{new.operation_id}: {status} response"
            before, after = old.responses.get(status), new.responses.get(status)
            if before is None and after is not None:
                detail = _or_no_content(self.new.describe, _body_schema(after)[1])
                self.add(Area.RESPONSE, Action.ADDED, subject, detail, breaking=False)
            elif after is None and before is not None:
                detail = _or_no_content(self.old.describe, _body_schema(before)[1])
                self.add(Area.RESPONSE, Action.REMOVED, subject, detail, breaking=False)
            elif before is not None and after is not None:
                old_schema, new_schema = _body_schema(before)[1], _body_schema(after)[1]
                if old_schema is None or new_schema is None:
                    if (old_schema is None) != (new_schema is None):
                        old_text = _or_no_content(self.old.describe, old_schema)
                        new_text = _or_no_content(self.new.describe, new_schema)
                        self.add(
                            Area.RESPONSE, Action.CHANGED, subject, f"type {old_text} -> {new_text}", breaking=True
                        )
                    continue
                self._schema(
                    Area.RESPONSE, subject, old_schema, new_schema, required=(True, True), usage=Usage.RESPONSE
                )

    # -- models and fields --------------------------------------------------------------------------

    def _models(self) -> None:
        old_models = {name: s for name, s in self.old.schemas.items() if self.old.is_model(s)}
        new_models = {name: s for name, s in self.new.schemas.items() if self.new.is_model(s)}
        for name in _union(old_models, new_models):
            before, after = old_models.get(name), new_models.get(name)
            if before is None and after is not None:
                self.add(Area.MODEL, Action.ADDED, name, _model_kind(after), breaking=False)
            elif after is None and before is not None:
                self.add(Area.MODEL, Action.REMOVED, name, _model_kind(before), breaking=True)
            elif before is not None and after is not None:
                if ("enum" in before) != ("enum" in after):
                    detail = f"{_model_kind(before)} -> {_model_kind(after)}"
                    self.add(Area.MODEL, Action.CHANGED, name, detail, breaking=True)
                    continue
                usage = self.old.usage_of(name) | self.new.usage_of(name)
                self._enum(Area.MODEL, name, before, after, usage)
                self._fields(name, before, after, usage)

    def _fields(self, prefix: str, old: Json, new: Json, usage: Usage) -> None:
        old_fields, new_fields = old.get("properties") or {}, new.get("properties") or {}
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        for name in _union(old_fields, new_fields):
            subject = f"{prefix}.{name}"
            before, after = old_fields.get(name), new_fields.get(name)
            if before is None:
                required = name in new_required
                detail = f"{self.new.describe(after)}, {_required(required)}"
                self.add(Area.FIELD, Action.ADDED, subject, detail, breaking=required)
            elif after is None:
                detail = f"{self.old.describe(before)}, {_required(name in old_required)}"
                self.add(Area.FIELD, Action.REMOVED, subject, detail, breaking=True)
            else:
                was_and_is = (name in old_required, name in new_required)
                self._schema(Area.FIELD, subject, before, after, required=was_and_is, usage=usage)

    def _schema(
        self, area: Area, subject: str, old: Any, new: Any, *, required: tuple[bool, bool], usage: Usage
    ) -> None:
        """Changes of one typed slot (parameter, field, body): type, required, enum values, limits, inline fields."""
        old_type, new_type = self.old.describe(old), self.new.describe(new)
        if old_type != new_type:
            self.add(area, Action.CHANGED, subject, f"type {old_type} -> {new_type}", breaking=True)
            return
        if required == (False, True):
            self.add(area, Action.CHANGED, subject, "now required", breaking=True)
        elif required == (True, False):
            # Optional attributes of a response model read as UNSET: code that reads them must check.
            reads = bool(usage & Usage.RESPONSE)
            note = "the attribute may now be UNSET in responses" if reads else ""
            self.add(area, Action.CHANGED, subject, "now optional", breaking=reads, note=note)
        if not isinstance(old, Mapping) or not isinstance(new, Mapping) or "$ref" in old or "$ref" in new:
            return  # a named model: compared once, under its own name
        self._enum(area, subject, old, new, usage)
        if usage & Usage.REQUEST:
            self._limits(area, subject, old, new)
        if new.get("deprecated") and not old.get("deprecated"):
            self.add(area, Action.CHANGED, subject, "deprecated", breaking=False)
        if "properties" in old or "properties" in new:
            self._fields(subject, old, new, usage)
        old_items, new_items = old.get("items"), new.get("items")
        if isinstance(old_items, Mapping) and isinstance(new_items, Mapping):
            self._schema(area, f"{subject}[]", old_items, new_items, required=(True, True), usage=usage)

    def _enum(self, area: Area, subject: str, old: Json, new: Json, usage: Usage) -> None:
        before, after = list(old.get("enum") or []), list(new.get("enum") or [])
        added = [value for value in after if value not in before]
        removed = [value for value in before if value not in after]
        if added:
            note = ENUM_TOLERANCE_NOTE if usage & Usage.RESPONSE else ""
            self.add(area, Action.CHANGED, subject, f"enum values added: {_listing(added)}", breaking=False, note=note)
        if removed:
            self.add(area, Action.CHANGED, subject, f"enum values removed: {_listing(removed)}", breaking=True)

    def _limits(self, area: Area, subject: str, old: Json, new: Json) -> None:
        """Limits the client validates before sending: a tighter one refuses calls that used to pass."""
        for keyword in (*LOWER_BOUNDS, *UPPER_BOUNDS, "pattern"):
            before, after = old.get(keyword), new.get(keyword)
            if before == after:
                continue
            tighter = after is not None and (before is None or not _looser(keyword, before, after))
            note = "requests that passed validation may now be refused" if tighter else ""
            self.add(area, Action.CHANGED, subject, f"{keyword} {before!r} -> {after!r}", breaking=tighter, note=note)


def _looser(keyword: str, before: Any, after: Any) -> bool:
    numbers = (int, float)
    if not isinstance(before, numbers) or not isinstance(after, numbers):
        return False  # a changed pattern (or a boolean exclusiveMinimum) cannot be ordered: assume tighter
    return bool(after < before) if keyword in LOWER_BOUNDS else bool(after > before)


def _union(old: Iterable[_K], new: Iterable[_K]) -> list[_K]:
    """Keys of ``new`` in its order, then the keys only ``old`` had."""
    keys = list(new)
    return keys + [key for key in old if key not in keys]


def _successes(responses: Mapping[str, Json]) -> dict[str, Json]:
    return {status: response for status, response in responses.items() if status.startswith("2")}


def _body_schema(body: Json) -> tuple[str | None, Any]:
    """(content type, schema) of a request body or response; JSON preferred."""
    content = body.get("content") or {}
    if not content:
        return None, None
    content_type = "application/json" if "application/json" in content else next(iter(content))
    return content_type, (content[content_type] or {}).get("schema")


def _or_no_content(describe: Any, schema: Any) -> str:
    return "no content" if schema is None else str(describe(schema))


def _model_kind(schema: Json) -> str:
    if "enum" in schema:
        return f"enum of {_listing(schema['enum'])}"
    return f"object with {len(schema.get('properties') or {})} fields"


def _required(required: bool) -> str:
    return "required" if required else "optional"


def _listing(values: Iterable[Any]) -> str:
    return ", ".join(repr(value) for value in values) or "none"


def _rate(limit: Json | None) -> str:
    if not limit:
        return "none"
    return f"{limit.get('threshold')}/{limit.get('window_seconds')}s (lock {limit.get('lock_seconds')}s)"


# -- rendering --------------------------------------------------------------------------------------

SECTIONS: tuple[tuple[str, frozenset[Area]], ...] = (
    ("Operations", frozenset({Area.OPERATION})),
    ("Parameters", frozenset({Area.PARAMETER})),
    ("Request and response bodies", frozenset({Area.REQUEST_BODY, Area.RESPONSE})),
    ("Models and fields", frozenset({Area.MODEL, Area.FIELD})),
)
MARKS = {Action.ADDED: "+", Action.REMOVED: "-", Action.CHANGED: "~"}


def render(diff: SpecDiff) -> str:
    """The human-readable summary: one line per change, BREAKING ones first in each section."""
    count = len(diff.changes)
    lines = [
        f"Public API changes, {diff.title} {diff.old_version} -> {diff.new_version}: "
        f"{count} change{'s' * (count != 1)}, {len(diff.breaking)} BREAKING"
    ]
    if not diff.changes:
        lines.append("  (none: the generated API is unchanged)")
    for heading, areas in SECTIONS:
        changes = sorted((c for c in diff.changes if c.area in areas), key=lambda change: not change.breaking)
        if not changes:
            continue
        lines += ["", heading]
        for change in changes:
            flag = "BREAKING" if change.breaking else ""
            what = (
                f"{change.subject}: {change.detail}"
                if change.action is Action.CHANGED
                else f"{change.subject} ({change.detail})"
            )
            lines.append(f"  {flag:<8}  {MARKS[change.action]} {change.action:<7}  {what}")
            if change.note:
                lines.append(f"{'':<23}({change.note})")
    if diff.breaking:
        lines += ["", "Code that uses the BREAKING items above must change before this update ships."]
    return "\n".join(lines) + "\n"


def load_document(path: Path) -> dict[str, Any]:
    """Parse a YAML or JSON OpenAPI document; refuse what is not one."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or "openapi" not in document or not isinstance(document.get("paths"), dict):
        raise ValueError(f"{path} is not an OpenAPI document (no 'openapi' version or 'paths')")
    return document


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen.spec_diff", description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the current document, e.g. openapi/channels.yaml")
    parser.add_argument("new", type=Path, help="the new document")
    parser.add_argument("--check", action="store_true", help="exit 1 when a change is breaking")
    arguments = parser.parse_args(argv)
    try:
        old, new = load_document(arguments.old), load_document(arguments.new)
    except (OSError, ValueError, yaml.YAMLError) as error:
        print(f"spec_diff: error: {error}", file=sys.stderr)
        return 2
    diff = diff_documents(old, new)
    sys.stdout.write(render(diff))
    return 1 if arguments.check and diff.breaking else 0


if __name__ == "__main__":
    sys.exit(main())
