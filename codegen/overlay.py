"""Apply ``openapi/overlay.yaml`` (OpenAPI Overlay Specification actions) to an ingested document.

The actions are applied by ``oas-patch`` (a maintained Overlay implementation,
JSONPath by ``jsonpath-ng``), one at a time and in order, so that each
action's effect is known.  What this module adds is the bookkeeping the update
report needs: an action marked ``x-correction`` (it fixes a known error of
Zoho's download, naming its evidence in ``x-evidence``) whose target has
disappeared is reported as "correction no longer needed" -- Zoho fixed it
upstream -- instead of passing silently.  Other actions shape the document
(our names, schemas, error responses...); when their target is absent they
had nothing to do for this input, which is expected.

Overlay 1.0 has ``update`` (merge; arrays are appended to) and ``remove``;
the ``copy`` action (Overlay 1.1) moves the doubled member-role path while
keeping what the download says about the operation.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml
from jsonpath_ng.ext import parse  # type: ignore[attr-defined]  # re-exported, without __all__
from oas_patch.overlay import apply_overlay  # type: ignore[import-untyped]

__all__ = ["ActionResult", "Correction", "OverlayError", "apply", "load_overlay"]

_KINDS = ("update", "remove", "copy")


class OverlayError(ValueError):
    """The overlay file is not a valid overlay."""


@attrs.frozen
class ActionResult:
    """One action, and whether its target (or a ``copy`` action's source) was found."""

    index: int
    target: str
    description: str
    correction: str | None
    evidence: str | None
    matched: bool


@attrs.frozen
class Correction:
    """The actions sharing one ``x-correction`` name: applied if any matched, else no longer needed."""

    name: str
    evidence: str
    applied: bool


def load_overlay(path: Path) -> dict[str, Any]:
    """Read and check an overlay document (``overlay``, ``info``, ``actions`` with a target and one kind each)."""
    try:
        overlay = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise OverlayError(f"{path}: {error}") from error
    if not isinstance(overlay, dict) or not str(overlay.get("overlay", "")).startswith("1."):
        raise OverlayError(f"{path}: not an overlay document (no 'overlay: 1.x')")
    actions = overlay.get("actions")
    if not isinstance(actions, list) or not actions:
        raise OverlayError(f"{path}: 'actions' must be a non-empty list")
    for index, action in enumerate(actions):
        kinds = [kind for kind in _KINDS if kind in action] if isinstance(action, dict) else []
        if len(kinds) != 1 or not isinstance(action.get("target"), str):
            raise OverlayError(f"{path}: action {index} needs a 'target' and exactly one of {', '.join(_KINDS)}")
        try:
            parse(action["target"])
            if "copy" in action:
                parse(action["copy"])
        except Exception as error:  # jsonpath-ng raises several types for a bad expression
            raise OverlayError(f"{path}: action {index}: bad JSONPath {action['target']!r}: {error}") from error
    return overlay


def _found(expression: str, document: Mapping[str, Any]) -> bool:
    return bool(parse(expression).find(document))


def apply(overlay: Mapping[str, Any], document: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[ActionResult, ...]]:
    """The document after every action, and each action's result; ``document`` is left untouched."""
    result = copy.deepcopy(dict(document))
    outcomes = []
    for index, action in enumerate(overlay["actions"]):
        if "copy" in action:  # the target is created; what must exist is the source
            matched = _found(action["copy"], result) and not _found(action["target"], result)
        else:
            matched = _found(action["target"], result)
        if matched:
            apply_overlay(result, {"actions": [copy.deepcopy(action)]})
        outcomes.append(
            ActionResult(
                index=index,
                target=action["target"],
                description=str(action.get("description", "")).strip(),
                correction=action.get("x-correction"),
                evidence=action.get("x-evidence"),
                matched=matched,
            )
        )
    return result, tuple(outcomes)


def corrections(results: tuple[ActionResult, ...]) -> tuple[Correction, ...]:
    """The corrections of Zoho's download, in overlay order: applied, or no longer needed."""
    grouped: dict[str, Correction] = {}
    for result in results:
        if result.correction is None:
            continue
        previous = grouped.get(result.correction)
        grouped[result.correction] = Correction(
            name=result.correction,
            evidence=(previous.evidence if previous else None) or result.evidence or "",
            applied=(previous.applied if previous else False) or result.matched,
        )
    return tuple(grouped.values())
