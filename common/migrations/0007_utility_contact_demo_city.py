"""The demo city's contact details: the one row every document prints (administrators change it
in the admin). Numbers are in the 555-01xx range kept for fiction."""

from django.db import migrations

DEMO_CITY = {
    "name": "City Utilities",
    "customer_service_phone": "(602) 555-0100",
    "counseling_phone": "(602) 555-0123",
    "emergency_phone": "(602) 555-0199",
    "office_hours": "Monday to Friday, 8 a.m. to 5 p.m.",
    "office_address": "200 W Washington St, Phoenix, AZ 85003",
    "web": "utilities.example.gov",
    "email": "customerservice@utilities.example.gov",
}


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("common", "UtilityContact").objects.get_or_create(pk=1, defaults=DEMO_CITY)


class Migration(migrations.Migration):
    dependencies = [("common", "0006_utility_contact")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
