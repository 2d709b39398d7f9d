"""PolicyVersion, Holiday and WeatherDay move here from collections_app without moving data.

The tables were created by collections_app 0001 and keep their names (`Meta.db_table`), so this
migration only teaches the migration state that the models now belong to `policy`; collections_app
0009 drops them from its own state. No table is created, renamed or copied.

The content types are relabelled rather than recreated: audit rows point at the policy version or
holiday they describe through their content type, and the roles' permissions (view_policyversion,
use_whatif, add_holiday...) hang off it, so relabelling keeps the audit trail readable and every
group's grants intact. On a fresh database there are no content types yet: nothing to do.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("policyversion", "holiday", "weatherday")


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if ContentType.objects.filter(app_label=new, model=model).exists():
            continue  # already there (created by a post_migrate in between): leave both as they are
        ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def content_types_to_policy(apps, schema_editor):
    _relabel(apps, "collections_app", "policy")


def content_types_to_collections(apps, schema_editor):
    _relabel(apps, "policy", "collections_app")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # The tables exist from here on (fresh databases create them there).
        ("collections_app", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Holiday",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("date", models.DateField(unique=True)),
                        ("name", models.CharField(max_length=80)),
                    ],
                    options={
                        "db_table": "collections_app_holiday",
                        "ordering": ["date"],
                    },
                ),
                migrations.CreateModel(
                    name="PolicyVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("version", models.PositiveIntegerField(unique=True)),
                        ("name", models.CharField(max_length=80)),
                        (
                            "presets",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=40),
                                help_text="preset names, e.g. CA_SB998_WATER",
                            ),
                        ),
                        (
                            "overrides",
                            models.JSONField(
                                blank=True, default=dict, help_text="dotted parameter paths to values"
                            ),
                        ),
                        ("note", models.TextField(help_text="why this version was made")),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "db_table": "collections_app_policyversion",
                        "ordering": ["-version"],
                        "permissions": [("use_whatif", "Can evaluate what-if decisions")],
                    },
                ),
                migrations.CreateModel(
                    name="WeatherDay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("date", models.DateField(unique=True)),
                        ("high_f", models.SmallIntegerField(blank=True, null=True)),
                        ("low_f", models.SmallIntegerField(blank=True, null=True)),
                        ("heat_advisory", models.BooleanField(default=False)),
                        ("winter_advisory", models.BooleanField(default=False)),
                        ("source", models.CharField(blank=True, max_length=80)),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "collections_app_weatherday",
                        "ordering": ["-date"],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_to_policy, content_types_to_collections),
    ]
