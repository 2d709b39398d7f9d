"""A returned item's policy decision is stored (issue 12, "Decisions everywhere look alike";
rules.md §1.7): the fee charged or waived and the certified-funds-only status, under the policy
version that decided them, with every rule the engine checked, once per return on the account
charged the fee, and shown on the receipt page; a return that rolls back stores none."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.models import DecisionKind, DecisionOutcome, PolicyDecision
from accounts.tests.factories import AccountFactory, charge
from common.dates import add_months
from conftest import ROLE_NAMES
from payments.models import ReturnedItem
from payments.services import hooks, returns
from payments.services.returns import tender_return
from payments.tests.factories import cash, check, open_session, post
from policy.selectors import current_policy
from policy.tests.helpers import use_policy

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES


@pytest.fixture
def cashier(django_user_model, role_clients):
    return django_user_model.objects.get(username="cashier")


def _owing(amount: str = "300.00"):  # type: ignore[no-untyped-def]
    account = AccountFactory()
    charge(account, amount, due=TODAY - timedelta(days=20))
    return account


def _return(tender, actor):  # type: ignore[no-untyped-def]
    return tender_return(
        tender_id=tender.pk, returned_on=TODAY, reason="NSF", actor=actor, idempotency_key=uuid4()
    )


def _nsf(account):  # type: ignore[no-untyped-def]
    return list(PolicyDecision.objects.filter(account=account, kind=DecisionKind.NSF).order_by("made_at"))


def test_each_return_stores_its_fee_and_the_cash_only_rule(cashier):
    version = use_policy("CA_SB998_WATER")  # $25 first, $35 subsequent; 2 returns in 6 months: cash only
    layer = current_policy()[0].layers[0]
    account = _owing()
    session = open_session(cashier)
    items = []
    for n in ("101", "102"):
        txn = post(session, cashier, (account, "40.00"), tenders=[check("40.00", n)])
        items.append(_return(txn.tenders.get(), cashier))
    first, second = _nsf(account)

    assert (first.outcome, first.amount, first.code, first.subject) == (
        DecisionOutcome.CHARGED,
        Decimal("25.00"),
        "NSF_FEE",
        f"returned:{items[0].pk}",
    )
    assert first.citation == layer.cite("nsf.fee_first") and first.citation
    assert first.policy_version_id == version.pk and first.policy_version.name == "Test policy"
    assert (first.as_of, first.made_by_id) == (TODAY, cashier.pk)
    assert "First returned payment" in first.reason and "certified funds only" not in first.reason
    rows = {c["code"]: c for c in first.checks}
    assert rows["NSF_FEE"]["outcome"] == "satisfied" and "NSF_REDEEM" in rows
    assert rows["NSF_CASH_ONLY"]["outcome"] == "not_applicable"
    assert "threshold 2" in rows["NSF_CASH_ONLY"]["reason"]
    assert rows["NSF_CASH_ONLY"]["citation"] == layer.cite("nsf.cash_only_count")

    until = add_months(TODAY, 12)
    assert items[1].cash_only_until == until
    assert (second.outcome, second.amount) == (DecisionOutcome.CHARGED, Decimal("35.00"))
    assert "Subsequent returned payment" in second.reason
    assert f"Cash or certified funds only until {until:%b %d, %Y}" in second.reason
    cash_only = [c for c in second.checks if c["code"] == "NSF_CASH_ONLY"]
    assert [(c["outcome"], c["until"]) for c in cash_only] == [("blocked", until.isoformat())]


def test_a_fee_the_policy_sets_at_zero_is_a_waiver(cashier):
    version = use_policy("DEFAULT", nsf__fee_first="0.00")
    account = _owing()
    txn = post(open_session(cashier), cashier, (account, "40.00"), tenders=[check("40.00")])
    item = _return(txn.tenders.get(), cashier)
    [d] = _nsf(account)
    assert (d.outcome, d.amount, d.policy_version_id, item.fee) == (
        DecisionOutcome.WAIVED,
        Decimal("0.00"),
        version.pk,
        Decimal("0.00"),
    )


def test_a_split_tender_stores_one_decision_on_the_account_charged(cashier):
    use_policy("CA_SB998_WATER")
    a, b = _owing("40.00"), _owing("145.51")
    txn = post(
        open_session(cashier),
        cashier,
        (a, "40.00"),
        (b, "145.51"),
        tenders=[cash("120.00"), check("65.51", "1234")],
    )
    item = _return(txn.tenders.get(kind="check"), cashier)
    assert PolicyDecision.objects.filter(kind=DecisionKind.NSF).count() == 1
    [d] = _nsf(item.fee_account)
    assert d.amount == item.fee == Decimal("25.00")


def test_a_return_that_rolls_back_stores_no_decision(cashier, monkeypatch):
    use_policy("CA_SB998_WATER")
    account = _owing()
    txn = post(open_session(cashier), cashier, (account, "40.00"), tenders=[check("40.00")])

    def fails(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a listener failed")

    monkeypatch.setattr(returns, "payment_returned_hooks", [*hooks.payment_returned_hooks, fails])
    with pytest.raises(RuntimeError):
        _return(txn.tenders.get(), cashier)
    assert not ReturnedItem.objects.exists() and not PolicyDecision.objects.exists()


def test_the_receipt_page_shows_why_after_the_return(role_clients, cashier):
    version = use_policy("CA_SB998_WATER")
    account = _owing()
    txn = post(open_session(cashier), cashier, (account, "40.00"), tenders=[check("40.00", "777")])
    client = role_clients[CASHIER]
    before = client.get(f"/cashier/receipts/{txn.receipt_number}/").content.decode()
    assert 'data-testid="nsf-decisions"' not in before
    page = client.post(
        f"/cashier/tenders/{txn.tenders.get().pk}/return/",
        {"returned_on": TODAY.isoformat(), "reason": "NSF", "idempotency_key": str(uuid4())},
        follow=True,
    ).content.decode()
    [d] = _nsf(account)
    assert 'data-testid="nsf-decisions"' in page and 'data-testid="decision-why"' in page
    assert d.reason in page and d.citation in page and f"v{version.version}" in page
    assert "Every rule checked" in page and "NSF_CASH_ONLY" in page
