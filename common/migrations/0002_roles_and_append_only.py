from django.db import migrations

# One trigger function for every append-only table (audit trail now, the ledger later): an
# UPDATE or DELETE is refused by the database itself, whatever code path attempts it.
FORBID_CHANGE = """
CREATE OR REPLACE FUNCTION forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER common_auditevent_append_only
    BEFORE UPDATE OR DELETE ON common_auditevent
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
"""
UNDO = """
DROP TRIGGER IF EXISTS common_auditevent_append_only ON common_auditevent;
DROP FUNCTION IF EXISTS forbid_change();
"""


def create_role_groups(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    from common.roles import roles_sync

    # Permissions are normally created after all migrations; the groups need them now.
    for label in ("common", "auth", "axes"):
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0)
    roles_sync(apps=apps)


def drop_role_groups(apps, schema_editor):
    from common.roles import ROLE_NAMES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        migrations.RunSQL(FORBID_CHANGE, UNDO),
        migrations.RunPython(create_role_groups, drop_role_groups),
    ]
