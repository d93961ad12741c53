"""The desk's search ignores accents: its GIN index moves from the 'simple' configuration to
'chamado_simple' (simple + unaccent, made by core 0002), on PostgreSQL only. The index is
written out here, as the code's tickets.search.search_index() was when this was written.
Both are built and dropped concurrently (no lock on the live table), so the migration is not
atomic."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations


def old_index():
    return GinIndex(SearchVector("search_document", config="simple"), name="ticket_search_gin")


def new_index():
    return GinIndex(
        SearchVector("search_document", config="chamado_simple"),
        name="ticket_search_unaccent_gin",
    )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        ticket = apps.get_model("tickets", "Ticket")
        schema_editor.add_index(ticket, new_index(), concurrently=True)
        schema_editor.remove_index(ticket, old_index(), concurrently=True)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        ticket = apps.get_model("tickets", "Ticket")
        schema_editor.add_index(ticket, old_index(), concurrently=True)
        schema_editor.remove_index(ticket, new_index(), concurrently=True)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0009_policy_row"), ("core", "0002_text_search")]
    operations = [migrations.RunPython(forwards, backwards)]
