"""A starting checklist per kind of work; administrators edit it in the admin."""

from django.db import migrations


def forwards(apps, schema_editor):
    from reports.quality_checklist import checklist_defaults_sync

    checklist_defaults_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_quality")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
