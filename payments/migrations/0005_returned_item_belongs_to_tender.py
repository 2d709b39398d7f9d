import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("payments", "0004_returned_items_by_tender")]

    operations = [
        migrations.RemoveField(model_name="returneditem", name="payment"),
        migrations.AlterField(
            model_name="returneditem",
            name="fee_account",
            field=models.ForeignKey(
                help_text="Charged the one fee.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.account",
            ),
        ),
    ]
