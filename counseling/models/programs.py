from django.conf import settings
from django.db import models
from django.db.models import Q


class ProgramKind(models.TextChoices):
    LOW_INCOME = "low_income", "Low-income discount"
    SENIOR = "senior", "Limited-income senior rate"


class ProgramEnrollment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired (not recertified)"
        ENDED = "ended", "Ended"

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="enrollments")
    program = models.CharField(max_length=12, choices=ProgramKind.choices)
    certified_on = models.DateField()
    recert_due = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    reminder_sent_on = models.DateField(null=True, blank=True)
    interview = models.ForeignKey(
        "counseling.HardshipInterview", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counselor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "program"],
                condition=Q(status="active"),
                name="one_active_enrollment_per_program",
            )
        ]
        indexes = [
            models.Index(fields=["recert_due"], condition=Q(status="active"), name="enrollment_recert_due")
        ]

    def __str__(self) -> str:
        return f"{self.get_program_display()} until {self.recert_due}"
