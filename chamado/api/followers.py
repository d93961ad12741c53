"""A ticket's followers through the API: other contacts of the account, with the `tickets`
permission, who get the ticket's emails. The rules are tickets.followers'."""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Router, Schema
from pydantic import Field

from chamado.api.schemas import ErrorOut, PersonOut
from chamado.api.views import BODY_ERRORS, ERRORS
from chamado.tickets.access import access_ticket_by_number
from chamado.tickets.followers import ticket_follower_add, ticket_follower_remove
from chamado.tickets.selectors import ticket_people_for_client

followers = Router(tags=["tickets"])

Number = Annotated[int, Path(ge=1, le=2**31 - 1, examples=[592110])]


class FollowersOut(Schema):
    opened_by: PersonOut = Field(description="Who opened the ticket (always gets its emails).")
    followers: list[PersonOut] = Field(
        description="Who follows the ticket and may see it now: its emails go to them too."
    )
    candidates: list[PersonOut] = Field(
        description="Contacts of the account with the `tickets` permission who could be added."
    )


class FollowerIn(Schema):
    user: int = Field(ge=1, le=2**31 - 1, description="A person's id from `candidates`.")


class FollowerNoticeOut(Schema):
    notice: str = Field(examples=["Bruno Lima now follows this ticket and gets its emails."])
    changed: bool = Field(description="False when nothing changed (already so).")


def _people(ticket: Any) -> dict[str, Any]:
    people = ticket_people_for_client(ticket)
    return {
        "opened_by": ticket.contact,
        "followers": people.followers,
        "candidates": people.candidates,
    }


@followers.get(
    "/tickets/{number}/followers",
    response={200: FollowersOut, **ERRORS},
    summary="Who follows a ticket",
)
def followers_list(request: HttpRequest, number: Number) -> dict[str, Any]:
    """The ticket's opener, its followers, and the account's contacts who could follow it."""
    return _people(access_ticket_by_number(request.auth, number))  # type: ignore[attr-defined]


@followers.post(
    "/tickets/{number}/followers",
    response={200: FollowerNoticeOut, **BODY_ERRORS, 403: ErrorOut},
    summary="Add a follower",
)
def followers_add(request: HttpRequest, number: Number, payload: FollowerIn) -> Any:
    """Another contact of the account, with the `tickets` permission, gets the ticket's emails
    from now on. Adding them again changes nothing (`changed` false)."""
    actor = request.auth  # type: ignore[attr-defined]
    outcome = ticket_follower_add(
        actor=actor, ticket=access_ticket_by_number(actor, number), user=payload.user
    )
    return FollowerNoticeOut(notice=outcome.notice, changed=outcome.changed)


@followers.delete(
    "/tickets/{number}/followers/{user}",
    response={200: FollowerNoticeOut, **ERRORS, 403: ErrorOut},
    summary="Remove a follower",
)
def followers_remove(
    request: HttpRequest, number: Number, user: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> Any:
    """The person stops getting the ticket's emails (anyone may take themselves off)."""
    actor = request.auth  # type: ignore[attr-defined]
    outcome = ticket_follower_remove(
        actor=actor, ticket=access_ticket_by_number(actor, number), user=user
    )
    return FollowerNoticeOut(notice=outcome.notice, changed=outcome.changed)
