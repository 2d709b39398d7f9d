"""Receipt prints: the first print is the original, every later one says COPY."""

from django.db import transaction

from common.audit import audit_record
from payments.models import CounterTransaction


@transaction.atomic(durable=True)
def receipt_print_count(*, transaction_id: int, actor) -> bool:  # type: ignore[no-untyped-def]
    """Count one print and say whether it is a copy. The row lock makes two prints at once
    count 1 and 2 (one original, one copy), never both 1; a GET never reaches here."""
    txn = CounterTransaction.objects.select_for_update(no_key=True).get(pk=transaction_id)
    txn.receipt_prints += 1
    txn.save(update_fields=["receipt_prints"])
    audit_record(
        actor=actor,
        verb="receipt.print",
        target=txn,
        data={"receipt": txn.receipt_number, "prints": txn.receipt_prints},
    )
    return txn.receipt_prints > 1
