"""Users (client contacts, agents, administrators) and client accounts."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chamado.core.models import TimeStampedModel
from chamado.core.text import validate_single_line


class Account(TimeStampedModel):
    """A customer (company or person) that contracts services and opens tickets."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])

    class Meta:
        verbose_name = _("client account")
        verbose_name_plural = _("client accounts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self,
        email: str,
        password: str | None = None,
        *,
        account: Account | None = None,
        is_account_owner: bool = False,
        **extra: Any,
    ) -> "User":
        """A user; with ``account``, a contact of it (``is_account_owner``, ``can_tickets``,
        ``can_contacts``, ``can_services`` as the membership's permissions) acting for it."""
        if not email:
            raise ValueError("An email is required")
        permissions = {name: extra.pop(name) for name in Membership.PERMISSIONS if name in extra}
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        if account is not None:
            # accounts.signals makes a first membership the current one.
            user.membership = Membership.objects.create(
                user=user, account=account, is_owner=is_account_owner, **permissions
            )
        return user

    def get_by_natural_key(self, username: str | None) -> "User":
        """Emails are stored in lower case (create_user): find a login typed in any case."""
        email = username or ""
        try:
            return self.get(email=email)
        except self.model.DoesNotExist:
            return self.get(email=email.lower())

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True, is_agent=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in. A client contact belongs to an account; an agent to departments."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("name"), max_length=150, validators=[validate_single_line])
    language = models.CharField(
        _("language"),
        max_length=10,
        default="en",
        help_text=_("Language of the emails this person receives."),
    )
    # The account this person acts for now in the client area (one of their memberships; the
    # switcher changes it). Loaded with the user (EmailBackend.get_user), so a page knows the
    # account and its permissions without another query.
    membership = models.ForeignKey(
        "Membership",
        verbose_name=_("current client account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Notification choices (the profile). A ticket's conversation itself (the agent's
    # replies to a client, a client's reply to the assigned agent) is always sent.
    notify_ticket_changes = models.BooleanField(
        _("changes to my tickets"),
        default=True,
        help_text=_("Status changes, transfers, merges and automatic closing of your tickets."),
    )
    notify_new_tickets = models.BooleanField(
        _("new tickets in my departments"),
        default=True,
        help_text=_("Agents: a ticket opened in, or transferred to, one of your departments."),
    )
    notify_client_replies = models.BooleanField(
        _("client replies on unassigned tickets"),
        default=True,
        help_text=_("Agents: a client's reply on a ticket of your departments nobody holds."),
    )
    is_agent = models.BooleanField(
        _("agent"), default=False, help_text=_("Company staff who answer tickets.")
    )
    is_staff = models.BooleanField(
        _("administrator site access"),
        default=False,
        help_text=_("May log in to the administration site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # What the person may do for the account they act for now (their current membership).
    # Rules about another account ask that account's Membership (membership_for).

    @property
    def account(self) -> Account | None:
        return self.membership.account if self.membership_id else None  # type: ignore[union-attr]

    @property
    def account_id(self) -> int | None:
        return self.membership.account_id if self.membership_id else None  # type: ignore[union-attr]

    @property
    def is_client(self) -> bool:
        return self.membership_id is not None

    @property
    def is_account_owner(self) -> bool:
        return bool(self.membership_id and self.membership.is_owner)  # type: ignore[union-attr]

    @property
    def may_use_tickets(self) -> bool:
        """Owner, or a contact with the `tickets` permission, of the current account."""
        return bool(self.is_active and self.membership_id and self.membership.may_tickets)  # type: ignore[union-attr]

    @property
    def may_see_services(self) -> bool:
        return bool(self.is_active and self.membership_id and self.membership.may_services)  # type: ignore[union-attr]

    @property
    def may_manage_contacts(self) -> bool:
        return bool(self.is_active and self.membership_id and self.membership.may_contacts)  # type: ignore[union-attr]


def permission_labels(holder: models.Model) -> list[tuple[str, str]]:
    """The permissions ``holder`` (a Membership or an Invitation) gives, each with the
    translated name of its field."""
    return [
        (name, str(getattr(holder._meta.get_field(name), "verbose_name", name)))
        for name in Membership.PERMISSIONS
        if getattr(holder, name)
    ]


class Membership(models.Model):
    """A person's place in a client account: one login may belong to several accounts (a
    webmaster working for three clients), each with its own permissions. The owner has every
    permission and is never managed from the client area."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    account = models.ForeignKey(
        Account,
        verbose_name=_("client account"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    is_owner = models.BooleanField(
        _("account owner"), default=False, help_text=_("The owner has every permission.")
    )
    can_tickets = models.BooleanField(
        _("tickets"),
        default=False,
        help_text=_("Open and see the account's tickets."),
    )
    can_contacts = models.BooleanField(
        _("contacts"), default=False, help_text=_("Invite, change and remove contacts.")
    )
    can_services = models.BooleanField(
        _("services"), default=False, help_text=_("See the account's services.")
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    # The permissions a contact may be given, in the order the pages list them.
    PERMISSIONS = ("can_tickets", "can_contacts", "can_services")

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_owner", "user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="membership_once"),
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(is_owner=True), name="account_one_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.account}"

    @property
    def may_tickets(self) -> bool:
        return self.is_owner or self.can_tickets

    @property
    def may_contacts(self) -> bool:
        return self.is_owner or self.can_contacts

    @property
    def may_services(self) -> bool:
        return self.is_owner or self.can_services

    @property
    def permission_labels(self) -> list[tuple[str, str]]:
        """The permissions this contact has, each with its translated name."""
        return permission_labels(self)

    @classmethod
    def with_tickets(cls) -> models.Q:
        """The memberships that may open and see the account's tickets, as a filter."""
        return models.Q(is_owner=True) | models.Q(can_tickets=True)


class ApiToken(models.Model):
    """A key for the REST API, acting as its user within its scope. Only the key's SHA-256 is
    stored; the key itself is shown once, when it is made (on the profile page, or
    `chamado api_token create`)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What uses this token, for example “CI”."),
        validators=[validate_single_line],
    )
    # The key's first characters, so a person can tell their tokens apart; not a secret.
    prefix = models.CharField(_("prefix"), max_length=16)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True)

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    scope = models.CharField(
        _("scope"),
        max_length=5,
        choices=Scope,
        default=Scope.WRITE,
        help_text=_("A read-only token may only read (GET); every write answers 403."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Invitation(models.Model):
    """An invitation to become a contact of an account, with the permissions the contact will
    have, made in the client area by the owner or a contact who manages contacts
    (accounts.contacts). Its key is only in the email: the worker draws it when it sends the
    email and only its SHA-256 is kept here. Used once; open while not accepted, not revoked
    and not expired; a new invitation to the same address revokes the open one."""

    account = models.ForeignKey(
        Account,
        verbose_name=_("client account"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("email"))
    can_tickets = models.BooleanField(_("tickets"), default=False)
    can_contacts = models.BooleanField(_("contacts"), default=False)
    can_services = models.BooleanField(_("services"), default=False)
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Empty until the email with the key is sent (a key never waits in the task queue).
    key_hash = models.CharField(
        _("key hash (SHA-256)"), max_length=64, unique=True, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    PERMISSIONS = Membership.PERMISSIONS

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # One waiting invitation per account and address (an expired one still waits: a
            # new one revokes it).
            models.UniqueConstraint(
                fields=["account", "email"],
                condition=models.Q(accepted_at=None, revoked_at=None),
                name="invitation_pending_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.account_id}"

    @property
    def is_pending(self) -> bool:
        """Neither accepted nor revoked (it may have expired)."""
        return self.accepted_at is None and self.revoked_at is None

    def is_open(self, now: Any = None) -> bool:
        return self.is_pending and self.expires_at > (now or timezone.now())

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def permissions(self) -> dict[str, bool]:
        return {name: getattr(self, name) for name in self.PERMISSIONS}

    @property
    def permission_labels(self) -> list[tuple[str, str]]:
        """The permissions the contact will have, each with its translated name."""
        return permission_labels(self)
