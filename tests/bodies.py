"""Minimal response bodies that the generated models accept: the required fields, plus what a test adds."""

from __future__ import annotations

from typing import Any


def channel_json(channel_id: str, **fields: Any) -> dict[str, Any]:
    """A channel as the server sends it: the fields the document requires (``Channel.required``), then ``fields``."""
    return {"channel_id": channel_id, "name": "#general", "level": "organization", "status": "created", **fields}
