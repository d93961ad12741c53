from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_api_token_scope")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="notify_ticket_changes",
            field=models.BooleanField(
                default=True,
                help_text="Status changes, transfers, merges and automatic closing of your tickets.",
                verbose_name="changes to my tickets",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="notify_new_tickets",
            field=models.BooleanField(
                default=True,
                help_text="Agents: a ticket opened in, or transferred to, one of your departments.",
                verbose_name="new tickets in my departments",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="notify_client_replies",
            field=models.BooleanField(
                default=True,
                help_text="Agents: a client's reply on a ticket of your departments nobody holds.",
                verbose_name="client replies on unassigned tickets",
            ),
        ),
    ]
