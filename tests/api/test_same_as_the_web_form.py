"""A ticket opened through the API is the ticket the client area's form opens: the same number
format, the same emails, the same refusals in the same words (English and Portuguese), and
the same files accepted or refused with the same message. Both go through ticket_open; these
tests keep the two surfaces from drifting apart."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chamado.mail.models import Delivery
from chamado.tickets.models import Attachment, Policy, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

MESSAGE = "The site answers 500 since this morning; I restarted PHP already."


def png() -> bytes:
    return factories.png_bytes()


def exe_renamed() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 500


def pdf_with_javascript() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"3 0 obj<</S/JavaScript/JS(app.alert('hi'))>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def truncated_png() -> bytes:
    return factories.png_bytes((64, 64))[:-40]


FILES: dict[str, tuple[str, Any]] = {
    "a real PNG": ("screen.png", png),
    "a real PDF": ("invoice.pdf", lambda: factories.PDF_BYTES),
    "an .exe renamed .png": ("setup.png", exe_renamed),
    "a PDF with JavaScript": ("form.pdf", pdf_with_javascript),
    "a truncated PNG": ("cut.png", truncated_png),
    "an oversized file": ("big.pdf", lambda: factories.PDF_BYTES + b"0" * (1024 * 1024 + 10)),
    "a text file": ("notes.txt", lambda: b"hello"),
    "an empty file": ("empty.png", lambda: b""),
}


@pytest.fixture
def small_files() -> None:
    policy = Policy.current()
    policy.attachment_max_mb = 1
    policy.save()


def web_open(person: Any, fields: dict[str, Any], language: str = "en") -> tuple[Any, Any]:
    client = Client(headers={"Accept-Language": language})
    client.force_login(person)
    url = reverse("portal:ticket_new", args=["support"])
    response = client.post(url, fields)
    return response, response.context["form"] if response.context else None


def api_open(api_as: Any, person: Any, fields: dict[str, Any], language: str = "en") -> Any:
    return api_as(person, **{"Accept-Language": language}).multipart("/tickets", fields)


def form_fields(svc: Any, support: Any, /, **overrides: Any) -> dict[str, Any]:
    fields = {
        "department": support.pk,
        "service": svc.pk,
        "subject": "Site is down",
        "priority": "3",
        "message": MESSAGE,
    }
    fields.update(overrides)
    return fields


def api_fields(svc: Any, /, **overrides: Any) -> dict[str, Any]:
    fields = {
        "department": "support",
        "service": str(svc.pk),
        "subject": "Site is down",
        "priority": "3",
        "message": MESSAGE,
    }
    fields.update(overrides)
    return fields


def deliveries(ticket: Ticket) -> list[tuple[str, int]]:
    return sorted(Delivery.objects.filter(ticket=ticket).values_list("kind", "recipient_id"))


def test_the_same_ticket_with_the_same_emails(api_as, owner, agent, service, support) -> None:
    response, _form = web_open(
        owner, form_fields(service, support, attachments=[factories.upload("screen.png", png())])
    )
    assert response.status_code == 302
    web = Ticket.objects.get()
    api = api_open(
        api_as, owner, api_fields(service, attachments=[factories.upload("screen.png", png())])
    )
    assert api.status_code == 201, api.content
    made = Ticket.objects.get(number=api.json()["number"])
    for ticket in (web, made):
        assert re.fullmatch(r"\d{6}", str(ticket.number))
    assert (made.department, made.service, made.priority, made.subject, made.status) == (
        web.department,
        web.service,
        web.priority,
        web.subject,
        web.status,
    )
    assert made.messages.get().body == web.messages.get().body
    assert (made.waiting_since is None, made.response_due_at is None) == (False, False)
    assert deliveries(made) == deliveries(web) != []
    kinds = {kind for kind, _recipient in deliveries(made)}
    assert {Delivery.Kind.TICKET_CONFIRMATION, Delivery.Kind.TICKET_NEW_NOTICE} <= kinds
    web_files = Attachment.objects.filter(message__ticket=web).values_list(
        "original_name", "content_type", "size"
    )
    api_files = Attachment.objects.filter(message__ticket=made).values_list(
        "original_name", "content_type", "size"
    )
    assert list(api_files) == list(web_files)


REFUSALS = {
    "a blank subject": ({"subject": "   "}, "subject"),
    "a subject too long": ({"subject": "x" * 121}, "subject"),
    "a message too short": ({"message": "Help!"}, "message"),
    "a blank message": ({"message": "   "}, "message"),
    "no service": ({"service": ""}, "service"),
}


@pytest.mark.parametrize("language", ["en", "pt-br"])
@pytest.mark.parametrize("case", REFUSALS)
def test_the_same_refusals_in_the_same_words(api_as, owner, service, support, case, language):
    overrides, field = REFUSALS[case]
    response, form = web_open(owner, form_fields(service, support, **overrides), language)
    assert response.status_code == 400
    api = api_open(api_as, owner, api_fields(service, **overrides), language)
    assert api.status_code == 422, api.content
    assert api.json()["fields"][field] == form.errors[field], case
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("language", ["en", "pt-br"])
@pytest.mark.parametrize("kind", FILES)
def test_a_file_is_taken_or_refused_as_by_the_web_form(
    api_as, owner, service, support, small_files, kind, language
) -> None:
    name, content = FILES[kind]
    response, form = web_open(
        owner,
        form_fields(service, support, attachments=[factories.upload(name, content())]),
        language,
    )
    api = api_open(
        api_as,
        owner,
        api_fields(service, attachments=[factories.upload(name, content())]),
        language,
    )
    if response.status_code == 302:
        assert api.status_code == 201, (kind, api.content)
        web = Ticket.objects.exclude(number=api.json()["number"]).get()
        assert [a["name"] for a in api.json()["messages"][0]["attachments"]] == list(
            Attachment.objects.filter(message__ticket=web).values_list("original_name", flat=True)
        )
        return
    assert response.status_code == 400, kind
    assert api.status_code in (413, 415, 422), (kind, api.status_code)
    assert api.json()["fields"]["attachments"] == form.errors["attachments"], kind
    assert not Ticket.objects.exists()
    expected = {
        "an .exe renamed .png": 415,
        "a PDF with JavaScript": 415,
        "a truncated PNG": 415,
        "a text file": 415,
        "an oversized file": 413,
        "an empty file": 422,
    }
    assert api.status_code == expected[kind], kind
