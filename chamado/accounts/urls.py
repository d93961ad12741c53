"""The account pages under /accounts/ (mounted by config.urls): django-allauth's sign-in,
password, email, two-factor and session pages, and Chamado's profile.

The names the rest of Chamado uses (login, logout, password_reset...) point at the same
allauth views, listed first so they resolve under Chamado's names."""

from allauth.account import views as allauth_views
from django.urls import include, path

from chamado.accounts import invitation_views, views

urlpatterns = [
    path("login/", allauth_views.login, name="login"),
    path("logout/", allauth_views.logout, name="logout"),
    path("password/reset/", allauth_views.password_reset, name="password_reset"),
    path("password/reset/done/", allauth_views.password_reset_done, name="password_reset_done"),
    path(
        "password/reset/key/done/",
        allauth_views.password_reset_from_key_done,
        name="password_reset_complete",
    ),
    path("email/", views.email, name="account_email"),
    path("profile/", views.profile, name="account_profile"),
    path("invitations/<str:key>/", invitation_views.invitation_accept, name="invitation_accept"),
    path("tokens/", views.tokens, name="account_tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="account_token_revoke"),
    path("", include("allauth.urls")),
]
