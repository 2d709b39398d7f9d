"""The SQL prefilter never drops an account the engine would list: on a small city of varied
accounts, the engine is asked about every account (not just the prefiltered ones) under several
policies and dates, and each account it lists must be among the candidates."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.models import Service
from accounts.tests.factories import AccountFactory, charge, pay
from collections_app.models import Notice
from collections_app.selectors.facts import facts_for_accounts
from collections_app.services.shutoff import shutoff_prefilter, shutoff_prefilter_parts
from collections_app.tests.shutoff_setup import business_day, sessions_now, sessions_settle_to
from policy.models import Holiday
from policy_engine import engine
from policy_engine.decision import Status
from policy_engine.policy import policy_build

pytestmark = pytest.mark.django_db

POLICIES = [
    {"presets": ["DEFAULT"]},
    {"presets": ["AZ_PHOENIX_WATER"]},  # 31 days, low-flow instead of shutoff
    {"presets": ["CA_SB998_WATER", "TX_PUC_WATER"]},  # combined most-protectively
    {"presets": ["DEFAULT"], "overrides": {"delinquency.clock_start": "BILL_DATE"}},
    {"presets": ["DEFAULT"], "overrides": {"protections.min_arrears_for_disconnect": "100.00"}},
    {"presets": ["DEFAULT"], "overrides": {"delinquency.min_days_before_disconnect": 20}},
]


def _varied_city(day, n: int = 70) -> list[int]:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    ids = []
    for i in range(n):
        status = "final" if i % 17 == 0 else "active"
        account = AccountFactory(status=status)
        for _ in range(rng.randint(1, 4)):
            due = day - timedelta(days=rng.randint(-10, 200))
            charge(
                account,
                f"{rng.randint(5, 300)}.{rng.randint(0, 99):02d}",
                due=due,
                code=rng.choice(["WTR", "SWR", "FEE"]),
            )
        if rng.random() < 0.6:
            pay(account, f"{rng.randint(1, 400)}.00", on=day - timedelta(days=rng.randint(0, 120)))
        if rng.random() < 0.1:
            pay(account, "50.00", on=day + timedelta(days=3))  # posted after the evaluation date
        if rng.random() < 0.7:
            Notice.objects.create(
                account=account,
                kind="shutoff",
                addressee="X",
                sent_on=day - timedelta(days=rng.randint(0, 60)),
                idempotency_key=f"pf-{account.pk}",
            )
        if rng.random() < 0.1:
            Service.objects.filter(account=account).update(status=rng.choice(["disconnected", "low_flow"]))
        ids.append(account.pk)
    return ids


def test_the_prefilter_keeps_every_account_the_engine_lists():
    day = business_day()
    ids = _varied_city(day)
    holidays = list(Holiday.objects.values_list("date", flat=True))
    listed_somewhere = 0
    for spec in POLICIES:
        policy = policy_build(holidays=holidays, **spec)
        for as_of in (day, day + timedelta(days=21), day - timedelta(days=30)):
            facts = facts_for_accounts(ids, as_of=as_of)
            listed = {
                i for i, f in facts.items() if engine.decide(policy, f, as_of).status == Status.ELIGIBLE
            }
            candidates = set(shutoff_prefilter(policy=policy, as_of=as_of))
            missing = [(i, facts[i]) for i in sorted(listed - candidates)]
            assert not missing, (spec, as_of, missing)
            assert len(candidates) < len(ids), "the prefilter must narrow the city down"
            listed_somewhere += len(listed)
    assert listed_somewhere > 20, "the city must have listed accounts for the comparison to mean anything"


def test_the_prefilter_reads_the_policy_thresholds():
    day = business_day()
    forty = AccountFactory()
    charge(forty, "80.00", due=day - timedelta(days=40))
    small = AccountFactory()
    charge(small, "30.00", due=day - timedelta(days=90))
    paid = AccountFactory()
    charge(paid, "80.00", due=day - timedelta(days=90))
    pay(paid, "80.00", on=day - timedelta(days=1))
    default = policy_build(presets=["DEFAULT"])
    assert set(shutoff_prefilter(policy=default, as_of=day)) == {small.pk}
    phoenix = policy_build(presets=["AZ_PHOENIX_WATER"])
    assert set(shutoff_prefilter(policy=phoenix, as_of=day)) == {small.pk, forty.pk}
    minimum = policy_build(
        presets=["DEFAULT"], overrides={"protections.min_arrears_for_disconnect": Decimal("50")}
    )
    assert shutoff_prefilter(policy=minimum, as_of=day) == []
    # as of before the payment, the paid account was a candidate
    assert paid.pk in shutoff_prefilter(policy=default, as_of=day - timedelta(days=2))


@pytest.mark.django_db(transaction=True)
def test_the_prefilter_in_parallel_ranges_finds_the_same_candidates_in_the_same_order():
    """The run splits the prefilter over ranges of account ids on their own connections (outside
    a transaction): together they are the one statement's list, and their connections close."""
    day = business_day()
    _varied_city(day)
    holidays = list(Holiday.objects.values_list("date", flat=True))
    before = sessions_now()
    found = 0
    for spec in POLICIES[:4]:
        policy = policy_build(holidays=holidays, **spec)
        for as_of in (day, day - timedelta(days=30)):
            whole = shutoff_prefilter(policy=policy, as_of=as_of)
            for parts in (2, 3, 7):
                in_parts = shutoff_prefilter_parts(policy=policy, as_of=as_of, parts=parts)
                assert in_parts == whole, (spec, parts)
            found += len(whole)
    assert found > 20
    assert sessions_settle_to(before), "each range's connection is closed"
