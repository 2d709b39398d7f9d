"""Standard letters administrators keep, and the letters staff adapted and sent from them.

A standard letter is versioned: an edit in the admin adds a version and never changes the row a
sent letter points at. A sent letter keeps its final text, so a reprint years later is the letter
the customer received, whatever the standard says by then.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class LetterKind(models.TextChoices):
    REFERRAL = "referral", "Referral to an assistance agency"
    ARRANGEMENT = "arrangement", "Payment arrangement"
    ARRANGEMENT_BROKEN = "arrangement_broken", "Broken arrangement"
    RETURNED_PAYMENT = "returned_payment", "Returned payment"
    REMINDER = "reminder", "Past-due reminder"
    DISCONNECTION = "disconnection", "Disconnection notice"
    DEPOSIT = "deposit", "Security deposit"
    CREDIT_REFERENCE = "credit_reference", "Credit reference"


class LetterLanguage(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


class StandardLetter(models.Model):
    """One version of one standard letter in one language. Rows are never changed or deleted."""

    kind = models.CharField(max_length=24, choices=LetterKind.choices)
    language = models.CharField(max_length=8, choices=LetterLanguage.choices, default=LetterLanguage.ENGLISH)
    version = models.PositiveIntegerField(default=1, editable=False)
    title = models.CharField(max_length=200, help_text="The heading printed on the letter.")
    body = models.TextField(
        help_text="Paragraphs separated by a blank line. Placeholders in braces, e.g. {customer_name}, "
        "{account_number}, {balance}, {past_due}, {today}, {phone}: the list is under the form."
    )
    required_paragraphs = models.TextField(
        blank=True,
        help_text="Paragraphs of the body that staff may not remove or change (regulatory content), "
        "copied here word for word, separated by a blank line.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["kind", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language", "version"], name="standardletter_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language}) v{self.version}"


class SentLetter(models.Model):
    """A letter printed for one customer: the final text as printed, and the standard it came
    from. Append-only: a reprint prints this row again."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="sent_letters")
    standard = models.ForeignKey(StandardLetter, on_delete=models.PROTECT, related_name="sent")
    language = models.CharField(max_length=8, choices=LetterLanguage.choices)
    title = models.CharField(max_length=200)
    text = models.TextField()
    adapted = models.BooleanField(default=False, help_text="Staff changed the standard text.")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    idempotency_key = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["account", "-sent_at"], name="sentletter_account_idx")]

    def __str__(self) -> str:
        return f"{self.title} to {self.account_id} on {self.sent_at:%Y-%m-%d}"
