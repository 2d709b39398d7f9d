from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # built beside the old index, then the old one dropped, without locking out the counter's
    # postings on a city's 100M-row ledger
    atomic = False

    dependencies = [
        ("accounts", "0010_preferred_language_choices"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="ledgerentry",
            index=models.Index(
                fields=["account", "effective_date", "id"],
                include=("due_date", "amount", "is_debit", "fund", "kind"),
                name="ledger_account_covering",
            ),
        ),
        RemoveIndexConcurrently(model_name="ledgerentry", name="ledger_account_date"),
    ]
