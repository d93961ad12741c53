"""The knowledge base's pure rules: languages, robots, visits, search grouping."""

from datetime import datetime, timedelta

import pytest

from chamado.kb import languages, rules


@pytest.mark.parametrize(
    ("active", "expected"),
    [("pt-br", "pt-br"), ("pt-BR", "pt-br"), ("pt", "pt-br"), ("en", "en"), (None, "en")],
)
def test_reader_language(active: str | None, expected: str) -> None:
    assert languages.reader_language(active) == expected


def test_language_shown_falls_back_to_the_other_one() -> None:
    assert languages.language_shown("pt-br", lambda language: language == "en") == "en"
    assert languages.language_shown("pt-br", lambda language: True) == "pt-br"
    assert languages.field_name("title", "pt-br") == "title_pt_br"
    assert languages.field_name("title", "en") == "title"


def test_an_article_needs_a_title_and_text_in_one_language_at_least() -> None:
    assert rules.languages_check(title="T", body="B", title_pt_br="", body_pt_br="") == []
    assert rules.languages_check(title="", body="", title_pt_br="T", body_pt_br="B") == []
    assert [
        field
        for field, _ in rules.languages_check(title="", body="", title_pt_br="", body_pt_br="")
    ] == ["title"]
    assert [
        field
        for field, _ in rules.languages_check(title="T", body=" ", title_pt_br="", body_pt_br="B")
    ] == ["body", "title_pt_br"]


@pytest.mark.parametrize(
    ("agent", "robot"),
    [
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36", False),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
        ("Mozilla/5.0 (compatible; bingbot/2.0)", True),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php) preview", True),
        ("curl/8.5.0", True),
        ("python-requests/2.32", True),
        ("", True),
    ],
)
def test_robots_are_recognised(agent: str, robot: bool) -> None:
    assert rules.is_robot(agent) is robot


def test_openings_within_a_visit_are_one_visit() -> None:
    start = datetime(2026, 11, 25, 10, 0)
    openings = [
        (1, start),
        (1, start + timedelta(minutes=20)),  # same visit
        (1, start + rules.VISIT_LENGTH + timedelta(minutes=1)),  # a later visit
        (2, start + timedelta(minutes=5)),  # someone else
    ]
    assert rules.visits_count(openings) == 3
    assert rules.visits_count([]) == 0


def test_searches_are_grouped_however_they_were_typed() -> None:
    assert rules.search_key("  Transferir   DOMÍNIO ") == "transferir dominio"
    assert rules.search_key("transferir dominio") == "transferir dominio"
