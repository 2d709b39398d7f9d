"""The utility's contact details for documents: the one context helper every PDF render uses."""

from django.apps import apps as global_apps
from django.apps.registry import Apps

from common.models import UtilityContact

# The demo city's details, numbers in the 555-01xx range kept for fiction. Made by migration
# common 0007 and ensured after every migrate (a test database flush empties the table); a row
# an administrator edited is never overwritten.
DEMO_CITY = {
    "name": "City Utilities",
    "customer_service_phone": "(602) 555-0180",
    "counseling_phone": "(602) 555-0123",
    "emergency_phone": "(602) 555-0190",
    "office_hours": "Monday to Friday, 8 a.m. to 5 p.m.",
    "office_address": "200 W Washington St, Phoenix, AZ 85003",
    "web": "utilities.example.gov",
    "email": "customerservice@utilities.example.gov",
}


def contact_ensure(*, apps: Apps = global_apps) -> None:
    apps.get_model("common", "UtilityContact").objects.get_or_create(pk=1, defaults=DEMO_CITY)


def utility_contact() -> UtilityContact:
    """The one row, or an unsaved blank one before the data migration has run (a document then
    prints no number rather than failing)."""
    return UtilityContact.objects.filter(pk=1).first() or UtilityContact(pk=1)


def contact_context() -> dict[str, UtilityContact]:
    """What templates/common/pdf/_contact.html reads; merged into every PDF's context."""
    return {"contact": utility_contact()}
