"""Index for the expected wait: a department's first responses of the last days (bench/).
Built concurrently on PostgreSQL (chamado.core.migration_ops), so the migration is not atomic."""

from django.db import migrations, models

from chamado.core.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0005_canned_replies")]

    operations = [
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                fields=["department", "first_response_at"], name="ticket_first_response"
            ),
        ),
    ]
