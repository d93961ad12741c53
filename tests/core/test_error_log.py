"""A server error is logged with DEBUG off: method, path and user id, never the body."""

import io
import logging

import pytest
from django.test import Client, override_settings
from django.urls import include, path


def broken(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("the disk is on fire")


urlpatterns = [path("broken/", broken), path("", include("chamado.config.urls"))]


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
@pytest.mark.django_db
def test_a_server_error_is_logged_with_path_and_user_but_not_the_body(owner) -> None:
    # The handler the settings configure (pytest adds its own beside it).
    handlers = logging.getLogger("django.request").handlers
    handler = next(h for h in handlers if h.get_name() == "request_errors")
    stream = io.StringIO()
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    try:
        response = client.post("/broken/", {"message": "my secret password is hunter2"})
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]

    assert response.status_code == 500
    err = stream.getvalue()
    # The request's id, the one its answer names, so an operator finds the line.
    assert f"ERROR django.request [{response['X-Request-ID']}] POST /broken/" in err
    assert f"user={owner.pk}" in err
    assert "RuntimeError: the disk is on fire" in err  # the traceback, for the operator
    assert "hunter2" not in err
