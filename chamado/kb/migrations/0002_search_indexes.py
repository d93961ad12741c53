"""Full-text indexes for article search, on PostgreSQL only: one GIN index per language, on
the title (weight A) and plain text (weight B) with that language's accent-insensitive
configuration (core 0002). Written out here as kb.search.search_indexes() was when this was
written, so the migration keeps doing what it did. Built concurrently (no lock on the live
table), so the migration is not atomic."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

LANGUAGES = {"en": ("", "chamado_english"), "pt_br": ("_pt_br", "chamado_portuguese")}


def indexes():
    return [
        GinIndex(
            SearchVector(f"title{suffix}", weight="A", config=config)
            + SearchVector(f"text{suffix}", weight="B", config=config),
            name=f"kb_article_search_{language}",
        )
        for language, (suffix, config) in LANGUAGES.items()
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in indexes():
            schema_editor.add_index(apps.get_model("kb", "Article"), index, concurrently=True)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in indexes():
            schema_editor.remove_index(apps.get_model("kb", "Article"), index, concurrently=True)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("kb", "0001_initial"), ("core", "0002_text_search")]
    operations = [migrations.RunPython(create, drop)]
