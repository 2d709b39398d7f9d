from django.conf import settings
from django.db import models
from django.db.models import Q

from common.formatting import format_money
from common.money import MoneyField


class CreditAuthority(models.Model):
    """How much credit a counselor may extend on their own; above it, a supervisor approves."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_authority"
    )
    max_amount = MoneyField(help_text="largest balance the counselor may put on an arrangement")
    max_months = models.PositiveSmallIntegerField(help_text="longest arrangement the counselor may grant")

    class Meta:
        verbose_name_plural = "credit authorities"

    def __str__(self) -> str:
        return f"{self.user}: {format_money(self.max_amount)} / {self.max_months} months"


class ArrangementStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", "Awaiting supervisor approval"
    ACTIVE = "active", "Active"
    KEPT = "kept", "Kept (paid in full)"
    BROKEN = "broken", "Broken"
    CANCELLED = "cancelled", "Cancelled"
    REJECTED = "rejected", "Rejected by supervisor"


class Arrangement(models.Model):
    """A payment arrangement: a down payment and installments due with the bills. While active,
    it holds off collections; once broken it no longer does."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="arrangements")
    interview = models.ForeignKey(
        "counseling.HardshipInterview", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counselor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=ArrangementStatus.choices)
    total = MoneyField(help_text="the balance the arrangement covers")
    down_payment = MoneyField(default=0)
    installment_count = models.PositiveSmallIntegerField()
    months = models.PositiveSmallIntegerField()
    reason = models.TextField()
    exceeds_authority = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "-created_at"], name="arrangement_account"),
            # a day's figures (supervisor home, dashboards' roll-up) read a date range of the whole table
            models.Index(fields=["created_at"], name="arrangement_created"),
            models.Index(fields=["ended_on"], name="arrangement_ended_on"),
            models.Index(
                fields=["status"],
                condition=Q(status__in=["active", "pending_approval"]),
                name="arrangement_open",
            ),
        ]
        permissions = [("approve_arrangement", "Can approve arrangements above a counselor's authority")]

    def __str__(self) -> str:
        return f"Arrangement {self.pk} ({self.get_status_display()})"


class InstallmentStatus(models.TextChoices):
    OPEN = "open", "Open"
    PAID = "paid", "Paid"
    MISSED = "missed", "Missed"


class Installment(models.Model):
    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="installments")
    number = models.PositiveSmallIntegerField(help_text="0 is the down payment")
    due_date = models.DateField()
    amount = MoneyField()
    paid_amount = MoneyField(default=0)
    status = models.CharField(max_length=8, choices=InstallmentStatus.choices, default=InstallmentStatus.OPEN)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["arrangement", "number"]
        constraints = [models.UniqueConstraint(fields=["arrangement", "number"], name="installment_number")]
        indexes = [models.Index(fields=["due_date"], condition=Q(status="open"), name="installment_open_due")]

    def __str__(self) -> str:
        return f"#{self.number} {self.amount} due {self.due_date}"


class InstallmentPayment(models.Model):
    installment = models.ForeignKey(Installment, on_delete=models.PROTECT, related_name="applied")
    payment = models.ForeignKey("payments.Payment", on_delete=models.PROTECT, related_name="+")
    amount = MoneyField()
    reversed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.installment_id} <- {self.payment_id}: {self.amount}"


class FollowUpRun(models.Model):
    """One nightly counseling run; idempotent per business date."""

    business_date = models.DateField(unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    installments_missed = models.PositiveIntegerField(default=0)
    arrangements_broken = models.PositiveIntegerField(default=0)
    arrangements_kept = models.PositiveIntegerField(default=0)
    pledges_expired = models.PositiveIntegerField(default=0)
    recert_reminders = models.PositiveIntegerField(default=0)
    enrollments_expired = models.PositiveIntegerField(default=0)
    letters = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Counseling run {self.business_date}"
