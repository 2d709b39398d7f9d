"""Writing to the ledger. Every public service here is one durable transaction that locks the
accounts it touches (always in primary-key order, so two services never deadlock), checks its
idempotency key under the lock, appends entries and moves `Account.balance` by exactly their sum.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from accounts.models import Account, EntryKind, Fund, LedgerEntry
from accounts.selectors.open_items import open_items
from common.exceptions import DomainError
from common.locking import rows_lock
from common.money import to_money

CREDIT_FUND_CODE = "CR"


@dataclass(frozen=True)
class EntrySpec:
    fund_id: int
    kind: str
    amount: Decimal
    effective_date: date
    due_date: date | None = None
    bill_id: int | None = None
    reference: str = ""
    reversal_of: LedgerEntry | None = None
    is_debit: bool | None = None  # None: from the sign (reversals take their original's side)


def accounts_lock(account_ids: Iterable[int]) -> dict[int, Account]:
    """Row-lock accounts in id order. Caller must be inside a transaction."""
    ids = sorted(set(account_ids))
    locked = rows_lock(Account, ids)  # the statement written once: this runs on every payment
    missing = set(ids) - locked.keys()
    if missing:
        raise DomainError("account.not_found", f"No account with id {sorted(missing)[0]}.")
    return locked


def _post(*, account: Account, specs: list[EntrySpec], actor, key_prefix: str) -> list[LedgerEntry]:  # type: ignore[no-untyped-def]
    """Append entries to a locked account and move its balance by their sum."""
    entries = []
    for spec in specs:
        amount = to_money(spec.amount)
        if amount == 0:
            continue
        if spec.reversal_of is not None:
            side = spec.reversal_of.is_debit
        else:
            side = amount > 0 if spec.is_debit is None else spec.is_debit
        entries.append(
            LedgerEntry(
                account=account,
                fund_id=spec.fund_id,
                kind=spec.kind,
                amount=amount,
                is_debit=side,
                effective_date=spec.effective_date,
                due_date=spec.due_date,
                bill_id=spec.bill_id,
                reference=spec.reference[:60],
                reversal_of=spec.reversal_of,
                created_by=actor,
                idempotency_key=f"{key_prefix}:{len(entries)}",
            )
        )
    LedgerEntry.objects.bulk_create(entries)
    account.balance = to_money(account.balance + sum((e.amount for e in entries), Decimal(0)))
    account.save(update_fields=["balance"])  # safe: the row is locked by accounts_lock
    return entries


def already_posted(key_prefix: str) -> bool:
    """Entries of one posting are keyed prefix:0, prefix:1 ...; the first proves the posting."""
    return LedgerEntry.objects.filter(idempotency_key=f"{key_prefix}:0").exists()


def credit_fund_id() -> int:
    return Fund.objects.only("id").get(code=CREDIT_FUND_CODE).pk


def credit_distribution(*, account_id: int, amount: Decimal, as_of: date) -> list[tuple[int, Decimal]]:
    """How a credit of `amount` settles the account's open charges: oldest due date first, then
    fund priority; whatever is left stays as the customer's credit. Sums exactly to `amount`."""
    amount = to_money(amount)
    if amount <= 0:
        raise DomainError("amount.not_positive", "The amount must be more than zero.")
    return distribution_plan(open_items(account_id=account_id, as_of=as_of), amount, credit_fund_id)


def distribution_plan(items, amount: Decimal, credit_fund: Callable[[], int]) -> list[tuple[int, Decimal]]:  # type: ignore[no-untyped-def]
    """The rule of `credit_distribution` over open items already read (a bulk posting reads them
    for many accounts at once): one rule, so the two paths can never disagree."""
    plan: dict[int, Decimal] = {}
    remaining = to_money(amount)
    for item in items:
        if remaining == 0:
            break
        take = min(remaining, item.unpaid)
        plan[item.fund_id] = plan.get(item.fund_id, Decimal(0)) + take
        remaining -= take
    if remaining > 0:
        cr = credit_fund()
        plan[cr] = plan.get(cr, Decimal(0)) + remaining
    return [(fund_id, to_money(part)) for fund_id, part in plan.items()]


def ledger_sum(account_id: int) -> Decimal:
    total = LedgerEntry.objects.filter(account_id=account_id).aggregate(s=Sum("amount"))["s"]
    return to_money(total or 0)


__all__ = ["EntryKind", "EntrySpec", "accounts_lock", "already_posted", "credit_distribution", "ledger_sum"]
