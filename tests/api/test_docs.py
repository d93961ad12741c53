"""`/api/v1/docs`: Swagger UI served by Chamado itself under the site's strict CSP (no CDN, no
inline script or style), and an OpenAPI document good enough to browse and to generate
clients from: a summary, a description and examples for every endpoint, and the limits the
server enforces."""

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.api.conftest import API

pytestmark = pytest.mark.django_db

VENDOR = Path(__file__).resolve().parents[2] / "chamado/api/static/api/swagger-ui"
# Swagger UI 5.31.0 as django-ninja 1.7.1 ships it (chamado/api/static/api/swagger-ui/README.md).
PINNED = {
    "swagger-ui-bundle.js": "93b7b0862a80e2786f85b560be7693c2344354ffa7e7e224f850a54349724c31",
    "swagger-ui.css": "9e576f8322132c76949da47f9bb53c891373c303ea3a761ff548ffc9de50a98c",
}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if self.tags and self.tags[-1][0] == "script" and data.strip():
            self.inline_script = True


def test_the_docs_page_loads_the_vendored_viewer_without_inline_code(client) -> None:
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    page = response.content.decode()
    tags = Tags()
    tags.feed(page)
    assert not tags.inline_script
    assert not any(tag == "style" or "style" in attrs for tag, attrs in tags.tags)
    assert not any(name.startswith("on") for _tag, attrs in tags.tags for name in attrs)
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "nothing from another site"
    scripts = [attrs["src"] for tag, attrs in tags.tags if tag == "script"]
    styles = [attrs["href"] for tag, attrs in tags.tags if tag == "link"]
    assert scripts == ["/static/api/swagger-ui/swagger-ui-bundle.js", "/static/api/docs.js"]
    assert styles == ["/static/api/swagger-ui/swagger-ui.css"]
    assert 'data-openapi-url="/api/v1/openapi.json"' in page
    for url in scripts + styles:
        served = client.get(url)
        assert served.status_code == 200, url
        b"".join(served.streaming_content)


def test_the_docs_page_speaks_the_requests_language(client) -> None:
    page = client.get(f"{API}/docs", headers={"Accept-Language": "pt-br"}).content.decode()
    assert '<html lang="pt-br">' in page


def test_the_vendored_viewer_is_the_pinned_one() -> None:
    for name, digest in PINNED.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert 'PACKAGE_VERSION:"5.31.0"' in (VENDOR / "swagger-ui-bundle.js").read_text()


@pytest.fixture
def document(client) -> dict:
    return client.get(f"{API}/openapi.json").json()


def operations(document: dict):
    """The client's and the desk's endpoints (provisioning has tests of its own)."""
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if set(operation.get("tags", [])) & {"client", "desk"}:
                yield path, method, operation


def _has_example(value: object) -> bool:
    if isinstance(value, dict):
        if "example" in value or "examples" in value:
            return True
        return any(_has_example(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_example(item) for item in value)
    return False


def _resolved(document: dict, schema: dict) -> dict:
    if "$ref" in schema:
        return document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_every_endpoint_has_a_summary_a_description_and_examples(document) -> None:
    for path, method, operation in operations(document):
        assert operation.get("summary"), (path, method)
        assert len(operation.get("description", "")) > 40, (path, method)
        success = next(str(s) for s in operation["responses"] if str(s).startswith("2"))
        content = operation["responses"][success].get("content", {})
        schemas = [
            _resolved(document, media.get("schema", {}))
            for media in [
                *content.values(),
                *operation.get("requestBody", {}).get("content", {}).values(),
            ]
        ]
        assert (
            _has_example(operation.get("parameters", []))
            or _has_example(operation.get("requestBody", {}))
            or _has_example(content)
            or _has_example(schemas)
        ), (path, method)


def test_every_endpoint_declares_what_it_may_answer(document) -> None:
    for path, method, operation in operations(document):
        statuses = set(operation["responses"])
        assert {"401", "404", "422", "429"} <= {str(s) for s in statuses}, (path, method)
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= {str(s) for s in statuses}, (path, method)
        if method != "get":  # a read-only token's write
            assert "403" in {str(s) for s in statuses}, (path, method)
        for status, answer in operation["responses"].items():
            if str(status).startswith(("4", "5")):
                schema = answer["content"]["application/json"]["schema"]["$ref"]
                assert schema.rsplit("/", 1)[-1] in {
                    "ErrorOut",
                    "RateLimitedOut",
                    "CrossedReplyOut",
                }


def test_bodies_that_take_files_offer_a_form(document) -> None:
    with_files = {
        (path, method)
        for path, method, operation in operations(document)
        if "multipart/form-data" in operation.get("requestBody", {}).get("content", {})
    }
    assert with_files == {
        ("/api/v1/tickets", "post"),
        ("/api/v1/tickets/{number}/replies", "post"),
        ("/api/v1/desk/tickets/{number}/replies", "post"),
        ("/api/v1/desk/tickets/{number}/notes", "post"),
    }
    form = document["paths"]["/api/v1/tickets"]["post"]["requestBody"]["content"]
    files = form["multipart/form-data"]["schema"]["properties"]["attachments"]
    assert files == {**files, "type": "array", "items": {"type": "string", "format": "binary"}}


def test_the_document_declares_the_limits_the_server_enforces(document) -> None:
    schemas = document["components"]["schemas"]
    opening = schemas["TicketOpenIn"]["properties"]
    assert opening["subject"]["maxLength"] == 120
    assert opening["subject"]["minLength"] == 1
    assert opening["message"]["minLength"] == 20
    assert opening["department"]["maxLength"] == 50
    assert opening["priority"]["enum"] == [1, 2, 3]
    assert schemas["ReplyIn"]["properties"]["message"]["minLength"] == 20
    assert schemas["BulkIn"]["properties"]["tickets"]["maxItems"] == 100
    assert schemas["BulkIn"]["properties"]["tickets"]["minItems"] == 1
    assert schemas["MergeIn"]["properties"]["target"]["minimum"] == 1000
    assert schemas["ErrorOut"]["properties"]["code"]["enum"][0] == "bad_request"
    parameters = {
        (path, p["name"]): p["schema"]
        for path, _method, operation in operations(document)
        for p in operation.get("parameters", [])
    }
    assert parameters[("/api/v1/tickets", "page_size")]["maximum"] == 100
    assert parameters[("/api/v1/tickets", "page_size")]["minimum"] == 1
    assert parameters[("/api/v1/tickets", "cursor")]["anyOf"][0]["maxLength"] == 500
    assert parameters[("/api/v1/tickets", "q")]["anyOf"][0]["maxLength"] == 200
    assert parameters[("/api/v1/desk/search", "q")]["maxLength"] == 200
    statuses = parameters[("/api/v1/desk/queue", "status")]["enum"]
    assert "awaiting" in statuses and "closed" in statuses


def test_the_documented_429_carries_retry_after(document) -> None:
    schemas = document["components"]["schemas"]
    assert "retry_after" in schemas["RateLimitedOut"]["required"]
