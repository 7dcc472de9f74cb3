"""Parts of a decoded model worked out on first read: what a list page does not pay for unless the caller looks.

Two parts of a decoded object are deferred, and neither can fail:

* **Nested models whose decoding cannot fail on a dict** (no required keys,
  only plain values: ``bool``/``int``/``str``/any, which decoding never
  converts).  A channel carries three permission objects of twenty flags each;
  building them was half of decoding a ``list_channels`` page, and most callers
  never read them.  ``from_dict`` stores the server's ``dict`` in the slot and
  the first read decodes it.  Anything but a dict there is decoded eagerly (and
  raises), so a bad body still fails when the response is decoded, never at
  attribute access; nested models that *can* fail (a datetime, an enum, a
  required key) are decoded eagerly.
* **The unknown keys** (``additional_properties``): ``from_dict`` stores
  ``(server's mapping,)`` and the first read collects the keys the document
  does not list, in the server's order, with their values.  Working that out
  for every object (even with a memo of the last key layout: a tuple of the
  keys and a comparison) was a sixth of decoding a channel.

A data descriptor, set on the class in place of the attrs slot, does the
first-read work and stores the result back.  To everything else the attribute
is an ordinary attrs field: ``__init__``, ``==``, ``repr``, ``to_dict``,
``attrs.evolve``, ``copy`` and pickling read and write it through the
descriptor, type checkers see the declared type, and a read never returns the
pending form.  The first read of one instance from two threads works it out
once (a lock), so both see the same object.  What is kept is what the decoder
was given (not a copy), as with every other nested value.

``from_dict`` stores the pending form through ``_raw_<name>``: a second class
attribute naming the same slot (the attrs member descriptor), so the store is
a plain slot store the interpreter specialises, not a call through the
descriptor's Python ``__set__``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from types import MemberDescriptorType
from typing import Any, Protocol

__all__ = ["RAW_PREFIX", "decode_on_first_read", "keep_unknown_keys_on_first_read"]

#: ``from_dict`` stores a pending value through the class attribute ``RAW_PREFIX + name`` (the slot itself);
#: codegen/templates/model.py.jinja writes the same prefix into the generated stores
RAW_PREFIX = "_raw_"
_UNKNOWN_KEYS = "additional_properties"
_DECODING = threading.Lock()  # taken only on a first read, so one result wins


class _Decodes(Protocol):
    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any], /) -> Any: ...


class _WorkedOutOnFirstRead:
    """Data descriptor in front of an attrs slot: a ``pending``-typed value there is replaced by ``work_out(value)``."""

    __slots__ = ("_pending", "_slot", "_work_out")

    def __init__(self, slot: MemberDescriptorType, pending: type, work_out: Callable[[Any], Any]) -> None:
        self._slot = slot
        self._pending = pending
        self._work_out = work_out

    def __get__(self, instance: object | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = self._slot.__get__(instance, owner)
        if type(value) is not self._pending:
            return value
        with _DECODING:
            value = self._slot.__get__(instance, owner)
            if type(value) is self._pending:
                value = self._work_out(value)
                self._slot.__set__(instance, value)
        return value

    def __set__(self, instance: object, value: Any) -> None:
        self._slot.__set__(instance, value)

    def __delete__(self, instance: object) -> None:
        self._slot.__delete__(instance)


class _UnknownKeysOnFirstRead(_WorkedOutOnFirstRead):
    """``additional_properties``: its pending form is a 1-tuple, so a caller may not store a tuple there."""

    __slots__ = ()

    def __set__(self, instance: object, value: Any) -> None:
        if type(value) is tuple:
            raise TypeError(f"{_UNKNOWN_KEYS} is a dict of the keys the document does not list, not a tuple")
        super().__set__(instance, value)


def _install(cls: type, name: str, make: Callable[[MemberDescriptorType], _WorkedOutOnFirstRead]) -> None:
    slot = cls.__dict__.get(name)
    if not isinstance(slot, MemberDescriptorType):
        raise TypeError(f"{cls.__name__}.{name} is not a slot (an attrs class with slots=True is expected)")
    setattr(cls, name, make(slot))
    setattr(cls, RAW_PREFIX + name, slot)


def decode_on_first_read(cls: type, name: str, model: type[_Decodes]) -> None:
    """Put the descriptor in front of ``cls``'s slot ``name``: a ``dict`` stored there is decoded by ``model``."""
    _install(cls, name, lambda slot: _WorkedOutOnFirstRead(slot, dict, model.from_dict))


def keep_unknown_keys_on_first_read(cls: type, known: frozenset[str]) -> None:
    """Put the descriptor in front of ``cls.additional_properties``: ``(mapping,)`` there becomes its unknown keys."""

    def unknown_keys(pending: tuple[Mapping[str, Any]]) -> dict[str, Any]:
        (source,) = pending
        unknown: dict[str, Any] = {}
        for key in source:
            if key not in known:
                unknown[key] = source[key]
        return unknown

    _install(cls, _UNKNOWN_KEYS, lambda slot: _UnknownKeysOnFirstRead(slot, tuple, unknown_keys))
