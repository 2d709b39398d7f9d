"""The standard letters shipped (letters.standard_texts), as version 1."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from letters.standard_texts import standard_letters_ensure

    standard_letters_ensure(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_standard_and_sent_letters")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
