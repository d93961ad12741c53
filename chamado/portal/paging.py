"""Pages of a long list whose cost does not grow with the list: the count stops a few pages
past the one asked for.

Django's Paginator counts every row (``SELECT COUNT(*)``) to say "Page 1 of 509": on the
largest account that count read every one of its tickets on each request, so the list slowed
as the account grew. Here the count reads at most ``AHEAD`` pages past the one asked for
(``SELECT COUNT(*) FROM (... LIMIT n)``); when there are more, the pager says "Page 1 of more
than 11" and Next keeps going. A page's rows still come by OFFSET, which reads only the pages
before it (the list's index is in its order)."""

from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator

AHEAD = 10  # pages counted past the one asked for


class CappedPaginator(Paginator):
    def __init__(self, object_list: Any, per_page: int, *, asked: object = None) -> None:
        super().__init__(object_list, per_page)
        try:
            self.asked = max(int(str(asked)), 1)
        except ValueError:
            self.asked = 1
        self.exact = True  # False: there are more rows than ``count``

    @cached_property
    def count(self) -> int:
        limit = (self.asked + AHEAD) * self.per_page
        rows: Any = self.object_list  # a QuerySet: a sliced count is a COUNT of a subquery
        found = rows[: limit + 1].count()
        self.exact = found <= limit
        return min(found, limit)


def page_of(object_list: Any, per_page: int, asked: str | None) -> Page:
    """The page ``asked`` (a query parameter: missing or not a number is the first page, past
    the end the last), its paginator a CappedPaginator (``page.paginator.exact``)."""
    return CappedPaginator(object_list, per_page, asked=asked).get_page(asked)
