"""Indexes for the dashboard's last-days counts of tickets and replies (found by bench/)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_first_response_index")]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["created_at"], name="ticket_created"),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(fields=["created_at"], name="message_created"),
        ),
    ]
