"""Parse a server's body as strict JSON (RFC 8259), turning every way it can fail into one ``ValueError``.

``json.loads`` lets three hostile bodies through or out: it accepts ``NaN``
and ``Infinity`` (not JSON) and turns ``1e999`` into ``inf``, numbers that
then reach arithmetic, and it raises :class:`RecursionError` -- not a
``ValueError`` -- for a body nested deeper than the interpreter's recursion
limit (``[[[[...`` a few thousand levels: a few kilobytes).  The transport,
the error parser and the token endpoint all read bodies through
:func:`loads_strict`, so each needs one ``except ValueError``.

The decoder is built once: ``json.loads`` with keyword arguments builds a new
one per call.  ``parse_float`` costs only where a body has a float literal
(the Channels API has none).
"""

from __future__ import annotations

import json
import math
from typing import Any, NoReturn

__all__ = ["NotStrictJSONError", "loads_strict"]


class NotStrictJSONError(ValueError):
    """The body is not strict JSON: syntax, encoding, a non-finite number, or nesting too deep."""


def _refuse_constant(name: str) -> NoReturn:
    raise NotStrictJSONError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotStrictJSONError("a number too large for a float")
    return value


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)
_NON_FINITE_DECODER = json.JSONDecoder()


def loads_strict(content: bytes | str, *, allow_non_finite: bool = False) -> Any:
    """The JSON value of ``content``; any body that is not strict JSON raises :class:`NotStrictJSONError`.

    Bytes are decoded as ``json.loads`` decodes them (UTF-8/16/32, BOM
    detected).  An integer longer than Python's digit limit is refused too
    (``ValueError`` from ``int``), as is an empty body.

    ``allow_non_finite`` lets ``NaN``/``Infinity``/``1e999`` through as floats,
    for the token endpoint only: a token already issued is worth keeping, and
    its one numeric field (``expires_in``) is bounded where it is read
    (``tokens.py`` replaces a non-finite value with the documented default).
    """
    try:
        text = content if isinstance(content, str) else content.decode(json.detect_encoding(content), "surrogatepass")
        return (_NON_FINITE_DECODER if allow_non_finite else _DECODER).decode(text)
    except NotStrictJSONError:
        raise
    except RecursionError:
        raise NotStrictJSONError("nested deeper than the interpreter's recursion limit") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, the int digit limit
        raise NotStrictJSONError(f"not JSON ({type(exc).__name__})") from None
