"""Referring a customer to an assistance agency (issue 16): the counselor lands on a confirmation
(what was recorded, for which agency, whether a pledge holds a shutoff) with a link to print the
letter, and the counselor's internal note never reaches the customer's letter."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory, charge
from conftest import ROLE_NAMES, assert_access, pdf_text
from counseling.models import Letter, Referral
from counseling.services.agencies import pledge_record
from counseling.tests.factories import agency

pytestmark = pytest.mark.django_db
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES
TODAY = timezone.localdate()
NUMBER = "0000661602"
NOTE = "Customer sounded evasive about household income; check again in March"


@pytest.fixture
def account():
    account = AccountFactory(number=NUMBER)
    charge(account, "400.00", due=TODAY - timedelta(days=40))
    return account


def _refer(client, valley):  # type: ignore[no-untyped-def]
    return client.post(
        f"/counseling/accounts/{NUMBER}/referral/",
        {"agency": valley.pk, "program": "LIHEAP", "note": NOTE},
        follow=True,
    )


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_submitting_a_referral_shows_a_confirmation_with_a_link_to_print_the_letter(role_clients, account):
    valley = agency()
    response = _refer(role_clients[COUNSELOR], valley)
    assert response["Content-Type"].startswith("text/html")
    referral = Referral.objects.get()
    assert response.redirect_chain[-1][0] == f"/counseling/referrals/{referral.pk}/"
    text = _text(response)
    assert "Referral recorded" in text and text.count("Referral recorded") == 1
    assert "Valley Community Action" in text and "LIHEAP" in text
    assert "No pledge from an agency yet" in text  # no pledge: no shutoff held by the referral
    letter = Letter.objects.get(kind="referral", subject_id=referral.pk)
    assert f'href="/counseling/letters/{letter.pk}.pdf"' in response.content.decode()
    assert NOTE in text and "not printed on the customer's letter" in text


def test_the_confirmation_shows_a_pending_pledge_and_its_shutoff_hold(role_clients, account, make_user):
    valley = agency()
    pledge = pledge_record(
        account_id=account.pk,
        agency_id=valley.pk,
        program="LIHEAP",
        amount=Decimal("150.00"),
        pledged_on=TODAY,
        expected_by=TODAY + timedelta(days=20),
        reference="V-1",
        counselor=make_user("carla", "Counselor"),
    )
    text = _text(_refer(role_clients[COUNSELOR], valley))
    assert "Pledge $150.00 from Valley Community Action" in text
    assert f"any shutoff is held until {pledge.expected_by:%b %d, %Y}" in text


def test_the_internal_note_is_never_printed_on_the_customers_letter(role_clients, account):
    _refer(role_clients[COUNSELOR], agency())
    letter = Letter.objects.get(kind="referral")
    response = role_clients[COUNSELOR].get(f"/counseling/letters/{letter.pk}.pdf")
    text = pdf_text(b"".join(response.streaming_content) if response.streaming else response.content)
    assert "Valley Community Action" in text
    assert "evasive" not in text and "March" not in text and "Note:" not in text


def test_the_confirmation_page_by_role(role_clients, account):
    _refer(role_clients[COUNSELOR], agency())
    referral = Referral.objects.get()
    assert_access(role_clients, f"/counseling/referrals/{referral.pk}/", {COUNSELOR, SUPERVISOR})
