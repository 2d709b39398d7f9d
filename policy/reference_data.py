"""Reference data every app that reads the policy needs: policy version 1 (the DEFAULT preset) and the
holiday calendar (US federal observed holidays, rules.md §0). Ensured after every migrate, so a
fresh database, a flushed test database and an upgraded one all have them; never overwrites
what an administrator changed."""

from django.db import transaction

from policy.models import Holiday, PolicyVersion


def ensure_policy() -> PolicyVersion:
    version = PolicyVersion.objects.order_by("-version").first()
    if version is not None:
        return version
    with transaction.atomic():
        version, _ = PolicyVersion.objects.get_or_create(
            version=1,
            defaults={
                "name": "Utility policy",
                "presets": ["DEFAULT"],
                "overrides": {},
                "note": "Installed default: rules.md §3 parameter catalogue.",
            },
        )
    return version


def ensure_holidays() -> int:
    from policy_engine.calendar import DEFAULT_HOLIDAYS

    if Holiday.objects.exists():
        return 0
    Holiday.objects.bulk_create(
        [Holiday(date=day, name=name) for day, name in sorted(DEFAULT_HOLIDAYS.items())],
        ignore_conflicts=True,
    )
    return len(DEFAULT_HOLIDAYS)


def ensure_reference_data(**_kwargs) -> None:  # type: ignore[no-untyped-def]
    ensure_policy()
    ensure_holidays()
