"""Writing the knowledge base in the admin: categories, articles with a live preview (a static
script asks the preview endpoint to render the Markdown as the site will), publishing,
positions in the category, related articles and images."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from chamado.core.admin import TabularInline
from chamado.core.errors import ApplicationError
from chamado.kb import render, rules
from chamado.kb.actions import article_save, article_status_set
from chamado.kb.images import image_check
from chamado.kb.languages import ENGLISH, PORTUGUESE, field_name, html_lang
from chamado.kb.models import Article, ArticleImage, Category, SearchMiss


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_pt_br", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "name_pt_br"]


def _body_widget(language: str) -> forms.Textarea:
    return forms.Textarea(
        attrs={"rows": 18, "class": "vLargeTextField kb-markdown", "data-kb-preview": language}
    )


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = [
            "category",
            "slug",
            "position",
            "status",
            "visibility",
            "title",
            "body",
            "title_pt_br",
            "body_pt_br",
            "related",
        ]
        widgets = {"body": _body_widget(ENGLISH), "body_pt_br": _body_widget(PORTUGUESE)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "related" in self.fields and self.instance.pk:
            related: Any = self.fields["related"]
            related.queryset = related.queryset.exclude(pk=self.instance.pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problems = rules.languages_check(
            title=data.get("title", ""),
            body=data.get("body", ""),
            title_pt_br=data.get("title_pt_br", ""),
            body_pt_br=data.get("body_pt_br", ""),
        )
        for name, message in problems:
            self.add_error(name, message)
        return data


class ArticleImageForm(forms.ModelForm):
    class Meta:
        model = ArticleImage
        fields = ["file", "description"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            try:
                self.instance.content_type = image_check(upload)
            except ApplicationError as error:
                raise forms.ValidationError(error.message) from None
        return upload


class ArticleImageInline(TabularInline):
    model = ArticleImage
    form = ArticleImageForm
    fields = ["file", "description", "markdown"]
    readonly_fields = ["markdown"]
    extra = 1

    @admin.display(description=_("Markdown to paste in the text"))
    def markdown(self, image: ArticleImage) -> str:
        if image._state.adding or not image.file:  # the pk is drawn before the image is saved
            return "—"
        url = reverse("kb:image", args=[image.pk, image.filename])
        return format_html("<code>![{}]({})</code>", image.description, url)


def _preview(sections: list[dict[str, str]], toc: list[dict[str, Any]], language: str) -> str:
    return render_to_string(
        "kb/_article_body.html",
        {"sections": sections, "toc": toc, "lang": html_lang(language), "preview": True},
    )


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = [
        "__str__",
        "category",
        "position",
        "status",
        "visibility",
        "view_count",
        "updated_at",
    ]
    list_display_links = ["__str__"]
    list_editable = ["position"]
    list_filter = ["status", "visibility", "category"]
    list_select_related = ["category"]
    search_fields = ["title", "title_pt_br", "slug", "body", "body_pt_br"]
    ordering = ["category__position", "category__name", "position", "pk"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["related"]
    readonly_fields = ["preview_en", "preview_pt_br", "view_count", "updated_at", "published_at"]
    inlines = [ArticleImageInline]
    actions = ["publish", "unpublish"]
    save_on_top = True
    fieldsets = [
        (
            None,
            {"fields": ["category", "slug", "position", "status", "visibility"]},
        ),
        (_("English"), {"fields": ["title", "body", "preview_en"]}),
        (_("Portuguese"), {"fields": ["title_pt_br", "body_pt_br", "preview_pt_br"]}),
        (_("Related articles"), {"fields": ["related"]}),
        (_("Readers"), {"fields": ["view_count", "updated_at", "published_at"]}),
    ]

    class Media:
        js = ["kb/admin-preview.js"]
        css = {"all": ["kb/admin-preview.css"]}

    def view_on_site(self, article: Article) -> str:  # type: ignore[override]
        return reverse("kb:article", args=[article.category.slug, article.slug])

    def _preview_field(self, article: Article, language: str) -> SafeString:
        body = _preview(
            getattr(article, field_name("sections", language)),
            getattr(article, field_name("toc", language)),
            language,
        )
        return format_html(
            '<div class="kb-preview" data-kb-preview-target="{}" data-url="{}" '
            'aria-live="polite">{}</div>',
            language,
            reverse("admin:kb_article_preview"),
            SafeString(body),
        )

    @admin.display(description=_("Preview (English)"))
    def preview_en(self, article: Article) -> SafeString:
        return self._preview_field(article, ENGLISH)

    @admin.display(description=_("Preview (Portuguese)"))
    def preview_pt_br(self, article: Article) -> SafeString:
        return self._preview_field(article, PORTUGUESE)

    def get_urls(self) -> list[URLPattern]:
        preview = path(
            "preview/",
            self.admin_site.admin_view(require_POST(self.preview_view)),
            name="kb_article_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The Markdown posted, rendered exactly as the site will (for the live preview)."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        rendered = render.render(request.POST.get("body", ""))
        language = PORTUGUESE if request.POST.get("language") == PORTUGUESE else ENGLISH
        response = HttpResponse(_preview(rendered.sections, rendered.toc, language))
        response["Cache-Control"] = "no-store"
        return response

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        article_save(actor=request.user, article=obj)

    @admin.action(description=_("Publish the selected articles"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = article_status_set(
            actor=request.user, articles=queryset, status=Article.Status.PUBLISHED
        )
        self.message_user(
            request,
            ngettext("%(count)d article published.", "%(count)d articles published.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Turn the selected articles back into drafts"))
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = article_status_set(
            actor=request.user, articles=queryset, status=Article.Status.DRAFT
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d article is a draft again.", "%(count)d articles are drafts again.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(SearchMiss)
class SearchMissAdmin(admin.ModelAdmin):
    """Searches that found nothing; delete one once an article answers it."""

    list_display = ["text", "language", "count", "last_searched_at"]
    list_filter = ["language"]
    ordering = ["-count", "-last_searched_at"]
    readonly_fields = ["key", "text", "language", "count", "last_searched_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
