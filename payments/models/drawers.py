from django.conf import settings
from django.db import models
from django.db.models import Q

from common.money import MoneyField

# US currency a drawer holds, in cents: what a blind count is made of.
DENOMINATIONS = {
    "100": 10000,
    "50": 5000,
    "20": 2000,
    "10": 1000,
    "5": 500,
    "2": 200,
    "1": 100,
    "coin_1": 100,
    "coin_0.50": 50,
    "coin_0.25": 25,
    "coin_0.10": 10,
    "coin_0.05": 5,
    "coin_0.01": 1,
}
DENOMINATION_LABELS = {
    "100": "$100 bills",
    "50": "$50 bills",
    "20": "$20 bills",
    "10": "$10 bills",
    "5": "$5 bills",
    "2": "$2 bills",
    "1": "$1 bills",
    "coin_1": "$1 coins",
    "coin_0.50": "Half dollars",
    "coin_0.25": "Quarters",
    "coin_0.10": "Dimes",
    "coin_0.05": "Nickels",
    "coin_0.01": "Pennies",
}


class Drawer(models.Model):
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=60)
    location = models.CharField(max_length=60, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SessionStatus(models.TextChoices):
    OPEN = "open", "Open"
    # closed balanced OR over/short within tolerance: the label must not claim "balanced"
    # (the drawer report says which: common.formatting.drawer_outcome)
    CLOSED = "closed", "Closed"
    PENDING_SIGNOFF = "pending_signoff", "Closed, awaiting supervisor sign-off"
    SIGNED_OFF = "signed_off", "Closed, signed off"


class DrawerSession(models.Model):
    """A cashier's day on one drawer: opened with a counted float, closed with a blind count."""

    drawer = models.ForeignKey(Drawer, on_delete=models.PROTECT, related_name="sessions")
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="drawer_sessions"
    )
    business_date = models.DateField()
    opened_at = models.DateTimeField(auto_now_add=True)
    opening_float = MoneyField()
    status = models.CharField(max_length=16, choices=SessionStatus.choices, default=SessionStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    # the blind count: {"20": 12, "coin_0.25": 40, ...}; totals derived at close
    counted_denominations = models.JSONField(default=dict, blank=True)
    counted_cash = MoneyField(null=True, blank=True)
    counted_checks = MoneyField(null=True, blank=True)
    counted_check_count = models.PositiveIntegerField(null=True, blank=True)
    counted_cards = MoneyField(null=True, blank=True)
    counted_other = MoneyField(null=True, blank=True, help_text="Money orders and cashier's checks")
    expected_cash = MoneyField(null=True, blank=True)
    expected_checks = MoneyField(null=True, blank=True)
    expected_cards = MoneyField(null=True, blank=True)
    expected_other = MoneyField(null=True, blank=True)
    over_short = MoneyField(null=True, blank=True)
    close_note = models.TextField(blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signoff_reason = models.TextField(blank=True)
    bank_deposit = models.ForeignKey(
        "payments.BankDeposit", null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )

    class Meta:
        constraints = [
            # Nothing posts without an open session, and a drawer or cashier has at most one.
            models.UniqueConstraint(
                fields=["cashier"], condition=Q(status="open"), name="one_open_session_per_cashier"
            ),
            models.UniqueConstraint(
                fields=["drawer"], condition=Q(status="open"), name="one_open_session_per_drawer"
            ),
        ]
        # a day's drawers (supervisor home, dashboards' roll-up) read a date range of the whole table
        indexes = [models.Index(fields=["business_date"], name="drawer_session_business_date")]
        permissions = [
            ("signoff_drawersession", "Can sign off a drawer that is over or short"),
            ("view_all_sessions", "Can see every cashier's sessions"),
        ]

    def __str__(self) -> str:
        return f"{self.drawer.code} {self.business_date} {self.cashier}"
