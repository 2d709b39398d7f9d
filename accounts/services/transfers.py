"""Moving a misapplied payment to the account it was meant for."""

from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, EntryKind, LedgerEntry, ReasonCode
from accounts.services.ledger import EntrySpec, _post, accounts_lock, already_posted, credit_distribution
from common.audit import audit_record
from common.exceptions import DomainError
from common.money import to_money


@transaction.atomic(durable=True)
def payment_transfer(
    *,
    from_account_id: int,
    reference: str,
    paid_on: date,
    to_account_number: str,
    reason_id: int,
    note: str,
    actor,
    idempotency_key: UUID | str,
) -> list[LedgerEntry]:  # type: ignore[no-untyped-def]
    """Reverse every entry of one payment (its reference and date) on the source account and
    post the same total on the target, settling the target's oldest charges first."""
    key = f"xfer:{idempotency_key}"
    target = Account.objects.filter(number=to_account_number.strip()).only("id").first()
    if target is None:
        raise DomainError("transfer.target", f"No account numbered {to_account_number.strip()}.")
    if target.pk == from_account_id:
        raise DomainError("transfer.same", "Choose a different account to move the payment to.")
    locked = accounts_lock([from_account_id, target.pk])
    if already_posted(f"{key}:to"):
        return list(
            LedgerEntry.objects.filter(account_id=target.pk, idempotency_key__startswith=f"{key}:to:")
        )
    reason = ReasonCode.objects.filter(pk=reason_id, kind=ReasonCode.Kind.TRANSFER, active=True).first()
    if reason is None:
        raise DomainError("transfer.reason", "Choose why the payment is moved.")
    if not note.strip():
        raise DomainError("transfer.note", "Explain the transfer in the note.")
    originals = list(
        LedgerEntry.objects.filter(
            account_id=from_account_id,
            kind=EntryKind.PAYMENT,
            reference=reference,
            effective_date=paid_on,
            reversal_of__isnull=True,
            reversals__isnull=True,
        ).order_by("id")
    )
    if not originals:
        raise DomainError("transfer.payment", "That payment is not on this account, or was already moved.")
    total = to_money(-sum((e.amount for e in originals), Decimal(0)))
    today = timezone.localdate()
    ref = f"XFER {reference}"[:60]
    _post(
        account=locked[from_account_id],
        actor=actor,
        key_prefix=f"{key}:from",
        specs=[
            EntrySpec(
                fund_id=e.fund_id,
                kind=EntryKind.TRANSFER,
                amount=-e.amount,
                effective_date=today,
                reference=ref,
                reversal_of=e,
            )
            for e in originals
        ],
    )
    posted = _post(
        account=locked[target.pk],
        actor=actor,
        key_prefix=f"{key}:to",
        specs=[
            EntrySpec(
                fund_id=fund_id, kind=EntryKind.TRANSFER, amount=-part, effective_date=today, reference=ref
            )
            for fund_id, part in credit_distribution(account_id=target.pk, amount=total, as_of=today)
        ],
    )
    data = {
        "amount": str(total),
        "reference": reference,
        "paid_on": paid_on.isoformat(),
        "reason": reason.code,
        "note": note.strip()[:200],
    }
    audit_record(
        actor=actor,
        verb="payment.transfer_out",
        target=locked[from_account_id],
        account_id=from_account_id,
        data={**data, "to": locked[target.pk].number},
    )
    audit_record(
        actor=actor,
        verb="payment.transfer_in",
        target=locked[target.pk],
        account_id=target.pk,
        data={**data, "from": locked[from_account_id].number},
    )
    return posted
