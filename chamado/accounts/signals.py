"""Keeps each user's language (used for their emails) in step with the one they browse in."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from chamado.accounts.actions import user_language_set


@receiver(user_logged_in)
def remember_language(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    # LocaleMiddleware put the browser's (or the switcher's) language on the request.
    if language := getattr(request, "LANGUAGE_CODE", None):
        user_language_set(user=user, language=language)
