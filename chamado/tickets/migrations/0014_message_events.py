"""System notes stored as events (tickets.notes), and the merge notes written before as text
(in English or in Portuguese, whichever the merging agent used) turned into that event, so
every reader gets them in their own language. A note that matches neither stays text.

Not atomic: in one transaction, the lock that adding the columns takes on the message table
would be held while every message is read; this way each step commits at once, and running
the conversion again changes only what is left."""

import re

from django.db import migrations, models

MERGE_NOTES = [
    re.compile(r"^Ticket #(\d+) was merged into this ticket\.$"),
    re.compile(r"^O ticket #(\d+) foi mesclado a este ticket\.$"),
]


def merge_notes_to_events(apps, schema_editor):
    Message = apps.get_model("tickets", "Message")
    notes = Message.objects.filter(source="system", event_code="").only("pk", "body")
    for note in notes.iterator():
        for pattern in MERGE_NOTES:
            if match := pattern.match(note.body.strip()):
                number = int(match.group(1))
                Message.objects.filter(pk=note.pk).update(
                    event_code="ticket.merged",
                    event_params={"source": number},
                    body=f"Ticket #{number} was merged into this ticket.",
                )
                break


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0013_ticket_followers")]

    operations = [
        migrations.AddField(
            model_name="message",
            name="event_code",
            field=models.CharField(blank=True, default="", max_length=40, verbose_name="event"),
        ),
        migrations.AddField(
            model_name="message",
            name="event_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="event details"),
        ),
        migrations.RunPython(merge_notes_to_events, migrations.RunPython.noop),
    ]
