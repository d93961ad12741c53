"""The one policy row, so that reading the policy never writes (Policy.current)."""

from django.db import migrations


def policy_row(apps, schema_editor):
    Policy = apps.get_model("tickets", "Policy")
    Policy.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0008_submission_key_single_line")]

    operations = [migrations.RunPython(policy_row, migrations.RunPython.noop)]
