"""PolicyVersion, Holiday and WeatherDay now belong to the `policy` app (see policy 0001).

State only: the tables stay where they are (policy's models name them with `db_table`), and the
foreign keys from BatchRun and NoticeBatch already point at collections_app_policyversion, which
is the very table policy.PolicyVersion uses. Nothing runs against the database.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collections_app", "0008_merge_refunds_reconnect_evidence"),
        ("policy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="batchrun",
                    name="policy_version",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="policy.policyversion",
                    ),
                ),
                migrations.AlterField(
                    model_name="noticebatch",
                    name="policy_version",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="policy.policyversion",
                    ),
                ),
                migrations.DeleteModel(name="Holiday"),
                migrations.DeleteModel(name="PolicyVersion"),
                migrations.DeleteModel(name="WeatherDay"),
            ],
        ),
    ]
