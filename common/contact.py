"""The utility's contact details for documents: the one context helper every PDF render uses."""

from common.models import UtilityContact


def utility_contact() -> UtilityContact:
    """The one row, or an unsaved blank one before the data migration has run (a document then
    prints no number rather than failing)."""
    return UtilityContact.objects.filter(pk=1).first() or UtilityContact(pk=1)


def contact_context() -> dict[str, UtilityContact]:
    """What templates/common/pdf/_contact.html reads; merged into every PDF's context."""
    return {"contact": utility_contact()}
