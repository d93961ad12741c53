"""Writes to users."""

from django.conf import settings

from chamado.accounts.models import User


def user_language_set(*, user: User, language: str) -> None:
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
