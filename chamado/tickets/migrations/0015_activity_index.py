"""An index on the last activity alone: search takes the matches of the most recently active
tickets in growing windows (tickets.search) instead of sorting every match. Built concurrently on
PostgreSQL (chamado.core.migration_ops), so the migration is not atomic."""

from django.db import migrations, models

from chamado.core.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0014_message_events")]

    operations = [
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(fields=["-last_activity_at"], name="ticket_activity"),
        ),
    ]
