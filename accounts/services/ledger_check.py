"""The nightly proof that every account's stored balance equals the sum of its entries."""

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import LedgerCheckRun

# One pass over the ledger grouped by account, compared with the stored balances: set-based,
# no per-account round trips. Accounts with no entries must hold a zero balance.
CHECK_SQL = """
INSERT INTO accounts_ledgerdiscrepancy (run_id, account_id, stored_balance, ledger_sum)
SELECT %(run)s, a.id, a.balance, COALESCE(s.total, 0)
FROM accounts_account a
LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM accounts_ledgerentry GROUP BY account_id) s
       ON s.account_id = a.id
WHERE a.balance <> COALESCE(s.total, 0)
"""


def ledger_check_run(*, business_date: date | None = None) -> LedgerCheckRun:
    """Idempotent per business date: a finished run for the date is returned as it is."""
    business_date = business_date or timezone.localdate()
    with transaction.atomic(durable=True):
        run, _ = LedgerCheckRun.objects.select_for_update().get_or_create(business_date=business_date)
        if run.finished_at is not None:
            return run
        run.found.all().delete()  # a crashed earlier attempt left partial rows
        with connection.cursor() as cursor:
            cursor.execute(CHECK_SQL, {"run": run.pk})
            run.discrepancies = cursor.rowcount
            cursor.execute("SELECT COUNT(*) FROM accounts_account")
            run.accounts_checked = cursor.fetchone()[0]
        run.finished_at = timezone.now()
        run.save(update_fields=["discrepancies", "accounts_checked", "finished_at"])
    return run
