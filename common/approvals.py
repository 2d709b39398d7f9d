"""One queue of everything that waits for a supervisor, filled by each app in its AppConfig.ready().

Common sits below every other app, so it cannot name their models or services; each app registers
a kind instead: how to list its waiting items (a few set-based queries), a queryset of them for
the count, and its EXISTING approve/reject services. The services keep the locks, the idempotency,
the four-eyes rule and the audit; this module only adds what every kind shares (a reason on every
rejection, one permission check, one count query for the menu badge).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import CharField, Count, QuerySet, Value

from common.exceptions import DomainError


@dataclass(frozen=True)
class ApprovalItem:
    kind: str
    pk: int
    requested_at: datetime
    requester_id: int | None
    requester: str
    account_number: str
    amount: Decimal | None
    summary: str
    url: str  # the item's own page


Decide = Callable[..., Any]  # (*, pk: int, reason: str, actor) -> Any; raises DomainError


def decided_by(service: Callable[..., Any], id_name: str) -> dict[str, Decide]:
    """`approve` and `reject` for an app's service that decides both ways with the same call:
    service(<id_name>=pk, approve=True|False, note=reason, actor=actor)."""

    def one_way(approve: bool) -> Decide:
        def decide(*, pk: int, reason: str, actor: AbstractBaseUser) -> Any:
            return service(**{id_name: pk}, approve=approve, note=reason, actor=actor)

        return decide

    return {"approve": one_way(True), "reject": one_way(False)}


@dataclass(frozen=True)
class ApprovalKind:
    code: str
    label: str
    permission: str  # who decides (and sees) this kind
    waiting: Callable[[], QuerySet[Any]]  # one row per waiting item: counted for the badge
    # On `waiting`'s model: own items are not "waiting for you". None: nobody's request (a list a
    # run prepared), so no four-eyes rule applies and every holder of `permission` may decide.
    requester_field: str | None
    items: Callable[[], Iterable[ApprovalItem]]  # the rows of the queue, in a fixed few queries
    approve: Decide | None = None
    reject: Decide | None = None
    approve_label: str = "Approve"
    # None: decided in the queue. Otherwise why the item's own page is needed to decide it.
    decide_on_own_page: str | None = None

    # Templates call whatever is callable, so they ask these instead of `approve`/`reject`.
    @property
    def approvable(self) -> bool:
        return self.approve is not None

    @property
    def rejectable(self) -> bool:
        return self.reject is not None


_kinds: dict[str, ApprovalKind] = {}


def approval_register(kind: ApprovalKind) -> None:
    _kinds.setdefault(kind.code, kind)  # ready() may run more than once in tests


def approval_kinds(user: AbstractBaseUser | AnonymousUser) -> list[ApprovalKind]:
    if not user.is_authenticated:
        return []
    return [k for k in _kinds.values() if user.has_perm(k.permission)]


def approval_kind(code: str) -> ApprovalKind | None:
    return _kinds.get(code)


def approval_items(user: AbstractBaseUser, *, kind: str = "") -> list[ApprovalItem]:
    """Every waiting item the user may decide (their own included, shown as such), oldest first."""
    rows: list[ApprovalItem] = []
    for k in approval_kinds(user):
        if not kind or k.code == kind:
            rows.extend(k.items())
    return sorted(rows, key=lambda r: (r.requested_at, r.kind, r.pk))


def approval_counts(user: AbstractBaseUser | AnonymousUser) -> dict[str, int]:
    """Items waiting for this user (not their own requests), per kind, in ONE query: a UNION ALL
    of one COUNT per kind, each on the kind's partial index of waiting rows."""
    kinds = approval_kinds(user)
    if not kinds:
        return {}
    parts = [
        (k.waiting().exclude(**{k.requester_field: user.pk}) if k.requester_field else k.waiting())
        .annotate(approval_kind=Value(k.code, output_field=CharField()))
        .values("approval_kind")
        .annotate(n=Count("pk"))
        .values_list("approval_kind", "n")
        .order_by()
        for k in kinds
    ]
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    counts = {k.code: 0 for k in kinds}
    counts.update(dict(query))
    return counts


def approval_decide(*, kind: str, pk: int, approve: bool, reason: str, actor: AbstractBaseUser) -> Any:
    """Decide one item with its app's own service. A rejection always carries a reason."""
    k = _kinds.get(kind)
    if k is None:
        raise DomainError("approval.kind", "Unknown kind of approval.")
    if not actor.has_perm(k.permission):
        raise DomainError("approval.not_allowed", f"You may not decide {k.label.lower()}.")
    if k.decide_on_own_page:
        raise DomainError("approval.own_page", f"Decide this on its own page: {k.decide_on_own_page}")
    service = k.approve if approve else k.reject
    if service is None:
        raise DomainError("approval.no_action", f"{k.label}: this decision is not offered.")
    if not approve and not reason.strip():
        raise DomainError("approval.reason", "Give the reason for rejecting.")
    return service(pk=pk, reason=reason.strip(), actor=actor)
