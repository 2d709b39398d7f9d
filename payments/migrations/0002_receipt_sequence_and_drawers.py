from django.db import migrations

# Receipt and deposit numbers come from database sequences: unique across every web worker and
# never a hot row that all cashiers would queue on.
SEQUENCES = """
CREATE SEQUENCE IF NOT EXISTS payments_receipt_seq START 1000;
CREATE SEQUENCE IF NOT EXISTS payments_deposit_seq START 100;
"""
UNDO = "DROP SEQUENCE IF EXISTS payments_receipt_seq; DROP SEQUENCE IF EXISTS payments_deposit_seq;"


def drawers(apps, schema_editor):
    Drawer = apps.get_model("payments", "Drawer")
    for i in range(1, 9):
        Drawer.objects.get_or_create(
            code=f"D{i:02d}", defaults={"name": f"Counter {i}", "location": "Main lobby"}
        )
    Drawer.objects.get_or_create(
        code="MAIL", defaults={"name": "Mail and drop box", "location": "Back office"}
    )


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [
        migrations.RunSQL(SEQUENCES, UNDO),
        migrations.RunPython(drawers, migrations.RunPython.noop),
    ]
