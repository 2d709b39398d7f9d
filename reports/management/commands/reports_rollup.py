"""Fill the dashboards' roll-up for past days: after installing, or to redo a range by hand.

Beat keeps the last DJANGO_REPORTS_ROLLUP_DAYS days current; days before the first run have no
figures until this is run (aging replays the ledger as of each day, so a backfill is exact for
balances; the dimensions are the accounts' as they are now).
"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from reports.models import RollupRun
from reports.rollup import rollup_backfill
from reports.tasks import rollup_backfill_task


class Command(BaseCommand):
    help = "Recompute the dashboards' roll-up for the last N days (or --first/--last), a month at a time."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=31, help="the last N days, today included")
        parser.add_argument("--first", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
        parser.add_argument("--last", type=date.fromisoformat, help="last day (YYYY-MM-DD), default today")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when a roll-up has run before (make run uses it)",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="send the backfill to a Celery worker instead of running it here",
        )

    def handle(self, *args: object, **options: object) -> None:
        last: date = options["last"] or timezone.localdate()  # type: ignore[assignment]
        first: date = options["first"] or last - timedelta(days=options["days"] - 1)  # type: ignore[operator]
        if options["if_empty"] and RollupRun.objects.exists():
            self.stdout.write("Dashboards: the roll-up has run before; nothing to fill.")
            return
        if options["queue"]:
            rollup_backfill_task.delay(first.isoformat(), last.isoformat())
            self.stdout.write(f"Dashboards: the roll-up of {first} to {last} is queued for a worker.")
            return
        for run in rollup_backfill(first=first, last=last):
            self.stdout.write(f"{run.first_day} to {run.last_day}: {run.rows} rows")
