"""Hypothesis strategies and invalid-input mutations derived from the operation table's JSON Schemas.

hypothesis-jsonschema is not a dependency, so this is a small generic builder
for the subset of JSON Schema the Channels document uses (object, string with
lengths/enum/formats, boolean, integer with bounds, array with item counts).
Nothing here restates a rule of the document: every value is derived from the
schema dicts of ``OPERATIONS_BY_ID[op].request_body / query_parameters``, and
callers only *override* fields whose valid values depend on the emulator's
state (existing user ids, team ids...).

:func:`mutations` lists, for a schema, every single-rule violation it can
express, each with the field name and JSON Schema keyword the SDK's
``CliqValidationError`` must report.
"""

from __future__ import annotations

import base64
import copy
import datetime
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from hypothesis import strategies as st

__all__ = ["DROP", "Mutation", "apply", "from_schema", "mutations"]

Schema = Mapping[str, Any]
Path = tuple[str | int, ...]

#: Longest free text generated for a field without a tighter maxLength (the maximum itself is also drawn).
_TEXT_CAP = 40
_ITEMS_CAP = 4


def _datetimes() -> st.SearchStrategy[str]:
    zones = st.sampled_from(
        [
            datetime.UTC,
            datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
            datetime.timezone(-datetime.timedelta(hours=8)),
        ]
    )
    moments = st.datetimes(
        min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2100, 1, 1), timezones=zones
    )
    return moments.map(lambda moment: moment.replace(microsecond=0).isoformat())


def _string(schema: Schema) -> st.SearchStrategy[Any]:
    if "enum" in schema:
        return st.sampled_from(list(schema["enum"]))
    fmt = schema.get("format")
    if fmt == "date-time":
        return _datetimes()
    if fmt == "byte" or schema.get("contentEncoding") == "base64":
        return st.binary(max_size=48).map(lambda raw: base64.b64encode(raw).decode("ascii"))
    if fmt == "email":
        local = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
        return st.builds(lambda user, host: f"{user}@{host}.example", local, local)
    low = int(schema.get("minLength", 0))
    high = schema.get("maxLength")
    cap = min(int(high), _TEXT_CAP) if high is not None else _TEXT_CAP
    text = st.text(min_size=low, max_size=max(cap, low))
    if high is not None and int(high) > cap:  # the boundary itself, whatever its size
        text = st.one_of(text, st.just("é" * int(high)))
    return text


def from_schema(
    schema: Schema,
    *,
    overrides: Mapping[str, st.SearchStrategy[Any]] | None = None,
    omit: frozenset[str] = frozenset(),
    where: str = "",
) -> st.SearchStrategy[Any]:
    """Values valid for ``schema``; ``overrides`` replace a dotted field's strategy, ``omit`` drops optional ones."""
    overrides = overrides or {}
    if where in overrides:
        return overrides[where]
    kind = schema.get("type", "string" if "enum" in schema else None)
    if kind == "object":
        properties: Mapping[str, Schema] = schema.get("properties", {})
        required = set(schema.get("required", ()))

        def field(name: str) -> st.SearchStrategy[Any]:
            return from_schema(properties[name], overrides=overrides, omit=omit, where=f"{where}.{name}".lstrip("."))

        return st.fixed_dictionaries(
            {name: field(name) for name in properties if name in required},
            optional={
                name: field(name)
                for name in properties
                if name not in required and f"{where}.{name}".lstrip(".") not in omit
            },
        )
    if kind == "array":
        items = from_schema(schema.get("items", {}), overrides=overrides, omit=omit, where=f"{where}[]")
        low = int(schema.get("minItems", 0))
        high = schema.get("maxItems")
        lists = st.lists(items, min_size=low, max_size=max(low, min(int(high or _ITEMS_CAP), _ITEMS_CAP)))
        if high is not None and int(high) > _ITEMS_CAP:
            lists = st.one_of(lists, st.lists(items, min_size=int(high), max_size=int(high)))
        return lists
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))
    if kind == "number":
        return st.floats(
            min_value=schema.get("minimum"), max_value=schema.get("maximum"), allow_nan=False, allow_infinity=False
        )
    return _string(schema)


# --- invalid inputs ---------------------------------------------------------------------------------


class _Drop:
    def __repr__(self) -> str:
        return "DROP"


#: Mutation value meaning "remove this field".
DROP: Any = _Drop()


@attrs.frozen
class Mutation:
    """One broken rule: where (``path`` into the input), what to put there, and what the SDK must report."""

    path: Path
    value: Any
    rule: str
    #: The ``CliqValidationError.field`` expected (``name``, ``config.reply_mode``, ``email_ids[0]``, ``query.limit``).
    field: str

    @property
    def label(self) -> str:
        return f"{self.field}:{self.rule}"


def _dotted(path: Path, prefix: str) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return prefix + out.lstrip(".")


_WRONG_TYPE: Mapping[str, Any] = {
    "string": 12345,
    "boolean": "true",
    "integer": "twelve",
    "number": "twelve",
    "array": "not-a-list",
    "object": ["not", "an", "object"],
}


def mutations(schema: Schema, *, prefix: str = "", path: Path = (), query: bool = False) -> list[Mutation]:
    """Every single-rule violation of ``schema`` this builder knows how to express.

    With ``query``, only violations that survive being sent as a query string
    (where every value is text): a wrong type only for booleans and integers, a
    ``date-time`` as a *naive* ``datetime`` (what a caller would pass; the SDK
    sends its ``isoformat()``).
    """
    out: list[Mutation] = []

    def add(value: Any, rule: str, at: Path = path) -> None:
        out.append(Mutation(at, value, rule, _dotted(at, prefix)))

    kind = schema.get("type", "string" if "enum" in schema else None)
    if path and kind in _WRONG_TYPE and (not query or kind in ("boolean", "integer", "number")):
        add(_WRONG_TYPE[kind] if not query else {"boolean": "maybe"}.get(kind, "twelve"), "type")
    if kind == "object":
        properties: Mapping[str, Schema] = schema.get("properties", {})
        for name in schema.get("required", ()):
            add(DROP, "required", (*path, name))
        for name, sub in properties.items():
            out.extend(mutations(sub, prefix=prefix, path=(*path, name), query=query))
    elif kind == "array":
        items: Schema = schema.get("items", {})
        sample = _sample(items)
        if "maxItems" in schema:
            add([sample] * (int(schema["maxItems"]) + 1), "maxItems")
        if int(schema.get("minItems", 0)) > 0:
            add([], "minItems")
        out.extend(mutations(items, prefix=prefix, path=(*path, 0), query=query))
    elif kind == "integer" or kind == "number":
        if "minimum" in schema:
            add(schema["minimum"] - 1, "minimum")
        if "maximum" in schema:
            add(schema["maximum"] + 1, "maximum")
    elif kind == "string":
        if "enum" in schema:
            add("not-" + "-".join(schema["enum"])[:30], "enum")
        if "maxLength" in schema:
            add("x" * (int(schema["maxLength"]) + 1), "maxLength")
        if query and "format" not in schema and not schema.get("allowEmptyValue", False):
            # OpenAPI's default: an empty query value is refused, whatever the schema (a date-time is typed:
            # the SDK cannot be given an empty one).
            add("", "allowEmptyValue")
        elif int(schema.get("minLength", 0)) > 0:
            add("", "minLength")
        fmt = schema.get("format")
        if fmt == "email":
            add("not-an-email", "format")
        elif fmt == "date-time":
            add(datetime.datetime(2026, 1, 2, 3, 4, 5) if query else "2026-13-45T25:61:00", "format")
        if schema.get("contentEncoding") == "base64":
            # Strict base64, as the server checks it: "cG5n" is "png", the "!!" must not be dropped silently.
            add("cG5n!!", "contentEncoding")
    return out


def _sample(schema: Schema) -> Any:
    if "enum" in schema:
        return schema["enum"][0]
    return {"string": "1", "boolean": True, "integer": 1, "object": {}, "array": []}.get(schema.get("type", "string"))


def apply(base: Any, mutation: Mutation) -> Any:
    """A deep copy of ``base`` with ``mutation`` applied (intermediate containers created as needed)."""
    data = copy.deepcopy(base)
    if not mutation.path:
        return mutation.value
    node = data
    for part, following in zip(mutation.path, mutation.path[1:], strict=False):
        node = _child(node, part, following)
    last = mutation.path[-1]
    if mutation.value is DROP:
        if isinstance(node, dict):
            node.pop(last, None)
    elif isinstance(node, list):
        assert isinstance(last, int)
        node[last:] = [mutation.value]
    else:
        node[last] = mutation.value
    return data


def _child(node: Any, part: str | int, following: str | int) -> Any:
    empty: Callable[[], Any] = list if isinstance(following, int) else dict
    if isinstance(node, list):
        assert isinstance(part, int)
        if len(node) <= part:
            node[part:] = [empty()]
        elif not isinstance(node[part], list | dict):
            node[part] = empty()
        return node[part]
    current = node.get(part)
    if not isinstance(current, list | dict):
        node[part] = current = empty()
    return current
