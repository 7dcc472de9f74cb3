"""The hand-written layer of cliq_channels_client.

This directory is served as ``cliq_channels_client.custom`` (a link created by
``make generate``) and its public names are re-exported, lazily, from
``cliq_channels_client`` itself.  Regeneration never touches it.  Every import
here is relative so the package can be vendored under another name.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# public name -> submodule of this package that defines it
_EXPORTS: dict[str, str] = {}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module_name}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    pass
