"""Stored policy decisions: recorded by services, listed on the account's Policy decisions page
the way a shutoff decision is shown, on the timeline, and never for a change that rolled back."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import DecisionKind, DecisionOutcome, PolicyDecision
from accounts.services.decisions import decision_from_amount, decision_record, outcome_for_amount
from accounts.tests.factories import AccountFactory
from conftest import ROLE_NAMES, assert_access
from policy.selectors import current_policy
from policy_engine.decision import Amount, RuleCheck

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES


def _version_id() -> int:
    return current_policy()[1].pk


def test_a_fee_decision_keeps_amount_reason_citation_version_and_checks():
    account = AccountFactory()
    fee = Amount("NSF_FEE", Decimal("25.00"), "Returned payment fee $25.00 (nsf.fee).", "utility policy")
    d = decision_from_amount(
        fee,
        account_id=account.pk,
        kind=DecisionKind.NSF,
        as_of=TODAY,
        policy_version_id=_version_id(),
        subject="payment:9",
    )
    d.refresh_from_db()
    assert (d.outcome, d.amount, d.code, d.citation) == (
        DecisionOutcome.CHARGED,
        Decimal("25.00"),
        "NSF_FEE",
        "utility policy",
    )
    assert d.checks == [
        {"code": "NSF_FEE", "outcome": "satisfied", "reason": fee.reason, "citation": "utility policy"}
    ]
    assert d.policy_version.version == current_policy()[1].version


def test_a_posted_amount_that_differs_from_the_policy_says_so():
    account = AccountFactory()
    fee = Amount("RECONNECT_FEE", Decimal("50.00"), "Reconnection $50.00.", "utility policy")
    d = decision_from_amount(
        fee,
        account_id=account.pk,
        kind=DecisionKind.RECONNECT_FEE,
        as_of=TODAY,
        policy_version_id=_version_id(),
        charged=Decimal("0.00"),
    )
    assert d.outcome == DecisionOutcome.WAIVED
    assert "posted 0.00, policy computed 50.00" in d.reason


def test_zero_is_waived_and_none_is_waived():
    assert outcome_for_amount(Decimal("0.00")) == DecisionOutcome.WAIVED
    assert outcome_for_amount(None) == DecisionOutcome.WAIVED
    assert outcome_for_amount(Decimal("0.01")) == DecisionOutcome.CHARGED


def test_rule_checks_are_stored_with_their_dates_as_text():
    account = AccountFactory()
    check = RuleCheck(
        "ARRANGEMENT_COOLDOWN",
        "blocked",
        "Broken plan 3 months ago.",
        "utility policy",
        until=TODAY + timedelta(days=90),
    )
    d = decision_record(
        account_id=account.pk,
        kind=DecisionKind.ARRANGEMENT,
        outcome=DecisionOutcome.REFUSED,
        code=check.code,
        reason=check.reason,
        as_of=TODAY,
        policy_version_id=_version_id(),
        checks=[check],
    )
    d.refresh_from_db()
    assert d.checks[0]["until"] == (TODAY + timedelta(days=90)).isoformat()
    assert d.checks[0]["outcome"] == "blocked"


def test_a_rolled_back_change_leaves_no_decision():
    account = AccountFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        decision_record(
            account_id=account.pk,
            kind=DecisionKind.LATE_FEE,
            outcome=DecisionOutcome.CHARGED,
            code="LATE_FEE",
            reason="x",
            as_of=TODAY,
            policy_version_id=_version_id(),
            amount=Decimal("5.00"),
        )
        raise RuntimeError("the fee's transaction failed")
    assert not PolicyDecision.objects.filter(account=account).exists()


@pytest.fixture
def decided(make_user):
    account = AccountFactory(number="0000700001")
    officer = make_user("olga", "Collections officer")
    for i in range(3):
        decision_record(
            account_id=account.pk,
            kind=DecisionKind.LATE_FEE,
            outcome=DecisionOutcome.CHARGED,
            code="LATE_FEE",
            reason=f"Late fee number {i}: 1.5% of $100.00.",
            citation="utility policy",
            amount=Decimal("1.50"),
            as_of=TODAY,
            policy_version_id=_version_id(),
            actor=officer,
            subject=f"bill:{i}",
        )
    decision_record(
        account_id=account.pk,
        kind=DecisionKind.ARRANGEMENT,
        outcome=DecisionOutcome.REFUSED,
        code="ARRANGEMENT_LIMIT",
        reason="One open arrangement at a time.",
        as_of=TODAY,
        policy_version_id=_version_id(),
        checks=[
            RuleCheck("ARRANGEMENT_LIMIT", "blocked", "One open arrangement at a time.", "utility policy"),
            RuleCheck("ARRANGEMENT_MONTHS", "satisfied", "Up to 12 months.", "utility policy"),
        ],
    )
    return account


def test_the_page_shows_each_decision_like_a_shutoff_decision(role_clients, decided):
    page = role_clients[COUNSELOR].get(f"/accounts/{decided.number}/decisions/").content.decode()
    assert page.count('data-testid="policy-decision"') == 4
    assert "One open arrangement at a time." in page and "Refused" in page
    assert "Every rule checked (2)" in page and "ARRANGEMENT_MONTHS" in page
    assert f"v{current_policy()[1].version}" in page and "olga" in page
    only = (
        role_clients[COUNSELOR]
        .get(f"/accounts/{decided.number}/decisions/?kind=arrangement")
        .content.decode()
    )
    assert only.count('data-testid="policy-decision"') == 1


def test_the_page_costs_the_same_queries_for_4_decisions_or_40(role_clients, decided):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = role_clients[COUNSELOR]
    with CaptureQueriesContext(connection) as few:
        client.get(f"/accounts/{decided.number}/decisions/")
    for i in range(36):
        decision_record(
            account_id=decided.pk,
            kind=DecisionKind.DEPOSIT,
            outcome=DecisionOutcome.CHARGED,
            code="DEPOSIT",
            reason=f"Deposit {i}.",
            as_of=TODAY,
            policy_version_id=_version_id(),
            amount=Decimal("100.00"),
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(f"/accounts/{decided.number}/decisions/").content.decode()
    assert page.count('data-testid="policy-decision"') == 40
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_page_needs_the_account_permission(role_clients, decided):
    assert_access(
        role_clients, f"/accounts/{decided.number}/decisions/", {COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR}
    )


def test_decisions_are_on_the_account_timeline(role_clients, decided):
    response = role_clients[COUNSELOR].get(f"/accounts/{decided.number}/")
    items = [i for i in response.context["timeline"] if i.kind == "decision"]
    assert len(items) == 4
    assert items[0].title == "Payment arrangement: refused"
    assert items[0].url == f"/accounts/{decided.number}/decisions/"
