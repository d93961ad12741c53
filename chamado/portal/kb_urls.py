"""The knowledge base's addresses, under /kb/ (mounted by config.urls)."""

from django.urls import path

from chamado.portal import kb_views

app_name = "kb"
urlpatterns = [
    path("", kb_views.kb_index, name="index"),
    path("search/", kb_views.kb_search, name="search"),
    path("suggest/", kb_views.kb_suggest, name="suggest"),
    path("images/<str:image_id>/<path:filename>", kb_views.kb_image, name="image"),
    path("<slug:slug>/", kb_views.kb_category, name="category"),
    path("<slug:category>/<slug:slug>/", kb_views.kb_article, name="article"),
    path("<slug:category>/<slug:slug>/vote/", kb_views.kb_vote, name="vote"),
]
