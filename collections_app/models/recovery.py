from django.conf import settings
from django.db import models

from common.money import MoneyField


class WriteOffKind(models.TextChoices):
    SMALL_BALANCE = "small_balance", "Small balance (automatic)"
    UNCOLLECTIBLE = "uncollectible", "Uncollectible"
    BANKRUPTCY = "bankruptcy", "Bankruptcy discharge"


class WriteOffStatus(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    POSTED = "posted", "Posted"
    REJECTED = "rejected", "Rejected"


class WriteOff(models.Model):
    """A write-off of an account's balance. Posted as write_off ledger entries; money received
    later is a recovery (recovered_amount) and the account stays on record for re-application."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="write_offs")
    kind = models.CharField(max_length=14, choices=WriteOffKind.choices)
    status = models.CharField(max_length=10, choices=WriteOffStatus.choices, default=WriteOffStatus.PENDING)
    amount = MoneyField()
    criteria = models.CharField(
        max_length=40, blank=True, help_text="e.g. debtor_not_found, deceased_no_estate"
    )
    reason = models.TextField()
    evidence = models.JSONField(
        default=dict,
        blank=True,
        help_text="the document seen (deceased) and the policy's rules checked at request and approval",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    recovered_amount = MoneyField(default=0)
    posted_on = models.DateField(null=True, blank=True)
    batch = models.ForeignKey(
        "collections_app.BatchRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "-requested_at"], name="writeoff_account"),
            models.Index(fields=["status"], condition=models.Q(status="pending"), name="writeoff_pending"),
        ]
        permissions = [("approve_writeoff", "Can approve write-offs of uncollectible balances")]

    def __str__(self) -> str:
        return f"Write-off ${self.amount} ({self.get_status_display()})"


class WriteOffRecovery(models.Model):
    """Money received on a written-off account: the part of one payment that re-established and
    paid written-off debt (ledger entries keyed `wo-recovery:<payment id>`). A returned payment
    reverses it and the write-off stands again."""

    write_off = models.ForeignKey(WriteOff, on_delete=models.PROTECT, related_name="recoveries")
    payment = models.ForeignKey("payments.Payment", on_delete=models.PROTECT, related_name="+")
    amount = MoneyField()
    recovered_on = models.DateField()
    reversed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            # once per payment while it stands: when a returned check was only part of the
            # payment, the recovery is undone and made again from the part that stands
            models.UniqueConstraint(
                fields=["write_off", "payment"],
                condition=models.Q(reversed=False),
                name="writeoffrecovery_once_standing",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="writeoffrecovery_positive"),
        ]

    def __str__(self) -> str:
        return f"Recovery ${self.amount} of write-off {self.write_off_id}"


class CollectionAgency(models.Model):
    name = models.CharField(max_length=120, unique=True)
    contact = models.CharField(max_length=200, blank=True)
    fee_pct = models.DecimalField(
        max_digits=5, decimal_places=4, null=True, blank=True, help_text="empty: the policy's collection fee"
    )
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "collection agencies"

    def __str__(self) -> str:
        return self.name


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", "At the agency"
    RECALLED = "recalled", "Recalled"
    PAID = "paid", "Paid in full"
    WRITTEN_OFF = "written_off", "Written off"


class AgencyReferral(models.Model):
    """A final-billed account placed with a collection agency: principal, fee added at referral,
    monthly interest from the referral date, payments the agency reports, recall."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="agency_referrals")
    agency = models.ForeignKey(CollectionAgency, on_delete=models.PROTECT, related_name="referrals")
    batch = models.ForeignKey(
        "collections_app.BatchRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referred_on = models.DateField()
    principal = MoneyField()
    fee_amount = MoneyField(default=0)
    interest_amount = MoneyField(default=0)
    interest_through = models.DateField(null=True, blank=True)
    collected_amount = MoneyField(default=0)
    status = models.CharField(max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED)
    recalled_on = models.DateField(null=True, blank=True)
    recall_reason = models.TextField(blank=True)
    paid_on = models.DateField(null=True, blank=True)
    agency_ref = models.CharField(max_length=40, blank=True, help_text="the agency's own reference")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(status="referred"), name="referral_one_open"
            )
        ]
        indexes = [models.Index(fields=["status", "referred_on"], name="referral_status")]

    def __str__(self) -> str:
        return f"{self.agency} {self.referred_on:%Y-%m-%d}"


class AgencyRemittance(models.Model):
    """One remittance file from a collection agency, imported all-or-nothing."""

    agency = models.ForeignKey(CollectionAgency, on_delete=models.PROTECT, related_name="remittances")
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    lines = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    commission = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    def __str__(self) -> str:
        return self.file_name


class AgencyRemittanceLine(models.Model):
    """A payment the agency collected: `amount` is what the customer paid (credited to the
    account); `commission` is the agency's share kept out of it (remitted = amount - commission)."""

    remittance = models.ForeignKey(AgencyRemittance, on_delete=models.PROTECT, related_name="file_lines")
    line_number = models.PositiveIntegerField()
    referral = models.ForeignKey(AgencyReferral, on_delete=models.PROTECT, related_name="remittances")
    payment = models.OneToOneField("payments.Payment", on_delete=models.PROTECT, related_name="+")
    amount = MoneyField()
    commission = MoneyField(default=0)
    paid_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.remittance_id}:{self.line_number}"


class BankruptcyStatus(models.TextChoices):
    OPEN = "open", "Open"
    DISCHARGED = "discharged", "Discharged"
    DISMISSED = "dismissed", "Dismissed"


class BankruptcyCase(models.Model):
    """11 U.S.C. 366: the pre-petition balance is frozen (no dunning, no fees); post-petition
    service may be disconnected only if adequate assurance is not furnished by the deadline."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="bankruptcies")
    chapter = models.PositiveSmallIntegerField(
        choices=[(7, "Chapter 7"), (11, "Chapter 11"), (12, "Chapter 12"), (13, "Chapter 13")]
    )
    case_number = models.CharField(max_length=40)
    court = models.CharField(max_length=120, blank=True)
    petition_date = models.DateField()
    order_for_relief_date = models.DateField(null=True, blank=True)
    pre_petition_balance = MoneyField(default=0)
    assurance_deadline = models.DateField()
    assurance_amount = MoneyField(default=0)
    assurance_received_on = models.DateField(null=True, blank=True)
    assurance_form = models.CharField(
        max_length=40, blank=True, help_text="cash deposit, letter of credit ..."
    )
    deadline_reason = models.TextField(blank=True, help_text="the engine's explanation and citation")
    deposit_setoff = MoneyField(default=0)
    status = models.CharField(max_length=10, choices=BankruptcyStatus.choices, default=BankruptcyStatus.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    close_note = models.TextField(blank=True)
    write_off = models.OneToOneField(
        WriteOff, null=True, blank=True, on_delete=models.PROTECT, related_name="bankruptcy"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(status="open"), name="bankruptcy_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"Ch. {self.chapter} {self.case_number}"


class SmallClaimStatus(models.TextChoices):
    FILED = "filed", "Filed"
    HEARING_SET = "hearing_set", "Hearing set"
    JUDGMENT = "judgment", "Judgment entered"
    SATISFIED = "satisfied", "Satisfied"
    DISMISSED = "dismissed", "Dismissed"


class SmallClaim(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="small_claims")
    court = models.CharField(max_length=120)
    case_number = models.CharField(max_length=40, blank=True)
    filed_on = models.DateField()
    claim_amount = MoneyField()
    filing_fee = MoneyField(default=0)
    hearing_on = models.DateField(null=True, blank=True)
    judgment_on = models.DateField(null=True, blank=True)
    judgment_amount = MoneyField(null=True, blank=True)
    satisfied_on = models.DateField(null=True, blank=True)
    dismissed_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=SmallClaimStatus.choices, default=SmallClaimStatus.FILED)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Small claim {self.case_number or self.pk}"


class CreditReferenceLetter(models.Model):
    """A payment-history letter for a customer moving to another utility."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="credit_letters")
    addressed_to = models.CharField(max_length=160)
    months_covered = models.PositiveSmallIntegerField(default=24)
    summary = models.JSONField(default=dict)
    issued_on = models.DateField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Credit reference {self.issued_on:%Y-%m-%d}"
