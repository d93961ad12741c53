"""The pure rules of where a webhook may go (no database, no network)."""

import ipaddress

import pytest
from django.core.exceptions import ValidationError

from chamado.hooks.guard import (
    Refused,
    Target,
    address_forbidden,
    host_normalize,
    host_validate,
    target_parse,
    url_validate,
)
from chamado.hooks.send import signature


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.0.10",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::1",  # 6to4 around 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
    ],
)
def test_private_and_special_addresses_are_forbidden(address: str) -> None:
    assert address_forbidden(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:2800:220:1::1"])
def test_public_addresses_are_not(address: str) -> None:
    assert not address_forbidden(ipaddress.ip_address(address))


def test_a_url_becomes_a_target_with_its_default_port_and_query() -> None:
    assert target_parse("HTTPS://Hooks.Example.com/in?a=1") == Target(
        scheme="https", host="hooks.example.com", port=443, path="/in?a=1"
    )
    assert target_parse("http://[::1]:8080") == Target("http", "::1", 8080, "/")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/",
        "file:///etc/passwd",
        "gopher://hooks.example.com/",
        "https://user:secret@hooks.example.com/",
        "https://user@hooks.example.com/",
        "https:///no-host",
        "http://hooks.example.com:99999/",
    ],
)
def test_other_schemes_credentials_and_broken_urls_are_refused(url: str) -> None:
    with pytest.raises(Refused):
        target_parse(url)
    with pytest.raises(ValidationError):
        url_validate(url)


def test_hosts_are_compared_in_one_form() -> None:
    assert host_normalize("[0:0::1]") == "::1"
    assert host_normalize("CRM.Example.com.") == "crm.example.com"
    host_validate("crm.internal")
    host_validate("[::1]")
    for wrong in ("crm.example.com/in", "crm.example.com:8080", "http://crm", "a b"):
        with pytest.raises(ValidationError):
            host_validate(wrong)


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    # A known answer, computed once with the standard library.
    assert signature("secret", 1700000000, b'{"a":1}') == (
        "v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
    )
