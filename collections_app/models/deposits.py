from django.conf import settings
from django.db import models

from common.money import MoneyField


class DepositStatus(models.TextChoices):
    BILLING = "billing", "Billing in installments"
    HELD = "held", "Held"
    REFUNDED = "refunded", "Refunded"
    APPLIED = "applied", "Applied to the account"
    WAIVED = "waived", "Waived"


class RefundMethod(models.TextChoices):
    APPLIED = "applied", "Applied to the account's balance"
    CHECK = "check", "Refund check"
    FINAL_BILL = "final_bill", "Applied to the final bill"


class SecurityDeposit(models.Model):
    """A security deposit: the amount the policy requires (with its explanation), billed in
    installments, paid into the DEP fund, accruing interest, refunded or applied to the final bill."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="security_deposits"
    )
    required_amount = MoneyField()
    explanation = models.JSONField(default=dict, help_text="the engine's computation and citation")
    status = models.CharField(max_length=10, choices=DepositStatus.choices, default=DepositStatus.BILLING)
    installments = models.PositiveSmallIntegerField(default=1)
    billed_amount = MoneyField(default=0)
    held_amount = MoneyField(default=0)
    interest_accrued = MoneyField(default=0, help_text="computed, not yet credited to the bill")
    interest_through = models.DateField(null=True, blank=True, help_text="interest computed through")
    interest_credited = MoneyField(default=0, help_text="credited to the customer's bill so far")
    interest_credited_on = models.DateField(null=True, blank=True)
    held_since = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True, help_text="next good-payment review")
    closed_on = models.DateField(null=True, blank=True)
    refund_method = models.CharField(max_length=10, choices=RefundMethod.choices, blank=True)
    refunded_amount = MoneyField(default=0, help_text="held deposit and interest returned or applied")
    check_issued_on = models.DateField(
        null=True, blank=True, help_text="refund by check: empty while the check is still to be cut"
    )
    waiver_reason = models.TextField(blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["account"], condition=models.Q(status__in=["billing", "held"]), name="deposit_open"
            )
        ]
        permissions = [("waive_securitydeposit", "Can waive a required security deposit")]

    def __str__(self) -> str:
        return f"Deposit ${self.required_amount} ({self.get_status_display()})"


class DepositInstallment(models.Model):
    deposit = models.ForeignKey(SecurityDeposit, on_delete=models.CASCADE, related_name="schedule")
    number = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    amount = MoneyField()
    billed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["deposit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["deposit", "number"], name="depositinstallment_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}: ${self.amount} due {self.due_date:%Y-%m-%d}"
