"""The utility's current policy as the pure engine's `Policy`.

Built from the highest PolicyVersion and the Holiday table. Cached per process by (version,
holiday-table fingerprint) because the nightly run asks once per chunk and the account page once
per view; a new version or a holiday edit changes the key, so no stale policy is ever used."""

from datetime import date
from threading import Lock

from django.db.models import Count, Max

from policy.models import Holiday, PolicyVersion
from policy_engine.policy import Policy, policy_build

_cache: dict[tuple, Policy] = {}
_cache_lock = Lock()


def policy_for_version(version: PolicyVersion) -> Policy:
    marks = Holiday.objects.aggregate(n=Count("id"), last=Max("id"))
    key = (version.pk, version.version, marks["n"], marks["last"])
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    built = policy_build(
        presets=version.presets,
        overrides=version.overrides,
        holidays=list(Holiday.objects.values_list("date", flat=True)),
        name=version.name,
        version=version.version,
    )
    with _cache_lock:
        _cache.clear()  # one policy is current at a time; keep memory flat
        _cache[key] = built
    return built


def current_version() -> PolicyVersion:
    version = PolicyVersion.objects.order_by("-version").first()
    if version is None:  # post_migrate creates v1; a flushed test database may not have it yet
        from policy.reference_data import ensure_policy

        version = ensure_policy()
    return version


def current_policy() -> tuple[Policy, PolicyVersion]:
    version = current_version()
    return policy_for_version(version), version


def holidays_between(start: date, end: date) -> list[Holiday]:
    return list(Holiday.objects.filter(date__range=(start, end)))
