"""Request ids in the logs, carried into the tasks a request enqueues; JSON lines."""

import json
import logging
from typing import Any

import pytest
from django.tasks import task
from django.test import Client

from chamado.core.logs import JsonFormatter, RequestIdFilter, request_id_new, request_id_var
from tests.worker import worker_run

logger = logging.getLogger("chamado.tests.logs")


@task()
def log_something() -> None:
    logger.warning("the task ran")


def test_an_offered_request_id_is_kept_and_a_strange_one_replaced() -> None:
    assert request_id_new("lb-3f2a9c1e") == "lb-3f2a9c1e"
    assert request_id_new("bad id\nwith newline") != "bad id\nwith newline"
    assert len(request_id_new(None)) == 32


@pytest.mark.django_db
def test_the_answer_carries_the_request_id() -> None:
    response = Client().get("/healthz", headers={"X-Request-ID": "edge-12345678"})
    assert response["X-Request-ID"] == "edge-12345678"
    fresh = Client().get("/healthz")["X-Request-ID"]
    assert len(fresh) == 32 and fresh != "edge-12345678"


@pytest.mark.django_db(transaction=True)
def test_a_task_logs_under_the_id_of_the_request_that_enqueued_it(caplog: Any) -> None:
    token = request_id_var.set("req-0123456789")
    try:
        log_something.enqueue()
    finally:
        request_id_var.reset(token)
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="chamado.tests.logs"):
        worker_run()
    (record,) = [r for r in caplog.records if r.getMessage() == "the task ran"]
    assert record.request_id == "req-0123456789"  # type: ignore[attr-defined]


def test_json_lines_hold_the_message_and_the_request_id() -> None:
    record = logging.LogRecord("chamado.x", logging.ERROR, __file__, 1, "boom %s", ("now",), None)
    token = request_id_var.set("req-abcdefgh")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "boom now" and line["request_id"] == "req-abcdefgh"
    assert line["level"] == "ERROR" and line["logger"] == "chamado.x"
