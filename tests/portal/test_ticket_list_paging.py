"""The client's ticket list: its pager counts no further than a few pages past the one asked
for (portal.paging), so the list costs the same on any account; the rows keep their links and
status names."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chamado.portal import paging, views
from chamado.tickets.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch: Any) -> None:
    monkeypatch.setattr(views, "TICKETS_PER_PAGE", 2)
    monkeypatch.setattr(paging, "AHEAD", 1)


def test_pager_says_more_than_when_it_stopped_counting(client, owner, service, small_pages):
    for n in range(7):
        factories.open_ticket(owner, service=service, subject=f"Ticket {n}")
    client.force_login(owner)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("portal:tickets")).content.decode()
    assert "Page 1 of more than 2" in first
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 5" in counts[0]  # (1 + AHEAD) pages of 2, and one more
    third = client.get(reverse("portal:tickets"), {"page": 3}).content.decode()
    assert "Page 3 of 4" in third  # counted to the end from here: exact
    assert third.count('class="status status-') == 2
    last = client.get(reverse("portal:tickets"), {"page": 4}).content.decode()
    assert "Page 4 of 4" in last and last.count('class="status status-') == 1
    assert 'rel="next"' not in last and "Next" not in last.split('class="pager"')[1]
    beyond = client.get(reverse("portal:tickets"), {"page": 99}).content.decode()
    assert "Page 4 of 4" in beyond  # past the end: the last page, as before
    bad = client.get(reverse("portal:tickets"), {"page": "x"}).content.decode()
    assert "Page 1 of more than 2" in bad


def test_rows_link_to_their_ticket_and_name_the_status_in_the_reader_language(client, owner):
    ticket = factories.open_ticket(owner)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.ON_HOLD)
    client.force_login(owner)
    page = client.get(reverse("portal:tickets"), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    link = reverse("portal:ticket", args=[ticket.number])
    assert page.count(f'href="{link}"') == 2
    assert f'class="status status-{Ticket.Status.ON_HOLD}">Em Espera</span>' in page
