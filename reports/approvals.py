"""The supervisors' approvals queue: every item of every kind registered in common.approvals,
oldest first, decided with its own app's service (which keeps the locks, four eyes and audit)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from common.approvals import approval_counts, approval_decide, approval_items, approval_kind, approval_kinds
from common.exceptions import DomainError

SUPERVISION = "common.use_supervision"


class DecisionForm(forms.Form):
    kind = forms.CharField(max_length=40)
    pk = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = forms.CharField(max_length=500, required=False, strip=True)
    back_kind = forms.CharField(max_length=40, required=False)


def mask_account(number: str) -> str:
    """The queue needs to tell accounts apart, not to read them out: the item's page shows it all."""
    return f"…{number[-4:]}" if len(number) > 4 else number


def waiting_count(user) -> int:  # type: ignore[no-untyped-def]
    """The menu badge: items waiting for this user (not their own requests), one query."""
    return sum(approval_counts(user).values())


@permission_required(SUPERVISION, raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    kinds = approval_kinds(request.user)
    kind = request.GET.get("kind", "")
    if kind and kind not in {k.code for k in kinds}:
        kind = ""
    now = timezone.now()
    counts = approval_counts(request.user)
    labels = {k.code: k for k in kinds}
    rows = [
        {
            "item": item,
            "kind": labels[item.kind],
            "age_days": (now - item.requested_at).days,
            "account": mask_account(item.account_number),
            "own": item.requester_id is not None and item.requester_id == request.user.pk,
        }
        for item in approval_items(request.user, kind=kind)
    ]
    return render(
        request,
        "reports/approvals.html",
        {"rows": rows, "kinds": [(k, counts.get(k.code, 0)) for k in kinds], "kind": kind},
    )


@require_POST
@permission_required(SUPERVISION, raise_exception=True)
def decide(request: HttpRequest) -> HttpResponse:
    form = DecisionForm(request.POST)
    back = reverse("reports:approvals")
    if not form.is_valid():
        messages.error(request, "Choose approve or reject for one item of the queue.")
        return redirect(back)
    d = form.cleaned_data
    if d["back_kind"] and approval_kind(d["back_kind"]):
        back += f"?kind={d['back_kind']}"
    approve = d["decision"] == "approve"
    try:
        approval_decide(kind=d["kind"], pk=d["pk"], approve=approve, reason=d["reason"], actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        label = approval_kind(d["kind"]).label  # type: ignore[union-attr]
        messages.success(request, f"{label}: item {d['pk']} {'approved' if approve else 'rejected'}.")
    return redirect(back)
