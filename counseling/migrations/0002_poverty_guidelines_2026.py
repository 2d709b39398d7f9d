from django.db import migrations


def load(apps, schema_editor):
    from counseling.reference_data import reference_data_sync

    reference_data_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("counseling", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
