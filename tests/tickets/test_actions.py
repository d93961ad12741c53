"""Ticket actions: numbers, statuses, the flood guard, and what one transaction holds."""

import random
import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction

from chamado.core.errors import ApplicationError
from chamado.core.models import AuditEvent
from chamado.core.ratelimit import rate_hit
from chamado.mail.models import Delivery
from chamado.tickets import signals
from chamado.tickets.actions import (
    ticket_close,
    ticket_open,
    ticket_reply_by_agent,
    ticket_reply_by_client,
)
from chamado.tickets.models import Attachment, Message, Policy, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

BODY = "The site answers 500 since this morning, nothing was changed."


def seed_numbers(seed: int, count: int = 2) -> list[int]:
    rng = random.Random(seed)
    return [rng.randint(100_000, 999_999) for _ in range(count)]


# Ticket numbers ----------------------------------------------------------------------------


def test_opened_ticket_has_a_six_digit_number(ticket) -> None:
    assert 100_000 <= ticket.number <= 999_999


def test_database_refuses_a_duplicate_ticket_number(ticket, owner, support) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.create(
            number=ticket.number,
            account=owner.account,
            contact=owner,
            department=support,
            subject="Copy",
        )


@pytest.mark.parametrize("number", [123, 1_234_567_890])
def test_database_refuses_a_number_of_fewer_than_four_or_more_than_nine_digits(
    owner, support, number
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.create(
            number=number, account=owner.account, contact=owner, department=support, subject="x"
        )


def test_number_clash_draws_the_next_random_number(owner, service, support) -> None:
    first, second = seed_numbers(42)
    taken = factories.open_ticket(owner, service=service, rng=random.Random(42))
    assert taken.number == first

    ticket = factories.open_ticket(owner, service=service, rng=random.Random(42))

    assert ticket.number == second
    assert Ticket.objects.count() == 2


def test_number_clash_keeps_one_first_message_per_ticket(owner, service) -> None:
    factories.open_ticket(owner, service=service, rng=random.Random(5))
    ticket = factories.open_ticket(owner, service=service, rng=random.Random(5))
    assert ticket.messages.count() == 1
    assert Message.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_clients_opening_at_the_same_instant_get_distinct_numbers() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    owner = factories.OwnerFactory()
    service = factories.ServiceFactory(account=owner.account)
    department = factories.department("support")
    start = threading.Barrier(2)
    numbers: list[int] = []
    errors: list[BaseException] = []
    entered: list[int] = []

    def hold_first_transaction_open(**kwargs: object) -> None:
        # The first ticket in keeps its transaction (and its number) uncommitted a moment, so
        # the other insert meets the unique index while the clash is still in flight.
        entered.append(threading.get_ident())
        if len(entered) == 1:
            time.sleep(0.5)

    def open_one() -> None:
        try:
            start.wait(timeout=10)
            ticket = ticket_open(
                actor=owner,
                department=department,
                service=service,
                subject="Same instant",
                priority=Ticket.Priority.MEDIUM,
                body=BODY,
                rng=random.Random(99),
            ).ticket
            numbers.append(ticket.number)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    signals.ticket_event.connect(hold_first_transaction_open, dispatch_uid="test-hold")
    try:
        threads = [threading.Thread(target=open_one) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        signals.ticket_event.disconnect(dispatch_uid="test-hold")

    assert errors == []
    assert sorted(numbers) == sorted(seed_numbers(99))
    assert Ticket.objects.count() == 2


# Opening ---------------------------------------------------------------------------------


def test_open_writes_ticket_first_message_attachment_and_audit(owner, service, support) -> None:
    ticket = factories.open_ticket(
        owner,
        service=service,
        files=[factories.upload("screen.png", factories.png_bytes())],
    )
    message = ticket.messages.get()
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.contact == owner and ticket.account == owner.account
    assert message.body == BODY and not message.from_agent
    assert message.attachments.get().original_name == "screen.png"
    assert AuditEvent.objects.filter(verb="ticket.open", object_id=str(ticket.pk)).count() == 1


def test_open_with_a_refused_file_writes_nothing(owner, service) -> None:
    with pytest.raises(ApplicationError) as refused:
        factories.open_ticket(
            owner,
            service=service,
            files=[
                factories.upload("ok.png", factories.png_bytes()),
                factories.upload("evil.png", b"<?php system($_GET['c']); ?>" * 3),
            ],
        )
    assert "“evil.png”" in refused.value.message
    assert Ticket.objects.count() == 0
    assert Message.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_open_refuses_a_service_of_another_account(owner, support) -> None:
    foreign = factories.ServiceFactory()
    with pytest.raises(ApplicationError) as refused:
        factories.open_ticket(owner, service=foreign, department=support)
    assert refused.value.field == "service"
    assert Ticket.objects.count() == 0


def test_open_refuses_a_contact_without_the_tickets_permission(contact_without_tickets) -> None:
    with pytest.raises(ApplicationError):
        factories.open_ticket(contact_without_tickets)
    assert Ticket.objects.count() == 0


def test_open_inside_a_rolled_back_transaction_leaves_nothing(owner, service, agent) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.open_ticket(owner, service=service)
        raise RuntimeError("the caller failed after opening")
    assert Ticket.objects.count() == 0
    assert Delivery.objects.count() == 0


# Statuses ----------------------------------------------------------------------------------


def test_client_reply_on_answered_ticket_becomes_customer_reply(ticket, owner, agent) -> None:
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Please try again now.")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.ANSWERED

    ticket_reply_by_client(actor=owner, ticket=ticket, body="It still answers 500, sadly.")

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CUSTOMER_REPLY
    assert ticket.waiting_since is not None


def test_close_closes_the_ticket(ticket, owner) -> None:
    ticket_close(actor=owner, ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    assert ticket.closed_at is not None


def test_closing_twice_changes_nothing_the_second_time(ticket, owner) -> None:
    ticket_close(actor=owner, ticket=ticket)
    ticket.refresh_from_db()
    closed_at = ticket.closed_at

    ticket_close(actor=owner, ticket=ticket)

    ticket.refresh_from_db()
    assert ticket.closed_at == closed_at
    assert AuditEvent.objects.filter(verb="ticket.close", object_id=str(ticket.pk)).count() == 1


def test_reply_to_closed_ticket_reopens_it_when_the_department_allows(ticket, owner) -> None:
    assert ticket.department.reopen_on_reply
    ticket_close(actor=owner, ticket=ticket)

    ticket_reply_by_client(actor=owner, ticket=ticket, body="The problem came back today.")

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CUSTOMER_REPLY
    assert ticket.closed_at is None


def test_reply_to_closed_ticket_is_refused_when_reopening_is_off(ticket, owner) -> None:
    ticket.department.reopen_on_reply = False
    ticket.department.save()
    ticket_close(actor=owner, ticket=ticket)

    with pytest.raises(ApplicationError) as refused:
        ticket_reply_by_client(actor=owner, ticket=ticket, body="The problem came back today.")

    assert "open a new ticket" in refused.value.message
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    assert ticket.messages.count() == 1


# Flood guard -------------------------------------------------------------------------------


def test_client_messages_beyond_the_flood_limit_are_refused(ticket, owner) -> None:
    policy = Policy.current()
    policy.flood_max_messages = 3
    policy.save()
    for n in range(2):  # the opening message counts: three in the window
        ticket_reply_by_client(actor=owner, ticket=ticket, body=f"More details, part {n}, here.")

    with pytest.raises(ApplicationError) as refused:
        ticket_reply_by_client(actor=owner, ticket=ticket, body="Is anybody there? Please help.")

    assert "wait for our answer" in refused.value.message
    assert ticket.messages.count() == 3


def test_messages_of_an_earlier_flood_window_do_not_count(ticket, owner) -> None:
    policy = Policy.current()
    policy.flood_max_messages = 2
    policy.save()
    ticket_reply_by_client(actor=owner, ticket=ticket, body="More details about the error.")
    with pytest.raises(ApplicationError):
        ticket_reply_by_client(actor=owner, ticket=ticket, body="Refused: the window is full.")
    window = policy.flood_window_minutes * 60
    later = time.time() + window  # the next window starts empty
    assert rate_hit("ticket-messages", ticket.pk, limit=2, window=window, now=later).allowed


def test_agent_answer_resets_the_flood_guard(ticket, owner, agent) -> None:
    policy = Policy.current()
    policy.flood_max_messages = 1
    policy.save()
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Could you send a screenshot?")

    ticket_reply_by_client(actor=owner, ticket=ticket, body="Here it is, see the attached file.")

    assert ticket.messages.filter(from_agent=False).count() == 2
