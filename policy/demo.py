"""The demo city's policy: it runs under a named preset, City of Phoenix water (rules.md §2
AZ_PHOENIX_WATER), so every citation, fee and date it shows comes from one jurisdiction. Saved
through `policy_version_create` (validated, audited) as the demo administrator, by `seed_demo`.
Tests keep DEFAULT (version 1) unless they set a policy themselves."""

from django.contrib.auth import get_user_model

from policy.models import PolicyVersion
from policy.selectors import current_policy
from policy.services import policy_version_create

DEMO_PRESETS = ["AZ_PHOENIX_WATER"]
DEMO_POLICY_NAME = "Demo city: City of Phoenix water"


def demo_policy_use() -> PolicyVersion | None:
    """Make the Phoenix water preset the demo city's policy in force; None when it already is."""
    _, version = current_policy()
    if list(version.presets) == DEMO_PRESETS and not version.overrides:
        return None
    return policy_version_create(
        name=DEMO_POLICY_NAME,
        presets=DEMO_PRESETS,
        overrides={},
        note="seed_demo: the demo city runs under the City of Phoenix water preset (issue 12).",
        actor=get_user_model().objects.get(username="admin"),
    )
