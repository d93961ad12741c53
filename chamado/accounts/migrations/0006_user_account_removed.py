# User.account and its permission flags live in Membership now (0004, 0005).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_memberships_from_users")]

    operations = [
        migrations.RemoveField(
            model_name='user',
            name='account',
        ),
        migrations.RemoveField(
            model_name='user',
            name='can_tickets',
        ),
        migrations.RemoveField(
            model_name='user',
            name='is_account_owner',
        ),
    ]
