"""The Jinja2 environment of the desk's hottest template (the queue's rows,
``desk.rows``): Django's ``Jinja2`` backend, autoescaped; the values come translated and
formatted from Python, so the environment needs nothing of Django's template tags."""

from typing import Any

from jinja2 import Environment


def environment(**options: Any) -> Environment:
    options.setdefault("autoescape", True)
    return Environment(**options)
