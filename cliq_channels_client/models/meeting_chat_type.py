from enum import StrEnum
from typing import cast


class MeetingChatType(StrEnum):
    """String enum that keeps values it does not know.

    Servers add enum values before clients learn them.  Instead of raising
    ``ValueError``, an unknown value becomes a pseudo-member named ``UNKNOWN``
    whose ``.value`` is exactly what the server sent (so it round-trips through
    ``to_dict``) and whose ``is_known`` is ``False``.
    """

    CHANNEL = "channel"
    HOST_CHOICE = "host_choice"
    THREAD = "thread"

    def __str__(self) -> str:
        return str(self.value)

    @property
    def is_known(self) -> bool:
        """``False`` for a value this client's OpenAPI document did not list."""
        return self._value_ in type(self)._value2member_map_

    @classmethod
    def from_value(cls, value: str) -> "MeetingChatType":
        """``cls(value)`` in one dict lookup for a known value (the models inline the same lookup)."""
        member = cls._value2member_map_.get(value)
        return cls(value) if member is None else cast("MeetingChatType", member)

    @classmethod
    def _missing_(cls, value: object) -> "MeetingChatType | None":
        if not isinstance(value, str):
            return None
        pseudo_member = str.__new__(cls, value)
        pseudo_member._name_ = "UNKNOWN"
        pseudo_member._value_ = value
        return pseudo_member
