"""A lockbox file of N lines posted on the city in the project database, timed.

    .venv/bin/python bench/lockbox_import.py [--lines 100000] [--per-account 1]

Writes a CSV of N lines (external ids unique to this run, today's date, amounts $5-$150) over
the city's first N / per-account active accounts, and posts it with `payment_file_import`, the
function the import job runs (the worker adds nothing but the job row and its progress). Prints
the wall time, then proves the posting reconciles: each touched account's balance equals the sum
of its ledger entries, and the file made one payment, one receipt and its entries per line.
Leaves its payments in the database (the importer is bench-lockbox).
"""

import argparse
import os
import sys
import time
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_HTTPS", "false")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Account, AccountStatus  # noqa: E402
from payments.models import PaymentFile, PaymentFileLine  # noqa: E402
from payments.services.files import payment_file_import  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--per-account", type=int, default=1)
    args = parser.parse_args()
    n_accounts = -(-args.lines // args.per_account)
    numbers = list(
        Account.objects.filter(status=AccountStatus.ACTIVE, cash_only_until__isnull=True)
        .order_by("pk")
        .values_list("number", flat=True)[:n_accounts]
    )
    if len(numbers) < n_accounts:
        sys.exit(f"the city has {len(numbers)} active accounts; {n_accounts} needed (bench/seed_city.py)")
    run, today = uuid4().hex[:8], timezone.localdate()
    rows = ["external_id,account_number,amount,paid_on,reference"]
    for i in range(args.lines):
        rows.append(f"LB{run}-{i},{numbers[i % n_accounts]},{5 + (i * 37) % 14500 / 100:.2f},{today},CHK{i}")
    data = ("\n".join(rows) + "\n").encode()
    user, _ = get_user_model().objects.get_or_create(username="bench-lockbox")
    print(f"load average before: {os.getloadavg()[0]:.2f}; {args.lines} lines over {n_accounts} accounts")
    started = time.monotonic()
    record = payment_file_import(data=data, file_name=f"bench-{run}.csv", source="lockbox", actor=user)
    elapsed = time.monotonic() - started
    print(
        f"posted {record.posted} lines, ${record.total:,.2f}, in {elapsed:.1f} s "
        f"({record.posted / elapsed:,.0f}/s)"
    )
    assert record.posted == args.lines == PaymentFileLine.objects.filter(file=record).count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM accounts_account a WHERE a.number = ANY(%s) AND a.balance <> "
            "(SELECT COALESCE(SUM(amount), 0) FROM accounts_ledgerentry e WHERE e.account_id = a.id)",
            [numbers],
        )
        off = cursor.fetchone()[0]
    print(f"accounts whose balance differs from their ledger: {off}")
    assert off == 0 and PaymentFile.objects.filter(pk=record.pk, posted=args.lines).exists()


if __name__ == "__main__":
    main()
