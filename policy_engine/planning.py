"""Notice planning: which notices the delinquency still needs, from when, and the earliest action
each enables. Consistent with decide() by construction: the earliest action is what decide()
answers once the planned notice (and those before it) are recorded as sent on their dates.

Across layers the shutoff notice goes out on the latest "not before" date any layer imposes
(NY: due + 20; PUC 779.1: bill + 19) but no later than the earliest date any layer would want
it for its waiting period, so no layer's rule is broken and action is not delayed needlessly.
"""

from dataclasses import replace
from datetime import date, timedelta

from .context import Ctx, before_lead, hours_to_days
from .core import NoticePlan, fmt_date
from .decision import Status
from .engine import decide, evaluate
from .facts import AccountFacts, NoticeFact
from .policy import Policy
from .rules_timing import notice_min_send, occupant_days

ORDER = ("reminder", "shutoff", "occupant", "final", "posted")


def _with(facts: AccountFacts, *notices: NoticeFact) -> AccountFacts:
    return replace(facts, notices=(*facts.notices, *notices))


def _earliest(policy: Policy, facts: AccountFacts, on: date) -> date | None:
    return decide(policy, facts, on).earliest_date


def _shutoff_send_on(ctxs: list[Ctx]) -> tuple[date, Ctx]:
    floors, targets = [], []
    for ctx in ctxs:
        assert ctx.dq.clock_start is not None
        floors.append((notice_min_send(ctx), ctx))
        threshold = ctx.dq.clock_start + timedelta(days=ctx.p("delinquency.min_days_before_disconnect"))
        target = before_lead(
            ctx.cal, threshold, ctx.p("notices.pre_disconnect_lead"), ctx.p("notices.mailing_lag_days")
        )
        if ctx.p("notices.after_stated_date"):
            target -= timedelta(days=1)
        targets.append(target)
    floor, ctx = max(floors, key=lambda item: item[0])
    return max(floor, min(targets)), ctx


def _on_business_day(policy: Policy, send_on: date, floor: date) -> date:
    """Notices go out on business days: the last one on or before `send_on`, unless that is
    before `floor` (the evaluation date or a "not before" rule), then the next one."""
    earlier = policy.calendar.previous_business_day(send_on)
    return earlier if earlier >= floor else policy.calendar.next_business_day(send_on)


def plans(policy: Policy, facts: AccountFacts, as_of: date) -> list[NoticePlan]:
    decision = decide(policy, facts, as_of)
    if decision.status == Status.NOT_DELINQUENT or decision.earliest_date is None:
        return []  # nothing owed, nothing to disconnect, or protected indefinitely: no dunning
    ev = evaluate(policy, facts, as_of)
    ctxs = [c for c in ev.ctxs if c.dq.clock_start is not None]
    if not ctxs or any(c.plan_next_day for c in ctxs):
        return []  # St. George plan default: no further notice is required
    occupant_required = facts.landlord_owned or facts.multiple_dwelling
    out: list[NoticePlan] = []
    first = ctxs[0]
    assert first.dq.oldest_due is not None
    hypothetical = facts
    if all(c.shutoff_notice is None for c in ctxs):
        send_on, ctx = _shutoff_send_on(ctxs)
        send_on = _on_business_day(policy, max(send_on, as_of), max(as_of, notice_min_send(ctx)))
        hypothetical = _with(facts, NoticeFact("shutoff", send_on))
        enabled = _earliest(policy, hypothetical, send_on)
        lead = ctx.p("notices.pre_disconnect_lead")
        out.append(
            NoticePlan(
                "shutoff",
                send_on,
                enabled,
                occupant_required,
                f"Disconnection notice for the bill due {fmt_date(first.dq.oldest_due)}: not before "
                f"{fmt_date(notice_min_send(ctx))}, {lead['value']} "
                f"{lead['unit'].lower().replace('_', ' ')} ahead of action.",
                ctx.layer.cite("notices.pre_disconnect_lead"),
                ctx.preset,
            )
        )
        shutoff_on = send_on
    else:
        shutoff_on = min(c.shutoff_notice.sent_on for c in ctxs if c.shutoff_notice is not None)
        enabled = decision.earliest_date
    if not any(n.kind == "reminder" and n.sent_on >= first.dq.oldest_due for n in facts.notices):
        remind_on = first.dq.oldest_due + timedelta(days=first.p("notices.reminder_after_due_days"))
        if remind_on < shutoff_on and (not out or out[0].send_on > as_of):
            out.append(
                NoticePlan(
                    "reminder",
                    max(remind_on, as_of),
                    enabled,
                    occupant_required,
                    f"Courtesy reminder: the bill due {fmt_date(first.dq.oldest_due)} is unpaid.",
                    first.layer.cite("notices.reminder_after_due_days"),
                    first.preset,
                )
            )
    target = enabled or shutoff_on
    for ctx in ctxs:
        since = notice_min_send(ctx)
        if occupant_required and not any(n.kind == "occupant" and n.sent_on >= since for n in facts.notices):
            days = occupant_days(ctx, "mail")
            send_on = _on_business_day(
                policy, max(as_of, since, target - timedelta(days=days)), max(as_of, since)
            )
            out.append(
                NoticePlan(
                    "occupant",
                    send_on,
                    None,
                    True,
                    f"Occupants of the landlord-owned premise: {days} days' written notice.",
                    ctx.layer.cite("notices.occupant_notice_days"),
                    ctx.preset,
                )
            )
        hours = ctx.p("notices.final_notice_hours")
        if hours is not None and not any(
            n.kind == "final" and n.sent_on >= shutoff_on for n in facts.notices
        ):
            floor = max(as_of, shutoff_on)
            send_on = _on_business_day(
                policy, max(floor, target - timedelta(days=hours_to_days(hours))), floor
            )
            out.append(
                NoticePlan(
                    "final",
                    send_on,
                    None,
                    occupant_required,
                    f"Final notice at least {hours} hours before disconnection.",
                    ctx.layer.cite("notices.final_notice_hours"),
                    ctx.preset,
                )
            )
        posting = ctx.p("notices.winter_posting_hours")
        if posting is not None and target.month in ctx.p("notices.winter_posting_months"):
            window = target - timedelta(days=hours_to_days(posting))
            send_on = _on_business_day(policy, max(as_of, window), max(as_of, window))
            if not any(n.kind == "posted" and n.sent_on >= send_on for n in facts.notices):
                out.append(
                    NoticePlan(
                        "posted",
                        send_on,
                        None,
                        occupant_required,
                        f"Winter termination: post the notice at the premises within {posting} hours before.",
                        ctx.layer.cite("notices.winter_posting_hours"),
                        ctx.preset,
                    )
                )
        if ctx.p("notices.final_posting_after_plan_default") and ctx.plan_default_on is not None:
            start = ctx.plan_default_on + timedelta(days=ctx.p("arrangements.default_tolerance_days"))
            if not any(n.kind == "posted" and n.sent_on >= start for n in facts.notices):
                out.append(
                    NoticePlan(
                        "posted",
                        max(as_of, start),
                        None,
                        occupant_required,
                        "Plan default: post the final notice at the property.",
                        ctx.layer.cite("notices.final_posting_after_plan_default"),
                        ctx.preset,
                    )
                )
    unique: dict[str, NoticePlan] = {}
    for plan in out:
        if plan.kind not in unique or plan.send_on > unique[plan.kind].send_on:
            unique[plan.kind] = plan
    return sorted(unique.values(), key=lambda p: (p.send_on, ORDER.index(p.kind)))
