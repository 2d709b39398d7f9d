from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Account, Contact, DecisionKind, PolicyDecision
from accounts.selectors.account_page import follow_ups_due
from common.exceptions import DomainError
from common.money import to_money
from common.pdf import pdf_response
from common.permissions import any_permission_required
from counseling import forms
from counseling.models import (
    Agency,
    Arrangement,
    ArrangementStatus,
    FollowUpRun,
    HardshipInterview,
    Letter,
    LetterKind,
    Pledge,
    PledgeStatus,
    Referral,
)
from counseling.pdf import letter_pdf
from counseling.selectors import pending_pledges, pledges_by_agency
from counseling.services.agencies import agency_check_post, pledge_cancel, pledge_record, referral_create
from counseling.services.arrangements import (
    arrangement_cancel,
    arrangement_decide,
    arrangement_propose,
    authority_of,
    next_due_dates,
    offer,
    schedule,
)
from counseling.services.interviews import EXPENSE_FIELDS, IncomeIn, MemberIn, interview_record
from counseling.services.policy_decisions import arrangement_terms_refusal
from counseling.services.programs import enrollment_create

DESK = "common.use_counseling"
# supervisors hold the counseling desk too (README, Roles), without landing on it
DESK_OR_SUPERVISOR = (DESK, "common.use_supervision")


def _account(number: str) -> Account:
    return get_object_or_404(Account.objects.select_related("customer", "premise"), number=number)


@any_permission_required(*DESK_OR_SUPERVISOR)
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "counseling/home.html",
        {
            "followups": follow_ups_due(user=request.user, through=today)[:10],
            "escalations": Contact.objects.filter(escalated=True, follow_up_done_at__isnull=True).count(),
            "my_arrangements": Arrangement.objects.filter(
                counselor=request.user,
                status__in=[ArrangementStatus.ACTIVE, ArrangementStatus.PENDING_APPROVAL],
            )
            .select_related("account")
            .order_by("-created_at")[:10],
            "pledges_due": Pledge.objects.filter(
                status=PledgeStatus.PENDING, expected_by__lte=today + timedelta(days=7)
            )
            .select_related("account", "agency")
            .order_by("expected_by")[:10],
            "last_run": FollowUpRun.objects.order_by("-business_date").first(),
        },
    )


@permission_required("counseling.add_hardshipinterview", raise_exception=True)
def interview_new(request: HttpRequest, number: str) -> HttpResponse:
    account = _account(number)
    data = request.POST or None
    form = forms.InterviewForm(data)
    incomes = forms.IncomeFormSet(data, prefix="income")
    members = forms.MemberFormSet(data, prefix="member")
    if request.method == "POST" and form.is_valid() and incomes.is_valid() and members.is_valid():
        d = form.cleaned_data
        try:
            interview = interview_record(
                account_id=account.pk,
                counselor=request.user,
                household_size=d["household_size"],
                region=d["region"],
                hardship_reason=d["hardship_reason"],
                hardship_note=d["hardship_note"],
                benefits=d["benefits"],
                documents_seen=d["documents_seen"],
                documented_hardship=d["documented_hardship"],
                hardship_evidence=d["hardship_evidence"],
                year=timezone.localdate().year,
                incomes=[
                    IncomeIn(
                        f.cleaned_data["kind"],
                        f.cleaned_data["amount"],
                        f.cleaned_data["frequency"] or "monthly",
                        f.cleaned_data["earner"],
                    )
                    for f in incomes
                    if f.cleaned_data.get("kind")
                ],
                members=[
                    MemberIn(
                        f.cleaned_data["first_name"],
                        f.cleaned_data["relationship"],
                        f.cleaned_data["age"],
                        f.cleaned_data["disabled"],
                    )
                    for f in members
                    if f.cleaned_data.get("first_name")
                ],
                expenses={k: d[k] for k in EXPENSE_FIELDS},
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("counseling:interview", pk=interview.pk)
    return render(
        request,
        "counseling/interview_form.html",
        {"account": account, "form": form, "incomes": incomes, "members": members},
    )


@permission_required("counseling.view_hardshipinterview", raise_exception=True)
def interview(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        HardshipInterview.objects.select_related(
            "account__customer", "account__premise", "counselor", "guideline"
        ),
        pk=pk,
    )
    history = list(HardshipInterview.objects.filter(account_id=item.account_id).order_by("-conducted_at")[:6])
    return render(
        request,
        "counseling/interview_detail.html",
        {
            "interview": item,
            "account": item.account,
            "history": history,
            "incomes": item.incomes.all(),
            "members": item.members.all(),
        },
    )


@permission_required("counseling.add_arrangement", raise_exception=True)
def arrangement_new(request: HttpRequest, number: str) -> HttpResponse:
    account = _account(number)
    today = timezone.localdate()
    checks, limits = offer(account=account, today=today)
    latest = HardshipInterview.objects.filter(account=account).order_by("-conducted_at").first()
    initial = {}
    if limits.fixed_months is not None:  # the policy's split, not a term to choose (Phoenix: 3)
        initial = {"down_payment": 0, "installments": limits.fixed_months}
    elif latest and latest.recommended_installments:
        initial = {
            "down_payment": latest.recommended_down_payment,
            "installments": min(latest.recommended_installments, limits.max_months),
        }
    max_amount, max_months = authority_of(request.user)
    form = forms.ArrangementForm(
        request.POST or None, initial=initial, limits=limits, authority=(max_amount, max_months)
    )
    preview, preview_error, refusal = None, None, None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if request.POST.get("action") == "propose":
            try:
                arr = arrangement_propose(
                    account_id=account.pk,
                    counselor=request.user,
                    down_payment=d["down_payment"],
                    installments=d["installments"],
                    reason=d["reason"],
                    idempotency_key=d["idempotency_key"],
                    interview_id=latest.pk if latest else None,
                )
            except DomainError as exc:
                refusal = getattr(exc, "decision", None)  # the policy's refusal, as stored
                if refusal is None:  # a stored refusal says its reason itself: never say it twice
                    form.add_error("reason" if exc.code == "arrangement.reason" else None, exc.message)
            else:
                messages.success(
                    request,
                    "Arrangement active: print the agreement for signature."
                    if arr.status == ArrangementStatus.ACTIVE
                    else "Above your credit authority: sent to a supervisor for approval.",
                )
                return redirect("counseling:arrangement", pk=arr.pk)
        if refusal is None:
            preview, preview_error = _preview(account=account, limits=limits, today=today, d=d)
    return render(
        request,
        "counseling/arrangement_form.html",
        {
            "account": account,
            "checks": checks,
            "limits": limits,
            "eligible": all(c.passed for c in checks),
            "form": form,
            "latest": latest,
            "preview": preview,
            "preview_error": preview_error,
            "refusal": refusal,
            "authority": (max_amount, max_months),
            "over_authority": preview is not None
            and (account.balance > max_amount or form.cleaned_data["installments"] > max_months),
        },
    )


def _preview(*, account: Account, limits, today, d) -> tuple[list | None, str | None]:  # type: ignore[no-untyped-def]
    """The schedule for the terms typed, or why not: a term outside the policy is refused here,
    before the counselor proposes it, with the policy's own words (the ones a proposal stores)."""
    if refused := arrangement_terms_refusal(
        limits, installments=d["installments"], down_payment=to_money(d["down_payment"])
    ):
        return None, refused[1]
    try:
        return schedule(
            total=account.balance,
            down_payment=d["down_payment"],
            count=d["installments"],
            first_dates=next_due_dates(account_id=account.pk, count=d["installments"], today=today),
            today=today,
        ), None
    except DomainError as exc:
        return None, exc.message


@permission_required("counseling.view_arrangement", raise_exception=True)
def arrangement(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        Arrangement.objects.select_related("account__customer", "counselor", "decided_by"), pk=pk
    )
    decision = (
        PolicyDecision.objects.filter(
            account_id=item.account_id, kind=DecisionKind.ARRANGEMENT, subject=f"arrangement:{item.pk}"
        )
        .select_related("policy_version", "made_by")
        .first()
    )
    return render(
        request,
        "counseling/arrangement_detail.html",
        {
            "arrangement": item,
            "account": item.account,
            "installments": item.installments.all(),
            "decision": decision,
        },
    )


@permission_required("counseling.view_arrangement", raise_exception=True)
def agreement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Arrangement, pk=pk)
    if item.status in (ArrangementStatus.PENDING_APPROVAL, ArrangementStatus.REJECTED):
        raise Http404  # no agreement to sign until it is approved
    letter = Letter.objects.filter(kind="agreement", subject_id=item.pk).first()
    if letter is None:
        raise Http404
    return pdf_response(letter_pdf(letter), f"arrangement-{item.pk}.pdf")


@require_POST
@permission_required("counseling.change_arrangement", raise_exception=True)
def arrangement_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        arrangement_cancel(arrangement_id=pk, reason=request.POST.get("reason", ""), actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("counseling:arrangement", pk=pk)


@permission_required("counseling.approve_arrangement", raise_exception=True)
def approvals(request: HttpRequest) -> HttpResponse:
    pending = (
        Arrangement.objects.filter(status=ArrangementStatus.PENDING_APPROVAL)
        .select_related("account__customer", "counselor")
        .prefetch_related("installments")
        .order_by("created_at")
    )
    return render(request, "counseling/approvals.html", {"pending": pending})


@require_POST
@permission_required("counseling.approve_arrangement", raise_exception=True)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    try:
        arrangement_decide(
            arrangement_id=pk, approve=approve, note=request.POST.get("note", ""), actor=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Arrangement approved." if approve else "Arrangement rejected.")
    return redirect("counseling:approvals")


def _simple(request: HttpRequest, number: str, form_class, title: str, action) -> HttpResponse:  # type: ignore[no-untyped-def]
    account = _account(number)
    form = form_class(request.POST or None)
    form.helper = forms.helper_with_submit(title)
    if request.method == "POST" and form.is_valid():
        try:
            result = action(account, form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return result
    return render(request, "accounts/form.html", {"account": account, "form": form, "title": title})


@permission_required("counseling.add_pledge", raise_exception=True)
def pledge_new(request: HttpRequest, number: str) -> HttpResponse:
    def act(account, d):  # type: ignore[no-untyped-def]
        pledge = pledge_record(
            account_id=account.pk,
            agency_id=d["agency"].pk,
            program=d["program"],
            amount=d["amount"],
            pledged_on=d["pledged_on"],
            expected_by=d["expected_by"],
            reference=d["reference"],
            counselor=request.user,
            period_start=d["period_start"],
            period_end=d["period_end"],
        )
        messages.success(
            request, f"Pledge recorded: any shutoff is held until {pledge.expected_by:%b %d, %Y}."
        )
        return redirect("accounts:detail", number=account.number)

    return _simple(request, number, forms.PledgeForm, "Record an assistance pledge", act)


@require_POST
@permission_required("counseling.change_pledge", raise_exception=True)
def pledge_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = get_object_or_404(Pledge.objects.select_related("account"), pk=pk)
    try:
        pledge_cancel(pledge_id=pk, reason=request.POST.get("reason", ""), actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:detail", number=pledge.account.number)


@permission_required("counseling.add_referral", raise_exception=True)
def referral_new(request: HttpRequest, number: str) -> HttpResponse:
    def act(account, d):  # type: ignore[no-untyped-def]
        referral = referral_create(
            account_id=account.pk,
            agency_id=d["agency"].pk,
            program=d["program"],
            note=d["note"],
            counselor=request.user,
        )
        return redirect("counseling:referral", pk=referral.pk)  # PRG: a confirmation, not a bare PDF

    return _simple(request, number, forms.ReferralForm, "Refer to an assistance agency", act)


@permission_required("counseling.add_referral", raise_exception=True)
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        Referral.objects.select_related("account__customer", "account__premise", "agency", "counselor"), pk=pk
    )
    return render(
        request,
        "counseling/referral_detail.html",
        {
            "referral": item,
            "account": item.account,
            "letter": Letter.objects.filter(kind=LetterKind.REFERRAL, subject_id=item.pk).first(),
            "pledges": pending_pledges(account_id=item.account_id),
        },
    )


@permission_required("counseling.add_programenrollment", raise_exception=True)
def enroll(request: HttpRequest, number: str) -> HttpResponse:
    def act(account, d):  # type: ignore[no-untyped-def]
        latest = HardshipInterview.objects.filter(account=account).order_by("-conducted_at").first()
        item = enrollment_create(
            account_id=account.pk,
            program=d["program"],
            certified_on=d["certified_on"],
            interview_id=latest.pk if latest else None,
            counselor=request.user,
        )
        messages.success(request, f"Enrolled; recertification due {item.recert_due:%b %d, %Y}.")
        return redirect("counseling:programs", number=account.number)

    return _simple(request, number, forms.EnrollForm, "Enroll in an assistance rate", act)


@permission_required("counseling.view_agency", raise_exception=True)
def agencies(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    since = today.replace(month=1, day=1)
    return render(
        request,
        "counseling/agencies.html",
        {
            "agencies": Agency.objects.all(),
            "report": pledges_by_agency(since=since, until=today),
            "since": since,
            "until": today,
        },
    )


@permission_required("counseling.post_agency_payment", raise_exception=True)
def agency_check(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=pk)
    pending = list(
        Pledge.objects.filter(agency=agency, status=PledgeStatus.PENDING)
        .select_related("account__customer")
        .order_by("expected_by")
    )
    form = forms.AgencyCheckForm(request.POST or None, pledges=pending)
    if request.method == "POST" and form.is_valid():
        try:
            txn = agency_check_post(
                agency_id=agency.pk,
                check_number=form.cleaned_data["check_number"],
                allocations=form.allocations(),
                actor=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, f"Agency check posted as receipt {txn.receipt_number}; pledges matched."
            )
            return redirect("counseling:agencies")
    return render(
        request,
        "counseling/agency_check.html",
        {"agency": agency, "form": form, "rows": [(p, form[f"p_{p.pk}"]) for p in pending]},
    )


@any_permission_required(*DESK_OR_SUPERVISOR)
def escalations(request: HttpRequest) -> HttpResponse:
    items = (
        Contact.objects.filter(escalated=True, follow_up_done_at__isnull=True)
        .select_related("account__customer", "reason", "assigned_to", "created_by")
        .order_by("follow_up_on")
    )
    return render(request, "counseling/escalations.html", {"items": items, "today": timezone.localdate()})


@permission_required("counseling.view_letter", raise_exception=True)
def letters(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.user.has_perm("counseling.change_letter"):
        ids = [int(i) for i in request.POST.getlist("letter") if i.isdigit()]
        Letter.objects.filter(pk__in=ids, printed_at__isnull=True).update(printed_at=timezone.now())
        messages.success(request, f"{len(ids)} letter(s) marked as mailed.")
        return redirect("counseling:letters")
    queue = (
        Letter.objects.filter(printed_at__isnull=True)
        .select_related("account__customer")
        .order_by("created_at")
    )
    return render(
        request,
        "counseling/letters.html",
        {"queue": queue[:200], "runs": FollowUpRun.objects.order_by("-business_date")[:14]},
    )


@permission_required("counseling.view_letter", raise_exception=True)
def letter_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_object_or_404(Letter.objects.select_related("account__customer", "account__premise"), pk=pk)
    return pdf_response(letter_pdf(letter), f"{letter.kind}-{letter.account.number}.pdf")
