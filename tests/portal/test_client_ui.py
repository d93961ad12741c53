"""The client area's design-system issue through the HTTP client: the defects it named (each
test failed before its fix), the close confirmation, the theme switch, the header, the home
page, image thumbnails and the markers app.js reads for drafts."""

import re
from typing import Any

import pytest
from django.urls import reverse

from chamado.portal.theme import COOKIE
from chamado.tickets.actions import ticket_close, ticket_reply_by_agent
from chamado.tickets.models import Attachment, SlaTarget, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

MESSAGE = "The webmail answers 502 since this morning; I already cleared the cache."


@pytest.fixture
def logged_in(client: Any, owner: Any, service: Any, support: Any) -> Any:
    client.force_login(owner)
    return client


def html(response: Any) -> str:
    return response.content.decode()


def form_url(slug: str = "support") -> str:
    return reverse("portal:ticket_new", args=[slug])


def post_ticket(client: Any, department: Any, service: Any, files: Any = (), **fields: Any) -> Any:
    data: dict[str, Any] = {
        "department": department.pk,
        "subject": "Webmail is slow",
        "service": service.pk if service else "",
        "priority": 2,
        "message": MESSAGE,
        **fields,
    }
    if files:
        data["attachments"] = list(files)
    return client.post(form_url(department.slug), data)


def label_of(page: str, field_id: str) -> str:
    found = re.search(rf'<label for="{field_id}">(.*?)</label>', page, re.S)
    assert found, field_id
    return found.group(1)


def select_tag(page: str, field_id: str) -> str:
    found = re.search(rf'<select [^>]*id="{field_id}"[^>]*>', page)
    assert found, field_id
    return found.group(0)


def between(page: str, start: str, end: str) -> str:
    at = page.index(start)
    return page[at : page.index(end, at)]


# ---- Defect: "4 h 00 min" wrapped in the middle ----------------------------------------


def test_expected_wait_value_is_kept_on_one_line(logged_in, owner, service, support) -> None:
    SlaTarget.objects.create(department=support, priority=2, first_response_minutes=4 * 60)
    ticket = factories.open_ticket(owner, service=service)
    for url in (
        reverse("portal:ticket_created", args=[ticket.number]),
        reverse("portal:ticket", args=[ticket.number]),
    ):
        assert '<span class="nowrap">4 h 00 min</span>' in html(logged_in.get(url))


# ---- Defect: Related Service required for Support and Billing, without a marker -----------


def test_related_service_is_marked_required_where_the_department_needs_one(
    logged_in, sales, billing
) -> None:
    for slug in ("support", "billing"):
        page = html(logged_in.get(form_url(slug)))
        assert '<span class="req" aria-hidden="true">*</span>' in label_of(page, "id_service")
        assert 'aria-required="true"' in select_tag(page, "id_service")
    page = html(logged_in.get(form_url("sales")))  # Sales allows "none"
    assert 'class="req"' not in label_of(page, "id_service")
    assert "aria-required" not in select_tag(page, "id_service")


def test_the_marker_follows_the_department_posted_with_the_form(logged_in, sales) -> None:
    support = factories.department("support")
    # Posted from Sales' form, but the department was changed to Support: required there.
    response = logged_in.post(
        form_url("sales"),
        {"department": support.pk, "subject": "", "service": "", "priority": 2, "message": ""},
    )
    page = html(response)
    assert response.status_code == 400
    assert 'class="req"' in label_of(page, "id_service")
    assert "Choose the service this ticket is about." in page


def test_no_marker_for_an_account_without_services(client, other_owner, support) -> None:
    client.force_login(other_owner)
    page = html(client.get(form_url("support")))
    assert 'class="req"' not in label_of(page, "id_service")
    assert "aria-required" not in select_tag(page, "id_service")


def test_departments_tell_app_js_which_take_a_ticket_without_a_service(logged_in, sales) -> None:
    page = html(logged_in.get(form_url("support")))
    assert re.search(rf'<option value="{sales.pk}" data-allows-no-service', page)
    assert not re.search(r'<option value="\d+" data-allows-no-service[^>]*>Support<', page)
    assert 'data-account-has-services="true"' in select_tag(page, "id_service")


# ---- Defect: the "attach these again" box listed the refused malware.png ------------------


def files_again(page: str) -> str | None:
    if "please attach these again" not in page:
        return None
    return between(page, "please attach these again", "</div>")


def test_a_refused_exe_named_png_is_never_listed_to_attach_again(logged_in, service, support):
    response = post_ticket(
        logged_in,
        support,
        service,
        files=[
            factories.upload("malware.png", b"MZ\x90\x00" + b"\x00" * 200, "image/png"),
            factories.upload("screen.png", factories.png_bytes(), "image/png"),
        ],
    )
    page = html(response)
    assert response.status_code == 400
    assert "“malware.png” is not really a .png file" in page
    notice = files_again(page)
    assert notice is not None and "<li>screen.png</li>" in notice
    assert "malware.png" not in notice


def test_no_box_when_the_only_file_was_refused(logged_in, service, support) -> None:
    response = post_ticket(
        logged_in,
        support,
        service,
        files=[factories.upload("malware.png", b"MZ\x90\x00" + b"\x00" * 200, "image/png")],
    )
    assert response.status_code == 400
    assert files_again(html(response)) is None


def test_a_file_refused_by_the_content_check_is_not_listed_either(logged_in, service, support):
    """A PNG whose header is fine but whose pixels are cut off passes the form's cheap checks
    and is refused by the action's decode: still never listed."""
    truncated = factories.png_bytes((64, 64))[:-40]
    response = post_ticket(
        logged_in,
        support,
        service,
        files=[
            factories.upload("cut.png", truncated, "image/png"),
            factories.upload("screen.png", factories.png_bytes(), "image/png"),
        ],
    )
    page = html(response)
    assert response.status_code == 400 and not Ticket.objects.exists()
    notice = files_again(page)
    assert notice is not None and "<li>screen.png</li>" in notice and "cut.png" not in notice


def test_good_files_are_listed_when_another_field_was_refused(logged_in, service, support):
    response = post_ticket(
        logged_in,
        support,
        service,
        subject="",
        files=[factories.upload("screen.png", factories.png_bytes(), "image/png")],
    )
    assert "<li>screen.png</li>" in files_again(html(response))


# ---- Defect: focus after a refused submit: the error summary --------------------------------


def test_the_error_summary_is_a_focusable_alert_linking_to_each_field(logged_in, support):
    response = post_ticket(logged_in, support, None, subject="", message="")
    page = html(response)
    summary = between(page, '<div class="error-summary"', "</div>")
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert '<a href="#id_subject">Subject: Give the ticket a subject.</a>' in summary
    assert '<a href="#id_message">Message: Write a message.</a>' in summary
    assert '<a href="#id_service">' in summary


# ---- Close Ticket: a confirmation that works without JavaScript -----------------------------


def test_the_close_link_leads_to_a_confirmation_page_and_get_closes_nothing(logged_in, ticket):
    close_url = reverse("portal:ticket_close", args=[ticket.number])
    page = html(logged_in.get(reverse("portal:ticket", args=[ticket.number])))
    assert f'href="{close_url}" data-dialog="close-dialog"' in page
    # The dialog app.js opens holds the same POST form.
    dialog = between(page, '<dialog id="close-dialog"', "</dialog>")
    assert f'<form method="post" action="{close_url}"' in dialog

    confirm = logged_in.get(close_url)
    assert confirm.status_code == 200
    text = html(confirm)
    assert f"Close ticket #{ticket.number}?" in text
    assert f'<form method="post" action="{close_url}"' in text
    assert ">Close Ticket</button>" in text
    assert f'href="{reverse("portal:ticket", args=[ticket.number])}">Keep it open</a>' in text
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN

    closed = logged_in.post(close_url)
    assert closed.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED


def test_the_confirmation_of_a_closed_ticket_leads_back_to_it(logged_in, owner, ticket) -> None:
    ticket_close(actor=owner, ticket=ticket)
    response = logged_in.get(reverse("portal:ticket_close", args=[ticket.number]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket", args=[ticket.number])
    page = html(logged_in.get(reverse("portal:ticket", args=[ticket.number])))
    assert "close-dialog" not in page and "Close Ticket" not in page


# ---- Theme: light / dark / system ----------------------------------------------------------


def test_the_theme_switch_sets_a_cookie_the_server_renders(logged_in) -> None:
    home = reverse("portal:home")
    page = html(logged_in.get(home))
    assert "data-theme=" not in page[: page.index("<head>")]
    assert f'action="{reverse("portal:theme")}"' in page
    assert 'name="theme" value="system" aria-pressed="true"' in page

    response = logged_in.post(reverse("portal:theme"), {"theme": "dark", "next": home})
    assert response.status_code == 302 and response["Location"] == home
    cookie = response.cookies[COOKIE]
    assert cookie.value == "dark" and not cookie["httponly"] and cookie["samesite"] == "Lax"
    page = html(logged_in.get(home))
    assert '<html lang="en" data-theme="dark">' in page
    assert 'name="theme" value="dark" aria-pressed="true"' in page

    response = logged_in.post(reverse("portal:theme"), {"theme": "system", "next": home})
    assert response.cookies[COOKIE]["max-age"] == 0
    assert "data-theme=" not in html(logged_in.get(home)).split("<head>")[0]


def test_the_theme_switch_works_before_logging_in_and_never_leaves_the_site(client, db) -> None:
    login = reverse("login")
    assert f'action="{reverse("portal:theme")}"' in html(client.get(login))
    response = client.post(reverse("portal:theme"), {"theme": "light", "next": login})
    assert response["Location"] == login
    assert 'data-theme="light"' in html(client.get(login))
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post(reverse("portal:theme"), {"theme": "dark", "next": target})
        assert response["Location"] == "/"
    assert client.get(reverse("portal:theme")).status_code == 405


def test_an_unknown_theme_changes_nothing(client, db) -> None:
    response = client.post(reverse("portal:theme"), {"theme": "neon", "next": "/kb/"})
    assert response.status_code == 302 and COOKIE not in response.cookies
    client.cookies[COOKIE] = "neon"
    assert "data-theme" not in html(client.get(reverse("kb:index"))).split("<head>")[0]


# ---- Header -----------------------------------------------------------------------------------


def header(page: str) -> str:
    return between(page, '<header class="top">', "</header>")


def test_the_header_names_the_account_and_has_the_menus(logged_in, owner) -> None:
    top = header(html(logged_in.get(reverse("portal:tickets"))))
    assert '<span class="account-text">Acme Hospedagem</span>' in top
    # Support: a disclosure button app.js shows, over the links shown without JavaScript.
    assert 'aria-controls="support-menu" data-disclosure-button hidden>Support' in top
    support = between(top, 'id="support-menu"', "</div>")
    assert f'href="{reverse("portal:tickets")}"' in support
    assert f'href="{reverse("kb:index")}"' in support
    # The phone's Menu button controls the navigation.
    assert 'class="nav-toggle" aria-controls="site-nav"' in top and 'id="site-nav"' in top
    user_menu = between(top, 'id="user-menu"', "</form>\n        </div>")
    for name, url in (
        ("Profile", reverse("account_profile")),
        ("Switch account", reverse("portal:account_switch")),
        ("Contacts", reverse("portal:contacts")),
    ):
        assert f'href="{url}"' in user_menu and name in user_menu
    assert f'<form method="post" action="{reverse("logout")}"' in user_menu


def test_contacts_only_for_who_manages_them(client, contact) -> None:
    client.force_login(contact)
    top = header(html(client.get(reverse("portal:home"))))
    assert reverse("portal:contacts") not in top
    assert reverse("portal:account_switch") in top and "Acme Hospedagem" in top


def test_pages_carry_no_inline_style_or_script(logged_in, ticket) -> None:
    for url in (
        reverse("portal:home"),
        reverse("portal:tickets"),
        form_url(),
        reverse("portal:ticket", args=[ticket.number]),
        reverse("portal:ticket_close", args=[ticket.number]),
    ):
        page = html(logged_in.get(url))
        assert " style=" not in page, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url


# ---- Home ----------------------------------------------------------------------------------------


def test_home_shows_what_waits_for_the_client(logged_in, owner, agent, service) -> None:
    answered = factories.open_ticket(owner, service=service, subject="Reset cPanel password")
    ticket_reply_by_agent(
        actor=agent, ticket=answered, body="A reset link was sent to the account's email."
    )
    factories.open_ticket(owner, service=service, subject="Website returns error 500")
    closed = factories.open_ticket(owner, service=service, subject="Old question")
    ticket_close(actor=owner, ticket=closed)
    page = html(logged_in.get(reverse("portal:home")))

    awaiting = between(page, 'id="awaiting-heading"', "</section>")
    assert "Reset cPanel password" in awaiting and "error 500" not in awaiting
    opened = between(page, 'id="open-heading"', "</section>")
    assert "Website returns error 500" in opened and "Reset cPanel" not in opened
    replies = between(page, 'id="replies-heading"', "</section>")
    assert "Reset cPanel password" in replies and "A reset link was sent" in replies
    assert "Old question" not in page
    assert f'action="{reverse("kb:search")}"' in page


def test_home_empty_states(logged_in) -> None:
    page = html(logged_in.get(reverse("portal:home")))
    assert "Nothing waits for your reply." in page
    assert "You have no active tickets." in page
    assert "No replies from our team on your open tickets yet." in page


# ---- Attachments: thumbnails through the access-checked URL -------------------------------------


def test_image_attachments_show_a_lazy_thumbnail_from_the_same_url(logged_in, owner, service):
    ticket = factories.open_ticket(
        owner,
        service=service,
        files=[
            factories.upload("screen.png", factories.png_bytes(), "image/png"),
            factories.upload("invoice.pdf", factories.PDF_BYTES, "application/pdf"),
        ],
    )
    page = html(logged_in.get(reverse("portal:ticket", args=[ticket.number])))
    png = Attachment.objects.get(original_name="screen.png")
    url = reverse("portal:attachment", args=[png.pk, "screen.png"])
    assert (
        f'<img class="thumb" src="{url}" alt="screen.png" width="160" height="120" '
        'loading="lazy"' in page
    )
    assert page.count('<img class="thumb"') == 1  # none for the PDF
    logged_in.logout()
    assert logged_in.get(url).status_code == 302  # still only for who may see it


# ---- Drafts: what app.js needs from the pages ------------------------------------------------


def test_forms_name_their_draft_and_pages_after_a_submit_clear_it(logged_in, owner, ticket):
    page = html(logged_in.get(form_url()))
    assert f'data-draft="chamado-draft:{owner.pk}:ticket-new"' in page
    assert "data-draft-offer hidden" in page

    response = post_ticket(logged_in, factories.department("support"), ticket.service)
    created = html(logged_in.get(response["Location"]))
    assert f'data-draft-clear="chamado-draft:{owner.pk}:ticket-new"' in created

    ticket_url = reverse("portal:ticket", args=[ticket.number])
    page = html(logged_in.get(ticket_url))
    assert f'data-draft="chamado-draft:{owner.pk}:reply:{ticket.number}"' in page
    assert "data-draft-clear" not in page
    logged_in.post(ticket_url, {"message": MESSAGE})
    assert "data-draft-clear" in html(logged_in.get(ticket_url))
    assert "data-draft-clear" not in html(logged_in.get(ticket_url))  # once
