"""The three departments every installation starts with (Support, Sales, Billing)."""

from django.db import migrations

DEFAULTS = [
    ("support", "Support", "Suporte", "Technical problems with a service you contract.",
     "Problemas técnicos com um serviço contratado.", False),
    ("sales", "Sales", "Comercial", "Plans, upgrades and new services.",
     "Planos, upgrades e novos serviços.", True),
    ("billing", "Billing", "Financeiro", "Invoices, payments and refunds.",
     "Faturas, pagamentos e reembolsos.", False),
]


def create(apps, schema_editor):
    Department = apps.get_model("tickets", "Department")
    for position, (slug, name, name_pt, description, description_pt, no_service) in enumerate(
        DEFAULTS
    ):
        Department.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_pt_br": name_pt,
                "description": description,
                "description_pt_br": description_pt,
                "position": position,
                "allows_no_service": no_service,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
