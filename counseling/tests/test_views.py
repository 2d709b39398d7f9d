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


def _interview_post(income: str, housing: str = "1,100.00"):  # type: ignore[no-untyped-def]
    return {
        "household_size": "3",
        "region": "contiguous",
        "hardship_reason": "job_loss",
        "benefits": ["snap"],
        "housing": housing,
        "utilities_other": "0",
        "food": "$450",
        "medical": "0",
        "transportation": "0",
        "childcare": "0",
        "debt_payments": "0",
        "other_expenses": "0",
        "income-TOTAL_FORMS": "1",
        "income-INITIAL_FORMS": "0",
        "income-0-kind": "wages",
        "income-0-amount": income,
        "income-0-frequency": "monthly",
        "member-TOTAL_FORMS": "0",
        "member-INITIAL_FORMS": "0",
    }


def test_an_income_typed_with_a_thousands_comma_is_taken_and_shown_with_separators(role_clients, account):
    """Demo city: "1,200.00" was refused as an income, and the interview page showed
    "$23280.00" and the benefit code "snap"."""
    from counseling.models import HardshipInterview

    response = role_clients[COUNSELOR].post(
        "/counseling/accounts/0000660001/interview/", _interview_post("1,200.00"), follow=True
    )
    interview_row = HardshipInterview.objects.get(account=account)
    assert interview_row.incomes.get().amount == Decimal("1200.00")
    page = response.content.decode()
    assert "$14,400.00" in page  # 1,200.00 a month, a year
    assert "$1,100.00" in page or "$1,550.00" in page  # expenses with their separator
    assert "14400.00" not in page
    assert "snap" not in page and "SNAP / CalFresh" in page


@pytest.mark.parametrize("typed", ["1.200,00", "1,20", "12,5", "1.2.0", "12 dollars"])
def test_an_ambiguous_amount_is_refused_with_a_message_and_nothing_is_saved(role_clients, account, typed):
    from counseling.models import HardshipInterview

    page = (
        role_clients[COUNSELOR]
        .post("/counseling/accounts/0000660001/interview/", _interview_post(typed))
        .content.decode()
    )
    assert not HardshipInterview.objects.exists()
    assert "type it like 1,200.00 or 1200" in page
