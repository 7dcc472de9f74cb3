"""The data-centre table: every centre resolvable, aliases, api_domain mapping, typos refused."""

from __future__ import annotations

import attrs
import pytest

from cliq_channels_client.custom.data_centres import (
    DATA_CENTRE_ALIASES,
    DATA_CENTRES,
    DataCentre,
    cliq_origin_for_api_domain,
    data_centre,
)
from cliq_channels_client.custom.errors import CliqValidationError

EXPECTED = {
    "com": ("https://cliq.zoho.com", "https://accounts.zoho.com", "https://www.zohoapis.com"),
    "eu": ("https://cliq.zoho.eu", "https://accounts.zoho.eu", "https://www.zohoapis.eu"),
    "in": ("https://cliq.zoho.in", "https://accounts.zoho.in", "https://www.zohoapis.in"),
    "com.au": ("https://cliq.zoho.com.au", "https://accounts.zoho.com.au", "https://www.zohoapis.com.au"),
    "com.cn": ("https://cliq.zoho.com.cn", "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"),
    "jp": ("https://cliq.zoho.jp", "https://accounts.zoho.jp", "https://www.zohoapis.jp"),
    "ca": ("https://cliq.zohocloud.ca", "https://accounts.zohocloud.ca", "https://www.zohoapis.ca"),
    "sa": ("https://cliq.zoho.sa", "https://accounts.zoho.sa", "https://www.zohoapis.sa"),
    "uk": ("https://cliq.zoho.uk", "https://accounts.zoho.uk", "https://www.zohoapis.uk"),
}


def test_table_holds_exactly_the_documented_centres() -> None:
    assert set(DATA_CENTRES) == set(EXPECTED)
    for key, (cliq, accounts, apis) in EXPECTED.items():
        assert DATA_CENTRES[key] == DataCentre(key=key, cliq_origin=cliq, accounts_origin=accounts, api_domain=apis)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_key_resolves_to_itself(key: str) -> None:
    assert data_centre(key).key == key


@pytest.mark.parametrize(
    ("written", "key"),
    [("us", "com"), ("au", "com.au"), ("cn", "com.cn"), ("US", "com"), (".eu", "eu"), (" CA ", "ca")],
)
def test_aliases_case_and_leading_dot(written: str, key: str) -> None:
    assert data_centre(written) is DATA_CENTRES[key]


def test_aliases_point_at_canonical_keys() -> None:
    assert set(DATA_CENTRE_ALIASES.values()) <= set(DATA_CENTRES)


def test_unknown_key_is_a_validation_error_naming_the_allowed_keys() -> None:
    with pytest.raises(CliqValidationError) as caught:
        data_centre("zoho.ca")
    error = caught.value
    assert (error.field, error.rule, error.operation_id) == ("data_centre", "enum", None)
    for key in (*EXPECTED, "us", "au", "cn"):
        assert key in str(error)


def test_table_and_rows_are_immutable() -> None:
    with pytest.raises(TypeError):
        DATA_CENTRES["xx"] = DATA_CENTRES["com"]  # type: ignore[index]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        DATA_CENTRES["com"].cliq_origin = "https://evil.example"  # type: ignore[misc]


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_api_domain_maps_back_to_its_cliq_origin(key: str) -> None:
    centre = DATA_CENTRES[key]
    assert cliq_origin_for_api_domain(centre.api_domain) == centre.cliq_origin


@pytest.mark.parametrize(
    ("api_domain", "origin"),
    [
        ("https://www.zohoapis.eu/", "https://cliq.zoho.eu"),
        ("https://WWW.ZOHOAPIS.EU", "https://cliq.zoho.eu"),
        ("www.zohoapis.com.au", "https://cliq.zoho.com.au"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
        ("https://emulator.internal", "https://emulator.internal"),
    ],
)
def test_api_domain_variants_and_unknown_domains(api_domain: str, origin: str) -> None:
    assert cliq_origin_for_api_domain(api_domain) == origin
