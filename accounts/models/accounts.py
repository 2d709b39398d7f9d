from django.db import models

from common.money import MoneyField


class AccountClass(models.TextChoices):
    RESIDENTIAL = "residential", "Residential"
    COMMERCIAL = "commercial", "Commercial"
    MULTI_UNIT = "multi_unit", "Multi-unit"


class AccountStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    FINAL = "final", "Final billed"
    CLOSED = "closed", "Closed"


class Occupancy(models.TextChoices):
    TENANT = "tenant", "Tenant"
    OWNER = "owner", "Owner"


class CreditRating(models.TextChoices):
    GOOD = "good", "Good"
    FAIR = "fair", "Fair"
    POOR = "poor", "Poor"
    NEW = "new", "No history"


class Account(models.Model):
    """A customer's billing account at a premise. `balance` is the sum of its ledger entries,
    maintained in the same transaction as every entry under a row lock on this row."""

    number = models.CharField(max_length=12, unique=True)
    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="accounts")
    premise = models.ForeignKey("accounts.Premise", on_delete=models.PROTECT, related_name="accounts")
    account_class = models.CharField(
        max_length=12, choices=AccountClass.choices, default=AccountClass.RESIDENTIAL
    )
    status = models.CharField(max_length=8, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    bill_cycle = models.PositiveSmallIntegerField(default=1)
    due_day = models.PositiveSmallIntegerField(
        "due day of month",
        null=True,
        blank=True,
        help_text="Preferred due day; empty follows the bill cycle.",
    )
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    final_bill_requested_on = models.DateField(null=True, blank=True)
    occupancy = models.CharField(max_length=8, choices=Occupancy.choices, default=Occupancy.TENANT)
    cash_only_until = models.DateField(null=True, blank=True)
    credit_rating = models.CharField(max_length=6, choices=CreditRating.choices, default=CreditRating.NEW)
    balance = MoneyField(default=0)

    class Meta:
        indexes = [models.Index(fields=["customer"]), models.Index(fields=["premise"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(bill_cycle__gte=1, bill_cycle__lte=31), name="account_bill_cycle"
            ),
            models.CheckConstraint(
                condition=models.Q(due_day__isnull=True) | models.Q(due_day__gte=1, due_day__lte=28),
                name="account_due_day",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Utility(models.TextChoices):
    WATER = "water", "Water"
    SEWER = "sewer", "Sewer"
    SOLID_WASTE = "solid_waste", "Solid waste"
    ELECTRIC = "electric", "Electric"
    GAS = "gas", "Gas"
    STORMWATER = "stormwater", "Stormwater"
    IRRIGATION = "irrigation", "Irrigation"
    HYDRANT = "hydrant", "Hydrant"
    FIRE_SERVICE = "fire_service", "Fire service"


class ServiceStatus(models.TextChoices):
    CONNECTED = "connected", "Connected"
    DISCONNECTED = "disconnected", "Disconnected"
    LOW_FLOW = "low_flow", "Low-flow device"
    FINAL = "final", "Final"


class Service(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="services")
    utility = models.CharField(max_length=12, choices=Utility.choices)
    status = models.CharField(max_length=12, choices=ServiceStatus.choices, default=ServiceStatus.CONNECTED)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    meter_number = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [
            # one live service per utility per account; a stopped one stays as history
            models.UniqueConstraint(
                fields=["account", "utility"],
                condition=models.Q(ended_on__isnull=True),
                name="service_one_live_per_utility",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_utility_display()} ({self.get_status_display()})"
