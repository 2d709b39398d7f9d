from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.money import MoneyField


class TenderKind(models.TextChoices):
    # translatable: the customer's receipt names the tender in the customer's language
    CASH = "cash", _("Cash")
    CHECK = "check", _("Check")
    CARD = "card", _("Card")
    MONEY_ORDER = "money_order", _("Money order")
    CASHIERS_CHECK = "cashiers_check", _("Cashier's check")
    LOCKBOX = "lockbox", _("Lockbox")
    AGENCY = "agency", _("Agency payment")
    ELECTRONIC = "electronic", _("Electronic (IVR / web)")


# Personal checks, at the counter or mailed to the lockbox: what a cash-only (certified funds)
# account may no longer pay with. Agency checks are the agency's, not the customer's.
PERSONAL_CHECK_TENDERS = {TenderKind.CHECK, TenderKind.LOCKBOX}


class CounterTransaction(models.Model):
    """What one customer handed over at once: tenders on one side, payments to accounts on the other."""

    session = models.ForeignKey(
        "payments.DrawerSession", null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    receipt_number = models.CharField(max_length=20, unique=True)
    # Scoped to the caller for keys a caller chooses (`txn:u<user id>:<key>`), so one caller's key
    # never answers with another's receipt; system keys (files, remittances) are shared.
    idempotency_key = models.CharField(max_length=100, unique=True)
    request_hash = models.CharField(
        max_length=64, blank=True, help_text="sha256 of the request the key was first used for."
    )
    total = MoneyField()
    change_due = MoneyField(default=0)
    payer_name = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    business_date = models.DateField()
    receipt_prints = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return self.receipt_number


class Tender(models.Model):
    transaction = models.ForeignKey(CounterTransaction, on_delete=models.PROTECT, related_name="tenders")
    kind = models.CharField(max_length=16, choices=TenderKind.choices)
    amount = MoneyField(help_text="Amount applied (for cash, net of change).")
    tendered = MoneyField(help_text="Amount handed over (cash may exceed what is applied).")
    check_number = models.CharField(max_length=20, blank=True)
    bank_name = models.CharField(max_length=60, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    auth_code = models.CharField(max_length=12, blank=True)
    reference = models.CharField(max_length=40, blank=True, help_text="Money order / cashier's check number")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="tender_amount_positive"),
            models.CheckConstraint(
                condition=Q(card_last4="") | Q(card_last4__regex=r"^\d{4}$"), name="tender_card_last4_only"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class PaymentStatus(models.TextChoices):
    POSTED = "posted", "Posted"
    VOIDED = "voided", "Voided"
    RETURNED = "returned", "Returned (NSF)"
    VOID_PENDING = "void_pending", "Void awaiting approval"
    # A returned tender paid part of this line (a split tender): the rest stands.
    PART_RETURNED = "part_returned", "Partly returned (NSF)"

    @classmethod
    def returnable(cls) -> tuple[str, ...]:
        """States a payment may be in for a tender that paid it to come back from the bank."""
        return (cls.POSTED, cls.PART_RETURNED)


class Payment(models.Model):
    """Money applied to one account. Its distribution across funds is stored, so drawer totals,
    deposits and the GL export add up to the cent."""

    transaction = models.ForeignKey(CounterTransaction, on_delete=models.PROTECT, related_name="payments")
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="payments")
    amount = MoneyField()
    status = models.CharField(max_length=14, choices=PaymentStatus.choices, default=PaymentStatus.POSTED)
    tender_kind = models.CharField(
        max_length=16,
        choices=TenderKind.choices,
        help_text="The main tender (the largest) of the transaction.",
    )
    is_recovery = models.BooleanField(default=False, help_text="Paid on a written-off account.")
    returned_amount = MoneyField(
        default=0, help_text="Reversed by returned tenders (NSF); equals the amount once fully returned."
    )
    business_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    # When the payer's money arrived, as the API caller or the lockbox file states it; null: when
    # posted (created_at). Due-date cutoffs read its local time of day (TX 5 p.m., 16 TAC 24.165(b)).
    received_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    void_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["account", "-created_at"], name="payment_account"),
            models.Index(fields=["business_date"], name="payment_business_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(returned_amount__gte=0, returned_amount__lte=models.F("amount")),
                name="payment_returned_within_amount",
            ),
        ]
        permissions = [
            ("void_any_payment", "Can void after close or another cashier's payment"),
            ("return_payment", "Can record a returned (NSF) payment"),
            ("import_payment_file", "Can import lockbox and agency payment files"),
            ("export_gl", "Can export the GL journal"),
        ]

    def __str__(self) -> str:
        return f"{self.transaction.receipt_number}/{self.account_id} {self.amount}"


class PaymentDistribution(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="distribution")
    fund = models.ForeignKey("accounts.Fund", on_delete=models.PROTECT, related_name="+")
    amount = MoneyField()
    entry = models.OneToOneField("accounts.LedgerEntry", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.fund_id}: {self.amount}"


class TenderAllocation(models.Model):
    """How much of one tender paid one distribution row (a fund of one account line).

    Sum invariants: a tender's allocations add up to `Tender.amount`; a distribution row's add up
    to `PaymentDistribution.amount`. Posting splits each distribution row per tender (one ledger
    entry each), so for receipts posted since then an allocation covers its whole row; receipts
    posted before were allocated by migration with the same rule (`payments.allocation`)."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="allocations")
    distribution = models.ForeignKey(
        PaymentDistribution, on_delete=models.PROTECT, related_name="allocations"
    )
    amount = MoneyField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.UniqueConstraint(fields=["tender", "distribution"], name="allocation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.tender_id} -> {self.distribution_id}: {self.amount}"


class ReturnedItem(models.Model):
    """A tender the bank returned (NSF, closed account, stop payment...): one per tender. It
    reversed exactly that tender's allocations, on every account line it paid (`lines`), and
    charged one fee to `fee_account`."""

    tender = models.OneToOneField(
        Tender,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returned",
        help_text="Empty only for a few returns recorded before returns belonged to a tender.",
    )
    amount = MoneyField(help_text="What this return reversed, over every account line.")
    returned_on = models.DateField()
    reason = models.CharField(max_length=60)
    fee = MoneyField(default=0)
    fee_account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="+", help_text="Charged the one fee."
    )
    fee_entry = models.OneToOneField(
        "accounts.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nth_in_window = models.PositiveSmallIntegerField(default=1, help_text="For the fee account.")
    cash_only_until = models.DateField(null=True, blank=True, help_text="For the fee account.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        # a day's returns (supervisor home, dashboards' roll-up) read a date range of the whole table
        indexes = [models.Index(fields=["returned_on"], name="returned_item_returned_on")]

    def __str__(self) -> str:
        return f"Returned {self.tender or self.pk} {self.amount}"


class ReturnedLine(models.Model):
    """What one return took back from one account line; NSF history per account reads these."""

    item = models.ForeignKey(ReturnedItem, on_delete=models.PROTECT, related_name="lines")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="return_lines")
    amount = MoneyField()
    nth_in_window = models.PositiveSmallIntegerField(default=1)
    cash_only_until = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="returned_line_amount_positive"),
            models.UniqueConstraint(fields=["item", "payment"], name="returned_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.payment_id} {self.amount}"
