"""Payments reach counseling through the payments hooks (payments cannot import counseling).
They run inside the payment's own transaction, with the account already locked by it."""

from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from common.money import to_money
from counseling.models import (
    Arrangement,
    ArrangementStatus,
    Installment,
    InstallmentPayment,
    InstallmentStatus,
    Pledge,
    PledgePayment,
    PledgeStatus,
)
from payments.models import Payment, ReturnedItem, TenderKind


def _apply_to_installments(payment: Payment) -> None:
    """A payment on an account with an active arrangement pays its open installments, earliest due
    first; when the last is paid the arrangement is kept."""
    arrangement = Arrangement.objects.filter(
        account_id=payment.account_id, status=ArrangementStatus.ACTIVE
    ).first()
    if arrangement is None:
        return
    left = payment.amount
    for inst in arrangement.installments.select_for_update(no_key=True).exclude(
        status=InstallmentStatus.PAID
    ):
        if left <= 0:
            break
        take = min(left, inst.amount - inst.paid_amount)
        if take <= 0:
            continue
        InstallmentPayment.objects.create(installment=inst, payment=payment, amount=take)
        inst.paid_amount += take
        if inst.paid_amount >= inst.amount:
            inst.status, inst.paid_on = InstallmentStatus.PAID, payment.business_date
        inst.save(update_fields=["paid_amount", "status", "paid_on"])
        left -= take
    if not arrangement.installments.exclude(status=InstallmentStatus.PAID).exists():
        arrangement.status, arrangement.ended_on = ArrangementStatus.KEPT, payment.business_date
        arrangement.end_reason = "All installments paid."
        arrangement.save(update_fields=["status", "ended_on", "end_reason"])


def _apply_to_pledges(payment: Payment) -> None:
    """An agency's payment settles that agency's pending pledges on the account, oldest first."""
    txn = payment.transaction
    if not txn.tenders.filter(kind=TenderKind.AGENCY).exists():
        return
    pledges = Pledge.objects.select_for_update(no_key=True).filter(
        account_id=payment.account_id, status=PledgeStatus.PENDING
    )
    named = pledges.filter(agency__name__iexact=txn.payer_name.strip())
    left = payment.amount
    for pledge in (named if named.exists() else pledges).order_by("pledged_on", "id"):
        if left <= 0:
            break
        take = min(left, pledge.amount - pledge.paid_amount)
        PledgePayment.objects.create(pledge=pledge, payment=payment, amount=take)
        pledge.paid_amount += take
        # an agency may pay a little less than pledged; what it paid closes the pledge
        pledge.status, pledge.closed_at = PledgeStatus.PAID, timezone.now()
        pledge.save(update_fields=["paid_amount", "status", "closed_at"])
        left -= take


def tracked_accounts(account_ids: list[int]) -> QuerySet[Pledge, int]:
    """Of these accounts, those with a pending pledge or an active arrangement: the only ones
    `on_posted` acts on (postings call it for their payments only). A query of account ids, not
    run here: a single posting asks all its hooks in one statement."""
    pledged = Pledge.objects.filter(account_id__in=account_ids, status=PledgeStatus.PENDING)
    arranged = Arrangement.objects.filter(account_id__in=account_ids, status=ArrangementStatus.ACTIVE)
    return pledged.values_list("account_id", flat=True).union(
        arranged.values_list("account_id", flat=True), all=True
    )


def on_posted(*, payment: Payment) -> None:
    _apply_to_pledges(payment)
    _apply_to_installments(payment)


def _take_back(applied, parent: str, left: Decimal) -> Decimal:  # type: ignore[no-untyped-def]
    """Undo up to `left` of one applied row. A partial undo keeps the history: the row is marked
    reversed and a new row carries the part that still stands. Returns what was taken back."""
    take = min(left, applied.amount)
    applied.reversed = True
    applied.save(update_fields=["reversed"])
    if take < applied.amount:
        type(applied).objects.create(
            **{parent: getattr(applied, parent)},
            payment=applied.payment,
            amount=to_money(applied.amount - take),
        )
    return take


def on_returned(*, payment: Payment, returned: ReturnedItem | None, amount: Decimal, **_: object) -> None:
    """Undo what the returned part of the payment had satisfied: installments re-open (and a kept
    arrangement is active again), pledges return to pending so the agency can be asked again.

    `amount` is what the return took back from this payment (a split tender's check is only part
    of it); the kept money stays on the earliest installments, so the latest are re-opened first."""
    left = to_money(amount)
    for applied in (
        InstallmentPayment.objects.select_related("installment__arrangement")
        .filter(payment=payment, reversed=False)
        .order_by("-installment__due_date", "-id")
    ):
        if left <= 0:
            break
        take = _take_back(applied, "installment", left)
        left -= take
        inst = applied.installment
        inst.paid_amount = to_money(inst.paid_amount - take)
        inst.status, inst.paid_on = InstallmentStatus.OPEN, None
        inst.save(update_fields=["paid_amount", "status", "paid_on"])
        arrangement = inst.arrangement
        if arrangement.status == ArrangementStatus.KEPT:
            arrangement.status, arrangement.ended_on, arrangement.end_reason = (
                ArrangementStatus.ACTIVE,
                None,
                "",
            )
            arrangement.save(update_fields=["status", "ended_on", "end_reason"])
    left = to_money(amount)
    for applied in (
        PledgePayment.objects.select_related("pledge").filter(payment=payment, reversed=False).order_by("-id")
    ):
        if left <= 0:
            break
        take = _take_back(applied, "pledge", left)
        left -= take
        pledge = applied.pledge
        pledge.paid_amount = to_money(pledge.paid_amount - take)
        if pledge.paid_amount < pledge.amount and pledge.status == PledgeStatus.PAID:
            pledge.status, pledge.closed_at = PledgeStatus.PENDING, None
        pledge.save(update_fields=["paid_amount", "status", "closed_at"])


def on_voided(*, payment: Payment, amount: Decimal, **_: object) -> None:
    """A voided payment never came in: what it had paid re-opens, as for a returned item."""
    on_returned(payment=payment, returned=None, amount=amount)


def installment_balance(installment: Installment) -> Decimal:
    return installment.amount - installment.paid_amount
