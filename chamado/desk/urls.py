from django.urls import path

from chamado.desk import audit_log, dashboard, kb_report, review, views

app_name = "desk"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.queue_bulk, name="bulk"),
    path("search/", views.search, name="search"),
    path("audit/", audit_log.audit_log, name="audit"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("kb/", kb_report.kb_report, name="kb_report"),
    path("mail/", review.review_list, name="review"),
    path("mail/<int:inbound_id>/", review.review_detail, name="review_detail"),
    path("mail/<int:inbound_id>/convert/", review.review_convert, name="review_convert"),
    path("mail/<int:inbound_id>/discard/", review.review_discard, name="review_discard"),
    path("tickets/<int:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:number>/reply/", views.ticket_reply, name="reply"),
    path("tickets/<int:number>/note/", views.ticket_note, name="note"),
    path("tickets/<int:number>/change/", views.ticket_change, name="change"),
    path("tickets/<int:number>/transfer/", views.ticket_move, name="transfer"),
    path("tickets/<int:number>/merge/", views.ticket_merge_view, name="merge"),
    path("tickets/<int:number>/assign-to-me/", views.ticket_assign_to_me, name="assign_to_me"),
    path("tickets/<int:number>/presence/", views.ticket_presence, name="presence"),
    path(
        "attachments/<str:attachment_id>/<path:filename>",
        views.attachment_download,
        name="attachment",
    ),
]
