from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from chamado.accounts.forms import QueuedPasswordResetForm, ThrottledAuthenticationForm
from chamado.portal.views import language_set

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=ThrottledAuthenticationForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("language/", language_set, name="set_language"),
    path("admin/", admin.site.urls),
    path("desk/", include("chamado.desk.urls")),
    path("api/", include("chamado.api.urls")),
    path("kb/", include("chamado.portal.kb_urls")),
    path("", include("chamado.portal.urls")),
]

handler500 = "chamado.web.errors.server_error"
