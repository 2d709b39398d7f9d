"""Security deposits (rules.md §1.6): the requirement computed by the policy and stored with its
explanation, installments billed to the DEP fund, payments reaching DEP held, simple annual
interest credited to the bill, refunds after good payment, application to the final bill.

Ledger conventions: an installment is a `deposit_billed` charge on the DEP fund; a payment's part
that settles it (its PaymentDistribution on DEP) is what the utility now holds. Interest is a
credit to the customer's bill: there is no credit kind for interest (`interest` is a debit kind,
for interest the customer owes), so it is an `adjustment` with a negative amount on the CR fund
(the customer's unapplied credit), referenced "DEPOSIT INTEREST". Applying a held deposit is a
`deposit_applied` credit spread over what is owed like a payment (oldest first), the rest left as
credit. A refund by check moves no ledger money: the deposit never was part of the balance once
paid; the check is flagged for accounts payable.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Account, Bill, EntryKind, Fund, LedgerEntry
from accounts.services.ledger import (
    EntrySpec,
    _post,
    accounts_lock,
    already_posted,
    credit_distribution,
    credit_fund_id,
)
from collections_app.models import DepositInstallment, DepositStatus, SecurityDeposit
from collections_app.models.deposits import RefundMethod
from collections_app.selectors.facts import facts_for_account
from collections_app.services.charges import DEPOSIT_FUND
from collections_app.services.deposit_decisions import refund_decision_record, required_decision_record
from collections_app.validators import KEY_USED_ELSEWHERE
from common.audit import audit_record
from common.dates import add_months
from common.exceptions import DomainError
from common.formatting import format_money
from common.money import to_money
from policy.selectors import current_policy
from policy_engine import amounts
from policy_engine.amounts_credit import RefundCheck, deposit_bills_averaged
from policy_engine.decision import Amount
from policy_engine.policy import Policy

OPEN = (DepositStatus.BILLING, DepositStatus.HELD)
MAX_INSTALLMENTS = 12


@dataclass(frozen=True)
class DepositQuote:
    amount: Amount
    monthly_bills: list[Decimal]
    owner: bool
    residential: bool
    late_payments_12m: int
    disconnections_12m: int
    letter_of_credit: bool
    credit_history_months: int
    bills_averaged: list[Decimal]  # the bills the amount is computed from (the explanation's parts)

    @property
    def bills_averaged_total(self) -> Decimal:
        return sum(self.bills_averaged, Decimal(0))

    def explanation(self, version: int) -> dict:  # type: ignore[type-arg]
        return {
            "code": self.amount.code,
            "amount": str(self.amount.amount),
            "reason": self.amount.reason,
            "citation": self.amount.citation,
            "monthly_bills": [str(b) for b in self.monthly_bills],
            "bills_averaged": [str(b) for b in self.bills_averaged],
            "owner": self.owner,
            "residential": self.residential,
            "late_payments_12m": self.late_payments_12m,
            "disconnections_12m": self.disconnections_12m,
            "letter_of_credit": self.letter_of_credit,
            "credit_history_months": self.credit_history_months,
            "policy_version": version,
        }


def deposit_quote(
    *,
    account_id: int,
    as_of: date,
    letter_of_credit: bool = False,
    credit_history_months: int = 0,
    policy: Policy | None = None,
) -> DepositQuote:
    """What the policy requires (reads only): the last 12 months of bills, owner or renter, the
    account's late payments and disconnections, and a prior utility's letter of credit. `policy`:
    the one the caller already holds (the version it records), else the current one."""
    policy = policy or current_policy()[0]
    account = Account.objects.only("id", "occupancy").get(pk=account_id)
    facts = replace(
        facts_for_account(account_id, as_of=as_of),
        letter_of_credit=letter_of_credit,
        credit_history_months=credit_history_months,
    )
    bills = [
        to_money(total)
        for total in Bill.objects.filter(
            account_id=account_id, bill_date__gt=add_months(as_of, -12), bill_date__lte=as_of
        )
        .order_by("bill_date", "id")
        .values_list("total", flat=True)
    ]
    owner = account.occupancy == "owner"
    amount = amounts.deposit_required(policy, facts, as_of=as_of, monthly_bills=bills, owner=owner)
    averaged = deposit_bills_averaged(policy, facts, as_of=as_of, monthly_bills=bills, owner=owner)
    return DepositQuote(
        amount,
        bills,
        owner,
        facts.residential,
        facts.late_payments_12m,
        facts.disconnections_12m,
        letter_of_credit,
        credit_history_months,
        averaged,
    )


def _schedule(deposit: SecurityDeposit, first_due: date) -> list[DepositInstallment]:
    """Equal monthly installments from `first_due`; the last absorbs the remainder."""
    n = deposit.installments
    part = to_money(deposit.required_amount / n)
    rows = []
    for i in range(n):
        amount = part if i < n - 1 else deposit.required_amount - part * (n - 1)
        rows.append(
            DepositInstallment(
                deposit=deposit, number=i + 1, due_date=add_months(first_due, i), amount=amount
            )
        )
    return rows


@transaction.atomic(durable=True)
def deposit_require(  # type: ignore[no-untyped-def]
    *,
    account_id: int,
    as_of: date,
    actor,
    installments: int,
    idempotency_key: str,
    letter_of_credit: bool = False,
    credit_history_months: int = 0,
) -> SecurityDeposit:
    """Require the policy's deposit, billed in `installments` monthly parts from `as_of`. A zero
    requirement (waived by a letter of credit, prohibited, none for owners...) is recorded as
    waived with the policy's reason."""
    if not 1 <= installments <= MAX_INSTALLMENTS:
        raise DomainError(
            "deposit.installments", f"Bill the deposit in 1 to {MAX_INSTALLMENTS} installments."
        )
    account = accounts_lock([account_id])[account_id]
    key = f"deposit:{idempotency_key}"
    if done := SecurityDeposit.objects.filter(idempotency_key=key).first():
        if done.account_id != account_id:
            raise DomainError("deposit.key_reused", KEY_USED_ELSEWHERE)
        return done  # a replayed form post
    if account.status != "active":
        raise DomainError("deposit.account_status", "A deposit is required only of an active account.")
    if SecurityDeposit.objects.filter(account_id=account_id, status__in=OPEN).exists():
        raise DomainError("deposit.open", "The account already has a deposit being billed or held.")
    policy, version = current_policy()
    quote = deposit_quote(
        account_id=account_id,
        as_of=as_of,
        letter_of_credit=letter_of_credit,
        credit_history_months=credit_history_months,
        policy=policy,
    )
    required = to_money(quote.amount.amount)
    deposit = SecurityDeposit.objects.create(
        account=account,
        required_amount=required,
        explanation=quote.explanation(version.version),
        status=DepositStatus.BILLING if required > 0 else DepositStatus.WAIVED,
        installments=installments if required > 0 else 1,
        waiver_reason="" if required > 0 else quote.amount.reason,
        closed_on=None if required > 0 else as_of,
        created_by=actor,
        idempotency_key=key,
    )
    if required > 0:
        DepositInstallment.objects.bulk_create(_schedule(deposit, as_of))
    audit_record(
        actor=actor,
        verb="deposit.require",
        target=deposit,
        account_id=account_id,
        data={"amount": str(required), "installments": installments, "reason": quote.amount.reason},
    )
    required_decision_record(deposit, quote.amount, as_of, actor, version_id=version.pk)
    return deposit


@transaction.atomic(durable=True)
def deposit_waive(*, deposit_id: int, reason: str, actor) -> SecurityDeposit:  # type: ignore[no-untyped-def]
    """A supervisor waives a deposit nothing has been paid into: installments already billed are
    reversed (append-only ledger), the rest are never billed."""
    if len(reason.strip()) < 5:
        raise DomainError("deposit.waive_reason", "Give the reason for the waiver.")
    deposit = SecurityDeposit.objects.filter(pk=deposit_id).only("account_id").first()
    if deposit is None:
        raise DomainError("deposit.not_found", "No such deposit.")
    account = accounts_lock([deposit.account_id])[deposit.account_id]
    deposit = SecurityDeposit.objects.select_for_update().get(pk=deposit_id)
    if deposit.status != DepositStatus.BILLING:
        raise DomainError("deposit.not_billing", f"This deposit is {deposit.get_status_display().lower()}.")
    if deposit.held_amount > 0:
        raise DomainError(
            "deposit.held",
            f"{format_money(deposit.held_amount)} is already held: refund or apply it instead of waiving.",
        )
    billed = list(
        LedgerEntry.objects.filter(
            idempotency_key__in=[f"deposit_installment:{i.pk}:0" for i in deposit.schedule.all()],
            reversals__isnull=True,
        )
    )
    if billed:
        _post(
            account=account,
            actor=actor,
            key_prefix=f"deposit_waive:{deposit.pk}",
            specs=[
                EntrySpec(
                    fund_id=e.fund_id,
                    kind=EntryKind.REVERSAL,
                    amount=-e.amount,
                    effective_date=timezone.localdate(),
                    due_date=e.due_date,
                    reference="DEPOSIT WAIVED",
                    reversal_of=e,
                )
                for e in billed
            ],
        )
    deposit.status, deposit.waiver_reason, deposit.waived_by = DepositStatus.WAIVED, reason.strip(), actor
    deposit.closed_on = timezone.localdate()
    deposit.save(update_fields=["status", "waiver_reason", "waived_by", "closed_on"])
    audit_record(
        actor=actor,
        verb="deposit.waive",
        target=deposit,
        account_id=deposit.account_id,
        data={"reason": reason.strip(), "reversed": str(sum((e.amount for e in billed), Decimal(0)))},
    )
    return deposit


# --- money movements on a locked account (used by the nightly run and the payment hooks) -------


def _accrue(deposit: SecurityDeposit, policy: Policy, upto: date) -> None:
    """Simple interest on what is held, from where it was last computed to `upto`."""
    start = deposit.interest_through or deposit.held_since
    if deposit.held_amount <= 0 or start is None or upto <= start:
        return
    interest = amounts.deposit_interest(policy, amount=deposit.held_amount, start=start, end=upto)
    deposit.interest_accrued = to_money(deposit.interest_accrued + interest.amount)
    deposit.interest_through = upto


def _credit_interest(deposit: SecurityDeposit, account: Account, on: date, actor) -> Decimal:  # type: ignore[no-untyped-def]
    amount = to_money(deposit.interest_accrued)
    key = f"deposit_interest:{deposit.pk}:{on.isoformat()}"
    if amount <= 0 or already_posted(key):
        return Decimal("0.00")
    _post(
        account=account,
        actor=actor,
        key_prefix=key,
        specs=[
            EntrySpec(
                fund_id=credit_fund_id(),
                kind=EntryKind.ADJUSTMENT,
                amount=-amount,
                effective_date=on,
                reference="DEPOSIT INTEREST",
            )
        ],
    )
    deposit.interest_credited = to_money(deposit.interest_credited + amount)
    deposit.interest_accrued, deposit.interest_credited_on = Decimal("0.00"), on
    audit_record(
        actor=actor,
        verb="deposit.interest",
        target=deposit,
        account_id=account.pk,
        data={"amount": str(amount), "through": on.isoformat()},
    )
    return amount


def _apply(deposit: SecurityDeposit, account: Account, amount: Decimal, on: date, actor) -> None:  # type: ignore[no-untyped-def]
    """Credit the held deposit to what the account owes, oldest first, like a payment."""
    key = f"deposit_applied:{deposit.pk}"
    if amount <= 0 or already_posted(key):
        return
    _post(
        account=account,
        actor=actor,
        key_prefix=key,
        specs=[
            EntrySpec(
                fund_id=fund,
                kind=EntryKind.DEPOSIT_APPLIED,
                amount=-part,
                effective_date=on,
                reference=f"DEPOSIT {deposit.pk} APPLIED",
            )
            for fund, part in credit_distribution(account_id=account.pk, amount=amount, as_of=on)
        ],
    )


def _close(  # type: ignore[no-untyped-def]
    deposit: SecurityDeposit,
    account: Account,
    policy: Policy,
    on: date,
    actor,
    *,
    final: bool,
    version_id: int,
    check: RefundCheck | None = None,
) -> None:
    """Refund a held deposit with its interest: applied to what is owed (all of it after a good
    record when anything is owed; on a final bill up to that bill), any rest by check. The refund
    is stored as a policy decision: the engine's refund check (`check`) after good payment, or
    the final bill."""
    _accrue(deposit, policy, on)
    _credit_interest(deposit, account, on, actor)
    account.refresh_from_db(fields=["balance"])
    held = deposit.held_amount
    applied = (
        min(held, max(account.balance, Decimal(0)))
        if final
        else (held if account.balance > 0 else Decimal(0))
    )
    _apply(deposit, account, applied, on, actor)
    deposit.refunded_amount = held
    deposit.refund_method = (
        RefundMethod.FINAL_BILL
        if final and applied > 0
        else RefundMethod.APPLIED
        if applied > 0
        else RefundMethod.CHECK
    )
    deposit.status = DepositStatus.APPLIED if applied > 0 else DepositStatus.REFUNDED
    deposit.explanation = {
        **deposit.explanation,
        "refund": {
            "on": on.isoformat(),
            "applied": str(applied),
            "by_check": str(held - applied),
            "final_bill": final,
        },
    }
    deposit.closed_on = on
    audit_record(
        actor=actor,
        verb="deposit.refund",
        target=deposit,
        account_id=account.pk,
        data={"applied": str(applied), "by_check": str(held - applied), "final": final},
    )
    refund_decision_record(deposit, on, actor, applied=applied, version_id=version_id, check=check)


def _held_from(payment) -> Decimal:  # type: ignore[no-untyped-def]
    total = payment.distribution.filter(fund__code=DEPOSIT_FUND).aggregate(s=Sum("amount"))["s"]
    return to_money(total or 0)


def on_payment_posted(*, payment) -> None:  # type: ignore[no-untyped-def]
    """Inside the payment's transaction, the account already locked by it: what the payment put
    on the DEP fund is now held."""
    into_deposit = _held_from(payment)
    if into_deposit <= 0:
        return
    deposit = (
        SecurityDeposit.objects.select_for_update()
        .filter(account_id=payment.account_id, status__in=OPEN)
        .order_by("id")
        .first()
    )
    if deposit is None:
        return
    policy, _ = current_policy()
    _accrue(deposit, policy, payment.business_date)
    deposit.held_amount = to_money(deposit.held_amount + into_deposit)
    deposit.held_since = deposit.held_since or payment.business_date
    deposit.interest_through = deposit.interest_through or payment.business_date
    if deposit.status == DepositStatus.BILLING and deposit.held_amount >= deposit.required_amount:
        deposit.status = DepositStatus.HELD
        deposit.review_on = add_months(deposit.held_since, policy.param("deposit.refund_after_months"))
    deposit.save()
    audit_record(
        actor=None,
        verb="deposit.paid",
        target=deposit,
        account_id=payment.account_id,
        data={"amount": str(into_deposit), "held": str(deposit.held_amount)},
    )


def _out_of_deposit(*, payment, funds: dict[int, Decimal], on: date) -> None:  # type: ignore[no-untyped-def]
    dep = Fund.objects.only("id").get(code=DEPOSIT_FUND).pk
    out_of_deposit = to_money(funds.get(dep, 0))
    if out_of_deposit <= 0:
        return
    deposit = (
        SecurityDeposit.objects.select_for_update()
        .filter(account_id=payment.account_id, status__in=OPEN)
        .order_by("id")
        .first()
    )
    if deposit is None:
        return
    policy, _ = current_policy()
    _accrue(deposit, policy, on)
    deposit.held_amount = to_money(max(deposit.held_amount - out_of_deposit, Decimal(0)))
    if deposit.held_amount < deposit.required_amount:
        deposit.status, deposit.review_on = DepositStatus.BILLING, None
    deposit.save()


def on_payment_returned(*, payment, returned, funds, **_) -> None:  # type: ignore[no-untyped-def]
    """A returned payment takes back what the returned item had put into the deposit: its part
    of the DEP fund (`funds`, by the stored tender allocation; all of it on a single tender)."""
    _out_of_deposit(payment=payment, funds=funds, on=returned.returned_on)


def on_payment_voided(*, payment, funds, on: date, **_) -> None:  # type: ignore[no-untyped-def]
    """A voided payment takes back all it had put into the deposit."""
    _out_of_deposit(payment=payment, funds=funds, on=on)


def deposit_next_credit_on(deposit: SecurityDeposit) -> date | None:
    """Interest is credited on each anniversary of the day the deposit started being held."""
    if deposit.held_since is None:
        return None
    last, years = deposit.interest_credited_on or deposit.held_since, 1
    while add_months(deposit.held_since, 12 * years) <= last:
        years += 1
    return add_months(deposit.held_since, 12 * years)


def refund_due_on(deposit: SecurityDeposit, within_days: int) -> date | None:
    return deposit.review_on + timedelta(days=within_days) if deposit.review_on else None


@transaction.atomic(durable=True)
def deposit_check_issued(*, deposit_id: int, issued_on: date, actor) -> SecurityDeposit:  # type: ignore[no-untyped-def]
    """Accounts payable cut the refund check for a deposit refunded by check."""
    deposit = SecurityDeposit.objects.select_for_update().filter(pk=deposit_id).first()
    if deposit is None or deposit.refund_method not in (RefundMethod.CHECK, RefundMethod.FINAL_BILL):
        raise DomainError("deposit.no_check", "No refund check is due on this deposit.")
    if deposit.check_issued_on is None:
        deposit.check_issued_on = issued_on
        deposit.save(update_fields=["check_issued_on"])
        audit_record(
            actor=actor,
            verb="deposit.check_issued",
            target=deposit,
            account_id=deposit.account_id,
            data={"on": issued_on.isoformat()},
        )
    return deposit
