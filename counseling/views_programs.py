"""The account's assistance programs: each enrollment with the policy's stored eligibility decision."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.models import Account, DecisionKind, DecisionOutcome, PolicyDecision
from counseling.models import ProgramEnrollment


@permission_required("counseling.add_programenrollment", raise_exception=True)
def programs(request: HttpRequest, number: str) -> HttpResponse:
    """The account's program enrollments, each with the policy's stored eligibility decision, and
    the refusals (two queries, however many)."""
    account = get_object_or_404(Account.objects.select_related("customer", "premise"), number=number)
    enrollments = list(
        ProgramEnrollment.objects.filter(account=account).select_related("counselor").order_by("-created_at")
    )
    decisions = list(
        PolicyDecision.objects.filter(account=account, kind=DecisionKind.PROGRAM)
        .select_related("policy_version", "made_by")
        .order_by("-made_at")
    )
    by_subject = {d.subject: d for d in decisions}
    for e in enrollments:
        e.decision = by_subject.get(f"enrollment:{e.pk}")  # type: ignore[attr-defined]
    refusals = [d for d in decisions if d.outcome == DecisionOutcome.REFUSED]
    return render(
        request,
        "counseling/programs.html",
        {"account": account, "enrollments": enrollments, "refusals": refusals},
    )
