"""`chamado api_token create|list|revoke`: REST API tokens. The key is printed once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chamado.accounts.actions import api_token_create, api_token_revoke
from chamado.accounts.models import ApiToken, User
from chamado.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create, list or revoke REST API tokens (Authorization: Bearer <key>)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        create = commands.add_parser("create", help="Make a token and print its key once.")
        create.add_argument("--email", required=True, help="The user the token acts as.")
        create.add_argument("--name", required=True, help='What uses it, for example "CI".')
        listing = commands.add_parser("list", help="List tokens (never their keys).")
        listing.add_argument("--email", help="Only this user's tokens.")
        revoke = commands.add_parser("revoke", help="Revoke a token at once.")
        revoke.add_argument("prefix", help="The token's prefix, as `list` shows it.")

    def handle(self, *args: Any, command: str, **options: Any) -> None:
        if command == "create":
            self._create(email=options["email"], name=options["name"])
        elif command == "list":
            self._list(email=options.get("email"))
        else:
            self._revoke(prefix=options["prefix"])

    def _user(self, email: str) -> User:
        try:
            return User.objects.get_by_natural_key(email)
        except User.DoesNotExist:
            raise CommandError(f"No user with the email {email}.") from None

    def _create(self, *, email: str, name: str) -> None:
        user = self._user(email)
        try:
            token, key = api_token_create(actor=None, user=user, name=name)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"Token {token.prefix}… ({token.name}) for {user.email}. "
            "Copy the key now: it is not stored and cannot be shown again."
        )
        self.stdout.write(key)

    def _list(self, *, email: str | None) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__email", "-created_at")
        if email:
            tokens = tokens.filter(user=self._user(email))
        for token in tokens:
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never used"
            state = "revoked" if token.revoked else "active"
            self.stdout.write(f"{token.prefix}  {token.user.email}  {token.name}  {used}  {state}")

    def _revoke(self, *, prefix: str) -> None:
        matches = list(ApiToken.objects.filter(prefix=prefix)[:2])
        if len(matches) != 1:
            raise CommandError(
                f"No token with the prefix {prefix}."
                if not matches
                else f"More than one token has the prefix {prefix}; revoke it in the admin."
            )
        api_token_revoke(actor=None, token=matches[0])
        self.stdout.write(f"Token {prefix}… revoked.")
