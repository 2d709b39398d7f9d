from django.db import migrations

APPEND_ONLY = """
CREATE TRIGGER accounts_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON accounts_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
"""
UNDO = "DROP TRIGGER IF EXISTS accounts_ledgerentry_append_only ON accounts_ledgerentry;"


def load(apps, schema_editor):
    from accounts.reference_data import reference_data_sync

    reference_data_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("common", "0002_roles_and_append_only")]

    operations = [
        migrations.RunSQL(APPEND_ONLY, UNDO),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
