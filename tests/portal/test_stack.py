"""The middleware every page goes through: what the cheaper versions keep of Django's."""

from typing import Any

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.csp import CSP, build_policy

from chamado.web.middleware import ContentSecurityPolicyMiddleware

pytestmark = pytest.mark.django_db


def _answer(request: Any, response: HttpResponse | None = None) -> HttpResponse:
    middleware = ContentSecurityPolicyMiddleware(lambda r: response or HttpResponse("ok"))
    return middleware(request)


def test_csp_header_is_the_settings_policy(client: Any, settings: Any) -> None:
    response = client.get("/login/")
    assert response[CSP.HEADER_ENFORCE] == build_policy(settings.SECURE_CSP)
    assert "frame-ancestors 'none'" in response[CSP.HEADER_ENFORCE]
    assert CSP.HEADER_REPORT_ONLY not in response


def test_csp_follows_changed_settings(settings: Any) -> None:
    request = RequestFactory().get("/")
    first = _answer(request)[CSP.HEADER_ENFORCE]
    settings.SECURE_CSP = {"default-src": [CSP.SELF], "img-src": ["data:"]}
    settings.SECURE_CSP_REPORT_ONLY = {"default-src": [CSP.NONE]}
    second = _answer(RequestFactory().get("/"))
    assert first != second[CSP.HEADER_ENFORCE]
    assert second[CSP.HEADER_ENFORCE] == "default-src 'self'; img-src data:"
    assert second[CSP.HEADER_REPORT_ONLY] == "default-src 'none'"


def test_csp_nonce_used_is_in_the_header(settings: Any) -> None:
    settings.SECURE_CSP = {"script-src": [CSP.SELF, CSP.NONCE]}
    request = RequestFactory().get("/")

    def view(r: Any) -> HttpResponse:
        return HttpResponse(str(r._csp_nonce))  # a template that printed the nonce

    response = ContentSecurityPolicyMiddleware(view)(request)
    assert f"'nonce-{response.content.decode()}'" in response[CSP.HEADER_ENFORCE]
    # and without using it, no nonce
    assert _answer(RequestFactory().get("/"))[CSP.HEADER_ENFORCE] == "script-src 'self'"


def test_csp_a_view_own_policy_and_header_are_kept() -> None:
    own = HttpResponse("ok")
    own._csp_config = {"default-src": [CSP.NONE]}  # type: ignore[attr-defined]
    assert _answer(RequestFactory().get("/"), own)[CSP.HEADER_ENFORCE] == "default-src 'none'"
    preset = HttpResponse("ok")
    preset[CSP.HEADER_ENFORCE] = "img-src *"
    assert _answer(RequestFactory().get("/"), preset)[CSP.HEADER_ENFORCE] == "img-src *"
