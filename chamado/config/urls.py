from collections.abc import Callable

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpResponseBase
from django.urls import include, path
from django.views.generic import RedirectView

from chamado.portal.views import language_set
from chamado.web import health

# The admin signs in through Chamado's login (its throttle, its second factor), never its own,
# and changes its own password on the profile's page (which asks for the current one, audited).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.password_change = RedirectView.as_view(  # type: ignore[method-assign,assignment]
    pattern_name="account_change_password"
)


def _moved(name: str) -> Callable[..., HttpResponseBase]:
    """The sign-in pages' old addresses, for bookmarks."""
    return RedirectView.as_view(pattern_name=name, query_string=True)


urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("chamado.accounts.urls")),
    path("login/", _moved("login")),
    path("logout/", _moved("logout")),
    path("password/reset/", _moved("password_reset")),
    path("language/", language_set, name="set_language"),
    path("admin/", admin.site.urls),
    path("desk/", include("chamado.desk.urls")),
    path("api/", include("chamado.api.urls")),
    path("kb/", include("chamado.portal.kb_urls")),
    path("", include("chamado.portal.urls")),
]

handler500 = "chamado.web.errors.server_error"
