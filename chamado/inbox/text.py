"""The text of an email: HTML made plain text, and the reply without its quoted history and
signature (English and Portuguese mail clients). Pure functions, no database."""

import re
from html.parser import HTMLParser

# ---- HTML to text ------------------------------------------------------------------------------

_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
    }
)  # fmt: skip
_SKIPPED = frozenset({"head", "script", "style", "title", "template", "noscript", "svg"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


class _TextMaker(HTMLParser):
    """Collects text lines; ``<blockquote>`` lines get a "> " per level, as a plain-text mail
    client quotes, so the history is found the same way in both."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.skip_depth = 0
        self.pre_depth = 0

    def _break(self) -> None:
        text = "".join(self.current)
        if self.pre_depth == 0:
            text = _SPACES.sub(" ", text).strip()
        self.lines.append("> " * self.quote_depth + text if text else "")
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skip_depth += 1
        elif tag == "br":
            self._break()
        elif tag == "hr":
            self._break()
            self.lines.append("> " * self.quote_depth + "-" * 20)
        elif tag == "td" or tag == "th":
            self.current.append(" ")
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            if alt.strip():
                self.current.append(f"[{alt.strip()}]")
        elif tag in _BLOCKS:
            if self.current:
                self._break()
            if tag == "blockquote":
                self.quote_depth += 1
            elif tag == "pre":
                self.pre_depth += 1
            elif tag == "li":
                self.current.append("- ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIPPED:
            self.skip_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skip_depth = max(self.skip_depth - 1, 0)
        elif tag in _BLOCKS:
            if self.current:
                self._break()
            if tag == "blockquote":
                self.quote_depth = max(self.quote_depth - 1, 0)
            elif tag == "pre":
                self.pre_depth = max(self.pre_depth - 1, 0)
            if tag in {"p", "div", "blockquote", "table", "ul", "ol", "pre"} and (
                self.lines and self.lines[-1]
            ):
                self.lines.append("")

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.pre_depth:
            parts = data.split("\n")
            for part in parts[:-1]:
                self.current.append(part)
                self._break()
            self.current.append(parts[-1])
        else:
            self.current.append(data.replace("\n", " "))

    def text(self) -> str:
        if self.current:
            self._break()
        return _tidy("\n".join(self.lines))


def html_text(html: str) -> str:
    """The readable text of an HTML body: no markup, no scripts or styles, paragraphs and
    line breaks kept, quoted blocks marked with "> ". The result is plain text: shown escaped,
    it can carry nothing active."""
    maker = _TextMaker()
    try:
        maker.feed(html)
        maker.close()
    except Exception:  # a broken document still gives what was read of it
        pass
    return maker.text()


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# ---- Quoted history and signatures ------------------------------------------------------------

_QUOTE_PREFIX = re.compile(r"^(?:\s*>)+ ?")
# "On Mon, 24 Nov 2026 at 10:00, Ana <ana@example.com> wrote:" (Gmail, Apple Mail, Thunderbird)
# and "Em seg., 24 de nov. de 2026 às 10:00, Ana <ana@example.com> escreveu:", which mail
# clients wrap over two or three lines.
_WROTE = re.compile(
    r"^(?:On|Em|Am|Le|El)\s.{4,300}?(?:wrote|escreveu|schrieb|a écrit|escribió)\s?:$",
    re.IGNORECASE | re.DOTALL,
)
_WROTE_START = re.compile(r"^(?:On|Em|Am|Le|El)\s", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^[-_*\s]*(?:Original Message|Mensagem original|Mensagem Original|Reply message|"
    r"Mensagem de resposta)[-_*\s]*$",
    re.IGNORECASE,
)
# Outlook's block: "From:" / "De:" then at least two of Sent, Date, To, Subject, Cc (English and
# Portuguese), one a line, some clients in bold (*From:*).
_BLOCK_FROM = re.compile(r"^\*?(?:From|De)\s?:\*?\s", re.IGNORECASE)
_BLOCK_FIELD = re.compile(
    r"^\*?(?:Sent|Date|To|Subject|Cc|Enviad[oa](?: em)?|Data|Para|Assunto)\s?:\*?(?:\s|$)",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^\s*(?:_{10,}|-{10,})\s*$")
# A forwarded message is the point of the mail: its history is kept.
_FORWARD_MARK = re.compile(
    r"^[-\s]*(?:Forwarded message|Mensagem encaminhada|Begin forwarded message:|"
    r"Início da mensagem encaminhada:)[-\s]*$",
    re.IGNORECASE,
)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|enc|tr|wg)\s*:", re.IGNORECASE)
_SIGNATURE_LINE = re.compile(r"^-- ?$")
_MOBILE_SIGNATURE = re.compile(
    r"^(?:Sent from (?:my |Mail for |Outlook|Yahoo)|Enviado d[oe] (?:meu |Email |Outlook|"
    r"Yahoo)|Enviado a partir d[oe] |Get Outlook for |Obter o Outlook para |"
    r"Baixe o Outlook para )",
    re.IGNORECASE,
)


def _unquoted(line: str) -> str:
    return _QUOTE_PREFIX.sub("", line).strip()


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _wrote_header_at(lines: list[str], index: int) -> int:
    """How many lines the "On ... wrote:" header starting at ``index`` spans (0: none)."""
    if not _WROTE_START.match(_unquoted(lines[index])):
        return 0
    joined = ""
    for span in range(1, 4):
        if index + span > len(lines):
            break
        joined = (joined + " " + _unquoted(lines[index + span - 1])).strip()
        if _WROTE.match(joined):
            return span
    return 0


def _outlook_block_at(lines: list[str], index: int) -> bool:
    if not _BLOCK_FROM.match(_unquoted(lines[index])):
        return False
    fields = 0
    for line in lines[index + 1 : index + 8]:
        if _BLOCK_FIELD.match(_unquoted(line)):
            fields += 1
    return fields >= 2


def _history_start(lines: list[str]) -> tuple[int, int, bool] | None:
    """Where the quoted history begins: (line, header lines, quoted below?) or None."""
    for index, line in enumerate(lines):
        plain = _unquoted(line)
        if _FORWARD_MARK.match(plain):
            return None
        if span := _wrote_header_at(lines, index):
            return index, span, True
        if _ORIGINAL.match(plain) or _outlook_block_at(lines, index):
            start = index
            # A separator line just above belongs to the block (Outlook's underscores).
            previous = index - 1
            while previous >= 0 and not lines[previous].strip():
                previous -= 1
            if previous >= 0 and _SEPARATOR.match(lines[previous]):
                start = previous
            return start, index - start + 1, False
    return None


def _signature_cut(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if index > 0 and _SIGNATURE_LINE.match(line.rstrip("\r")):
            return lines[:index]
    filled = [index for index, line in enumerate(lines) if line.strip()]
    for index in filled[-3:]:
        if _MOBILE_SIGNATURE.match(lines[index].strip()):
            return lines[:index]
    return lines


def reply_text(text: str, *, subject: str = "") -> str:
    """What the person wrote in this email: the quoted history ("On ... wrote:", "Em ...
    escreveu:", Outlook's From/Sent/To/Subject block, "-----Original Message-----") and the
    signature ("-- ", "Sent from my iPhone", "Enviado do meu iPhone") left out.

    An answer written below the quote (or between quoted lines) is kept; a forwarded message
    keeps its history, which is what was forwarded."""
    lines = _tidy(text).split("\n")
    forwarded = bool(_FORWARD_SUBJECT.match(subject))
    found = None if forwarded else _history_start(lines)
    if found is not None:
        start, span, quoted_below = found
        below = lines[start + span :]
        lines = lines[:start]
        if quoted_below and any(_is_quoted(line) for line in below):
            # Bottom-posting or inline answers: keep what is not quoted.
            lines += [line for line in below if not _is_quoted(line)]
    if not forwarded:
        # A quote left at the end, without a header line.
        while lines and (not lines[-1].strip() or _is_quoted(lines[-1])):
            lines.pop()
    return _tidy("\n".join(_signature_cut(lines)))
