from django.conf import settings
from django.db import models
from django.db.models import Q

from common.money import MoneyField


class Agency(models.Model):
    name = models.CharField(max_length=120, unique=True)
    programs = models.CharField(max_length=200, help_text="e.g. LIHEAP, emergency utility assistance")
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=200, blank=True)
    days_to_pay = models.PositiveSmallIntegerField(default=30, help_text="usual days from pledge to payment")
    notes = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Referral(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="referrals")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals")
    program = models.CharField(max_length=80)
    note = models.TextField(blank=True)
    counselor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Referral to {self.agency}"


class PledgeStatus(models.TextChoices):
    PENDING = "pending", "Pending (holds shutoff)"
    PAID = "paid", "Paid"
    EXPIRED = "expired", "Expired unpaid"
    CANCELLED = "cancelled", "Cancelled"


class Pledge(models.Model):
    """An agency's promise to pay part of a bill. While pending, it holds the account's shutoff."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="pledges")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="pledges")
    program = models.CharField(max_length=80)
    amount = MoneyField()
    paid_amount = MoneyField(default=0)
    pledged_on = models.DateField()
    expected_by = models.DateField()
    status = models.CharField(max_length=10, choices=PledgeStatus.choices, default=PledgeStatus.PENDING)
    reference = models.CharField(max_length=40, blank=True, help_text="the agency's pledge or voucher number")
    # The billing period the pledge was received in (16 TAC 7.460(b)(2): no disconnection for that
    # period). Null: the engine takes the billing cycle the pledge date falls in from the bills.
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    counselor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["account"], condition=Q(status="pending"), name="pledge_pending_account"),
            models.Index(fields=["expected_by"], condition=Q(status="pending"), name="pledge_pending_due"),
            # a day's figures (supervisor home, dashboards' roll-up) read a date range of the whole table
            models.Index(fields=["pledged_on"], name="pledge_pledged_on"),
        ]
        permissions = [("post_agency_payment", "Can post an agency check against its pledges")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive"),
            models.CheckConstraint(
                condition=Q(expected_by__gte=models.F("pledged_on")), name="pledge_dates_order"
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True, period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="pledge_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} pledge {self.amount}"

    @property
    def outstanding(self):  # type: ignore[no-untyped-def]
        return self.amount - self.paid_amount


class PledgePayment(models.Model):
    """Which payment settled how much of which pledge (one agency check may cover many pledges)."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="payments")
    payment = models.ForeignKey("payments.Payment", on_delete=models.PROTECT, related_name="+")
    amount = MoneyField()
    reversed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.pledge_id} <- {self.payment_id}: {self.amount}"
