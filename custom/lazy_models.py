"""Nested models decoded on first read: what a list page does not pay for unless the caller looks.

A channel carries three permission objects of twenty flags each; building them
was half of decoding a ``list_channels`` page, and most callers never read
them.  A generated ``from_dict`` therefore stores the server's ``dict`` in the
attribute's slot for a nested model whose decoding *cannot fail* on a dict
(no required keys, only plain values: ``bool``/``int``/``str``/any, which
decoding never converts), and this descriptor, set on the class in place of
the slot, decodes it on the first read and stores the model back.  So a bad
body still fails when the response is decoded (anything but a dict there is
decoded eagerly, and raises), never later at attribute access; nested models
that *can* fail (a datetime, an enum, a required key) are decoded eagerly.

To everything else the attribute is an ordinary attrs field: ``__init__``,
``==``, ``repr``, ``to_dict``, ``attrs.evolve``, ``copy`` and pickling read and
write it through the descriptor, type checkers see the declared
``Model | Unset``, and a read never returns the dict.  A slot holds a dict
only until the first read; the first read of one instance from two threads
decodes once (a lock), so both see the same object.  The dict is the one the
decoder was given (not a copy), as with every other nested value.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from types import MemberDescriptorType
from typing import Any, Protocol

__all__ = ["decode_on_first_read"]

_DECODING = threading.Lock()  # taken only on a first read, so one model object wins


class _Decodes(Protocol):
    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any], /) -> Any: ...


class _DecodedOnFirstRead:
    """Data descriptor in front of an attrs slot: a ``dict`` found there is decoded with ``model.from_dict``."""

    __slots__ = ("_model", "_slot")

    def __init__(self, slot: MemberDescriptorType, model: type[_Decodes]) -> None:
        self._slot = slot
        self._model = model

    def __get__(self, instance: object | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = self._slot.__get__(instance, owner)
        if type(value) is not dict:
            return value
        with _DECODING:
            value = self._slot.__get__(instance, owner)
            if type(value) is dict:
                value = self._model.from_dict(value)
                self._slot.__set__(instance, value)
        return value

    def __set__(self, instance: object, value: Any) -> None:
        self._slot.__set__(instance, value)

    def __delete__(self, instance: object) -> None:
        self._slot.__delete__(instance)


def decode_on_first_read(cls: type, name: str, model: type[_Decodes]) -> Callable[[object, Any], None]:
    """Put the descriptor in front of ``cls``'s slot ``name``; return the slot's own setter for ``from_dict``.

    ``from_dict`` stores the server's dict through the returned setter: it
    bypasses the Python-level ``__set__`` (several times dearer than a slot
    store) on the path every decoded object takes.
    """
    slot = cls.__dict__.get(name)
    if not isinstance(slot, MemberDescriptorType):
        raise TypeError(f"{cls.__name__}.{name} is not a slot (an attrs class with slots=True is expected)")
    setattr(cls, name, _DecodedOnFirstRead(slot, model))
    setter: Callable[[object, Any], None] = slot.__set__
    return setter
