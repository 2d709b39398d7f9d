from django.conf import settings
from django.db import models

from common.money import MoneyField


class DepositStatus(models.TextChoices):
    PREPARED = "prepared", "Prepared"
    SENT = "sent", "Sent to bank"
    CONFIRMED = "confirmed", "Confirmed by bank"


class BankDeposit(models.Model):
    number = models.CharField(max_length=20, unique=True)
    status = models.CharField(max_length=10, choices=DepositStatus.choices, default=DepositStatus.PREPARED)
    cash = MoneyField(default=0)
    checks = MoneyField(default=0)
    check_count = models.PositiveIntegerField(default=0)
    other = MoneyField(default=0)
    total = MoneyField(default=0)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    bank_reference = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return self.number
