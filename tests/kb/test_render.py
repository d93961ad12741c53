"""Article Markdown becomes safe HTML in sections with a table of contents (kb.render): no
payload of the XSS corpus survives, even written by an administrator."""

import pytest

from chamado.kb.render import render
from tests.kb.xss_corpus import PAYLOADS, live_parts

ARTICLE = """\
Welcome to the **guide**.

# Before you start

Read this first.

### A detail

More words.

## Open the form

1. Log in.
2. Click.

```
## not a heading, code
```
"""


def test_corpus_is_large_enough() -> None:
    assert len(PAYLOADS) >= 30
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives_rendering(payload: str) -> None:
    rendered = render(f"Before the payload.\n\n{payload}\n\n## After\n\nText after it.")
    html = "".join(section["html"] for section in rendered.sections)
    assert live_parts(html) == [], html
    assert "<script" not in html.lower()
    if "<style>" not in payload or "</style>" in payload:  # an unclosed one eats the rest
        assert "Text after it." in html  # the rest of the article is still there


def test_the_check_itself_catches_live_html() -> None:
    """Guards the test above: the corpus check must see what it is meant to see."""
    assert live_parts('<img src="x" onerror="alert(1)">')
    assert live_parts('<a href="&#106;avascript:alert(1)">x</a>')
    assert live_parts("<svg></svg>")
    assert live_parts('<img src="//evil.example/x.png">')
    assert live_parts('<a href="/kb/">fine</a>') == []


def test_sections_are_cut_at_second_level_headings() -> None:
    rendered = render(ARTICLE)
    assert [section["id"] for section in rendered.sections] == [
        "",
        "section-before-you-start",
        "section-open-the-form",
    ]
    assert rendered.sections[0]["html"] == "<p>Welcome to the <strong>guide</strong>.</p>"
    assert rendered.sections[1]["html"].startswith('<h2 id="section-before-you-start">')
    assert '<h3 id="section-a-detail">A detail</h3>' in rendered.sections[1]["html"]
    assert "## not a heading, code" in rendered.sections[2]["html"]


def test_a_first_level_heading_is_a_section_not_a_second_page_title() -> None:
    assert "<h1" not in "".join(s["html"] for s in render(ARTICLE).sections)


def test_table_of_contents_holds_second_and_third_level_headings() -> None:
    assert render(ARTICLE).toc == [
        {
            "id": "section-before-you-start",
            "title": "Before you start",
            "children": [{"id": "section-a-detail", "title": "A detail"}],
        },
        {"id": "section-open-the-form", "title": "Open the form", "children": []},
    ]


def test_portuguese_headings_get_plain_anchors_and_keep_their_accents() -> None:
    rendered = render(
        "## Configuração do domínio\n\nTexto.\n\n## Configuração do domínio\n\nDe novo."
    )
    assert [entry["id"] for entry in rendered.toc] == [
        "section-configuracao-do-dominio",
        "section-configuracao-do-dominio_1",
    ]
    assert rendered.toc[0]["title"] == "Configuração do domínio"


def test_an_author_id_cannot_take_an_id_of_the_page() -> None:
    rendered = render('<h2 id="main">Over the page</h2>\n\nText.')
    assert 'id="main"' not in rendered.sections[0]["html"]
    assert 'id="section-main"' in rendered.sections[0]["html"]


def test_plain_text_keeps_words_and_loses_markup() -> None:
    text = render(ARTICLE + "\n![Login page](/kb/images/1/a.png)\n").text
    assert "Welcome to the guide." in text
    assert "Log in." in text and "Login page" in text
    assert "<" not in text and "**" not in text


def test_images_come_from_this_site_only() -> None:
    html = render("![ours](/kb/images/1/a.png) ![theirs](https://tracker.example/p.png)")
    fragment = html.sections[0]["html"]
    assert 'src="/kb/images/1/a.png"' in fragment
    assert "tracker.example" not in fragment


def test_links_open_safely_and_keep_their_address() -> None:
    fragment = render("[our status page](https://status.example.com/)").sections[0]["html"]
    assert 'href="https://status.example.com/"' in fragment
    assert 'rel="noopener noreferrer"' in fragment


def test_tables_keep_their_alignment_without_style_attributes() -> None:
    fragment = render("| a | b |\n|:-|-:|\n| 1 | 2 |").sections[0]["html"]
    assert 'align="right"' in fragment and "style=" not in fragment


def test_empty_text_renders_nothing() -> None:
    assert render("  \n ").sections == []
    assert render("").toc == []
