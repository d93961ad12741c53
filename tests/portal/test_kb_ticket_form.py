"""Articles suggested on the ticket form: beside the subject (server-rendered for a subject it
already has, fetched by app.js while typing), a lookup button that works without JavaScript,
and a way back to the form that keeps the subject. An article opened from there is recorded
for the deflection count."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from chamado.kb.models import Article, SuggestionVisit
from chamado.tickets.models import Ticket
from tests.kb import builders

pytestmark = pytest.mark.django_db

FORM = reverse("portal:ticket_new", args=["support"])


@pytest.fixture
def reset_article(db: None) -> Article:
    return builders.article(
        builders.category("getting-started"),
        slug="reset-your-password",
        title="How to reset your password",
        body="Ask for a reset link on the login page.",
        title_pt_br="Como redefinir sua senha",
        body_pt_br="Peça o link de redefinição na página de login.",
    )


@pytest.fixture
def client_in(client: Client, owner: Any, service: Any, support: Any) -> Client:
    client.force_login(owner)
    return client


def test_the_form_suggests_articles_for_a_subject_it_already_has(
    client_in: Client, reset_article: Article
) -> None:
    html = client_in.get(FORM, {"subject": "Reset password"}).content.decode()
    aside = html[html.index('<aside class="kb-suggest"') : html.index("</aside>")]
    link = (
        "/kb/getting-started/reset-your-password/?from=ticket&amp;subject=Reset+password"
        "&amp;department=support"
    )
    assert f'<a href="{link}">How to reset your password</a>' in aside
    assert f'data-kb-suggest="{reverse("kb:suggest")}"' in aside


def test_without_a_subject_the_aside_explains_and_offers_the_lookup(
    client_in: Client, reset_article: Article
) -> None:
    html = client_in.get(FORM).content.decode()
    assert "Articles that match the subject appear here." in html
    lookup = 'form="ticket-form" name="kb_lookup"'
    assert lookup in html
    # The lookup comes after Submit, so Enter in a field still sends the ticket.
    assert html.index('<button type="submit" class="button">Submit</button>') < html.index(lookup)


def test_the_lookup_button_searches_the_subject_without_opening_a_ticket(
    client_in: Client, reset_article: Article, service: Any
) -> None:
    response = client_in.post(
        FORM,
        {"kb_lookup": "1", "subject": "Reset password", "message": "", "service": service.pk},
    )
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("kb:search")
    assert parse_qs(target.query) == {
        "q": ["Reset password"],
        "from": ["ticket"],
        "subject": ["Reset password"],
        "department": ["support"],
    }
    assert not Ticket.objects.exists()
    results = client_in.get(response["Location"]).content.decode()
    assert "reset-your-password/?from=ticket&amp;subject=Reset+password" in results
    assert f'href="{FORM}?subject=Reset+password">Back to my ticket</a>' in results


def test_suggestions_while_typing_are_a_fragment_in_the_readers_language(
    client_in: Client, reset_article: Article
) -> None:
    response = client_in.get(
        reverse("kb:suggest"),
        {"q": "redefinir senha", "department": "support"},
        HTTP_ACCEPT_LANGUAGE="pt-BR",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "<html" not in html
    assert ">Como redefinir sua senha</a>" in html
    assert "Mais resultados na base de conhecimento" in html
    short = client_in.get(reverse("kb:suggest"), {"q": "re"}).content.decode()
    assert "reset-your-password" not in short
    missing = client_in.get(reverse("kb:suggest"), {"q": "invoice copy"}).content.decode()
    assert "No article matches this subject yet." in missing


def test_a_department_that_is_not_a_slug_is_dropped(
    client_in: Client, reset_article: Article
) -> None:
    html = client_in.get(
        reverse("kb:suggest"), {"q": "reset password", "department": '"><script>'}
    ).content.decode()
    assert "department=" not in html and "<script>" not in html


def test_an_article_opened_from_the_form_is_recorded_and_leads_back(
    client_in: Client, reset_article: Article, owner: Any
) -> None:
    address = reverse("kb:article", args=["getting-started", "reset-your-password"])
    query = "?from=ticket&subject=Reset+password&department=support"
    html = client_in.get(address + query).content.decode()
    client_in.get(address + query)  # a reload is the same visit
    assert SuggestionVisit.objects.filter(user=owner, article=reset_article).count() == 1
    assert f'href="{FORM}?subject=Reset+password">Back to my ticket</a>' in html
    back = client_in.get(f"{FORM}?subject=Reset+password").content.decode()
    assert 'value="Reset password"' in back


def test_an_article_read_otherwise_is_no_suggestion_visit(
    client_in: Client, reset_article: Article
) -> None:
    client_in.get(reverse("kb:article", args=["getting-started", "reset-your-password"]))
    assert not SuggestionVisit.objects.exists()


def test_a_vote_keeps_the_way_back_to_the_ticket(client_in: Client, reset_article: Article) -> None:
    query = "from=ticket&subject=Reset+password&department=support"
    response = client_in.post(
        reverse("kb:vote", args=["getting-started", "reset-your-password"]) + "?" + query,
        {"helpful": "yes"},
    )
    assert response["Location"].endswith(f"/reset-your-password/?{query}#feedback")


def test_the_form_still_opens_a_ticket(client_in: Client, service: Any, support: Any) -> None:
    response = client_in.post(
        FORM,
        {
            "department": support.pk,
            "subject": "Reset password",
            "service": service.pk,
            "priority": 2,
            "message": "The reset email never arrives, I tried twice today.",
        },
    )
    assert response.status_code == 302
    assert Ticket.objects.count() == 1
