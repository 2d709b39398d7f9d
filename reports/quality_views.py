"""Quality review pages: supervisors draw and score samples; every employee reads their own."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from reports.models import QualityReview, QualityReviewItem, WorkKind
from reports.quality_forms import ConcludeForm, DrawForm, ReviewFilterForm, ScoreForm
from reports.quality_selectors import (
    checklist,
    employee_trend,
    review_for_employee,
    review_items,
    review_list,
    score,
)
from reports.services.quality import item_score, review_conclude, review_draw

SUPERVISE = "common.use_supervision"


def record_url(item: QualityReviewItem) -> str:
    """The sampled record's own page (receipts and arrangements have one; contacts and
    adjustments are read on their account)."""
    if item.kind == WorkKind.RECEIPT:
        return reverse("payments:receipt", args=[item.ref])
    if item.kind == WorkKind.ARRANGEMENT:
        return reverse("counseling:arrangement", args=[item.object_id])
    return reverse("accounts:detail", args=[item.ref])


def _with_scores(reviews) -> list:  # type: ignore[no-untyped-def]
    rows = list(reviews)
    for review in rows:
        review.score = score(review.passed, review.failed)
    return rows


@permission_required(SUPERVISE, raise_exception=True)
def quality_list(request: HttpRequest) -> HttpResponse:
    draw_form = DrawForm(request.POST or None, reviewer=request.user)
    if request.method == "POST" and draw_form.is_valid():
        d = draw_form.cleaned_data
        try:
            review = review_draw(
                reviewer=request.user,
                employee_id=d["employee"].pk,
                period_start=d["period_start"],
                period_end=d["period_end"],
                kinds=d["kinds"],
                sample_size=d["sample_size"],
                seed=d["seed"],
                idempotency_key=d["idempotency_key"],
            )
        except DomainError as exc:
            draw_form.add_error(None, exc.message)
        else:
            messages.success(request, f"Sample drawn: {review.items.count()} of {review.population} items.")
            return redirect("reports:quality_review", pk=review.pk)
    filters = ReviewFilterForm(request.GET or None)
    reviews = QualityReview.objects.none()
    if filters.is_valid() or not request.GET:
        f = filters.cleaned_data if request.GET else {}
        employee = f.get("employee")
        reviews = review_list(
            employee_id=employee.pk if employee else None, start=f.get("start"), end=f.get("end")
        )
    return render(
        request,
        "reports/quality_list.html",
        {"reviews": _with_scores(reviews[:200]), "filters": filters, "draw_form": draw_form},
        status=400 if draw_form.errors or filters.errors else 200,
    )


def _review_page(request: HttpRequest, review: QualityReview, *, editable: bool, forms=None) -> HttpResponse:  # type: ignore[no-untyped-def]
    questions = checklist(kinds=review.kinds) if editable else {}
    rows = []
    for item in review_items(review=review):
        form = (forms or {}).get(item.pk)
        if form is None and editable and review.completed_at is None:
            given = {f"q{a.question_id}": a.result for a in item.answers.all()}
            form = ScoreForm(
                initial={**given, "comment": item.comment},
                questions=questions.get(item.kind, []),
                prefix=f"i{item.pk}",
            )
        rows.append({"item": item, "url": record_url(item), "form": form})
    passed = sum(a.result == "pass" for r in rows for a in r["item"].answers.all())
    failed = sum(a.result == "fail" for r in rows for a in r["item"].answers.all())
    conclude = None
    if editable and review.completed_at is None:
        conclude = (forms or {}).get("conclude") or ConcludeForm()
    return render(
        request,
        "reports/quality_review.html",
        {
            "review": review,
            "rows": rows,
            "score": score(passed, failed),
            "editable": editable,
            "conclude_form": conclude,
        },
        status=400 if forms else 200,
    )


def _review(pk: int) -> QualityReview:
    return get_object_or_404(QualityReview.objects.select_related("employee", "reviewer"), pk=pk)


@permission_required(SUPERVISE, raise_exception=True)
def quality_review(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(pk)
    return _review_page(request, review, editable=review.employee_id != request.user.pk)


@require_POST
@permission_required(SUPERVISE, raise_exception=True)
def quality_item_score(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    review = _review(pk)
    item = get_object_or_404(QualityReviewItem, pk=item_pk, review=review)
    form = ScoreForm(request.POST, questions=checklist(kinds=[item.kind])[item.kind], prefix=f"i{item.pk}")
    if form.is_valid():
        try:
            item_score(
                scorer=request.user,
                item_id=item.pk,
                answers=form.answers(),
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Item {item.position} scored.")
            following = review.items.filter(position__gt=item.position, scored_at__isnull=True).first()
            anchor = f"#item-{following.pk}" if following else "#conclude"
            return redirect(reverse("reports:quality_review", args=[review.pk]) + anchor)
    return _review_page(request, review, editable=True, forms={item.pk: form})


@require_POST
@permission_required(SUPERVISE, raise_exception=True)
def quality_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(pk)
    form = ConcludeForm(request.POST)
    if form.is_valid():
        try:
            review_conclude(reviewer=request.user, review_id=review.pk, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Review concluded: the employee now sees it under My reviews.")
            return redirect("reports:quality_review", pk=review.pk)
    return _review_page(request, review, editable=True, forms={"conclude": form})


@permission_required(SUPERVISE, raise_exception=True)
def quality_trend(request: HttpRequest, employee_id: int) -> HttpResponse:
    employee = get_object_or_404(get_user_model(), pk=employee_id)
    rows = employee_trend(employee_id=employee.pk)
    chart = {
        "labels": [r.month.strftime("%Y-%m") for r in rows],
        "scores": [float(r.score) if r.score is not None else None for r in rows],
    }
    return render(request, "reports/quality_trend.html", {"employee": employee, "rows": rows, "chart": chart})


@login_required
def my_reviews(request: HttpRequest) -> HttpResponse:
    reviews = _with_scores(review_for_employee(employee_id=request.user.pk)[:200])
    return render(request, "reports/quality_mine.html", {"reviews": reviews})


@login_required
def my_review(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the employee's own concluded reviews exist here: anyone else's is a 404, not a 403,
    # so the page does not even confirm another person's review exists.
    review = get_object_or_404(
        QualityReview.objects.select_related("employee", "reviewer"),
        pk=pk,
        employee=request.user,
        completed_at__isnull=False,
    )
    return _review_page(request, review, editable=False)
