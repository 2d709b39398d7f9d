from django.conf import settings
from django.db import models
from django.db.models import Q


class ContactChannel(models.TextChoices):
    CALL = "call", "Phone call"
    VISIT = "visit", "Office visit"
    EMAIL = "email", "E-mail"
    LETTER = "letter", "Letter"


class ContactOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    INFO_GIVEN = "info_given", "Information given"
    PROMISE_TO_PAY = "promise_to_pay", "Promise to pay"
    REFERRED = "referred", "Referred"
    CALLBACK = "callback", "Call back needed"
    NO_ANSWER = "no_answer", "No answer / message left"
    ESCALATED = "escalated", "Escalated"


class Contact(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(max_length=8, choices=ContactChannel.choices)
    inbound = models.BooleanField(default=True, help_text="The customer reached us (not we them).")
    reason = models.ForeignKey("accounts.ReasonCode", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=16, choices=ContactOutcome.choices)
    note = models.TextField(blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    follow_up_done_at = models.DateTimeField(null=True, blank=True)
    escalated = models.BooleanField(default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "-created_at"], name="contact_account"),
            # a day's figures (supervisor home, dashboards' roll-up) read a date range of the whole table
            models.Index(fields=["created_at"], name="contact_created"),
            models.Index(
                fields=["assigned_to", "follow_up_on"],
                name="contact_followups_open",
                condition=Q(follow_up_on__isnull=False, follow_up_done_at__isnull=True),
            ),
        ]
        permissions = [("close_any_follow_up", "Can mark anyone's follow-up done")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} on {self.created_at:%Y-%m-%d}"

    @property
    def follow_up_owner_id(self) -> int:
        """Whose follow-up this is: its assignee, or the contact's author when nobody is assigned."""
        return self.assigned_to_id or self.created_by_id
