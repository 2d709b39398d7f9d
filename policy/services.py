"""Changing the utility's policy: a new version, never an edit, validated by the engine before
it is saved; and the holiday calendar."""

from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Max

from common.audit import audit_record
from common.exceptions import DomainError
from policy.models import Holiday, PolicyVersion
from policy_engine.params import canonical_overrides
from policy_engine.policy import PolicyError, policy_build

_VERSION_LOCK = 7_240_001  # advisory lock id: two administrators saving at once get v+1 and v+2


@transaction.atomic(durable=True)
def policy_version_create(  # type: ignore[no-untyped-def]
    *, name: str, presets: list[str], overrides: dict[str, Any], note: str, actor
) -> PolicyVersion:
    if not presets:
        raise DomainError("policy.no_preset", "Choose at least one preset.")
    try:
        policy_build(presets=presets, overrides=overrides, name=name)  # validates every path and type
        overrides = canonical_overrides(overrides)  # stored under the catalogue's names (rules.md §3 aliases)
    except PolicyError as exc:
        raise DomainError("policy.invalid", str(exc)) from exc
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [_VERSION_LOCK])
    latest = PolicyVersion.objects.aggregate(v=Max("version"))["v"] or 0
    version = PolicyVersion.objects.create(
        version=latest + 1, name=name, presets=presets, overrides=overrides, note=note, created_by=actor
    )
    audit_record(
        actor=actor,
        verb="policy.version",
        target=version,
        data={"presets": presets, "overrides": overrides, "note": note},
    )
    return version


@transaction.atomic(durable=True)
def holiday_add(*, on: date, name: str, actor) -> Holiday:  # type: ignore[no-untyped-def]
    if Holiday.objects.filter(date=on).exists():
        raise DomainError("holiday.exists", f"{on:%b %d, %Y} is already a holiday.")
    holiday = Holiday.objects.create(date=on, name=name)
    audit_record(actor=actor, verb="holiday.add", target=holiday, data={"date": on.isoformat(), "name": name})
    return holiday


@transaction.atomic(durable=True)
def holiday_remove(*, holiday_id: int, actor) -> None:  # type: ignore[no-untyped-def]
    holiday = Holiday.objects.filter(pk=holiday_id).first()
    if holiday is None:
        raise DomainError("holiday.not_found", "No such holiday.")
    audit_record(
        actor=actor,
        verb="holiday.remove",
        target=holiday,
        data={"date": holiday.date.isoformat(), "name": holiday.name},
    )
    holiday.delete()
