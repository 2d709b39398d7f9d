"""Policy decisions applied to an account, stored the way a shutoff decision is.

Every app that applies a business rule (arrangement eligibility and terms, NSF fee and cash-only
status, late fee, deposit, reconnection fee, write-off, program eligibility) records here what the
engine decided, under which policy version, and every rule it checked. Staff read them on the
account's *Policy decisions* page beside the shutoff decisions; an auditor can answer "why was
this fee charged" from the row alone, even after the policy has changed."""

from django.conf import settings
from django.db import models

from common.money import MoneyField


class DecisionKind(models.TextChoices):
    ARRANGEMENT = "arrangement", "Payment arrangement"
    NSF = "nsf", "Returned payment (NSF)"
    LATE_FEE = "late_fee", "Late fee"
    DEPOSIT = "deposit", "Security deposit"
    RECONNECT_FEE = "reconnect_fee", "Reconnection fee"
    WRITE_OFF = "write_off", "Write-off"
    PROGRAM = "program", "Assistance program eligibility"


class DecisionOutcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"  # eligible; the action may proceed
    REFUSED = "refused", "Refused"  # not eligible under the policy
    CHARGED = "charged", "Charged"  # a fee or deposit was applied at this amount
    WAIVED = "waived", "Waived"  # the policy computes no charge (cap, exemption, low income)


class PolicyDecision(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="policy_decisions")
    kind = models.CharField(max_length=16, choices=DecisionKind.choices)
    outcome = models.CharField(max_length=8, choices=DecisionOutcome.choices)
    amount = MoneyField(null=True, blank=True, help_text="the fee, deposit or plan amount decided, if any")
    reason = models.TextField(help_text="the deciding rule's plain-language reason, with the numbers used")
    citation = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=40, help_text="the deciding rule's code")
    checks = models.JSONField(
        default=list, blank=True, help_text="every rule checked: code, outcome, reason, citation, preset"
    )
    # What was decided about, e.g. "arrangement:12", "payment:55", "order:7": a label, not a key,
    # so a decision outlives whatever it was about and any app can record one.
    subject = models.CharField(max_length=40, blank=True)
    as_of = models.DateField()
    policy_version = models.ForeignKey("policy.PolicyVersion", on_delete=models.PROTECT, related_name="+")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-made_at"], name="policydecision_account_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_outcome_display()} ({self.subject})"
