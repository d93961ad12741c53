"""The ticket form, rule by rule, through the HTTP client."""

import html
import io
import os
import re
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image

from chamado.services.models import Service
from chamado.tickets.models import Policy, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

ALLOWED = ".jpg .jpeg .gif .png .pdf"
MESSAGE = "I lost my cPanel password and need a reset link, please."


@pytest.fixture
def logged_in(client, owner, service, support) -> Any:
    client.force_login(owner)
    return client


def form_url(slug: str = "support") -> str:
    return reverse("portal:ticket_new", args=[slug])


def post_ticket(client: Any, *, slug: str = "support", files: Any = (), **fields: Any) -> Any:
    data: dict[str, Any] = {
        "department": factories.department(slug).pk,
        "subject": "Reset cPanel password",
        "service": "",
        "priority": 2,
        "message": MESSAGE,
    }
    if "service" not in fields:
        service = Service.objects.filter(
            account__memberships__user_id=client.session["_auth_user_id"]
        )
        data["service"] = service.first().pk if service.exists() else ""
    data.update(fields)
    if files:
        data["attachments"] = list(files)
    return client.post(form_url(slug), data)


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


def field_errors(response: Any, field: str) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(field, [])]


def noise_png(min_bytes: int) -> bytes:
    """A real PNG at least min_bytes long (random pixels do not compress)."""
    side = int((min_bytes / 3) ** 0.5) + 16
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    assert len(buffer.getvalue()) >= min_bytes
    return buffer.getvalue()


# Name and email ----------------------------------------------------------------------------


def test_name_and_email_come_from_the_contact_and_are_not_editable(logged_in, owner) -> None:
    page = logged_in.get(form_url()).content.decode()
    assert re.search(r'<input[^>]*name="name"[^>]*value="Ana Souza"[^>]*disabled', page)
    assert re.search(rf'<input[^>]*name="email"[^>]*value="{owner.email}"[^>]*disabled', page)


def test_posted_name_and_email_are_ignored(logged_in, owner) -> None:
    response = post_ticket(logged_in, name="Mallory", email="mallory@evil.example")
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.contact == owner
    assert "mallory" not in ticket.search_document.lower()


def test_refused_form_still_shows_the_contacts_name_not_the_posted_one(logged_in, owner) -> None:
    response = post_ticket(logged_in, subject="", name="Mallory", email="mallory@evil.example")
    page = page_text(response)
    assert response.status_code == 400
    assert "Mallory" not in page and "mallory@evil.example" not in page
    assert 'value="Ana Souza"' in page and owner.email in page


# Department --------------------------------------------------------------------------------


def option(page: str, value: object, label: str = "") -> str | None:
    """The opening tag of the select option with this value (and label), or None."""
    found = re.search(rf'<option value="{value}"[^>]*>{re.escape(label)}', page)
    return found.group(0) if found else None


def test_department_is_preselected_from_the_url(logged_in, sales, billing) -> None:
    page = logged_in.get(form_url("sales")).content.decode()
    assert " selected" in option(page, sales.pk, "Sales")
    assert " selected" not in option(page, factories.department("support").pk, "Support")


def test_department_can_still_be_changed_on_the_form(logged_in, billing, service) -> None:
    response = post_ticket(logged_in, slug="support", department=billing.pk)
    assert response.status_code == 302
    assert Ticket.objects.get().department == billing


def test_hidden_department_is_not_offered_and_not_accepted(logged_in, billing) -> None:
    billing.is_visible = False
    billing.save()
    assert "Billing" not in logged_in.get(form_url()).content.decode()
    assert logged_in.get(form_url("billing")).status_code == 404
    response = post_ticket(logged_in, department=billing.pk)
    assert response.status_code == 400
    assert field_errors(response, "department")
    assert not Ticket.objects.exists()


# Subject -----------------------------------------------------------------------------------


def test_subject_is_required(logged_in) -> None:
    response = post_ticket(logged_in, subject="")
    assert response.status_code == 400
    assert field_errors(response, "subject") == ["Give the ticket a subject."]
    assert not Ticket.objects.exists()


def test_subject_longer_than_120_characters_is_refused(logged_in) -> None:
    response = post_ticket(logged_in, subject="x" * 121)
    assert response.status_code == 400
    assert "120" in field_errors(response, "subject")[0]
    assert not Ticket.objects.exists()


def test_subject_of_exactly_120_characters_is_accepted(logged_in) -> None:
    assert post_ticket(logged_in, subject="x" * 120).status_code == 302
    assert Ticket.objects.get().subject == "x" * 120


def test_subject_hint_asks_for_a_brief_summary(logged_in) -> None:
    assert "Reset cPanel password" in page_text(logged_in.get(form_url()))


# Related service ---------------------------------------------------------------------------


def test_service_is_required_when_the_account_has_services(logged_in) -> None:
    response = post_ticket(logged_in, service="")
    assert response.status_code == 400
    assert field_errors(response, "service") == ["Choose the service this ticket is about."]
    assert not Ticket.objects.exists()


def test_sales_allows_a_ticket_about_no_service(logged_in, sales) -> None:
    response = post_ticket(logged_in, slug="sales", service="")
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.department == sales and ticket.service is None


def test_service_is_optional_for_an_account_without_services(client, other_owner, support):
    client.force_login(other_owner)
    response = post_ticket(client, service="")
    assert response.status_code == 302
    assert Ticket.objects.get().service is None


def test_service_of_another_account_is_refused(logged_in) -> None:
    foreign = factories.ServiceFactory(label="not-yours.example.com")
    assert "not-yours.example.com" not in logged_in.get(form_url()).content.decode()
    response = post_ticket(logged_in, service=foreign.pk)
    assert response.status_code == 400
    assert field_errors(response, "service")
    assert not Ticket.objects.exists()


def test_services_are_listed_active_first_with_label_and_status(logged_in, owner) -> None:
    factories.ServiceFactory(
        account=owner.account, name="Aaa Old Plan", label="old.acme.com.br", status="suspended"
    )
    page = page_text(logged_in.get(form_url()))
    active = page.index("Shared Hosting — acme.com.br (Active)")
    suspended = page.index("Aaa Old Plan — old.acme.com.br (Suspended)")
    assert active < suspended


def test_chosen_service_is_saved_on_the_ticket(logged_in, service) -> None:
    post_ticket(logged_in, service=service.pk)
    assert Ticket.objects.get().service == service


# Priority ----------------------------------------------------------------------------------


def test_priority_medium_is_selected_by_default(logged_in) -> None:
    page = logged_in.get(form_url()).content.decode()
    assert '<option value="2" selected>Medium</option>' in page
    assert '<option value="1">Low</option>' in page and '<option value="3">High</option>' in page


def test_chosen_priority_is_saved(logged_in) -> None:
    post_ticket(logged_in, priority=3)
    assert Ticket.objects.get().priority == Ticket.Priority.HIGH


def test_unknown_priority_is_refused(logged_in) -> None:
    response = post_ticket(logged_in, priority=9)
    assert response.status_code == 400
    assert field_errors(response, "priority")


# Message -----------------------------------------------------------------------------------


@pytest.mark.parametrize("message", ["", "   \n\t  "], ids=["blank", "whitespace"])
def test_blank_or_whitespace_message_is_refused(logged_in, message) -> None:
    response = post_ticket(logged_in, message=message)
    assert response.status_code == 400
    assert field_errors(response, "message") == ["Write a message."]
    assert not Ticket.objects.exists()


def test_message_under_20_characters_is_refused_with_a_hint_to_give_details(logged_in) -> None:
    response = post_ticket(logged_in, message="Site is down!")
    assert response.status_code == 400
    (error,) = field_errors(response, "message")
    assert "too short" in error and "what happened" in error and "20" in error
    assert error in page_text(response)
    assert not Ticket.objects.exists()


def test_message_of_20_characters_is_accepted(logged_in) -> None:
    assert post_ticket(logged_in, message="  " + "x" * 20 + "  ").status_code == 302
    assert Ticket.objects.get().messages.get().body == "x" * 20


# Attachments -------------------------------------------------------------------------------

REFUSED_FILES = {
    "exe": ("setup.exe", b"MZ\x90\x00" + b"\x00" * 200),
    "txt": ("notes.txt", b"some notes about the problem, in plain text"),
    "script named png": ("screen.png", b"#!/bin/sh\nrm -rf /\n" * 5),
    "gif polyglot": ("cat.gif", b"GIF89a/*<script>alert(document.domain)</script>*/" * 2),
    "png cut to 20 bytes": ("cut.png", factories.png_bytes()[:20]),
    "pdf that is not": ("invoice.pdf", b"<html><body>not a pdf at all</body></html>" * 3),
    "jpeg named png": ("photo.png", factories.jpeg_bytes()),
    "empty": ("empty.png", b""),
}


@pytest.mark.parametrize(("name", "content"), REFUSED_FILES.values(), ids=REFUSED_FILES.keys())
def test_refused_attachment_gets_an_error_naming_it_and_the_allowed_types(
    logged_in, name, content
) -> None:
    response = post_ticket(logged_in, files=[factories.upload(name, content)])
    assert response.status_code == 400
    (error,) = field_errors(response, "attachments")
    assert f"“{name}”" in error and ALLOWED in error
    assert error in page_text(response)
    assert not Ticket.objects.exists()


def test_jpeg_named_png_is_refused_as_a_mismatch(logged_in) -> None:
    response = post_ticket(logged_in, files=[factories.upload("photo.png", factories.jpeg_bytes())])
    (error,) = field_errors(response, "attachments")
    assert "is not really a .png file" in error


def test_file_over_the_size_limit_is_refused_naming_it(logged_in) -> None:
    policy = Policy.current()
    policy.attachment_max_mb = 1
    policy.save()
    big = factories.upload("huge.png", noise_png(1024 * 1024 + 1))
    response = post_ticket(logged_in, files=[big])
    assert response.status_code == 400
    (error,) = field_errors(response, "attachments")
    assert "“huge.png”" in error and "too large" in error and "1.0\xa0MB" in error
    assert ALLOWED in error
    assert not Ticket.objects.exists()


def test_more_files_than_the_count_limit_are_refused(logged_in) -> None:
    policy = Policy.current()
    policy.attachment_max_count = 2
    policy.save()
    files = [factories.upload(f"shot{n}.png", factories.png_bytes()) for n in range(3)]
    response = post_ticket(logged_in, files=files)
    assert response.status_code == 400
    assert field_errors(response, "attachments") == ["Attach at most 2 files to one message."]
    assert not Ticket.objects.exists()


def test_limits_shown_on_the_form_follow_the_policy(logged_in) -> None:
    policy = Policy.current()
    policy.attachment_max_count = 3
    policy.attachment_max_mb = 2
    policy.save()
    assert f"Allowed: {ALLOWED}. Up to 3 files, 2 MB each." in page_text(logged_in.get(form_url()))


def test_real_files_of_every_allowed_type_are_attached(logged_in) -> None:
    files = [
        factories.upload("photo.jpg", factories.jpeg_bytes(), "image/jpeg"),
        factories.upload("scan.JPEG", factories.jpeg_bytes(), "image/jpeg"),
        factories.upload("anim.gif", factories.gif_bytes(), "image/gif"),
        factories.upload("screen.png", factories.png_bytes(), "image/png"),
        factories.upload("invoice.pdf", factories.PDF_BYTES, "application/pdf"),
    ]
    response = post_ticket(logged_in, files=files)
    assert response.status_code == 302
    attachments = Ticket.objects.get().messages.get().attachments.order_by("original_name")
    assert [(a.original_name, a.content_type) for a in attachments] == [
        ("anim.gif", "image/gif"),
        ("invoice.pdf", "application/pdf"),
        ("photo.jpg", "image/jpeg"),
        ("scan.JPEG", "image/jpeg"),
        ("screen.png", "image/png"),
    ]


def test_refused_form_keeps_subject_and_message_and_lists_the_good_files_to_attach_again(
    logged_in,
) -> None:
    subject = "Invoice & <receipt> question"
    message = "Please see the attached <b>screenshots</b> of the invoice page."
    response = post_ticket(
        logged_in,
        subject=subject,
        message=message,
        files=[
            factories.upload("good.png", factories.png_bytes()),
            factories.upload("bad.exe", b"MZ" + b"\x00" * 50),
        ],
    )
    raw = response.content.decode()
    assert response.status_code == 400
    assert 'value="Invoice &amp; &lt;receipt&gt; question"' in raw
    assert "Please see the attached &lt;b&gt;screenshots&lt;/b&gt; of the invoice page." in raw
    start = raw.index("please attach these again")
    notice = raw[start : raw.index("</div>", start)]
    # The refused file is named by its error, never among the files to choose again.
    assert "<li>good.png</li>" in notice and "bad.exe" not in notice


def test_refused_form_keeps_priority_department_and_service(logged_in, sales, owner) -> None:
    second = factories.ServiceFactory(account=owner.account, name="VPS 2GB", label="vps1")
    response = post_ticket(
        logged_in, slug="support", department=sales.pk, service=second.pk, priority=3, subject=""
    )
    page = response.content.decode()
    assert " selected" in option(page, sales.pk, "Sales")
    assert f'<option value="{second.pk}" selected>' in page
    assert '<option value="3" selected>High</option>' in page


def test_form_without_errors_does_not_ask_to_attach_again(logged_in) -> None:
    page = page_text(logged_in.get(form_url()))
    assert "please attach these again" not in page
