# The words of names and addresses split on anything not a letter or digit of any alphabet, not
# only A-Z: NUÑEZ was stored as NU and EZ, so a typed NUÑES or MUÑOS found nothing. Django cannot
# alter a generated column, so each is dropped and added again (with its index), and the word
# dictionary is rebuilt from the new words.

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models

WORDS = django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=200))


def words_of(field: str) -> models.Func:
    letters_digits = models.Func(
        models.F(field), models.Value("[^[:alnum:]]+"), models.Value(" "), models.Value("g"),
        function="regexp_replace",
    )  # fmt: skip
    return models.Func(
        models.Func(letters_digits, function="btrim"), models.Value(" "), function="string_to_array"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_search_words"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="customer", name="customer_words"),
        migrations.RemoveIndex(model_name="premise", name="premise_words"),
        migrations.RemoveField(model_name="customer", name="search_words"),
        migrations.RemoveField(model_name="premise", name="search_words"),
        migrations.AddField(
            model_name="customer",
            name="search_words",
            field=models.GeneratedField(
                db_persist=True, expression=words_of("search_name"), output_field=WORDS
            ),
        ),
        migrations.AddField(
            model_name="premise",
            name="search_words",
            field=models.GeneratedField(
                db_persist=True, expression=words_of("search_address"), output_field=WORDS
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search_words"], name="customer_words"),
        ),
        migrations.AddIndex(
            model_name="premise",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search_words"], name="premise_words"),
        ),
        migrations.RunSQL(
            "DELETE FROM accounts_searchword; SELECT accounts_search_words_refresh();",
            migrations.RunSQL.noop,
        ),
    ]
