"""The client ticket page's followers box: add a contact, take one off (plain POST forms)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from chamado.core.errors import ApplicationError
from chamado.tickets.access import access_ticket_by_number
from chamado.tickets.actions import Outcome
from chamado.tickets.followers import ticket_follower_add, ticket_follower_remove


def _done(request: HttpRequest, outcome: Outcome) -> HttpResponse:
    (messages.success if outcome.changed else messages.info)(request, outcome.notice)
    return _back(outcome.ticket.number)


def _back(number: int) -> HttpResponse:
    """The ticket page, at its followers box."""
    return redirect(reverse("portal:ticket", args=[number]) + "#followers")


@login_required
@require_POST
def ticket_follower_add_view(request: HttpRequest, number: int) -> HttpResponse:
    ticket = access_ticket_by_number(request.user, number)
    try:
        outcome = ticket_follower_add(
            actor=request.user, ticket=ticket, user=request.POST.get("user")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return _back(ticket.number)
    return _done(request, outcome)


@login_required
@require_POST
def ticket_follower_remove_view(request: HttpRequest, number: int) -> HttpResponse:
    ticket = access_ticket_by_number(request.user, number)
    try:
        outcome = ticket_follower_remove(
            actor=request.user, ticket=ticket, user=request.POST.get("user")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return _back(ticket.number)
    return _done(request, outcome)
