"""The client journey (log in, open, follow, reply, close) through the HTTP client."""

import pytest
from django.urls import reverse

from chamado.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_open_ticket_from_department_to_confirmation(client, owner, service, support) -> None:
    client.force_login(owner)
    page = client.get(reverse("portal:department_choose"))
    assert support.name in page.content.decode()
    form_page = client.get(reverse("portal:ticket_new", args=["support"]))
    assert form_page.status_code == 200
    html = form_page.content.decode()
    assert owner.email in html and "selected>Medium" in html.replace('"2" selected', "selected")
    response = client.post(
        reverse("portal:ticket_new", args=["support"]),
        {
            "department": support.pk,
            "subject": "Reset cPanel password",
            "service": service.pk,
            "priority": 2,
            "message": "I lost my cPanel password and need a reset link please.",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket_created", args=[ticket.number])
    confirmation = client.get(response["Location"]).content.decode()
    assert f"#{ticket.number}" in confirmation
    assert reverse("portal:ticket", args=[ticket.number]) in confirmation
    listing = client.get(reverse("portal:tickets")).content.decode()
    assert "Reset cPanel password" in listing
    detail = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert "I lost my cPanel password" in detail
