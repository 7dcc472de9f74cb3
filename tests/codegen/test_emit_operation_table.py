"""codegen/emit_operation_table.py: the facts beside the schemas (here: which query parameters may be empty)."""

from __future__ import annotations

from typing import Any

from codegen.emit_operation_table import operation_entry


def entry(parameters: list[dict[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {"x-zoho-rate-limit-defaults": {"threshold": 20, "window_seconds": 60}}
    operation = {"operationId": "list_things", "parameters": parameters, "responses": {"200": {}}}
    return operation_entry("/things", "get", {}, operation, document)


def test_only_an_explicit_allow_empty_value_true_is_carried() -> None:
    table_entry = entry(
        [
            {"name": "q", "in": "query", "allowEmptyValue": True, "schema": {"type": "string"}},
            {"name": "r", "in": "query", "allowEmptyValue": False, "schema": {"type": "string"}},
            {"name": "s", "in": "query", "schema": {"type": "string"}},
            {"name": "h", "in": "header", "allowEmptyValue": True, "schema": {"type": "string"}},
        ]
    )
    assert table_entry["query_allow_empty"] == ("q",)
    # the schemas stay plain JSON Schema: the flag is not one of their keywords
    assert table_entry["query_parameters"] == {name: {"type": "string"} for name in ("q", "r", "s")}


def test_no_query_parameter_allows_an_empty_value_by_default() -> None:
    assert entry([])["query_allow_empty"] == ()
