"""The policy models moved from collections_app without moving data: same tables, and an
upgraded database keeps each role's grants and the audit trail's targets (policy 0001)."""

from importlib import import_module

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from common.roles import ADMINISTRATOR, COUNSELOR
from policy.models import Holiday, PolicyVersion, WeatherDay

pytestmark = pytest.mark.django_db

move = import_module("policy.migrations.0001_initial")


def test_the_tables_keep_their_collections_app_names():
    assert PolicyVersion._meta.db_table == "collections_app_policyversion"
    assert Holiday._meta.db_table == "collections_app_holiday"
    assert WeatherDay._meta.db_table == "collections_app_weatherday"


def test_upgrade_relabels_the_content_types_so_grants_and_audit_targets_follow():
    # As an upgraded database stands before policy 0001: the content types say collections_app.
    ContentType.objects.filter(app_label="policy").update(app_label="collections_app")
    ContentType.objects.clear_cache()
    whatif = Permission.objects.get(codename="use_whatif")
    version_ct = ContentType.objects.get(app_label="collections_app", model="policyversion")

    move.content_types_to_policy(global_apps, None)
    ContentType.objects.clear_cache()

    assert ContentType.objects.get_for_model(PolicyVersion).pk == version_ct.pk  # same row, new label
    assert not ContentType.objects.filter(app_label="collections_app", model__in=move.MODELS).exists()
    whatif.refresh_from_db()
    assert whatif.content_type.app_label == "policy"
    assert whatif in Group.objects.get(name=COUNSELOR).permissions.all()
    assert Permission.objects.get(codename="delete_holiday") in (
        Group.objects.get(name=ADMINISTRATOR).permissions.all()
    )
