"""The writers' report (desk, administrators only): views, helpful share, "No" comments,
deflected tickets and the searches that found nothing."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chamado.desk.kb_report import deflections
from chamado.kb import rules
from chamado.kb.actions import (
    article_view_record,
    article_vote,
    search_miss_record,
    suggestion_visit_record,
)
from chamado.kb.models import Article
from chamado.kb.visitors import visitor_for
from chamado.tickets.models import Ticket
from tests import factories
from tests.kb import builders

pytestmark = pytest.mark.django_db

REPORT = reverse("desk:kb_report")
# session, user, the desk menu (queue counts, departments), articles with their votes counted,
# deflections, "No" comments, searches that found nothing
REPORT_QUERIES = 7  # 8 before the session was read from the cache (issue 13)


@pytest.fixture
def guide(db: None) -> Article:
    return builders.article(slug="reset-password", title="Reset your password")


def open_ticket_at(owner: Any, service: Any, when: Any) -> Ticket:
    ticket = factories.open_ticket(owner, service=service)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=when)
    return ticket


# ---- Deflections -----------------------------------------------------------------------


def test_an_article_opened_from_suggestions_then_no_ticket_is_a_deflection(
    guide: Article, owner: Any
) -> None:
    opened = timezone.now() - timedelta(hours=3)
    suggestion_visit_record(article=guide, user=owner, now=opened)
    found = deflections(now=timezone.now())
    assert found.by_article == {guide.pk: 1}
    assert found.tickets == 1


def test_a_ticket_within_the_visit_cancels_the_deflection(
    guide: Article, owner: Any, service: Any
) -> None:
    opened = timezone.now() - timedelta(hours=3)
    suggestion_visit_record(article=guide, user=owner, now=opened)
    open_ticket_at(owner, service, opened + timedelta(minutes=10))
    assert deflections(now=timezone.now()).by_article == {}


def test_a_ticket_from_a_later_visit_does_not_cancel_it(
    guide: Article, owner: Any, service: Any
) -> None:
    opened = timezone.now() - timedelta(hours=5)
    suggestion_visit_record(article=guide, user=owner, now=opened)
    open_ticket_at(owner, service, opened + rules.VISIT_LENGTH + timedelta(minutes=1))
    open_ticket_at(owner, service, opened - timedelta(minutes=1))  # before: another matter
    assert deflections(now=timezone.now()).by_article == {guide.pk: 1}


def test_someone_elses_ticket_does_not_cancel_it(
    guide: Article, owner: Any, contact: Any, service: Any
) -> None:
    opened = timezone.now() - timedelta(hours=3)
    suggestion_visit_record(article=guide, user=owner, now=opened)
    open_ticket_at(contact, service, opened + timedelta(minutes=5))
    assert deflections(now=timezone.now()).by_article == {guide.pk: 1}


def test_a_visit_still_going_on_is_not_counted_yet(guide: Article, owner: Any) -> None:
    opened = timezone.now() - timedelta(minutes=10)
    suggestion_visit_record(article=guide, user=owner, now=opened)
    assert deflections(now=timezone.now()).by_article == {}
    assert deflections(now=opened + rules.VISIT_LENGTH).by_article == {guide.pk: 1}


def test_two_articles_read_in_one_visit_are_one_deflected_ticket(
    guide: Article, owner: Any
) -> None:
    other = builders.article(title="Webmail")
    opened = timezone.now() - timedelta(hours=3)
    suggestion_visit_record(article=guide, user=owner, now=opened)
    suggestion_visit_record(article=other, user=owner, now=opened + timedelta(minutes=3))
    found = deflections(now=timezone.now())
    assert found.by_article == {guide.pk: 1, other.pk: 1}
    assert found.tickets == 1


# ---- The page --------------------------------------------------------------------------


def activity(guide: Article, owner: Any, contact: Any, other_owner: Any) -> None:
    today = timezone.localdate()
    for reader in (owner, contact, other_owner):
        article_view_record(article=guide, visitor=visitor_for(reader, None), today=today)
    article_vote(article=guide, visitor=visitor_for(owner, None), helpful=True)
    article_vote(article=guide, visitor=visitor_for(contact, None), helpful=True)
    article_vote(
        article=guide,
        visitor=visitor_for(other_owner, None),
        helpful=False,
        comment="Nothing about <b>two-factor</b> codes",
    )
    suggestion_visit_record(article=guide, user=owner, now=timezone.now() - timedelta(hours=2))
    search_miss_record(text="Transferir domínio", language="pt-br")


def test_the_report_shows_views_share_comments_deflections_and_misses(
    client: Client, admin: Any, guide: Article, owner: Any, contact: Any, other_owner: Any
) -> None:
    activity(guide, owner, contact, other_owner)
    client.force_login(admin)
    html = client.get(REPORT).content.decode()
    row = html[html.index(">Reset your password</a>") :]
    row = row[: row.index("</tr>")]
    cells = [cell.split("<")[0] for cell in row.split("<td>")[1:]]
    assert cells == ["Published", "3", "2", "1", "67%", "1"]
    assert "Nothing about &lt;b&gt;two-factor&lt;/b&gt; codes" in html  # escaped
    assert "Transferir domínio" in html
    assert "<dd>1</dd>" in html  # one deflected ticket


def test_the_report_in_portuguese(client: Client, admin: Any, guide: Article) -> None:
    client.force_login(admin)
    html = client.get(REPORT, HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    for words in ("Relatório dos redatores", "Visualizações", "Buscas sem resultado"):
        assert words in html


@pytest.mark.parametrize("who", ["agent", "owner", "staff without superuser"])
def test_only_administrators_see_the_report(client: Client, who: str, request: Any) -> None:
    if who == "staff without superuser":
        user = factories.AgentFactory(is_staff=True)
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(REPORT).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get(REPORT)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_desk_menu_has_the_knowledge_base_and_admins_the_report(
    client: Client, agent: Any, admin: Any
) -> None:
    client.force_login(agent)
    desk = client.get(reverse("desk:queue")).content.decode()
    assert f'href="{reverse("kb:index")}"' in desk
    assert reverse("desk:kb_report") not in desk
    client.force_login(admin)
    assert reverse("desk:kb_report") in client.get(reverse("desk:queue")).content.decode()


@pytest.mark.parametrize("count", [3, 9])
def test_report_query_count_does_not_grow_with_articles(
    client: Client,
    admin: Any,
    owner: Any,
    contact: Any,
    other_owner: Any,
    django_assert_num_queries: Any,
    count: int,
) -> None:
    category = builders.category()
    for n in range(count):
        activity(builders.article(category, title=f"Guide {n}"), owner, contact, other_owner)
    client.force_login(admin)
    with django_assert_num_queries(REPORT_QUERIES):
        response = client.get(REPORT)
    assert response.content.decode().count("<q>") == count
