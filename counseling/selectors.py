from typing import Any

from django.db.models import Count, Q, Sum

from counseling.models import (
    Agency,
    Arrangement,
    ArrangementStatus,
    HardshipInterview,
    Pledge,
    PledgeStatus,
    ProgramEnrollment,
)


def account_counseling(*, account_id: int) -> dict[str, Any]:
    """What the account page shows of counseling: four queries, whatever the history."""
    pledges = list(
        Pledge.objects.filter(account_id=account_id).select_related("agency").order_by("-created_at")[:20]
    )
    arrangements = list(Arrangement.objects.filter(account_id=account_id).order_by("-created_at")[:10])
    interviews = list(HardshipInterview.objects.filter(account_id=account_id).order_by("-conducted_at")[:10])
    enrollments = list(ProgramEnrollment.objects.filter(account_id=account_id, status="active"))
    return {
        "pledges": pledges,
        "pending_pledges": [p for p in pledges if p.status == PledgeStatus.PENDING],
        "arrangements": arrangements,
        "open_arrangement": next(
            (
                a
                for a in arrangements
                if a.status in (ArrangementStatus.ACTIVE, ArrangementStatus.PENDING_APPROVAL)
            ),
            None,
        ),
        "interviews": interviews,
        "last_interview": interviews[0] if interviews else None,
        "enrollments": enrollments,
    }


def pledges_by_agency(*, since, until) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Pledged against paid per agency, for pledges made in [since, until]."""
    window = Q(pledges__pledged_on__gte=since, pledges__pledged_on__lte=until)
    return list(
        Agency.objects.annotate(
            pledged=Sum("pledges__amount", filter=window),
            paid=Sum("pledges__paid_amount", filter=window),
            count=Count("pledges", filter=window),
            pending=Count("pledges", filter=window & Q(pledges__status=PledgeStatus.PENDING)),
            expired=Count("pledges", filter=window & Q(pledges__status=PledgeStatus.EXPIRED)),
        )
        .filter(count__gt=0)
        .order_by("name")
        .values("id", "name", "pledged", "paid", "count", "pending", "expired")
    )


def pending_pledges(*, account_id: int) -> list[Pledge]:
    """The account's pledges still to be paid: each holds any shutoff until its expected date."""
    return list(
        Pledge.objects.filter(account_id=account_id, status=PledgeStatus.PENDING)
        .select_related("agency")
        .order_by("expected_by")
    )
