"""The demo city's contact details: the one row every document prints (administrators change it
in the admin)."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from common.contact import contact_ensure

    contact_ensure(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("common", "0006_utility_contact")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
