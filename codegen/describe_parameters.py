"""Give each parameter's description to its schema, in the copy of the document the generator reads.

openapi-python-client 0.29 builds a parameter's docstring line from its
*schema* (``Property.to_docstring``) and drops the parameter's own
``description``, so ``help(list_channels.asyncio)`` showed ``name (str | Unset):``
and nothing else.  Copying the text into an inline schema that has none is
documentation only: the generated code, the operation table (which strips
descriptions) and the emulator's document (the normalised one, not this copy)
are unchanged.  A schema that is a ``$ref`` keeps it: the named type's own
description is shown instead (``ChannelStatus``: "Status of the channel" and
its values), and wrapping the reference would make the generator emit a new type.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import yaml

from .ingest import iter_operations
from .normalise import dump


def describe_parameters(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` whose inline parameter schemas carry their parameter's description."""
    described = copy.deepcopy(document)
    shared = described.get("components", {}).get("parameters", {})
    items = list((described.get("paths") or {}).values())
    for parameters in [item.get("parameters", []) for item in items if isinstance(item, dict)] + [
        operation.get("parameters", []) for _, _, operation in iter_operations(described)
    ]:
        for parameter in parameters:
            if "$ref" in parameter:
                parameter = shared.get(parameter["$ref"].rsplit("/", 1)[1], {})
            schema, description = parameter.get("schema"), parameter.get("description")
            if isinstance(schema, dict) and description and "$ref" not in schema and not schema.get("description"):
                schema["description"] = description
    return described


def main(argv: list[str] | None = None) -> int:
    source, destination = (Path(arg) for arg in (argv if argv is not None else sys.argv[1:]))
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    destination.write_text(dump(describe_parameters(document)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
