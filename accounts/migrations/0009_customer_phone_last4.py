# Staff find a customer by the last four digits of the phone; an expression index answers it
# (accounts.selectors.search) without reading every customer.

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_search_words_any_letter"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                django.db.models.functions.text.Right("phone_digits", 4), name="customer_phone_last4"
            ),
        ),
    ]
