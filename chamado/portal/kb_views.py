"""The knowledge base in the client area: public articles need no login; clients-only ones
and drafts are 404 to anyone who may not read them (kb.access). Views parse, call kb's access
functions, actions and selectors, and render."""

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from chamado.core.errors import ApplicationError
from chamado.kb import rules
from chamado.kb.access import access_article, access_category, access_image
from chamado.kb.actions import (
    article_view_record,
    article_vote,
    search_miss_record,
    suggestion_visit_record,
)
from chamado.kb.languages import reader_language
from chamado.kb.models import Article
from chamado.kb.selectors import (
    article_list_for_category,
    article_list_popular,
    article_list_related,
    article_search_for_reader,
    article_suggestions,
    article_vote_of,
    category_list_for_reader,
)
from chamado.kb.visitors import Visitor, visitor_for
from chamado.portal.kb_forms import ArticleSearchForm, VoteForm
from chamado.web.files import stored_file_response

FROM_TICKET = "ticket"
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")


@dataclass(frozen=True)
class TicketDraft:
    """A client who came from the ticket form: its subject and department travel along, so
    the way back leads to the form as they left it."""

    subject: str = ""
    department: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> "TicketDraft | None":
        if request.GET.get("from") != FROM_TICKET:
            return None
        department = request.GET.get("department", "")
        return cls(
            subject=request.GET.get("subject", "")[:120],
            department=department if _SLUG.match(department) else "",
        )

    @property
    def query(self) -> str:
        """What article and search links carry: from=ticket&subject=...&department=..."""
        params = {"from": FROM_TICKET, "subject": self.subject}
        if self.department:
            params["department"] = self.department
        return urlencode(params)

    @property
    def form_url(self) -> str:
        """The ticket form, with the subject typed so far."""
        if self.department:
            url = reverse("portal:ticket_new", args=[self.department])
        else:
            url = reverse("portal:ticket_new_any")
        return f"{url}?{urlencode({'subject': self.subject})}" if self.subject else url


def _language() -> str:
    return reader_language(get_language())


def _visitor(request: HttpRequest, *, start_session: bool) -> Visitor | None:
    """The reader; an anonymous one gets a session (a cookie) so they are counted once."""
    session: Any = request.session
    if start_session and not request.user.is_authenticated and not session.session_key:
        session["kb_reader"] = True
        session.save()
    return visitor_for(request.user, session.session_key)


def kb_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "kb/index.html",
        {
            "categories": category_list_for_reader(request.user),
            "popular": article_list_popular(request.user),
            "form": ArticleSearchForm(),
        },
    )


def kb_category(request: HttpRequest, slug: str) -> HttpResponse:
    category = access_category(request.user, slug)
    return render(
        request,
        "kb/category.html",
        {
            "category": category,
            "articles": article_list_for_category(request.user, category),
            "form": ArticleSearchForm(),
        },
    )


def _article_page(
    request: HttpRequest, article: Article, *, vote_form: VoteForm | None = None, status: int = 200
) -> HttpResponse:
    visitor = _visitor(request, start_session=False)
    draft = TicketDraft.from_request(request)
    user: Any = request.user
    return render(
        request,
        "kb/article.html",
        {
            "article": article,
            "version": article.version(get_language()),
            "related": article_list_related(request.user, article),
            "vote": article_vote_of(article, visitor),
            "vote_form": vote_form or VoteForm(),
            "ticket_draft": draft,
            "may_open_tickets": bool(user.is_authenticated and user.may_use_tickets),
        },
        status=status,
    )


def kb_article(request: HttpRequest, category: str, slug: str) -> HttpResponse:
    article = access_article(request.user, slug)
    if article.category.slug != category:  # moved to another category: the address follows
        url = reverse("kb:article", args=[article.category.slug, article.slug])
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url, permanent=True)
    if not rules.is_robot(request.headers.get("User-Agent", "")):
        visitor = _visitor(request, start_session=True)
        article_view_record(article=article, visitor=visitor, today=timezone.localdate())
    if TicketDraft.from_request(request) is not None:
        suggestion_visit_record(article=article, user=request.user)
    return _article_page(request, article)


@require_POST
def kb_vote(request: HttpRequest, category: str, slug: str) -> HttpResponse:
    article = access_article(request.user, slug)
    form = VoteForm(request.POST)
    if form.is_valid():
        helpful = form.cleaned_data["helpful"] == "yes"
        try:
            article_vote(
                article=article,
                visitor=_visitor(request, start_session=True),
                helpful=helpful,
                comment=form.cleaned_data["comment"],
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            url = reverse("kb:article", args=[article.category.slug, article.slug])
            draft = TicketDraft.from_request(request)
            return redirect(f"{url}?{draft.query}#feedback" if draft else f"{url}#feedback")
    return _article_page(request, article, vote_form=form, status=400)


def kb_search(request: HttpRequest) -> HttpResponse:
    form = ArticleSearchForm(request.GET or None)
    draft = TicketDraft.from_request(request)
    page = None
    text = ""
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound and form.cleaned_data["q"].strip():
        text = form.cleaned_data["q"].strip()
        results = article_search_for_reader(request.user, text, _language())
        page = Paginator(results, rules.SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        if page.paginator.count == 0:
            search_miss_record(text=text, language=_language())
    return render(
        request,
        "kb/search.html",
        {"form": form, "page": page, "text": text, "ticket_draft": draft},
        status=status,
    )


@require_GET
def kb_suggest(request: HttpRequest) -> HttpResponse:
    """The ticket form's suggestions for a subject, as an HTML fragment (for app.js)."""
    subject = request.GET.get("q", "")[:120]
    draft = TicketDraft(
        subject=subject,
        department=d if _SLUG.match(d := request.GET.get("department", "")) else "",
    )
    response = render(
        request,
        "kb/_suggestions.html",
        {
            "suggestions": article_suggestions(request.user, subject, _language()),
            "ticket_draft": draft,
        },
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def kb_image(request: HttpRequest, image_id: str, filename: str) -> FileResponse:
    image = access_image(request.user, image_id)
    # Streamed from the storage after the access check, never a redirect to it (web.files).
    response = stored_file_response(
        image.file, content_type=image.content_type, filename=image.filename, as_attachment=False
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    if image.article.visibility == Article.Visibility.PUBLIC and image.article.is_published:
        patch_cache_control(response, public=True, max_age=3600)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


def ticket_form_suggestions(request: HttpRequest, subject: str, department: str) -> dict[str, Any]:
    """What the ticket form shows beside the subject: the articles for the subject it already
    has (typed before, or sent back from an article), and the ticket draft for their links."""
    draft = TicketDraft(subject=subject[:120], department=department)
    return {
        "suggestions": article_suggestions(request.user, subject, _language()) if subject else [],
        "ticket_draft": draft,
    }


def ticket_form_lookup(subject: str, department: str) -> HttpResponse:
    """The ticket form's "search the knowledge base" button, without JavaScript: the search
    for the subject typed, which leads back to the form."""
    draft = TicketDraft(subject=subject[:120], department=department)
    return redirect(f"{reverse('kb:search')}?{urlencode({'q': draft.subject})}&{draft.query}")
