import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.demo_city import demo_city_load, demo_city_loaded
from common.demo import demo_users_create
from common.exceptions import DomainError


class Command(BaseCommand):
    help = (
        "Load the demo staff and a synthetic city (replaces all customers, accounts, bills and "
        "ledger entries). Demo mode only."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the demo staff and a city were loaded before (make run uses it)",
        )
        parser.add_argument("--accounts", type=int, default=5000, help="accounts in the city (default 5000)")
        parser.add_argument("--months", type=int, default=24, help="months of bill history (default 24)")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same city (default 1)")
        parser.add_argument(
            "--workers",
            type=int,
            help="parallel sessions (default: 1, one atomic transaction, below 100,000 accounts; else 2)",
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        have_staff = get_user_model().objects.filter(username="counselor").exists()
        have_city = demo_city_loaded()
        if options["if_empty"] and have_staff and have_city:
            self.stdout.write("Demo data already loaded.")
            return
        try:
            created = demo_users_create()  # refuses outside demo mode, before anything is replaced
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Demo staff ready ({created} new users)."))
        # The demo city runs under one named preset, so everything it shows is coherent.
        from policy.demo import DEMO_PRESETS, demo_policy_use

        saved = demo_policy_use()
        if saved is not None:
            self.stdout.write(f"Demo policy: version {saved.version} = {' + '.join(DEMO_PRESETS)}.")
        if options["if_empty"] and have_city:
            return
        try:
            workers = options["workers"] or (1 if options["accounts"] < 100_000 else 2)
            self._city(options["accounts"], options["months"], options["seed"], workers)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

    def _city(self, accounts: int, months: int, seed: int, workers: int) -> None:
        self.stdout.write(
            f"Loading a demo city: {accounts:,} accounts, {months} months, seed {seed}, {workers} worker(s)"
        )
        started = time.monotonic()

        def progress(step: str, rows: int, seconds: float) -> None:
            counted = f"{rows:>14,}" if rows else " " * 14
            self.stdout.write(f"  {seconds:7.1f}s  {step:<44}{counted}")
            self.stdout.flush()

        counts = demo_city_load(
            accounts=accounts,
            months=months,
            seed=seed,
            today=timezone.localdate(),
            workers=workers,
            progress=progress,
        )
        summary = ", ".join(f"{n:,} {table.replace('_', ' ')}" for table, n in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Demo city ready in {time.monotonic() - started:.0f}s: {summary}.")
        )
        # Counseling cases go through the real services, so they need the city and the staff.
        from counseling.demo import demo_counseling_load

        made = demo_counseling_load(seed=seed, cases=min(30, accounts // 50 or 1))
        self.stdout.write(
            f"Demo counseling: {made['interviews']} interviews, {made['pledges']} pledges, "
            f"{made['arrangements']} arrangements."
        )
        from collections_app.demo import demo_collections_load

        made = demo_collections_load(today=timezone.localdate(), seed=seed)
        self.stdout.write(
            f"Demo collections: {made['notices']:,} shutoff notices mailed, {made['medical']} medical "
            f"certificates, {made['appeals']} appeals."
        )
        from collections_app.demo_recovery import demo_recovery_load

        made = demo_recovery_load(today=timezone.localdate())
        self.stdout.write(
            f"Demo recovery: {made['referred']:,} final bills referred to agencies, "
            f"{made['written_off']:,} small balances written off, {made['cases']} court cases."
        )
