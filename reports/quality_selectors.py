"""Reads for quality review: the sample's population, review lists with their scores, trends."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import CharField, Count, F, Q, QuerySet, Value
from django.db.models.functions import TruncDate, TruncMonth

from accounts.models import Adjustment, Contact
from common.roles import CASHIER, COLLECTIONS_OFFICER, COUNSELOR, SUPERVISOR
from counseling.models import Arrangement
from payments.models import CounterTransaction
from reports.models import AnswerResult, ChecklistQuestion, QualityReview, QualityReviewItem, WorkKind


@dataclass(frozen=True)
class Drawn:
    kind: str
    object_id: int
    ref: str
    occurred_on: date


def _population(kind: str, employee_id: int, start: date, end: date) -> QuerySet:
    """One kind of work done by the employee in the period, as (kind, id, ref, day) rows."""
    tag = Value(kind, output_field=CharField())
    if kind == WorkKind.RECEIPT:
        qs = CounterTransaction.objects.filter(created_by_id=employee_id, business_date__range=(start, end))
        cols = {"q_ref": F("receipt_number"), "q_on": F("business_date")}
    elif kind == WorkKind.CONTACT:
        qs = Contact.objects.filter(created_by_id=employee_id, created_at__date__range=(start, end))
        cols = {"q_ref": F("account__number"), "q_on": TruncDate("created_at")}
    elif kind == WorkKind.ARRANGEMENT:
        qs = Arrangement.objects.filter(counselor_id=employee_id, created_at__date__range=(start, end))
        cols = {"q_ref": F("account__number"), "q_on": TruncDate("created_at")}
    elif kind == WorkKind.ADJUSTMENT:
        qs = Adjustment.objects.filter(requested_by_id=employee_id, requested_at__date__range=(start, end))
        cols = {"q_ref": F("account__number"), "q_on": TruncDate("requested_at")}
    else:
        raise ValueError(kind)
    # Only annotations are selected, in this order, so the UNION's columns line up.
    return (
        qs.order_by()
        .annotate(q_kind=tag, q_id=F("id"), **cols)
        .values_list("q_kind", "q_id", "q_ref", "q_on")
    )


def sample_draw(
    *, employee_id: int, start: date, end: date, kinds: list[str], size: int, seed: str
) -> tuple[list[Drawn], int]:
    """The sample (at most `size` items) and the population it came from, in one set-based query:
    every item's place is md5(seed:kind:id), so the same seed over the same work draws the same
    items, and nobody chooses which ones."""
    parts, params = [], []
    for kind in sorted(set(kinds)):
        sql, part_params = _population(kind, employee_id, start, end).query.sql_with_params()
        parts.append(f"({sql})")
        params.extend(part_params)
    # Only ORM-compiled SQL is joined here; every value travels as a parameter.
    union = " UNION ALL ".join(parts)
    sql = (
        f"SELECT kind, id, ref, on_date, count(*) OVER () FROM ({union})"  # noqa: S608
        " AS p(kind, id, ref, on_date) ORDER BY md5(%s || ':' || kind || ':' || id::text) LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, seed, size])
        rows = cursor.fetchall()
    population = rows[0][4] if rows else 0
    return [Drawn(kind, object_id, ref, on) for kind, object_id, ref, on, _ in rows], population


def _scored(qs: QuerySet) -> QuerySet:
    return qs.annotate(
        passed=Count("items__answers", filter=Q(items__answers__result=AnswerResult.PASS)),
        failed=Count("items__answers", filter=Q(items__answers__result=AnswerResult.FAIL)),
    )


def score(passed: int, failed: int) -> Decimal | None:
    """Share of answered questions passed (n/a answers count neither way), as a percentage."""
    if passed + failed == 0:
        return None
    return (Decimal(100) * passed / (passed + failed)).quantize(Decimal("0.1"))


def review_list(
    *, employee_id: int | None = None, start: date | None = None, end: date | None = None
) -> QuerySet[QualityReview]:
    """Reviews whose period overlaps [start, end], newest first, with pass/fail counts."""
    qs = QualityReview.objects.select_related("employee", "reviewer")
    if employee_id:
        qs = qs.filter(employee_id=employee_id)
    if start:
        qs = qs.filter(period_end__gte=start)
    if end:
        qs = qs.filter(period_start__lte=end)
    return _scored(qs).order_by("-period_end", "-pk")


def review_for_employee(*, employee_id: int) -> QuerySet[QualityReview]:
    """An employee's own finished reviews (drafts stay with the supervisor until concluded)."""
    return review_list(employee_id=employee_id).filter(completed_at__isnull=False)


def review_items(*, review: QualityReview) -> list[QualityReviewItem]:
    return list(review.items.prefetch_related("answers"))


def checklist(*, kinds: list[str]) -> dict[str, list[ChecklistQuestion]]:
    by_kind: dict[str, list[ChecklistQuestion]] = {kind: [] for kind in kinds}
    for question in ChecklistQuestion.objects.filter(kind__in=kinds, active=True):
        by_kind[question.kind].append(question)
    return by_kind


@dataclass(frozen=True)
class TrendRow:
    month: date
    reviews: int
    passed: int
    failed: int

    @property
    def score(self) -> Decimal | None:
        return score(self.passed, self.failed)


def employee_trend(*, employee_id: int) -> list[TrendRow]:
    """Concluded reviews of one employee per month of their period's end, oldest first."""
    rows = (
        QualityReview.objects.filter(employee_id=employee_id, completed_at__isnull=False)
        .annotate(month=TruncMonth("period_end"))
        .values("month")
        .annotate(
            reviews=Count("pk", distinct=True),
            passed=Count("items__answers", filter=Q(items__answers__result=AnswerResult.PASS)),
            failed=Count("items__answers", filter=Q(items__answers__result=AnswerResult.FAIL)),
        )
        .order_by("month")
    )
    return [TrendRow(r["month"], r["reviews"], r["passed"], r["failed"]) for r in rows]


def reviewable_staff() -> QuerySet:
    """Active people holding a desk role: the employees whose work can be sampled."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True, groups__name__in=[COUNSELOR, CASHIER, COLLECTIONS_OFFICER, SUPERVISOR]
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
