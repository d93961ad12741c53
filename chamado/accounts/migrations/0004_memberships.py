# Client contacts in several accounts: User.account and its permission flags become Membership rows.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from chamado.core.migration_ops import AddIndexConcurrently, field_index_name


class Migration(migrations.Migration):
    # User.membership's index is built concurrently on PostgreSQL (chamado.core.migration_ops):
    # the state adds the field as it is, the database adds it without its index, then the index
    # Django would have made, under Django's name for it.
    atomic = False

    dependencies = [
        ('accounts', '0003_single_line_names'),
    ]

    operations = [
        migrations.CreateModel(
            name='Membership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('is_owner', models.BooleanField(default=False, help_text='The owner has every permission.', verbose_name='account owner')),
                ('can_tickets', models.BooleanField(default=False, help_text="Open and see the account's tickets.", verbose_name='tickets')),
                ('can_contacts', models.BooleanField(default=False, help_text='Invite, change and remove contacts.', verbose_name='contacts')),
                ('can_services', models.BooleanField(default=False, help_text="See the account's services.", verbose_name='services')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='added')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='accounts.account', verbose_name='client account')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'contact',
                'verbose_name_plural': 'contacts',
                'ordering': ['-is_owner', 'user__full_name', 'user__email'],
            },
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name='user',
                    name='membership',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.membership', verbose_name='current client account'),
                ),
            ],
            database_operations=[
                migrations.AddField(
                    model_name='user',
                    name='membership',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.membership', verbose_name='current client account'),
                ),
                AddIndexConcurrently(
                    model_name='user',
                    index=models.Index(
                        fields=['membership'],
                        name=field_index_name('accounts_user', 'membership_id'),
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.UniqueConstraint(fields=('user', 'account'), name='membership_once'),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.UniqueConstraint(condition=models.Q(('is_owner', True)), fields=('account',), name='account_one_owner'),
        ),
    ]
