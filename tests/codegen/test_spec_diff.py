"""codegen/spec_diff.py on small synthetic documents: each edit yields exactly the expected change records."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from codegen.spec_diff import (
    ENUM_TOLERANCE_NOTE,
    Action,
    Area,
    Change,
    diff_documents,
    load_document,
    main,
    render,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
Document = dict[str, Any]


def ref(name: str, kind: str = "schemas") -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


BASE: Document = {
    "openapi": "3.1.0",
    "info": {"title": "Things", "version": "1.0"},
    "paths": {
        "/things": {
            "get": {
                "operationId": "list_things",
                "tags": ["things"],
                "x-zoho-rate-limit": {"threshold": 20, "window_seconds": 60, "lock_seconds": 600},
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                    ref("Limit", "parameters"),
                    {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
                ],
                "responses": {
                    "200": {"description": "page", "content": json_content(ref("ThingList"))},
                    "400": ref("Problem", "responses"),
                },
            },
            "post": {
                "operationId": "create_thing",
                "tags": ["things"],
                "requestBody": ref("NewThing", "requestBodies"),
                "responses": {"200": {"description": "created", "content": json_content(ref("Thing"))}},
            },
        },
        "/things/{ID}": {
            "parameters": [{"name": "ID", "in": "path", "required": True, "schema": {"type": "string"}}],
            "delete": {"operationId": "delete_thing", "tags": ["things"], "responses": {"204": {"description": ""}}},
        },
    },
    "components": {
        "parameters": {
            "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}
        },
        "requestBodies": {"NewThing": {"required": True, "content": json_content(ref("NewThing"))}},
        "responses": {"Problem": {"description": "error", "content": json_content(ref("Error"))}},
        "schemas": {
            "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
            "Identifier": {"type": "string"},
            "Kind": {"type": "string", "enum": ["a", "b"]},
            "Colour": {"type": "string", "enum": ["red", "blue"]},
            "Thing": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": ref("Identifier"),
                    "kind": ref("Kind"),
                    "size": {"type": "integer"},
                    "created": {"type": "string", "format": "date-time"},
                    "meta": {"type": "object", "properties": {"tag": {"type": "string", "enum": ["x", "y"]}}},
                },
            },
            "ThingList": {"type": "object", "properties": {"things": {"type": "array", "items": ref("Thing")}}},
            "NewThing": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "maxLength": 10},
                    "kind": ref("Kind"),
                    "colour": ref("Colour"),
                    "note": {"type": "string"},
                },
            },
        },
    },
}


def edited(edit: Callable[[Document], object]) -> Document:
    document = copy.deepcopy(BASE)
    edit(document)
    return document


def schemas(document: Document) -> dict[str, Any]:
    return document["components"]["schemas"]  # type: ignore[no-any-return]


def list_things(document: Document) -> dict[str, Any]:
    return document["paths"]["/things"]["get"]  # type: ignore[no-any-return]


def change(area: Area, action: Action, subject: str, detail: str, breaking: bool, note: str = "") -> Change:
    return Change(area, action, subject, detail, breaking, note)


OP, PARAM, BODY, RESP, MODEL, FIELD = (
    Area.OPERATION,
    Area.PARAMETER,
    Area.REQUEST_BODY,
    Area.RESPONSE,
    Area.MODEL,
    Area.FIELD,
)
ADDED, REMOVED, CHANGED = Action.ADDED, Action.REMOVED, Action.CHANGED

CASES: list[tuple[str, Callable[[Document], object], list[Change]]] = [
    (
        "operation added",
        lambda d: d["paths"].__setitem__(
            "/things/{ID}/pin",
            {"post": {"operationId": "pin_thing", "responses": {"204": {"description": ""}}}},
        ),
        [change(OP, ADDED, "pin_thing", "POST /things/{ID}/pin", False)],
    ),
    (
        "operation removed",
        lambda d: d["paths"].pop("/things/{ID}"),
        [change(OP, REMOVED, "delete_thing", "DELETE /things/{ID}", True)],
    ),
    (
        "route changed, same function",
        lambda d: d["paths"].__setitem__("/items/{ID}", d["paths"].pop("/things/{ID}")),
        [
            change(
                OP,
                CHANGED,
                "delete_thing",
                "route DELETE /things/{ID} -> DELETE /items/{ID}",
                False,
                "same function; its requests go to the new route",
            )
        ],
    ),
    (
        "tag changed: the module moves",
        lambda d: list_things(d).__setitem__("tags", ["stuff"]),
        [change(OP, CHANGED, "list_things", "tag things -> stuff (the module moves)", True)],
    ),
    (
        "rate limit changed",
        lambda d: list_things(d)["x-zoho-rate-limit"].__setitem__("threshold", 10),
        [
            change(
                OP,
                CHANGED,
                "list_things",
                "rate limit 20/60s (lock 600s) -> 10/60s (lock 600s)",
                False,
                "the client paces itself by the new limit",
            )
        ],
    ),
    (
        "query parameter removed",
        lambda d: list_things(d)["parameters"].pop(0),
        [change(PARAM, REMOVED, "list_things: query parameter 'q'", "string, optional", True)],
    ),
    (
        "optional parameter added",
        lambda d: list_things(d)["parameters"].append({"name": "pinned", "in": "query", "schema": {"type": "boolean"}}),
        [change(PARAM, ADDED, "list_things: query parameter 'pinned'", "boolean, optional", False)],
    ),
    (
        "required parameter added",
        lambda d: list_things(d)["parameters"].append(
            {"name": "team", "in": "query", "required": True, "schema": {"type": "string"}}
        ),
        [change(PARAM, ADDED, "list_things: query parameter 'team'", "string, required", True)],
    ),
    (
        "parameter becomes required",
        lambda d: list_things(d)["parameters"][0].__setitem__("required", True),
        [change(PARAM, CHANGED, "list_things: query parameter 'q'", "now required", True)],
    ),
    (
        "parameter type changed",
        lambda d: list_things(d)["parameters"][0].__setitem__("schema", {"type": "integer"}),
        [change(PARAM, CHANGED, "list_things: query parameter 'q'", "type string -> integer", True)],
    ),
    (
        "path-level parameter renamed: the keyword argument changes",
        lambda d: d["paths"]["/things/{ID}"]["parameters"][0].__setitem__("name", "THING_ID"),
        [
            change(PARAM, ADDED, "delete_thing: path parameter 'THING_ID'", "string, required", True),
            change(PARAM, REMOVED, "delete_thing: path parameter 'ID'", "string, required", True),
        ],
    ),
    (
        "referenced parameter: tighter limit refuses calls that passed",
        lambda d: d["components"]["parameters"]["Limit"]["schema"].__setitem__("maximum", 50),
        [
            change(
                PARAM,
                CHANGED,
                "list_things: query parameter 'limit'",
                "maximum 100 -> 50",
                True,
                "requests that passed validation may now be refused",
            )
        ],
    ),
    (
        "referenced parameter: looser limit",
        lambda d: d["components"]["parameters"]["Limit"]["schema"].pop("minimum"),
        [change(PARAM, CHANGED, "list_things: query parameter 'limit'", "minimum 1 -> None", False)],
    ),
    (
        "inline parameter enum: value added, value removed",
        lambda d: list_things(d)["parameters"][2]["schema"].__setitem__("enum", ["asc", "random"]),
        [
            change(PARAM, CHANGED, "list_things: query parameter 'order'", "enum values added: 'random'", False),
            change(PARAM, CHANGED, "list_things: query parameter 'order'", "enum values removed: 'desc'", True),
        ],
    ),
    (
        "request body becomes optional, then its schema changes",
        lambda d: d["components"]["requestBodies"]["NewThing"].update(
            {"required": False, "content": json_content(ref("Thing"))}
        ),
        [change(BODY, CHANGED, "create_thing: request body", "type NewThing -> Thing", True)],
    ),
    (
        "request body removed",
        lambda d: d["paths"]["/things"]["post"].pop("requestBody"),
        [change(BODY, REMOVED, "create_thing: request body", "NewThing", True)],
    ),
    (
        "success response type changed",
        lambda d: list_things(d)["responses"]["200"].__setitem__("content", json_content(ref("Thing"))),
        [change(RESP, CHANGED, "list_things: 200 response", "type ThingList -> Thing", True)],
    ),
    (
        "success response added",
        lambda d: d["paths"]["/things/{ID}"]["delete"]["responses"].__setitem__(
            "200", {"description": "", "content": json_content(ref("Thing"))}
        ),
        [change(RESP, ADDED, "delete_thing: 200 response", "Thing", False)],
    ),
    (
        "optional field added to a response model",
        lambda d: schemas(d)["Thing"]["properties"].__setitem__("colour", ref("Colour")),
        [change(FIELD, ADDED, "Thing.colour", "Colour, optional", False)],
    ),
    (
        "required field added",
        lambda d: (
            schemas(d)["NewThing"]["properties"].__setitem__("team", {"type": "array", "items": {"type": "string"}}),
            schemas(d)["NewThing"]["required"].append("team"),
        ),
        [change(FIELD, ADDED, "NewThing.team", "list[string], required", True)],
    ),
    (
        "field removed",
        lambda d: schemas(d)["Thing"]["properties"].pop("size"),
        [change(FIELD, REMOVED, "Thing.size", "integer, optional", True)],
    ),
    (
        "field type changed (format counts)",
        lambda d: schemas(d)["Thing"]["properties"]["created"].pop("format"),
        [change(FIELD, CHANGED, "Thing.created", "type string(date-time) -> string", True)],
    ),
    (
        "field of a response model becomes optional: reads may see UNSET",
        lambda d: schemas(d)["Thing"].pop("required"),
        [change(FIELD, CHANGED, "Thing.id", "now optional", True, "the attribute may now be UNSET in responses")],
    ),
    (
        "field of a request-only model becomes optional",
        lambda d: schemas(d)["NewThing"].pop("required"),
        [change(FIELD, CHANGED, "NewThing.name", "now optional", False)],
    ),
    (
        "field becomes required",
        lambda d: schemas(d)["NewThing"]["required"].append("note"),
        [change(FIELD, CHANGED, "NewThing.note", "now required", True)],
    ),
    (
        "enum used in responses (through ThingList -> Thing): new value tolerated",
        lambda d: schemas(d)["Kind"]["enum"].append("c"),
        [change(MODEL, CHANGED, "Kind", "enum values added: 'c'", False, ENUM_TOLERANCE_NOTE)],
    ),
    (
        "enum used only in requests: new value accepted, no note",
        lambda d: schemas(d)["Colour"]["enum"].append("green"),
        [change(MODEL, CHANGED, "Colour", "enum values added: 'green'", False)],
    ),
    (
        "enum value removed",
        lambda d: schemas(d)["Kind"]["enum"].remove("b"),
        [change(MODEL, CHANGED, "Kind", "enum values removed: 'b'", True)],
    ),
    (
        "inline enum inside an inline object",
        lambda d: schemas(d)["Thing"]["properties"]["meta"]["properties"]["tag"]["enum"].append("z"),
        [change(FIELD, CHANGED, "Thing.meta.tag", "enum values added: 'z'", False, ENUM_TOLERANCE_NOTE)],
    ),
    (
        "model added",
        lambda d: schemas(d).__setitem__("Shape", {"type": "string", "enum": ["round"]}),
        [change(MODEL, ADDED, "Shape", "enum of 'round'", False)],
    ),
    (
        "model removed (and the field that used it changes type)",
        lambda d: (
            schemas(d).pop("Colour"),
            schemas(d)["NewThing"]["properties"].__setitem__("colour", {"type": "string"}),
        ),
        [
            change(FIELD, CHANGED, "NewThing.colour", "type Colour -> string", True),
            change(MODEL, REMOVED, "Colour", "enum of 'red', 'blue'", True),
        ],
    ),
    (
        "alias of a primitive inlined by the generator: no change",
        lambda d: schemas(d)["Thing"]["properties"].__setitem__("id", {"type": "string"}),
        [],
    ),
    (
        "prose only: no change",
        lambda d: [list_things(d).update(description="new words"), d["info"].update(version="1.1")],
        [],
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_edit_yields_exactly_its_changes(edit: Callable[[Document], object], expected: list[Change]) -> None:
    diff = diff_documents(BASE, edited(edit))

    assert sorted(diff.changes, key=repr) == sorted(expected, key=repr)
    assert diff.breaking == tuple(c for c in diff.changes if c.breaking)


def test_versions_and_title_come_from_info() -> None:
    diff = diff_documents(BASE, edited(lambda d: d["info"].__setitem__("version", "2.0")))

    assert (diff.title, diff.old_version, diff.new_version) == ("Things", "1.0", "2.0")


def test_change_records_are_frozen_values() -> None:
    record = change(OP, ADDED, "x", "y", False)

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        record.breaking = True  # type: ignore[misc]
    assert record == change(OP, ADDED, "x", "y", False)
    assert hash(record) == hash(change(OP, ADDED, "x", "y", False))


def test_the_real_document_against_itself_has_no_changes() -> None:
    document = load_document(REPO_ROOT / "openapi" / "channels.yaml")

    assert diff_documents(document, copy.deepcopy(document)).changes == ()


def test_render_lists_breaking_first_with_marks_and_notes() -> None:
    def edit(document: Document) -> None:
        schemas(document)["Kind"]["enum"].append("c")
        schemas(document)["Thing"]["properties"]["colour"] = ref("Colour")
        list_things(document)["parameters"].pop(0)
        document["info"]["version"] = "1.1"

    text = render(diff_documents(BASE, edited(edit)))
    lines = text.splitlines()

    assert lines[0] == "Public API changes, Things 1.0 -> 1.1: 3 changes, 1 BREAKING"
    assert "  BREAKING  - removed  list_things: query parameter 'q' (string, optional)" in lines
    models = lines[lines.index("Models and fields") + 1 :]
    assert models[0] == "            ~ changed  Kind: enum values added: 'c'"
    assert models[1].strip() == f"({ENUM_TOLERANCE_NOTE})"
    assert models[2] == "            + added    Thing.colour (Colour, optional)"
    assert "Operations" not in lines
    assert lines[-1].startswith("Code that uses the BREAKING items")


def test_render_of_no_changes_says_so() -> None:
    text = render(diff_documents(BASE, BASE))

    assert text.startswith("Public API changes, Things 1.0 -> 1.0: 0 changes, 0 BREAKING\n")
    assert "unchanged" in text
    assert "BREAKING items" not in text


def write(path: Path, document: Document) -> Path:
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_cli_exit_status_follows_check_and_breaking(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old.yaml", BASE)
    additive = write(tmp_path / "additive.yaml", edited(lambda d: schemas(d)["Kind"]["enum"].append("c")))
    breaking = write(tmp_path / "breaking.yaml", edited(lambda d: list_things(d)["parameters"].pop(0)))

    assert main([str(old), str(breaking)]) == 0
    assert main([str(old), str(additive), "--check"]) == 0
    assert main([str(old), str(breaking), "--check"]) == 1
    assert "BREAKING  - removed  list_things: query parameter 'q'" in capsys.readouterr().out


def test_cli_refuses_a_file_that_is_not_an_openapi_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old.yaml", BASE)
    (tmp_path / "page.html").write_text("<html>login required</html>", encoding="utf-8")

    assert main([str(old), str(tmp_path / "page.html")]) == 2
    assert "is not an OpenAPI document" in capsys.readouterr().err
