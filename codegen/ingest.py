"""Ingest: the document as downloaded -> a document the overlay and the generator can take.

Only what an overlay cannot express is done here, all of it derived from the
document itself:

* an operation without ``operationId`` gets one derived from its method and
  path (:func:`derived_name`); the overlay then binds the known operations to
  their stable public names, so only operations it does not know keep the
  derived name;
* an operation without ``x-zoho-rate-limit`` gets one read from its
  description's prose (:mod:`codegen.limit_prose`); a limit that cannot be read
  becomes the conservative default (:func:`conservative_limit`) and is flagged;
* an operation without tags gets the document's first tag (the generator puts
  each operation's module in the package of its tag);
* an OpenAPI 3.0 document becomes 3.1 (``nullable`` -> a ``"null"`` type), the
  version our overlay's schemas are written in.

The downloaded file itself is never edited; ingest works on a copy in memory.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from .limit_prose import UnreadableLimit, parse_limit_prose

__all__ = ["HTTP_METHODS", "IngestReport", "derived_name", "ingest", "iter_operations"]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
#: Without a readable limit: the longest lock any Zoho source states (the reference's 10 minutes).
CONSERVATIVE_LOCK_SECONDS = 600
#: Without any readable limit in the whole document: the lowest threshold Zoho documents (add a bot, 5/min).
CONSERVATIVE_THRESHOLD = 5


@attrs.frozen
class UnreadLimit:
    """An operation whose limit could not be read, and what it is paced by instead."""

    method: str
    path: str
    text: str
    reason: str
    applied: Mapping[str, Any]


@attrs.frozen
class IngestReport:
    """What ingest derived: names (by method and path) and limits it could not read."""

    derived_names: Mapping[tuple[str, str], str]
    unread_limits: tuple[UnreadLimit, ...]


def iter_operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(METHOD, path, operation)`` for every operation of the document, in document order."""
    for path, item in (document.get("paths") or {}).items():
        for method, operation in item.items():
            if method in HTTP_METHODS and isinstance(operation, dict):
                yield method.upper(), path, operation


def derived_name(method: str, path: str) -> str:
    """A deterministic snake_case name: ``PUT /channels/{CHANNEL_ID}/pin`` -> ``put_channels_by_channel_id_pin``."""
    words = [method.lower()]
    for segment in filter(None, path.split("/")):
        parameter = re.fullmatch(r"\{(.+)\}", segment)
        words.append(f"by_{parameter[1]}" if parameter else segment)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", "_".join(words))
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


def conservative_limit(read: list[Mapping[str, Any]]) -> dict[str, Any]:
    """For an unreadable limit: the strictest threshold the document states elsewhere, the longest lock."""
    thresholds = [int(limit["threshold"]) for limit in read if int(limit["window_seconds"]) == 60]
    return {
        "threshold": min(thresholds, default=CONSERVATIVE_THRESHOLD),
        "window_seconds": 60,
        "lock_seconds": CONSERVATIVE_LOCK_SECONDS,
        "per": "user",
    }


def ingest(downloaded: Mapping[str, Any]) -> tuple[dict[str, Any], IngestReport]:
    """A normalised copy of ``downloaded`` and what was derived; ``downloaded`` is left untouched."""
    document = copy.deepcopy(dict(downloaded))
    if str(document.get("openapi", "")).startswith("3.0"):
        document["openapi"] = "3.1.0"
        _nullable_to_type(document)
    default_tags = [tag["name"] for tag in document.get("tags", [])[:1] if isinstance(tag, dict) and "name" in tag]
    names: dict[tuple[str, str], str] = {}
    unreadable: list[tuple[str, str, dict[str, Any], UnreadableLimit]] = []
    read: list[Mapping[str, Any]] = []
    for method, path, operation in iter_operations(document):
        if "operationId" not in operation:
            operation["operationId"] = names[(method, path)] = derived_name(method, path)
        if "tags" not in operation and default_tags:
            operation["tags"] = list(default_tags)
        if "x-zoho-rate-limit" in operation:
            read.append(operation["x-zoho-rate-limit"])
            continue
        try:
            facts = parse_limit_prose(str(operation.get("description", "")))
        except UnreadableLimit as error:
            unreadable.append((method, path, operation, error))
            continue
        operation["x-zoho-rate-limit"] = facts.extension(default_lock=CONSERVATIVE_LOCK_SECONDS)
        read.append(operation["x-zoho-rate-limit"])
    fallback = conservative_limit(read)
    unread = []
    for method, path, operation, problem in unreadable:
        operation["x-zoho-rate-limit"] = dict(fallback)
        unread.append(UnreadLimit(method, path, problem.text, problem.reason, dict(fallback)))
    return document, IngestReport(derived_names=names, unread_limits=tuple(unread))


def _nullable_to_type(node: Any) -> None:
    """OpenAPI 3.0's ``nullable: true`` is 3.1's ``type: [T, "null"]``."""
    if isinstance(node, dict):
        if node.pop("nullable", False) is True and isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        for value in node.values():
            _nullable_to_type(value)
    elif isinstance(node, list):
        for value in node:
            _nullable_to_type(value)
