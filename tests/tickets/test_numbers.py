"""Ticket numbers never run out: six random digits while less than half of that space is used,
then seven (the minimum length and the threshold are policy); numbers of any length work in
URLs, search and reply addresses."""

import pytest
from django.test import Client
from django.urls import reverse

from chamado.mail.addresses import reply_address, reply_tag
from chamado.tickets import workflow
from chamado.tickets.access import access_ticket_by_number
from chamado.tickets.models import Policy, Ticket
from chamado.tickets.search import ticket_search
from chamado.tickets.selectors import ticket_number_digits
from tests import factories

SIX = 900_000  # numbers of six digits


@pytest.mark.parametrize(
    ("used_six", "used_seven", "digits"),
    [
        (0, 0, 6),
        (SIX // 2 - 1, 0, 6),  # just under half: still six
        (SIX // 2, 0, 7),  # half of the six-digit space taken: seven
        (SIX, 0, 7),
        (SIX, 4_500_000, 8),  # half of seven as well
    ],
)
def test_the_length_grows_past_the_threshold(used_six, used_seven, digits) -> None:
    used = {6: used_six, 7: used_seven}
    assert workflow.number_digits(lambda d: used.get(d, 0), min_digits=6, grow_at_percent=50) == (
        digits
    )


def test_the_minimum_length_is_policy() -> None:
    assert workflow.number_digits(lambda d: 0, min_digits=7, grow_at_percent=50) == 7
    assert workflow.number_digits(lambda d: 10**9, min_digits=6, grow_at_percent=50) == 9


def test_candidates_have_the_length_asked_for() -> None:
    candidates = workflow.ticket_number_candidates(digits=7)
    assert all(len(str(next(candidates))) == 7 for _n in range(500))


@pytest.mark.parametrize(
    ("text", "number"),
    [("592110", 592110), ("#1234567", 1234567), (" 1234 ", 1234), ("123", None), ("12a456", None)],
)
def test_a_number_typed_in_a_search(text, number) -> None:
    assert workflow.number_in_text(text) == number


@pytest.mark.django_db
def test_a_seven_digit_ticket_works_everywhere(owner, service, agent) -> None:
    policy = Policy.current()
    policy.number_min_digits = 7
    policy.save()
    ticket = factories.open_ticket(owner, service=service)
    assert len(str(ticket.number)) == 7
    assert ticket_number_digits(Policy.current()) == 7

    assert access_ticket_by_number(owner, ticket.number).pk == ticket.pk
    client = Client()
    client.force_login(owner)
    assert client.get(reverse("portal:ticket", args=[ticket.number])).status_code == 200
    found = ticket_search(Ticket.objects.all(), f"#{ticket.number}")
    assert [t.pk for t in found] == [ticket.pk]
    tag = reply_tag(reply_address(number=ticket.number, recipient_id=owner.pk))
    assert tag is not None and tag.number == ticket.number and tag.valid_for(owner.pk)


@pytest.mark.django_db
def test_numbers_given_are_counted_per_length(owner, service) -> None:
    factories.open_ticket(owner, service=service)
    low, high = workflow.number_space(6)
    assert Ticket.objects.filter(number__range=(low, high)).count() == 1
    assert ticket_number_digits(Policy.current()) == 6
