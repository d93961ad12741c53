"""The knowledge base: categories, articles in English and/or Portuguese, their images, and what
readers did with them (views, helpful votes, suggestions opened, searches that found nothing)."""

import uuid
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from chamado.core.text import validate_single_line
from chamado.kb import languages, rules


def _category_slug_check(value: str) -> None:
    if value in rules.RESERVED_CATEGORY_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is a page of the knowledge base: choose another slug."),
            params={"slug": value},
            code="reserved",
        )


class Category(models.Model):
    slug = models.SlugField(_("slug"), unique=True, validators=[_category_slug_check])
    name = models.CharField(_("name (English)"), max_length=80, validators=[validate_single_line])
    name_pt_br = models.CharField(
        _("name (Portuguese)"), max_length=80, blank=True, validators=[validate_single_line]
    )
    description = models.CharField(
        _("description (English)"), max_length=200, blank=True, validators=[validate_single_line]
    )
    description_pt_br = models.CharField(
        _("description (Portuguese)"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The name in the active language (English when the Portuguese one is missing)."""
        if languages.reader_language(translation.get_language()) == languages.PORTUGUESE:
            return self.name_pt_br or self.name
        return self.name

    @property
    def summary(self) -> str:
        if languages.reader_language(translation.get_language()) == languages.PORTUGUESE:
            return self.description_pt_br or self.description
        return self.description


@dataclass(frozen=True)
class ArticleVersion:
    """The article as one reader gets it: their language, or the other one (``fallback``)."""

    language: str
    title: str
    sections: list[dict[str, str]]
    toc: list[dict[str, Any]]
    text: str
    fallback: bool

    @property
    def html_lang(self) -> str:
        return languages.html_lang(self.language)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone, without logging in")
        CLIENTS = "clients", _("Logged-in clients only")

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="articles"
    )
    slug = models.SlugField(
        _("slug"), max_length=120, unique=True, help_text=_("The article's address: /kb/…/slug/.")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.DRAFT, db_index=True
    )
    visibility = models.CharField(
        _("who may read it"), max_length=12, choices=Visibility, default=Visibility.PUBLIC
    )
    position = models.PositiveIntegerField(
        _("position in the category"), default=0, help_text=_("Lower numbers come first.")
    )
    title = models.CharField(
        _("title (English)"), max_length=160, blank=True, validators=[validate_single_line]
    )
    body = models.TextField(_("text (English, Markdown)"), blank=True)
    title_pt_br = models.CharField(
        _("title (Portuguese)"), max_length=160, blank=True, validators=[validate_single_line]
    )
    body_pt_br = models.TextField(_("text (Portuguese, Markdown)"), blank=True)
    # Written by kb.actions from the Markdown (kb.render): sanitised HTML in sections, the table
    # of contents, and the plain text that search reads.
    sections = models.JSONField(default=list, editable=False)
    sections_pt_br = models.JSONField(default=list, editable=False)
    toc = models.JSONField(default=list, editable=False)
    toc_pt_br = models.JSONField(default=list, editable=False)
    text = models.TextField(default="", editable=False)
    text_pt_br = models.TextField(default="", editable=False)
    render_version = models.PositiveSmallIntegerField(default=0, editable=False)
    related = models.ManyToManyField(
        "self",
        verbose_name=_("related articles"),
        blank=True,
        help_text=_("Shown at the end of the article, to readers who may see them."),
    )
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["category", "status", "position"])]

    def __str__(self) -> str:
        return self.title or self.title_pt_br or self.slug

    def written_in(self, language: str) -> bool:
        return bool(getattr(self, languages.field_name("title", language)))

    def language_shown(self, language: str | None = None) -> str:
        """The reader's language (the active one unless given) when written in it, else the
        other one."""
        wanted = languages.reader_language(language or translation.get_language())
        return languages.language_shown(wanted, self.written_in)

    def text_shown(self, language: str | None = None) -> str:
        """The plain text the reader gets (lists and search read only this)."""
        return getattr(self, languages.field_name("text", self.language_shown(language)))

    def version(self, language: str | None = None) -> ArticleVersion:
        """The article as the reader gets it: their language, or the other one."""
        wanted = languages.reader_language(language or translation.get_language())
        shown = self.language_shown(wanted)
        return ArticleVersion(
            language=shown,
            title=getattr(self, languages.field_name("title", shown)),
            sections=getattr(self, languages.field_name("sections", shown)),
            toc=getattr(self, languages.field_name("toc", shown)),
            text=getattr(self, languages.field_name("text", shown)),
            fallback=shown != wanted,
        )

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


def _image_name(instance: "ArticleImage", filename: str) -> str:
    """A random name under kb/: the uploader's name never reaches the file system."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"kb/{uuid.uuid4().hex}{suffix}"


class ArticleImage(models.Model):
    """An image uploaded with an article, stored through Django's storage and served by the
    app to whoever may read the article."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="images"
    )
    file = models.FileField(_("image"), upload_to=_image_name, max_length=200)
    description = models.CharField(
        _("description (alt text)"),
        max_length=200,
        validators=[validate_single_line],
        help_text=_("What the image shows, for readers who cannot see it."),
    )
    content_type = models.CharField(_("type"), max_length=40, editable=False)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.description

    @property
    def filename(self) -> str:
        return PurePath(self.file.name or "").name


class ArticleView(models.Model):
    """One visitor read one article on one day (so a reload counts nothing)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(db_index=True)
    visitor = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "day", "visitor"], name="kb_view_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}"


class ArticleVote(models.Model):
    """A reader's answer to "Was this article helpful?"; they may change it."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="votes"
    )
    visitor = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    helpful = models.BooleanField(_("helpful"))
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["article", "visitor"], name="kb_vote_once")]

    def __str__(self) -> str:
        return str(_("Yes") if self.helpful else _("No"))


class SuggestionVisit(models.Model):
    """A client opened this article from the suggestions of the ticket form. With no ticket
    from them in the visit that followed, it is a deflected ticket (the desk's report)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestion_visits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "opened_at"])]

    def __str__(self) -> str:
        return f"{self.article_id} {self.opened_at:%Y-%m-%d %H:%M}"


class SearchMiss(models.Model):
    """A search of the knowledge base that found nothing: what to write next."""

    key = models.CharField(max_length=200)  # folded: "Páginas lentas" and "paginas lentas"
    text = models.CharField(_("search"), max_length=200)  # as last typed
    language = models.CharField(_("language"), max_length=10)
    count = models.PositiveIntegerField(_("times"), default=1)
    last_searched_at = models.DateTimeField(_("last searched"), default=timezone.now)

    class Meta:
        verbose_name = _("search that found nothing")
        verbose_name_plural = _("searches that found nothing")
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="kb_search_miss_once")
        ]

    def __str__(self) -> str:
        return self.text
