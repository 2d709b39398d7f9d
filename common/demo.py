"""Demo staff for the local runner: one user per role, password "demo". Never in production."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from common.exceptions import DomainError
from common.roles import ADMINISTRATOR, CASHIER, COLLECTIONS_OFFICER, COUNSELOR, SUPERVISOR

DEMO_PASSWORD = "demo"  # noqa: S105 -- a published demo password, refused outside demo mode
DEMO_USERS = (
    ("counselor", "Carmen", "Ortiz", COUNSELOR),
    ("cashier", "Dale", "Whitaker", CASHIER),
    ("collector", "Priya", "Raman", COLLECTIONS_OFFICER),
    ("supervisor", "Grace", "Holloway", SUPERVISOR),
    ("admin", "Sam", "Admin", ADMINISTRATOR),
)


@transaction.atomic
def demo_users_create() -> int:
    if not settings.DEMO_ALLOWED:
        raise DomainError(
            "demo.not_allowed",
            "Demo data is refused here: set DJANGO_ALLOW_DEMO=true (never in production).",
        )
    User = get_user_model()
    created = 0
    for username, first, last, role in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@utility.example.gov"},
        )
        user.set_password(DEMO_PASSWORD)
        user.is_staff = role == ADMINISTRATOR  # the admin screens need it
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        created += was_created
    return created
