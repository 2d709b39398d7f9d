import hashlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def hash_drf_tokens(apps, schema_editor):
    """DRF's authtoken kept each key in clear. Keep every key working, stored as its sha256, then
    drop the clear-text table (and authtoken's migration records: the app is no longer installed,
    and a reinstall must start from an empty table rather than believe it exists)."""
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return  # a database created after authtoken was removed
    IntegrationToken = apps.get_model("common", "IntegrationToken")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id, created FROM authtoken_token ORDER BY created")
        rows = cursor.fetchall()
    IntegrationToken.objects.bulk_create(
        IntegrationToken(
            name="Issued before tokens were hashed",
            user_id=user_id,
            prefix=key[:8],
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            created_at=created,
        )
        for key, user_id, created in rows
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE authtoken_token")
        cursor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0002_roles_and_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="IntegrationToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(help_text="What the token is for, e.g. 'IVR vendor'.", max_length=100),
                ),
                (
                    "prefix",
                    models.CharField(
                        help_text="The key's first characters, to tell tokens apart.", max_length=8
                    ),
                ),
                ("key_hash", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "expires_at",
                    models.DateTimeField(blank=True, help_text="Empty: does not expire.", null=True),
                ),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                ("last_used_at", models.DateTimeField(blank=True, help_text="To the minute.", null=True)),
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
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        help_text="The token acts as this user, with this user's roles.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="integration_tokens",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-id"],
            },
        ),
        # Irreversible on purpose: the clear keys are gone; going back means issuing new tokens.
        migrations.RunPython(hash_drf_tokens, migrations.RunPython.noop),
    ]
