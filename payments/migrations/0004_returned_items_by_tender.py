"""Returned items recorded before returns belonged to a tender reversed a whole payment: their
line says so (the payment's amount), and they take the payment's largest returnable tender unless
another return already holds it (the defect could record one check on two lines; the second
keeps no tender, its line and fee stand as recorded)."""

from django.db import migrations

RETURNABLE = ("check", "lockbox", "agency", "electronic", "money_order", "cashiers_check")


def returns_forwards(apps, schema_editor):
    ReturnedItem = apps.get_model("payments", "ReturnedItem")
    ReturnedLine = apps.get_model("payments", "ReturnedLine")
    Payment = apps.get_model("payments", "Payment")
    Tender = apps.get_model("payments", "Tender")
    for item in ReturnedItem.objects.order_by("id"):
        payment = Payment.objects.get(pk=item.payment_id)
        tender = (
            Tender.objects.filter(transaction_id=payment.transaction_id, kind__in=RETURNABLE)
            .exclude(pk__in=ReturnedItem.objects.filter(tender__isnull=False).values("tender_id"))
            .order_by("-amount", "id")
            .first()
        )
        item.tender = tender
        item.amount = payment.amount
        item.fee_account_id = payment.account_id
        item.save(update_fields=["tender", "amount", "fee_account"])
        ReturnedLine.objects.create(
            item=item,
            payment=payment,
            amount=payment.amount,
            nth_in_window=item.nth_in_window,
            cash_only_until=item.cash_only_until,
        )
        payment.returned_amount = payment.amount
        payment.save(update_fields=["returned_amount"])


def returns_backwards(apps, schema_editor):
    ReturnedItem = apps.get_model("payments", "ReturnedItem")
    for item in ReturnedItem.objects.order_by("id"):
        line = item.lines.order_by("id").first()
        item.payment_id = line.payment_id if line else None
        item.save(update_fields=["payment"])


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_tender_allocations_and_returns")]

    operations = [migrations.RunPython(returns_forwards, returns_backwards)]
