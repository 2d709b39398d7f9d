"""Stored policy decisions (accounts.PolicyDecision) about one thing collections staff act on: a
reconnect order, a deposit, a write-off. Shown on that thing's page with
templates/accounts/_policy_decision.html, in one query (no query per decision)."""

from django.db.models import QuerySet

from accounts.models import PolicyDecision


def decisions_about(
    *, account_id: int, kind: str, subjects: list[str] | None = None, limit: int = 10
) -> QuerySet[PolicyDecision]:
    """Newest first; `subjects` are the labels the services store, e.g. "order:7" (None: every
    decision of this kind on the account)."""
    qs = PolicyDecision.objects.filter(account_id=account_id, kind=kind)
    if subjects is not None:
        qs = qs.filter(subject__in=subjects)
    return qs.select_related("policy_version", "made_by").order_by("-pk")[:limit]
