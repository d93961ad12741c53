from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_user_account_removed")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Read only"), ("write", "Read and write")],
                default="write",
                help_text="A read-only token may only read (GET); every write answers 403.",
                max_length=5,
                verbose_name="scope",
            ),
        ),
    ]
