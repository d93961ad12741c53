from django.urls import path

from chamado.portal import account_views, contact_views, follower_views, theme, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("theme/", theme.theme_set, name="theme"),
    path("account/switch/", account_views.account_switch, name="account_switch"),
    path("account/contacts/", contact_views.contacts, name="contacts"),
    path("account/contacts/invite/", contact_views.contact_invite_view, name="contact_invite"),
    path(
        "account/contacts/<int:membership_id>/",
        contact_views.contact_edit,
        name="contact_edit",
    ),
    path(
        "account/contacts/<int:membership_id>/remove/",
        contact_views.contact_remove_view,
        name="contact_remove",
    ),
    path(
        "account/contacts/invitations/<int:invitation_id>/revoke/",
        contact_views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("tickets/", views.ticket_list, name="tickets"),
    path("tickets/open/", views.department_choose, name="department_choose"),
    path("tickets/open/form/", views.ticket_new, name="ticket_new_any"),
    path("tickets/open/<slug:slug>/", views.ticket_new, name="ticket_new"),
    path("tickets/<int:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:number>/created/", views.ticket_created, name="ticket_created"),
    path("tickets/<int:number>/close/", views.ticket_close_view, name="ticket_close"),
    path(
        "tickets/<int:number>/followers/add/",
        follower_views.ticket_follower_add_view,
        name="ticket_follower_add",
    ),
    path(
        "tickets/<int:number>/followers/remove/",
        follower_views.ticket_follower_remove_view,
        name="ticket_follower_remove",
    ),
    path(
        "attachments/<str:attachment_id>/<path:filename>",
        views.attachment_download,
        name="attachment",
    ),
]
