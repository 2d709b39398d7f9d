"""Worked cases, derived by hand from rules.md, for NY_HEFPA and PA_CH14. §0: N days after D is
D + N, so a PA notice "effective for 60 days" dated D may be acted on through D + 60 and a 30-day
medical certificate received on D holds through D + 30."""

from dataclasses import replace
from datetime import date, timedelta

from policy_engine import amounts
from policy_engine.decision import Outcome, Status
from policy_engine.engine import decide
from policy_engine.facts import (
    AccountFacts,
    BillFact,
    ContactAttemptFact,
    MedicalCertificateFact,
    NoticeFact,
)

from .builders import check, codes, money, one_bill, pol, with_notices

S, D, B = Outcome.SATISFIED, Outcome.DEFERRED, Outcome.BLOCKED

# --- NY_HEFPA -----------------------------------------------------------------------------------


def test_ny_notice_not_before_due_plus_20_and_15_days_onto_christmas():
    # Water (no cold-period step). Due Fri 2026-11-20 + 20 = Thu 12-10: a notice of Wed 12-09 does
    # not count. Sent Thu 12-10 + 15 = Fri 12-25 (Christmas), then the weekend: Mon 12-28.
    bill = one_bill(date(2026, 11, 20))
    early = decide(pol("NY_HEFPA"), with_notices(bill, ("shutoff", date(2026, 12, 9))), date(2026, 12, 21))
    assert "sent before Thu 2026-12-10" in check(early, "NOTICE_TOO_EARLY").reason
    facts = with_notices(bill, ("shutoff", date(2026, 12, 10)))
    d = decide(pol("NY_HEFPA"), facts, date(2026, 12, 21))
    assert check(d, "NOTICE_LEAD").until == date(2026, 12, 25)
    assert (d.status, d.earliest_date) == (Status.DEFERRED, date(2026, 12, 28))
    assert decide(pol("NY_HEFPA"), facts, date(2026, 12, 28)).status == Status.ELIGIBLE


def test_ny_termination_date_printed_on_the_notice_governs_when_later():
    # Notice Thu 12-10 printing Wed 12-30 as the termination date: 15 days would allow 12-25
    # (then 12-28), but not before the date on the notice.
    facts = with_notices(
        one_bill(date(2026, 11, 20)),
        NoticeFact("shutoff", date(2026, 12, 10), disconnect_on=date(2026, 12, 30)),
    )
    d = decide(pol("NY_HEFPA"), facts, date(2026, 12, 28))
    assert (d.status, d.earliest_date) == (Status.DEFERRED, date(2026, 12, 30))


READY = with_notices(one_bill(date(2026, 1, 5)), ("shutoff", date(2026, 1, 6)))


def test_ny_medical_renewals_are_unlimited_pa_stops_after_two_when_not_paying():
    # Third renewal received Sat 2026-12-05, no payment since the first certificate.
    # NY (30 days renewable [M]): holds through 12-05 + 30 = Mon 2027-01-04, until Tue 01-05.
    certs = (MedicalCertificateFact(date(2026, 9, 1)), MedicalCertificateFact(date(2026, 12, 5), renewal=3))
    facts = replace(READY, medical_certificates=certs)
    ny = decide(pol("NY_HEFPA"), facts, date(2026, 12, 10))
    assert (ny.status, ny.deciding.code, ny.deciding.until) == (
        Status.BLOCKED,
        "MEDICAL_CERTIFICATE",
        date(2027, 1, 5),
    )
    assert ny.deciding.citation == "PSL 32(3)(a); 16 NYCRR 11.5 [M]"  # not the catalogue's PA/Delaware text
    pa = decide(pol("PA_CH14"), facts, date(2026, 12, 10))
    assert "at most 2 renewals protect" in check(pa, "MEDICAL_RENEWAL_CAP").reason


def test_ny_down_payment_cap_rounds_half_up():
    # PSL 37(1): min(1/2 of $333.33 = 166.665 -> $166.67, 3 average bills of $60.00 = $180.00).
    bills = tuple(BillFact(date(2026, m, 1), date(2026, m, 20), money(60)) for m in (4, 5, 6))
    limits = amounts.arrangement_limits(
        pol("NY_HEFPA"), AccountFacts(bills=bills), date(2026, 7, 6), arrears=money("333.33")
    )
    assert limits.down_payment_cap == money("166.67")
    assert limits.average_monthly_bill == money("60.00")


# --- PA_CH14 ------------------------------------------------------------------------------------


def _pa(due: date, sent: date, **extra) -> AccountFacts:
    visit = ContactAttemptFact(sent + timedelta(days=1), "visit", reached=True)
    return replace(with_notices(one_bill(due), ("shutoff", sent)), contact_attempts=(visit,), **extra)


def test_pa_notice_is_effective_through_notice_date_plus_60():
    # Notice Mon 2026-06-01: + 29 = 06-30, + 31 = Fri 07-31 (60). Adult visited Tue 06-02.
    # Fri 07-31 is still within it; Mon 08-03 needs a new notice: 08-03 + 10 = Thu 08-13.
    facts = _pa(date(2026, 5, 15), date(2026, 6, 1))
    last = decide(pol("PA_CH14"), facts, date(2026, 7, 31))
    assert last.status == Status.ELIGIBLE
    assert "through Fri 2026-07-31" in check(last, "NOTICE_VALIDITY").reason
    after = decide(pol("PA_CH14"), facts, date(2026, 8, 3))
    expired = check(after, "NOTICE_EXPIRED")
    assert (expired.outcome, expired.until) == (D, date(2026, 8, 13))
    assert after.earliest_date == date(2026, 8, 13)


def test_pa_notice_expiring_over_the_holiday_weekend_needs_a_new_notice_first():
    # Notice Wed 2026-05-06: + 25 = 05-31, + 30 = 06-30 (55), + 5 = Sun 07-05: effective through
    # 07-05. Thu 07-02 is fine. On Fri 07-03 (holiday) the next permitted day is Mon 07-06, after
    # the notice lapsed: a new notice sent today allows 07-03 + 10 = Mon 07-13, the real earliest date.
    facts = _pa(date(2026, 4, 20), date(2026, 5, 6))
    assert decide(pol("PA_CH14"), facts, date(2026, 7, 2)).status == Status.ELIGIBLE
    d = decide(pol("PA_CH14"), facts, date(2026, 7, 3))
    resend = check(d, "NOTICE_EXPIRES")
    assert (resend.outcome, resend.until, resend.action_needed) == (
        D,
        date(2026, 7, 13),
        "send a new disconnection notice",
    )
    assert (d.status, d.earliest_date, d.deciding.code) == (
        Status.DEFERRED,
        date(2026, 7, 13),
        "NOTICE_EXPIRES",
    )


def test_pa_ten_day_notice_over_july_4_and_phone_contact_on_two_days():
    # Notice Wed 2026-06-24 + 10 = Sat 07-04 -> Mon 07-06. Calls Mon 06-29 and Thu 07-02 complete
    # phone contact on 07-02; + 3 days = Sun 07-05: Mon 07-06. A second call only on Mon 07-06
    # moves it to Thu 07-09.
    base = with_notices(one_bill(date(2026, 6, 1)), ("shutoff", date(2026, 6, 24)))
    one_call = replace(base, contact_attempts=(ContactAttemptFact(date(2026, 6, 29)),))
    d = decide(pol("PA_CH14"), one_call, date(2026, 7, 1))
    assert check(d, "CONTACT_ATTEMPT").action_needed == "call again on another day"
    two = replace(
        base, contact_attempts=(ContactAttemptFact(date(2026, 6, 29)), ContactAttemptFact(date(2026, 7, 2)))
    )
    d = decide(pol("PA_CH14"), two, date(2026, 7, 1))
    assert check(d, "NOTICE_LEAD").until == date(2026, 7, 4)
    assert check(d, "CONTACT_ATTEMPT").until == date(2026, 7, 5)
    assert d.earliest_date == date(2026, 7, 6)
    late = replace(
        base, contact_attempts=(ContactAttemptFact(date(2026, 6, 29)), ContactAttemptFact(date(2026, 7, 6)))
    )
    assert decide(pol("PA_CH14"), late, date(2026, 7, 6)).earliest_date == date(2026, 7, 9)


def test_pa_winter_block_includes_exactly_250_percent_and_starts_december_1():
    # Notice Mon 2026-11-23 + 10 = Thu 12-03, inside Dec 1 - Mar 31 for a household at 250% FPL
    # (≤ 250%): moved to Thu 2027-04-01. The notice is effective only through 11-23 + 60 =
    # Fri 2027-01-22, so a new one is needed before then. At 250.01% Thu 12-03 stands (the adult
    # reached in person on 11-24 replaces the December posting).
    facts = _pa(date(2026, 10, 26), date(2026, 11, 23), poverty_pct=money(250))
    d = decide(pol("PA_CH14"), facts, date(2026, 11, 25))
    assert (d.status, d.earliest_date) == (Status.DEFERRED, date(2027, 4, 1))
    assert D in codes(d)["WINTER_INCOME_DEFER"]
    assert check(d, "NOTICE_EXPIRES").action_needed == "send a new disconnection notice"
    above = decide(pol("PA_CH14"), replace(facts, poverty_pct=money("250.01")), date(2026, 11, 25))
    assert (above.status, above.earliest_date) == (Status.DEFERRED, date(2026, 12, 3))
    assert "reached in person" in check(above, "WINTER_POSTING").reason
    held = decide(pol("PA_CH14"), facts, date(2026, 12, 3))
    assert (held.status, held.deciding.code, held.deciding.until) == (
        Status.BLOCKED,
        "WINTER_INCOME_BLOCK",
        date(2027, 4, 1),
    )


def test_pa_medical_certificate_holds_30_days_at_most_whatever_it_states():
    # 52 Pa. Code 56.114 "for the period stated, max 30 days": received Mon 2026-06-01 stating
    # 07-31 holds through 06-01 + 30 = Wed 07-01 only. Notice Mon 06-22 + 10 = Thu 07-02 and calls
    # on 06-25/06-26 (+ 3 days = 06-29) are met, so Thu 07-02 is the first day. A certificate
    # stating an earlier end (06-30) holds through that day.
    base = replace(
        with_notices(one_bill(date(2026, 6, 1)), ("shutoff", date(2026, 6, 22))),
        contact_attempts=(ContactAttemptFact(date(2026, 6, 25)), ContactAttemptFact(date(2026, 6, 26))),
    )
    facts = replace(base, medical_certificates=(MedicalCertificateFact(date(2026, 6, 1), date(2026, 7, 31)),))
    d = decide(pol("PA_CH14"), facts, date(2026, 7, 1))
    assert (d.status, d.deciding.code, d.deciding.until) == (
        Status.BLOCKED,
        "MEDICAL_CERTIFICATE",
        date(2026, 7, 2),
    )
    assert decide(pol("PA_CH14"), facts, date(2026, 7, 2)).status == Status.ELIGIBLE
    short = replace(base, medical_certificates=(MedicalCertificateFact(date(2026, 6, 1), date(2026, 6, 30)),))
    assert decide(pol("PA_CH14"), short, date(2026, 6, 23)).deciding.until == date(2026, 7, 1)


def test_pa_arrangement_term_at_the_tier_boundaries():
    # 66 Pa.C.S. 1405(b): ≤ 150% 60 months, ≤ 250% 36, ≤ 300% 12, above 300% 6.
    for pct, months in (("250", 36), ("250.01", 12), ("300", 12), ("300.01", 6)):
        limits = amounts.arrangement_limits(
            pol("PA_CH14"), AccountFacts(poverty_pct=money(pct)), date(2026, 7, 6), arrears=money(900)
        )
        assert limits.max_months == months, pct
