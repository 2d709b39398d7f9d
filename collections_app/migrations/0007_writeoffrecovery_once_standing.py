from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("collections_app", "0006_deposit_interest_credited")]

    operations = [
        migrations.RemoveConstraint(model_name="writeoffrecovery", name="writeoffrecovery_once"),
        migrations.AddConstraint(
            model_name="writeoffrecovery",
            constraint=models.UniqueConstraint(
                condition=models.Q(("reversed", False)),
                fields=("write_off", "payment"),
                name="writeoffrecovery_once_standing",
            ),
        ),
    ]
