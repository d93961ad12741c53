"""Full-text index for the desk's search: a GIN index on PostgreSQL, nothing on SQLite."""

from django.db import migrations

from chamado.tickets.search import search_index


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("tickets", "Ticket"), search_index())


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("tickets", "Ticket"), search_index())


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_desk_sla_search_merge")]
    operations = [migrations.RunPython(create, drop)]
