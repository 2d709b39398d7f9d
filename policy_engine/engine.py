"""Disconnection decisions: the rules.md §0 pipeline over every layer of the policy.

Combining presets (§0 "most customer-protective"): each applicable layer is evaluated on its
own and every check is kept, labelled with its preset. Then
- any BLOCKED check blocks (union of protections); an indefinite block gives no earliest date;
- the earliest date is the latest `until` over all blocks and deferrals (max of waiting
  periods), rolled forward until *every* layer permits it (blackout days, moratoria, weather);
- the action is low-flow if any layer says low-flow instead of shutoff (the milder action).
A layer whose applicability test fails (e.g. SB 998 on a commercial account) contributes only
its NOT_APPLICABLE check; if no chosen layer applies, DEFAULT (with the utility's overrides)
governs, so there is always a rule set behind a decision.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from . import amounts
from .citations import UTILITY_POLICY
from .context import Ctx, hours_to_days
from .core import Delinquency, NoticePlan, bills_in_scope, delinquency_for, fmt_date
from .decision import Decision, Outcome, RuleCheck, Status
from .facts import AccountFacts, NoticeFact
from .policy import Policy
from .rules_calendar import blackout_ok, date_gates, seasonal_checks_at
from .rules_nsf import nsf_check
from .rules_protect import (
    appeal_check,
    applicable_layers,
    arrangement_check,
    bankruptcy_check,
    medical_check,
    min_arrears_check,
    pledge_check,
)
from .rules_timing import notice_allows, notice_min_send, notice_still_valid_on, timing_checks

B, D, S, NA = Outcome.BLOCKED, Outcome.DEFERRED, Outcome.SATISFIED, Outcome.NOT_APPLICABLE
ROLL_LIMIT = 800  # days: a candidate that cannot be placed within ~2 years is reported as blocked


@dataclass
class Evaluation:
    """Everything decide() worked out, for notice planning to reuse."""

    ctxs: list[Ctx]
    full: Delinquency
    checks: list[RuleCheck] = field(default_factory=list)
    action: str = "disconnect"


def _contexts(policy: Policy, facts: AccountFacts, as_of: date) -> tuple[list[Ctx], list[RuleCheck]]:
    layers, checks = applicable_layers(policy, facts, as_of)
    scoped = bills_in_scope(facts, as_of)
    ctxs = [
        Ctx(layer, policy, facts, as_of, delinquency_for(layer, policy, facts, as_of, scoped))
        for layer in layers
    ]
    return ctxs, checks


def contexts(policy: Policy, facts: AccountFacts, as_of: date) -> list[Ctx]:
    """One evaluation context per governing rule set (DEFAULT when none governs)."""
    return _contexts(policy, facts, as_of)[0]


def _service_check(facts: AccountFacts, as_of: date, action: str) -> RuleCheck | None:
    cite = UTILITY_POLICY  # rules.md §0 step 1: the utility's own service records
    final_billed = facts.final_billed_on is not None and facts.final_billed_on <= as_of
    if final_billed or facts.service_state == "final":
        return RuleCheck(
            "NOTHING_TO_DISCONNECT",
            B,
            "The account is final-billed: service has ended; collect the final bill instead.",
            cite,
            1,
        )
    if facts.service_state == "disconnected":
        return RuleCheck("NOTHING_TO_DISCONNECT", B, "Service is already disconnected.", cite, 1)
    if facts.service_state == "not_disconnectable":
        return RuleCheck(
            "NOTHING_TO_DISCONNECT",
            B,
            f"No service here can be shut off in the field ({facts.utility.replace('_', ' ')} is billed, "
            "not disconnected); collect by notice, arrangement or referral instead.",
            cite,
            1,
        )
    if facts.service_state == "low_flow" and action == "low_flow":
        return RuleCheck(
            "NOTHING_TO_DISCONNECT",
            B,
            "Service is already on low-flow, the policy's final step for this home.",
            cite,
            1,
        )
    return None


def evaluate(policy: Policy, facts: AccountFacts, as_of: date) -> Evaluation:
    ctxs, checks = _contexts(policy, facts, as_of)
    full = delinquency_for(ctxs[0].layer, policy, facts, as_of)
    ev = Evaluation(ctxs, full, checks)
    if full.past_due <= 0:
        return ev
    low_flow = any(c.p("action.low_flow_instead") for c in ctxs) and facts.residential and facts.single_family
    ev.action = "low_flow" if low_flow else "disconnect"
    if (service := _service_check(facts, as_of, ev.action)) is not None:
        checks.append(service)
        return ev
    if (bk := bankruptcy_check(policy, facts, as_of, ctxs[0].dq.past_due)) is not None:
        checks.append(bk)
    for ctx in ctxs:
        checks += [appeal_check(ctx), medical_check(ctx), pledge_check(ctx), arrangement_check(ctx)]
        checks += [min_arrears_check(ctx), *seasonal_checks_at(ctx)]
    for ctx in ctxs:
        if ctx.dq.clock_start is not None:
            checks += timing_checks(ctx)
            if (nsf := nsf_check(ctx)) is not None:
                checks.append(nsf)
    return ev


def _roll(ctxs: list[Ctx], start: date) -> tuple[date | None, list[RuleCheck]]:
    """The first date on or after `start` that every layer permits, and the checks that moved it."""
    d, moved = start, []
    for _ in range(ROLL_LIMIT):
        found = [c for ctx in ctxs for c in date_gates(ctx, d)]
        if not found:
            return d, moved
        moved += found
        d = max(c.until for c in found if c.until is not None)
    return None, moved


def _winter_posting(ctxs: list[Ctx], final: date) -> list[RuleCheck]:
    """52 Pa. Code 56.333: Dec-Mar, unless an adult was reached in person, a notice is posted at
    the premises within 48 hours before the termination."""
    out = []
    for ctx in ctxs:
        hours = ctx.p("notices.winter_posting_hours")
        if hours is None or final.month not in ctx.p("notices.winter_posting_months"):
            continue
        window = final - timedelta(days=hours_to_days(hours))
        since = ctx.shutoff_notice.sent_on if ctx.shutoff_notice else window
        visit = any(a.reached and a.method == "visit" and a.on >= since for a in ctx.facts.contact_attempts)
        posted = [n.sent_on for n in ctx.facts.notices if n.kind == "posted" and window <= n.sent_on <= final]
        path = "notices.winter_posting_hours"
        if visit or posted:
            how = "an adult was reached in person" if visit else f"notice posted {fmt_date(max(posted))}"
            out.append(
                ctx.check("WINTER_POSTING", S, f"Winter termination on {fmt_date(final)}: {how}.", path, 3)
            )
        else:
            out.append(
                ctx.check(
                    "WINTER_POSTING",
                    D,
                    f"Winter termination on {fmt_date(final)} needs a notice posted "
                    f"at the premises within {hours} hours before (from {fmt_date(window)}).",
                    path,
                    3,
                    final,
                    f"post the notice at the premises on or after {fmt_date(window)}",
                )
            )
    return out


def _resend_checks(ctxs: list[Ctx], final: date, as_of: date) -> list[RuleCheck]:
    """A notice must still be effective on the day (PA: 60 days). When the only notice lapses
    before `final`, a new one is needed, and the earliest date is no sooner than what a notice
    sent today would allow: reporting `final` itself would name a day nobody may act on."""
    out = []
    for ctx in ctxs:
        if ctx.notice_valid_through is None or notice_still_valid_on(ctx, final):
            continue
        sent = max(as_of, notice_min_send(ctx))
        fresh = notice_allows(ctx, NoticeFact("shutoff", sent))
        out.append(
            ctx.check(
                "NOTICE_EXPIRES",
                D,
                f"The notice is effective only through {fmt_date(ctx.notice_valid_through)}, before "
                f"the earliest otherwise permitted date {fmt_date(final)}: a new notice is needed "
                f"(sent {fmt_date(sent)}, it allows {fmt_date(fresh)}).",
                "notices.validity_days",
                3,
                max(final, fresh),
                "send a new disconnection notice",
            )
        )
    return out


def _dedupe(checks: list[RuleCheck]) -> tuple[RuleCheck, ...]:
    seen, out = set(), []
    for c in checks:
        key = (c.code, c.preset, c.reason)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return tuple(out)


def _deciding(checks: tuple[RuleCheck, ...], status: Status, final: date | None) -> RuleCheck | None:
    blocked = [c for c in checks if c.outcome == B]
    if blocked:
        return blocked[0]
    deferred = [c for c in checks if c.outcome == D]
    if status == Status.DEFERRED and deferred:
        at_final = [c for c in deferred if c.until == final]
        return at_final[-1] if at_final else max(deferred, key=lambda c: c.until or date.min)
    timing = [c for c in checks if c.outcome == S and c.step == 3]
    if timing:
        return max(timing, key=lambda c: c.until or date.min)
    satisfied = [c for c in checks if c.outcome == S]
    return satisfied[-1] if satisfied else None


def decide(policy: Policy, facts: AccountFacts, as_of: date) -> Decision:
    ev = evaluate(policy, facts, as_of)
    base = {
        "policy_name": policy.name,
        "policy_version": policy.version,
        "days_delinquent": ev.full.days_delinquent,
        "past_due": ev.full.past_due,
    }
    if ev.full.past_due <= 0:
        check = RuleCheck("NOT_DELINQUENT", NA, "Nothing is past due.", UTILITY_POLICY, 3)
        return Decision(as_of, Status.NOT_DELINQUENT, None, ev.action, (*ev.checks, check), check, **base)
    checks = ev.checks
    blocked = [c for c in checks if c.outcome == B]
    final: date | None = None
    if not any(c.until is None for c in blocked):
        candidate = max([as_of] + [c.until for c in checks if c.outcome in (B, D) and c.until is not None])
        final, moved = _roll(ev.ctxs, candidate)
        checks = checks + moved
        if final is not None and (resend := _resend_checks(ev.ctxs, final, as_of)):
            checks = checks + resend
            later = max(c.until for c in resend if c.until is not None)
            if later > final:
                final, moved = _roll(ev.ctxs, later)
                checks = checks + moved
        if final is not None:
            checks = checks + _winter_posting(ev.ctxs, final)
            checks.append(blackout_ok(ev.ctxs[0], final))
    all_checks = _dedupe(checks)
    if blocked or final is None:
        status = Status.BLOCKED
    elif final > as_of or any(c.outcome == D for c in all_checks):
        status = Status.DEFERRED
    else:
        status = Status.ELIGIBLE
    deciding = _deciding(all_checks, status, final)
    if final is None and not blocked and deciding is not None:
        deciding = replace(deciding, reason=deciding.reason + " No permitted date found within two years.")
    found = (
        amounts.late_fee(policy, facts, as_of),
        amounts.notice_fee(policy),
        amounts.reconnect_fee(policy, facts, after_hours=False, on=as_of),
    )
    return Decision(as_of, status, final, ev.action, all_checks, deciding, amounts=found, **base)


def delinquency(policy: Policy, facts: AccountFacts, as_of: date) -> Delinquency:
    """rules.md §1.1: current | past_due | delinquent, days delinquent and past-due amount, under
    the policy's first applicable rule set."""
    ctxs, _ = _contexts(policy, facts, as_of)
    return delinquency_for(ctxs[0].layer, policy, facts, as_of)


def notice_plans(policy: Policy, facts: AccountFacts, as_of: date) -> list[NoticePlan]:
    """Every notice still to send for this delinquency, in sending order (see planning.py)."""
    from .planning import plans  # planning replays decide(), so it imports this module

    return plans(policy, facts, as_of)


def notice_plan(policy: Policy, facts: AccountFacts, as_of: date) -> NoticePlan | None:
    """The next notice due: which kind, from when, and the earliest action it enables."""
    found = notice_plans(policy, facts, as_of)
    return found[0] if found else None
