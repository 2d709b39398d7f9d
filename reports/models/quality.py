"""Quality review of staff work: a reproducible sample of one employee's work in a period,
scored against a checklist per kind of work, with findings and a corrective action."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q


class WorkKind(models.TextChoices):
    RECEIPT = "receipt", "Receipts"
    CONTACT = "contact", "Contacts"
    ARRANGEMENT = "arrangement", "Arrangements"
    ADJUSTMENT = "adjustment", "Adjustments"


class AnswerResult(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    NA = "na", "N/A"


class ActionCategory(models.TextChoices):
    TRAINING = "training", "Training need"
    COACHING = "coaching", "Coaching"
    PROCESS = "process", "Process change"
    NONE = "none", "None needed"


class ChecklistQuestion(models.Model):
    """One question asked of every sampled item of a kind. Administrators edit these in the admin;
    answers copy the text they answered, so rewording a question never rewrites past reviews."""

    kind = models.CharField(max_length=12, choices=WorkKind.choices)
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Retired questions stay on past reviews.")

    class Meta:
        ordering = ["kind", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"


class QualityReview(models.Model):
    employee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    kinds = ArrayField(models.CharField(max_length=12, choices=WorkKind.choices))
    sample_size = models.PositiveSmallIntegerField()
    # The draw is `ORDER BY md5(seed || kind || id)`: the same seed over the same work draws the
    # same items, so anyone can check the sample was not hand-picked.
    seed = models.CharField(max_length=32)
    population = models.PositiveIntegerField(help_text="How many items the sample was drawn from.")
    created_at = models.DateTimeField(auto_now_add=True)
    findings = models.TextField(blank=True)
    action_category = models.CharField(max_length=10, choices=ActionCategory.choices, blank=True)
    action = models.TextField(blank=True, help_text="The corrective action or training need.")
    completed_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        indexes = [models.Index(fields=["employee", "-period_end"], name="qreview_employee")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="qreview_period"
            ),
            models.CheckConstraint(condition=Q(sample_size__gt=0), name="qreview_sample_positive"),
            models.CheckConstraint(condition=~Q(reviewer=models.F("employee")), name="qreview_four_eyes"),
        ]

    def __str__(self) -> str:
        return f"Quality review {self.pk}"

    @property
    def kinds_label(self) -> str:
        return ", ".join(WorkKind(kind).label for kind in self.kinds)


class QualityReviewItem(models.Model):
    """One sampled record. `ref` (receipt number or account number) is kept so the page links to
    the record without reading four other tables."""

    review = models.ForeignKey(QualityReview, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=WorkKind.choices)
    object_id = models.BigIntegerField()
    ref = models.CharField(max_length=40)
    occurred_on = models.DateField()
    comment = models.TextField(blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "kind", "object_id"], name="qitem_once"),
            models.UniqueConstraint(fields=["review", "position"], name="qitem_position"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ref}"


class QualityAnswer(models.Model):
    item = models.ForeignKey(QualityReviewItem, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        ChecklistQuestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    question_text = models.CharField(max_length=300, help_text="The question as it was answered.")
    result = models.CharField(max_length=4, choices=AnswerResult.choices)

    class Meta:
        ordering = ["item", "pk"]
        constraints = [models.UniqueConstraint(fields=["item", "question"], name="qanswer_once")]

    def __str__(self) -> str:
        return f"{self.question_text}: {self.result}"
