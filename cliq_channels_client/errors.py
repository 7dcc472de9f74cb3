"""Errors raised by the API functions: the SDK's one hierarchy (``cliq_channels_client.CliqError``).

``UnexpectedStatus`` is upstream's name for a status the document does not list;
here it is :class:`~cliq_channels_client.UnexpectedStatusError`, a ``CliqAPIError``.
"""

from .custom.errors import UnexpectedStatusError as UnexpectedStatus

__all__ = ["UnexpectedStatus"]
