"""policy 0002: business values once set as DJANGO_* settings become a policy version (issue 12)."""

import importlib

import pytest
from django.apps import apps

from policy.models import PolicyVersion
from policy.selectors import current_policy
from policy.tests.helpers import use_policy
from policy_engine.catalogue import BY_PATH

pytestmark = pytest.mark.django_db
migration = importlib.import_module("policy.migrations.0002_policy_from_environment")


@pytest.fixture
def clean_env(monkeypatch):
    for name in migration.FROM_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_every_variable_maps_to_a_catalogue_parameter():
    assert {path for path, _ in migration.FROM_ENVIRONMENT.values()} <= set(BY_PATH)


def test_nothing_set_makes_no_new_version(clean_env):
    before = PolicyVersion.objects.count()
    migration.policy_from_environment(apps, None)
    assert PolicyVersion.objects.count() == before


def test_values_set_become_the_next_version_on_top_of_the_current_one(clean_env):
    base = use_policy("AZ_PHOENIX_WATER", nsf__redeem_days=10)
    clean_env.setenv("DJANGO_NSF_FEE_FIRST", "30")
    clean_env.setenv("DJANGO_ARRANGEMENT_PER_YEAR", "1")
    clean_env.setenv("DJANGO_ARRANGEMENT_REFUSE_IF_RETURNED", "false")
    clean_env.setenv("DJANGO_RECONNECT_AFTER_HOURS_FROM", "17:30")
    clean_env.setenv("DJANGO_ADJUSTMENT_APPROVAL_LIMIT", "250.00")
    migration.policy_from_environment(apps, None)
    new = PolicyVersion.objects.order_by("-version").first()
    assert new.version == base.version + 1 and new.presets == ["AZ_PHOENIX_WATER"]
    assert new.overrides == {
        "nsf.redeem_days": 10,
        "nsf.fee_first": "30.00",
        "arrangements.per_year_limit": 1,
        "arrangements.exclude_if_last_payment_returned": False,
        "reconnect.after_hours_from": "17:30",
        "adjustments.approval_limit": "250.00",
    }
    assert "environment" in new.note and "DJANGO_NSF_FEE_FIRST" in new.note
    policy, version = current_policy()  # the engine accepts it: the apps now read these values
    assert version == new
    assert str(policy.param("nsf.fee_first")) == "30.00"
    assert policy.param("arrangements.per_year_limit") == 1
    assert policy.param("arrangements.exclude_if_last_payment_returned") is False
    assert str(policy.param("adjustments.approval_limit")) == "250.00"


def test_a_value_that_is_not_a_number_stops_the_upgrade_naming_it(clean_env):
    clean_env.setenv("DJANGO_NSF_CASH_ONLY_COUNT", "two")
    with pytest.raises(ValueError, match="DJANGO_NSF_CASH_ONLY_COUNT"):
        migration.policy_from_environment(apps, None)
