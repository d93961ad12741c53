"""Signed reply addresses: made per ticket and recipient, checked in constant time."""

from chamado.mail.addresses import reply_address, reply_tag


def test_the_reply_address_is_the_departments_with_a_tag() -> None:
    address = reply_address(number=592110, recipient_id=7, department_email="support@example.com")
    assert address.startswith("support+592110.") and address.endswith("@example.com")
    tag = reply_tag(f"Acme Support <{address}>")
    assert tag is not None and tag.number == 592110 and tag.address == "support@example.com"
    assert tag.valid_for(7)


def test_the_tag_is_worthless_for_another_recipient_or_ticket() -> None:
    address = reply_address(number=592110, recipient_id=7, department_email="support@example.com")
    tag = reply_tag(address)
    assert tag is not None and not tag.valid_for(8)
    forged = reply_tag(address.replace("592110", "592111"))
    assert forged is not None and not forged.valid_for(7)


def test_an_untagged_address_has_no_tag() -> None:
    assert reply_tag("support@example.com") is None
    assert reply_tag("not an address") is None
    assert reply_tag("support+abc.def@example.com") is None


def test_without_a_department_address_the_site_sender_is_used(settings) -> None:
    settings.DEFAULT_FROM_EMAIL = "Chamado <help@mail.example.com>"
    address = reply_address(number=123456, recipient_id=1)
    assert address.startswith("help+123456.") and address.endswith("@mail.example.com")
