from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Error")

# The JSON keys of the properties: any other key the server sends goes to ``additional_properties``.
_PROPERTY_NAMES = frozenset(
    {
        "message",
        "code",
    }
)
# The keys of the last object decoded, in order, and those of them not in _PROPERTY_NAMES: a server
# sends the objects of one kind with the same keys (the objects of one page share the very key
# strings), so the check is one tuple comparison; replaced whole, so threads never see half of it.
_LAST_LAYOUT: list[tuple[tuple[str, ...], tuple[str, ...]]] = [((), ())]


@_attrs_define
class Error:
    """The body of every error response."""

    message: str | Unset = UNSET
    """ Human-readable reason. """
    code: str | Unset = UNSET
    """ Zoho's machine-readable error code, when the server sends one (for example `request_limit_exceeded`). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        code = self.code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if message is not UNSET:
            field_dict["message"] = message
        if code is not UNSET:
            field_dict["code"] = code

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        get = src_dict.get
        error = object.__new__(cls)
        error.message = get("message", UNSET)

        error.code = get("code", UNSET)

        layout = tuple(src_dict)
        last_layout, unknown = _LAST_LAYOUT[0]
        if layout != last_layout:
            unknown = (
                () if _PROPERTY_NAMES.issuperset(layout) else tuple(key for key in layout if key not in _PROPERTY_NAMES)
            )
            _LAST_LAYOUT[0] = (layout, unknown)
        if not unknown:
            error.additional_properties = {}
            return error
        d = {}
        for key in unknown:  # a loop, not a comprehension: no function object and frame per model
            d[key] = src_dict[key]

        error.additional_properties = d
        return error

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
