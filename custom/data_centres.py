"""Zoho's data centres as data: which Cliq host and which accounts host serve a user.

A Zoho account lives in exactly one data centre; its refresh token works only
against that centre's accounts server, and its Cliq data only behind that
centre's Cliq host.  The token response names the centre through its
``api_domain`` (``https://www.zohoapis.eu``), which
:func:`cliq_origin_for_api_domain` turns back into the Cliq origin.  Adding a
centre is one row in :data:`DATA_CENTRES`; no code branches on a centre.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs
import httpx

from .errors import CliqValidationError

__all__ = [
    "DATA_CENTRES",
    "DATA_CENTRE_ALIASES",
    "DataCentre",
    "cliq_origin_for_api_domain",
    "data_centre",
    "trusted_cliq_origin",
]


@attrs.frozen
class DataCentre:
    """One data centre: its key (the accounts TLD) and the three origins that serve it."""

    key: str
    cliq_origin: str
    accounts_origin: str
    api_domain: str


def _centre(key: str, cliq: str, accounts: str, apis: str) -> DataCentre:
    return DataCentre(
        key=key,
        cliq_origin=f"https://{cliq}",
        accounts_origin=f"https://{accounts}",
        api_domain=f"https://{apis}",
    )


#: Canonical key -> centre.  Canada runs on ``zohocloud.ca``, not ``zoho.ca``.
DATA_CENTRES: Mapping[str, DataCentre] = MappingProxyType(
    {
        centre.key: centre
        for centre in (
            _centre("com", "cliq.zoho.com", "accounts.zoho.com", "www.zohoapis.com"),
            _centre("eu", "cliq.zoho.eu", "accounts.zoho.eu", "www.zohoapis.eu"),
            _centre("in", "cliq.zoho.in", "accounts.zoho.in", "www.zohoapis.in"),
            _centre("com.au", "cliq.zoho.com.au", "accounts.zoho.com.au", "www.zohoapis.com.au"),
            _centre("com.cn", "cliq.zoho.com.cn", "accounts.zoho.com.cn", "www.zohoapis.com.cn"),
            _centre("jp", "cliq.zoho.jp", "accounts.zoho.jp", "www.zohoapis.jp"),
            _centre("ca", "cliq.zohocloud.ca", "accounts.zohocloud.ca", "www.zohoapis.ca"),
            _centre("sa", "cliq.zoho.sa", "accounts.zoho.sa", "www.zohoapis.sa"),
            _centre("uk", "cliq.zoho.uk", "accounts.zoho.uk", "www.zohoapis.uk"),
        )
    }
)

#: Other names users write for a centre (Zoho's ``location`` values): alias -> canonical key.
DATA_CENTRE_ALIASES: Mapping[str, str] = MappingProxyType({"us": "com", "au": "com.au", "cn": "com.cn"})

# api_domain host -> Cliq origin, derived from the table above.
_CLIQ_ORIGIN_BY_API_HOST: Mapping[str, str] = MappingProxyType(
    {httpx.URL(centre.api_domain).host: centre.cliq_origin for centre in DATA_CENTRES.values()}
)


def data_centre(key: str) -> DataCentre:
    """The centre for ``key`` (``"eu"``, ``".com.au"``, ``"US"``...); a typo fails before any request."""
    normalized = key.strip().lower().lstrip(".")
    normalized = DATA_CENTRE_ALIASES.get(normalized, normalized)
    centre = DATA_CENTRES.get(normalized)
    if centre is None:
        raise CliqValidationError(
            operation_id=None,
            field="data_centre",
            rule="enum",
            detail=(
                f"unknown data centre {key!r}; use one of {', '.join(DATA_CENTRES)} "
                f"(aliases: {', '.join(f'{alias}={canonical}' for alias, canonical in DATA_CENTRE_ALIASES.items())})"
            ),
        )
    return centre


def cliq_origin_for_api_domain(api_domain: str) -> str:
    """The Cliq origin of the centre named by a token response's ``api_domain``.

    A domain that names no known centre (an emulator's ``http://127.0.0.1:8765``)
    is returned unchanged, without a trailing slash: it serves the API itself.
    """
    stripped = api_domain.strip().rstrip("/")
    try:
        host = httpx.URL(stripped if "://" in stripped else f"https://{stripped}").host
    except httpx.InvalidURL:
        return stripped
    return _CLIQ_ORIGIN_BY_API_HOST.get(host.lower(), stripped)


def trusted_cliq_origin(api_domain: str) -> str | None:
    """The Cliq origin for a token response's ``api_domain`` if it names a centre of the table, else ``None``.

    The access token is sent wherever ``api_domain`` points, so only HTTPS
    hosts of :data:`DATA_CENTRES` qualify (a bare host counts as HTTPS): a
    foreign host, a plain-``http`` look-alike, a port or user info is refused
    by the caller.  An emulator or a centre missing from the table is reached
    with an explicit ``base_url`` instead.
    """
    stripped = api_domain.strip().rstrip("/")
    try:
        url = httpx.URL(stripped if "://" in stripped else f"https://{stripped}")
    except httpx.InvalidURL:
        return None
    if url.scheme != "https" or url.port is not None or url.userinfo or url.path not in ("", "/"):
        return None
    return _CLIQ_ORIGIN_BY_API_HOST.get(url.host.lower())
