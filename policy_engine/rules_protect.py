"""Pipeline steps 1 and 2 (rules.md §0): applicability and the hard blocks, evaluated on the
decision date. Date-dependent blocks (seasonal moratoria, weather, PA winter) live in
`rules_calendar.py` because they must also be checked on every later candidate date."""

from datetime import date, timedelta

from .amounts_recovery import bankruptcy_deadline
from .citations import UTILITY_POLICY, federal
from .context import Ctx
from .core import bills_in_scope, effective_due, fmt_date, fmt_money, good_payments_since, is_low_income
from .decision import Outcome, RuleCheck
from .facts import ZERO, AccountFacts, ArrangementFact, MedicalCertificateFact
from .policy import Layer, Policy
from .rules_pledge import PledgeHold, pledge_check, pledge_holds

__all__ = ["PledgeHold", "pledge_check", "pledge_holds"]  # re-exported: the engine imports rules here

S, B, NA = Outcome.SATISFIED, Outcome.BLOCKED, Outcome.NOT_APPLICABLE
ONE = timedelta(days=1)
APPLICABILITY = (
    "applicability.residential_only",
    "applicability.utilities",
    "applicability.min_system_connections",
    "applicability.effective_from",
)


def layer_applies(layer: Layer, facts: AccountFacts, as_of: date) -> RuleCheck:
    """Step 1: does this rule set govern this account at all?"""

    def na(reason: str, path: str) -> RuleCheck:
        return RuleCheck("APPLICABILITY", NA, reason, layer.cite(path), 1, None, layer.preset)

    if layer.p("applicability.residential_only") and not facts.residential:
        return na(
            f"{layer.preset} governs residential service only; this account is not residential.",
            "applicability.residential_only",
        )
    utilities = layer.p("applicability.utilities")
    if utilities is not None and facts.utility not in utilities:
        return na(
            f"{layer.preset} governs {', '.join(utilities)} service, not {facts.utility}.",
            "applicability.utilities",
        )
    start = layer.p("applicability.effective_from")
    if start is not None and as_of < date.fromisoformat(start):
        return na(f"{layer.preset} applies from {start}.", "applicability.effective_from")
    size = layer.p("applicability.min_system_connections")
    small_from = layer.p("applicability.small_systems_from")
    if (
        size is not None
        and facts.system_connections is not None
        and facts.system_connections <= size
        and (small_from is None or as_of < date.fromisoformat(small_from))
    ):
        later = f"; systems this small are covered from {small_from}" if small_from else ""
        return na(
            f"The system has {facts.system_connections} connections (rules apply above {size}){later}.",
            "applicability.min_system_connections",
        )
    own = [path for path in APPLICABILITY if layer.sets(path)]
    cite = layer.cite(own[0]) if own else UTILITY_POLICY
    return RuleCheck("APPLICABILITY", S, f"{layer.preset} governs this account.", cite, 1, None, layer.preset)


def applicable_layers(
    policy: Policy, facts: AccountFacts, as_of: date
) -> tuple[list[Layer], list[RuleCheck]]:
    """The layers that govern this account (DEFAULT + overrides when none does), with the checks."""
    checks = [layer_applies(layer, facts, as_of) for layer in policy.layers]
    layers = [layer for layer, c in zip(policy.layers, checks, strict=True) if c.outcome != NA]
    if not layers:
        layers = [policy.fallback]
        checks.append(
            RuleCheck(
                "APPLICABILITY",
                S,
                "No chosen rule set governs this account; the DEFAULT rules "
                "(with this utility's overrides) apply.",
                UTILITY_POLICY,
                1,
                None,
                "DEFAULT",
            )
        )
    return layers, checks


def bankruptcy_check(policy: Policy, facts: AccountFacts, as_of: date, post_petition_due) -> RuleCheck | None:
    """11 U.S.C. 366: pre-petition debt alone never justifies action; post-petition arrears only
    once the assurance window has passed without adequate assurance."""
    bk = facts.bankruptcy
    if bk is None or bk.petition_date > as_of:
        return None  # no case yet on the evaluation date
    cite = federal("11 U.S.C. 366(a)-(c)")
    if bk.dismissed_on is not None and bk.dismissed_on <= as_of:
        return RuleCheck(
            "BANKRUPTCY",
            S,
            f"The case was dismissed on {fmt_date(bk.dismissed_on)}; "
            "the whole balance follows the normal rules.",
            cite,
            2,
            None,
            "FED_BANKRUPTCY",
        )
    if post_petition_due <= ZERO:
        return RuleCheck(
            "BANKRUPTCY_PRE_PETITION",
            B,
            f"Chapter {bk.chapter} petition filed {fmt_date(bk.petition_date)}: only pre-petition debt is "
            "unpaid; a utility may not discontinue service because a pre-petition debt was not paid.",
            federal("11 U.S.C. 366(a)"),
            2,
            None,
            "FED_BANKRUPTCY",
        )
    deadline = bankruptcy_deadline(policy, bk)
    if bk.assurance_received_on is not None:
        return RuleCheck(
            "BANKRUPTCY",
            S,
            f"Adequate assurance received {fmt_date(bk.assurance_received_on)}; "
            f"post-petition arrears of {fmt_money(post_petition_due)} follow the normal rules.",
            cite,
            2,
            None,
            "FED_BANKRUPTCY",
        )
    assert deadline.until is not None
    if as_of <= deadline.until:
        return RuleCheck(
            "BANKRUPTCY_ASSURANCE_WINDOW",
            B,
            deadline.reason,
            deadline.citation,
            2,
            deadline.until + ONE,
            "FED_BANKRUPTCY",
        )
    return RuleCheck(
        "BANKRUPTCY",
        S,
        f"No adequate assurance by {fmt_date(deadline.until)}: post-petition "
        f"arrears of {fmt_money(post_petition_due)} may be acted on.",
        deadline.citation,
        2,
        None,
        "FED_BANKRUPTCY",
    )


def appeal_check(ctx: Ctx) -> RuleCheck:
    path = "protections.appeal_blocks"
    if not ctx.p(path):
        return ctx.check("APPEAL", NA, "Appeals do not hold disconnection under this rule set.", path, 2)
    if ctx.facts.appeal_pending:
        return ctx.check(
            "APPEAL_PENDING",
            B,
            "An appeal, dispute or complaint is pending; no disconnection until it is resolved.",
            path,
            2,
        )
    return ctx.check("APPEAL", S, "No appeal or dispute is pending.", path, 2)


def _financially_unable(ctx: Ctx, cert) -> bool:
    return bool(cert and cert.financially_unable) or is_low_income(ctx.layer, ctx.facts)


def certificate_in_force(ctx: Ctx) -> tuple[MedicalCertificateFact | None, date | None]:
    """The medical certificate protecting on the evaluation date (the one lasting longest) and the
    first day it no longer does; (None, None) when none is in force. rules.md §0 counts N days
    after D as D + N (the day of D is not counted, as in 1 Pa.C.S. 1908 and N.Y. Gen. Constr.
    Law 20): a 30-day certificate received on D protects through D + 30. A stated end date is
    honoured only up to that limit ("for the period stated, max 30 days", 52 Pa. Code 56.114): a
    longer period needs a renewal, which is where the renewal cap applies."""
    validity = ctx.p("protections.medical.validity_days")
    active = []
    for cert in ctx.facts.medical_certificates:
        end = cert.received_on + timedelta(days=validity + 1)
        if cert.valid_until is not None:
            end = min(end, cert.valid_until + ONE)
        if cert.received_on <= ctx.as_of < end:
            active.append((end, cert))
    if not active:
        return None, None
    end, cert = max(active, key=lambda item: item[0])
    return cert, end


def renewals_left(ctx: Ctx, cert: MedicalCertificateFact | None) -> int | None:
    """Renewals that still protect a customer who is not paying (SB 998: 2); None = no cap."""
    cap = ctx.p("protections.medical.max_renewals_when_not_paying")
    if cap is None:
        return None
    return max(cap - (cert.renewal if cert else 0), 0)


def medical_check(ctx: Ctx) -> RuleCheck:
    f, mode, path = ctx.facts, ctx.p("protections.medical.mode"), "protections.medical.mode"
    if not ctx.layer.sets(path) and ctx.layer.sets("protections.medical.validity_days"):
        # Cite the preset's own medical rule: NY's certificate comes from PSL 32(3)(a) [M] through
        # its validity period, not from the catalogue's PA/Delaware default for the mode.
        path = "protections.medical.validity_days"
    validity = ctx.p("protections.medical.validity_days")
    cert, until = certificate_in_force(ctx)
    active = cert is not None
    if not active and not (f.life_support and ctx.p("protections.medical.life_support_as_certificate")):
        return ctx.check("MEDICAL", S, "No medical certificate is in force.", path, 2)
    what = (
        (
            f"A medical certificate received {fmt_date(cert.received_on)} protects through "
            f"{fmt_date(until - ONE)} (at most {validity} days)"  # type: ignore[operator]
        )
        if cert
        else "A household member depends on life-support equipment"
    )
    if f.life_support and ctx.p("protections.medical.life_support_as_certificate"):
        until = None  # life support protects for as long as it lasts
    missing = []
    if mode in ("SB998", "AZ_ANNUAL") and not _financially_unable(ctx, cert):
        missing.append("financial inability to pay")
    if mode == "SB998" and not ((cert and cert.willing_to_plan) or f.willing_to_plan):
        missing.append("willingness to enter a payment plan")
    if missing:
        return ctx.check(
            "MEDICAL", S, f"{what}, but the rule also requires {' and '.join(missing)}.", path, 2
        )
    cap = ctx.p("protections.medical.max_renewals_when_not_paying")
    if cert and cap is not None and cert.renewal > cap and not f.life_support:
        first = min(c.received_on for c in f.medical_certificates)
        if not good_payments_since(f, first):
            return ctx.check(
                "MEDICAL_RENEWAL_CAP",
                S,
                f"{what}, but it is renewal {cert.renewal} for the same arrears and no "
                f"payment was made since {fmt_date(first)}: at most {cap} renewals protect.",
                "protections.medical.max_renewals_when_not_paying",
                2,
            )
    return ctx.check("MEDICAL_CERTIFICATE", B, f"{what}.", path, 2, until)


def noncompliance_since(ctx: Ctx, arr: ArrangementFact) -> date | None:
    """The first day the customer stopped keeping the plan: a missed installment, or current
    charges (bills issued since the plan was made) left unpaid past their due date. HSC 116910
    counts both ("fails to comply with the plan ... or fails to pay current charges"). Current
    charges are looked for among all bills, not just the oldest past-due one: while the plan is
    paying off older arrears, those stay the oldest unpaid bills."""
    missed = [i.due_date for i in arr.installments if i.due_date < ctx.as_of and i.paid_amount < i.amount]
    dues = (
        effective_due(ctx.layer, ctx.policy, b)
        for b in bills_in_scope(ctx.facts, ctx.as_of)
        if b.bill_date >= arr.created_on and b.unpaid > ZERO
    )
    dates = missed + [due for due in dues if due < ctx.as_of]
    if arr.status == "broken":
        dates.append(arr.ended_on or arr.created_on)
    return min(dates) if dates else None


def arrangement_check(ctx: Ctx) -> RuleCheck:
    """A plan in good standing blocks; a defaulted one allows action after the tolerance
    (SB 998: 60 days) or, in St. George, the next day without further notice."""
    f, path = ctx.facts, "arrangements.default_tolerance_days"
    active = [a for a in f.arrangements if a.status == "active"]
    broken = [
        a
        for a in f.arrangements
        if a.status == "broken"
        and ctx.dq.oldest_bill is not None
        and ctx.dq.oldest_bill.bill_date < a.created_on
    ]
    arr = max(active or broken, key=lambda a: a.created_on, default=None)
    if arr is None:
        return ctx.check("ARRANGEMENT", NA, "No payment arrangement covers these arrears.", path, 2)
    since = noncompliance_since(ctx, arr)
    if since is None:
        return ctx.check(
            "ARRANGEMENT_GOOD_STANDING",
            B,
            f"A {arr.months}-month arrangement made {fmt_date(arr.created_on)} is in good standing.",
            path,
            2,
        )
    ctx.plan_default_on = since
    if ctx.p("arrangements.default_disconnect_next_day"):
        ctx.plan_next_day = True
        return ctx.check(
            "ARRANGEMENT_DEFAULT",
            S,
            f"The arrangement is in default since {fmt_date(since)}: "
            "disconnection may follow the next day without further notice.",
            "arrangements.default_disconnect_next_day",
            2,
            since + ONE,
        )
    tolerance = ctx.p(path)
    allowed = since + timedelta(days=tolerance)
    if ctx.as_of < allowed:
        return ctx.check(
            "ARRANGEMENT_TOLERANCE",
            B,
            f"The arrangement is out of compliance since {fmt_date(since)}; "
            f"disconnection only after {tolerance} days of non-compliance ({fmt_date(allowed)}).",
            path,
            2,
            allowed,
        )
    return ctx.check(
        "ARRANGEMENT_DEFAULT",
        S,
        f"The arrangement has been out of compliance since "
        f"{fmt_date(since)} ({(ctx.as_of - since).days} days; tolerance {tolerance}).",
        path,
        2,
    )


def min_arrears_check(ctx: Ctx) -> RuleCheck:
    path, minimum = "protections.min_arrears_for_disconnect", ctx.p("protections.min_arrears_for_disconnect")
    if minimum <= ZERO:
        return ctx.check("MIN_ARREARS", NA, "No minimum-arrears threshold.", path, 2)
    if ctx.dq.past_due < minimum:
        return ctx.check(
            "MIN_ARREARS",
            B,
            f"Past due {fmt_money(ctx.dq.past_due)} is below the "
            f"{fmt_money(minimum)} minimum for disconnection.",
            path,
            2,
        )
    return ctx.check(
        "MIN_ARREARS",
        S,
        f"Past due {fmt_money(ctx.dq.past_due)} reaches the {fmt_money(minimum)} minimum.",
        path,
        2,
    )
