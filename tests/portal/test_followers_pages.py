"""The client ticket page's followers box, the ticket list's "Opened by" column and search box,
and the desk's "following" mark: plain HTML forms, no JavaScript."""

import html
import re
from typing import Any

import pytest
from django.urls import reverse

from chamado.accounts.models import Membership
from chamado.portal.views import TICKETS_PER_PAGE
from chamado.tickets.actions import ticket_close, ticket_merge, ticket_reply_by_agent
from chamado.tickets.followers import ticket_follower_add
from chamado.tickets.models import Ticket, TicketFollower
from tests import factories
from tests.portal.test_query_counts import SIZES, TICKET_LIST_QUERIES, TICKET_PAGE_QUERIES

pytestmark = pytest.mark.django_db


def page_of(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def ticket_url(ticket: Ticket) -> str:
    return reverse("portal:ticket", args=[ticket.number])


def add_url(ticket: Ticket) -> str:
    return reverse("portal:ticket_follower_add", args=[ticket.number])


def remove_url(ticket: Ticket) -> str:
    return reverse("portal:ticket_follower_remove", args=[ticket.number])


def box(page: str) -> str:
    """The followers box of a ticket page."""
    return page[page.index('id="followers"') : page.index('id="conversation-heading"')]


def choices(page: str) -> list[str]:
    """The names offered by the add form's select."""
    select = re.search(r'<select id="follower-user" name="user">(.*?)</select>', page, re.S)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1)) if select else []


def follows(ticket: Ticket) -> list[int]:
    return list(TicketFollower.objects.filter(ticket=ticket).values_list("user", flat=True))


@pytest.fixture
def dora(account: Any) -> Any:
    return factories.ContactFactory(account=account, can_tickets=True, full_name="Dora Alves")


# ---- The ticket page ------------------------------------------------------------------------


def test_the_box_lists_the_opener_and_followers_and_offers_the_others(
    client, ticket, owner, contact, dora, contact_without_tickets, other_owner
) -> None:
    ticket_follower_add(actor=owner, ticket=ticket, user=dora)
    client.force_login(owner)
    page = page_of(client.get(ticket_url(ticket)))
    people = box(page)
    assert "People following this ticket" in people
    assert "Ana Souza · opened this ticket" in people
    assert "Dora Alves" in people and 'aria-label="Remove Dora Alves"' in people
    # Offered: contacts with the tickets permission not yet following, never the opener,
    # a contact without the permission or someone of another account.
    assert choices(page) == ["Bruno Lima"]
    assert contact_without_tickets.full_name not in people
    assert other_owner.full_name not in people


def test_adding_a_contact_through_the_form(client, ticket, owner, contact) -> None:
    client.force_login(owner)
    response = client.post(add_url(ticket), {"user": contact.pk})
    assert response.status_code == 302
    assert response["Location"] == ticket_url(ticket) + "#followers"
    assert follows(ticket) == [contact.pk]
    page = page_of(client.get(ticket_url(ticket)))
    assert "Bruno Lima now follows this ticket and gets its emails." in page
    assert choices(page) == []  # nobody left to add: no form
    assert 'name="user"' in box(page)  # but the remove button


def test_adding_someone_of_another_account_is_refused_without_a_hint(
    client, ticket, owner, other_owner, contact_without_tickets
) -> None:
    client.force_login(owner)
    notices = []
    for candidate in (other_owner.pk, contact_without_tickets.pk, 10**8, "nobody"):
        response = client.post(add_url(ticket), {"user": candidate}, follow=True)
        page = page_of(response)
        notices.append("Choose a contact of this account who may see its tickets." in page)
        assert other_owner.full_name not in page and "Beta Sites" not in page
    assert notices == [True] * 4
    assert follows(ticket) == []


def test_someone_who_cannot_reach_the_ticket_gets_404(
    client, ticket, contact, other_owner, contact_without_tickets
) -> None:
    for outsider in (other_owner, contact_without_tickets):
        client.force_login(outsider)
        assert client.post(add_url(ticket), {"user": contact.pk}).status_code == 404
        assert client.post(remove_url(ticket), {"user": contact.pk}).status_code == 404
    assert follows(ticket) == []


def test_the_forms_only_take_posts(client, ticket, owner, contact) -> None:
    client.force_login(owner)
    assert client.get(add_url(ticket), {"user": contact.pk}).status_code == 405
    assert client.get(remove_url(ticket), {"user": contact.pk}).status_code == 405


def test_removing_a_follower_and_stopping_to_follow(client, ticket, owner, contact, dora) -> None:
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    ticket_follower_add(actor=owner, ticket=ticket, user=dora)
    client.force_login(owner)
    client.post(remove_url(ticket), {"user": dora.pk})
    assert follows(ticket) == [contact.pk]
    client.force_login(contact)
    people = box(page_of(client.get(ticket_url(ticket))))
    assert "Bruno Lima (you)" in people and "Stop following" in people
    response = client.post(remove_url(ticket), {"user": contact.pk}, follow=True)
    assert "You no longer follow this ticket." in page_of(response)
    assert follows(ticket) == []


def test_a_follower_reads_and_replies_on_the_ticket_page(client, ticket, owner, contact, agent):
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Fixed it, please check again.")
    client.force_login(contact)
    page = page_of(client.get(ticket_url(ticket)))
    assert "Fixed it, please check again." in page
    response = client.post(ticket_url(ticket), {"message": "Still broken on the checkout page."})
    assert response.status_code == 302
    assert ticket.messages.filter(author=contact).exists()


def test_a_follower_acting_for_another_account_reaches_the_ticket_and_switches(
    client, ticket, owner, other_owner
) -> None:
    webmaster = factories.ContactFactory(account=other_owner.account, can_tickets=True)
    Membership.objects.create(user=webmaster, account=ticket.account, can_tickets=True)
    ticket_follower_add(actor=owner, ticket=ticket, user=webmaster)
    client.force_login(webmaster)
    page = page_of(client.get(ticket_url(ticket)))
    assert "you now act for that account" in page
    assert f"{webmaster.full_name} (you)" in box(page)
    webmaster.refresh_from_db()
    assert webmaster.account == ticket.account


def test_a_follower_who_lost_the_permission_is_not_listed_and_cannot_open_it(
    client, ticket, owner, contact
) -> None:
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    Membership.objects.filter(user=contact).update(can_tickets=False)
    client.force_login(owner)
    page = page_of(client.get(ticket_url(ticket)))
    assert "Bruno Lima" not in box(page) and choices(page) == []
    client.force_login(contact)
    assert client.get(ticket_url(ticket)).status_code == 404


def test_a_merged_number_adds_to_the_surviving_ticket(client, owner, contact, service, agent):
    target = factories.open_ticket(owner, service=service, subject="Target")
    source = factories.open_ticket(owner, service=service, subject="Source")
    ticket_merge(actor=agent, source=source, target=target)
    client.force_login(owner)
    response = client.post(add_url(source), {"user": contact.pk})
    assert response["Location"] == ticket_url(target) + "#followers"
    assert follows(target) == [contact.pk] and follows(source) == []


@pytest.mark.parametrize("count", SIZES)
def test_ticket_page_query_count_does_not_grow_with_followers(
    client, owner, service, django_assert_num_queries, count
) -> None:
    ticket = factories.open_ticket(owner, service=service)
    for n in range(count):
        person = factories.ContactFactory(account=owner.account, can_tickets=True)
        if n % 3:
            ticket_follower_add(actor=owner, ticket=ticket, user=person)
    client.force_login(owner)
    with django_assert_num_queries(TICKET_PAGE_QUERIES):
        response = client.get(ticket_url(ticket))
    people = box(page_of(response))
    assert people.count(">Remove</button>") == count - len(range(0, count, 3))


# ---- The ticket list ------------------------------------------------------------------------


def list_page(client: Any, **params: Any) -> str:
    return page_of(client.get(reverse("portal:tickets"), params))


def listed(page: str) -> list[str]:
    return re.findall(r'<td><a href="/tickets/\d+/">#(\d+)</a></td>', page)


def test_the_list_shows_who_opened_each_ticket(client, owner, contact, service) -> None:
    mine = factories.open_ticket(owner, service=service, subject="Mine")
    theirs = factories.open_ticket(contact, service=service, subject="Theirs")
    client.force_login(owner)
    page = list_page(client)
    assert '<th scope="col">Opened by</th>' in page
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)[1:]  # the header's row first
    assert len(rows) == 2
    assert f"#{theirs.number}</a>" in rows[0] and "<td>Bruno Lima</td>" in rows[0]
    assert f"#{mine.number}</a>" in rows[1] and "<td>Ana Souza</td>" in rows[1]


def test_the_search_finds_by_number_with_or_without_hash(client, owner, service) -> None:
    first = factories.open_ticket(owner, service=service, subject="Email bounces")
    factories.open_ticket(owner, service=service, subject="Site is slow")
    client.force_login(owner)
    for q in (str(first.number), f"#{first.number}", f"  #{first.number} "):
        assert listed(list_page(client, q=q)) == [str(first.number)], q


def test_the_search_finds_by_subject_accents_and_case_ignored(client, owner, service) -> None:
    paginas = factories.open_ticket(owner, service=service, subject="Páginas em branco no SITE")
    factories.open_ticket(owner, service=service, subject="Email bounces")
    client.force_login(owner)
    for q in ("paginas", "PÁGINAS", "branco site", "em bran"):
        assert listed(list_page(client, q=q)) == [str(paginas.number)], q
    page = list_page(client, q="invoice")
    assert listed(page) == [] and "No ticket matches “invoice”." in page


def test_digits_also_find_a_subject_but_a_hash_is_only_a_number(client, owner, service) -> None:
    subject = factories.open_ticket(owner, service=service, subject="Renew plan 2026")
    client.force_login(owner)
    assert listed(list_page(client, q="2026")) == [str(subject.number)]
    assert listed(list_page(client, q="#2026")) == []


def test_the_search_never_finds_another_accounts_ticket_nor_an_internal_note(
    client, owner, other_owner, service, agent
) -> None:
    theirs = factories.open_ticket(other_owner, subject="Páginas da Beta")
    mine = factories.open_ticket(owner, service=service, subject="Site is slow")
    ticket_reply_by_agent(actor=agent, ticket=mine, body="zebracode in a note", is_internal=True)
    client.force_login(owner)
    assert listed(list_page(client, q="paginas")) == []
    assert listed(list_page(client, q=str(theirs.number))) == []
    assert listed(list_page(client, q="zebracode")) == []


def test_the_search_keeps_the_status_filter_and_the_pages(client, owner, service) -> None:
    for n in range(TICKETS_PER_PAGE + 2):
        factories.open_ticket(owner, service=service, subject=f"Backup {n} failed")
    closed = factories.open_ticket(owner, service=service, subject="Backup old failed")
    ticket_close(actor=owner, ticket=closed)
    factories.open_ticket(owner, service=service, subject="Something else")
    client.force_login(owner)
    page = list_page(client, q="backup", status="active")
    assert len(listed(page)) == TICKETS_PER_PAGE
    assert str(closed.number) not in listed(page)
    assert "?status=active&amp;q=backup&amp;page=2" in html.escape(page, quote=False)
    second = list_page(client, q="backup", status="active", page=2)
    assert len(listed(second)) == 2
    assert 'value="backup"' in second
    assert listed(list_page(client, q="backup", status=Ticket.Status.CLOSED)) == [
        str(closed.number)
    ]


@pytest.mark.parametrize("count", SIZES)
def test_ticket_list_with_a_search_query_count_does_not_grow(
    client, owner, contact, service, django_assert_num_queries, count
) -> None:
    for n in range(count):
        factories.open_ticket([owner, contact][n % 2], service=service, subject=f"Disk {n} full")
    other = factories.open_ticket(owner, service=service, subject="Other")
    client.force_login(owner)
    for q, found in (("disk", count), (f"#{other.number}", 1)):
        with django_assert_num_queries(TICKET_LIST_QUERIES):
            response = client.get(reverse("portal:tickets"), {"q": q, "status": "active"})
        assert len(listed(page_of(response))) == found


# ---- The desk -------------------------------------------------------------------------------


def test_the_desk_marks_the_followers_among_the_contacts(
    client, ticket, owner, contact, dora, agent
) -> None:
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    ticket_follower_add(actor=owner, ticket=ticket, user=dora)
    Membership.objects.filter(user=dora).update(can_tickets=False)
    client.force_login(agent)
    page = page_of(client.get(reverse("desk:ticket", args=[ticket.number])))
    assert f"Bruno Lima <{contact.email}> · following</li>" in page
    assert f"Dora Alves <{dora.email}> · following, but gets no emails" in page
    assert f"Ana Souza <{owner.email}> · owner · opened this ticket</li>" in page
