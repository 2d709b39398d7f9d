from django.conf import settings
from django.db import models

from common.money import MoneyField


class OrderKind(models.TextChoices):
    DISCONNECT = "disconnect", "Disconnect"
    RECONNECT = "reconnect", "Reconnect"
    LOW_FLOW = "low_flow", "Install low-flow device"
    FIELD_VISIT = "field_visit", "Field visit (post notice, contact)"


class OrderStatus(models.TextChoices):
    OPEN = "open", "Open"
    DISPATCHED = "dispatched", "Dispatched to crew"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class OrderOutcome(models.TextChoices):
    DONE = "done", "Work done"
    NO_ACCESS = "no_access", "Could not do it (no access, unsafe, locked)"


class ServiceOrder(models.Model):
    """Field work on an account's service. Disconnect and low-flow orders are re-checked by the
    engine at dispatch and at completion; a payment or pledge in between cancels them."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="service_orders")
    kind = models.CharField(max_length=12, choices=OrderKind.choices)
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    utility = models.CharField(max_length=12, default="water")
    candidate = models.ForeignKey(
        "collections_app.ShutoffCandidate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    reason = models.TextField()
    scheduled_for = models.DateField()
    # db defaults: the shutoff list inserts orders in one SQL statement that does not name these
    after_hours_requested = models.BooleanField(
        default=False,
        db_default=False,
        help_text="reconnect: the customer asked for after-hours (same-day) service; set by staff",
    )
    after_hours = models.BooleanField(
        default=False,
        help_text="reconnect: done after hours at the customer's request (the after-hours rate)",
    )
    fee_amount = MoneyField(default=0, help_text="reconnect: the fee charged at completion (0 until then)")
    fee_quote = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="reconnect: the fee the customer was told at ordering (receipt, order page)",
    )
    fee_reason = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="reconnect: the policy's explanation of the fee charged",
    )
    fee_citation = models.CharField(max_length=200, blank=True, default="", db_default="")
    crew = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completion_note = models.TextField(blank=True)
    meter_reading = models.CharField(max_length=20, blank=True)
    outcome = models.CharField(max_length=10, choices=OrderOutcome.choices, blank=True)
    payment = models.ForeignKey(
        "payments.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the payment that got a disconnected service restored (NSF: 48 hours to redeem)",
    )
    cancelled_reason = models.TextField(blank=True)
    cancelled_code = models.CharField(max_length=40, blank=True, help_text="the engine's deciding rule")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "-created_at"], name="order_account"),
            # a day's figures (supervisor home, dashboards' roll-up) read a date range of the whole table
            models.Index(fields=["completed_at"], name="order_completed_at"),
            models.Index(
                fields=["status", "scheduled_for"],
                condition=models.Q(status__in=["open", "dispatched"]),
                name="order_open",
            ),
        ]
        permissions = [
            ("dispatch_serviceorder", "Can dispatch service orders to crews"),
            ("complete_serviceorder", "Can record completion of service orders"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
