"""Reads of the shutoff lists: runs, a run's candidates by tab, the CSV, the account-page flag."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from collections_app.models import (
    BankruptcyCase,
    BankruptcyStatus,
    BatchRun,
    CandidateStatus,
    RunKind,
    RunStatus,
    ShutoffCandidate,
)

# A tab is one (status, excluded) pair: an equality prefix of the candidates' page index
# (`candidate_run_tab_order`). Only a listed account can be excluded (a check constraint).
TABS: dict[str, tuple[str, str, bool]] = {
    "listed": ("On the list", CandidateStatus.LISTED, False),
    "held": ("Held", CandidateStatus.HELD, False),
    "deferred": ("Not yet", CandidateStatus.DEFERRED, False),
    "excluded": ("Excluded by an officer", CandidateStatus.LISTED, True),
    "not_delinquent": ("Not delinquent", CandidateStatus.NOT_DELINQUENT, False),
}


def tab_filter(tab: str) -> Q:
    _, status, excluded = TABS.get(tab, TABS["listed"])
    return Q(status=status, excluded=excluded)


def shutoff_runs(*, limit: int = 30) -> list[BatchRun]:
    return list(
        BatchRun.objects.filter(kind=RunKind.SHUTOFF)
        .select_related("policy_version", "approved_by", "started_by")
        .order_by("-business_date")[:limit]
    )


def shutoff_run_get(*, run_id: int) -> BatchRun | None:
    return (
        BatchRun.objects.filter(pk=run_id, kind=RunKind.SHUTOFF)
        .select_related("policy_version", "approved_by", "started_by")
        .first()
    )


def stalled_shutoff_runs(*, stalled_after: timedelta | None = None) -> QuerySet[BatchRun]:
    limit = stalled_after or timedelta(minutes=settings.WATCHDOG_STALLED_MINUTES)
    return BatchRun.objects.filter(
        kind=RunKind.SHUTOFF, status=RunStatus.RUNNING, heartbeat_at__lt=timezone.now() - limit
    )


def run_is_running() -> bool:
    """A shutoff run is computing (one at a time: the button waits for it). A stalled run is not
    computing: *Run now* resumes it rather than waiting for it."""
    running = BatchRun.objects.filter(kind=RunKind.SHUTOFF, status=RunStatus.RUNNING)
    return running.exclude(pk__in=stalled_shutoff_runs().values("pk")).exists()


def tab_counts(*, run: BatchRun) -> dict[str, int]:
    by_status = (run.counts or {}).get("by_status", {})
    excluded = ShutoffCandidate.objects.filter(tab_filter("excluded"), run=run).count()
    return {
        "listed": by_status.get("listed", 0) - excluded,
        "held": by_status.get("held", 0),
        "deferred": by_status.get("deferred", 0),
        "excluded": excluded,
        "not_delinquent": by_status.get("not_delinquent", 0),
    }


def run_candidates(*, run: BatchRun, tab: str) -> QuerySet[ShutoffCandidate]:
    """One whole tab of a run in the page's order, with the account, customer and premise each
    row shows (no query per row): the CSV. The page reads one page at a time (shutoff_page)."""
    return (
        ShutoffCandidate.objects.filter(tab_filter(tab), run=run)
        .select_related("account", "account__customer", "account__premise", "excluded_by")
        .order_by("sort_cycle", "sort_address", "account_id")
    )


def shutoff_run_counts(*, run_id: int) -> dict[str, Any]:
    """A finished run's decisions counted by status, by deciding rule, and by both (the run
    page's rule filter: stored, so a page view does not count a 50,000-row tab). One query."""
    rows = (
        ShutoffCandidate.objects.filter(run_id=run_id)
        .values_list("status", "deciding_code")
        .annotate(n=Count("*"))
        .order_by()
    )
    by_status: dict[str, int] = dict.fromkeys(CandidateStatus.values, 0)
    by_code: dict[str, int] = {}
    by_status_code: dict[str, dict[str, int]] = {}
    for status, code, n in rows:
        by_status[status] += n
        by_code[code] = by_code.get(code, 0) + n
        by_status_code.setdefault(status, {})[code] = n
    return {
        "by_status": by_status,
        "by_code": dict(sorted(by_code.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_status_code": by_status_code,
    }


def _codes(*, run: BatchRun, tab: str) -> dict[str, int]:
    """One GROUP BY over the tab's range of its index, which carries the code (index-only)."""
    rows = ShutoffCandidate.objects.filter(tab_filter(tab), run=run).values_list("deciding_code")
    return dict(rows.annotate(n=Count("*")).order_by())  # not Count("id"): the id is not in the index


def tab_codes(*, run: BatchRun, tab: str) -> list[tuple[str, int]]:
    """The deciding rules of a tab with their counts (the code filter's choices), most first.
    From the counts stored when the run finished; only the officers' exclusions (a handful of
    rows) are counted on each view, as they move rows from "On the list" to "Excluded"."""
    stored = (run.counts or {}).get("by_status_code")
    _, status, excluded = TABS.get(tab, TABS["listed"])
    if stored is None:  # finished before the counts were stored
        counts = _codes(run=run, tab=tab)
    elif status != CandidateStatus.LISTED:
        counts = stored.get(status, {})
    else:
        off = _codes(run=run, tab="excluded")
        counts = off if excluded else {c: n - off.get(c, 0) for c, n in stored.get(status, {}).items()}
    return sorted(((c, n) for c, n in counts.items() if n), key=lambda cn: (-cn[1], cn[0]))


CSV_HEADER = [
    "account",
    "name",
    "service address",
    "status",
    "excluded",
    "past due",
    "days delinquent",
    "earliest date",
    "action",
    "deciding rule",
    "reason",
    "citation",
    "policy version",
    "field day",
]


def run_csv_rows(*, run: BatchRun, tab: str) -> Iterator[list[Any]]:
    """The list as CSV rows, streamed in batches (a city's list can be tens of thousands)."""
    version = run.policy_version.version if run.policy_version else ""
    yield CSV_HEADER
    for c in run_candidates(run=run, tab=tab).iterator(chunk_size=2000):
        yield [
            c.account.number,
            c.account.customer.display_name,
            str(c.account.premise),
            c.get_status_display(),
            "yes: " + c.exclude_reason if c.excluded else "",
            f"{c.past_due:.2f}",
            c.days_delinquent,
            c.earliest_date.isoformat() if c.earliest_date else "",
            c.action,
            c.deciding_code,
            c.reason,
            c.citation,
            version,
            run.business_date.isoformat(),
        ]


def latest_candidate(*, account_id: int) -> ShutoffCandidate | None:
    """The account's row in the latest shutoff run (one query). None when the latest run did not
    consider it (nothing old enough past due) or there is no run yet."""
    latest = BatchRun.objects.filter(kind=RunKind.SHUTOFF).order_by("-business_date").values("pk")[:1]
    # A bankruptcy recorded after the row was decided makes it stale: the stay holds what the
    # row says (a place on the list, a "not before" date). Read in the same query.
    stay = BankruptcyCase.objects.filter(
        account_id=OuterRef("account_id"),
        status=BankruptcyStatus.OPEN,
        recorded_at__gt=OuterRef("decided_at"),
    )
    rows = ShutoffCandidate.objects.filter(account_id=account_id, run_id__in=latest).annotate(
        stay_petition=Subquery(stay.values("petition_date")[:1]),
        stay_chapter=Subquery(stay.values("chapter")[:1]),
    )
    return rows.select_related("run").first()


def account_flags(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    """Account-page flags: where the account stands on the latest shutoff list (one query) and its
    open disconnect or reconnect orders (one query, shared with the timeline)."""
    from django.urls import reverse

    from accounts.page_registry import Flag
    from collections_app.selectors.orders import account_orders_cached

    flags = []
    account = ctx["account"]
    candidate = latest_candidate(account_id=account.pk)
    if candidate is not None:
        run = candidate.run
        when = "tonight's" if run.business_date == ctx.get("today") else f"the {run.business_date:%b %d}"
        url = reverse("collections_app:shutoff_run", args=[run.pk])
        if candidate.stay_petition is not None and candidate.status != CandidateStatus.NOT_DELINQUENT:
            flags.append(
                Flag(
                    "shutoff_held",
                    f"Shutoff: held — bankruptcy ch. {candidate.stay_chapter} filed "
                    f"{candidate.stay_petition:%b %d, %Y} (automatic stay)",
                    "No notice or disconnection for the pre-petition debt (11 U.S.C. 362, 366); "
                    f"{when} shutoff list was decided before the filing was recorded and no longer "
                    "applies. Post-petition bills are decided again on the next list.",
                    "info",
                )
            )
        elif candidate.status == CandidateStatus.LISTED and candidate.excluded:
            flags.append(
                Flag("shutoff_excluded", "Excluded from the shutoff list", candidate.exclude_reason, "light")
            )
        elif candidate.status == CandidateStatus.LISTED and run.status != RunStatus.APPROVED:
            flags.append(
                Flag(
                    "shutoff_listed",
                    f"On {when} shutoff list",
                    f"{candidate.days_delinquent} days delinquent, ${candidate.past_due:,.2f} past due; "
                    f"every protection was checked ({url}).",
                    "danger",
                )
            )
        elif candidate.status == CandidateStatus.HELD:
            flags.append(
                Flag(
                    "shutoff_held",
                    f"Shutoff: held — {candidate.reason}",
                    f"{candidate.citation} ({candidate.deciding_code}), on {when} list review.",
                    "info",
                )
            )
        elif candidate.status == CandidateStatus.DEFERRED:
            earliest = f" Not before {candidate.earliest_date:%b %d, %Y}." if candidate.earliest_date else ""
            flags.append(
                Flag(
                    "shutoff_deferred",
                    f"Shutoff: not yet — {candidate.reason}",
                    f"{candidate.citation}.{earliest}",
                    "secondary",
                )
            )
    for order in account_orders_cached(ctx):
        if order.status not in ("open", "dispatched"):
            continue
        where = f"dispatched to {order.crew}" if order.status == "dispatched" else "not yet dispatched"
        if order.kind in ("disconnect", "low_flow"):
            flags.append(
                Flag(
                    "disconnect_order",
                    "Disconnect order open" if order.kind == "disconnect" else "Low-flow order open",
                    f"Order #{order.pk} for {order.scheduled_for:%b %d, %Y}, {where}. A payment, pledge, "
                    "arrangement or medical certificate cancels it at dispatch or when the crew reports.",
                    "danger",
                )
            )
        elif order.kind == "reconnect":
            flags.append(
                Flag(
                    "reconnect_order",
                    "Reconnect order open",
                    f"Order #{order.pk}, {where}"
                    + (", after hours at the customer's request" if order.after_hours_requested else "")
                    + (f". Fee on completion: {order.fee_quote}" if order.fee_quote else "."),
                    "success",
                )
            )
    return flags
