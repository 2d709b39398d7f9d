from django.conf import settings
from django.db import models


class LetterKind(models.TextChoices):
    REFERRAL = "referral", "Agency referral"
    AGREEMENT = "agreement", "Payment arrangement agreement"
    INSTALLMENT_REMINDER = "installment_reminder", "Missed installment reminder"
    ARRANGEMENT_BROKEN = "arrangement_broken", "Arrangement broken"
    PLEDGE_EXPIRED = "pledge_expired", "Assistance pledge expired"
    RECERT_REMINDER = "recert_reminder", "Program recertification reminder"
    ENROLLMENT_EXPIRED = "enrollment_expired", "Program enrollment ended"


class Letter(models.Model):
    """A letter to a customer, rendered to PDF when printed. Batch runs queue them here; the
    mail room prints the queue (`printed_at` marks what went out)."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=24, choices=LetterKind.choices)
    subject_id = models.BigIntegerField(
        help_text="the arrangement, pledge, referral or enrollment it is about"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    printed_at = models.DateTimeField(null=True, blank=True)
    # the batch that wrote it, so a re-run of the same night never queues it twice
    dedupe_key = models.CharField(max_length=100, unique=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-created_at"], name="letter_account")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.account_id}"
