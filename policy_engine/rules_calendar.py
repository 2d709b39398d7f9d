"""Date-dependent gates: seasonal moratoria and weather (pipeline step 2 on the decision date,
step 4 "weather look-ahead" on later dates) and blackout days (step 4). Each takes a candidate
date and returns None when that date is permitted, else a check whose `until` is the next date
worth trying; the engine rolls a candidate forward until every layer permits it."""

from datetime import date, timedelta

from .calendar import WEEKDAY_CODES
from .context import Ctx
from .core import fmt_date, in_season, season_end
from .decision import Outcome, RuleCheck

ONE = timedelta(days=1)
B, D, S, NA = Outcome.BLOCKED, Outcome.DEFERRED, Outcome.SATISFIED, Outcome.NOT_APPLICABLE
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _weather_by_date(ctx: Ctx) -> dict:
    return {w.on: w for w in ctx.facts.weather}


def _temperature(ctx: Ctx, d: date) -> tuple[date, str] | None:
    mode = ctx.p("weather.mode")
    hot, cold = ctx.p("weather.hot_threshold_f"), ctx.p("weather.cold_threshold_f")
    inclusive = ctx.p("weather.hot_inclusive") or mode == "VA"
    # The look-ahead covers every calendar day the window touches: 24 h from a morning
    # disconnection reaches into the next day, so both days' forecasts count.
    days = ctx.p("weather.look_ahead_hours") // 24
    by_date, bad = _weather_by_date(ctx), []
    for i in range(days + 1):
        w = by_date.get(d + timedelta(days=i))
        if w is None:
            continue
        why = []
        if w.high_f is not None and (w.high_f >= hot if inclusive else w.high_f > hot):
            why.append(f"forecast high {w.high_f}°F {'≥' if inclusive else '>'} {hot}°F")
        low = w.low_f if mode == "VA" else w.high_f
        if low is not None and low <= cold:
            why.append(f"forecast {'low' if mode == 'VA' else 'high'} {low}°F ≤ {cold}°F")
        if w.heat_advisory and ctx.p("weather.heat_advisory_blocks"):
            why.append("heat advisory")
        if w.winter_advisory and ctx.p("weather.winter_advisory_blocks"):
            why.append("winter-weather advisory")
        if why:
            bad.append((w.on, f"{fmt_date(w.on)}: {', '.join(why)}"))
    if not bad:
        return None
    text = "; ".join(t for _, t in bad)
    return max(on for on, _ in bad) + ONE, f"weather within {ctx.p('weather.look_ahead_hours')} h ({text})"


def _tx_extreme(ctx: Ctx, d: date) -> tuple[date, str] | None:
    """16 TAC 25.483(j): (A) yesterday's high did not exceed freezing and the forecast stays at
    or below freezing for the next 24 h; (B) a heat advisory issued today or on either of the two
    preceding days."""
    by_date, cold = _weather_by_date(ctx), ctx.p("weather.cold_threshold_f")
    lookback = ctx.p("weather.heat_advisory_lookback_days")
    advisories = [
        d - timedelta(days=i)
        for i in range(lookback + 1)
        if (w := by_date.get(d - timedelta(days=i))) and w.heat_advisory
    ]
    if advisories:
        last = max(advisories)
        return last + timedelta(
            days=lookback + 1
        ), f"heat advisory issued {fmt_date(last)} (extreme weather emergency)"
    yesterday = by_date.get(d - ONE)
    window = [
        by_date.get(d + timedelta(days=i)) for i in range(max(ctx.p("weather.look_ahead_hours") // 24, 1))
    ]
    known = [w for w in window if w is not None and w.high_f is not None]
    frozen = yesterday is not None and yesterday.high_f is not None and yesterday.high_f <= cold
    if frozen and known and all(w.high_f <= cold for w in known) and yesterday is not None:
        return d + ONE, (
            f"freezing emergency: high {yesterday.high_f}°F on {fmt_date(yesterday.on)} and "
            f"forecast at or below {cold}°F"
        )
    return None


def weather_block(ctx: Ctx, d: date) -> tuple[date, str, str] | None:
    """(until, reason, parameter path) when weather or the seasonal moratorium forbids d."""
    mode = ctx.p("weather.mode")
    if mode in ("CALENDAR", "AZ_CALENDAR"):
        start, end = ctx.p("weather.moratorium_start"), ctx.p("weather.moratorium_end")
        if in_season(d, start, end):
            until = season_end(d, start, end)
            return (
                until,
                f"seasonal moratorium {start}..{end}, through {fmt_date(until - ONE)}",
                "weather.mode",
            )
        return None
    found = (
        _temperature(ctx, d)
        if mode in ("TEMPERATURE", "VA")
        else _tx_extreme(ctx, d)
        if mode == "TX_EXTREME"
        else None
    )
    return (found[0], found[1], "weather.mode") if found else None


def winter_block(ctx: Ctx, d: date) -> tuple[date, str, str] | None:
    pct, path = ctx.p("protections.winter_block_fpl_pct"), "protections.winter_block_fpl_pct"
    poverty = ctx.facts.poverty_pct
    if pct is None or poverty is None or poverty > pct:
        return None
    start, end = ctx.p("protections.winter_block_start"), ctx.p("protections.winter_block_end")
    if not in_season(d, start, end):
        return None
    until = season_end(d, start, end)
    return (
        until,
        (
            f"winter protection {start}..{end} for households at or below {pct}% of the poverty line "
            f"(this one: {poverty}%), through {fmt_date(until - ONE)}"
        ),
        path,
    )


def seasonal_checks_at(ctx: Ctx) -> list[RuleCheck]:
    """Step 2 on the decision date: is a moratorium, weather emergency or winter block on now?"""
    checks = []
    for code, fn, path in (
        ("WEATHER", weather_block, "weather.mode"),
        ("WINTER_INCOME", winter_block, "protections.winter_block_fpl_pct"),
    ):
        found = fn(ctx, ctx.as_of)
        if found:
            checks.append(
                ctx.check(f"{code}_BLOCK", B, f"No disconnection today: {found[1]}.", found[2], 2, found[0])
            )
        elif code == "WEATHER" and ctx.p("weather.mode") != "NONE":
            checks.append(
                ctx.check(code, S, f"No {ctx.p('weather.mode').lower()} weather restriction today.", path, 2)
            )
        elif code == "WINTER_INCOME" and ctx.p(path) is not None:
            known = ctx.facts.poverty_pct is not None
            checks.append(
                ctx.check(
                    code,
                    S,
                    "The winter income protection does not hold today."
                    if known
                    else "Household income is unknown: verify it before a winter termination [M].",
                    path,
                    2,
                )
            )
    return checks


def blackout(ctx: Ctx, d: date) -> tuple[date, str, str] | None:
    why, path = [], "blackout.weekdays"
    if WEEKDAY_CODES[d.weekday()] in ctx.p("blackout.weekdays"):
        why.append(f"a {DAY_NAMES[d.weekday()]}")
    if ctx.p("blackout.fridays") and d.weekday() == 4:
        why.append("a Friday")
        path = "blackout.fridays"
    if ctx.p("blackout.holidays") and ctx.cal.is_holiday(d):
        why.append("a holiday")
        path = "blackout.holidays"
    if ctx.p("blackout.day_before_holiday") and ctx.cal.is_holiday(d + ONE):
        why.append("the day before a holiday")
        path = "blackout.day_before_holiday"
    if not why:
        return None
    return d + ONE, f"{fmt_date(d)} is {' and '.join(dict.fromkeys(why))}", path


def date_gates(ctx: Ctx, d: date) -> list[RuleCheck]:
    """The checks that forbid candidate date d (empty when d is permitted by this layer)."""
    out = []
    for code, fn, step in (
        ("WEATHER_DEFER", weather_block, 4),
        ("WINTER_INCOME_DEFER", winter_block, 2),
        ("BLACKOUT", blackout, 4),
    ):
        found = fn(ctx, d)
        if found:
            until, reason, path = found
            text = (
                f"{reason}: moved to {fmt_date(until)}"
                if code == "BLACKOUT"
                else f"Proposed date {fmt_date(d)} falls in {reason}: moved to {fmt_date(until)}"
            )
            out.append(ctx.check(code, D, text + ".", path, step, until))
    return out


def blackout_ok(ctx: Ctx, d: date) -> RuleCheck:
    cutoff = ctx.p("blackout.cutoff_time_before_closed_day")
    note = ""
    if cutoff and not ctx.cal.is_business_day(d + ONE):
        note = f" The next day is closed: finish before {cutoff}."
    return ctx.check(
        "BLACKOUT", S, f"{fmt_date(d)} is a permitted disconnection day.{note}", "blackout.weekdays", 4
    )
