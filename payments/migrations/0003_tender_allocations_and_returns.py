"""Returned items belong to a tender.

1. Store which tender paid which distribution row (`TenderAllocation`) for every receipt already
   posted, by the same rule posting now uses (`payments.allocation`: non-cash tenders first in
   entry order, cash last; accounts in id order, each account's distribution in its order).
2. A returned item names its tender, its amount and the account charged its fee; what it took
   back from each account line moves to `ReturnedLine` (the old returns are converted in 0004).
"""

from collections import defaultdict
from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

from payments.allocation import allocate

CHUNK = 2000


def allocations_forwards(apps, schema_editor):
    CounterTransaction = apps.get_model("payments", "CounterTransaction")
    Tender = apps.get_model("payments", "Tender")
    PaymentDistribution = apps.get_model("payments", "PaymentDistribution")
    TenderAllocation = apps.get_model("payments", "TenderAllocation")
    ids = list(CounterTransaction.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        tenders = defaultdict(list)
        for pk, txn_id, kind, amount in (
            Tender.objects.filter(transaction_id__in=chunk)
            .order_by("id")
            .values_list("id", "transaction_id", "kind", "amount")
        ):
            tenders[txn_id].append((pk, kind, amount))
        rows = defaultdict(list)
        for pk, txn_id, amount in (
            PaymentDistribution.objects.filter(payment__transaction_id__in=chunk)
            .order_by("payment__account_id", "id")
            .values_list("id", "payment__transaction_id", "amount")
        ):
            rows[txn_id].append((pk, amount))
        pieces = []
        for txn_id in chunk:
            if not rows[txn_id]:
                continue
            try:
                pieces += allocate(tenders[txn_id], rows[txn_id])
            except ValueError as exc:
                receipt = CounterTransaction.objects.get(pk=txn_id).receipt_number
                raise RuntimeError(f"Receipt {receipt}: tenders and distribution disagree ({exc}).") from exc
        TenderAllocation.objects.bulk_create(
            [TenderAllocation(tender_id=t, distribution_id=d, amount=a) for t, d, a in pieces]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_ledger_append_only_and_reference_data"),
        ("payments", "0002_receipt_sequence_and_drawers"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="returned_amount",
            field=models.DecimalField(
                decimal_places=2,
                default=0,
                help_text="Reversed by returned tenders (NSF); equals the amount once fully returned.",
                max_digits=12,
            ),
        ),
        migrations.AlterField(
            model_name="payment",
            name="status",
            field=models.CharField(
                choices=[
                    ("posted", "Posted"),
                    ("voided", "Voided"),
                    ("returned", "Returned (NSF)"),
                    ("void_pending", "Void awaiting approval"),
                    ("part_returned", "Partly returned (NSF)"),
                ],
                default="posted",
                max_length=14,
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.CheckConstraint(
                condition=models.Q(("returned_amount__gte", 0), ("returned_amount__lte", models.F("amount"))),
                name="payment_returned_within_amount",
            ),
        ),
        migrations.CreateModel(
            name="TenderAllocation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("amount", models.DecimalField(decimal_places=2, max_digits=12)),
                (
                    "distribution",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="allocations",
                        to="payments.paymentdistribution",
                    ),
                ),
                (
                    "tender",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="allocations",
                        to="payments.tender",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="allocation_amount_positive"
                    ),
                    models.UniqueConstraint(fields=("tender", "distribution"), name="allocation_once"),
                ],
            },
        ),
        migrations.AlterField(
            model_name="returneditem",
            name="payment",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="returned",
                to="payments.payment",
            ),
        ),
        migrations.AddField(
            model_name="returneditem",
            name="tender",
            field=models.OneToOneField(
                blank=True,
                help_text="Empty only for a few returns recorded before returns belonged to a tender.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="returned",
                to="payments.tender",
            ),
        ),
        migrations.AddField(
            model_name="returneditem",
            name="amount",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                help_text="What this return reversed, over every account line.",
                max_digits=12,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="returneditem",
            name="fee_account",
            field=models.ForeignKey(
                help_text="Charged the one fee.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.account",
            ),
        ),
        migrations.AlterField(
            model_name="returneditem",
            name="nth_in_window",
            field=models.PositiveSmallIntegerField(default=1, help_text="For the fee account."),
        ),
        migrations.AlterField(
            model_name="returneditem",
            name="cash_only_until",
            field=models.DateField(blank=True, help_text="For the fee account.", null=True),
        ),
        migrations.CreateModel(
            name="ReturnedLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("amount", models.DecimalField(decimal_places=2, max_digits=12)),
                ("nth_in_window", models.PositiveSmallIntegerField(default=1)),
                ("cash_only_until", models.DateField(blank=True, null=True)),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lines",
                        to="payments.returneditem",
                    ),
                ),
                (
                    "payment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="return_lines",
                        to="payments.payment",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="returned_line_amount_positive"
                    ),
                    models.UniqueConstraint(fields=("item", "payment"), name="returned_line_once"),
                ],
            },
        ),
        # Data last, in this migration's transaction. Returned items are converted in 0004 and
        # their old link dropped in 0005: PostgreSQL refuses to ALTER a table with rows changed
        # earlier in the same transaction, so data and schema of one table go in separate steps.
        migrations.RunPython(allocations_forwards, migrations.RunPython.noop, elidable=True),
    ]
