"""Article Markdown → safe HTML in sections, a table of contents, and plain text for search.

Markdown lets raw HTML through, so its output always goes through nh3 with an allow-list:
no script, style, frame, form or SVG, no event handler or style attribute, links only to
http, https, mailto or this site, images only from this site (the article's uploads; the
CSP would block others anyway). Whatever an author (or an attacker with an administrator's
password) writes, the page gets inert HTML. The sanitised HTML is then cut at each top-level
second-level heading: each section gets its own Back to top link on the page, and the
headings (second and third level) make the table of contents.
"""

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import pairwise
from typing import Any

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import slugify
from markdown.treeprocessors import Treeprocessor

from chamado.core.text import body_clean

# Raising this makes `chamado kb_render` worth running: stored renders carry their version.
RENDER_VERSION = 1
SECTION_PREFIX = "section-"

TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del",
    "ins", "sub", "sup", "small", "mark", "code", "kbd", "samp", "pre", "blockquote", "ul",
    "ol", "li", "dl", "dt", "dd", "a", "img", "table", "thead", "tbody", "tfoot", "tr", "th",
    "td", "caption", "abbr", "figure", "figcaption",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    **{f"h{level}": {"id"} for level in range(2, 7)},
}
URL_SCHEMES = {"http", "https", "mailto"}
BLOCKS = {
    "p", "li", "dt", "dd", "pre", "blockquote", "tr", "h2", "h3", "h4", "h5", "h6",
    "figcaption", "caption", "table", "br", "hr",
}  # fmt: skip
VOID = {"br", "hr", "img"}
_LOCAL_PATH = re.compile(r"^/(?!/)[^\s\\]*$")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: images only from this site (a path, not //host)."""
    if tag == "img" and attribute == "src":
        return value if _LOCAL_PATH.match(value) else None
    return value


def sanitise(raw_html: str) -> str:
    return nh3.clean(
        raw_html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        id_prefix=SECTION_PREFIX,
        strip_comments=True,
    )


class _FirstLevelAsSecond(Treeprocessor):
    """The page's own <h1> is the article title: a "# Heading" in the text is a section."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter("h1"):
            element.tag = "h2"


class _Headings(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Before "toc" (priority 5), which gives the headings their ids.
        md.treeprocessors.register(_FirstLevelAsSecond(md), "kb_headings", 6)


def _section_slug(value: str, separator: str) -> str:
    return SECTION_PREFIX + (slugify(value, separator) or "part")


def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists", "def_list", "toc", _Headings()],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "toc": {"slugify": _section_slug},
        },
        output_format="html",
    )


@dataclass
class Rendered:
    """``sections``: [{"id", "title", "html"}], the first one without a heading when the text
    starts with one; ``toc``: [{"id", "title", "children": [{"id", "title"}]}]; ``text``: the
    words of the article for search and snippets."""

    sections: list[dict[str, str]] = field(default_factory=list)
    toc: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""


class _Reader(HTMLParser):
    """Reads sanitised HTML: where each top-level <h2> starts, the headings, the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.section_starts: list[tuple[int, int]] = []  # (line, column) of top-level <h2>
        self.headings: list[dict[str, Any]] = []  # level, id, text, top-level
        self.heading: dict[str, Any] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h2", "h3"):
            if tag == "h2" and self.depth == 0:
                self.section_starts.append(self.getpos())
            self.heading = {
                "level": int(tag[1]),
                "id": dict(attrs).get("id") or "",
                "words": [],
                "top": self.depth == 0,
            }
        if tag in BLOCKS:
            self.text.append("\n")
        if tag == "img" and (alt := dict(attrs).get("alt")):
            self.text.append(f" {alt} ")
        if tag not in VOID:
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.text.append("\n")
        if tag == "img" and (alt := dict(attrs).get("alt")):
            self.text.append(f" {alt} ")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        self.depth -= 1
        if tag in ("h2", "h3") and self.heading is not None:
            self.heading["text"] = _SPACES.sub(" ", "".join(self.heading.pop("words"))).strip()
            self.headings.append(self.heading)
            self.heading = None
        if tag in BLOCKS:
            self.text.append("\n")

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.heading is not None:
            self.heading["words"].append(data)


def _offsets(source: str, positions: list[tuple[int, int]]) -> list[int]:
    line_starts = [0]
    for match in re.finditer("\n", source):
        line_starts.append(match.end())
    return [line_starts[line - 1] + column for line, column in positions]


def _plain(pieces: list[str]) -> str:
    text = _SPACES.sub(" ", "".join(pieces))
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n", text).strip()


def _toc(headings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    toc: list[dict[str, Any]] = []
    for heading in headings:
        if not heading["id"] or not heading["text"]:
            continue
        entry = {"id": heading["id"], "title": heading["text"]}
        if heading["level"] == 2:
            toc.append({**entry, "children": []})
        elif toc:
            toc[-1]["children"].append(entry)
        else:
            toc.append({**entry, "children": []})
    return toc


def render(source: str) -> Rendered:
    """The article text (Markdown) as sections of safe HTML, its contents and plain text."""
    source = body_clean(source)
    if not source:
        return Rendered()
    safe = sanitise(_markdown().convert(source)).strip()
    reader = _Reader()
    reader.feed(safe)
    reader.close()
    cuts = _offsets(safe, reader.section_starts)
    top_headings = iter(h for h in reader.headings if h["level"] == 2 and h["top"])
    sections: list[dict[str, str]] = []
    bounds = [0, *cuts, len(safe)]
    for index, (start, end) in enumerate(pairwise(bounds)):
        piece = safe[start:end].strip()
        if not piece:
            continue  # no lead-in: the text starts with a heading
        heading = next(top_headings) if index > 0 else None
        sections.append(
            {
                "id": heading["id"] if heading else "",
                "title": heading["text"] if heading else "",
                "html": piece,
            }
        )
    return Rendered(sections=sections, toc=_toc(reader.headings), text=_plain(reader.text))


def excerpt(text: str, limit: int = 200) -> str:
    """The first words of the plain text, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"
