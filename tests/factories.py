"""Test data builders. Where the setup is behaviour (opening a ticket), use the real actions."""

import io
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chamado.accounts.models import Account, Membership, User
from chamado.services.models import Service
from chamado.tickets.actions import ticket_open
from chamado.tickets.models import Department, Ticket

PASSWORD = "a-long-test-password"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class ContactFactory(UserFactory):
    """A contact of an account (a membership, the account they act for); pass
    can_tickets=True (can_contacts, can_services) for those permissions."""

    account = factory.SubFactory(AccountFactory)

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        account = kwargs.pop("account")
        membership = {
            "is_owner": kwargs.pop("is_account_owner", False),
            **{name: kwargs.pop(name) for name in Membership.PERMISSIONS if name in kwargs},
        }
        user = super()._create(model_class, *args, **kwargs)
        # accounts.signals makes the first membership the current one.
        user.membership = Membership.objects.create(user=user, account=account, **membership)
        return user


class OwnerFactory(ContactFactory):
    is_account_owner = True


class AgentFactory(UserFactory):
    is_agent = True


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    account = factory.SubFactory(AccountFactory)
    name = "Shared Hosting"
    label = factory.Sequence(lambda n: f"site{n}.example.com")


DEPARTMENTS = {
    "support": ("Support", "Suporte", False),
    "sales": ("Sales", "Comercial", True),
    "billing": ("Billing", "Financeiro", False),
}


def department(slug: str = "support") -> Department:
    """The default departments (flushed by transactional tests, so made again on demand)."""
    name, name_pt, no_service = DEPARTMENTS[slug]
    dept, _ = Department.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name,
            "name_pt_br": name_pt,
            "allows_no_service": no_service,
            "position": list(DEPARTMENTS).index(slug),
        },
    )
    return dept


def open_ticket(contact: User, **overrides: Any) -> Ticket:
    """Open a ticket through the real action."""
    fields: dict[str, Any] = {
        "department": department("support"),
        "service": None,
        "subject": "Site is down",
        "priority": Ticket.Priority.MEDIUM,
        "body": "The site answers 500 since this morning, nothing was changed.",
    }
    fields.update(overrides)
    if fields["service"] is None and not fields["department"].allows_no_service:
        fields["service"] = Service.objects.filter(
            account=contact.account
        ).first() or ServiceFactory(account=contact.account)
    return ticket_open(actor=contact, **fields).ticket


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 30, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (8, 8)).save(buffer, format="GIF")
    return buffer.getvalue()


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def upload(
    name: str, content: bytes, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
