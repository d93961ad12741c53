"""Index for the expected wait: a department's first responses of the last days (bench/)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_canned_replies")]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["department", "first_response_at"], name="ticket_first_response"
            ),
        ),
    ]
