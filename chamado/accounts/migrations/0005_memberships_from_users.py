# Each client contact's account and permissions become their first membership.

from django.db import migrations


def memberships_from_users(apps, schema_editor):
    """Each client contact's account and permissions become their first membership (the
    account's first owner stays its owner), and the account they act for."""
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "Membership")
    owned = set()
    for user in User.objects.exclude(account=None).order_by("pk").iterator():
        is_owner = user.is_account_owner and user.account_id not in owned
        if is_owner:
            owned.add(user.account_id)
        membership = Membership.objects.create(
            user_id=user.pk,
            account_id=user.account_id,
            is_owner=is_owner,
            can_tickets=user.can_tickets or user.is_account_owner,
        )
        User.objects.filter(pk=user.pk).update(membership=membership)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_memberships")]

    operations = [migrations.RunPython(memberships_from_users, migrations.RunPython.noop)]
