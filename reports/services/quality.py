"""Writes for quality review: draw a sample, score an item, conclude a review. Each is one durable
transaction with its audit row; the four-eyes rule holds in every one."""

import secrets
from datetime import date
from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from common.audit import audit_record
from common.exceptions import DomainError
from reports.models import (
    ActionCategory,
    AnswerResult,
    ChecklistQuestion,
    QualityAnswer,
    QualityReview,
    QualityReviewItem,
    WorkKind,
)
from reports.quality_selectors import sample_draw

MAX_SAMPLE = 200


def _not_own_work(*, actor: AbstractBaseUser, employee_id: int) -> None:
    if actor.pk == employee_id:
        raise DomainError("quality.own_work", "You cannot review your own work: another supervisor must.")


@transaction.atomic(durable=True)
def review_draw(
    *,
    reviewer: AbstractBaseUser,
    employee_id: int,
    period_start: date,
    period_end: date,
    kinds: list[str],
    sample_size: int,
    idempotency_key: UUID,
    seed: str = "",
) -> QualityReview:
    """Draw a reproducible random sample of the employee's work in the period and open a review."""
    _not_own_work(actor=reviewer, employee_id=employee_id)
    if period_end < period_start:
        raise DomainError("quality.period", "The period ends before it starts.")
    if not kinds or not set(kinds) <= set(WorkKind.values):
        raise DomainError("quality.kinds", "Choose at least one kind of work.")
    if not 1 <= sample_size <= MAX_SAMPLE:
        raise DomainError("quality.sample_size", f"The sample size must be between 1 and {MAX_SAMPLE}.")
    # Draws for one employee wait for each other, so a replayed form finds the first draw's review.
    employee = get_user_model().objects.select_for_update(no_key=True).get(pk=employee_id)
    key = f"qreview:u{reviewer.pk}:{idempotency_key}"
    if done := QualityReview.objects.filter(idempotency_key=key).first():
        return done
    seed = seed or secrets.token_hex(8)
    drawn, population = sample_draw(
        employee_id=employee.pk, start=period_start, end=period_end, kinds=kinds, size=sample_size, seed=seed
    )
    if population == 0:
        raise DomainError(
            "quality.empty", "This employee did none of that work in the period: nothing to sample."
        )
    if sample_size > population:
        raise DomainError(
            "quality.sample_too_large",
            f"The sample size ({sample_size}) is larger than the work done in the period "
            f"({population} items).",
        )
    review = QualityReview.objects.create(
        employee=employee,
        reviewer=reviewer,
        period_start=period_start,
        period_end=period_end,
        kinds=sorted(set(kinds)),
        sample_size=sample_size,
        seed=seed,
        population=population,
        idempotency_key=key,
    )
    QualityReviewItem.objects.bulk_create(
        QualityReviewItem(
            review=review,
            position=n,
            kind=d.kind,
            object_id=d.object_id,
            ref=d.ref,
            occurred_on=d.occurred_on,
        )
        for n, d in enumerate(drawn, start=1)
    )
    audit_record(
        actor=reviewer,
        verb="quality.review_draw",
        target=review,
        data={"employee": employee.pk, "seed": seed, "population": population, "size": sample_size},
    )
    return review


def _open_review_locked(*, review_id: int, actor: AbstractBaseUser) -> QualityReview:
    review = QualityReview.objects.select_for_update(no_key=True).get(pk=review_id)
    _not_own_work(actor=actor, employee_id=review.employee_id)
    if review.completed_at is not None:
        raise DomainError("quality.concluded", "This review is concluded: its scores can no longer change.")
    return review


@transaction.atomic(durable=True)
def item_score(
    *, scorer: AbstractBaseUser, item_id: int, answers: dict[int, str], comment: str = ""
) -> QualityReviewItem:
    """Score one sampled item: one answer per active checklist question of its kind. Scoring again
    replaces the earlier answers (until the review is concluded)."""
    item = QualityReviewItem.objects.get(pk=item_id)
    _open_review_locked(review_id=item.review_id, actor=scorer)
    questions = list(ChecklistQuestion.objects.filter(kind=item.kind, active=True))
    if not questions:
        raise DomainError(
            "quality.no_checklist", "This kind of work has no checklist yet: an administrator adds it."
        )
    missing = [q.text for q in questions if answers.get(q.pk) not in AnswerResult.values]
    if missing:
        raise DomainError("quality.unanswered", f"Answer every question ({len(missing)} left).")
    item.answers.all().delete()
    QualityAnswer.objects.bulk_create(
        QualityAnswer(item=item, question=q, question_text=q.text, result=answers[q.pk]) for q in questions
    )
    item.comment = comment.strip()
    item.scored_by = scorer
    item.scored_at = timezone.now()
    item.save(update_fields=["comment", "scored_by", "scored_at"])
    audit_record(
        actor=scorer,
        verb="quality.item_score",
        target=item.review,
        data={"item": item.pk, "answers": {str(k): v for k, v in answers.items()}},
    )
    return item


@transaction.atomic(durable=True)
def review_conclude(
    *, reviewer: AbstractBaseUser, review_id: int, findings: str, action_category: str, action: str
) -> QualityReview:
    """Record the findings and the corrective action or training need; the employee then sees it."""
    review = _open_review_locked(review_id=review_id, actor=reviewer)
    if action_category not in ActionCategory.values:
        raise DomainError("quality.action_category", "Choose the kind of action.")
    if not findings.strip():
        raise DomainError("quality.findings", "Write the findings.")
    if action_category != ActionCategory.NONE and not action.strip():
        raise DomainError("quality.action", "Describe the action or training need.")
    if not review.items.filter(scored_at__isnull=False).exists():
        raise DomainError("quality.unscored", "Score at least one item before concluding the review.")
    review.findings = findings.strip()
    review.action_category = action_category
    review.action = action.strip()
    review.completed_at = timezone.now()
    review.save(update_fields=["findings", "action_category", "action", "completed_at"])
    audit_record(
        actor=reviewer,
        verb="quality.review_conclude",
        target=review,
        data={"action_category": action_category},
    )
    return review
