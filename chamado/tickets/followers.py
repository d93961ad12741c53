"""Followers of a ticket: other contacts of its account who get its emails as its opener does.

Who may follow: an active contact of the ticket's account with the `tickets` permission there
(the owner has it), other than the person who opened it. Who may add or remove one: anyone who
reaches the ticket (a client through the access functions, an agent who may see it); a
follower may always take themselves off. Emails go to followers only while they may still see
the ticket (``access.clients_who_may_see``, asked by mail.notify at queue time), so a follower
whose permission was removed keeps the row but receives nothing. ``actions.ticket_merge``
moves a merged ticket's followers to the ticket it was merged into."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from chamado.accounts.models import Membership, User
from chamado.core.audit import audit_record
from chamado.core.errors import ApplicationError, NotFound
from chamado.tickets.access import (
    is_active_agent,
    tickets_visible_to_agent,
    tickets_visible_to_client,
)
from chamado.tickets.actions import Outcome
from chamado.tickets.models import Ticket, TicketFollower


def _reach_check(actor: Any, ticket: Ticket) -> None:
    """The actor reaches the ticket as an agent who may see it or as a client (the access
    functions' rules); anyone else: NotFound, as for a ticket that does not exist."""
    if is_active_agent(actor) and tickets_visible_to_agent(actor).filter(pk=ticket.pk).exists():
        return
    if not tickets_visible_to_client(actor).filter(pk=ticket.pk).exists():
        raise NotFound


def _key(user: User | int | str | None) -> int | None:
    """A user's id, from a user or an id as a form or the API sends it."""
    if isinstance(user, User):
        return user.pk
    if isinstance(user, bool):
        return None
    try:
        return int(user) if user is not None else None
    except (TypeError, ValueError):
        return None


def _locked_live(ticket: Ticket) -> Ticket:
    """The ticket's row, locked (a merge takes the same lock), and not a merged one."""
    locked = Ticket.objects.select_for_update().select_related("contact").get(pk=ticket.pk)
    if locked.merged_into_id is not None:
        raise ApplicationError(
            _("This ticket was merged into another one; write there instead."), field="ticket"
        )
    return locked


def _follower_of(ticket: Ticket, key: int | None) -> User:
    """The contact who may follow ``ticket``; refused alike for anyone else (another
    account's person, an unknown id, a contact without the `tickets` permission, someone
    inactive), so the refusal tells nothing about who exists."""
    member = (
        Membership.objects.select_related("user")
        .filter(
            Membership.with_tickets(),
            account_id=ticket.account_id,
            user_id=key,
            user__is_active=True,
        )
        .first()
        if key is not None
        else None
    )
    if member is None:
        raise ApplicationError(
            _("Choose a contact of this account who may see its tickets."), field="user"
        )
    return member.user


def ticket_follower_add(*, actor: Any, ticket: Ticket, user: User | int | str | None) -> Outcome:
    """``user`` follows ``ticket`` from now on: its client emails go to them too. Adding a
    follower again changes nothing."""
    _reach_check(actor, ticket)
    with transaction.atomic():
        locked = _locked_live(ticket)
        follower = _follower_of(locked, _key(user))
        name = follower.full_name or follower.email
        if follower.pk == locked.contact_id:
            raise ApplicationError(
                _("%(name)s opened this ticket and already gets its emails.") % {"name": name},
                field="user",
            )
        _row, created = TicketFollower.objects.get_or_create(
            ticket=locked,
            user=follower,
            defaults={"added_by": actor if getattr(actor, "pk", None) else None},
        )
        if not created:
            return Outcome(
                ticket=locked,
                notice=_("%(name)s already follows this ticket.") % {"name": name},
                changed=False,
            )
        audit_record(
            actor=actor, verb="ticket.follower_add", target=locked, after={"user": follower.pk}
        )
    if follower.pk == getattr(actor, "pk", None):
        notice = _("You now follow this ticket: its emails come to you too.")
    else:
        notice = _("%(name)s now follows this ticket and gets its emails.") % {"name": name}
    return Outcome(ticket=locked, notice=notice)


def ticket_follower_remove(*, actor: Any, ticket: Ticket, user: User | int | str | None) -> Outcome:
    """``user`` stops following ``ticket``. Anyone who reaches the ticket may take a follower
    off; a follower may always take themselves off. Removing someone who does not follow it
    changes nothing."""
    key = _key(user)
    if key is None or key != getattr(actor, "pk", None):
        _reach_check(actor, ticket)
    with transaction.atomic():
        locked = _locked_live(ticket)
        follows = TicketFollower.objects.select_related("user").filter(ticket=locked)
        row = follows.filter(user_id=key).first() if key is not None else None
        if row is None:
            return Outcome(
                ticket=locked, notice=_("That person does not follow this ticket."), changed=False
            )
        follower = row.user
        row.delete()
        audit_record(
            actor=actor,
            verb="ticket.follower_remove",
            target=locked,
            before={"user": follower.pk},
        )
    if follower.pk == getattr(actor, "pk", None):
        notice = _("You no longer follow this ticket.")
    else:
        notice = _("%(name)s no longer follows this ticket.") % {
            "name": follower.full_name or follower.email
        }
    return Outcome(ticket=locked, notice=notice)
