"""Citations name only the law of the presets in force (issue 12; rules.md §2: presets are bundles
of parameter overrides on top of DEFAULT, §3: DEFAULT's values are the utility's own policy).

A broad set of facts is run through every engine entry point and every citation (and every reason,
which quotes citations) is collected. Under DEFAULT nothing cites a state or another city's code:
only "utility policy" or federal law (FED_BANKRUPTCY is always layered on: 11 U.S.C. 366). Under
AZ_PHOENIX_WATER only Phoenix, Arizona or federal sources; under CA_SB998_WATER the California
statute is still cited."""

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest

from policy_engine import amounts, answers, answers_money, engine
from policy_engine.citations import UTILITY_POLICY
from policy_engine.facts import (
    ArrangementFact,
    BankruptcyFact,
    BillFact,
    CollectionSteps,
    ContactAttemptFact,
    DepositFact,
    InstallmentFact,
    MedicalCertificateFact,
    NoticeFact,
    PaymentFact,
    PledgeFact,
)
from policy_engine.tests.builders import money, one_bill, pol

AS_OF = date(2026, 6, 15)

# Law of a state or of another city: none of it may show under DEFAULT.
STATE_OR_CITY = re.compile(
    r"HSC|Health & Safety|PUC|CPUC|\bTAC\b|Tex\.|Pa\. ?Code|Pa\.C\.S|PSL|NYCRR|\bNY\b|A\.A\.C|A\.R\.S|"
    r"\bARS\b|R14-2|\bACC\b|Cal\.|Civ\. Code|SB 998|SB 3|Gov\. Code|Ord\.|City Code|Union City|Terre Haute|"
    r"Livingston|Lake Havasu|Bargersville|Yuma|Marysville|Sacramento|Santa Paula|Riverbank|Phoenix|"
    r"phoenix\.gov|Fox10|mesaaz|Mesa|Tucson|Scottsdale|sgcity|St\. George|SGV|CARE|rules\.md|§"
)
# Other states and other cities: none of it may show under AZ_PHOENIX_WATER.
NOT_PHOENIX = re.compile(
    r"HSC|Health & Safety|PUC|CPUC|\bTAC\b|Tex\.|Pa\. ?Code|Pa\.C\.S|PSL|NYCRR|Cal\.|Civ\. Code|SB 998|"
    r"Gov\. Code|Union City|Terre Haute|Livingston|Bargersville|Yuma|Marysville|Sacramento|Santa Paula|"
    r"Riverbank|mesaaz|Tucson|Scottsdale|sgcity|SGV|CARE|rules\.md|§"
)
FEDERAL = re.compile(r"^(11 U\.S\.C\. 36[26]|Fed\. R\. Bankr\. P\. 9006)")


def _bill(billed: date, due: date, amount: int = 100, **kw) -> BillFact:
    return BillFact(billed, due, money(amount), **kw)


DELINQUENT = one_bill(date(2026, 3, 1), "180.00", residential=True)
OLD = (_bill(date(2026, 1, 10), date(2026, 2, 1)), _bill(date(2026, 2, 10), date(2026, 3, 1)))
BASE = replace(DELINQUENT, bills=OLD, balance=money(200))
NOTICED = replace(
    BASE,
    notices=(NoticeFact("reminder", date(2026, 3, 10)), NoticeFact("shutoff", date(2026, 5, 1))),
    contact_attempts=(ContactAttemptFact(date(2026, 6, 1), reached=True),),
)
FACT_SET = {
    "delinquent": BASE,
    "noticed": NOTICED,
    "landlord": replace(NOTICED, landlord_owned=True, multiple_dwelling=True),
    "medical": replace(
        NOTICED,
        medical_certificates=(
            MedicalCertificateFact(date(2026, 6, 1), financially_unable=True, willing_to_plan=True),
        ),
    ),
    "medical_renewals": replace(
        NOTICED, medical_certificates=(MedicalCertificateFact(date(2026, 6, 1), renewal=3),)
    ),
    "pledge": replace(NOTICED, pledges=(PledgeFact(money(50), date(2026, 6, 1), date(2026, 7, 1)),)),
    "arrangement": replace(
        NOTICED,
        arrangements=(
            ArrangementFact(
                date(2026, 4, 1),
                3,
                money(200),
                installments=(InstallmentFact(date(2026, 5, 1), money(67)),),
            ),
        ),
    ),
    "appeal": replace(NOTICED, appeal_pending=True),
    "low_income": replace(NOTICED, poverty_pct=money(120), benefit_programs=("SNAP", "WIC")),
    "nsf": replace(
        NOTICED,
        payments=(
            PaymentFact(
                date(2026, 6, 1),
                money(50),
                returned=True,
                returned_on=date(2026, 6, 5),
                to_avoid_disconnect=True,
            ),
            PaymentFact(date(2026, 4, 1), money(50), returned=True, returned_on=date(2026, 4, 5)),
        ),
    ),
    "bankruptcy": replace(
        NOTICED,
        bankruptcy=BankruptcyFact(7, date(2026, 2, 15), pre_petition_balance=money(100)),
    ),
    "bankruptcy_11": replace(NOTICED, bankruptcy=BankruptcyFact(11, date(2026, 6, 5))),
    "final_billed": replace(
        BASE,
        service_state="disconnected",
        final_billed_on=date(2025, 9, 1),
        bills=(_bill(date(2025, 8, 10), date(2025, 9, 1), 180, is_final=True),),
        balance=money(180),
    ),
    "small_credit": replace(BASE, bills=(), balance=money("-2.00"), final_billed_on=date(2026, 1, 1)),
    "non_residential": replace(NOTICED, residential=False),
}


def _texts(obj, seen: set[int] | None = None) -> Iterator[tuple[str, str]]:
    """(field, text) for every `citation` and `reason` anywhere inside an engine result."""
    seen = seen if seen is not None else set()
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if f.name in ("citation", "reason") and isinstance(value, str):
                yield f.name, value
            else:
                yield from _texts(value, seen)
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _texts(item, seen)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _texts(item, seen)


def _everything(policy, facts) -> list:
    """Every engine answer for these facts."""
    out: list = [
        engine.decide(policy, facts, AS_OF),
        engine.notice_plans(policy, facts, AS_OF),
        amounts.late_fee(policy, facts, AS_OF),
        amounts.late_fee_for(policy, money(100)),
        amounts.notice_fee(policy),
        amounts.trip_fee(policy),
        amounts.reconnect_fee(policy, facts, after_hours=False, on=AS_OF),
        amounts.reconnect_fee(policy, facts, after_hours=True, on=AS_OF, actual_cost=money(30)),
        amounts.restoration_terms(policy, facts, AS_OF, balance=facts.balance),
        amounts.deposit_required(
            policy, facts, as_of=AS_OF, monthly_bills=[money(60), money(90)], owner=False
        ),
        amounts.deposit_required(policy, facts, as_of=AS_OF, monthly_bills=[money(60)], owner=True),
        amounts.deposit_interest(policy, amount=money(120), start=date(2025, 1, 1), end=AS_OF),
        amounts.deposit_refund_check(policy, facts, DepositFact(money(120), date(2025, 1, 1)), AS_OF),
        amounts.arrangement_limits(policy, facts, AS_OF, arrears=facts.balance),
        amounts.arrangement_limits(policy, replace(facts, hardship=True), AS_OF, arrears=facts.balance),
        amounts.agency_fee(policy, balance=money(200)),
        amounts.referral_interest(policy, balance=money(200), start=date(2026, 1, 1), end=AS_OF),
        amounts.referral_due(policy, facts, AS_OF),
        amounts.write_off_check(policy, facts, AS_OF),
        amounts.write_off_evidence(policy, CollectionSteps(referred_on=date(2025, 10, 1)), AS_OF),
    ]
    # the typed answers of the evaluate API (issue 12) quote the same rules
    out += [
        answers.medical_status(policy, facts, AS_OF),
        answers.pledge_status(policy, facts, AS_OF),
        answers.arrangement_status(policy, facts, AS_OF),
        answers.arrangement_terms(policy, facts, AS_OF, arrears=facts.balance),
        answers.bankruptcy_status(policy, facts, AS_OF),
        answers_money.nsf_answer(policy, facts, AS_OF),
        answers_money.payment_acceptance(policy, facts, AS_OF),
        answers_money.reconnection(policy, facts, AS_OF, actual_cost=money(30)),
        answers_money.deposits_held(policy, facts, AS_OF),
        answers_money.collections_payoff(policy, facts, AS_OF),
        answers_money.interest_waiver(policy, facts, AS_OF),
        answers_money.recertification(policy, facts, AS_OF, certified_on=date(2025, 7, 1)),
    ]
    for criterion in amounts.WRITE_OFF_CRITERIA:
        out.append(amounts.write_off_check(policy, facts, AS_OF, criterion=criterion))
    for returned in facts.payments:
        if returned.returned:
            out.append(amounts.nsf_outcome(policy, facts, AS_OF, returned=returned))
    if facts.bankruptcy is not None:
        out.append(amounts.bankruptcy_deadline(policy, facts.bankruptcy))
    return out


def _citations(preset: str) -> dict[str, set[str]]:
    policy = pol(preset)
    found: dict[str, set[str]] = {"citation": set(), "reason": set()}
    for facts in FACT_SET.values():
        for kind, text in _texts(_everything(policy, facts)):
            found[kind].add(text)
    return found


def test_under_default_every_citation_is_utility_policy_or_federal():
    found = _citations("DEFAULT")
    # "" is an answer about nothing in force (no bankruptcy case): it cites no law at all
    wrong = sorted(c for c in found["citation"] if c not in (UTILITY_POLICY, "") and not FEDERAL.match(c))
    assert wrong == []
    assert UTILITY_POLICY in found["citation"]
    assert any(FEDERAL.match(c) for c in found["citation"])  # the bankruptcy rules still cite 366


def test_under_default_no_reason_quotes_a_state_or_city_law():
    found = _citations("DEFAULT")
    assert sorted(r for r in found["reason"] if STATE_OR_CITY.search(r)) == []


def test_under_phoenix_only_phoenix_arizona_or_federal_sources():
    found = _citations("AZ_PHOENIX_WATER")
    assert sorted(t for t in found["citation"] | found["reason"] if NOT_PHOENIX.search(t)) == []
    assert {"Fox10 (City of Phoenix, Jan 2022)", "Fox10 (City statement)"} <= found["citation"]


def test_under_sb998_the_california_statute_is_still_cited():
    found = _citations("CA_SB998_WATER")
    cited = " ".join(found["citation"])
    for section in ("HSC 116908(a)(1)(A)", "HSC 116910", "HSC 116908(b)", "HSC 116914(a)(1)"):
        assert section in cited
    # a value SB 998 does not set is the utility's own policy, not another state's law
    assert not any(
        re.search(r"TAC|Pa\. Code|Pa\.C\.S|PSL|R14-2|Mesa|Union City", c) for c in found["citation"]
    )


@pytest.mark.parametrize(
    ("preset", "path", "expected"),
    [
        ("DEFAULT", "arrangements.max_months", UTILITY_POLICY),
        ("DEFAULT", "delinquency.min_days_before_disconnect", UTILITY_POLICY),
        ("DEFAULT", "bankruptcy.assurance_days", "11 U.S.C. 366(b)"),
        ("CA_SB998_WATER", "arrangements.max_months", "HSC 116910(b) [M]"),
        ("CA_SB998_WATER", "late_fee.formula", UTILITY_POLICY),
        ("AZ_PHOENIX_WATER", "arrangements.max_months", "Fox10 (City statement)"),
        ("AZ_PHOENIX_WATER", "nsf.fee_first", UTILITY_POLICY),
    ],
)
def test_one_place_decides_a_parameters_citation(preset, path, expected):
    assert pol(preset).layers[0].cite(path) == expected


def test_a_utility_override_of_a_preset_value_is_utility_policy():
    layer = pol("CA_SB998_WATER", arrangements__max_months=6).layers[0]
    assert layer.cite("arrangements.max_months") == UTILITY_POLICY
    assert layer.cite("arrangements.default_tolerance_days") == "HSC 116910"
