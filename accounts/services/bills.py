"""Bill import from the billing engine: CSV, validated, all-or-nothing, idempotent by bill number.

Columns (header required, any order): bill_number, account_number, period_start, period_end,
bill_date, due_date, fund_code, amount, and optional `final` (yes/no). One row per bill line
(one per fund); the rows of one bill repeat its number, account and dates.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from accounts.models import Account, AccountStatus, Bill, BillImport, EntryKind, Fund, LedgerEntry
from accounts.services.ledger import accounts_lock
from common.audit import audit_record, audit_record_many
from common.csvimport import csv_rows, parse_date, parse_money
from common.exceptions import ImportRejected
from common.money import to_money

COLUMNS = [
    "bill_number",
    "account_number",
    "period_start",
    "period_end",
    "bill_date",
    "due_date",
    "fund_code",
    "amount",
]
OPTIONAL = ["final"]
# What each column holds, with an example: the import page shows them (a test keeps them complete).
COLUMN_HELP = {
    "bill_number": ("The bill's number, at most 20 characters, repeated on each of its lines", "B20261101"),
    "account_number": ("The account's number, all its digits", "0000000184"),
    "period_start": ("First day billed (YYYY-MM-DD)", "2026-10-01"),
    "period_end": ("Last day billed (YYYY-MM-DD)", "2026-10-31"),
    "bill_date": ("The bill's date (YYYY-MM-DD)", "2026-11-01"),
    "due_date": ("Due date (YYYY-MM-DD), on or after the bill date", "2026-11-22"),
    "fund_code": ("The fund's code from the list of funds (not its GL number); one line per fund", "WTR"),
    "amount": ("The line's amount, more than zero", "41.20"),
    "final": ("Optional: yes for a final bill; no or empty otherwise", "no"),
}
CHUNK = 2000  # bills written per round of statements (progress is reported after each)


@dataclass
class _Bill:
    line: int
    number: str
    account_number: str
    head: tuple
    final: bool
    lines: list[tuple[str, Decimal]] = field(default_factory=list)
    line_of: dict[str, int] = field(default_factory=dict)  # fund code -> the file line it is on


def _parse(data: bytes) -> tuple[dict[str, _Bill], list[tuple[int, str]]]:
    bills: dict[str, _Bill] = {}
    errors: list[tuple[int, str]] = []
    for line, row in csv_rows(data, required=COLUMNS, optional=OPTIONAL):
        try:
            number = row["bill_number"]
            if not number or len(number) > 20:
                raise ValueError("bill_number is required (at most 20 characters)")
            if not row["account_number"]:
                raise ValueError("account_number is required")
            head = tuple(
                parse_date(row[f], f) for f in ("period_start", "period_end", "bill_date", "due_date")
            )
            if head[1] < head[0]:
                raise ValueError("period_end is before period_start")
            if head[3] < head[2]:
                raise ValueError("due_date is before bill_date")
            amount = parse_money(row["amount"], "amount")
            final = row.get("final", "").lower() in ("y", "yes", "true", "1")
            if row.get("final", "").lower() not in ("", "y", "yes", "true", "1", "n", "no", "false", "0"):
                raise ValueError(f"final '{row['final']}' must be yes or no")
        except ValueError as exc:
            errors.append((line, str(exc)))
            continue
        bill = bills.setdefault(number, _Bill(line, number, row["account_number"], head, final))
        if (bill.account_number, bill.head, bill.final) != (row["account_number"], head, final):
            errors.append(
                (line, f"bill {number} has a different account, dates or final flag than on line {bill.line}")
            )
            continue
        if any(code == row["fund_code"] for code, _ in bill.lines):
            errors.append((line, f"bill {number} lists fund {row['fund_code']} twice"))
            continue
        bill.lines.append((row["fund_code"], amount))
        bill.line_of[row["fund_code"]] = line
    if not bills and not errors:
        errors.append((1, "The file has no bill lines."))
    return bills, errors


def bill_file_columns() -> list[tuple[str, bool, str, str]]:
    """(column, required, what it holds, example) in the order a file may list them."""
    return [(c, c in COLUMNS, *COLUMN_HELP[c]) for c in COLUMNS + OPTIONAL]


def _unknown_fund(bill_number: str, code: str, funds: dict[str, Fund]) -> str:
    """Screens print both a fund's code and its GL number; the file takes the code."""
    message = f"bill {bill_number}: unknown fund code {code}"
    if named := [f for f in funds.values() if f.gl_code == code]:
        return (
            f"{message}: {code} is the GL number of {', '.join(f'{f.code} ({f.name})' for f in named)}; "
            "the fund_code column takes the fund code"
        )
    return f"{message} (the active fund codes: {', '.join(sorted(funds))})"


@dataclass(frozen=True)
class BillImportResult:
    bill_import: BillImport
    created: int
    skipped: int


@transaction.atomic(durable=True)
def bill_import(*, data: bytes, file_name: str, actor, progress=None) -> BillImportResult:  # type: ignore[no-untyped-def]
    """`progress(done, total)`, if given, hears how many bills are written (accounts.import_jobs)."""
    progress = progress or (lambda done, total=None: None)
    bills, errors = _parse(data)
    funds = {f.code: f for f in Fund.objects.filter(active=True)}
    accounts = {
        a.number: a
        for a in Account.objects.filter(number__in={b.account_number for b in bills.values()}).only(
            "id", "number", "status"
        )
    }
    existing = {b.number: b for b in Bill.objects.filter(number__in=list(bills)).prefetch_related("entries")}
    skipped = 0
    for bill in bills.values():
        for code, _ in bill.lines:
            if code not in funds:
                errors.append((bill.line_of[code], _unknown_fund(bill.number, code, funds)))
        account = accounts.get(bill.account_number)
        if account is None:
            errors.append((bill.line, f"bill {bill.number}: no account numbered {bill.account_number}"))
        elif account.status == AccountStatus.CLOSED:
            errors.append((bill.line, f"bill {bill.number}: account {bill.account_number} is closed"))
        if (old := existing.get(bill.number)) is not None:
            same = (
                old.account_id == getattr(account, "pk", None)
                and (old.period_start, old.period_end, old.bill_date, old.due_date) == bill.head
                and sorted((e.fund_id, e.amount) for e in old.entries.all() if e.kind == EntryKind.CHARGE)
                == sorted((funds[c].pk, to_money(a)) for c, a in bill.lines if c in funds)
            )
            if not same:
                errors.append((bill.line, f"bill {bill.number} was imported before with different content"))
            skipped += 1
    if errors:
        raise ImportRejected(sorted(errors))

    new = [b for b in bills.values() if b.number not in existing]
    accounts_lock(accounts[b.account_number].pk for b in new)
    record = BillImport.objects.create(
        file_name=file_name[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
        rows=sum(len(b.lines) for b in bills.values()),
        bills_created=len(new),
        bills_skipped=skipped,
    )
    progress(0, len(new))
    bill_rows = []
    for start in range(0, len(new), CHUNK):
        bill_rows += _bills_write(new[start : start + CHUNK], accounts, funds, record, actor)
        progress(len(bill_rows), len(new))
    audit_record(
        actor=actor,
        verb="bill.import",
        target=record,
        data={"file": file_name[:100], "created": len(new), "skipped": skipped},
    )
    return BillImportResult(bill_import=record, created=len(new), skipped=skipped)


def _bills_write(new: list[_Bill], accounts, funds, record: BillImport, actor) -> list[Bill]:  # type: ignore[no-untyped-def]
    """One chunk of new bills: one statement per table (bills, entries, balances, audit rows)."""
    bill_rows = Bill.objects.bulk_create(
        [
            Bill(
                number=b.number,
                account_id=accounts[b.account_number].pk,
                period_start=b.head[0],
                period_end=b.head[1],
                bill_date=b.head[2],
                due_date=b.head[3],
                is_final=b.final,
                total=to_money(sum((a for _, a in b.lines), Decimal(0))),
                bill_import=record,
            )
            for b in new
        ],
    )
    entries, delta = [], defaultdict(Decimal)
    for bill, parsed in zip(bill_rows, new, strict=True):
        for i, (code, amount) in enumerate(parsed.lines):
            entries.append(
                LedgerEntry(
                    account_id=bill.account_id,
                    fund=funds[code],
                    kind=EntryKind.CHARGE,
                    amount=to_money(amount),
                    is_debit=True,
                    effective_date=bill.bill_date,
                    due_date=bill.due_date,
                    bill=bill,
                    reference=f"BILL {bill.number}",
                    created_by=actor,
                    idempotency_key=f"bill:{bill.number}:{i}",
                )
            )
            delta[bill.account_id] += to_money(amount)
    LedgerEntry.objects.bulk_create(entries, batch_size=5000)
    if delta:
        # One statement for every account's balance; the rows are locked above.
        ids, amounts = zip(*sorted(delta.items()), strict=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE accounts_account a SET balance = a.balance + v.delta "
                "FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, delta) WHERE a.id = v.id",
                [list(ids), list(amounts)],
            )
    audit_record_many(
        actor=actor, verb="bill.post", items=[(b, b.account_id, {"total": str(b.total)}) for b in bill_rows]
    )
    return bill_rows
