"""The access matrix, generated from the URL configuration: every URL that names an object
(a ticket number, an attachment, an email to review, an article, an image) is tried by every
kind of person. Adding such a URL without a row here fails the test.

Nobody learns that an object exists unless allowed: 404 (or the login page / 401 for the
anonymous), and a refused write changes nothing."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from chamado.accounts.actions import api_token_create
from chamado.accounts.contacts import contact_invite
from chamado.accounts.models import Invitation, Membership
from chamado.inbox.actions import inbound_receive
from chamado.kb.models import Article, ArticleImage
from chamado.provisioning.actions import account_provision
from chamado.tickets.actions import ticket_reply_by_agent
from chamado.tickets.followers import ticket_follower_add
from chamado.tickets.models import Attachment, Ticket
from tests import factories
from tests.api.conftest import ApiClient, token_for
from tests.kb import builders

pytestmark = pytest.mark.django_db

# URLs with parameters that name no protected object, and why.
NOT_OBJECTS = {
    "password_reset_confirm": "a signed, expiring token (tests/accounts)",
    "account_reset_password_from_key": "a signed, expiring token (tests/accounts)",
    "account_confirm_email": "a signed, expiring key sent to the new address (tests/accounts)",
    "portal:ticket_new": "a department's slug: the list of departments is public to clients",
    "invitation_accept": "a random single-use key sent to the invited address "
    "(tests/accounts/test_contacts.py)",
}
ACTORS = [
    "owner",
    "contact",
    "no_tickets",
    "other_account",
    "multi_account",
    "multi_no_tickets",
    "billing_agent",
    "support_agent",
    "admin",
    "anonymous",
]
# multi_account: a contact of Acme with `tickets`, acting for another account they also belong
# to (Acme's tickets stay theirs); multi_no_tickets: the owner of another account who is also
# a contact of Acme without `tickets`.
CLIENTS = {"owner", "contact", "multi_account"}
SUPPORT_DESK = {"support_agent", "admin"}
AGENTS = {"support_agent", "billing_agent", "admin"}
LOGGED_IN_READERS = set(ACTORS) - {"anonymous"}


def url_names() -> Iterator[str]:
    """Every named URL with a parameter, admin aside (Django's own permission checks)."""

    def walk(patterns: list[Any], namespace: str) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                route = str(pattern.pattern)
                if pattern.pattern.converters or "<" in route or "(?P<" in route:
                    yield namespace + pattern.name

    yield from walk(get_resolver().url_patterns, "")


@dataclass(frozen=True)
class Row:
    method: str
    url: Callable[[dict[str, Any]], str]
    allowed: set[str]
    data: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    api: bool = False  # bearer token instead of a session; the anonymous get 401
    public: bool = False  # no login needed: the anonymous are refused with 404 too


def n(scene: dict[str, Any]) -> list[int]:
    return [scene["ticket"].number]


def att(scene: dict[str, Any], key: str = "attachment") -> list[Any]:
    return [scene[key].pk, scene[key].original_name]


REPLY = {"message": "Trying to write where I may not, with details."}
ROWS: dict[str, Row] = {
    # The client area
    "portal:ticket": Row("get", lambda s: reverse("portal:ticket", args=n(s)), CLIENTS),
    "portal:ticket_created": Row(
        "get", lambda s: reverse("portal:ticket_created", args=n(s)), CLIENTS
    ),
    "portal:ticket_close": Row(
        "post", lambda s: reverse("portal:ticket_close", args=n(s)), CLIENTS
    ),
    "portal:attachment": Row("get", lambda s: reverse("portal:attachment", args=att(s)), CLIENTS),
    "portal:ticket_follower_add": Row(
        "post",
        lambda s: reverse("portal:ticket_follower_add", args=n(s)),
        CLIENTS,
        lambda s: {"user": s["contact"].pk},
    ),
    "portal:ticket_follower_remove": Row(
        "post",
        lambda s: reverse("portal:ticket_follower_remove", args=n(s)),
        CLIENTS,
        lambda s: {"user": s["follower"].pk},
    ),
    # The account's contacts: only who manages the contacts of the account acted for
    "portal:contact_edit": Row(
        "get", lambda s: reverse("portal:contact_edit", args=[s["membership"].pk]), {"owner"}
    ),
    "portal:contact_remove": Row(
        "post", lambda s: reverse("portal:contact_remove", args=[s["membership"].pk]), {"owner"}
    ),
    "portal:invitation_revoke": Row(
        "post", lambda s: reverse("portal:invitation_revoke", args=[s["invitation"].pk]), {"owner"}
    ),
    # The person's own pages
    "account_token_revoke": Row(
        "post", lambda s: reverse("account_token_revoke", args=[s["token"].pk]), {"owner"}
    ),
    # The desk
    "desk:ticket": Row("get", lambda s: reverse("desk:ticket", args=n(s)), SUPPORT_DESK),
    "desk:reply": Row(
        "post", lambda s: reverse("desk:reply", args=n(s)), SUPPORT_DESK, lambda s: REPLY
    ),
    "desk:note": Row(
        "post", lambda s: reverse("desk:note", args=n(s)), SUPPORT_DESK, lambda s: REPLY
    ),
    "desk:change": Row(
        "post",
        lambda s: reverse("desk:change", args=n(s)),
        SUPPORT_DESK,
        lambda s: {"status": "closed", "priority": 3, "assignee": ""},
    ),
    "desk:transfer": Row(
        "post",
        lambda s: reverse("desk:transfer", args=n(s)),
        SUPPORT_DESK,
        lambda s: {"department": s["billing"].pk, "note": ""},
    ),
    "desk:merge": Row(
        "post",
        lambda s: reverse("desk:merge", args=n(s)),
        SUPPORT_DESK,
        lambda s: {"target": s["second"].number},
    ),
    "desk:assign_to_me": Row(
        "post", lambda s: reverse("desk:assign_to_me", args=n(s)), SUPPORT_DESK
    ),
    "desk:presence": Row("get", lambda s: reverse("desk:presence", args=n(s)), SUPPORT_DESK),
    "desk:attachment": Row(
        "get", lambda s: reverse("desk:attachment", args=att(s, "note_attachment")), SUPPORT_DESK
    ),
    "desk:review_detail": Row(
        "get", lambda s: reverse("desk:review_detail", args=[s["inbound"].pk]), AGENTS
    ),
    "desk:review_convert": Row(
        "post",
        lambda s: reverse("desk:review_convert", args=[s["inbound"].pk]),
        AGENTS,
        lambda s: {"contact": s["owner"].email},
    ),
    "desk:review_discard": Row(
        "post", lambda s: reverse("desk:review_discard", args=[s["inbound"].pk]), AGENTS
    ),
    # The API (bearer tokens)
    "api-v1:tickets_detail": Row(
        "get", lambda s: f"/tickets/{s['ticket'].number}", CLIENTS, api=True
    ),
    "api-v1:tickets_reply": Row(
        "post", lambda s: f"/tickets/{s['ticket'].number}/replies", CLIENTS, lambda s: REPLY, True
    ),
    "api-v1:tickets_close": Row(
        "post", lambda s: f"/tickets/{s['ticket'].number}/close", CLIENTS, api=True
    ),
    "api-v1:attachment": Row(
        "get", lambda s: f"/attachments/{s['attachment'].pk}", CLIENTS, api=True
    ),
    "api-v1:desk_ticket_detail": Row(
        "get", lambda s: f"/desk/tickets/{s['ticket'].number}", SUPPORT_DESK, api=True
    ),
    "api-v1:desk_ticket_reply": Row(
        "post",
        lambda s: f"/desk/tickets/{s['ticket'].number}/replies",
        SUPPORT_DESK,
        lambda s: REPLY,
        True,
    ),
    "api-v1:desk_ticket_transfer": Row(
        "post",
        lambda s: f"/desk/tickets/{s['ticket'].number}/transfer",
        SUPPORT_DESK,
        lambda s: {"department": "billing"},
        True,
    ),
    "api-v1:desk_ticket_note": Row(
        "post",
        lambda s: f"/desk/tickets/{s['ticket'].number}/notes",
        SUPPORT_DESK,
        lambda s: REPLY,
        True,
    ),
    "api-v1:desk_ticket_update": Row(
        "patch",
        lambda s: f"/desk/tickets/{s['ticket'].number}",
        SUPPORT_DESK,
        lambda s: {"status": "closed"},
        True,
    ),
    "api-v1:desk_ticket_merge": Row(
        "post",
        lambda s: f"/desk/tickets/{s['ticket'].number}/merge",
        SUPPORT_DESK,
        lambda s: {"target": s["second"].number},
        True,
    ),
    "api-v1:followers_list": Row(
        "get", lambda s: f"/tickets/{s['ticket'].number}/followers", CLIENTS, api=True
    ),
    "api-v1:followers_add": Row(
        "post",
        lambda s: f"/tickets/{s['ticket'].number}/followers",
        CLIENTS,
        lambda s: {"user": s["contact"].pk},
        True,
    ),
    "api-v1:followers_remove": Row(
        "delete",
        lambda s: f"/tickets/{s['ticket'].number}/followers/{s['follower'].pk}",
        CLIENTS,
        api=True,
    ),
    # Provisioning (a billing system): administrators only, by the caller's external ids
    "api-v1:account_get": Row("get", lambda s: "/provisioning/accounts/crm-1", {"admin"}, api=True),
    "api-v1:account_put": Row(
        "put", lambda s: "/provisioning/accounts/crm-1", {"admin"}, lambda s: {"name": "X"}, True
    ),
    "api-v1:contact_put": Row(
        "put",
        lambda s: "/provisioning/accounts/crm-1/contacts/c-1",
        {"admin"},
        lambda s: {"email": s["contact"].email, "full_name": "Bruno Lima", "tickets": False},
        True,
    ),
    "api-v1:service_put": Row(
        "put",
        lambda s: "/provisioning/accounts/crm-1/services/s-1",
        {"admin"},
        lambda s: {"name": "VPS", "label": "vps.example", "status": "cancelled"},
        True,
    ),
    "api-v1:desk_attachment": Row(
        "get", lambda s: f"/desk/attachments/{s['note_attachment'].pk}", SUPPORT_DESK, api=True
    ),
    # The knowledge base: a clients-only article (a draft is refused to all but writers)
    "kb:article": Row(
        "get",
        lambda s: reverse("kb:article", args=[s["article"].category.slug, s["article"].slug]),
        LOGGED_IN_READERS,
        public=True,
    ),
    "kb:category": Row(
        "get",
        lambda s: reverse("kb:category", args=[s["article"].category.slug]),
        LOGGED_IN_READERS,
        public=True,
    ),
    "kb:vote": Row(
        "post",
        lambda s: reverse("kb:vote", args=[s["article"].category.slug, s["article"].slug]),
        LOGGED_IN_READERS,
        lambda s: {"helpful": "yes"},
        public=True,
    ),
    "kb:image": Row(
        "get",
        lambda s: reverse("kb:image", args=[s["image"].pk, "image.png"]),
        LOGGED_IN_READERS,
        public=True,
    ),
}


def test_every_url_naming_an_object_has_a_row() -> None:
    missing = sorted(set(url_names()) - set(ROWS) - set(NOT_OBJECTS))
    assert not missing, f"add a row to ROWS for: {missing}"
    assert not set(ROWS) - set(url_names()), "ROWS names a URL that no longer exists"


@pytest.fixture
def scene(
    owner,
    contact,
    contact_without_tickets,
    other_owner,
    service,
    support,
    billing,
    billing_agent,
    agent,
    admin,
    tmp_path,
) -> dict[str, Any]:
    multi_account = factories.OwnerFactory(account=factories.AccountFactory(name="Gamma"))
    Membership.objects.create(user=multi_account, account=owner.account, can_tickets=True)
    multi_no_tickets = factories.OwnerFactory(account=factories.AccountFactory(name="Delta"))
    Membership.objects.create(user=multi_no_tickets, account=owner.account, can_services=True)
    ticket = factories.open_ticket(
        owner,
        service=service,
        department=support,
        subject="Private support subject",
        files=[factories.upload("screen.png", factories.png_bytes(), "image/png")],
    )
    ticket_reply_by_agent(
        actor=agent,
        ticket=ticket,
        body="Internal: see the log.",
        is_internal=True,
        files=[factories.upload("log.png", factories.png_bytes(), "image/png")],
    )
    raw = (
        b"From: Stranger <stranger@elsewhere.example>\r\nTo: support@example.com\r\n"
        b"Subject: Hello\r\nMessage-ID: <matrix@elsewhere.example>\r\n\r\nWho reads this?\r\n"
    )
    ticket_follower_add(actor=owner, ticket=ticket, user=multi_account)
    article = builders.article(visibility=Article.Visibility.CLIENTS)
    image = ArticleImage.objects.create(
        article=article,
        file=factories.upload("image.png", factories.png_bytes()),
        description="x",
        content_type="image/png",
    )
    return {
        "owner": owner,
        "contact": contact,
        "no_tickets": contact_without_tickets,
        "other_account": other_owner,
        "multi_account": multi_account,
        "multi_no_tickets": multi_no_tickets,
        "billing_agent": billing_agent,
        "support_agent": agent,
        "admin": admin,
        "anonymous": None,
        "ticket": ticket,
        "billing": billing,
        "second": factories.open_ticket(owner, service=service, department=support),
        "attachment": Attachment.objects.get(message__ticket=ticket, message__is_internal=False),
        "note_attachment": Attachment.objects.get(
            message__ticket=ticket, message__is_internal=True
        ),
        "inbound": inbound_receive(raw, source="pipe").inbound,
        "article": article,
        "image": image,
        "token": api_token_create(actor=owner, user=owner, name="Owner's")[0],
        "provisioned": account_provision(actor=admin, external_id="crm-1", name="Billing").obj,
        "follower": multi_account,
        "membership": Membership.objects.get(user=contact, account=owner.account),
        "invitation": contact_invite(
            actor=owner,
            account=owner.account,
            email="invited@example.com",
            permissions={"can_tickets": True},
        ),
    }


def snapshot(scene: dict[str, Any]) -> tuple[Any, ...]:
    ticket = Ticket.objects.get(pk=scene["ticket"].pk)
    token = scene["token"].__class__.objects.get(pk=scene["token"].pk)
    inbound = scene["inbound"].__class__.objects.get(pk=scene["inbound"].pk)
    return (
        ticket.status,
        ticket.department_id,
        ticket.merged_into_id,
        ticket.messages.count(),
        inbound.outcome,
        token.revoked,
        scene["provisioned"].__class__.objects.get(pk=scene["provisioned"].pk).name,
        Membership.objects.filter(account=scene["provisioned"]).count(),
        list(ticket.followers.order_by("user_id").values_list("user_id", flat=True)),
        Membership.objects.filter(pk=scene["membership"].pk).values_list("can_tickets").first(),
        Invitation.objects.get(pk=scene["invitation"].pk).revoked_at,
    )


def answer(row: Row, scene: dict[str, Any], actor: str) -> Any:
    who = scene[actor]
    data = row.data(scene) if row.data else {}
    if row.api:
        client = ApiClient(token_for(who) if who else None)
        return getattr(client, row.method)(row.url(scene), data)
    client = Client()
    if who is not None:
        client.force_login(who)
    return getattr(client, row.method)(row.url(scene), data)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_matrix(name: str, scene: dict[str, Any]) -> None:
    row = ROWS[name]
    before = snapshot(scene)
    for actor in ACTORS:
        if actor in row.allowed:
            continue
        response = answer(row, scene, actor)
        if actor == "anonymous" and not row.public:
            expected = {401} if row.api else {302}
            if response.status_code == 302:
                assert "/login" in response["Location"] or "/accounts/" in response["Location"]
        else:
            expected = {404}
        assert response.status_code in expected, (name, actor, response.status_code)
        assert snapshot(scene) == before, (name, actor, "a refused request changed something")
    # The first allowed actor is let in (a write may change the scene: it comes last).
    allowed = next(a for a in ACTORS if a in row.allowed)
    response = answer(row, scene, allowed)
    assert response.status_code not in {401, 403, 404}, (name, allowed, response.status_code)
