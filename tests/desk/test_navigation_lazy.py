"""The desk menu's awaiting counts (desk.context_processors.desk_navigation) cost a query: it
runs only when a template shows the menu, not for a fragment the page polls."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _menu_count_queries(response_queries: CaptureQueriesContext) -> list[str]:
    # queue_counts_for_agent: awaiting tickets grouped by department
    return [
        q["sql"]
        for q in response_queries.captured_queries
        if "tickets_ticket" in q["sql"] and "GROUP BY" in q["sql"]
    ]


def test_presence_fragment_does_not_count_the_queues(agent_client: Any, ticket: Any) -> None:
    url = reverse("desk:presence", args=[ticket.number])
    with CaptureQueriesContext(connection) as queries:
        response = agent_client.get(url)
    assert response.status_code == 200
    assert _menu_count_queries(queries) == []


def test_queue_page_still_counts_the_queues_once(agent_client: Any, ticket: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = agent_client.get(reverse("desk:queue"))
    assert response.status_code == 200
    assert len(_menu_count_queries(queries)) == 1
    assert response.context["desk_total"] == 1
