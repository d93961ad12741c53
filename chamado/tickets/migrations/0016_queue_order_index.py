"""The desk queue's own order within a status (priority, waiting since, opened, id), for the
tickets not merged away: a keyset page of the closed queue (tickets.selectors.queue_page) starts
where the previous one ended instead of sorting every closed ticket. Built concurrently on
PostgreSQL (chamado.core.migration_ops), so the migration is not atomic."""

from django.db import migrations, models

from chamado.core.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0015_activity_index")]

    operations = [
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("merged_into", None)),
                fields=["status", "-priority", "waiting_since", "created_at", "id"],
                name="ticket_queue_order",
            ),
        ),
    ]
