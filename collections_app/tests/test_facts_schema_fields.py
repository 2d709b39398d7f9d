"""The facts JSON accepts the fields the engine gained for issue 12's rules.md corrections:
a payment's time of day (rules.md §1.1, 16 TAC 24.165(b) 5 p.m.), a pledge's billing period
(§1.4.3, 16 TAC 7.460(b)(2)) and a documented hardship (§1.5, HSC 116910(b)). Each is optional."""

from datetime import date, time

from collections_app.api.facts_schema import AccountFactsIn, facts_from_data, to_jsonable

FACTS = {
    "hardship": True,
    "payments": [{"paid_on": "2026-03-18", "amount": "80.00", "at": "17:30"}],
    "pledges": [
        {
            "amount": "100.00",
            "pledged_on": "2026-03-03",
            "expected_by": "2026-03-10",
            "period_start": "2026-03-01",
            "period_end": "2026-03-31",
        }
    ],
}


def test_new_fact_fields_reach_the_engine_and_round_trip() -> None:
    form = AccountFactsIn(data=FACTS)
    assert form.is_valid(), form.errors
    facts = facts_from_data(form.validated_data)
    assert facts.hardship is True
    assert facts.payments[0].at == time(17, 30)
    pledge = facts.pledges[0]
    assert (pledge.period_start, pledge.period_end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert to_jsonable(facts)["payments"][0]["at"] == "17:30:00"


def test_new_fact_fields_are_optional_with_the_old_meaning() -> None:
    form = AccountFactsIn(data={"payments": [{"paid_on": "2026-03-18", "amount": "80.00"}]})
    assert form.is_valid(), form.errors
    facts = facts_from_data(form.validated_data)
    assert (facts.hardship, facts.payments[0].at) == (False, None)


def test_pledge_period_must_not_end_before_it_starts() -> None:
    bad = {"pledges": [{**FACTS["pledges"][0], "period_end": "2026-02-28"}]}
    form = AccountFactsIn(data=bad)
    assert not form.is_valid()
    assert "period_end is before period_start." in str(form.errors)
