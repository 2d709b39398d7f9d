from django.db import migrations, models
from django.db.models.functions import Lower

import accounts.models.customers


def to_supported(apps, schema_editor):  # type: ignore[no-untyped-def]
    """The free-text values become a shipped language: any Spanish spelling ("ES", "es-MX",
    "spa") becomes "es"; anything without a catalogue ("vi", "zh", "other") becomes "en", the
    language those customers' documents were already printed in."""
    Customer = apps.get_model("accounts", "Customer")
    Customer.objects.annotate(low=Lower("preferred_language")).filter(
        models.Q(low__startswith="es") | models.Q(low="spa")
    ).exclude(preferred_language="es").update(preferred_language="es")
    Customer.objects.exclude(preferred_language__in=["en", "es"]).update(preferred_language="en")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_customer_phone_last4"),
    ]

    operations = [
        migrations.RunPython(to_supported, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="customer",
            name="preferred_language",
            field=models.CharField(
                choices=accounts.models.customers.language_choices,
                default="en",
                help_text="the language of the customer's notices, letters and receipts",
                max_length=8,
            ),
        ),
    ]
