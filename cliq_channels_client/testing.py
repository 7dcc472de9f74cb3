"""``cliq_channels_client.testing``: the embedded Cliq emulator, for your own tests.

The emulator lives in the hand-written layer (``custom/testing``); this
module, written into the package by ``make generate``, gives it the short
import path ``cliq_channels_client.testing`` and the command
``python -m cliq_channels_client.testing serve --port 8765``.
Needs the ``[testing]`` extra.
"""

from .custom.testing import *  # noqa: F403
from .custom.testing import __all__  # noqa: F401

if __name__ == "__main__":
    from .custom.testing.__main__ import main

    raise SystemExit(main())
