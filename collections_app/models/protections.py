from django.conf import settings
from django.db import models


class MedicalCertificate(models.Model):
    """A medical certification that disconnection would endanger a resident."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="medical_certificates"
    )
    received_on = models.DateField()
    valid_until = models.DateField(null=True, blank=True, help_text="empty: the policy's validity period")
    certifier = models.CharField("certifying practitioner", max_length=120)
    renewal = models.PositiveSmallIntegerField(default=0, help_text="0 = first certificate for these arrears")
    financially_unable = models.BooleanField(default=False)
    willing_to_plan = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-received_on"], name="medcert_account")]

    def __str__(self) -> str:
        return f"Medical certificate {self.received_on:%Y-%m-%d}"


class Appeal(models.Model):
    """An appeal, dispute or complaint investigation; an open one holds disconnection."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="appeals")
    opened_on = models.DateField()
    subject = models.CharField(max_length=200)
    resolved_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["account"], condition=models.Q(resolved_on__isnull=True), name="appeal_open")
        ]

    def __str__(self) -> str:
        return f"Appeal {self.opened_on:%Y-%m-%d}: {self.subject}"


class ContactAttempt(models.Model):
    """A personal contact attempt before disconnection (phone call, visit)."""

    class Method(models.TextChoices):
        PHONE = "phone", "Phone"
        VISIT = "visit", "Premise visit"
        EMAIL = "email", "E-mail"
        THIRD_PARTY = "third_party", "Designated third party"

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="contact_attempts")
    at = models.DateTimeField()
    method = models.CharField(max_length=12, choices=Method.choices)
    reached = models.BooleanField(default=False, help_text="an adult at the household was reached")
    note = models.TextField(blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["account", "-at"], name="contactattempt_account")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.at:%Y-%m-%d}"
