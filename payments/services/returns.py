"""A returned payment (NSF) in one action, with every side effect in the same transaction."""

from datetime import date
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import EntryKind, Fund
from accounts.services.ledger import EntrySpec, _post, accounts_lock
from common.audit import audit_record
from common.dates import add_months
from common.exceptions import DomainError
from common.money import to_money
from payments.models import Payment, PaymentStatus, ReturnedItem, TenderKind
from payments.services.hooks import payment_returned_hooks
from payments.services.voids import _reverse

RETURNABLE = {
    TenderKind.CHECK,
    TenderKind.LOCKBOX,
    TenderKind.AGENCY,
    TenderKind.ELECTRONIC,
    TenderKind.MONEY_ORDER,
    TenderKind.CASHIERS_CHECK,
}


def nsf_terms(*, account_id: int, returned_on: date) -> tuple[int, int, date | None]:
    """(nth return within the fee lookback, returns within the cash-only window, cash-only until)."""
    fee_since = add_months(returned_on, -settings.NSF_FEE_LOOKBACK_MONTHS)
    window_since = add_months(returned_on, -settings.NSF_CASH_ONLY_WINDOW_MONTHS)
    prior = ReturnedItem.objects.filter(payment__account_id=account_id)
    nth = prior.filter(returned_on__gt=fee_since).count() + 1
    in_window = prior.filter(returned_on__gt=window_since).count() + 1
    until = (
        add_months(returned_on, settings.NSF_CASH_ONLY_MONTHS)
        if in_window >= settings.NSF_CASH_ONLY_COUNT
        else None
    )
    return nth, in_window, until


@transaction.atomic(durable=True)
def payment_return(
    *,
    payment_id: int,
    returned_on: date,
    reason: str,
    actor,  # type: ignore[no-untyped-def]
    idempotency_key: UUID | str,
) -> ReturnedItem:
    key = f"nsf:{idempotency_key}"
    account_id = Payment.objects.values_list("account_id", flat=True).get(pk=payment_id)
    account = accounts_lock([account_id])[account_id]
    if done := ReturnedItem.objects.filter(idempotency_key=key).first():
        return done
    payment = Payment.objects.select_for_update(no_key=True).select_related("transaction").get(pk=payment_id)
    if payment.status != PaymentStatus.POSTED:
        raise DomainError(
            "nsf.state",
            f"This payment is {payment.get_status_display().lower()}; only a posted payment can be returned.",
        )
    kinds = set(payment.transaction.tenders.values_list("kind", flat=True))
    if not kinds & RETURNABLE:
        raise DomainError(
            "nsf.tender",
            "Cash and card payments cannot come back as returned items (card disputes are chargebacks).",
        )
    if not reason.strip():
        raise DomainError("nsf.reason", "Give the bank's return reason (e.g. NSF, account closed).")
    if returned_on < payment.business_date or returned_on > timezone.localdate():
        raise DomainError("nsf.date", "The return date must be between the payment date and today.")

    # 1. the payment and its fund distribution are reversed
    _reverse(payment, account, actor, EntryKind.PAYMENT_REVERSAL, f"{key}:rev")
    payment.status = PaymentStatus.RETURNED
    payment.save(update_fields=["status"])
    # 2. the fee per policy: first vs subsequent within the lookback
    nth, in_window, cash_only_until = nsf_terms(account_id=account.pk, returned_on=returned_on)
    fee = to_money(settings.NSF_FEE_FIRST if nth == 1 else settings.NSF_FEE_SUBSEQUENT)
    [fee_entry] = _post(
        account=account,
        actor=actor,
        key_prefix=f"{key}:fee",
        specs=[
            EntrySpec(
                fund_id=Fund.objects.get(code="FEE").pk,
                kind=EntryKind.FEE,
                amount=fee,
                effective_date=returned_on,
                due_date=returned_on,
                reference=f"NSF FEE {payment.transaction.receipt_number}",
            )
        ],
    )
    # 3. certified funds only after N returns in M months
    if cash_only_until and (account.cash_only_until is None or account.cash_only_until < cash_only_until):
        account.cash_only_until = cash_only_until
        account.save(update_fields=["cash_only_until"])
    item = ReturnedItem.objects.create(
        payment=payment,
        returned_on=returned_on,
        reason=reason.strip()[:60],
        fee=fee,
        fee_entry=fee_entry,
        nth_in_window=in_window,
        cash_only_until=cash_only_until,
        recorded_by=actor,
        idempotency_key=key,
    )
    audit_record(
        actor=actor,
        verb="payment.returned",
        target=payment,
        account_id=account.pk,
        data={
            "amount": str(payment.amount),
            "fee": str(fee),
            "nth": nth,
            "reason": reason.strip()[:60],
            "cash_only_until": cash_only_until.isoformat() if cash_only_until else None,
        },
    )
    # 4. counseling re-opens installments and pledges this payment satisfied; collections sees
    #    the account past due again from the reversed entries themselves.
    for hook in payment_returned_hooks:
        hook(payment=payment, returned=item)
    return item
