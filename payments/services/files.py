"""Lockbox and agency payment files: validated, all-or-nothing, idempotent per file and per line.

Columns (header required): external_id, account_number, amount, paid_on, and optional reference
(check or agency voucher number), payer and paid_at (the local time of day the item was received,
HH:MM; empty: when the file is posted, which for an earlier paid_on means on time for its day).
`external_id` is the sender's id for the item: a line already posted from an earlier file is
skipped, not posted twice.
"""

import hashlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, AccountStatus
from common.audit import audit_record
from common.csvimport import csv_rows, parse_date, parse_money
from common.exceptions import DomainError, ImportRejected
from payments.models import Payment, PaymentFile, PaymentFileLine, TenderKind
from payments.services.bulk_posting import BulkItem, transactions_post_many
from payments.services.posting import TenderSpec

COLUMNS = ["external_id", "account_number", "amount", "paid_on"]
OPTIONAL = ["reference", "payer", "paid_at"]

# How old a payment date in a file may be. A lockbox file carries each item's bank deposit date
# and arrives the next business day; an agency remits monthly. 90 days covers a quarter's late or
# re-sent remittance. An older date is a typo (the wrong year) or a stale file, and would post into
# GL days already closed and settle charges as if paid months ago, after late fees, notices and
# aging were reckoned without it. The collections policy has no parameter for it (it is a payments
# rule and payments sits below collections), so it is named here; the remittance import uses it too.
PAID_ON_MAX_AGE_DAYS = 90


def paid_at_parse(value: str, *, paid_on: date) -> datetime | None:
    """A file's time of receipt (local HH:MM on paid_on), or None when the column is empty."""
    if not value.strip():
        return None
    try:
        at = time.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"paid_at {value!r} is not a time of day (HH:MM)") from None
    received = timezone.make_aware(datetime.combine(paid_on, at))
    if received > timezone.now():
        raise ValueError(f"paid_at {value} on {paid_on} is in the future")
    return received


def paid_on_parse(value: str, *, today: date) -> date:
    """A file's payment date: not after today, not more than PAID_ON_MAX_AGE_DAYS before it."""
    paid_on = parse_date(value, "paid_on")
    if paid_on > today:
        raise ValueError(f"paid_on {paid_on} is in the future (today is {today})")
    if paid_on < today - timedelta(days=PAID_ON_MAX_AGE_DAYS):
        raise ValueError(
            f"paid_on {paid_on} is more than {PAID_ON_MAX_AGE_DAYS} days ago; check the year "
            "(payments older than that are not taken from a file)"
        )
    return paid_on


@transaction.atomic(durable=True)
def payment_file_import(*, data: bytes, file_name: str, source: str, actor, progress=None) -> PaymentFile:  # type: ignore[no-untyped-def]
    """Posts every new line through the bulk path (`bulk_posting`: as single postings would, one
    statement per table per chunk); `progress(done, total)` hears how many lines are posted."""
    progress = progress or (lambda done, total=None: None)
    if source not in PaymentFile.Source.values:
        raise DomainError("file.source", "Choose lockbox or agency.")
    digest = hashlib.sha256(data).hexdigest()
    if earlier := PaymentFile.objects.filter(sha256=digest).first():
        raise ImportRejected(
            [
                (
                    0,
                    f"This exact file was imported on {earlier.imported_at:%Y-%m-%d %H:%M} "
                    f"as {earlier.file_name}.",
                )
            ]
        )
    rows, errors, seen = [], [], set()
    today = timezone.localdate()
    for line, row in csv_rows(data, required=COLUMNS, optional=OPTIONAL):
        try:
            ext = row["external_id"]
            if not ext or len(ext) > 60:
                raise ValueError("external_id is required (at most 60 characters)")
            if ext in seen:
                raise ValueError(f"external_id {ext} appears twice in the file")
            seen.add(ext)
            amount = parse_money(row["amount"], "amount")
            paid_on = paid_on_parse(row["paid_on"], today=today)
            paid_at = paid_at_parse(row.get("paid_at", ""), paid_on=paid_on)
            rows.append(
                (
                    line,
                    ext,
                    row["account_number"],
                    amount,
                    paid_on,
                    row.get("reference", ""),
                    row.get("payer", ""),
                    paid_at,
                )
            )
        except ValueError as exc:
            errors.append((line, str(exc)))
    if not rows and not errors:
        errors.append((1, "The file has no payment lines."))
    accounts = {
        a.number: a
        for a in Account.objects.filter(number__in={r[2] for r in rows}).only("id", "number", "status")
    }
    done = set(
        PaymentFileLine.objects.filter(external_id__in=[r[1] for r in rows]).values_list(
            "external_id", flat=True
        )
    )
    for line, _ext, number, *_ in rows:
        account = accounts.get(number)
        if account is None:
            errors.append((line, f"no account numbered {number}"))
        elif account.status == AccountStatus.CLOSED:
            errors.append((line, f"account {number} is closed"))
    if errors:
        raise ImportRejected(sorted(errors))

    record = PaymentFile.objects.create(
        source=source, file_name=file_name[:200], sha256=digest, imported_by=actor, lines=len(rows)
    )
    kind = TenderKind.LOCKBOX if source == PaymentFile.Source.LOCKBOX else TenderKind.AGENCY
    todo = [r for r in rows if r[1] not in done]
    progress(len(rows) - len(todo), len(rows))
    posted_by_line, errors = transactions_post_many(
        items=[
            BulkItem(
                ref=line,
                account_id=accounts[number].pk,
                amount=amount,
                tender=TenderSpec(kind=kind, amount=amount, reference=reference[:40]),
                idempotency_key=f"file:{ext}",
                business_date=paid_on,
                payer_name=payer,
                received_at=paid_at,
            )
            for line, ext, number, amount, paid_on, reference, payer, paid_at in todo
        ],
        actor=actor,
        progress=lambda n: progress(len(rows) - len(todo) + n, len(rows)),
    )
    if not errors:
        payment_of = dict(
            Payment.objects.filter(transaction__in=list(posted_by_line.values())).values_list(
                "transaction_id", "pk"
            )
        )
        PaymentFileLine.objects.bulk_create(
            [
                PaymentFileLine(
                    file=record,
                    line_number=line,
                    external_id=ext,
                    payment_id=payment_of[posted_by_line[line].pk],
                )
                for line, ext, *_ in todo
            ],
            batch_size=5000,
        )
    posted = len(todo)
    total = sum((r[3] for r in todo), Decimal(0))
    if errors:  # e.g. a personal check for a certified-funds-only account: nothing of the file stays
        raise ImportRejected(sorted(errors))
    record.posted, record.skipped, record.total = posted, len(rows) - posted, total
    record.save(update_fields=["posted", "skipped", "total"])
    audit_record(
        actor=actor,
        verb=f"payment_file.{source}",
        target=record,
        data={"lines": len(rows), "posted": posted, "total": str(total)},
    )
    return record
