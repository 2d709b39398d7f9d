from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory, charge
from conftest import ROLE_NAMES, assert_access
from counseling.services.agencies import pledge_record
from counseling.tests.factories import agency, interview

pytestmark = pytest.mark.django_db
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES
TODAY = timezone.localdate()


@pytest.fixture
def account():
    account = AccountFactory(number="0000660001")
    charge(account, "200.00", due=TODAY - timedelta(days=40))
    return account


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/counseling/", {COUNSELOR, SUPERVISOR}),  # README: supervisors hold the desk
        ("/counseling/accounts/0000660001/interview/", {COUNSELOR, SUPERVISOR}),
        ("/counseling/accounts/0000660001/arrangement/", {COUNSELOR, SUPERVISOR}),
        ("/counseling/accounts/0000660001/pledge/", {COUNSELOR, SUPERVISOR}),
        ("/counseling/accounts/0000660001/referral/", {COUNSELOR, SUPERVISOR}),
        ("/counseling/accounts/0000660001/enroll/", {COUNSELOR, SUPERVISOR}),
        ("/counseling/approvals/", {SUPERVISOR}),
        ("/counseling/agencies/", {COUNSELOR, SUPERVISOR, ADMIN}),
        ("/counseling/escalations/", {COUNSELOR, SUPERVISOR}),
        ("/counseling/letters/", {COUNSELOR, SUPERVISOR}),
    ],
)
def test_counseling_pages_by_role(role_clients, account, path, allowed):
    assert_access(role_clients, path, allowed)


def test_pledge_form_holds_and_shows_on_the_account_page(role_clients, account):
    client = role_clients[COUNSELOR]
    response = client.post(
        "/counseling/accounts/0000660001/pledge/",
        {
            "agency": agency().pk,
            "program": "",
            "amount": "150.00",
            "pledged_on": TODAY.isoformat(),
            "expected_by": "",
            "reference": "V-77",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "any shutoff is held until" in page
    assert "Pledge $150.00 from Valley Community Action" in page
    flags = {f.code for f in response.context["flags"]}
    assert "pledge" in flags


def test_bad_pledge_input_is_explained(role_clients, account):
    page = (
        role_clients[COUNSELOR]
        .post(
            "/counseling/accounts/0000660001/pledge/",
            {"agency": agency().pk, "amount": "-5", "pledged_on": "next week"},
        )
        .content.decode()
    )
    assert "Ensure this value is greater than or equal to 0.01." in page and "Enter a valid date." in page


def test_a_pledge_above_the_balance_is_refused_by_the_form_saving_nothing(role_clients, account):
    from counseling.models import Pledge

    response = role_clients[COUNSELOR].post(
        "/counseling/accounts/0000660001/pledge/",
        {"agency": agency().pk, "amount": "900.00", "pledged_on": TODAY.isoformat(), "reference": "V-9"},
    )
    assert response.status_code == 200
    assert "more than the $200.00 the account owes" in response.content.decode()
    assert not Pledge.objects.exists()


def test_interview_form_explains_bad_input(role_clients, account):
    page = (
        role_clients[COUNSELOR]
        .post(
            "/counseling/accounts/0000660001/interview/",
            {
                "household_size": "0",
                "region": "contiguous",
                "hardship_reason": "job_loss",
                "income-TOTAL_FORMS": "1",
                "income-INITIAL_FORMS": "0",
                "income-0-amount": "100",
                "member-TOTAL_FORMS": "0",
                "member-INITIAL_FORMS": "0",
            },
        )
        .content.decode()
    )
    assert "Ensure this value is greater than or equal to 1." in page and "Choose the kind of income." in page


def test_account_page_shows_interview_and_pledge_in_the_timeline(role_clients, account, make_user):
    counselor = make_user("c2", "Counselor")
    interview(account, counselor)
    pledge_record(
        account_id=account.pk,
        agency_id=agency().pk,
        program="",
        amount=Decimal("50"),
        pledged_on=TODAY,
        expected_by=None,
        reference="",
        counselor=counselor,
    )
    ctx = role_clients[COUNSELOR].get("/accounts/0000660001/").context
    kinds = {i.kind for i in ctx["timeline"]}
    assert {"interview", "pledge"} <= kinds
    assert {"low_income", "pledge"} <= {f.code for f in ctx["flags"]}
