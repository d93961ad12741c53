from django.urls import path

from chamado.portal import account_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("account/switch/", account_views.account_switch, name="account_switch"),
    path("tickets/", views.ticket_list, name="tickets"),
    path("tickets/open/", views.department_choose, name="department_choose"),
    path("tickets/open/form/", views.ticket_new, name="ticket_new_any"),
    path("tickets/open/<slug:slug>/", views.ticket_new, name="ticket_new"),
    path("tickets/<int:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:number>/created/", views.ticket_created, name="ticket_created"),
    path("tickets/<int:number>/close/", views.ticket_close_view, name="ticket_close"),
    path(
        "attachments/<str:attachment_id>/<path:filename>",
        views.attachment_download,
        name="attachment",
    ),
]
