"""Account-page contributions of collections common to every area: the way to the engine's
decision ("why is this account held?"), the what-if form and the protections staff record.
Other areas register their own providers in their modules."""

from typing import Any

from django.urls import reverse

from accounts import page_registry


def _actions(ctx: dict[str, Any]) -> list[page_registry.QuickAction]:
    n = ctx["account"].number
    return [
        page_registry.QuickAction(
            "Shutoff decision",
            reverse("collections_app:account_decision", args=[n]),
            "policy.use_whatif",
            30,
        ),
        page_registry.QuickAction(
            "Medical certificate",
            reverse("collections_app:medical_new", args=[n]),
            "collections_app.add_medicalcertificate",
            31,
        ),
        page_registry.QuickAction(
            "Appeal / dispute",
            reverse("collections_app:appeal_new", args=[n]),
            "collections_app.add_appeal",
            32,
        ),
    ]


page_registry.register(actions=_actions)
