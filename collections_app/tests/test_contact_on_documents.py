"""Every customer document gives the utility's phone numbers, office hours and address, from the
one row administrators edit (common.UtilityContact, seeded by common 0007), through one include
(issue 16). The shutoff notice lists every active assistance agency."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from collections_app.pdf_notices import notice_batch_pdf
from collections_app.services.notices import notice_batch_build
from collections_app.tests.billing import bill, use_policy
from common.models import AuditEvent, UtilityContact
from conftest import pdf_text
from counseling.models import Agency, Letter
from counseling.pdf import letter_pdf
from counseling.services.agencies import referral_create
from counseling.tests.factories import agency
from payments.pdf import nsf_letter_pdf, receipt_pdf
from payments.services.returns import tender_return
from payments.tests.factories import cash, check, open_session, post

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
# What a customer receives; staff documents (drawer report, deposit slip, route sheet, monthly
# report) carry no contact block.
CUSTOMER_DOCUMENTS = [
    "templates/counseling/pdf/_letter.html",
    "templates/collections_app/pdf/notice_page.html",
    "templates/collections_app/pdf/referral_letter.html",
    "templates/collections_app/pdf/credit_letter.html",
    "templates/payments/pdf/nsf_letter.html",
    "templates/payments/pdf/receipt.html",
]


def _shutoff_notice_text(officer) -> str:  # type: ignore[no-untyped-def]
    use_policy("DEFAULT")
    bill(AccountFactory(), "180.00", due=date(2026, 9, 1), billed=date(2026, 8, 11))
    batch = notice_batch_build(kind="shutoff", business_date=date(2026, 10, 21), actor=officer)
    return pdf_text(notice_batch_pdf(batch))


def test_the_demo_city_contact_row_is_seeded():
    contact = UtilityContact.objects.get()
    assert contact.pk == 1 and contact.customer_service_phone == "(602) 555-0180"


@pytest.mark.parametrize("path", CUSTOMER_DOCUMENTS)
def test_every_customer_document_prints_the_one_contact_include(path):
    text = (ROOT / path).read_text()
    assert '{% include "common/pdf/_contact.html" %}' in text
    assert not re.search(r"Call (Credit Counseling|Customer Service)\.", text), "a phone number, not a name"


def test_a_counseling_letter_gives_the_phone_numbers_hours_and_address(make_user):
    counselor = make_user("cora", "Counselor")
    account = AccountFactory()
    referral = referral_create(
        account_id=account.pk, agency_id=agency().pk, program="LIHEAP", note="", counselor=counselor
    )
    text = pdf_text(letter_pdf(Letter.objects.get(kind="referral", subject_id=referral.pk)))
    assert "Customer Service (602) 555-0180" in text
    assert "Credit Counseling (602) 555-0123" in text
    assert "Emergencies and after hours (602) 555-0190" in text
    assert "Monday to Friday, 8 a.m. to 5 p.m." in text and "200 W Washington St, Phoenix" in text
    assert "Call Credit Counseling." not in text


def test_the_shutoff_notice_gives_the_phone_number_and_an_edit_reaches_it(make_user):
    officer = make_user("olive", "Collections officer")
    assert "Customer Service (602) 555-0180" in _shutoff_notice_text(officer)
    UtilityContact.objects.filter(pk=1).update(customer_service_phone="(602) 555-0177")
    assert "Customer Service (602) 555-0177" in _shutoff_notice_text(officer)


def test_the_shutoff_notice_lists_every_active_agency(make_user):
    officer = make_user("olive", "Collections officer")
    names = ["Agency A", "Agency B", "Agency C", "Agency D", "Agency E", "Agency F"]
    for name in names:
        agency(name)
    Agency.objects.create(name="Closed Agency", programs="LIHEAP", active=False)
    text = _shutoff_notice_text(officer)
    assert all(name in text for name in names), text
    assert "Closed Agency" not in text


def test_the_receipt_and_the_returned_payment_letter_give_the_phone_number(make_user):
    cashier = make_user("cash", "Cashier")
    account = AccountFactory()
    bill(account, "100.00", due=date(2026, 9, 1), billed=date(2026, 8, 11))
    txn = post(
        open_session(cashier), cashier, (account, "80.00"), tenders=[cash("30.00"), check("50.00", "77")]
    )
    assert "Customer Service (602) 555-0180" in pdf_text(receipt_pdf(txn, copy=False))
    item = tender_return(
        tender_id=txn.tenders.get(kind="check").pk, returned_on=timezone.localdate(), reason="NSF",
        actor=cashier, idempotency_key="contact-test",
    )  # fmt: skip
    assert "Customer Service (602) 555-0180" in pdf_text(nsf_letter_pdf(item))


def test_administrators_edit_the_contact_details_in_the_admin_audited(role_clients):
    url = "/admin/common/utilitycontact/1/change/"
    for role in ("Counselor", "Cashier", "Collections officer", "Supervisor"):
        assert role_clients[role].get(url).status_code == 403, role
    admin = role_clients["Administrator"]
    assert admin.get(url).status_code == 200
    assert admin.get("/admin/common/utilitycontact/add/").status_code == 403  # one row, never a second
    data = {
        "name": "City Utilities", "customer_service_phone": "(602) 555-0111",
        "counseling_phone": "(602) 555-0123", "emergency_phone": "(602) 555-0190",
        "office_hours": "Mon-Thu 7-6", "office_address": "1 Main St",
        "web": "utilities.example.gov", "email": "cs@utilities.example.gov",
    }  # fmt: skip
    assert admin.post(url, data).status_code == 302
    assert UtilityContact.objects.get().customer_service_phone == "(602) 555-0111"
    assert AuditEvent.objects.filter(verb="admin.change.utilitycontact").exists()
