"""Chamado's URLs plus `/bench/trivial/`, `HttpResponse("ok")`: the baseline each page's
throughput is compared with, served through the same middleware. Benchmark only."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from chamado.config import urls as product


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("bench/trivial/", trivial), *product.urlpatterns]
handler500 = product.handler500
