"""A user's saved language (the language of every email to them) is theirs to choose: the
language switcher saves it. A login never overwrites it; only the very first login, before the
user could choose, takes the browser's language as a start."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from chamado.accounts.actions import user_language_set


@receiver(user_logged_in)
def first_login_language(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    # Connected before django.contrib.auth's update_last_login (accounts comes first in
    # INSTALLED_APPS), so last_login is still the previous one: None on the first login.
    if user.last_login is not None:
        return
    # LocaleMiddleware put the browser's (or the switcher's) language on the request.
    if language := getattr(request, "LANGUAGE_CODE", None):
        user_language_set(user=user, language=language)
