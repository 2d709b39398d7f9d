"""The audit trail's one write path."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models

from common.models import AuditEvent
from common.request_context import client_ip


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    verb: str,
    target: models.Model | None = None,
    account_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record an action. Call it inside the service's transaction, after the change is made."""
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=user.get_username() if user else "",
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        account_id=account_id,
        ip_address=client_ip.get(),
        data=data or {},
    )


def audit_record_many(
    *, actor: AbstractBaseUser | None, verb: str, items: list[tuple[models.Model, int | None, dict[str, Any]]]
) -> None:
    """One audit row per (target, account_id, data), in one INSERT: for imports of many rows."""
    if not items:
        return
    user = actor if actor is not None and actor.is_authenticated else None
    ip = client_ip.get()
    content_type = ContentType.objects.get_for_model(items[0][0])
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=user,
                actor_label=user.get_username() if user else "",
                verb=verb,
                target_type=content_type,
                target_id=str(target.pk),
                target_label=str(target)[:200],
                account_id=account_id,
                ip_address=ip,
                data=data,
            )
            for target, account_id, data in items
        ],
        batch_size=2000,
    )
