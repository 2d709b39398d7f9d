from django.conf import settings
from django.db import models

from common.money import MoneyField


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", "Past-due reminder"
    SHUTOFF = "shutoff", "Shutoff notice"
    FINAL = "final", "Final (48-hour) notice"
    OCCUPANT = "occupant", "Occupant notice (landlord-owned premise)"
    POSTED = "posted", "Notice posted at the premise"


class NoticeMethod(models.TextChoices):
    MAIL = "mail", "First-class mail"
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    POSTED = "posted", "Posted at the premise"
    IN_PERSON = "in_person", "Handed in person"
    THIRD_PARTY = "third_party", "Designated third party"


class NoticeBatch(models.Model):
    """Notices generated together, printed as one PDF; marking it sent starts the clocks."""

    kind = models.CharField(max_length=10, choices=NoticeKind.choices)
    business_date = models.DateField()
    method = models.CharField(max_length=12, choices=NoticeMethod.choices, default=NoticeMethod.MAIL)
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_on = models.DateField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "business_date"], name="noticebatch_once_per_day")
        ]
        ordering = ["-business_date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} batch {self.business_date:%Y-%m-%d}"


class Notice(models.Model):
    """One notice to one account. `sent_on` + `method` are what the engine's clocks read."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="notices")
    batch = models.ForeignKey(
        NoticeBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(max_length=10, choices=NoticeKind.choices)
    method = models.CharField(max_length=12, choices=NoticeMethod.choices, default=NoticeMethod.MAIL)
    addressee = models.CharField(max_length=160, help_text='customer name, or "Occupant"')
    address = models.TextField(blank=True, help_text="where it was sent or posted, as printed")
    amount_due = MoneyField(default=0)
    pay_by = models.DateField(null=True, blank=True)
    earliest_action = models.DateField(null=True, blank=True, help_text="disconnection not before this date")
    fee_amount = MoneyField(default=0)
    reason = models.TextField(blank=True, help_text="why the policy calls for this notice now")
    citation = models.CharField(max_length=200, blank=True, help_text="the rule the notice satisfies")
    sent_on = models.DateField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "-sent_on"], name="notice_account"),
            # a day's figures (supervisor home, dashboards' roll-up) read a date range of the whole table
            models.Index(fields=["sent_on"], name="notice_sent_on"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.account_id}"
