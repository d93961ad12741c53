"""Chamado's settings for the benchmark server only: the product's, with a URLconf that adds a
trivial view (`bench/urls.py`) and an outermost middleware that counts each request's queries
(`X-Bench-Queries`). Selected by DJANGO_SETTINGS_MODULE=bench.settings; never shipped."""

from chamado.config.settings import *  # noqa: F403
from chamado.config.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.query_count", *MIDDLEWARE]
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405 (the plans are read in-process)
