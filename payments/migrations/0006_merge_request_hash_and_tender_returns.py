from django.db import migrations


class Migration(migrations.Migration):
    # Two independent changes made side by side: the idempotency fingerprint on counter
    # transactions, and returned items that belong to a tender.
    dependencies = [
        ("payments", "0003_countertransaction_request_hash"),
        ("payments", "0005_returned_item_belongs_to_tender"),
    ]

    operations = []
