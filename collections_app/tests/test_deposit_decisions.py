"""Deposit decisions (rules.md §1.6): requiring a deposit stores what the policy decided (charged,
or waived at $0 by a letter of credit), and a refund after good payment or on the final bill is
stored too; the account's deposit page shows the Why. A rolled-back requirement stores nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import DecisionKind, DecisionOutcome, PolicyDecision
from accounts.tests.factories import AccountFactory
from collections_app.services import deposits as deposit_services
from collections_app.services.deposits_nightly import deposits_nightly_run
from collections_app.tests.billing import bill, use_policy
from collections_app.tests.test_deposits import (
    FLAT_100,
    START,
    _held_deposit,
    _require,
    _year_of_bills,
    cashier,  # noqa: F401 (fixture)
    officer,  # noqa: F401 (fixture)
)
from conftest import ROLE_NAMES

pytestmark = pytest.mark.django_db
COLLECTOR = ROLE_NAMES[2]


def _decisions(account) -> list[PolicyDecision]:  # type: ignore[no-untyped-def]
    return list(PolicyDecision.objects.filter(account=account, kind=DecisionKind.DEPOSIT).order_by("id"))


def test_a_required_deposit_is_stored_as_charged_and_shown_on_the_deposit_page(officer, role_clients):  # noqa: F811
    version = use_policy("UT_ST_GEORGE")  # renters $125
    account = AccountFactory(occupancy="tenant")
    deposit = _require(account, officer, installments=3)
    (d,) = _decisions(account)
    assert (d.outcome, d.amount, d.code) == (
        DecisionOutcome.CHARGED,
        Decimal("125.00"),
        deposit.explanation["code"],
    )
    assert d.reason == deposit.explanation["reason"] and d.reason.startswith("Flat renter deposit")
    assert d.citation == deposit.explanation["citation"] != ""
    assert d.policy_version == version and d.subject == f"deposit:{deposit.pk}" and d.made_by == officer
    assert d.checks == [{"code": d.code, "outcome": "satisfied", "reason": d.reason, "citation": d.citation}]
    page = role_clients[COLLECTOR].get(f"/collections/accounts/{account.number}/deposit/").content.decode()
    assert 'data-kind="deposit"' in page and "Why:</strong> Flat renter deposit" in page
    assert f"Test policy v{version.version}" in page


def test_a_letter_of_credit_waiver_is_stored_as_waived(officer):  # noqa: F811
    use_policy("AZ_PHOENIX_WATER")
    account = AccountFactory()
    _year_of_bills(account, ["90.00"] * 6, last_due=START - timedelta(days=5))
    _require(account, officer, letter_of_credit=True, credit_history_months=12)
    (d,) = _decisions(account)
    assert (d.outcome, d.amount) == (DecisionOutcome.WAIVED, Decimal("0.00"))
    assert "letter of credit" in d.reason


def test_a_refund_after_good_payment_is_stored_with_the_engines_refund_check(officer, cashier):  # noqa: F811
    version = use_policy("DEFAULT", **FLAT_100)
    account = AccountFactory()
    deposit = _held_deposit(account, officer, cashier)
    deposits_nightly_run(business_date=date(2026, 11, 3))
    deposit.refresh_from_db()
    required, refund = _decisions(account)
    assert required.outcome == DecisionOutcome.CHARGED
    assert (refund.outcome, refund.code, refund.amount) == (
        DecisionOutcome.ALLOWED,
        "DEPOSIT_REFUND",
        Decimal("100.00"),
    )
    review = deposit.explanation["last_review"]
    assert refund.reason.startswith(review["reason"]) and "$0.00 applied to what is owed" in refund.reason
    assert refund.citation == review["citation"] and refund.policy_version == version
    assert refund.checks[0]["reason"] == review["reason"] and refund.subject == f"deposit:{deposit.pk}"


def test_the_final_bill_application_is_stored(officer, cashier):  # noqa: F811
    use_policy("DEFAULT", **FLAT_100)
    account = AccountFactory()
    _held_deposit(account, officer, cashier)
    bill(account, "40.00", due=date(2026, 4, 20), billed=date(2026, 4, 1), final=True)
    deposits_nightly_run(business_date=date(2026, 4, 2))
    refund = _decisions(account)[-1]
    assert (refund.outcome, refund.code, refund.amount) == (
        DecisionOutcome.ALLOWED,
        "DEPOSIT_FINAL_BILL",
        Decimal("100.00"),
    )
    assert refund.reason.startswith("Service ended: the held deposit of $100.00 pays the final bill")


def test_a_requirement_that_rolls_back_stores_no_decision(officer, monkeypatch):  # noqa: F811
    use_policy("UT_ST_GEORGE")
    account = AccountFactory(occupancy="tenant")

    def boom(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("audit failed")

    monkeypatch.setattr(deposit_services, "audit_record", boom)
    with pytest.raises(RuntimeError):
        _require(account, officer)
    assert _decisions(account) == []
