"""notice_plan(): the next notice, from when, and that sending it yields decide()'s date."""

from dataclasses import replace
from datetime import date

from policy_engine.decision import Status
from policy_engine.engine import decide, notice_plan, notice_plans
from policy_engine.facts import NoticeFact

from .builders import one_bill, pol, with_notices


def test_reminder_first_then_the_shutoff_notice_timed_for_the_waiting_period():
    facts = one_bill(date(2026, 9, 1))
    plans = notice_plans(pol(), facts, date(2026, 9, 2))
    assert [p.kind for p in plans] == ["reminder", "shutoff"]
    assert plans[0].send_on == date(2026, 9, 2)
    # threshold Sat 10-31: the last business day before is Fri 10-30, minus 7 business days = Wed 10-21.
    shutoff = plans[1]
    assert shutoff.send_on == date(2026, 10, 21)
    assert shutoff.earliest_action == date(2026, 11, 2)
    assert shutoff.citation == "utility policy"  # DEFAULT cites no state's law (issue 12)
    assert notice_plans(pol("CA_SB998_WATER"), facts, date(2026, 9, 2))[1].citation == "HSC 116908(a)(1)(A)"


def test_plan_is_consistent_with_decide():
    for preset in ("DEFAULT", "CA_SB998_WATER", "NY_HEFPA", "PA_CH14", "TX_PUC_ELECTRIC", "AZ_PHOENIX_WATER"):
        facts = one_bill(date(2026, 9, 1))
        plan = next(p for p in notice_plans(pol(preset), facts, date(2026, 9, 2)) if p.kind == "shutoff")
        sent = with_notices(facts, ("shutoff", plan.send_on))
        d = decide(pol(preset), sent, plan.send_on)
        assert d.earliest_date == plan.earliest_action, preset
        if preset in ("DEFAULT", "CA_SB998_WATER", "TX_PUC_ELECTRIC", "AZ_PHOENIX_WATER"):
            assert decide(pol(preset), sent, plan.earliest_action).status == Status.ELIGIBLE, preset


def test_ny_shutoff_notice_waits_for_due_plus_20():
    plan = notice_plan(pol("NY_HEFPA"), one_bill(date(2026, 3, 2)), date(2026, 3, 10))
    assert plan is not None and plan.kind == "reminder"
    shutoff = [
        p
        for p in notice_plans(pol("NY_HEFPA"), one_bill(date(2026, 3, 2)), date(2026, 3, 10))
        if p.kind == "shutoff"
    ]
    assert shutoff[0].send_on == date(2026, 3, 23)  # due + 20 is a Sunday: the next business day
    assert shutoff[0].earliest_action == date(2026, 4, 7)  # 03-23 + 15


def test_overdue_notice_is_due_today_and_reminder_dropped():
    plan = notice_plan(pol(), one_bill(date(2026, 1, 5)), date(2026, 4, 1))
    assert (plan.kind, plan.send_on) == ("shutoff", date(2026, 4, 1))
    assert plan.earliest_action == date(2026, 4, 10)


def test_occupant_and_final_notices_are_planned_after_the_shutoff_notice():
    facts = replace(
        with_notices(one_bill(date(2026, 9, 1)), ("shutoff", date(2026, 10, 21))), landlord_owned=True
    )
    plans = notice_plans(pol("CA_MUNI_WATER"), facts, date(2026, 10, 22))
    kinds = {p.kind: p for p in plans}
    assert {"occupant", "final"} <= set(kinds)
    # the earliest action is Mon 11-02: occupants need 10 days (Fri 10-23), the final notice 48 h
    # (Sat 10-31, moved to the business day before, Fri 10-30).
    assert kinds["occupant"].occupant_required and kinds["occupant"].send_on == date(2026, 10, 23)
    assert kinds["final"].send_on == date(2026, 10, 30)
    done = with_notices(facts, ("occupant", date(2026, 10, 23)), ("final", date(2026, 10, 30)))
    assert decide(pol("CA_MUNI_WATER"), done, date(2026, 10, 30)).earliest_date == date(2026, 11, 2)


def test_no_plan_when_current_protected_indefinitely_or_after_st_george_default():
    assert notice_plan(pol(), one_bill(date(2026, 9, 1)), date(2026, 9, 1)) is None  # not yet past due
    assert (
        notice_plan(pol(), replace(one_bill(date(2026, 1, 5)), appeal_pending=True), date(2026, 4, 1)) is None
    )


def test_sent_notices_are_not_planned_again():
    facts = with_notices(
        one_bill(date(2026, 9, 1)), NoticeFact("reminder", date(2026, 9, 2)), ("shutoff", date(2026, 10, 21))
    )
    assert notice_plans(pol(), facts, date(2026, 10, 22)) == []
