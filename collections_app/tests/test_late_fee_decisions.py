"""Late-fee decisions (rules.md §1.2): the nightly statement stores one PolicyDecision per fee it
charges, in the same statement, explained exactly as the engine's `amounts.late_fee` would."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import DecisionKind, DecisionOutcome, LedgerEntry, PolicyDecision
from accounts.tests.factories import AccountFactory
from collections_app.selectors.facts import facts_for_account
from collections_app.services import late_fees
from collections_app.services.late_fee_reasons import citation_expression, reason_expression
from collections_app.services.late_fees import late_fees_run
from collections_app.tests.billing import bill, use_policy
from collections_app.tests.test_late_fees import FORMULAS, amounts
from collections_app.tests.test_recorded_payment_time import _counter_payment
from conftest import ROLE_NAMES
from policy.selectors import current_policy
from policy_engine import amounts as engine
from policy_engine.policy import policy_build

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 18)  # a Wednesday
COUNSELOR = ROLE_NAMES[0]
DUE = date(2026, 11, 10)  # a Tuesday, no holiday: the due date does not roll (16 TAC 24.165(b))


def _decisions(account) -> list[PolicyDecision]:
    return list(PolicyDecision.objects.filter(account=account).order_by("id"))


def _paid_at(account, cashier, hh: int, mm: int) -> None:  # type: ignore[no-untyped-def]
    """The bill due on DUE paid in full at the counter at hh:mm local time on DUE."""
    bill(account, "100.00", due=DUE, billed=DUE - timedelta(days=20))
    _counter_payment(account, cashier, DUE, hh, mm)


@pytest.mark.parametrize(
    "presets",
    [("AZ_MESA",), ("AZ_MESA", "TX_PUC_WATER"), ("TX_PUC_WATER",)],
    ids=[
        "one rule set",
        "several rule sets, tagged like the engine",
        "a due-date payment cutoff (TX 5 p.m.)",
    ],
)
def test_each_fee_charged_is_stored_as_a_decision_the_engine_would_explain_the_same_way(presets, make_user):
    version = use_policy(*presets)
    cashier = make_user("cass", "Cashier")
    small, floor, pct = AccountFactory(), AccountFactory(), AccountFactory()
    bill(small, "24.99", due=AS_OF - timedelta(days=20))
    bill(floor, "100.00", due=AS_OF - timedelta(days=20))
    bill(pct, "480.00", due=AS_OF - timedelta(days=20))
    # rules.md §1.1 (TX water): paid in full at 17:30 on the due date is late; at 16:30 on time
    late_payer, on_time = AccountFactory(), AccountFactory()
    _paid_at(late_payer, cashier, 17, 30)
    _paid_at(on_time, cashier, 16, 30)
    policy, _ = current_policy()
    everyone = (small, floor, pct, late_payer, on_time)
    expected = {a.pk: engine.late_fee(policy, facts_for_account(a.pk, as_of=AS_OF), AS_OF) for a in everyone}
    charged = [a for a in everyone if expected[a.pk].amount > 0]
    assert (late_payer in charged) == ("TX_PUC_WATER" in presets and len(presets) == 1)
    assert on_time not in charged

    run = late_fees_run(business_date=AS_OF)

    for account in everyone:
        if account not in charged:
            assert _decisions(account) == [], account
            assert not LedgerEntry.objects.filter(account=account, kind="late_fee").exists()
    stored = PolicyDecision.objects.filter(kind=DecisionKind.LATE_FEE)
    assert stored.count() == run.counts["fees"] == len(charged)
    for account in charged:
        (d,) = _decisions(account)
        fee = LedgerEntry.objects.get(account=account, kind="late_fee")
        engine_fee = expected[account.pk]
        assert engine_fee.amount > 0
        assert (d.outcome, d.amount, d.code) == (DecisionOutcome.CHARGED, fee.amount, "LATE_FEE")
        assert (d.reason, d.citation) == (engine_fee.reason, engine_fee.citation)
        assert d.amount == engine_fee.amount
        assert d.policy_version == version and d.policy_version.name == "Test policy"
        assert d.subject == f"bill:{fee.bill_id}" and d.as_of == AS_OF
        assert d.checks == [
            {"code": "LATE_FEE", "outcome": "satisfied", "reason": d.reason, "citation": d.citation}
        ]
    if len(presets) > 1:  # the engine's [PRESET] tag; a tie goes to the first rule set
        assert _decisions(floor)[0].reason.endswith("= $5.00. [AZ_MESA]")
        assert _decisions(pct)[0].reason == "one-time flat late fee = $5.00. [TX_PUC_WATER]"
    if presets == ("TX_PUC_WATER",):
        assert _decisions(late_payer)[0].reason == (
            "one-time flat late fee = $5.00. $100.00 was received on the due date after the 17:00 "
            "cutoff: late (16 TAC 24.165(b))."
        )


def test_a_second_run_stores_no_second_decision():
    use_policy("AZ_MESA")
    account = AccountFactory()
    bill(account, "100.00", due=AS_OF - timedelta(days=1))
    late_fees_run(business_date=AS_OF)
    late_fees_run(business_date=AS_OF + timedelta(days=1))
    assert len(_decisions(account)) == 1


def test_a_run_that_rolls_back_leaves_neither_fee_nor_decision(monkeypatch):
    use_policy("AZ_MESA")
    account = AccountFactory()
    bill(account, "100.00", due=AS_OF - timedelta(days=1))

    def boom(*args, **kwargs):
        raise RuntimeError("audit failed")

    monkeypatch.setattr(late_fees, "_audit", boom)
    with pytest.raises(RuntimeError):
        late_fees_run(business_date=AS_OF)
    assert _decisions(account) == []
    assert not LedgerEntry.objects.filter(account=account, kind="late_fee").exists()


def test_staff_read_why_the_fee_was_charged_on_the_account(role_clients):
    use_policy("AZ_MESA")
    account = AccountFactory()
    bill(account, "100.00", due=AS_OF - timedelta(days=1))
    late_fees_run(business_date=AS_OF)
    page = role_clients[COUNSELOR].get(f"/accounts/{account.number}/decisions/").content.decode()
    assert 'data-kind="late_fee"' in page
    assert "max(2% of the past-due balance of $100.00 = $2.00, $5.00) = $5.00." in page


# --- the SQL reason is the pure function's ------------------------------------------------------


def _sql_texts(layer, pairs):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {reason_expression(layer, 't.past_due', 't.bill_amount')}, "  # noqa: S608
            f"{citation_expression(layer, 't.past_due')} FROM unnest(%s::numeric[], %s::numeric[]) "
            "WITH ORDINALITY AS t(past_due, bill_amount, n) ORDER BY n",
            [[p for p, _ in pairs], [b for _, b in pairs]],
        )
        return cursor.fetchall()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pairs=st.lists(st.tuples(amounts, amounts), min_size=1, max_size=20),
    which=st.sampled_from(FORMULAS),
)
def test_the_sql_reason_and_citation_equal_amounts_late_fee_for(pairs, which):
    preset, overrides = which
    policy = policy_build(presets=[preset], overrides=overrides)
    (layer,) = policy.layers
    expected = [
        (a.reason, a.citation) for a in (engine.late_fee_for(policy, p, bill_amount=b) for p, b in pairs)
    ]
    assert _sql_texts(layer, pairs) == expected


def test_sql_text_with_quotes_and_percent_signs_is_escaped():
    policy = policy_build(presets=["DEFAULT"], overrides={"late_fee.pct": "0.125"})
    rows = _sql_texts(policy.layers[0], [(Decimal("1234.56"), Decimal("10.00"))])
    assert rows[0][0].startswith("max(12.5% of the past-due balance of $1,234.56 = $154.32")
