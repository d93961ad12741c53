"""The desk's own stylesheet and templates keep the rules the design system and the CSP rely
on: colours only through app.css's custom properties, no inline style or script."""

import re
from pathlib import Path

DESK = Path(__file__).resolve().parents[2] / "chamado" / "desk"
RAW_COLOUR = re.compile(
    r"#[0-9a-f]{3,8}\b|\b(?:rgb|rgba|hsl|hsla|hwb|lab|lch|oklch|color)\(|"
    r":\s*(?:white|black|red|green|blue|gray|grey|yellow|orange|transparent)\b",
    re.IGNORECASE,
)


def test_desk_css_uses_only_the_theme_colours() -> None:
    css = (DESK / "static" / "desk" / "desk.css").read_text()
    found = [line for line in css.splitlines() if RAW_COLOUR.search(line)]
    assert not found, found
    assert "var(--brand)" in css and "var(--line)" in css


def test_desk_templates_have_no_inline_style_or_script() -> None:
    for template in (DESK / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"\sstyle\s*=", text), template
        assert "<style" not in text, template
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
        assert not re.search(r"\son[a-z]+\s*=", text), template
