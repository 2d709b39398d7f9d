from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from common.models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    account_id: int | None = None
    verb: str = ""
    since: datetime | None = None
    until: datetime | None = None


def audit_event_list(
    *, filters: AuditFilter, before_id: int | None = None, limit: int = 50
) -> list[AuditEvent]:
    """Newest first, paginated by keyset (`before_id`): fast however long the trail grows."""
    qs: QuerySet[AuditEvent] = AuditEvent.objects.select_related("target_type")
    if filters.actor_id:
        qs = qs.by_actor(filters.actor_id)
    if filters.account_id:
        qs = qs.for_account(filters.account_id)
    if filters.verb:
        qs = qs.filter(verb__startswith=filters.verb)
    if filters.since:
        qs = qs.filter(at__gte=filters.since)
    if filters.until:
        qs = qs.filter(at__lt=filters.until)
    if before_id:
        qs = qs.filter(id__lt=before_id)
    return list(qs.order_by("-id")[:limit])


def audit_activity_today() -> list[dict[str, object]]:
    """Actions per staff member since local midnight (supervisor home)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        AuditEvent.objects.filter(at__gte=start, actor__isnull=False)
        .values("actor_id", "actor_label")
        .annotate(actions=Count("id"), failed_logins=Count("id", filter=Q(verb="auth.login_failed")))
        .order_by("-actions")[:20]
    )


def user_role_counts() -> list[dict[str, object]]:
    return list(
        Group.objects.annotate(users=Count("user", filter=Q(user__is_active=True)))
        .values("name", "users")
        .order_by("name")
    )


def user_list_for_filter() -> QuerySet:
    return get_user_model().objects.order_by("username").only("id", "username")


def locked_sign_in_count() -> int:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).count()
