"""Money received on a written-off account: a recovery.

How it reads on the ledger. After a write-off the account owes nothing, so the payments service
settles no open item and puts the money on the customer-credit fund (CR). Inside the payment's
own transaction (payments hook), the part of it that went to CR, up to what is still written off,
is recovered with three kinds of entries, all referenced `WO recovery P<payment id>`:

1. `adjustment` +x per fund of the write-off: the written-off debt re-established;
2. `transfer` -x per fund: ... and paid, by
3. `transfer` +R on CR: the payment's credit moved off the customer-credit fund.

Their sum is +R, which exactly cancels the credit the payment left, so the balance is what it was
before the payment (zero on a fully written-off account) and `balance == sum(entries)` holds. Each
fund's net is unchanged except CR, which returns to zero: the money ends up in the funds the debt
was written off from. A payment larger than what is written off leaves the rest as credit.

A returned (NSF) recovery payment reverses those entries and the write-off stands again. The
account stays flagged as written off, with the balance kept for re-application (League City).
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.db.models import F, QuerySet, Sum

from accounts.models import Account, EntryKind, LedgerEntry
from accounts.services.ledger import EntrySpec, _post, accounts_lock, credit_fund_id
from collections_app.models import WriteOff, WriteOffStatus
from collections_app.models.recovery import WriteOffRecovery
from common.audit import audit_record
from common.money import to_money


def _reference(payment_id: int) -> str:
    return f"WO recovery P{payment_id}"


def _fund_split(write_off: WriteOff, start: Decimal, take: Decimal) -> list[tuple[int, Decimal]]:
    """The funds the slice [start, start + take) of the written-off amount came from, in the
    order the write-off credited them (so successive recoveries walk the funds in turn)."""
    parts = list(
        LedgerEntry.objects.filter(
            account_id=write_off.account_id,
            kind=EntryKind.WRITE_OFF,
            reference=f"WO-{write_off.pk}",
            reversal_of__isnull=True,
        )
        .order_by("id")
        .values_list("fund_id", "amount")
    )
    out: list[tuple[int, Decimal]] = []
    cursor, end = Decimal(0), start + take
    for fund_id, amount in parts:
        lo, hi = cursor, cursor - amount  # write-off entries are negative
        overlap = min(hi, end) - max(lo, start)
        if overlap > 0:
            out.append((fund_id, to_money(overlap)))
        cursor = hi
    return out


def on_payment_posted(*, payment) -> None:  # type: ignore[no-untyped-def]
    """Payments hook: runs inside the posting transaction with the account locked."""

    def to_credit() -> Decimal:
        cr = credit_fund_id()
        return payment.distribution.filter(fund_id=cr).aggregate(s=Sum("amount"))["s"] or Decimal(0)

    _recover(
        payment,
        account=payment.account,
        to_credit=to_credit,
        on=payment.business_date,
        key=f"wo-recovery:{payment.pk}",
    )


def open_write_off_accounts(account_ids: list[int]) -> QuerySet[WriteOff, int]:
    """Of these accounts, those with a write-off not fully recovered (the postings' hook filter: a
    query of account ids, not run here)."""
    return WriteOff.objects.filter(
        account_id__in=account_ids, status=WriteOffStatus.POSTED, amount__gt=F("recovered_amount")
    ).values_list("account_id", flat=True)


def _recover(payment, *, account, to_credit: Callable[[], Decimal], on, key: str) -> None:  # type: ignore[no-untyped-def]
    """Recover from the payment's credit (`to_credit`, asked only when a write-off is open)."""
    write_offs = list(
        WriteOff.objects.select_for_update(no_key=True)
        .filter(account_id=payment.account_id, status=WriteOffStatus.POSTED, amount__gt=F("recovered_amount"))
        .order_by("posted_on", "id")
    )
    if not write_offs:
        return
    cr = credit_fund_id()
    left = to_money(to_credit())
    if left <= 0:
        return  # the payment settled charges made after the write-off: not a recovery
    reinstate, settle, recovered = [], [], []
    for write_off in write_offs:
        if left <= 0:
            break
        take = min(left, write_off.amount - write_off.recovered_amount)
        for fund_id, part in _fund_split(write_off, write_off.recovered_amount, take):
            reinstate.append((fund_id, part))
            settle.append((fund_id, part))
        recovered.append((write_off, take))
        left -= take
    total = sum((take for _, take in recovered), Decimal(0))
    ref = _reference(payment.pk)
    specs = [
        EntrySpec(
            fund_id=f, kind=EntryKind.ADJUSTMENT, amount=x, effective_date=on, due_date=on, reference=ref
        )
        for f, x in reinstate
    ]
    specs += [
        EntrySpec(fund_id=f, kind=EntryKind.TRANSFER, amount=-x, effective_date=on, reference=ref)
        for f, x in settle
    ]
    specs.append(
        EntrySpec(
            fund_id=cr, kind=EntryKind.TRANSFER, amount=total, effective_date=on, due_date=on, reference=ref
        )
    )
    # the caller's own locked instance: its in-memory balance stays right.
    _post(account=account, specs=specs, actor=None, key_prefix=key)
    for write_off, take in recovered:
        WriteOffRecovery.objects.create(write_off=write_off, payment=payment, amount=take, recovered_on=on)
        write_off.recovered_amount = to_money(write_off.recovered_amount + take)
        write_off.save(update_fields=["recovered_amount"])
        audit_record(
            actor=None,
            verb="write_off.recovery",
            target=write_off,
            account_id=payment.account_id,
            data={"amount": str(take), "payment": payment.pk, "recovered": str(write_off.recovered_amount)},
        )


def _reversed(entry: LedgerEntry) -> Decimal:
    return sum((r.amount for r in entry.reversals.all()), Decimal(0))


def _undo(payment, *, key: str, on: date, label: str) -> Account | None:  # type: ignore[no-untyped-def]
    """Put the write-off back as it was before this payment recovered part of it: the recovery's
    entries are reversed whole and the write-off's recovered amount goes down. None when the
    payment recovered nothing."""
    recoveries = list(
        WriteOffRecovery.objects.select_for_update(no_key=True)
        .select_related("write_off")
        .filter(payment=payment, reversed=False)
    )
    if not recoveries:
        return None
    account = accounts_lock([payment.account_id])[payment.account_id]  # already held by the caller
    entries = LedgerEntry.objects.filter(
        account_id=payment.account_id,
        reference=_reference(payment.pk),
        reversal_of__isnull=True,
        reversals__isnull=True,
    ).order_by("id")
    _post(
        account=account,
        actor=None,
        key_prefix=key,
        specs=[
            EntrySpec(
                fund_id=e.fund_id,
                kind=EntryKind.REVERSAL,
                amount=-e.amount,
                effective_date=on,
                reference=f"{label} {e.reference}"[:60],
                reversal_of=e,
            )
            for e in entries
        ],
    )
    for recovery in recoveries:
        write_off = WriteOff.objects.select_for_update(no_key=True).get(pk=recovery.write_off_id)
        write_off.recovered_amount = to_money(write_off.recovered_amount - recovery.amount)
        write_off.save(update_fields=["recovered_amount"])
        recovery.reversed = True
        recovery.save(update_fields=["reversed"])
        audit_record(
            actor=None,
            verb="write_off.recovery_returned" if label == "RETURNED" else "write_off.recovery_voided",
            target=write_off,
            account_id=payment.account_id,
            data={"amount": str(recovery.amount), "payment": payment.pk},
        )
    return account


def on_payment_voided(*, payment, on: date, **_) -> None:  # type: ignore[no-untyped-def]
    """Payments hook: a voided recovery payment never came in, so the write-off stands again whole
    (otherwise the re-established debt would stay on the account with nothing paying it)."""
    _undo(payment, key=f"wo-recovery-voided:{payment.pk}", on=on, label="VOIDED")


def on_payment_returned(*, payment, returned, **_) -> None:  # type: ignore[no-untyped-def]
    """Payments hook: a returned recovery payment puts the write-off back as it was. When the
    returned item was only part of the payment (a check beside cash), the recovery is undone whole
    and made again from the credit the payment still leaves, so the entries stay whole reversals."""
    account = _undo(
        payment,
        key=f"wo-recovery-returned:{payment.pk}:{returned.pk}",
        on=returned.returned_on,
        label="RETURNED",
    )
    if account is None:
        return
    # What of the payment's credit still stands (its CR rows less every reversal of them).

    def standing() -> Decimal:
        rows = payment.distribution.filter(fund_id=credit_fund_id()).select_related("entry")
        return sum((row.amount - _reversed(row.entry) for row in rows), Decimal(0))

    _recover(
        payment,
        account=account,
        to_credit=standing,
        on=returned.returned_on,
        key=f"wo-recovery:{payment.pk}:after:{returned.pk}",
    )
