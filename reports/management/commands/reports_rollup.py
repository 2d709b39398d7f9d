"""Fill the dashboards' roll-up for past days: after installing, or to redo a range by hand.

Beat keeps the last DJANGO_REPORTS_ROLLUP_DAYS days current; days before the first run have no
figures until this is run (aging replays the ledger as of each day, so a backfill is exact for
balances; the dimensions are the accounts' as they are now).
"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from reports.rollup import rollup_days


class Command(BaseCommand):
    help = "Recompute the dashboards' roll-up for the last N days (or --first/--last), a month at a time."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=31, help="the last N days, today included")
        parser.add_argument("--first", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
        parser.add_argument("--last", type=date.fromisoformat, help="last day (YYYY-MM-DD), default today")

    def handle(self, *args: object, **options: object) -> None:
        last: date = options["last"] or timezone.localdate()  # type: ignore[assignment]
        first: date = options["first"] or last - timedelta(days=options["days"] - 1)  # type: ignore[operator]
        # one transaction per month: a year's backfill does not hold the roll-up lock for its whole length
        cursor = first
        while cursor <= last:
            end = min(cursor + timedelta(days=30), last)
            run = rollup_days(first=cursor, last=end)
            self.stdout.write(f"{cursor} to {end}: {run.rows} rows")
            cursor = end + timedelta(days=1)
