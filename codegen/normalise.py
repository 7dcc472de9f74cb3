"""Download -> ingest -> overlay: the document the generator, the operation table and the emulator read.

``python -m codegen.normalise DOWNLOADED OVERLAY OUTPUT [--report REPORT.json]``
(called by ``codegen/generate.sh``).  The downloaded document is only read.
The output is deterministic YAML; the optional JSON report lists what ingest
derived (names, unreadable limits) and what each overlay action did, for
``make update-spec``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import yaml

from . import overlay as overlays
from .ingest import IngestReport, ingest, iter_operations

__all__ = ["NormaliseError", "Normalised", "normalise", "normalise_file"]


class NormaliseError(ValueError):
    """The document cannot be normalised; the message names the operation or the action."""


@attrs.frozen
class Normalised:
    """The normalised document and what each step did to it."""

    document: dict[str, Any]
    ingest: IngestReport
    actions: tuple[overlays.ActionResult, ...]

    @property
    def new_operations(self) -> dict[str, str]:
        """``"METHOD path" -> name`` of the operations the overlay does not name (they keep a derived name)."""
        derived = {name for name in self.ingest.derived_names.values()}
        return {
            f"{method} {path}": operation["operationId"]
            for method, path, operation in iter_operations(self.document)
            if operation["operationId"] in derived
        }

    def report(self) -> dict[str, Any]:
        """A JSON-able summary for ``make update-spec``."""
        return {
            "new_operations": self.new_operations,
            "unread_limits": [attrs.asdict(limit) for limit in self.ingest.unread_limits],
            "corrections": [attrs.asdict(correction) for correction in overlays.corrections(self.actions)],
        }


def normalise(downloaded: Mapping[str, Any], overlay: Mapping[str, Any]) -> Normalised:
    """Ingest ``downloaded``, apply ``overlay``, and check that every operation has a unique name and a limit."""
    if not isinstance(downloaded, Mapping) or not isinstance(downloaded.get("paths"), Mapping):
        raise NormaliseError("not an OpenAPI document: no 'paths' mapping")
    if not str(downloaded.get("openapi", "")).startswith("3."):
        raise NormaliseError(f"not an OpenAPI 3.x document (openapi: {downloaded.get('openapi')!r})")
    ingested, report = ingest(downloaded)
    document, actions = overlays.apply(overlay, ingested)
    seen: dict[str, str] = {}
    for method, path, operation in iter_operations(document):
        name, where = operation.get("operationId"), f"{method} {path}"
        if not isinstance(name, str) or not name.isidentifier():
            raise NormaliseError(f"{where}: operationId {name!r} is not a Python name")
        if name in seen:
            raise NormaliseError(f"{where} and {seen[name]} are both named {name!r}")
        seen[name] = where
        if not isinstance(operation.get("x-zoho-rate-limit"), Mapping):
            raise NormaliseError(f"{where}: no x-zoho-rate-limit after ingest")
    return Normalised(document=document, ingest=report, actions=actions)


def normalise_file(downloaded: Path, overlay: Path) -> Normalised:
    """:func:`normalise` on files (YAML or JSON)."""
    try:
        document = yaml.safe_load(downloaded.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise NormaliseError(f"{downloaded}: {error}") from error
    return normalise(document, overlays.load_overlay(overlay))


def dump(document: Mapping[str, Any]) -> str:
    """Deterministic YAML (document order kept, no aliases)."""

    class _NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    return yaml.dump(dict(document), Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=120)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen.normalise", description=__doc__.split("\n\n")[0])
    parser.add_argument("downloaded", type=Path)
    parser.add_argument("overlay", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--report", type=Path, help="write what ingest and the overlay did, as JSON")
    arguments = parser.parse_args(argv)
    try:
        result = normalise_file(arguments.downloaded, arguments.overlay)
    except (NormaliseError, overlays.OverlayError) as error:
        print(f"normalise: error: {error}", file=sys.stderr)
        return 2
    arguments.output.write_text(dump(result.document), encoding="utf-8")
    if arguments.report is not None:
        arguments.report.write_text(json.dumps(result.report(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
