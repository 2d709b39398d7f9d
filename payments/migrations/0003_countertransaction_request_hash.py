from django.db import migrations, models

# Keys a caller chose (a bare UUID: the API, the counter form, agency payments) were stored as
# `txn:<uuid>`; they are now scoped to the user who posted them, `txn:u<user id>:<uuid>`. Rewriting
# the rows already posted keeps a retry that spans the upgrade answering its first receipt instead
# of posting twice. System keys (`txn:file:...`, `txn:remit:...`) stay shared. Counter
# transactions are few (the demo's history is ledger entries), so one UPDATE is cheap.
SCOPE_KEYS = r"""
UPDATE payments_countertransaction
   SET idempotency_key = 'txn:u' || created_by_id || ':' || substr(idempotency_key, 5)
 WHERE idempotency_key ~ '^txn:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
"""
UNSCOPE_KEYS = r"""
UPDATE payments_countertransaction
   SET idempotency_key = 'txn:' || substring(idempotency_key from '^txn:u[0-9]+:(.*)$')
 WHERE idempotency_key ~ '^txn:u[0-9]+:[0-9a-f]{8}-'
"""


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_receipt_sequence_and_drawers"),
    ]

    operations = [
        migrations.AddField(
            model_name="countertransaction",
            name="request_hash",
            field=models.CharField(
                blank=True, help_text="sha256 of the request the key was first used for.", max_length=64
            ),
        ),
        migrations.RunSQL(SCOPE_KEYS, UNSCOPE_KEYS),
    ]
