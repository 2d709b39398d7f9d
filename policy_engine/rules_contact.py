"""Pipeline step 3 (rules.md §0), the people to reach before disconnection: an adult at the
premises (PUC 779.1(b), PA 56.333), a designated third party (ACC 2021 rule) and, in New
York's cold period, a reached contact for the social-services referral (18 NYCRR 394.1).
Split from `rules_timing.py`, which calls these gates after the notice gates (the contact
window starts at the disconnection notice)."""

from datetime import timedelta

from .context import Ctx, hours_to_days
from .core import fmt_date, in_season
from .decision import Outcome, RuleCheck

D, NA = Outcome.DEFERRED, Outcome.NOT_APPLICABLE


def contact_gate(ctx: Ctx) -> RuleCheck | None:
    """PUC 779.1(b): reach an adult >= 24 h before, else a notice >= 48 h before; PA 56.333: an
    attempt >= 3 days before, phone contact on 2 separate days."""
    if not ctx.p("contact.required"):
        return None
    path = "contact.lead_hours"
    hours, fallback = ctx.p(path), ctx.p("contact.fallback_notice_hours")
    days, need_days = hours_to_days(hours), ctx.p("contact.phone_separate_days")
    since = ctx.shutoff_notice.sent_on if ctx.shutoff_notice else ctx.dq.oldest_due
    attempts = [a for a in ctx.facts.contact_attempts if since is None or a.on >= since]
    reached = sorted(a.on for a in attempts if a.reached)
    if reached:
        allowed = reached[0] + timedelta(days=days)
        return ctx.gate(
            "CONTACT_ATTEMPT",
            allowed,
            f"An adult was reached on {fmt_date(reached[0])}; at least "
            f"{hours} hours must pass: allowed from {fmt_date(allowed)}.",
            path,
        )
    if attempts and fallback is not None:
        first = min(a.on for a in attempts)
        notices = sorted(
            n.sent_on for n in ctx.facts.notices if n.kind in ("final", "posted") and n.sent_on >= first
        )
        if notices:
            allowed = notices[0] + timedelta(days=hours_to_days(fallback))
            return ctx.gate(
                "CONTACT_FALLBACK_NOTICE",
                allowed,
                f"No adult was reached ({len(attempts)} attempts); "
                f"a notice was given {fmt_date(notices[0])}, {fallback} hours before: allowed from "
                f"{fmt_date(allowed)}.",
                "contact.fallback_notice_hours",
            )
        allowed = ctx.as_of + timedelta(days=hours_to_days(fallback))
        return ctx.check(
            "CONTACT_FALLBACK_NOTICE",
            D,
            f"No adult was reached ({len(attempts)} attempts); a notice "
            f"by mail or in person at least {fallback} hours before is required: given today, it "
            f"allows {fmt_date(allowed)}.",
            "contact.fallback_notice_hours",
            3,
            allowed,
            "mail or hand-deliver the 48-hour notice",
        )
    if attempts:
        phone_days = sorted({a.on for a in attempts if a.method == "phone"})
        visits = sorted(a.on for a in attempts if a.method != "phone")
        if visits or len(phone_days) >= need_days:
            done = visits[0] if visits else phone_days[need_days - 1]
            allowed = done + timedelta(days=days)
            return ctx.gate(
                "CONTACT_ATTEMPT",
                allowed,
                f"Contact attempted ({len(attempts)} attempts, completed "
                f"{fmt_date(done)}); at least {hours} hours must pass: allowed from {fmt_date(allowed)}.",
                path,
            )
        allowed = ctx.as_of + timedelta(days=days)
        return ctx.check(
            "CONTACT_ATTEMPT",
            D,
            f"Phone contact needs calls on {need_days} separate days; calls were "
            f"made on {len(phone_days)}. Completed today, it allows {fmt_date(allowed)}.",
            "contact.phone_separate_days",
            3,
            allowed,
            "call again on another day",
        )
    allowed = ctx.as_of + timedelta(days=days)
    return ctx.check(
        "CONTACT_ATTEMPT",
        D,
        f"No contact attempt since {fmt_date(since)}; one is required at least "
        f"{hours} hours before disconnection. Made today, it allows {fmt_date(allowed)}.",
        path,
        3,
        allowed,
        "attempt to reach an adult by phone or visit",
    )


def third_party_gate(ctx: Ctx) -> RuleCheck | None:
    path, days = "contact.third_party_days", ctx.p("contact.third_party_days")
    if days is None or not ctx.facts.third_party_designated:
        return None
    since = ctx.dq.oldest_due
    sent = sorted(
        n.sent_on for n in ctx.facts.notices if n.method == "third_party" and since and n.sent_on >= since
    )
    if not sent:
        allowed = ctx.as_of + timedelta(days=days)
        return ctx.check(
            "THIRD_PARTY_NOTICE",
            D,
            f"The customer designated a third party, who must be told and "
            f"given {days} days to pay: told today, that allows {fmt_date(allowed)}.",
            path,
            3,
            allowed,
            "notify the designated third party",
        )
    allowed = sent[0] + timedelta(days=days)
    return ctx.gate(
        "THIRD_PARTY_NOTICE",
        allowed,
        f"The designated third party was notified "
        f"{fmt_date(sent[0])} and has {days} days: allowed from {fmt_date(allowed)}.",
        path,
    )


def cold_period_gate(ctx: Ctx) -> RuleCheck | None:
    """18 NYCRR 394.1: heat-related terminations in the cold period go through social-services
    referral; the engine requires a reached contact since the notice [M: procedure detail]."""
    start = ctx.p("protections.cold_period_start")
    if start is None or ctx.facts.utility not in ctx.p("protections.cold_period_utilities"):
        return None
    end, path = ctx.p("protections.cold_period_end"), "protections.cold_period_start"
    if not in_season(ctx.as_of, start, end):
        return ctx.check("COLD_PERIOD", NA, f"Outside the cold-weather period {start}..{end}.", path, 3)
    since = ctx.shutoff_notice.sent_on if ctx.shutoff_notice else ctx.as_of
    reached = sorted(a.on for a in ctx.facts.contact_attempts if a.reached and a.on >= since)
    if reached:
        return ctx.gate(
            "COLD_PERIOD",
            reached[0] + timedelta(days=1),
            f"Cold-weather period: an adult was reached "
            f"{fmt_date(reached[0])} for the social-services referral.",
            path,
        )
    return ctx.check(
        "COLD_PERIOD",
        D,
        f"Cold-weather period ({start}..{end}): heat-related service needs contact with "
        "an adult and a social-services referral before termination [M].",
        path,
        3,
        ctx.as_of + timedelta(days=1),
        "reach an adult and refer to social services",
    )
