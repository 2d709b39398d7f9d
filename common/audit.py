"""The audit trail's one write path."""

import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

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
    """One audit row per (target, account_id, data), in one INSERT: for imports and nightly runs.

    The rows travel as four arrays unnested in SQL, not as model instances: building and compiling
    12,000 `AuditEvent`s took longer than the late fees they recorded.
    """
    if not items:
        return
    user = actor if actor is not None and actor.is_authenticated else None
    content_type = ContentType.objects.get_for_model(items[0][0])
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (at, actor_id, actor_label, verb, target_type_id, ip_address,
                                     target_id, target_label, account_id, data)
                SELECT %s, %s, %s, %s, %s, %s, t.target_id, t.label, t.account_id, t.data
                FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::jsonb[])
                     AS t(target_id, label, account_id, data)""",  # noqa: S608 (table name from the model)
            [
                timezone.now(),
                user.pk if user else None,
                user.get_username() if user else "",
                verb,
                content_type.pk,
                client_ip.get(),
                [str(target.pk) for target, _a, _d in items],
                [str(target)[:200] for target, _a, _d in items],
                [account_id for _t, account_id, _d in items],
                [json.dumps(data, cls=DjangoJSONEncoder) for _t, _a, data in items],
            ],
        )
