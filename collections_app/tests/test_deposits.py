"""Security deposits: the policy's requirement and waivers, installments billed nightly once,
payments into the deposit fund held, annual interest credited, refunds after good payment, the
final bill, supervisors' waivers and returned payments."""

from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from accounts.models import LedgerEntry
from accounts.services.ledger import ledger_sum
from accounts.tests.factories import AccountFactory, pay
from collections_app.models import BatchRun, DepositStatus, RunKind, SecurityDeposit
from collections_app.services.deposits import deposit_quote, deposit_require, deposit_waive
from collections_app.services.deposits_nightly import deposits_nightly_run
from collections_app.tests.billing import bill, use_policy
from common.exceptions import DomainError
from payments.models import ReturnedItem
from payments.services.posting import Line, TenderSpec, transaction_post
from payments.services.returns import tender_return

pytestmark = pytest.mark.django_db
START = date(2025, 11, 3)  # a Monday
FLAT_100 = {"deposit__formula": "FLAT", "deposit__flat_renter": "100.00", "deposit__flat_owner": "100.00"}


@pytest.fixture
def officer(make_user):
    return make_user("dora", "Collections officer")


@pytest.fixture
def cashier(make_user):
    return make_user("cal", "Cashier")


def _require(account, officer, *, on=START, installments=1, **kw):  # type: ignore[no-untyped-def]
    return deposit_require(
        account_id=account.pk,
        as_of=on,
        actor=officer,
        installments=installments,
        idempotency_key=str(uuid4()),
        **kw,
    )


def _pay(account, cashier, amount: str, on: date, kind: str = "cash"):  # type: ignore[no-untyped-def]
    tender = TenderSpec(kind=kind, amount=Decimal(amount), check_number="101" if kind == "check" else "")
    return transaction_post(
        lines=[Line(account.pk, Decimal(amount))],
        tenders=[tender],
        actor=cashier,
        idempotency_key=uuid4(),
        business_date=on,
    ).payments.get()


def _year_of_bills(account, amounts: list[str], *, last_due: date) -> None:
    for i, amount in enumerate(reversed(amounts)):
        due = last_due - timedelta(days=30 * i)
        bill(account, amount, due=due)
        pay(account, amount, on=due - timedelta(days=2), reference=f"P{due}")


def test_the_stored_deposit_is_the_arithmetic_its_explanation_shows(officer):
    use_policy("DEFAULT")
    account = AccountFactory(occupancy="tenant")
    _year_of_bills(account, ["108.15", "108.16", "108.16"], last_due=START - timedelta(days=5))
    deposit = _require(account, officer)
    # the average $108.1566... is shown as $108.16: the deposit is 2 x $108.16, to the cent
    assert deposit.explanation["reason"] == "2 × average monthly bill of 3 ($108.16) = $216.32."
    assert deposit.required_amount == Decimal("216.32")
    assert deposit.explanation["amount"] == "216.32"


def test_residential_deposit_is_twice_the_average_of_12_months_of_bills(officer):
    use_policy("DEFAULT")
    account = AccountFactory(occupancy="tenant")
    _year_of_bills(account, ["60.00", "80.00", "100.00"] * 4, last_due=START - timedelta(days=5))
    deposit = _require(account, officer, installments=3)
    assert deposit.required_amount == Decimal("160.00")  # 2 x $80 average
    assert deposit.status == DepositStatus.BILLING
    assert (
        "average monthly bill" in deposit.explanation["reason"]
        and len(deposit.explanation["monthly_bills"]) == 12
    )
    schedule = list(deposit.schedule.values_list("number", "due_date", "amount"))
    assert schedule == [
        (1, START, Decimal("53.33")),
        (2, date(2025, 12, 3), Decimal("53.33")),
        (3, date(2026, 1, 3), Decimal("53.34")),  # the last absorbs the remainder
    ]
    with pytest.raises(DomainError, match="already has a deposit"):
        _require(account, officer)


def test_commercial_deposit_is_two_and_a_half_times_the_highest_bill(officer):
    use_policy("AZ_MESA")
    account = AccountFactory(account_class="commercial")
    _year_of_bills(account, ["300.00", "420.00", "380.00"], last_due=START - timedelta(days=5))
    assert _require(account, officer).required_amount == Decimal("1050.00")


def test_st_george_charges_renters_125_and_records_no_deposit_for_owners(officer):
    use_policy("UT_ST_GEORGE")
    renter, owner = AccountFactory(occupancy="tenant"), AccountFactory(occupancy="owner")
    assert _require(renter, officer).required_amount == Decimal("125.00")
    waived = _require(owner, officer)
    assert waived.status == DepositStatus.WAIVED and waived.required_amount == 0 and waived.waiver_reason
    assert not waived.schedule.exists()


def test_a_prior_utilitys_letter_of_credit_waives_the_deposit_unless_the_record_is_bad(officer):
    use_policy("AZ_PHOENIX_WATER")
    account = AccountFactory()
    _year_of_bills(account, ["90.00"] * 6, last_due=START - timedelta(days=5))
    quote = deposit_quote(account_id=account.pk, as_of=START, letter_of_credit=True, credit_history_months=12)
    assert quote.amount.amount == 0 and "letter of credit" in quote.amount.reason
    short = deposit_quote(account_id=account.pk, as_of=START, letter_of_credit=True, credit_history_months=6)
    assert short.amount.amount == Decimal("180.00")
    deposit = _require(account, officer, letter_of_credit=True, credit_history_months=12)
    assert deposit.status == DepositStatus.WAIVED and "letter of credit" in deposit.waiver_reason
    late = AccountFactory()
    for i in range(3):  # three bills paid late in the last year
        due = START - timedelta(days=30 * (i + 1))
        bill(late, "90.00", due=due)
        pay(late, "90.00", on=due + timedelta(days=10), reference=f"L{i}")
    quote = deposit_quote(account_id=late.pk, as_of=START, letter_of_credit=True, credit_history_months=24)
    assert quote.late_payments_12m == 3 and quote.amount.amount == Decimal("180.00")


def test_installments_are_billed_to_the_deposit_fund_once_each_as_they_fall_due(officer):
    use_policy("DEFAULT", **FLAT_100)
    account = AccountFactory()
    deposit = _require(account, officer, installments=2, on=START)
    deposits_nightly_run(business_date=START)
    deposits_nightly_run(business_date=START)  # same night again: nothing more
    deposits_nightly_run(business_date=START + timedelta(days=1))
    billed = LedgerEntry.objects.filter(account=account, kind="deposit_billed")
    assert [(e.amount, e.fund.code, e.effective_date) for e in billed] == [(Decimal("50.00"), "DEP", START)]
    deposits_nightly_run(business_date=date(2025, 12, 3))
    assert LedgerEntry.objects.filter(account=account, kind="deposit_billed").count() == 2
    deposit.refresh_from_db()
    assert deposit.billed_amount == Decimal("100.00") and list(
        deposit.schedule.values_list("billed_on", flat=True)
    ) == [
        START,
        date(2025, 12, 3),
    ]
    account.refresh_from_db()
    assert account.balance == Decimal("100.00") == ledger_sum(account.pk)
    assert BatchRun.objects.filter(kind=RunKind.DEPOSITS).count() == 3


def _held_deposit(account, officer, cashier, kind: str = "cash"):  # type: ignore[no-untyped-def]
    """A flat $100 deposit (the policy's flat_renter), billed and paid in full on START."""
    deposit = _require(account, officer, on=START)
    assert deposit.required_amount == Decimal("100.00")
    deposits_nightly_run(business_date=START)
    _pay(account, cashier, "100.00", START, kind)
    deposit.refresh_from_db()
    return deposit


def test_what_a_payment_puts_into_the_deposit_fund_is_held(officer, cashier):
    use_policy("DEFAULT", **FLAT_100)
    account = AccountFactory()
    deposit = _require(account, officer, on=START)
    bill(account, "40.00", due=START)  # a water bill due the same day settles first (fund priority)
    deposits_nightly_run(business_date=START)
    _pay(account, cashier, "90.00", START)
    deposit.refresh_from_db()
    assert deposit.held_amount == Decimal("50.00") and deposit.status == DepositStatus.BILLING
    _pay(account, cashier, "50.00", START + timedelta(days=3))
    deposit.refresh_from_db()
    assert deposit.held_amount == Decimal("100.00") and deposit.status == DepositStatus.HELD
    assert deposit.held_since == START and deposit.review_on == date(2026, 11, 3)


def test_interest_is_credited_to_the_bill_on_each_anniversary_once(officer, cashier):
    use_policy("DEFAULT", **{**FLAT_100, "deposit__flat_renter": "200.00"})  # 6% simple
    account = AccountFactory()
    deposit = _require(account, officer, on=START)
    deposits_nightly_run(business_date=START)
    _pay(account, cashier, "200.00", START)
    bill(account, "500.00", due=date(2026, 12, 20), billed=date(2026, 11, 25))  # keeps it from being refunded
    SecurityDeposit.objects.filter(pk=deposit.pk).update(review_on=date(2027, 6, 1))
    deposits_nightly_run(business_date=date(2026, 11, 2))
    assert not LedgerEntry.objects.filter(account=account, reference="DEPOSIT INTEREST").exists()
    deposits_nightly_run(business_date=date(2026, 11, 3))
    deposits_nightly_run(business_date=date(2026, 11, 4))
    credit = LedgerEntry.objects.get(account=account, reference="DEPOSIT INTEREST")
    assert credit.amount == Decimal("-12.00") and credit.kind == "adjustment" and credit.fund.code == "CR"
    deposit.refresh_from_db()
    assert deposit.interest_credited == Decimal("12.00") and deposit.interest_credited_on == date(2026, 11, 3)
    account.refresh_from_db()
    assert account.balance == ledger_sum(account.pk) == Decimal("488.00")


def test_after_12_months_of_good_payment_the_deposit_is_applied_to_what_is_owed(officer, cashier):
    use_policy("DEFAULT", **FLAT_100)
    account = AccountFactory()
    deposit = _held_deposit(account, officer, cashier)
    bill(account, "70.00", due=date(2026, 11, 20), billed=date(2026, 10, 30))  # not yet due: not late
    run = deposits_nightly_run(business_date=date(2026, 11, 3))
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.APPLIED and deposit.refund_method == "applied"
    assert run.counts["refunds_applied"] == 1 and run.counts["interest_credits"] == 1
    applied = LedgerEntry.objects.filter(account=account, kind="deposit_applied")
    assert sum(e.amount for e in applied) == Decimal("-100.00")
    account.refresh_from_db()
    assert account.balance == Decimal("70.00") - Decimal("100.00") - Decimal("6.00") == ledger_sum(account.pk)


def test_with_nothing_owed_the_refund_is_a_check(officer, cashier):
    use_policy("DEFAULT", **FLAT_100)
    account = AccountFactory()
    deposit = _held_deposit(account, officer, cashier)
    deposits_nightly_run(business_date=date(2026, 11, 3))
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.REFUNDED and deposit.refund_method == "check"
    assert deposit.refunded_amount == Decimal("100.00") and deposit.check_issued_on is None
    assert not LedgerEntry.objects.filter(account=account, kind="deposit_applied").exists()


def test_late_payments_beyond_the_policy_postpone_the_refund(officer, cashier):
    use_policy("AZ_ACC_WATER", **FLAT_100)  # no delinquency allowed
    account = AccountFactory()
    deposit = _held_deposit(account, officer, cashier)
    bill(account, "80.00", due=date(2026, 6, 1))
    pay(account, "80.00", on=date(2026, 6, 15), reference="LATE")
    run = deposits_nightly_run(business_date=date(2026, 11, 3))
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.HELD and run.counts["not_yet_refundable"] == 1
    assert (
        deposit.review_on == date(2026, 12, 3)
        and "late payments" in deposit.explanation["last_review"]["reason"]
    )


def test_on_the_final_bill_the_deposit_pays_it_and_the_rest_is_a_check(officer, cashier):
    use_policy("DEFAULT", **FLAT_100)
    account = AccountFactory()
    deposit = _held_deposit(account, officer, cashier)
    bill(account, "40.00", due=date(2026, 4, 20), billed=date(2026, 4, 1), final=True)
    run = deposits_nightly_run(business_date=date(2026, 4, 2))
    deposit.refresh_from_db()
    assert run.counts["final_applied"] == 1 and deposit.refund_method == "final_bill"
    interest = deposit.interest_credited
    assert interest == Decimal("2.47")  # $100 x 6% x 150/365 = 2.4658
    applied = -sum(e.amount for e in LedgerEntry.objects.filter(account=account, kind="deposit_applied"))
    assert applied == Decimal("40.00") - interest  # the interest credit already paid part of the bill
    assert deposit.explanation["refund"]["by_check"] == str(Decimal("100.00") - applied)
    account.refresh_from_db()
    assert account.balance == Decimal("0.00") == ledger_sum(account.pk)


def test_a_supervisor_waiver_reverses_what_was_billed(officer, make_user):
    use_policy("DEFAULT", **FLAT_100)
    supervisor = make_user("sue", "Supervisor")
    account = AccountFactory()
    deposit = _require(account, officer, installments=2)
    deposits_nightly_run(business_date=START)
    with pytest.raises(DomainError, match="reason"):
        deposit_waive(deposit_id=deposit.pk, reason="", actor=supervisor)
    deposit_waive(deposit_id=deposit.pk, reason="Customer is a long-standing owner", actor=supervisor)
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.WAIVED and deposit.waived_by == supervisor
    account.refresh_from_db()
    assert account.balance == Decimal("0.00") == ledger_sum(account.pk)
    deposits_nightly_run(business_date=date(2025, 12, 3))  # the second installment is never billed
    assert LedgerEntry.objects.filter(account=account, kind="deposit_billed").count() == 1


def test_a_returned_payment_takes_back_what_it_put_into_the_deposit(officer, cashier):
    use_policy("DEFAULT", **FLAT_100)
    account = AccountFactory()
    deposit = _held_deposit(account, officer, cashier, kind="check")
    payment = deposit.account.payments.get()
    tender_return(
        tender_id=payment.transaction.tenders.get().pk, returned_on=START + timedelta(days=5), reason="NSF",
        actor=cashier,
        idempotency_key=str(uuid4()),
    )  # fmt: skip
    deposit.refresh_from_db()
    assert ReturnedItem.objects.count() == 1
    assert deposit.held_amount == 0 and deposit.status == DepositStatus.BILLING and deposit.review_on is None


@pytest.mark.django_db(transaction=True)
def test_the_nightly_deposit_task_runs_on_a_real_worker_once_per_date(celery_worker, make_user):
    from collections_app.tasks.deposits import deposits_nightly

    use_policy("DEFAULT", **FLAT_100)
    account = AccountFactory()
    _require(account, make_user("w", "Collections officer"), installments=2)
    first = deposits_nightly.delay(business_date=START.isoformat()).get(timeout=60)
    again = deposits_nightly.delay(business_date=START.isoformat()).get(timeout=60)
    assert first == again and first["installments_billed"] == 1 and first["billed"] == "50.00"
    assert LedgerEntry.objects.filter(account=account, kind="deposit_billed").count() == 1
