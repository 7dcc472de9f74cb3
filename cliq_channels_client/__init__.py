"""A client library for accessing Zoho Cliq Channels"""

import os
from importlib import import_module
from typing import TYPE_CHECKING, Any

from .client import AuthenticatedClient as AuthenticatedClient
from .client import Client as Client

if not os.path.isdir(os.path.join(__path__[0], "custom")):  # a checkout without symbolic links
    __path__.append(os.path.dirname(__path__[0]))

#: The distribution's version (``generator-config.yaml`` ``package_version_override``; pyproject reads it here).
__version__ = "0.1.0"

if TYPE_CHECKING:
    from .custom import *  # noqa: F403  (the hand-written layer's public names, typed for checkers)

_CLIENT_NAMES = ("AuthenticatedClient", "Client")


if not TYPE_CHECKING:  # checkers see the real names above, and flag unknown ones

    def __getattr__(name: str) -> Any:
        """Serve the hand-written layer (``custom/``) from this package, loaded on first use.

        The generator owns every other file here; ``custom`` is the repository's
        top-level ``custom/`` directory (see ``custom/__init__.py``), so
        regeneration never touches it and ``import cliq_channels_client`` stays
        as cheap as httpx itself.
        """
        if name == "__all__":  # ``from cliq_channels_client import *``: every public name
            return [*_CLIENT_NAMES, *import_module(".custom", __name__).__all__]
        if name.startswith("__") or name == "custom":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        custom = import_module(".custom", __name__)
        # Only the layer's public names: anything else (e.g. ``errors``) must fall
        # through so Python imports this package's own submodule of that name.
        if name not in custom.__all__:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        return getattr(custom, name)

    def __dir__() -> list[str]:
        return sorted({*globals(), *import_module(".custom", __name__).__all__})
