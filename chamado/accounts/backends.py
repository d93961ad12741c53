"""The authentication backend: allauth's (its timing-attack guard, inactive-login notice),
finding the login by User.email alone."""

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend

from chamado.accounts.models import User


class EmailBackend(AuthenticationBackend):
    """One identity per person: the email on the user. allauth's address book holds extra rows
    only while a change waits for confirmation at the new address, and those must not log in
    (nor may an old address the administrator replaced)."""

    def _authenticate_by_email(self, email: str, password: str) -> Any:
        try:
            user = User.objects.get_by_natural_key(email.strip()) if email else None
        except User.DoesNotExist:
            user = None
        return self._check_password(user, password)

    def get_user(self, user_id: Any) -> Any:
        """The session's user with the account they act for and its permissions, in the same
        query (every client page asks for them)."""
        try:
            user = User.objects.select_related("membership__account").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
