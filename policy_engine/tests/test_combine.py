"""Combining presets (§0): the most customer-protective result, and properties that must hold
for any facts (hypothesis)."""

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_engine.calendar import WEEKDAY_CODES
from policy_engine.decision import Outcome, Status
from policy_engine.engine import decide
from policy_engine.facts import (
    AccountFacts,
    BillFact,
    ContactAttemptFact,
    MedicalCertificateFact,
    NoticeFact,
    PledgeFact,
)
from policy_engine.presets import PRESETS

from .builders import check, money, one_bill, pol, with_notices


def test_two_presets_take_the_longer_wait_and_say_which_preset_decided():
    # due Mon 2026-03-02, notice Mon 03-23. NY alone: 03-23 + 15 = Tue 04-07.
    # DEFAULT alone: due + 60 = Fri 05-01.
    facts = with_notices(one_bill(date(2026, 3, 2)), ("shutoff", date(2026, 3, 23)))
    assert decide(pol("NY_HEFPA"), facts, date(2026, 4, 7)).status == Status.ELIGIBLE
    both = decide(pol("NY_HEFPA", "DEFAULT"), facts, date(2026, 4, 7))
    assert (both.status, both.earliest_date) == (Status.DEFERRED, date(2026, 5, 1))
    assert (both.deciding.code, both.deciding.preset) == ("DAYS_DELINQUENT", "DEFAULT")
    assert {c.preset for c in both.checks if c.code == "NOTICE_LEAD"} == {"NY_HEFPA", "DEFAULT"}


def test_union_of_protections_a_cert_alone_blocks_if_any_preset_says_so():
    facts = with_notices(one_bill(date(2026, 1, 5)), ("shutoff", date(2026, 1, 6)))
    facts = replace(
        facts,
        medical_certificates=(MedicalCertificateFact(date(2026, 3, 1)),),
        contact_attempts=(ContactAttemptFact(date(2026, 1, 7), "visit"),),
    )
    assert decide(pol("CA_SB998_WATER"), facts, date(2026, 3, 10)).status == Status.ELIGIBLE
    both = decide(pol("CA_SB998_WATER", "PA_CH14"), facts, date(2026, 3, 10))
    assert both.status == Status.BLOCKED
    assert (both.deciding.code, both.deciding.preset) == ("MEDICAL_CERTIFICATE", "PA_CH14")


def test_moratorium_of_one_preset_moves_the_combined_date():
    # NY: notice Tue 05-26 (>= due + 20) + 15 = Wed 06-10; AZ: in the Jun 1 - Oct 15 moratorium.
    facts = with_notices(
        one_bill(date(2026, 5, 4)), ("shutoff", date(2026, 5, 26)), ("final", date(2026, 5, 28))
    )
    alone = decide(pol("NY_HEFPA"), facts, date(2026, 6, 10))
    assert alone.earliest_date == date(2026, 6, 10)
    both = decide(pol("NY_HEFPA", "AZ_ACC_ELECTRIC"), facts, date(2026, 6, 10))
    assert both.earliest_date == date(2026, 10, 16) and both.deciding.preset == "AZ_ACC_ELECTRIC"


def test_low_flow_wins_over_shutoff():
    facts = with_notices(one_bill(date(2026, 1, 5)), ("shutoff", date(2026, 1, 6)))
    assert decide(pol("DEFAULT", "AZ_PHOENIX_WATER"), facts, date(2026, 3, 10)).action == "low_flow"


def test_every_preset_alone_and_all_together_decide_without_error():
    facts = with_notices(one_bill(date(2026, 1, 5)), ("shutoff", date(2026, 1, 6)))
    for name in PRESETS:
        d = decide(pol(name), facts, date(2026, 3, 10))
        assert d.deciding is not None and all(c.citation or c.code == "APPLICABILITY" for c in d.checks), name
    everything = decide(pol(*PRESETS), facts, date(2026, 3, 10))
    assert everything.earliest_date is not None
    assert everything.earliest_date >= max(
        decide(pol(n), facts, date(2026, 3, 10)).earliest_date for n in PRESETS
    )


# --- properties -------------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 6, 30))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROTECTIVE_SETS = [
    "DEFAULT",
    "CA_SB998_WATER",
    "NY_HEFPA",
    "PA_CH14",
    "AZ_ACC_ELECTRIC",
    "TX_PUC_ELECTRIC",
    "UT_ST_GEORGE",
    "AZ_PHOENIX_WATER",
    "CA_MUNI_WATER",
]


@st.composite
def accounts(draw) -> tuple[AccountFacts, date]:
    due = draw(DAYS)
    amount = money(draw(st.integers(min_value=1, max_value=900)))
    facts = AccountFacts(bills=(BillFact(due - timedelta(days=20), due, amount),), balance=amount)
    if draw(st.booleans()):
        facts = with_notices(facts, NoticeFact("shutoff", due + timedelta(days=draw(st.integers(1, 40)))))
    if draw(st.booleans()):
        facts = with_notices(facts, NoticeFact("final", due + timedelta(days=draw(st.integers(1, 60)))))
    if draw(st.booleans()):
        contact = due + timedelta(days=draw(st.integers(1, 60)))
        facts = replace(
            facts,
            contact_attempts=(
                ContactAttemptFact(contact, draw(st.sampled_from(["phone", "visit"])), draw(st.booleans())),
            ),
        )
    facts = replace(
        facts,
        landlord_owned=draw(st.booleans()),
        poverty_pct=draw(st.sampled_from([None, money(120), money(400)])),
    )
    return facts, due + timedelta(days=draw(st.integers(0, 120)))


@SETTINGS
@given(accounts(), st.sampled_from(PROTECTIVE_SETS))
def test_earliest_date_is_never_a_blackout_day(case, preset):
    facts, as_of = case
    policy = pol(preset, blackout__day_before_holiday=True)
    d = decide(policy, facts, as_of)
    if d.earliest_date is not None and d.status != Status.NOT_DELINQUENT:
        assert WEEKDAY_CODES[d.earliest_date.weekday()] not in ("SAT", "SUN")
        assert not policy.calendar.is_holiday(d.earliest_date)
        assert not policy.calendar.is_holiday(d.earliest_date + timedelta(days=1))
        assert d.earliest_date >= as_of


RANK = {Status.ELIGIBLE: 0, Status.DEFERRED: 1, Status.BLOCKED: 2}


def _protection(d) -> tuple[int, date]:
    return RANK[d.status], d.earliest_date or date.max


@SETTINGS
@given(accounts(), st.sampled_from(PROTECTIVE_SETS), st.integers(0, 30))
def test_a_pending_pledge_never_makes_an_account_more_eligible(case, preset, expected_in):
    facts, as_of = case
    before = decide(pol(preset), facts, as_of)
    pledge = PledgeFact(money(50), as_of, as_of + timedelta(days=expected_in))
    after = decide(pol(preset), replace(facts, pledges=(pledge,)), as_of)
    if before.status != Status.NOT_DELINQUENT:
        assert after.status != Status.ELIGIBLE or before.status == Status.ELIGIBLE
        assert (after.earliest_date or date.max) >= (before.earliest_date or date.max)


@SETTINGS
@given(accounts(), st.sampled_from(PROTECTIVE_SETS), st.sampled_from(PROTECTIVE_SETS))
def test_combining_presets_is_never_less_protective_than_either(case, first, second):
    facts, as_of = case
    combined = decide(pol(first, second), facts, as_of)
    for alone in (decide(pol(first), facts, as_of), decide(pol(second), facts, as_of)):
        if Status.NOT_DELINQUENT in (alone.status, combined.status):
            continue
        if alone.status == Status.BLOCKED:
            assert combined.status == Status.BLOCKED
        assert (combined.earliest_date or date.max) >= (alone.earliest_date or date.max)


@SETTINGS
@given(accounts(), st.sampled_from(PROTECTIVE_SETS))
def test_every_check_explains_itself_and_eligible_means_no_open_gate(case, preset):
    facts, as_of = case
    d = decide(pol(preset), facts, as_of)
    assert all(c.reason for c in d.checks)
    if d.status == Status.ELIGIBLE:
        assert d.earliest_date == as_of
        assert not [c for c in d.checks if c.outcome in (Outcome.BLOCKED, Outcome.DEFERRED)]
    if d.status == Status.DEFERRED:
        assert d.deciding is not None and d.deciding.outcome == Outcome.DEFERRED
    if d.status == Status.BLOCKED:
        assert d.deciding is not None and d.deciding.outcome == Outcome.BLOCKED


@SETTINGS
@given(accounts(), st.sampled_from(PROTECTIVE_SETS))
def test_paying_in_full_ends_the_delinquency(case, preset):
    facts, as_of = case
    paid = replace(facts, bills=tuple(replace(b, paid_amount=b.amount) for b in facts.bills))
    assert decide(pol(preset), paid, as_of).status == Status.NOT_DELINQUENT


def test_deferred_decision_becomes_eligible_on_its_earliest_date_when_nothing_else_is_needed():
    facts = with_notices(one_bill(date(2026, 9, 1)), ("shutoff", date(2026, 10, 21)))
    d = decide(pol(), facts, date(2026, 10, 1))
    later = decide(pol(), facts, d.earliest_date)
    assert later.status == Status.ELIGIBLE and later.earliest_date == d.earliest_date
    assert check(later, "BLACKOUT").outcome == Outcome.SATISFIED
