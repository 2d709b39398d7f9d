"""Test helpers for notices, late fees and deposits: real bills (Bill row + its charge entries,
as the bill import posts them) and the utility's policy set per test (`use_policy`, kept in the
policy app's test helpers and re-exported here for the collections tests)."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from accounts.models import Account, Bill, EntryKind
from accounts.services.ledger import EntrySpec
from accounts.tests.factories import fund, post
from policy.tests.helpers import use_policy  # noqa: F401 (re-exported for the collections tests)

_numbers = count(1)


def bill(
    account: Account,
    amount: str,
    *,
    due: date,
    billed: date | None = None,
    code: str = "WTR",
    final: bool = False,
) -> Bill:
    billed = billed or due - timedelta(days=21)
    row = Bill.objects.create(
        number=f"T{next(_numbers):07d}",
        account=account,
        period_start=billed - timedelta(days=30),
        period_end=billed - timedelta(days=1),
        bill_date=billed,
        due_date=due,
        total=Decimal(amount),
        is_final=final,
    )
    post(
        account,
        EntrySpec(
            fund_id=fund(code).pk,
            kind=EntryKind.CHARGE,
            amount=Decimal(amount),
            effective_date=billed,
            due_date=due,
            bill_id=row.pk,
            reference=f"BILL {row.number}",
        ),
    )
    return row
