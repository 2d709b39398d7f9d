from django.conf import settings
from django.db import models
from django.db.models import Q

from common.money import MoneyField


class RefundMethod(models.TextChoices):
    CHECK = "check", "Check"
    ORIGINAL_PAYMENT = "original_payment", "Back to the original card / electronic payment"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", "Awaiting approval"
    APPROVED = "approved", "Approved, to issue"
    ISSUED = "issued", "Issued"
    CASHED = "cashed", "Check cashed"
    UNCLAIMED = "unclaimed", "Check unclaimed, returned to the account"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


# A refund in these states holds part of the account's credit: one at a time per account.
OPEN_STATUSES = (RefundStatus.REQUESTED, RefundStatus.APPROVED)


class RefundSource(models.TextChoices):
    DESK = "desk", "Requested at the desk"
    NIGHTLY = "nightly", "Proposed by the nightly run"


class Refund(models.Model):
    """A refund of an account's credit balance. Issuing posts `refund` ledger entries (debits)
    on the funds that hold the credit, one RefundLine each; an uncashed check returns to the
    account by reversing them. The payee and mailing address are those approved, as requested."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="refunds")
    amount = MoneyField()
    method = models.CharField(max_length=16, choices=RefundMethod.choices)
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED)
    source = models.CharField(max_length=8, choices=RefundSource.choices, default=RefundSource.DESK)
    reason = models.TextField(blank=True)
    payee = models.CharField(max_length=160)
    mailing_address = models.TextField(blank=True)
    payment = models.ForeignKey(
        "payments.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The card / electronic payment refunded to.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    auto_approved = models.BooleanField(default=False, help_text="At or below the policy's approval limit.")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(blank=True, help_text="Why it was rejected or cancelled.")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(null=True, blank=True)
    check_number = models.CharField(max_length=20, blank=True)
    cashed_on = models.DateField(null=True, blank=True)
    unclaimed_on = models.DateField(null=True, blank=True)
    batch = models.ForeignKey(
        "collections_app.BatchRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "-requested_at"], name="refund_account"),
            models.Index(fields=["status", "issued_on"], name="refund_status_issued"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=["requested", "approved"]),
                name="refund_one_open_per_account",
            ),
            models.CheckConstraint(
                condition=~Q(method="original_payment") | Q(payment__isnull=False),
                name="refund_original_payment_named",
            ),
        ]
        permissions = [
            ("request_refund", "Can request a refund of a credit balance"),
            ("approve_refund", "Can approve, reject and issue refunds"),
        ]

    def __str__(self) -> str:
        return f"Refund ${self.amount} ({self.get_status_display()})"

    @property
    def approver_label(self) -> str:
        """Who approved it ('within limit' when the policy's limit approved it at request)."""
        if self.approved_by is not None:
            return self.approved_by.get_username()
        return "within limit" if self.auto_approved else ""

    @property
    def fund_label(self) -> str:
        """The fund(s) it was taken from: 'CR', or 'CR 40.00; WTR 10.00' (lines prefetched)."""
        lines = list(self.lines.all())
        if len(lines) == 1:
            return lines[0].fund.code
        return "; ".join(f"{line.fund.code} {line.amount}" for line in lines)


class RefundLine(models.Model):
    """The part of an issued refund taken from one fund, and the ledger entry that took it."""

    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, related_name="lines")
    fund = models.ForeignKey("accounts.Fund", on_delete=models.PROTECT, related_name="+")
    amount = MoneyField()
    entry = models.OneToOneField("accounts.LedgerEntry", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refundline_amount_positive")]

    def __str__(self) -> str:
        return f"{self.fund_id}: {self.amount}"
