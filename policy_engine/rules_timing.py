"""Pipeline step 3 (rules.md §0): timing gates. Each returns a check whose `until` is the first
date the gate allows action; a missing step (no notice, no contact) is DEFERRED with the date it
would allow if done today, and says what to do in `action_needed`."""

from datetime import date, timedelta

from .context import Ctx, after_lead, hours_to_days, lead_unit_text
from .core import fmt_date
from .decision import Outcome, RuleCheck
from .facts import NoticeFact
from .rules_contact import cold_period_gate, contact_gate, third_party_gate

S, D = Outcome.SATISFIED, Outcome.DEFERRED


def notice_min_send(ctx: Ctx) -> date:
    """The first day a disconnection notice for the oldest unpaid bill counts (PSL 32(2)(d):
    due + 20; PUC 779.1(a): bill + 19; otherwise the day after the due date)."""
    dq = ctx.dq
    assert dq.oldest_due is not None and dq.oldest_bill is not None
    start = dq.oldest_due + timedelta(days=ctx.p("notices.earliest_after_due_days"))
    after_bill = ctx.p("notices.earliest_after_bill_days")
    if after_bill is not None:
        start = max(start, dq.oldest_bill.bill_date + timedelta(days=after_bill))
    return start


def notice_allows(ctx: Ctx, notice: NoticeFact) -> date:
    lead = ctx.p("notices.pre_disconnect_lead")
    allowed = after_lead(ctx.cal, notice.sent_on, lead, ctx.p("notices.mailing_lag_days"))
    if notice.disconnect_on is not None:
        allowed = max(allowed, notice.disconnect_on)
    if ctx.p("notices.after_stated_date"):
        allowed += timedelta(days=1)
    return allowed


def valid_through(notice: NoticeFact, validity: int) -> date:
    """The last day a notice 'effective for N days' may be acted on: notice date + N (rules.md §0
    counts N days after D as D + N, as 1 Pa.C.S. 1908 does for 66 Pa.C.S. 1406(b)(1)(i))."""
    return notice.sent_on + timedelta(days=validity)


def notice_still_valid_on(ctx: Ctx, day: date) -> bool:
    """PA: some disconnection notice both allows action on `day` and is still valid then."""
    validity = ctx.p("notices.validity_days")
    if validity is None or not ctx.valid_notices:
        return True
    return any(notice_allows(ctx, n) <= day <= valid_through(n, validity) for n in ctx.valid_notices)


def days_delinquent_gate(ctx: Ctx) -> RuleCheck:
    path, dq = "delinquency.min_days_before_disconnect", ctx.dq
    minimum = ctx.p(path)
    assert dq.clock_start is not None
    allowed = dq.clock_start + timedelta(days=minimum)
    basis = "bill date" if ctx.p("delinquency.clock_start") == "BILL_DATE" else "due date"
    return ctx.gate(
        "DAYS_DELINQUENT",
        allowed,
        f"{dq.days_delinquent} days since the {basis} "
        f"{fmt_date(dq.clock_start)}; {minimum} required, so action is allowed from {fmt_date(allowed)}.",
        path,
    )


def shutoff_notice_gate(ctx: Ctx) -> list[RuleCheck]:
    path = "notices.pre_disconnect_lead"
    lead, lag = ctx.p(path), ctx.p("notices.mailing_lag_days")
    min_send = notice_min_send(ctx)
    validity = ctx.p("notices.validity_days")
    sent = sorted(
        (n for n in ctx.facts.notices if n.kind == "shutoff" and n.sent_on >= min_send),
        key=lambda n: n.sent_on,
    )
    early = [n for n in ctx.facts.notices if n.kind == "shutoff" and n.sent_on < min_send]
    valid = [n for n in sent if validity is None or ctx.as_of <= valid_through(n, validity)]
    lag_text = f" after a {lag}-day mailing period" if lag else ""
    if not valid:
        allowed = notice_allows(ctx, NoticeFact("shutoff", max(ctx.as_of, min_send)))
        why = "No disconnection notice has been sent for this delinquency"
        if sent:
            why = f"The notice of {fmt_date(sent[-1].sent_on)} expired after {validity} days"
        elif early:
            why = (
                f"The notice of {fmt_date(early[-1].sent_on)} was sent before {fmt_date(min_send)}, "
                "the first day a notice may be sent for this bill"
            )
        code = "NOTICE_EXPIRED" if sent else "NOTICE_TOO_EARLY" if early else "NOTICE_NOT_SENT"
        return [
            ctx.check(
                code,
                D,
                f"{why}; the notice must precede disconnection by {lead_unit_text(lead)}"
                f"{lag_text}. Sent on {fmt_date(max(ctx.as_of, min_send))}, it allows "
                f"{fmt_date(allowed)}.",
                path,
                3,
                allowed,
                "send the disconnection notice",
            )
        ]
    notice = valid[0]
    ctx.shutoff_notice, ctx.valid_notices = notice, tuple(valid)
    allowed = notice_allows(ctx, notice)
    stated = " and the day after the date stated in it" if ctx.p("notices.after_stated_date") else ""
    checks = [
        ctx.gate(
            "NOTICE_LEAD",
            allowed,
            f"Disconnection notice sent {fmt_date(notice.sent_on)} "
            f"({notice.method}); at least {lead_unit_text(lead)}{lag_text}{stated} must pass: allowed from "
            f"{fmt_date(allowed)}.",
            path,
        )
    ]
    if validity is not None:
        ctx.notice_valid_through = valid_through(notice, validity)
        checks.append(
            ctx.check(
                "NOTICE_VALIDITY",
                S,
                f"The notice of {fmt_date(notice.sent_on)} is valid for "
                f"{validity} days, through {fmt_date(ctx.notice_valid_through)}.",
                "notices.validity_days",
                3,
            )
        )
    return checks


def final_notice_gate(ctx: Ctx) -> RuleCheck | None:
    path, hours = "notices.final_notice_hours", ctx.p("notices.final_notice_hours")
    if hours is None:
        return None
    days, after = hours_to_days(hours), ctx.shutoff_notice.sent_on if ctx.shutoff_notice else None
    finals = [n for n in ctx.facts.notices if n.kind == "final" and after is not None and n.sent_on >= after]
    if not finals:
        start = max(ctx.as_of, after or ctx.as_of)
        return ctx.check(
            "FINAL_NOTICE",
            D,
            f"A final notice must be sent or posted at least {hours} hours before "
            f"disconnection (after the disconnection notice); sent {fmt_date(start)}, it allows "
            f"{fmt_date(start + timedelta(days=days))}.",
            path,
            3,
            start + timedelta(days=days),
            "send the final (48-hour) notice",
        )
    last = max(n.sent_on for n in finals)
    allowed = last + timedelta(days=days)
    return ctx.gate(
        "FINAL_NOTICE",
        allowed,
        f"Final notice sent {fmt_date(last)}; {hours} hours must pass: allowed from {fmt_date(allowed)}.",
        path,
    )


def occupant_days(ctx: Ctx, method: str) -> int:
    mailed = ctx.p("notices.occupant_notice_days_mailed")
    return mailed if method == "mail" and mailed is not None else ctx.p("notices.occupant_notice_days")


_OCCUPANTS_WHY = {
    True: "The owner is the customer of record",
    False: "One account serves a building of units",
}


def occupant_gate(ctx: Ctx) -> RuleCheck | None:
    f, path = ctx.facts, "notices.occupant_notice_days"
    if not (f.landlord_owned or f.multiple_dwelling):
        return None
    since = notice_min_send(ctx)
    sent = sorted(
        (n for n in f.notices if n.kind == "occupant" and n.sent_on >= since), key=lambda n: n.sent_on
    )
    if not sent:
        days = occupant_days(ctx, "mail")
        allowed = max(ctx.as_of, since) + timedelta(days=days)
        return ctx.check(
            "OCCUPANT_NOTICE",
            D,
            f"{_OCCUPANTS_WHY[f.landlord_owned]}: occupants must get written "
            f"notice {days} days before (mailed). Sent {fmt_date(max(ctx.as_of, since))}, it allows "
            f"{fmt_date(allowed)}.",
            path,
            3,
            allowed,
            "notify the occupants",
        )
    notice = sent[0]
    days = occupant_days(ctx, notice.method)
    allowed = notice.sent_on + timedelta(days=days)
    return ctx.gate(
        "OCCUPANT_NOTICE",
        allowed,
        f"Occupants notified {fmt_date(notice.sent_on)} "
        f"({notice.method}); {days} days must pass: allowed from {fmt_date(allowed)}.",
        path,
    )


def plan_default_posting_gate(ctx: Ctx) -> RuleCheck | None:
    path, lead = "notices.final_posting_after_plan_default", ctx.p("notices.final_posting_after_plan_default")
    if lead is None or ctx.plan_default_on is None:
        return None
    start = ctx.plan_default_on + timedelta(days=ctx.p("arrangements.default_tolerance_days"))
    posted = sorted(n.sent_on for n in ctx.facts.notices if n.kind == "posted" and n.sent_on >= start)
    if not posted:
        when = max(ctx.as_of, start)
        allowed = after_lead(ctx.cal, when, lead)
        return ctx.check(
            "PLAN_DEFAULT_POSTING",
            D,
            f"After a plan default a final notice is posted at the property "
            f"at least {lead_unit_text(lead)} before disconnection; posted {fmt_date(when)}, it allows "
            f"{fmt_date(allowed)}.",
            path,
            3,
            allowed,
            "post the final notice at the property",
        )
    allowed = after_lead(ctx.cal, posted[0], lead)
    return ctx.gate(
        "PLAN_DEFAULT_POSTING",
        allowed,
        f"Final notice posted {fmt_date(posted[0])}; "
        f"{lead_unit_text(lead)} must pass: allowed from {fmt_date(allowed)}.",
        path,
    )


def timing_checks(ctx: Ctx) -> list[RuleCheck]:
    if ctx.plan_next_day:
        assert ctx.plan_default_on is not None
        allowed = ctx.plan_default_on + timedelta(days=1)
        return [
            ctx.gate(
                "PLAN_DEFAULT_NEXT_DAY",
                allowed,
                f"Arrangement default on {fmt_date(ctx.plan_default_on)}: "
                f"disconnection allowed from {fmt_date(allowed)} without further notice.",
                "arrangements.default_disconnect_next_day",
            )
        ]
    checks = [days_delinquent_gate(ctx), *shutoff_notice_gate(ctx)]
    for gate in (
        final_notice_gate,
        contact_gate,
        third_party_gate,
        occupant_gate,
        plan_default_posting_gate,
        cold_period_gate,
    ):
        if (check := gate(ctx)) is not None:
            checks.append(check)
    return checks
