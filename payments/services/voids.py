"""Voids: always reversing entries. A receipt is voided by the cashier who took it (same day, drawer
open: at once) or by a supervisor; otherwise a supervisor other than the requester approves."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import EntryKind, LedgerEntry
from accounts.services.ledger import EntrySpec, _post, accounts_lock
from common.audit import audit_record
from common.exceptions import DomainError
from payments.models import CounterTransaction, Payment, PaymentDistribution, PaymentStatus, SessionStatus
from payments.services.hooks import payment_voided_hooks


def _reverse(payment: Payment, account, actor, kind: str, key: str) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    _post(
        account=account,
        actor=actor,
        key_prefix=key,
        specs=[
            EntrySpec(
                fund_id=d.fund_id,
                kind=kind,
                amount=d.amount,
                effective_date=today,
                reference=f"{kind.upper()} {payment.transaction.receipt_number}"[:60],
                reversal_of=d.entry,
            )
            for d in payment.distribution.select_related("entry")
        ],
    )


def _cashier_may_void(txn: CounterTransaction, actor) -> bool:  # type: ignore[no-untyped-def]
    session = txn.session
    return (
        session is not None
        and txn.created_by_id == actor.pk
        and session.status == SessionStatus.OPEN
        and txn.business_date == timezone.localdate()
    )


NOT_YOURS = "Only the cashier who took this receipt, or a supervisor, can void it."


def void_refusal(txn: CounterTransaction, actor) -> str | None:  # type: ignore[no-untyped-def]
    """Why `actor` may not void (or ask to void) this receipt; None when they may. A receipt is its
    cashier's to void; a supervisor may void anyone's. Other roles that can read receipts
    (collections officers, for returned items) may not touch them."""
    if actor.has_perm("payments.void_any_payment"):
        return None
    if txn.created_by_id == actor.pk and actor.has_perm("payments.add_payment"):
        return None
    return NOT_YOURS


@transaction.atomic(durable=True)
def transaction_void(  # type: ignore[no-untyped-def]
    *, transaction_id: int, reason: str, actor, requested_only: bool = False
) -> CounterTransaction:
    """Void a whole receipt. Returns it voided, or marked awaiting a supervisor's approval.
    `requested_only` (the approvals queue): approve a waiting request, never void a receipt whose
    request another supervisor rejected meanwhile."""
    if not reason.strip():
        raise DomainError("void.reason", "Give the reason for the void.")
    txn = CounterTransaction.objects.select_related("session").get(pk=transaction_id)
    if refusal := void_refusal(txn, actor):
        raise DomainError("void.not_yours", refusal)
    accounts = accounts_lock(txn.payments.values_list("account_id", flat=True))
    payments = list(txn.payments.select_for_update(no_key=True).select_related("transaction").order_by("pk"))
    if any(p.status in (PaymentStatus.RETURNED, PaymentStatus.PART_RETURNED) for p in payments):
        # The returned item already reversed its own part; voiding "the whole receipt" would
        # reverse those entries twice, so the rest is corrected by adjustment, not by a void.
        raise DomainError(
            "void.returned",
            "An item on this receipt came back from the bank; a receipt with a returned item "
            "cannot be voided.",
        )
    if any(p.status != PaymentStatus.POSTED and p.status != PaymentStatus.VOID_PENDING for p in payments):
        raise DomainError("void.state", "This receipt was already voided.")
    if requested_only and not any(p.status == PaymentStatus.VOID_PENDING for p in payments):
        raise DomainError("void.decided", "This void request was already decided.")
    if LedgerEntry.objects.filter(
        kind=EntryKind.TRANSFER,
        reversal_of__in=PaymentDistribution.objects.filter(payment__in=payments).values("entry_id"),
    ).exists():
        # Part of the receipt was moved to another account (misapplied payment): its entries are
        # reversed already, and reversing them again would break "an entry is reversed once".
        raise DomainError(
            "void.moved",
            "Part of this receipt was moved to another account; a moved payment cannot be voided. "
            "Correct it with an adjustment on the account that holds it now.",
        )
    # Four eyes: a supervisor voids other people's receipts; one they took themselves waits for
    # another supervisor like any cashier's would. Only a receipt's cashier can leave a request
    # (a supervisor voids at once), so nobody ever approves a void they asked for.
    supervisor = actor.has_perm("payments.void_any_payment")
    at_once = _cashier_may_void(txn, actor) or (supervisor and txn.created_by_id != actor.pk)
    now = timezone.now()
    if at_once:
        for p in payments:
            _reverse(p, accounts[p.account_id], actor, EntryKind.PAYMENT_REVERSAL, f"void:{p.pk}")
            funds: dict[int, Decimal] = defaultdict(Decimal)
            for d in p.distribution.all():
                funds[d.fund_id] += d.amount
            for hook in payment_voided_hooks:
                hook(payment=p, amount=p.amount, funds=dict(funds), on=timezone.localdate())
            p.status, p.voided_by, p.voided_at = PaymentStatus.VOIDED, actor, now
            p.void_reason = p.void_reason or reason.strip()
            p.save(update_fields=["status", "voided_by", "voided_at", "void_reason"])
            audit_record(
                actor=actor,
                verb="payment.void",
                target=p,
                account_id=p.account_id,
                data={
                    "amount": str(p.amount),
                    "reason": reason.strip()[:200],
                    "requested_by": p.void_requested_by.get_username() if p.void_requested_by else "",
                },
            )
    else:
        if any(p.status == PaymentStatus.VOID_PENDING for p in payments):
            if supervisor:
                raise DomainError("void.own", "A second person must approve the void of a receipt you took.")
            raise DomainError("void.pending", "A void of this receipt already awaits a supervisor.")
        for p in payments:
            p.status, p.void_reason, p.void_requested_by = PaymentStatus.VOID_PENDING, reason.strip(), actor
            p.save(update_fields=["status", "void_reason", "void_requested_by"])
            audit_record(
                actor=actor,
                verb="payment.void_requested",
                target=p,
                account_id=p.account_id,
                data={"amount": str(p.amount), "reason": reason.strip()[:200]},
            )
    return txn


@transaction.atomic(durable=True)
def void_request_reject(*, transaction_id: int, actor, note: str) -> None:  # type: ignore[no-untyped-def]
    if not actor.has_perm("payments.void_any_payment"):
        raise DomainError("void.perm", "Only a supervisor can decide on voids.")
    if not note.strip():
        raise DomainError("void.reject_note", "Say why the void is rejected.")
    pending = list(
        Payment.objects.select_for_update(no_key=True, of=("self",))
        .filter(transaction_id=transaction_id, status=PaymentStatus.VOID_PENDING)
        .select_related("transaction")
        .order_by("pk")
    )
    # Checked under the lock: a second supervisor's click after the first decided changes nothing.
    if not pending:
        raise DomainError("void.decided", "This void request was already decided.")
    if any(actor.pk in (p.void_requested_by_id, p.transaction.created_by_id) for p in pending):
        raise DomainError("void.own", "A second person must decide on the void of a receipt you took.")
    for p in pending:
        p.status = PaymentStatus.POSTED
        p.save(update_fields=["status"])
        audit_record(
            actor=actor,
            verb="payment.void_rejected",
            target=p,
            account_id=p.account_id,
            data={"note": note.strip()[:200]},
        )
