"""The documentation page, `/api/v1/docs`: Swagger UI, vendored and served by Chamado.

ninja's own page would do, but it reads its files through ``ninja`` in INSTALLED_APPS (or from
a CDN) and Chamado pins its viewer with the rest of its code: the files are under
api/static/api/swagger-ui/ (WhiteNoise serves them), the page loads them and one static
script, api/static/api/docs.js, that starts the viewer. Nothing inline, so the site's strict
Content-Security-Policy (script-src and style-src 'self') holds here too."""

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI


class SwaggerPage(DocsBase):
    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: "NinjaAPI", **kwargs: Any) -> HttpResponse:
        context = {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)}
        response = render(request, self.template, context)
        response["Cache-Control"] = "no-cache"
        return response
