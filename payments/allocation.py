"""Which tender paid which part of a receipt: one deterministic rule, shared by posting and by the
migration that allocated the receipts posted before allocations were stored.

The rule: tenders are poured, one after the other, into the receipt's payment rows (accounts in
id order, each account's fund distribution in its own order: oldest charges first, then fund
priority). Non-cash tenders go first, in the order they were entered; cash goes last. Cash is the
only tender that gives change, so it is the one that makes up whatever the checks and cards do
not cover; a check is written for the bills it pays, so it pays first.

Pure Python (no models): a migration may import it without importing today's models.
"""

from collections.abc import Hashable, Sequence
from decimal import Decimal

CASH = "cash"


def tender_order[K: Hashable](tenders: Sequence[tuple[K, str, Decimal]]) -> list[tuple[K, Decimal]]:
    """(key, kind, applied amount) in entry order -> (key, amount) in pouring order."""
    return [(key, amount) for key, kind, amount in sorted(tenders, key=lambda t: t[1] == CASH)]


class TenderPool[K: Hashable]:
    """Tenders in pouring order; `take` fills one row from what is left of them."""

    def __init__(self, tenders: Sequence[tuple[K, str, Decimal]]) -> None:
        self._left = [[key, amount] for key, amount in tender_order(tenders)]
        self._at = 0

    def take(self, amount: Decimal) -> list[tuple[K, Decimal]]:
        out: list[tuple[K, Decimal]] = []
        need = amount
        while need > 0:
            if self._at >= len(self._left):
                raise ValueError("the tenders do not cover the rows")
            key, left = self._left[self._at]
            part = min(need, left)
            out.append((key, part))
            need -= part
            self._left[self._at][1] = left - part
            if self._left[self._at][1] == 0:
                self._at += 1
        return out

    def exhausted(self) -> bool:
        return all(left == 0 for _, left in self._left)


def allocate[K: Hashable, R: Hashable](
    tenders: Sequence[tuple[K, str, Decimal]], rows: Sequence[tuple[R, Decimal]]
) -> list[tuple[K, R, Decimal]]:
    """Every (tender, row, amount) piece. Each tender's pieces sum to its amount and each row's to
    its amount, provided the tenders and the rows have the same total (they do on a receipt)."""
    pool = TenderPool(tenders)
    out = [(key, row, part) for row, amount in rows for key, part in pool.take(amount)]
    if not pool.exhausted():
        raise ValueError("the tenders exceed the rows")
    return out
