"""Indexes for the dashboard's last-days counts of tickets and replies (found by bench/).
Built concurrently on PostgreSQL (chamado.core.migration_ops), so the migration is not atomic."""

from django.db import migrations, models

from chamado.core.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0006_first_response_index")]

    operations = [
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(fields=["created_at"], name="ticket_created"),
        ),
        AddIndexConcurrently(
            model_name="message",
            index=models.Index(fields=["created_at"], name="message_created"),
        ),
    ]
