"""Shared parsing for CSV imports: header check, typed fields, line-numbered errors."""

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation

from common.exceptions import ImportRejected

MAX_BYTES = 50 * 1024 * 1024


def csv_rows(
    data: bytes, *, required: list[str], optional: list[str] = ()
) -> Iterator[tuple[int, dict[str, str]]]:  # type: ignore[assignment]
    """Yield (line number, row) with the header checked. Line 1 is the header."""
    if len(data) > MAX_BYTES:
        raise ImportRejected([(0, f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected([(0, "The file is not UTF-8 text (save it as CSV UTF-8).")]) from None
    # newline="": the csv module splits lines itself, so files saved with CR-only line endings
    # (old Mac Excel) and line breaks inside quoted fields both read as written.
    lines = _CountedLines(io.StringIO(text, newline=""))
    reader = csv.reader(lines)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        raise ImportRejected([(1, _unreadable(exc))]) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportRejected(
            [
                (
                    1,
                    f"Missing column(s): {', '.join(missing)}. Expected: "
                    f"{', '.join(required + list(optional))}.",
                )
            ]
        )
    while True:
        # A row is named by the file line it starts on, as an editor numbers it (the header is
        # line 1): a quoted field may run over several lines, and blank lines are skipped.
        start = lines.count + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # the rest of the file cannot be split into fields: stop here
            raise ImportRejected([(start, _unreadable(exc))]) from None
        if not fields:
            continue
        row = dict.fromkeys((k for k in header if k), "")  # a short row: its missing fields are blank
        row.update((k, v.strip()) for k, v in zip(header, fields, strict=False) if k)
        yield start, row


class _CountedLines:
    """The file's lines, counting those the csv reader has taken."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.count = 0

    def __iter__(self) -> "_CountedLines":
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.count += 1
        return line


def _unreadable(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        return f"A field is longer than {csv.field_size_limit():,} characters; is this the right file?"
    return f"This line is not valid CSV ({exc})."


def parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field} '{value}' is not a date (use YYYY-MM-DD)") from None


def parse_money(value: str, field: str, *, positive: bool = True) -> Decimal:
    try:
        amount = Decimal(value.replace(",", "").replace("$", ""))
    except InvalidOperation:
        raise ValueError(f"{field} '{value}' is not an amount") from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(f"{field} '{value}' has more than 2 decimals")
    if positive and amount <= 0:
        raise ValueError(f"{field} must be more than zero")
    if abs(amount) >= Decimal("10000000000"):
        raise ValueError(f"{field} '{value}' is too large")
    return amount
