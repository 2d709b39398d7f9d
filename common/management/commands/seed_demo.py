from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from common.demo import demo_users_create
from common.exceptions import DomainError


class Command(BaseCommand):
    help = "Load the demo staff (and, as later apps add them, the demo city). Demo mode only."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when demo data was loaded before (make run uses it)",
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        if options["if_empty"] and get_user_model().objects.filter(username="counselor").exists():
            self.stdout.write("Demo data already loaded.")
            return
        try:
            created = demo_users_create()
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Demo staff ready ({created} new users)."))
