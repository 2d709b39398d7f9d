"""Nightly late fees: the policy's formula in one SQL statement, once per bill, never on what the
policy protects, and the balance always equal to the sum of the entries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import LedgerEntry, Service
from accounts.services.ledger import ledger_sum
from accounts.tests.factories import AccountFactory, pay
from collections_app.models import BankruptcyCase, BatchRun, RunKind
from collections_app.services.late_fee_sql import fee_expression
from collections_app.services.late_fees import late_fees_run
from collections_app.tests.billing import bill, use_policy
from common.models import AuditEvent
from policy_engine.amounts import late_fee_for
from policy_engine.policy import policy_build

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 18)  # a Wednesday


def _fees(account) -> list[Decimal]:
    return list(
        LedgerEntry.objects.filter(account=account, kind="late_fee")
        .order_by("id")
        .values_list("amount", flat=True)
    )


def test_mesa_fee_is_two_percent_of_the_past_due_balance_with_a_five_dollar_floor_and_none_under_25():
    use_policy("AZ_MESA")
    small, floor, pct, paid = AccountFactory(), AccountFactory(), AccountFactory(), AccountFactory()
    bill(small, "24.99", due=AS_OF - timedelta(days=1))
    bill(floor, "100.00", due=AS_OF - timedelta(days=1))
    bill(pct, "410.00", due=AS_OF - timedelta(days=20))
    bill(pct, "90.00", due=AS_OF - timedelta(days=2))
    bill(pct, "75.00", due=AS_OF + timedelta(days=10))  # not yet due: not in the base
    bill(paid, "100.00", due=AS_OF - timedelta(days=3))
    pay(paid, "100.00", on=AS_OF - timedelta(days=4))

    run = late_fees_run(business_date=AS_OF)

    assert _fees(small) == [] and _fees(paid) == []
    assert _fees(floor) == [Decimal("5.00")]
    # each delinquent bill gets its own fee on the past-due balance (410 + 90 = 500 -> $10)
    assert _fees(pct) == [Decimal("10.00"), Decimal("10.00")]
    assert run.counts["fees"] == 3 and run.counts["amount"] == "25.00" and run.counts["accounts"] == 2
    for account in (small, floor, pct, paid):
        account.refresh_from_db()
        assert account.balance == ledger_sum(account.pk)
    entry = LedgerEntry.objects.filter(account=floor, kind="late_fee").get()
    assert entry.fund.code == "FEE" and entry.effective_date == AS_OF and entry.bill is not None
    assert AuditEvent.objects.filter(verb="charge.late_fee", account_id=floor.pk).count() == 1


def test_a_second_run_and_later_nights_never_charge_the_same_bill_twice():
    use_policy("AZ_MESA")
    account = AccountFactory()
    bill(account, "100.00", due=AS_OF - timedelta(days=1))
    first = late_fees_run(business_date=AS_OF)
    again = late_fees_run(business_date=AS_OF)
    assert again.pk == first.pk and again.counts == first.counts
    late_fees_run(business_date=AS_OF + timedelta(days=1))
    late_fees_run(business_date=AS_OF + timedelta(days=9))
    assert _fees(account) == [Decimal("5.00")]
    assert BatchRun.objects.filter(kind=RunKind.LATE_FEES).count() == 3
    account.refresh_from_db()
    assert account.balance == Decimal("105.00") == ledger_sum(account.pk)


def test_a_bill_is_not_late_on_its_due_date_nor_before_the_grace_days_pass():
    use_policy("DEFAULT", **{"delinquency__past_due_grace_days": 3})
    account = AccountFactory()
    bill(account, "100.00", due=AS_OF - timedelta(days=3))
    late_fees_run(business_date=AS_OF)
    assert _fees(account) == []
    late_fees_run(business_date=AS_OF + timedelta(days=1))
    assert _fees(account) == [Decimal("5.00")]


def test_texas_water_is_a_one_time_flat_fee_per_bill():
    use_policy("TX_PUC_WATER")
    account = AccountFactory()
    bill(account, "300.00", due=AS_OF - timedelta(days=45), billed=AS_OF - timedelta(days=70))
    bill(account, "12.00", due=AS_OF - timedelta(days=2), billed=AS_OF - timedelta(days=20))
    late_fees_run(business_date=AS_OF)
    # the older bill is outside the catch-up window: only the new delinquent bill, $5 flat
    assert _fees(account) == [Decimal("5.00")]
    # on its own due date (16 TAC 24.165(b): 16 days after issuance, met here), not 16 days later
    assert LedgerEntry.objects.get(account=account, kind="late_fee").bill.total == Decimal("12.00")


def test_no_late_fees_on_a_moratorium_day_nor_on_bills_that_fell_delinquent_during_it():
    use_policy("AZ_ACC_ELECTRIC")
    account = AccountFactory()
    bill(account, "200.00", due=date(2026, 10, 14))  # delinquent Oct 15: last moratorium day
    bill(account, "200.00", due=date(2026, 10, 16))  # delinquent Oct 17: after it
    during = late_fees_run(business_date=date(2026, 10, 15))
    assert during.counts["fees"] == 0 and "suspended" in during.counts
    late_fees_run(business_date=date(2026, 10, 20))
    assert _fees(account) == [Decimal("8.00")]  # only the Oct 16 bill: 2% of 400
    assert LedgerEntry.objects.get(kind="late_fee").bill.due_date == date(2026, 10, 16)


def test_no_late_fee_on_pre_petition_debt_of_an_open_bankruptcy(make_user):
    use_policy("AZ_MESA")
    clerk = make_user("bk_clerk", "Collections officer")
    account = AccountFactory()
    old = bill(account, "500.00", due=AS_OF - timedelta(days=5), billed=AS_OF - timedelta(days=25))
    BankruptcyCase.objects.create(
        account=account,
        chapter=7,
        case_number="26-10001",
        petition_date=AS_OF - timedelta(days=20),
        pre_petition_balance=Decimal("500.00"),
        assurance_deadline=AS_OF + timedelta(days=1),
        recorded_by=clerk,
    )
    late_fees_run(business_date=AS_OF)
    assert _fees(account) == []
    # a post-petition bill is charged on the post-petition past due only (not the frozen $500)
    new = bill(account, "60.00", due=AS_OF + timedelta(days=1), billed=AS_OF - timedelta(days=15))
    late_fees_run(business_date=AS_OF + timedelta(days=2))
    assert _fees(account) == [Decimal("5.00")]
    assert LedgerEntry.objects.get(kind="late_fee").bill_id == new.pk != old.pk


def test_phoenix_stops_late_fees_once_a_single_family_home_is_on_low_flow():
    use_policy("AZ_PHOENIX_WATER")
    on_low_flow, connected = AccountFactory(), AccountFactory()
    Service.objects.filter(account=on_low_flow).update(status="low_flow")
    for account in (on_low_flow, connected):
        bill(account, "100.00", due=AS_OF - timedelta(days=1))
    late_fees_run(business_date=AS_OF)
    assert _fees(on_low_flow) == [] and _fees(connected) == [Decimal("5.00")]


def test_a_plan_stops_late_fees_when_the_policy_says_so(make_user):
    from counseling.models import Arrangement

    use_policy("DEFAULT", **{"arrangements__late_fees_accrue_during_plan": False})
    counselor = make_user("cara", "Counselor")
    on_plan, other = AccountFactory(), AccountFactory()
    for account in (on_plan, other):
        bill(account, "100.00", due=AS_OF - timedelta(days=1))
    Arrangement.objects.create(
        account=on_plan, counselor=counselor, status="active", months=3, total=Decimal("100.00"),
        installment_count=3, reason="test", idempotency_key="arr-test-1",
    )  # fmt: skip
    late_fees_run(business_date=AS_OF)
    assert _fees(on_plan) == [] and _fees(other) == [Decimal("5.00")]


# --- the SQL formula is the pure function ------------------------------------------------------

FORMULAS = [
    ("DEFAULT", {}),
    ("AZ_MESA", {}),
    ("NY_HEFPA", {}),
    ("TX_PUC_WATER", {}),
    ("DEFAULT", {"late_fee.formula": "PCT", "late_fee.pct": "0.015", "late_fee.min_balance": "0"}),
    ("DEFAULT", {"late_fee.base": "BILL", "late_fee.pct": "0.1", "late_fee.floor": "1.50"}),
    ("DEFAULT", {"late_fee.formula": "NONE"}),
]
amounts = st.decimals(min_value=Decimal("-50"), max_value=Decimal("99999.99"), places=2)


def _sql_fees(policy, pairs: list[tuple[Decimal, Decimal]]) -> list[Decimal]:
    expr = (
        "LEAST("
        + ", ".join(fee_expression(layer, "t.past_due", "t.bill_amount") for layer in policy.layers)
        + ")"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {expr} FROM unnest(%s::numeric[], %s::numeric[]) "  # noqa: S608
            "WITH ORDINALITY AS t(past_due, bill_amount, n) ORDER BY n",
            [[p for p, _ in pairs], [b for _, b in pairs]],
        )
        return [row[0] for row in cursor.fetchall()]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(amounts, amounts), min_size=1, max_size=30), which=st.sampled_from(FORMULAS))
def test_the_sql_fee_equals_amounts_late_fee_for(pairs, which):
    preset, overrides = which
    policy = policy_build(presets=[preset], overrides=overrides)
    expected = [late_fee_for(policy, p, bill_amount=b).amount for p, b in pairs]
    assert _sql_fees(policy, pairs) == expected


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(amounts, amounts), min_size=1, max_size=30))
def test_with_several_rule_sets_the_sql_takes_the_lowest_fee_like_the_engine(pairs):
    policy = policy_build(presets=["AZ_MESA", "NY_HEFPA", "TX_PUC_WATER"])
    assert _sql_fees(policy, pairs) == [late_fee_for(policy, p, bill_amount=b).amount for p, b in pairs]


# --- the due-date payment cutoff (rules.md §1.1 table: TX water, 16 TAC 24.165(b)) --------------

DUE = date(2026, 11, 10)  # a Tuesday, no holiday: the due date does not roll


def _paid_on_due_date(account, cashier, *, posted: tuple[int, int], received: tuple[int, int] | None = None):  # type: ignore[no-untyped-def]
    """A $100 bill due on DUE, paid in full at the counter on DUE: posted at `posted`, and (as the
    API or a lockbox file records it) received at `received` when given."""
    from collections_app.tests.test_recorded_payment_time import _counter_payment, _local
    from payments.models import Payment

    bill(account, "100.00", due=DUE, billed=DUE - timedelta(days=20))
    payment = _counter_payment(account, cashier, DUE, *posted)
    if received is not None:
        Payment.objects.filter(pk=payment.pk).update(received_at=_local(DUE, *received))


@pytest.mark.parametrize("preset", ["TX_PUC_WATER", "DEFAULT"])
def test_a_bill_paid_in_full_after_the_due_date_cutoff_gets_the_engines_late_fee(preset, make_user):
    from collections_app.selectors.facts import facts_for_account
    from policy.selectors import current_policy
    from policy_engine.amounts import late_fee

    use_policy(preset)
    cashier = make_user("cass", "Cashier")
    late, on_time, received_late, received_on_time = (AccountFactory() for _ in range(4))
    _paid_on_due_date(late, cashier, posted=(17, 30))
    _paid_on_due_date(on_time, cashier, posted=(16, 30))
    _paid_on_due_date(received_late, cashier, posted=(16, 0), received=(17, 45))  # received_at wins
    _paid_on_due_date(received_on_time, cashier, posted=(17, 30), received=(16, 45))
    policy, _ = current_policy()
    engine = {
        a.pk: late_fee(policy, facts_for_account(a.pk, as_of=AS_OF), AS_OF)
        for a in (late, on_time, received_late, received_on_time)
    }

    late_fees_run(business_date=AS_OF)

    if preset == "TX_PUC_WATER":
        for account in (late, received_late):
            assert engine[account.pk].amount == Decimal("5.00")
            assert _fees(account) == [Decimal("5.00")]
            account.refresh_from_db()
            assert account.balance == Decimal("5.00") == ledger_sum(account.pk)
    for account in (
        (on_time, received_on_time)
        if preset == "TX_PUC_WATER"
        else (late, on_time, received_late, received_on_time)
    ):
        assert engine[account.pk].amount == Decimal("0.00")
        assert _fees(account) == []


def test_without_a_cutoff_the_statement_reads_no_payments():
    """The statement stays as cheap as before for every policy without a due-date cutoff."""
    from collections_app.services.late_fee_sql import build

    plain = build(policy_build(presets=["AZ_MESA", "NY_HEFPA"]), as_of=AS_OF, weather=[])
    assert "payments_payment" not in plain.sql
    texas = build(policy_build(presets=["TX_PUC_WATER"]), as_of=AS_OF, weather=[])
    assert "payments_payment" in texas.sql
