"""Tests make a policy version current, as an administrator would (the business rules live there)."""

from policy.models import PolicyVersion


def use_policy(*presets: str, **overrides: object) -> PolicyVersion:
    """Make these presets (keyword overrides use __ for dots) the utility's current policy."""
    latest = PolicyVersion.objects.order_by("-version").first()
    return PolicyVersion.objects.create(
        version=(latest.version if latest else 0) + 1,
        name="Test policy",
        presets=list(presets or ["DEFAULT"]),
        overrides={k.replace("__", "."): v for k, v in overrides.items()},
        note="test",
    )
