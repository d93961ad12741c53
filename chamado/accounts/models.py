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

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
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
    account = models.ForeignKey(
        Account,
        verbose_name=_("client account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    is_account_owner = models.BooleanField(
        _("account owner"), default=False, help_text=_("The owner has every permission.")
    )
    can_tickets = models.BooleanField(
        _("may open and see tickets"),
        default=False,
        help_text=_("The 'tickets' permission: open and see the account's tickets."),
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

    @property
    def is_client(self) -> bool:
        return self.account_id is not None

    @property
    def may_use_tickets(self) -> bool:
        """Owner, or a contact with the `tickets` permission."""
        return self.is_active and self.is_client and (self.is_account_owner or self.can_tickets)


class ApiToken(models.Model):
    """A key for the REST API, acting as its user. Only the key's SHA-256 is stored; the key
    itself is shown once, when it is made (`chamado api_token create`)."""

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
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
