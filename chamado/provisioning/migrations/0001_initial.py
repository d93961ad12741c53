import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ExternalId",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("account", "client account"), ("contact", "contact"), ("service", "service")], max_length=10, verbose_name="kind")),
                ("external_id", models.CharField(max_length=100, verbose_name="external id")),
                ("object_id", models.BigIntegerField(verbose_name="object id")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created")),
            ],
            options={"verbose_name": "external id", "verbose_name_plural": "external ids"},
        ),
        migrations.AddConstraint(
            model_name="externalid",
            constraint=models.UniqueConstraint(fields=("kind", "external_id"), name="external_id_once"),
        ),
        migrations.AddConstraint(
            model_name="externalid",
            constraint=models.UniqueConstraint(fields=("kind", "object_id"), name="external_id_one_per_object"),
        ),
    ]
