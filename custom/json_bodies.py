"""A success answer's JSON body, parsed once by the transport and served to the generated parser.

The generated ``_parse_response`` calls ``response.json()``; the transport has
already read and checked the body (a body cut short or not a JSON object is
retried or refused, see ``call_flow.py``), so the response it hands back
serves ``json()`` from that one parse.
"""

from __future__ import annotations

from typing import Any

import httpx

from .strict_json import loads_strict

__all__ = ["MALFORMED", "ParsedResponse", "parse_json", "with_json"]

#: What :func:`parse_json` returns for a body that is not strict JSON.
MALFORMED: Any = object()


class ParsedResponse(httpx.Response):
    """A success answer whose JSON body the transport parsed once; ``json()`` returns that value.

    ``json(**kwargs)`` with arguments parses again, as httpx does.
    """

    _parsed_json: Any

    def json(self, **kwargs: Any) -> Any:
        if kwargs:
            return super().json(**kwargs)
        return self._parsed_json


def parse_json(response: httpx.Response) -> Any:
    """The body as strict JSON (``strict_json.py``: no NaN, no nesting too deep), or :data:`MALFORMED`."""
    try:
        return loads_strict(response.content)
    except ValueError:  # NotStrictJSONError: syntax, encoding, empty, non-finite, too deep
        return MALFORMED


def with_json(response: httpx.Response, parsed: Any) -> httpx.Response:
    """The same response object, now serving ``json()`` from ``parsed``.

    A plain ``httpx.Response`` changes class in place (no copy of headers,
    stream or extensions); a response of some other subclass is left alone
    and simply parses again when asked.
    """
    if type(response) is httpx.Response:
        response.__class__ = ParsedResponse
        response._parsed_json = parsed  # type: ignore[attr-defined]
    return response
