"""Which service a disconnection acts on. Only what a crew can turn off (water, electric, gas,
irrigation) is ever the target: an account whose water is already off is not listed again to
"disconnect" its sewer, and the Python facts and the nightly SQL choose the same service."""

import pytest
from django.db import connection

from accounts.models import Service
from accounts.tests.factories import ServiceFactory
from collections_app.selectors.facts import facts_for_accounts
from collections_app.selectors.facts_sql import (
    SERVICE_PARAMS,
    SERVICE_PICK_SQL,
    SERVICE_STATE,
    SERVICE_UTILITY,
)
from collections_app.services.shutoff import shutoff_prefilter
from collections_app.tests.shutoff_setup import business_day, delinquent
from policy.selectors import current_policy
from policy_engine import engine
from policy_engine.decision import Status

pytestmark = pytest.mark.django_db

# services (utility: status) of each case -> (utility acted on, its state)
CASES = {
    "water on": ({"water": "connected", "sewer": "connected"}, ("water", "connected")),
    "water off, sewer on": ({"water": "disconnected", "sewer": "connected"}, ("water", "disconnected")),
    "water low flow, trash on": ({"water": "low_flow", "solid_waste": "connected"}, ("water", "low_flow")),
    "water off, electric on": ({"water": "disconnected", "electric": "connected"}, ("electric", "connected")),
    "gas on, sewer on": ({"sewer": "connected", "gas": "connected"}, ("gas", "connected")),
    "sewer and trash only": (
        {"solid_waste": "connected", "sewer": "connected"},
        ("sewer", "not_disconnectable"),
    ),
    "fire service only": ({"fire_service": "connected"}, ("fire_service", "not_disconnectable")),
}


def _account_with(services: dict[str, str], *, as_of):  # type: ignore[no-untyped-def]
    account = delinquent(as_of=as_of)
    Service.objects.filter(account=account).delete()
    for utility, status in services.items():
        ServiceFactory(account=account, utility=utility, status=status)
    return account


def _sql_choice(ids: list[int]) -> dict[int, tuple[str, str]]:
    utility, state = (SERVICE_PICK_SQL.format(col=col) for col in (SERVICE_UTILITY, SERVICE_STATE))
    sql = f"SELECT a.id, {utility}, {state} FROM accounts_account a WHERE a.id = ANY(%(ids)s)"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, {**SERVICE_PARAMS, "ids": ids})
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


def test_facts_and_sql_choose_the_service_a_crew_can_turn_off():
    day = business_day()
    accounts = {name: _account_with(services, as_of=day) for name, (services, _) in CASES.items()}
    ids = [a.pk for a in accounts.values()]
    facts = facts_for_accounts(ids, as_of=day)
    in_sql = _sql_choice(ids)
    for name, (_, expected) in CASES.items():
        pk = accounts[name].pk
        assert (facts[pk].utility, facts[pk].service_state) == expected, name
        assert in_sql[pk] == expected, name


def test_nothing_a_crew_can_turn_off_is_never_on_the_list():
    day = business_day()
    policy, _ = current_policy()
    on = _account_with({"water": "connected", "sewer": "connected"}, as_of=day)
    water_off = _account_with(
        {"water": "disconnected", "sewer": "connected", "solid_waste": "connected"}, as_of=day
    )
    sewer_only = _account_with({"sewer": "connected", "solid_waste": "connected"}, as_of=day)

    facts = facts_for_accounts([on.pk, water_off.pk, sewer_only.pk], as_of=day)
    listed = engine.decide(policy, facts[on.pk], day)
    assert listed.status == Status.ELIGIBLE, listed.deciding
    for account, why in (
        (water_off, "already disconnected"),
        (sewer_only, "sewer is billed, not disconnected"),
    ):
        decision = engine.decide(policy, facts[account.pk], day)
        assert decision.status == Status.BLOCKED and decision.earliest_date is None
        assert decision.deciding.code == "NOTHING_TO_DISCONNECT" and why in decision.deciding.reason

    candidates = shutoff_prefilter(policy=policy, as_of=day)
    assert on.pk in candidates
    assert water_off.pk not in candidates and sewer_only.pk not in candidates


def test_an_electric_account_with_water_already_off_is_listed_for_its_electric():
    day = business_day()
    policy, _ = current_policy()
    account = _account_with({"water": "disconnected", "electric": "connected"}, as_of=day)
    facts = facts_for_accounts([account.pk], as_of=day)[account.pk]
    assert engine.decide(policy, facts, day).status == Status.ELIGIBLE
    assert account.pk in shutoff_prefilter(policy=policy, as_of=day)
