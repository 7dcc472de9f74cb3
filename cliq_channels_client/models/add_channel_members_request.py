from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AddChannelMembersRequest")

# The JSON keys of the properties: any other key the server sends goes to ``additional_properties``.
_PROPERTY_NAMES = frozenset(
    {
        "user_ids",
        "email_ids",
    }
)


@_attrs_define
class AddChannelMembersRequest:
    """The users to add, by user_ids or email_ids (source: the download's request
    description "using their user IDs or email addresses"; two third-party
    clients send email_ids).  At most 100 per request: the reference says 50,
    the download 100; validation refuses only what every source forbids.

    """

    user_ids: list[str] | Unset = UNSET
    """ List of user IDs to be added to the channel. Maximum 100 allowed. """
    email_ids: list[str] | Unset = UNSET
    """ Email addresses of the users to be added to the channel. Maximum 100 allowed. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user_ids: list[str] | Unset = UNSET
        if not isinstance(self.user_ids, Unset):
            user_ids = self.user_ids

        email_ids: list[str] | Unset = UNSET
        if not isinstance(self.email_ids, Unset):
            email_ids = self.email_ids

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if user_ids is not UNSET:
            field_dict["user_ids"] = user_ids
        if email_ids is not UNSET:
            field_dict["email_ids"] = email_ids

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        get = src_dict.get
        add_channel_members_request = object.__new__(cls)
        user_ids = cast(list[str], get("user_ids", UNSET))

        add_channel_members_request.user_ids = user_ids

        email_ids = cast(list[str], get("email_ids", UNSET))

        add_channel_members_request.email_ids = email_ids

        add_channel_members_request._raw_additional_properties = (src_dict,)  # type: ignore[attr-defined]
        return add_channel_members_request

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


# Worked out on first read (custom/lazy_models.py): ``from_dict`` stores the server's
# dict of a nested model, or ``(src_dict,)`` for the unknown keys, through the slot's
# alias ``_raw_<name>``, and the first read decodes it.
from ..custom.lazy_models import keep_unknown_keys_on_first_read

keep_unknown_keys_on_first_read(AddChannelMembersRequest, _PROPERTY_NAMES)
