from django.conf import settings
from django.db import models
from django.db.models import F, Q

from common.money import MoneyField

from .accounts import Utility


class FundKind(models.TextChoices):
    UTILITY = "utility", "Utility service"
    FEE = "fee", "Fees"
    DEPOSIT = "deposit", "Deposits held"
    OTHER = "other", "Other"


class Fund(models.Model):
    """A general-ledger fund. `priority` orders how a payment settles charges due the same day."""

    code = models.CharField(max_length=12, unique=True)
    gl_code = models.CharField("GL fund code", max_length=20)
    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=8, choices=FundKind.choices, default=FundKind.UTILITY)
    utility = models.CharField(max_length=12, choices=Utility.choices, blank=True)
    priority = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ReasonCode(models.Model):
    class Kind(models.TextChoices):
        ADJUSTMENT = "adjustment", "Adjustment"
        CONTACT = "contact", "Contact"
        TRANSFER = "transfer", "Payment transfer"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    code = models.CharField(max_length=20)
    label = models.CharField(max_length=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "label"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="reasoncode_unique")]

    def __str__(self) -> str:
        return self.label


class BillImport(models.Model):
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    bills_created = models.PositiveIntegerField(default=0)
    bills_skipped = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"


class Bill(models.Model):
    """A bill from the billing engine. Its lines are the ledger's charge entries (one per fund)."""

    number = models.CharField(max_length=20, unique=True)
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="bills")
    period_start = models.DateField()
    period_end = models.DateField()
    bill_date = models.DateField()
    due_date = models.DateField()
    total = MoneyField()
    is_final = models.BooleanField(default=False)
    bill_import = models.ForeignKey(
        BillImport, null=True, blank=True, on_delete=models.PROTECT, related_name="bills", db_index=False
    )

    class Meta:
        indexes = [
            models.Index(fields=["account", "-bill_date"], name="bill_account_date"),
            # The nightly late fees read every bill due from yesterday on (the open cycle, ~3% of
            # the table): an index-only range scan of this instead of reading the whole table.
            models.Index(
                fields=["due_date"],
                include=["id", "bill_date", "account", "total", "number"],
                name="bill_due_covering",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__gte=F("bill_date")), name="bill_due_after_bill_date"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="bill_period_order"),
        ]

    def __str__(self) -> str:
        return self.number


class EntryKind(models.TextChoices):
    CHARGE = "charge", "Bill charge"
    PAYMENT = "payment", "Payment"
    PAYMENT_REVERSAL = "payment_reversal", "Payment reversal"
    ADJUSTMENT = "adjustment", "Adjustment"
    LATE_FEE = "late_fee", "Late fee"
    FEE = "fee", "Other fee"
    DEPOSIT_BILLED = "deposit_billed", "Deposit billed"
    DEPOSIT_APPLIED = "deposit_applied", "Deposit applied"
    DEPOSIT_REFUNDED = "deposit_refunded", "Deposit refunded"
    INTEREST = "interest", "Interest"
    WRITE_OFF = "write_off", "Write-off"
    TRANSFER = "transfer", "Transfer"
    REFUND = "refund", "Refund"
    REVERSAL = "reversal", "Correction (reversal)"


# Kinds whose sign is fixed (an original entry, not a reversal): + raises what is owed.
DEBIT_KINDS = {
    EntryKind.CHARGE,
    EntryKind.LATE_FEE,
    EntryKind.FEE,
    EntryKind.DEPOSIT_BILLED,
    EntryKind.INTEREST,
    EntryKind.REFUND,
    EntryKind.PAYMENT_REVERSAL,
}
CREDIT_KINDS = {EntryKind.PAYMENT, EntryKind.WRITE_OFF}


class LedgerEntry(models.Model):
    """One money movement on one account and one fund. Append-only: the database refuses UPDATE
    and DELETE; a correction is a new entry with `reversal_of` set and the opposite amount.

    `is_debit` says which side of the account the entry sits on for aging: charges (and
    reversals of charges) are debits aged by `due_date`; payments and other credits (and their
    reversals) form the pool that settles the oldest debits first.
    """

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    amount = MoneyField()
    is_debit = models.BooleanField()
    effective_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    bill = models.ForeignKey(
        Bill, null=True, blank=True, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    reference = models.CharField(max_length=60, blank=True)
    reversal_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Null only for history bulk-loaded by the demo generator; every service write sets one.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 (partial unique)

    class Meta:
        verbose_name_plural = "ledger entries"
        permissions = [("transfer_payment", "Can move a misapplied payment to another account")]
        indexes = [
            # An account's entries in date order, carrying what the nightly reads of them (the
            # shutoff prefilter's sums, the facts' open-items replay): those reads are index-only,
            # an account's entries a few adjacent index pages instead of one heap page each.
            models.Index(
                fields=["account", "effective_date", "id"],
                include=("due_date", "amount", "is_debit", "fund", "kind"),
                name="ledger_account_covering",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_nonzero"),
            models.CheckConstraint(
                condition=Q(reversal_of__isnull=False) | Q(is_debit=Q(amount__gt=0)),
                name="ledger_side_matches_sign",
            ),
            models.CheckConstraint(
                condition=Q(reversal_of__isnull=False) | ~Q(kind__in=sorted(DEBIT_KINDS)) | Q(amount__gt=0),
                name="ledger_debit_kinds_positive",
            ),
            models.CheckConstraint(
                condition=Q(reversal_of__isnull=False) | ~Q(kind__in=sorted(CREDIT_KINDS)) | Q(amount__lt=0),
                name="ledger_credit_kinds_negative",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="ledger_idempotency_key",
            ),
            # an entry is reversed at most once
            models.UniqueConstraint(
                fields=["reversal_of"], condition=Q(reversal_of__isnull=False), name="ledger_reversed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} on {self.effective_date}"


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", "Awaiting supervisor approval"
    POSTED = "posted", "Posted"
    REJECTED = "rejected", "Rejected"


class Adjustment(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="adjustments")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    amount = MoneyField(help_text="Negative credits the customer; positive adds a charge.")
    reason = models.ForeignKey(ReasonCode, on_delete=models.PROTECT, related_name="+")
    note = models.TextField()
    status = models.CharField(max_length=10, choices=AdjustmentStatus.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    entry = models.OneToOneField(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        indexes = [models.Index(fields=["status"], condition=Q(status="pending"), name="adjustment_pending")]
        permissions = [("approve_adjustment", "Can approve adjustments above the limit")]

    def __str__(self) -> str:
        return f"Adjustment {self.amount} on {self.account_id}"


class LedgerCheckRun(models.Model):
    """The nightly proof that every account's balance equals the sum of its entries."""

    business_date = models.DateField(unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    accounts_checked = models.PositiveIntegerField(default=0)
    discrepancies = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Ledger check {self.business_date}"


class LedgerDiscrepancy(models.Model):
    run = models.ForeignKey(LedgerCheckRun, on_delete=models.CASCADE, related_name="found")
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    stored_balance = MoneyField()
    ledger_sum = MoneyField()

    def __str__(self) -> str:
        return f"{self.account_id}: {self.stored_balance} vs {self.ledger_sum}"
