"""The knowledge base in a real browser: a visitor reads an article (contents, a section, Back
to top, a vote) in English and in Brazilian Portuguese; a client sees an article suggested
while typing a ticket's subject and leaves after reading it (a deflection); a writer sees the
live preview; no payload of the XSS corpus runs."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chamado.desk.kb_report import deflections
from chamado.kb import rules
from chamado.kb.models import Article, ArticleView, ArticleVote, SuggestionVisit
from tests import factories
from tests.kb import builders
from tests.kb.xss_corpus import PAYLOADS

pytestmark = pytest.mark.browser

LONG = "\n\n".join(
    f"Paragraph {n}: a sentence long enough to take a line, so the page scrolls." for n in range(12)
)
LONG_PT = "\n\n".join(
    f"Parágrafo {n}: uma frase comprida o bastante para ocupar uma linha." for n in range(12)
)


@pytest.fixture
def guide(db: None) -> Article:
    category = builders.category(
        "getting-started", name="Getting started", name_pt_br="Primeiros passos"
    )
    return builders.article(
        category,
        slug="reset-your-password",
        title="How to reset your password",
        body=f"Intro.\n\n## Ask for a link\n\n{LONG}\n\n## Choose the new password\n\n{LONG}\n\n"
        f"## If the email does not arrive\n\n{LONG}",
        title_pt_br="Como redefinir sua senha",
        body_pt_br=f"Introdução.\n\n## Peça o link\n\n{LONG_PT}\n\n## Escolha a nova senha\n\n"
        f"{LONG_PT}\n\n## Se o e-mail não chegar\n\n{LONG_PT}",
    )


WORDS = {
    "en-US": {
        "menu": "Knowledge Base",
        "category": "Getting started",
        "title": "How to reset your password",
        "contents": "In this article",
        "section": "Choose the new password",
        "top": "Back to top",
        "question": "Was this article helpful?",
        "yes": "Yes",
        "thanks": "you found this article helpful",
        "views": "Views: 1",
    },
    "pt-BR": {
        "menu": "Base de Conhecimento",
        "category": "Primeiros passos",
        "title": "Como redefinir sua senha",
        "contents": "Neste artigo",
        "section": "Escolha a nova senha",
        "top": "Subir",
        "question": "Este artigo foi útil?",
        "yes": "Sim",
        "thanks": "você achou este artigo útil",
        "views": "Visualizações: 1",
    },
}


def in_viewport(page: Any, selector: str) -> bool:
    return bool(
        page.evaluate(
            """(selector) => {
                const box = document.querySelector(selector).getBoundingClientRect();
                return box.top >= -1 && box.top < window.innerHeight;
            }""",
            selector,
        )
    )


@pytest.mark.parametrize("locale", ["en-US", "pt-BR"])
def test_visitor_reads_an_article_follows_a_section_goes_back_up_and_votes(
    open_page: Any, screenshots: Any, guide: Article, locale: str
) -> None:
    words = WORDS[locale]
    browser_page = open_page(locale=locale)
    page = browser_page.page
    shots = screenshots(page, f"kb-{locale}")

    page.goto(browser_page.url("/login/"))
    page.get_by_role("banner").get_by_role("link", name=words["menu"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["menu"])
    shots.take("knowledge-base")

    category = page.get_by_role("main").get_by_role("listitem").filter(has_text=words["category"])
    category.get_by_role("link", name=words["title"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["title"])
    contents = page.get_by_role("navigation", name=words["contents"])
    expect(contents).to_be_visible()
    expect(page.get_by_text(words["views"])).to_be_visible()
    shots.take("article")

    contents.get_by_role("link", name=words["section"], exact=True).click()
    section = page.get_by_role("region", name=words["section"])
    expect(page).to_have_url(re.compile(r"#section-"))
    anchor = page.url.split("#")[1]
    assert in_viewport(page, f"#{anchor}")
    assert page.evaluate("window.scrollY") > 200
    shots.take("section")

    section.get_by_role("link", name=words["top"], exact=True).click()
    expect(page).to_have_url(re.compile(r"#article-top$"))
    assert in_viewport(page, "#article-title")
    assert page.evaluate("window.scrollY") < 200

    page.get_by_role("button", name=words["yes"], exact=True).click()
    expect(page.get_by_text(words["thanks"])).to_be_visible()
    shots.take("voted")
    page.reload()
    page.reload()
    expect(page.get_by_text(words["views"])).to_be_visible()

    guide.refresh_from_db()
    assert guide.view_count == 1
    assert ArticleView.objects.filter(article=guide).count() == 1
    assert list(ArticleVote.objects.values_list("helpful", flat=True)) == [True]
    assert browser_page.csp_violations == [] and browser_page.page_errors == []


def test_a_client_sees_a_suggestion_while_typing_and_leaves_after_reading_it(
    open_page: Any, guide: Article, owner: Any, service: Any, support: Any
) -> None:
    browser_page = open_page()
    page = browser_page.page
    page.goto(browser_page.url("/login/"))
    page.get_by_label("Email", exact=True).fill(owner.email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.goto(browser_page.url("/tickets/open/support/"))

    suggestions = page.get_by_role("complementary", name="Answers from the knowledge base")
    expect(suggestions.get_by_text("Articles that match the subject appear here.")).to_be_visible()
    page.get_by_role("textbox", name="Subject", exact=True).press_sequentially(
        "reset password", delay=30
    )
    suggested = suggestions.get_by_role("link", name="How to reset your password", exact=True)
    expect(suggested).to_be_visible()
    suggested.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How to reset your password")
    back = page.get_by_role("link", name="Back to my ticket", exact=True)
    expect(back).to_have_attribute("href", "/tickets/open/support/?subject=reset+password")
    page.close()  # the client leaves: their question was answered

    visit = SuggestionVisit.objects.get()
    assert (visit.user, visit.article) == (owner, guide)
    after_the_visit = visit.opened_at + rules.VISIT_LENGTH + timedelta(minutes=1)
    assert deflections(now=after_the_visit).tickets == 1
    assert deflections(now=timezone.now()).tickets == 0  # the visit is not over yet
    assert browser_page.csp_violations == [] and browser_page.page_errors == []


def test_the_writer_sees_the_preview_change_while_typing(open_page: Any, admin: Any) -> None:
    builders.category("support")
    browser_page = open_page()
    page = browser_page.page
    page.goto(browser_page.url("/admin/login/"))
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(browser_page.url("/admin/kb/article/add/"))

    body = page.locator("textarea[name=body]")
    body.fill("Intro.\n\n## Live heading\n\n<img src=x onerror=alert(1)>Text under it.")
    preview = page.locator('[data-kb-preview-target="en"]')
    expect(preview.get_by_role("heading", name="Live heading", exact=True)).to_be_visible()
    expect(preview.get_by_role("link", name="Back to top")).to_be_visible()
    assert preview.locator("[onerror]").count() == 0
    assert browser_page.csp_violations == [] and browser_page.page_errors == []


def test_no_payload_of_the_corpus_runs_in_the_browser(open_page: Any, db: None) -> None:
    article = builders.article(
        slug="corpus",
        title="Corpus",
        body="\n\n".join(f"## Case {n}\n\n{payload}" for n, payload in enumerate(PAYLOADS)),
    )
    browser_page = open_page()
    page = browser_page.page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(browser_page.url(f"/kb/{article.category.slug}/corpus/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Corpus")
    # What a reader could do to the text short of following a link: point, focus, toggle.
    page.evaluate(
        """() => {
            for (const element of document.querySelectorAll(".kb-text *")) {
                for (const kind of ["mouseover", "mouseenter", "pointerenter", "focus", "toggle"]) {
                    element.dispatchEvent(new Event(kind));
                }
            }
        }"""
    )
    page.mouse.move(10, 10)
    page.mouse.wheel(0, 5000)
    page.wait_for_timeout(500)
    live = page.evaluate(
        """() => {
            const text = document.querySelector(".kb-article");
            const handlers = [...text.querySelectorAll("*")].flatMap((element) =>
                [...element.attributes].filter((a) => a.name.startsWith("on") || a.name === "style")
                    .map((a) => element.tagName + " " + a.name));
            const urls = [...text.querySelectorAll("[href], [src], [action], [formaction]")]
                .map((element) => element.getAttribute("href") || element.getAttribute("src")
                    || element.getAttribute("action") || element.getAttribute("formaction"))
                .filter((url) => /^\\s*(javascript|data|vbscript):/i.test(url));
            const elements = text.querySelectorAll("script, iframe, object, embed, svg, math,"
                + " style, form, input, button, base, meta, link");
            return {handlers, urls, elements: elements.length, scripts: document.scripts.length};
        }"""
    )
    assert dialogs == []
    assert live == {"handlers": [], "urls": [], "elements": 0, "scripts": 1}  # app.js only
